package engine

import (
	"encoding/binary"
	"math"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
)

// Pruning decides from Parquet statistics that no row of a row group (or
// of a page) can satisfy a filter. It is conservative: whatever it cannot
// prove (a cast column, a decimal, an unsigned column, NaN bounds, a
// missing statistic) it keeps. Only top-level primitive columns of signed
// integer, date, timestamp, float and string type are pruned on.

// colStats is what statistics say about one column over some rows, in the
// column's presented (normalised) type.
type colStats struct {
	k          kind
	hasMinMax  bool
	minI, maxI int64
	minF, maxF float64
	minS, maxS string
	hasNulls   bool // nulls is known
	nulls      int64
	rows       int64
}

// prunable reports the kind statistics of field i are read as, or false.
func (t *Table) prunable(i int) (kind, bool) {
	if len(t.leaves[i]) != 1 {
		return 0, false
	}
	switch t.schema.Field(i).Type.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64:
		return kInt, true
	case arrow.DATE32:
		return kDate, true
	case arrow.TIMESTAMP:
		return kTs, true
	case arrow.FLOAT32, arrow.FLOAT64:
		return kFloat, true
	case arrow.STRING, arrow.LARGE_STRING:
		return kStr, true
	}
	return 0, false
}

// tsDivisor is how many stored ticks make one presented tick (the stored
// unit of a restored timestamp[s] is milliseconds).
func (t *Table) tsDivisor(i int) int64 {
	st, ok1 := t.stored.Field(i).Type.(*arrow.TimestampType)
	pt, ok2 := t.schema.Field(i).Type.(*arrow.TimestampType)
	if !ok1 || !ok2 || st.Unit <= pt.Unit {
		return 1
	}
	d := int64(1)
	for u := pt.Unit; u < st.Unit; u++ {
		d *= 1000
	}
	return d
}

// rowGroupStats returns the statistics of field i in row group rg, or nil.
func (t *Table) rowGroupStats(rg, i int) *colStats {
	k, ok := t.prunable(i)
	if !ok {
		return nil
	}
	key := [2]int{rg, i}
	t.mu.Lock()
	defer t.mu.Unlock()
	if s, ok := t.stats[key]; ok {
		return s
	}
	s := t.readStats(rg, i, k)
	t.stats[key] = s
	return s
}

func (t *Table) readStats(rg, i int, k kind) (s *colStats) {
	defer func() {
		if recover() != nil { // a damaged footer: prune nothing
			s = nil
		}
	}()
	rgm := t.meta.RowGroup(rg)
	cc, err := rgm.ColumnChunk(t.leaves[i][0])
	if err != nil {
		return nil
	}
	ok, err := cc.StatsSet()
	if err != nil || !ok {
		return nil
	}
	st, err := cc.Statistics()
	if err != nil || st == nil {
		return nil
	}
	s = &colStats{k: k, rows: rgm.NumRows(), hasNulls: st.HasNullCount(), nulls: st.NullCount()}
	if !st.HasMinMax() {
		return s
	}
	s.hasMinMax = true
	switch st := st.(type) {
	case *metadata.Int32Statistics:
		s.minI, s.maxI = int64(st.Min()), int64(st.Max())
	case *metadata.Int64Statistics:
		s.minI, s.maxI = st.Min(), st.Max()
	case *metadata.Float32Statistics:
		s.minF, s.maxF = float64(st.Min()), float64(st.Max())
	case *metadata.Float64Statistics:
		s.minF, s.maxF = st.Min(), st.Max()
	case *metadata.ByteArrayStatistics:
		s.minS, s.maxS = string(st.Min()), string(st.Max())
	default:
		s.hasMinMax = false
	}
	t.fixBounds(s, i)
	return s
}

