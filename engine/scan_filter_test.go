package engine

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
)

// The filter fixture: fixtureRows rows in row groups of filterRG rows, each
// with several pages, one column per filterable type. Every value is a
// function of the row number i, so that a test can say in Go which rows a
// filter keeps.
const (
	fixtureRows = 3000
	filterRG    = 500
	tsBase      = int64(1_600_000_000_000_000) // µs
)

func fN(i int) (int32, bool) { return int32(i%13 - 6), i%7 != 0 }
func fF(i int, nans bool) float64 {
	if nans && i%500 == 123 {
		return math.NaN()
	}
	return float64(i)*0.5 - 100
}
func fS(i int) string          { return fmt.Sprintf("s%04d", i) }
func fB(i int) (bool, bool)    { return i%3 == 0, i%5 != 0 }
func fD(i int) arrow.Date32    { return arrow.Date32(18000 + i/10) }
func fTs(i int) int64          { return tsBase + int64(i)*1_000_000 }
func fDec(i int) (int64, bool) { return int64(i) * 25, i%11 != 0 } // i/4 as DECIMAL(10,2)
func fU(i int) uint32          { return 4_000_000_000 + uint32(i) }

// filterTable writes the fixture; nans puts a NaN in f in every row group,
// nanFree lists f under NaNFreeKey (only true without NaNs).
func filterTable(t testing.TB, nans, nanFree bool) *Table {
	t.Helper()
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "n", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "f", Type: arrow.PrimitiveTypes.Float64},
		{Name: "s", Type: arrow.BinaryTypes.String},
		{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "d", Type: arrow.FixedWidthTypes.Date32},
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond}},
		{Name: "dec", Type: &arrow.Decimal128Type{Precision: 10, Scale: 2}, Nullable: true},
		{Name: "u", Type: arrow.PrimitiveTypes.Uint32},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer b.Release()
	for i := range fixtureRows {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		if v, ok := fN(i); ok {
			b.Field(1).(*array.Int32Builder).Append(v)
		} else {
			b.Field(1).AppendNull()
		}
		b.Field(2).(*array.Float64Builder).Append(fF(i, nans))
		b.Field(3).(*array.StringBuilder).Append(fS(i))
		if v, ok := fB(i); ok {
			b.Field(4).(*array.BooleanBuilder).Append(v)
		} else {
			b.Field(4).AppendNull()
		}
		b.Field(5).(*array.Date32Builder).Append(fD(i))
		b.Field(6).(*array.TimestampBuilder).Append(arrow.Timestamp(fTs(i)))
		if v, ok := fDec(i); ok {
			b.Field(7).(*array.Decimal128Builder).Append(decimal128.FromI64(v))
		} else {
			b.Field(7).AppendNull()
		}
		b.Field(8).(*array.Uint32Builder).Append(fU(i))
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	var kv map[string]string
	if nanFree {
		kv = map[string]string{NaNFreeKey: `["f"]`}
	}
	return writeTableKV(t, "t", rec, filterRG, 256, false, kv)
}

// filterCase is a filter, the rows it keeps (true where SQL's WHERE keeps
// the row: TRUE, not FALSE or NULL), and how many of the 6 row groups the
// statistics must prune (-1: not checked).
type filterCase struct {
	f      Expr
	keep   func(i int) bool
	pruned int
}

