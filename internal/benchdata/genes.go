// Package benchdata generates the deterministic tables that snapdb's
// benchmarks and the benchmark script share, so that every tool measured
// reads the same bytes.
package benchdata

import (
	"math/rand/v2"
	"strconv"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// GeneSchema is a gene-like table: sorted int64 id, short symbol, a name of
// about 30 characters, one of 25 chromosomes, int64 start, float64 score.
var GeneSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "symbol", Type: arrow.BinaryTypes.String},
	{Name: "name", Type: arrow.BinaryTypes.String},
	{Name: "chrom", Type: arrow.BinaryTypes.String},
	{Name: "start", Type: arrow.PrimitiveTypes.Int64},
	{Name: "score", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
}, nil)

// Chromosomes are the 25 values of the chrom column.
var Chromosomes = func() []string {
	c := make([]string, 0, 25)
	for i := 1; i <= 22; i++ {
		c = append(c, strconv.Itoa(i))
	}
	return append(c, "X", "Y", "MT")
}()

var nameWords = []string{"protein", "kinase", "receptor", "binding", "domain", "family", "member",
	"zinc", "finger", "transporter", "subunit", "factor", "channel", "associated", "regulator", "like"}

// Genes returns a reader of rows gene rows in batches of batch rows; the
// same seed gives the same rows.
func Genes(mem memory.Allocator, rows, batch int64, seed uint64) array.RecordReader {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	if batch <= 0 {
		batch = 64 * 1024
	}
	g := &geneReader{mem: mem, rows: rows, batch: batch, r: rand.New(rand.NewPCG(seed, 0x9e3779b9))}
	g.refs.Store(1)
	return g
}

type geneReader struct {
	refs        atomic.Int64
	mem         memory.Allocator
	rows, batch int64
	done        int64
	r           *rand.Rand
	cur         arrow.RecordBatch
}

func (g *geneReader) Schema() *arrow.Schema { return GeneSchema }

func (g *geneReader) Next() bool {
	if g.cur != nil {
		g.cur.Release()
		g.cur = nil
	}
	n := min(g.batch, g.rows-g.done)
	if n <= 0 {
		return false
	}
	b := array.NewRecordBuilder(g.mem, GeneSchema)
	defer b.Release()
	id := b.Field(0).(*array.Int64Builder)
	sym := b.Field(1).(*array.StringBuilder)
	name := b.Field(2).(*array.StringBuilder)
	chrom := b.Field(3).(*array.StringBuilder)
	start := b.Field(4).(*array.Int64Builder)
	score := b.Field(5).(*array.Float64Builder)
	buf := make([]byte, 0, 64)
	for i := int64(0); i < n; i++ {
		row := g.done + i
		id.Append(row + 1)
		buf = buf[:0]
		for k := 0; k < 3+g.r.IntN(3); k++ {
			buf = append(buf, byte('A'+g.r.IntN(26)))
		}
		buf = strconv.AppendInt(buf, int64(g.r.IntN(30)), 10)
		sym.BinaryBuilder.Append(buf)
		buf = buf[:0]
		for len(buf) < 26 {
			if len(buf) > 0 {
				buf = append(buf, ' ')
			}
			buf = append(buf, nameWords[g.r.IntN(len(nameWords))]...)
		}
		buf = append(buf, ' ')
		buf = strconv.AppendInt(buf, int64(g.r.IntN(100)), 10)
		name.BinaryBuilder.Append(buf)
		chrom.Append(Chromosomes[g.r.IntN(len(Chromosomes))])
		start.Append(g.r.Int64N(250_000_000))
		if g.r.IntN(50) == 0 {
			score.AppendNull()
		} else {
			score.Append(g.r.Float64() * 1000)
		}
	}
	g.done += n
	g.cur = b.NewRecordBatch()
	return true
}

func (g *geneReader) RecordBatch() arrow.RecordBatch { return g.cur }

// Record is the deprecated name of RecordBatch.
func (g *geneReader) Record() arrow.RecordBatch { return g.cur }

func (g *geneReader) Err() error { return nil }

func (g *geneReader) Retain() { g.refs.Add(1) }

func (g *geneReader) Release() {
	if g.refs.Add(-1) == 0 && g.cur != nil {
		g.cur.Release()
		g.cur = nil
	}
}