// fixBounds converts stored bounds to the presented unit and drops bounds
// that cannot be trusted.
func (t *Table) fixBounds(s *colStats, i int) {
	if s.k == kTs {
		if d := t.tsDivisor(i); d > 1 {
			s.minI = floorDiv(s.minI, d)
			s.maxI = -floorDiv(-s.maxI, d)
		}
	}
	if s.k == kFloat && (math.IsNaN(s.minF) || math.IsNaN(s.maxF)) {
		s.hasMinMax = false
	}
}

// pageStats is the page index of one column chunk: per page, its first
// row and what its statistics say.
type pageStats struct {
	first []int64
	pages []colStats
	rows  int64
}

func (t *Table) pageIndex(rg, i int) *pageStats {
	k, ok := t.prunable(i)
	if !ok {
		return nil
	}
	key := [2]int{rg, i}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.noPages {
		return nil
	}
	if p, ok := t.pages[key]; ok {
		return p
	}
	p := t.readPageIndex(rg, i, k)
	t.pages[key] = p
	return p
}

func (t *Table) readPageIndex(rg, i int, k kind) (p *pageStats) {
	defer func() {
		if recover() != nil {
			p = nil
		}
	}()
	if t.rdr == nil {
		r, err := file.NewParquetReader(t.src, file.WithMetadata(t.meta))
		if err != nil {
			t.noPages = true
			return nil
		}
		t.rdr = r
	}
	pir := t.rdr.GetPageIndexReader()
	if pir == nil {
		t.noPages = true
		return nil
	}
	rgr, err := pir.RowGroup(rg)
	if err != nil || rgr == nil {
		return nil
	}
	leaf := t.leaves[i][0]
	ci, err := rgr.GetColumnIndex(leaf)
	if err != nil || ci == nil {
		return nil
	}
	oi, err := rgr.GetOffsetIndex(leaf)
	if err != nil || oi == nil {
		return nil
	}
	locs := oi.GetPageLocations()
	nullPages, mins, maxs := ci.GetNullPages(), ci.GetMinValues(), ci.GetMaxValues()
	if len(locs) == 0 || len(nullPages) != len(locs) || len(mins) != len(locs) || len(maxs) != len(locs) {
		return nil
	}
	var counts []int64
	if ci.IsSetNullCounts() {
		counts = ci.GetNullCounts()
		if len(counts) != len(locs) {
			counts = nil
		}
	}
	rows := t.meta.RowGroup(rg).NumRows()
	p = &pageStats{rows: rows, first: make([]int64, len(locs)), pages: make([]colStats, len(locs))}
	phys := t.meta.Schema.Column(leaf).PhysicalType()
	for j, loc := range locs {
		p.first[j] = loc.FirstRowIndex
		end := rows
		if j+1 < len(locs) {
			end = locs[j+1].FirstRowIndex
		}
		if p.first[j] < 0 || end < p.first[j] || end > rows {
			return nil
		}
		s := colStats{k: k, rows: end - p.first[j]}
		if counts != nil {
			s.hasNulls, s.nulls = true, counts[j]
		}
		if nullPages[j] {
			s.hasNulls, s.nulls = true, s.rows
		} else if decodeBound(phys, mins[j], maxs[j], &s) {
			s.hasMinMax = true
			t.fixBounds(&s, i)
		}
		p.pages[j] = s
	}
	return p
}

func decodeBound(phys parquet.Type, lo, hi []byte, s *colStats) bool {
	switch phys {
	case parquet.Types.Int32:
		if len(lo) != 4 || len(hi) != 4 {
			return false
		}
		s.minI, s.maxI = int64(int32(binary.LittleEndian.Uint32(lo))), int64(int32(binary.LittleEndian.Uint32(hi)))
	case parquet.Types.Int64:
		if len(lo) != 8 || len(hi) != 8 {
			return false
		}
		s.minI, s.maxI = int64(binary.LittleEndian.Uint64(lo)), int64(binary.LittleEndian.Uint64(hi))
	case parquet.Types.Float:
		if len(lo) != 4 || len(hi) != 4 {
			return false
		}
		s.minF = float64(math.Float32frombits(binary.LittleEndian.Uint32(lo)))
		s.maxF = float64(math.Float32frombits(binary.LittleEndian.Uint32(hi)))
	case parquet.Types.Double:
		if len(lo) != 8 || len(hi) != 8 {
			return false
		}
		s.minF = math.Float64frombits(binary.LittleEndian.Uint64(lo))
		s.maxF = math.Float64frombits(binary.LittleEndian.Uint64(hi))
	case parquet.Types.ByteArray:
		s.minS, s.maxS = string(lo), string(hi)
	default:
		return false
	}
	return true
}