func filterCases(nans bool) []filterCase {
	isNaN := func(i int) bool { return math.IsNaN(fF(i, nans)) }
	n := func(i int, p func(int32) bool) bool { v, ok := fN(i); return ok && p(v) }
	b := func(i int, p func(bool) bool) bool { v, ok := fB(i); return ok && p(v) }
	dec := func(i int, p func(int64) bool) bool { v, ok := fDec(i); return ok && p(v) }
	ts := func(i int) time.Time { return time.UnixMicro(fTs(i)).UTC() }
	return []filterCase{
		{Eq(Col("id"), Lit(1234)), func(i int) bool { return i == 1234 }, 5},
		{Ne(Col("id"), Lit(5)), func(i int) bool { return i != 5 }, 0},
		{Between(Col("id"), Lit(1000), Lit(1010)), func(i int) bool { return i >= 1000 && i <= 1010 }, 5},
		{Eq(Col("id"), Lit(nil)), func(int) bool { return false }, 6},
		{Lt(Col("n"), Lit(-4)), func(i int) bool { return n(i, func(v int32) bool { return v < -4 }) }, 0},
		{In(Col("n"), Lit(-6), Lit(0), Lit(6)), func(i int) bool {
			return n(i, func(v int32) bool { return v == -6 || v == 0 || v == 6 })
		}, 0},
		{In(Col("n"), Lit(100), Lit(-100)), func(int) bool { return false }, 6},
		{IsNull(Col("n")), func(i int) bool { _, ok := fN(i); return !ok }, 0},
		{IsNotNull(Col("b")), func(i int) bool { _, ok := fB(i); return ok }, 0},
		{Eq(Col("b"), Lit(true)), func(i int) bool { return b(i, func(v bool) bool { return v }) }, 0},
		{Not(Eq(Col("b"), Lit(true))), func(i int) bool { return b(i, func(v bool) bool { return !v }) }, 0},
		// NaN is greater than every number and unequal to all of them.
		{Gt(Col("f"), Lit(1000.0)), func(i int) bool { return isNaN(i) || fF(i, nans) > 1000 }, -1},
		{Ge(Col("f"), Lit(1399.5)), func(i int) bool { return isNaN(i) || fF(i, nans) >= 1399.5 }, -1},
		{Ne(Col("f"), Lit(0.0)), func(i int) bool { return isNaN(i) || fF(i, nans) != 0 }, -1},
		{Lt(Col("f"), Lit(-99.0)), func(i int) bool { return !isNaN(i) && fF(i, nans) < -99 }, 5},
		{Like(Col("s"), "s01%"), func(i int) bool { return strings.HasPrefix(fS(i), "s01") }, 5},
		{Like(Col("s"), "%99"), func(i int) bool { return strings.HasSuffix(fS(i), "99") }, 0},
		{Like(Col("s"), "%10%"), func(i int) bool { return strings.Contains(fS(i), "10") }, 0},
		{Like(Col("s"), "s_0_1"), func(i int) bool { s := fS(i); return s[2] == '0' && s[4] == '1' }, 0},
		{Not(Like(Col("s"), "s0%")), func(i int) bool { return !strings.HasPrefix(fS(i), "s0") }, -1},
		{Between(Col("d"), Lit(arrow.Date32(18100)), Lit(arrow.Date32(18105))), func(i int) bool {
			return fD(i) >= 18100 && fD(i) <= 18105
		}, 5},
		{Lt(Col("ts"), Lit(ts(50))), func(i int) bool { return i < 50 }, 5},
		{Ge(Col("d"), Lit(ts(2995))), func(i int) bool { // DATE against TIMESTAMP: a cast
			return int64(fD(i))*86_400_000_000 >= fTs(2995)
		}, -1},
		{Gt(Col("dec"), Dec(decimal128.FromI64(74900), 10, 2)), func(i int) bool {
			return dec(i, func(v int64) bool { return v > 74900 })
		}, 5},
		{Eq(Col("dec"), Lit(5)), func(i int) bool { return dec(i, func(v int64) bool { return v == 500 }) }, 5},
		{Le(Col("dec"), Lit(2.5)), func(i int) bool { return dec(i, func(v int64) bool { return v <= 250 }) }, 5},
		{Ge(Col("u"), Lit(4_000_002_990)), func(i int) bool { return fU(i) >= 4_000_002_990 }, 5},
		{And(Gt(Col("id"), Lit(100)), Lt(Col("n"), Lit(0))), func(i int) bool {
			return i > 100 && n(i, func(v int32) bool { return v < 0 })
		}, 0},
		{Or(IsNull(Col("n")), Lt(Col("id"), Lit(10))), func(i int) bool { _, ok := fN(i); return !ok || i < 10 }, 0},
		{Not(Or(Lt(Col("id"), Lit(2990)), IsNull(Col("n")))), func(i int) bool {
			_, ok := fN(i)
			return i >= 2990 && ok
		}, 5},
		{Not(Gt(Col("n"), Lit(0))), func(i int) bool { return n(i, func(v int32) bool { return v <= 0 }) }, 0},
		{Not(Not(Lt(Col("id"), Lit(3)))), func(i int) bool { return i < 3 }, 5},
	}
}

