package demo

import (
	"math/bits"
	"math/rand/v2"
)

// Random-number plumbing.
//
// Every table owns a distinct stream key k. Sequential tables (exposures)
// draw from one rand.NewPCG(seed, k) stream. Entity tables (genes,
// chemicals, diseases) must be randomly addressable, because the alias
// table and SampleText re-derive entity rows without materializing the
// entity tables, so row i is drawn from a PCG seeded with
// (seed, mix(k, i)). Unique identifiers (symbols, names, CAS numbers,
// MeSH ids, ...) come from keyed bijections (perm), which guarantees
// uniqueness without any global state.

// Stream keys: one per table / purpose. Never reuse a value.
const (
	kGeneShape uint64 = 0x0100 + iota
	kGeneRender
	kChemShape
	kChemRender
	kDisShape
	kDisRender
	kExposures
	kText
)

// Permutation purposes.
const (
	pGeneOrder uint64 = 0x1000 + iota
	pGenePattern
	pHGNC
	pEnsembl
	pLegacy
	pChemOrder
	pChemPattern
	pCAS
	pMeshC
	pChEBI
	pNSC
	pDevCode
	pDisOrder
	pDisPattern
	pMeshD
	pOMIM
	pDOID
	pExpGene
	pExpChem
	pExpDis
)

// mix64 is the SplitMix64 finalizer.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

func hash2(a, b uint64) uint64 { return mix64(mix64(a+0x9e3779b97f4a7c15) ^ b) }

// rowRNG re-seeds one PCG per row so that row i of an entity table can be
// regenerated on its own.
type rowRNG struct {
	seed uint64
	pcg  *rand.PCG
	r    *rand.Rand
}

func newRowRNG(seed uint64) *rowRNG {
	p := rand.NewPCG(seed, 0)
	return &rowRNG{seed: seed, pcg: p, r: rand.New(p)}
}

// at returns the generator for row i of stream k. The returned *rand.Rand is
// shared: it is only valid until the next call to at.
func (g *rowRNG) at(k uint64, i int64) *rand.Rand {
	g.pcg.Seed(g.seed, hash2(k, uint64(i)))
	return g.r
}

// perm is a keyed bijection on [0, n): a 4-round balanced Feistel network on
// the smallest even power of two >= n, with cycle walking.
type perm struct {
	n    uint64
	half uint
	mask uint64
	keys [4]uint64
}

func newPerm(n, seed, purpose uint64) perm {
	p := perm{n: n}
	if n <= 1 {
		return p
	}
	b := uint(bits.Len64(n - 1))
	p.half = (b + 1) / 2
	p.mask = 1<<p.half - 1
	for r := range p.keys {
		p.keys[r] = hash2(seed, purpose<<2|uint64(r))
	}
	return p
}

// at maps x in [0, n) to a unique value in [0, n).
func (p *perm) at(x uint64) uint64 {
	if p.n <= 1 {
		return 0
	}
	for {
		l, r := x>>p.half, x&p.mask
		for k := 0; k < 4; k++ {
			l, r = r, l^(mix64(r^p.keys[k])&p.mask)
		}
		x = l<<p.half | r
		if x < p.n {
			return x
		}
	}
}

// mixer interleaves several name patterns with fixed proportions (weights
// out of 20) while keeping a bijection between a row's position j and the
// pair (pattern, rank within pattern).
type mixer struct {
	slot  [20]uint8
	ord   [20]uint64
	count []uint64
}

func newMixer(weights ...int) mixer {
	var m mixer
	m.count = make([]uint64, len(weights))
	// Spread the slots of each pattern evenly over the 20 positions.
	s := 0
	left := append([]int(nil), weights...)
	for s < 20 {
		progressed := false
		for p := range left {
			if left[p] > 0 && s < 20 {
				m.slot[s] = uint8(p)
				m.ord[s] = m.count[p]
				m.count[p]++
				left[p]--
				s++
				progressed = true
			}
		}
		if !progressed {
			panic("demo: mixer weights must sum to 20")
		}
	}
	return m
}

func (m *mixer) pick(j uint64) (p int, rank uint64) {
	s := j % 20
	p = int(m.slot[s])
	return p, (j/20)*m.count[p] + m.ord[s]
}

// weighted picks an index with probability proportional to w.
func weighted(r *rand.Rand, w []int, total int) int {
	x := r.IntN(total)
	for i, v := range w {
		if x < v {
			return i
		}
		x -= v
	}
	return len(w) - 1
}

// chooseDistinct writes k distinct values from [0, n) into dst (k <= n).
func chooseDistinct(r *rand.Rand, dst []int, k, n int) []int {
	dst = dst[:0]
	for len(dst) < k {
		v := r.IntN(n)
		dup := false
		for _, d := range dst {
			if d == v {
				dup = true
				break
			}
		}
		if !dup {
			dst = append(dst, v)
		}
	}
	return dst
}