// mayMatch reports whether some row described by stats could satisfy b.
// stats(col) returns the statistics of a scope column, or nil.
func mayMatch(b *bexpr, stats func(col int) *colStats) bool {
	switch b.op {
	case "and":
		for _, a := range b.args {
			if !mayMatch(a, stats) {
				return false
			}
		}
		return true
	case "or":
		for _, a := range b.args {
			if mayMatch(a, stats) {
				return true
			}
		}
		return false
	case "lit":
		// A constant filter: FALSE or NULL selects nothing.
		return b.t.k == kBool && !b.lit.isNull(0) && b.lit.b[0]
	case "isnull", "isnotnull":
		if b.args[0].op != "col" {
			return true
		}
		s := stats(b.args[0].col)
		if s == nil || !s.hasNulls {
			return true
		}
		if b.op == "isnull" {
			return s.nulls > 0
		}
		return s.nulls < s.rows
	case "=", "<>", "<", "<=", ">", ">=":
		col, lit, op := b.args[0], b.args[1], b.op
		if col.op == "lit" && lit.op == "col" {
			col, lit, op = lit, col, flip(op)
		}
		if col.op != "col" || lit.op != "lit" {
			return true
		}
		s := stats(col.col)
		if s == nil {
			return true
		}
		if lit.lit.isNull(0) {
			return false // comparing with NULL is never true
		}
		if s.hasNulls && s.nulls == s.rows {
			return false // every value is NULL
		}
		if !s.hasMinMax {
			return true
		}
		return rangeMay(s, op, lit.lit)
	case "in":
		if b.args[0].op != "col" {
			return true
		}
		s := stats(b.args[0].col)
		if s == nil {
			return true
		}
		if s.hasNulls && s.nulls == s.rows {
			return false
		}
		if !s.hasMinMax {
			return true
		}
		for _, a := range b.args[1:] {
			if a.op != "lit" {
				return true
			}
			if !a.lit.isNull(0) && rangeMay(s, "=", a.lit) {
				return true
			}
		}
		return false
	case "like":
		x, p := b.args[0], b.args[1]
		if x.op != "col" || b.like == nil || (b.like.kind != 'p' && b.like.kind != 'e') {
			return true
		}
		s := stats(x.col)
		if s == nil || !s.hasMinMax || s.k != kStr {
			return true
		}
		_ = p
		prefix := b.like.lit
		if s.maxS < prefix {
			return false
		}
		if s.minS > prefix && !strings.HasPrefix(s.minS, prefix) {
			return false
		}
		return true
	}
	return true
}

func flip(op string) string {
	switch op {
	case "<":
		return ">"
	case "<=":
		return ">="
	case ">":
		return "<"
	case ">=":
		return "<="
	}
	return op
}