// TestScanFilters runs each filter through the public Scan and compares
// the rows with what the fixture's own functions say, and the row groups
// pruned with what the statistics allow.
func TestScanFilters(t *testing.T) {
	for _, fx := range []struct {
		name          string
		nans, nanFree bool
	}{
		{"NaN in every row group", true, false},
		{"no NaN, not declared", false, false},
		{"no NaN, declared NaN-free", false, true},
	} {
		tbl := filterTable(t, fx.nans, fx.nanFree)
		for _, tc := range filterCases(fx.nans) {
			name := fmt.Sprintf("%s/%s", fx.name, tc.f)
			t.Run(name, func(t *testing.T) {
				for _, batch := range []int64{0, 97} {
					rr, err := Scan(context.Background(), tbl, ScanSpec{Columns: []string{"id"}, Filter: tc.f, BatchSize: batch})
					if err != nil {
						t.Fatal(err)
					}
					st := rr.(*scanReader).p.stats
					var got []int
					for _, r := range drain(t, rr) {
						got = append(got, int(r[0].(int64)))
					}
					var want []int
					for i := range fixtureRows {
						if tc.keep(i) {
							want = append(want, i)
						}
					}
					if !slices.Equal(got, want) {
						t.Fatalf("batch %d: Scan(%s) = %d rows %v…, want %d rows %v…", batch, tc.f, len(got), head(got), len(want), head(want))
					}
					if tc.pruned >= 0 && st.RowGroupsPruned != tc.pruned {
						t.Errorf("Scan(%s) pruned %d row groups, want %d", tc.f, st.RowGroupsPruned, tc.pruned)
					}
				}
			})
		}
	}
}

func head(xs []int) []int { return xs[:min(len(xs), 8)] }

// TestScanFloatPruningNeedsNaNFree: "f > c" may prune float row groups
// only when the file says the column holds no NaN (Parquet statistics
// leave NaN out, and NaN is greater than every number).
func TestScanFloatPruningNeedsNaNFree(t *testing.T) {
	for _, tc := range []struct {
		nans, nanFree bool
		want          int
	}{
		{true, false, 0},  // every row group has a NaN above its max
		{false, false, 0}, // none has, but nothing says so
		{false, true, 4},  // row groups 0–3 end below 1000
	} {
		tbl := filterTable(t, tc.nans, tc.nanFree)
		for _, f := range []Expr{Gt(Col("f"), Lit(1000.0)), Ge(Col("f"), Lit(1000.0))} {
			rr, err := Scan(context.Background(), tbl, ScanSpec{Filter: f})
			if err != nil {
				t.Fatal(err)
			}
			got := rr.(*scanReader).p.stats.RowGroupsPruned
			drain(t, rr)
			if got != tc.want {
				t.Errorf("NaNs %v, NaN-free declared %v: Scan(%s) pruned %d row groups, want %d", tc.nans, tc.nanFree, f, got, tc.want)
			}
		}
	}
}

