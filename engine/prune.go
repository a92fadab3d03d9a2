package engine

import (
	"encoding/binary"
	"math"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
)

// Pruning decides from Parquet statistics that no row of a row group (or
// of a page) can satisfy a filter. It is conservative: whatever it cannot
// prove (an expression that is not a column or a monotonic cast of one,
// NaN bounds, a missing statistic) it keeps. Min/max bounds are read for
// top-level columns of integer (signed, and unsigned up to 32 bits),
// boolean, date, timestamp, float, decimal and string type; null counts
// for every top-level primitive column.

// NaNFreeKey is the Parquet key-value metadata key under which a file
// lists, as a JSON array of names, its top-level floating-point columns
// that hold no NaN (snapdb's writer sets it). Parquet's min/max statistics
// leave NaN out, and the engine orders NaN above every number (as DuckDB
// does), so "x > c", "x >= c" and "x <> c" on a float column can be pruned
// from statistics only when the column is known to have no NaN. Files
// without the key are read as if every float column may hold NaN.
const NaNFreeKey = "snapdb:nan_free"

// colStats is what statistics say about one column over some rows, in the
// column's presented (normalised) type.
type colStats struct {
	t          typ // the column's type; its kind says which bounds are set
	hasMinMax  bool
	minI, maxI int64 // kInt, kDate, kTs; kBool as 0 and 1
	minF, maxF float64
	minD, maxD decimal128.Num // kDec, at t.scale
	minS, maxS string
	nan        bool // a float column that may hold NaN, above maxF
	hasNulls   bool // nulls is known
	nulls      int64
	rows       int64
}

// prunable reports the type statistics of field i are read in, or false
// for a column with no statistics of its own (nested: several leaves).
// Bounds are read only for the kinds listed above; any other primitive
// column gives null counts only.
func (t *Table) prunable(i int) (typ, bool) {
	if len(t.leaves[i]) != 1 {
		return typ{}, false
	}
	switch t.schema.Field(i).Type.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32,
		arrow.UINT64, arrow.BOOL, arrow.DATE32, arrow.TIMESTAMP, arrow.FLOAT32, arrow.FLOAT64,
		arrow.DECIMAL128, arrow.STRING, arrow.LARGE_STRING:
		return typeOf(t.schema.Field(i).Type), true
	case arrow.STRUCT, arrow.LIST, arrow.LARGE_LIST, arrow.FIXED_SIZE_LIST, arrow.MAP, arrow.DICTIONARY, arrow.EXTENSION:
		return typ{}, false
	}
	return typ{k: kOther, other: t.schema.Field(i).Type}, true
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
	ct, ok := t.prunable(i)
	if !ok {
		return nil
	}
	key := [2]int{rg, i}
	t.mu.Lock()
	defer t.mu.Unlock()
	if s, ok := t.stats[key]; ok {
		return s
	}
	s := t.readStats(rg, i, ct)
	t.stats[key] = s
	return s
}