// rangeMay reports whether some value in [min, max] satisfies "value op c".
func rangeMay(s *colStats, op string, c *vec) bool {
	var lo, hi int // sign of min-c and max-c
	switch s.k {
	case kInt, kDate, kTs:
		if c.i == nil {
			return true
		}
		lo, hi = intCmp(s.minI, c.i[0]), intCmp(s.maxI, c.i[0])
	case kFloat:
		if c.f == nil || math.IsNaN(c.f[0]) {
			return true
		}
		lo, hi = floatCmp(s.minF, c.f[0]), floatCmp(s.maxF, c.f[0])
	case kStr:
		if c.s == nil {
			return true
		}
		lo, hi = strings.Compare(s.minS, c.s[0]), strings.Compare(s.maxS, c.s[0])
	default:
		return true
	}
	switch op {
	case "=":
		return lo <= 0 && hi >= 0
	case "<>":
		return !(lo == 0 && hi == 0)
	case "<":
		return lo < 0
	case "<=":
		return lo <= 0
	case ">":
		return hi > 0
	case ">=":
		return hi >= 0
	}
	return true
}

// rng is a half-open range of rows within a row group.
type rng struct{ lo, hi int64 }

// pageRanges narrows the rows of row group rg that can satisfy b, from
// the page index. It returns nil when every row may match.
func (t *Table) pageRanges(b *bexpr, rg int, colField []int) []rng {
	rows := t.meta.RowGroup(rg).NumRows()
	r := t.ranges(b, rg, rows, colField)
	if r == nil || len(r) == 1 && r[0].lo == 0 && r[0].hi >= rows {
		return nil
	}
	if len(r) == 0 {
		return []rng{}
	}
	return r
}

// ranges returns the candidate row ranges for b, or nil for "all rows".
func (t *Table) ranges(b *bexpr, rg int, rows int64, colField []int) []rng {
	switch b.op {
	case "and":
		var acc []rng
		all := true
		for _, a := range b.args {
			r := t.ranges(a, rg, rows, colField)
			if r == nil {
				continue
			}
			if all {
				acc, all = r, false
			} else {
				acc = intersect(acc, r)
			}
		}
		if all {
			return nil
		}
		return acc
	case "or":
		var acc []rng
		for _, a := range b.args {
			r := t.ranges(a, rg, rows, colField)
			if r == nil {
				return nil
			}
			acc = union(acc, r)
		}
		return acc
	}
	col := simpleColumn(b)
	if col < 0 || col >= len(colField) || colField[col] < 0 {
		return nil
	}
	p := t.pageIndex(rg, colField[col])
	if p == nil {
		return nil
	}
	out := []rng{}
	for j := range p.pages {
		s := &p.pages[j]
		if mayMatch(b, func(c int) *colStats {
			if c == col {
				return s
			}
			return nil
		}) {
			end := p.rows
			if j+1 < len(p.first) {
				end = p.first[j+1]
			}
			out = union(out, []rng{{p.first[j], end}})
		}
	}
	return out
}

// simpleColumn returns the one column a leaf predicate tests, or -1.
func simpleColumn(b *bexpr) int {
	switch b.op {
	case "=", "<>", "<", "<=", ">", ">=":
		if b.args[0].op == "col" && b.args[1].op == "lit" {
			return b.args[0].col
		}
		if b.args[1].op == "col" && b.args[0].op == "lit" {
			return b.args[1].col
		}
	case "in", "isnull", "isnotnull", "like":
		if b.args[0].op == "col" {
			return b.args[0].col
		}
	}
	return -1
}

func union(a, b []rng) []rng {
	all := append(append([]rng{}, a...), b...)
	sort.Slice(all, func(i, j int) bool { return all[i].lo < all[j].lo })
	var out []rng
	for _, r := range all {
		if r.hi <= r.lo {
			continue
		}
		if n := len(out); n > 0 && r.lo <= out[n-1].hi {
			out[n-1].hi = max(out[n-1].hi, r.hi)
			continue
		}
		out = append(out, r)
	}
	if out == nil {
		out = []rng{}
	}
	return out
}

func intersect(a, b []rng) []rng {
	out := []rng{}
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		lo, hi := max(a[i].lo, b[j].lo), min(a[i].hi, b[j].hi)
		if lo < hi {
			out = append(out, rng{lo, hi})
		}
		if a[i].hi < b[j].hi {
			i++
		} else {
			j++
		}
	}
	return out
}