// TestScanLimitStopsEarly: under a limit the workers decode little more
// than the limit needs, even with a filter that keeps every row.
func TestScanLimitStopsEarly(t *testing.T) {
	tbl := ids(t, 400000, 50000, 64<<10)
	for _, f := range []Expr{nil, Ge(Col("id"), Lit(0))} {
		rr, err := Scan(context.Background(), tbl, ScanSpec{Columns: []string{"id", "s"}, Filter: f, Limit: 10, Parallelism: 2})
		if err != nil {
			t.Fatal(err)
		}
		sr := rr.(*scanReader)
		rows := drain(t, rr)
		if len(rows) != 10 {
			t.Fatalf("Limit 10 with filter %v: %d rows", f, len(rows))
		}
		for i, r := range rows {
			if r[0].(int64) != int64(i) {
				t.Fatalf("Limit 10 with filter %v: row %d is %v, want id %d", f, i, r, i)
			}
		}
		// Each of the 2 workers holds one batch queued and decodes one
		// more before it sees the reader has stopped.
		if got, most := sr.p.readRow.Load(), int64(3*2*limitedBatch); got > most {
			t.Errorf("Limit 10 with filter %v decoded %d rows of the filter column, want at most %d", f, got, most)
		}
	}
}

// TestNegated checks the NOT push-down used by pruning against the
// evaluator: for every row, NOT x is TRUE exactly where negated(x) is.
func TestNegated(t *testing.T) {
	tbl := filterTable(t, true, false)
	sc := tbl.scope("t")
	for _, tc := range filterCases(true) {
		b, err := sc.bind(tc.f)
		if err != nil {
			t.Fatal(err)
		}
		n := negated(b)
		if n == nil {
			continue
		}
		nb, err := sc.bind(Not(tc.f))
		if err != nil {
			t.Fatal(err)
		}
		for _, pair := range [][2]*bexpr{{nb, n}} {
			want := scanIDs(t, tbl, pair[0])
			got := scanIDs(t, tbl, pair[1])
			if !slices.Equal(got, want) {
				t.Errorf("negated(%s) keeps %d rows, NOT keeps %d", tc.f, len(got), len(want))
			}
		}
	}
}

func scanIDs(t *testing.T, tbl *Table, filter *bexpr) []int64 {
	t.Helper()
	sr, err := newScan(context.Background(), tbl, ScanSpec{Columns: []string{"id"}}, filter)
	if err != nil {
		t.Fatal(err)
	}
	var out []int64
	for _, r := range drain(t, sr) {
		out = append(out, r[0].(int64))
	}
	return out
}

// TestScanReleasesMemory: a scan read to the end, or released after its
// first batch, with or without a limit, leaves nothing allocated, whatever
// the columns' encodings.
func TestScanReleasesMemory(t *testing.T) {
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "n", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	for i := range 20000 {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		if i%9 == 0 {
			b.Field(1).AppendNull()
		} else {
			b.Field(1).(*array.Int32Builder).Append(int32(i / 7))
		}
		b.Field(2).(*array.StringBuilder).Append(fS(i % 300))
	}
	rec := b.NewRecordBatch()
	b.Release()
	defer rec.Release()
	tables := map[string]*Table{
		"plain": writeTableKV(t, "t", rec, 4000, 1<<10, false, nil),
		"delta and dictionary": writeTableKV(t, "t", rec, 4000, 1<<10, true, nil,
			parquet.WithEncodingFor("id", parquet.Encodings.DeltaBinaryPacked),
			parquet.WithEncodingFor("n", parquet.Encodings.DeltaBinaryPacked)),
	}
	for name, tbl := range tables {
		for _, f := range []Expr{nil, Gt(Col("n"), Lit(100)), Lt(Col("id"), Lit(9000))} {
			for _, early := range []bool{false, true} {
				for _, limit := range []int64{0, 5} {
					mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
					rr, err := Scan(context.Background(), tbl, ScanSpec{Filter: f, BatchSize: 1000, Limit: limit, Mem: mem})
					if err != nil {
						t.Fatal(err)
					}
					for rr.Next() {
						if early {
							break
						}
					}
					rr.Release()
					if n := mem.CurrentAlloc(); n != 0 {
						t.Errorf("%s, filter %v, limit %d, released early %v: %d bytes still allocated", name, f, limit, early, n)
					}
				}
			}
		}
	}
}