func (t *Table) readStats(rg, i int, ct typ) (s *colStats) {
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
	s = &colStats{t: ct, rows: rgm.NumRows(), hasNulls: st.HasNullCount(), nulls: st.NullCount()}
	if !st.HasMinMax() {
		return s
	}
	ok = false
	switch st := st.(type) {
	case *metadata.BooleanStatistics:
		ok = s.setInts(t.schema.Field(i).Type, b2i(st.Min()), b2i(st.Max()))
	case *metadata.Int32Statistics:
		ok = s.setInts(t.schema.Field(i).Type, int64(st.Min()), int64(st.Max()))
	case *metadata.Int64Statistics:
		ok = s.setInts(t.schema.Field(i).Type, st.Min(), st.Max())
	case *metadata.Float32Statistics:
		s.minF, s.maxF, ok = float64(st.Min()), float64(st.Max()), ct.k == kFloat
	case *metadata.Float64Statistics:
		s.minF, s.maxF, ok = st.Min(), st.Max(), ct.k == kFloat
	case *metadata.ByteArrayStatistics:
		s.minS, s.maxS, ok = string(st.Min()), string(st.Max()), ct.k == kStr
	case *metadata.FixedLenByteArrayStatistics:
		ok = s.setDecBytes(st.Min(), st.Max())
	}
	s.hasMinMax = ok
	if ok {
		t.fixBounds(s, i)
	}
	return s
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// setInts sets the bounds of a column stored as INT32, INT64 or BOOLEAN
// from its physical min and max, as the column's Arrow type reads them.
func (s *colStats) setInts(dt arrow.DataType, lo, hi int64) bool {
	switch dt.ID() {
	case arrow.UINT32: // stored as INT32 bits, ordered unsigned
		s.minI, s.maxI = int64(uint32(lo)), int64(uint32(hi))
	case arrow.UINT64: // stored as INT64 bits, ordered unsigned; read as DECIMAL(20,0)
		s.minD, s.maxD = decimal128.FromU64(uint64(lo)), decimal128.FromU64(uint64(hi))
	case arrow.DECIMAL128: // a small decimal stored as its unscaled integer
		s.minD, s.maxD = decimal128.FromI64(lo), decimal128.FromI64(hi)
	default:
		s.minI, s.maxI = lo, hi
	}
	switch s.t.k {
	case kInt, kDate, kTs, kBool, kDec:
		return true
	}
	return false
}

// setDecBytes sets the bounds of a decimal stored as FIXED_LEN_BYTE_ARRAY
// (big-endian two's complement).
func (s *colStats) setDecBytes(lo, hi []byte) bool {
	if s.t.k != kDec {
		return false
	}
	var ok1, ok2 bool
	s.minD, ok1 = decFromBigEndian(lo)
	s.maxD, ok2 = decFromBigEndian(hi)
	return ok1 && ok2
}

// decFromBigEndian reads a big-endian two's complement integer of 1 to 16
// bytes.
func decFromBigEndian(b []byte) (decimal128.Num, bool) {
	if len(b) == 0 || len(b) > 16 {
		return decimal128.Num{}, false
	}
	var buf [16]byte
	if b[0]&0x80 != 0 {
		for i := range buf {
			buf[i] = 0xff
		}
	}
	copy(buf[16-len(b):], b)
	return decimal128.New(int64(binary.BigEndian.Uint64(buf[:8])), binary.BigEndian.Uint64(buf[8:])), true
}

// fixBounds converts stored bounds to the presented unit and drops bounds
// that cannot be trusted.
func (t *Table) fixBounds(s *colStats, i int) {
	if s.t.k == kTs {
		if d := t.tsDivisor(i); d > 1 {
			s.minI = floorDiv(s.minI, d)
			s.maxI = -floorDiv(-s.maxI, d)
		}
	}
	if s.t.k == kFloat {
		s.nan = !t.nanFree[i]
		if math.IsNaN(s.minF) || math.IsNaN(s.maxF) {
			s.hasMinMax = false
		}
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
	ct, ok := t.prunable(i)
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
	p := t.readPageIndex(rg, i, ct)
	t.pages[key] = p
	return p
}

func (t *Table) readPageIndex(rg, i int, ct typ) (p *pageStats) {
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
		s := colStats{t: ct, rows: end - p.first[j]}
		if counts != nil {
			s.hasNulls, s.nulls = true, counts[j]
		}
		if nullPages[j] {
			s.hasNulls, s.nulls = true, s.rows
		} else if s.decodeBound(phys, t.schema.Field(i).Type, mins[j], maxs[j]) {
			s.hasMinMax = true
			t.fixBounds(&s, i)
		}
		p.pages[j] = s
	}
	return p
}

// decodeBound sets s's bounds from a page's encoded min and max.
func (s *colStats) decodeBound(phys parquet.Type, dt arrow.DataType, lo, hi []byte) bool {
	switch phys {
	case parquet.Types.Boolean:
		if len(lo) != 1 || len(hi) != 1 {
			return false
		}
		return s.setInts(dt, int64(lo[0]&1), int64(hi[0]&1))
	case parquet.Types.Int32:
		if len(lo) != 4 || len(hi) != 4 {
			return false
		}
		return s.setInts(dt, int64(int32(binary.LittleEndian.Uint32(lo))), int64(int32(binary.LittleEndian.Uint32(hi))))
	case parquet.Types.Int64:
		if len(lo) != 8 || len(hi) != 8 {
			return false
		}
		return s.setInts(dt, int64(binary.LittleEndian.Uint64(lo)), int64(binary.LittleEndian.Uint64(hi)))
	case parquet.Types.Float:
		if len(lo) != 4 || len(hi) != 4 {
			return false
		}
		s.minF = float64(math.Float32frombits(binary.LittleEndian.Uint32(lo)))
		s.maxF = float64(math.Float32frombits(binary.LittleEndian.Uint32(hi)))
		return s.t.k == kFloat
	case parquet.Types.Double:
		if len(lo) != 8 || len(hi) != 8 {
			return false
		}
		s.minF = math.Float64frombits(binary.LittleEndian.Uint64(lo))
		s.maxF = math.Float64frombits(binary.LittleEndian.Uint64(hi))
		return s.t.k == kFloat
	case parquet.Types.ByteArray:
		s.minS, s.maxS = string(lo), string(hi)
		return s.t.k == kStr
	case parquet.Types.FixedLenByteArray:
		return s.setDecBytes(lo, hi)
	}
	return false
}

// statsOf returns what statistics say about x: a column, or a monotonic
// cast of one, whose bounds are the cast of the column's bounds (the
// comparison the filter makes is between cast values).
func statsOf(x *bexpr, stats func(col int) *colStats) *colStats {
	switch x.op {
	case "col":
		return stats(x.col)
	case "cast":
		if x.args[0].op != "col" || !monotonic(x.args[0].t, x.t) {
			return nil
		}
		s := stats(x.args[0].col)
		if s == nil {
			return nil
		}
		return s.cast(x.t)
	}
	return nil
}

// monotonic reports whether casting from one type to another never
// reverses the order of two values (x <= y implies cast(x) <= cast(y)),
// so that the cast of a minimum is a minimum of the casts.
func monotonic(from, to typ) bool {
	switch from.k {
	case kInt, kBool, kDec:
		return to.k == kInt || to.k == kFloat || to.k == kDec
	case kDate:
		return to.k == kTs
	case kTs:
		return to.k == kTs
	case kFloat:
		return to.k == kFloat
	}
	return false
}

// cast converts s to type t by casting its bounds; a bound that does not
// convert drops both.
func (s *colStats) cast(t typ) *colStats {
	out := *s
	out.t = t
	out.nan = s.nan && t.k == kFloat
	if !s.hasMinMax {
		return &out
	}
	v := newVec(s.t, 2, false)
	switch s.t.k {
	case kBool:
		v.b[0], v.b[1] = s.minI != 0, s.maxI != 0
	case kInt, kDate, kTs:
		v.i[0], v.i[1] = s.minI, s.maxI
	case kFloat:
		v.f[0], v.f[1] = s.minF, s.maxF
	case kDec:
		v.d[0], v.d[1] = s.minD, s.maxD
	default:
		out.hasMinMax = false
		return &out
	}
	c, err := castVec(v, t)
	if err != nil || c.null != nil && (c.null[0] || c.null[1]) {
		out.hasMinMax = false
		return &out
	}
	switch t.k {
	case kInt, kDate, kTs:
		out.minI, out.maxI = c.i[0], c.i[1]
	case kFloat:
		out.minF, out.maxF = c.f[0], c.f[1]
	case kDec:
		out.minD, out.maxD = c.d[0], c.d[1]
	default:
		out.hasMinMax = false
	}
	return &out
}

// negated returns a predicate that is TRUE exactly where NOT b is TRUE,
// or nil: comparisons flip, IS NULL and IS NOT NULL swap, AND and OR
// follow De Morgan. (In three-valued logic NOT (x > c) is TRUE just where
// x <= c is TRUE: both are NULL for a NULL x.)
func negated(b *bexpr) *bexpr {
	inverse := map[string]string{"=": "<>", "<>": "=", "<": ">=", "<=": ">", ">": "<=", ">=": "<",
		"isnull": "isnotnull", "isnotnull": "isnull"}
	switch b.op {
	case "not":
		return b.args[0]
	case "and", "or":
		out := &bexpr{t: b.t, op: "or", src: b.src}
		if b.op == "or" {
			out.op = "and"
		}
		for _, a := range b.args {
			n := negated(a)
			if n == nil {
				return nil
			}
			out.args = append(out.args, n)
		}
		return out
	}
	if op, ok := inverse[b.op]; ok {
		return &bexpr{t: b.t, op: op, args: b.args, src: b.src}
	}
	return nil
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
	case "not":
		if n := negated(b.args[0]); n != nil {
			return mayMatch(n, stats)
		}
		return true
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
		if col.op == "lit" && lit.op != "lit" {
			col, lit, op = lit, col, flip(op)
		}
		if lit.op != "lit" {
			return true
		}
		s := statsOf(col, stats)
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
		s := statsOf(b.args[0], stats)
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
		if s == nil || !s.hasMinMax || s.t.k != kStr {
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
	if s.t.k != c.t.k {
		return true
	}
	switch s.t.k {
	case kInt, kDate, kTs:
		if c.i == nil || s.t.k == kTs && c.t.unit != s.t.unit {
			return true
		}
		lo, hi = intCmp(s.minI, c.i[0]), intCmp(s.maxI, c.i[0])
	case kBool:
		if c.b == nil {
			return true
		}
		lo, hi = intCmp(s.minI, b2i(c.b[0])), intCmp(s.maxI, b2i(c.b[0]))
	case kDec:
		if c.d == nil || c.t.scale != s.t.scale {
			return true
		}
		lo, hi = s.minD.Cmp(c.d[0]), s.maxD.Cmp(c.d[0])
	case kFloat:
		if c.f == nil || math.IsNaN(c.f[0]) {
			return true
		}
		if s.nan && (op == ">" || op == ">=" || op == "<>") {
			return true // a NaN, which the bounds leave out, is greater than c
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
	case "not":
		if n := negated(b.args[0]); n != nil {
			return t.ranges(n, rg, rows, colField)
		}
		return nil
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

// simpleColumn returns the one column a leaf predicate tests (bare, or
// under a monotonic cast), or -1.
func simpleColumn(b *bexpr) int {
	base := func(x *bexpr) int {
		switch {
		case x.op == "col":
			return x.col
		case x.op == "cast" && x.args[0].op == "col" && monotonic(x.args[0].t, x.t):
			return x.args[0].col
		}
		return -1
	}
	switch b.op {
	case "=", "<>", "<", "<=", ">", ">=":
		if b.args[1].op == "lit" {
			return base(b.args[0])
		}
		if b.args[0].op == "lit" {
			return base(b.args[1])
		}
	case "in":
		return base(b.args[0])
	case "isnull", "isnotnull", "like":
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
