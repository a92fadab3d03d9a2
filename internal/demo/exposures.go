package demo

import (
	"math"
	"math/rand/v2"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

var exposuresSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "chemical_id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "gene_id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "disease_id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "effect", Type: arrow.BinaryTypes.String},
	{Name: "score", Type: arrow.PrimitiveTypes.Float64},
	{Name: "pmid", Type: arrow.PrimitiveTypes.Int64},
	{Name: "observed_on", Type: arrow.FixedWidthTypes.Date32},
}, nil)

var (
	effects       = []string{"increases", "decreases", "affects", "binds"}
	effectWeights = []int{35, 30, 25, 10}
)

const (
	day2000    = 10957 // 2000-01-01 as days since the Unix epoch
	day2025End = 20453 // 2025-12-31
	pmidMin    = 10_000_000
	pmidSpan   = 30_000_000
)

// popularity draws entity indices from a power law (≈ Zipf with s ≈ 1.1).
// Ranks are grouped in buckets of doubling size [0,8), [8,24), [24,56), ...;
// a bucket is picked with integer weights that decay by 15/16 per bucket and
// a rank uniformly inside it, so the sampler uses integer arithmetic only and
// yields the same data on every platform (unlike rand.Zipf, whose
// floating-point math may differ across architectures).
//
// The curated entities take the most popular ranks; the ranks of the others
// are shuffled so that popular generated entities spread over the id range.
type popularity struct {
	n, head int64
	starts  []int64 // bucket b covers [starts[b], starts[b+1])
	cum     []int   // cumulative bucket weights
	shuffle perm
}

func newPopularity(seed uint64, n int64, head int, purpose uint64) popularity {
	p := popularity{n: n, head: min(int64(head), n)}
	size, w, total := int64(8), 1<<16, 0
	for s := int64(0); s < n; size *= 2 {
		e := min(s+size, n)
		total += int(int64(w) * (e - s) / size)
		p.starts = append(p.starts, s)
		p.cum = append(p.cum, max(total, 1))
		s = e
		w = w * 15 / 16
	}
	p.starts = append(p.starts, n)
	p.shuffle = newPerm(uint64(n-p.head), seed, purpose)
	return p
}

func (p *popularity) draw(r *rand.Rand) int64 {
	x := r.IntN(p.cum[len(p.cum)-1])
	b := 0
	for x >= p.cum[b] {
		b++
	}
	z := p.starts[b] + r.Int64N(p.starts[b+1]-p.starts[b])
	if z < p.head {
		return z
	}
	return p.head + int64(p.shuffle.at(uint64(z-p.head)))
}

type exposureSource struct {
	d               *dataset
	r               *rand.Rand
	chem, gene, dis popularity
	next            int64
	pmid            int64
	day             int32
	paperChem       int64
	rowsInPaper     int
}

func newExposureSource(d *dataset) *exposureSource {
	r := rand.New(rand.NewPCG(d.seed, kExposures))
	return &exposureSource{
		d:    d,
		r:    r,
		chem: newPopularity(d.seed, d.nChems, len(curatedChemicals), pExpChem),
		gene: newPopularity(d.seed, d.nGenes, len(curatedGenes), pExpGene),
		dis:  newPopularity(d.seed, d.nDis, len(curatedDiseases), pExpDis),
	}
}

func (s *exposureSource) fill(b *array.RecordBuilder, n int) {
	ids := b.Field(0).(*array.Int64Builder)
	chems := b.Field(1).(*array.Int64Builder)
	genes := b.Field(2).(*array.Int64Builder)
	dis := b.Field(3).(*array.Int64Builder)
	eff := b.Field(4).(*array.StringBuilder)
	scores := b.Field(5).(*array.Float64Builder)
	pmids := b.Field(6).(*array.Int64Builder)
	days := b.Field(7).(*array.Date32Builder)
	eff.ReserveData(n * 9)
	r := s.r
	for k := 0; k < n; k++ {
		// Papers report several interactions, often for the same chemical.
		if s.rowsInPaper == 0 || r.IntN(100) >= 70 {
			s.pmid = pmidMin + r.Int64N(pmidSpan)
			// Later PubMed ids are later papers; jitter by up to ±8 months.
			day := day2000 + (s.pmid-pmidMin)*(day2025End-day2000)/pmidSpan + int64(r.IntN(241)+r.IntN(241)) - 240
			s.day = int32(min(max(day, day2000), day2025End))
			s.paperChem = s.chem.draw(r)
			s.rowsInPaper = 0
		}
		s.rowsInPaper++
		chem := s.paperChem
		if r.IntN(100) >= 60 {
			chem = s.chem.draw(r)
		}
		s.next++
		ids.Append(s.next)
		chems.Append(s.d.chemBase + chem + 1)
		genes.Append(s.d.geneBase + s.gene.draw(r) + 1)
		if r.IntN(100) < 35 {
			dis.AppendNull()
		} else {
			dis.Append(s.d.disBase + s.dis.draw(r) + 1)
		}
		e := weighted(r, effectWeights, 100)
		eff.Append(effects[e])
		score := 1 - math.Sqrt(r.Float64())
		if e == 3 { // binding assays report stronger evidence
			score = math.Sqrt(score)
		}
		scores.Append(max(0.0001, math.Round(score*10000)/10000))
		pmids.Append(s.pmid)
		days.Append(arrow.Date32(s.day))
	}
}

func (d *dataset) exposuresTable() Table {
	return d.table("exposures", exposuresSchema, d.nExp, func() rowSource {
		return newExposureSource(d)
	})
}
