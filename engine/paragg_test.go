package engine

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/snapdb/snapdb/engine/sqlparse"
)

// aggRow is one row of the partial-aggregation fixture; nil fields are
// NULL.
type aggRow struct {
	k    *string
	v    *int64
	d    *int64 // cents of a DECIMAL(12,2)
	f    *float64
	s    *string
	flag *bool
}

// aggFixture writes rows as table t in row groups of rgRows rows.
func aggFixture(t *testing.T, rows []aggRow, rgRows int64) MapCatalog {
	t.Helper()
	return aggFixtureDict(t, rows, rgRows, false)
}

// aggFixtureDict is aggFixture with dictionary encoding on or off.
func aggFixtureDict(t *testing.T, rows []aggRow, rgRows int64, dict bool) MapCatalog {
	t.Helper()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "k", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "v", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "d", Type: &arrow.Decimal128Type{Precision: 12, Scale: 2}, Nullable: true},
		{Name: "f", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "flag", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for _, r := range rows {
		appendPtr(b.Field(0), r.k, func(x string) { b.Field(0).(*array.StringBuilder).Append(x) })
		appendPtr(b.Field(1), r.v, func(x int64) { b.Field(1).(*array.Int64Builder).Append(x) })
		appendPtr(b.Field(2), r.d, func(x int64) { b.Field(2).(*array.Decimal128Builder).Append(decimal128.FromI64(x)) })
		appendPtr(b.Field(3), r.f, func(x float64) { b.Field(3).(*array.Float64Builder).Append(x) })
		appendPtr(b.Field(4), r.s, func(x string) { b.Field(4).(*array.StringBuilder).Append(x) })
		appendPtr(b.Field(5), r.flag, func(x bool) { b.Field(5).(*array.BooleanBuilder).Append(x) })
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	return MapCatalog{"t": writeTableDict(t, "t", rec, rgRows, 1<<10, dict)}
}

func appendPtr[T any](b array.Builder, p *T, app func(T)) {
	if p == nil {
		b.AppendNull()
		return
	}
	app(*p)
}

func ptr[T any](x T) *T { return &x }

// randomAggRows makes n rows over a few keys (and NULL keys), with NULLs
// in every column and values that repeat, so that DISTINCT matters.
func randomAggRows(n int, seed uint64) []aggRow {
	r := rand.New(rand.NewPCG(seed, 1))
	keys := []string{"chr1", "chr2", "chrX", "chrY", "chrM"}
	words := []string{"alpha", "beta", "gamma", "delta", "", "Zeta", "ωμέγα"}
	rows := make([]aggRow, n)
	for i := range rows {
		var row aggRow
		if r.IntN(10) > 0 {
			row.k = ptr(keys[r.IntN(len(keys))])
		}
		if r.IntN(8) > 0 {
			row.v = ptr(r.Int64N(50) - 25)
		}
		if r.IntN(6) > 0 {
			row.d = ptr(r.Int64N(100000) - 50000)
		}
		if r.IntN(7) > 0 {
			row.f = ptr(float64(r.IntN(4000)-2000) / 4) // exact in any order of summing
		}
		if r.IntN(5) > 0 {
			row.s = ptr(words[r.IntN(len(words))] + fmt.Sprint(r.IntN(30)))
		}
		if r.IntN(4) > 0 {
			row.flag = ptr(r.IntN(2) == 0)
		}
		rows[i] = row
	}
	return rows
}

// refGroup is the expected result of one group, computed directly.
type refGroup struct {
	key                  *string
	n, nv                int64
	distinctV, distinctD map[int64]bool
	sumV, sumD           int64
	nd                   int64
	minS, maxS           *string
	minF, maxF           *float64
	sumF                 float64
	nf                   int64
	minV, maxV           *int64
	ns                   int64
	anyFlag              bool
	maxFlag              bool
}

func refAggregate(rows []aggRow) []*refGroup {
	var order []*refGroup
	byKey := map[string]*refGroup{}
	for _, r := range rows {
		name := "\x00null"
		if r.k != nil {
			name = *r.k
		}
		g := byKey[name]
		if g == nil {
			g = &refGroup{key: r.k, distinctV: map[int64]bool{}, distinctD: map[int64]bool{}}
			byKey[name] = g
			order = append(order, g)
		}
		g.n++
		if r.v != nil {
			g.nv++
			g.sumV += *r.v
			g.distinctV[*r.v] = true
			if g.minV == nil || *r.v < *g.minV {
				g.minV = ptr(*r.v)
			}
			if g.maxV == nil || *r.v > *g.maxV {
				g.maxV = ptr(*r.v)
			}
		}
		if r.d != nil {
			g.nd++
			g.sumD += *r.d
			g.distinctD[*r.d] = true
		}
		if r.f != nil {
			g.nf++
			g.sumF += *r.f
			if g.minF == nil || *r.f < *g.minF {
				g.minF = ptr(*r.f)
			}
			if g.maxF == nil || *r.f > *g.maxF {
				g.maxF = ptr(*r.f)
			}
		}
		if r.s != nil {
			g.ns++
			if g.minS == nil || *r.s < *g.minS {
				g.minS = ptr(*r.s)
			}
			if g.maxS == nil || *r.s > *g.maxS {
				g.maxS = ptr(*r.s)
			}
		}
		if r.flag != nil {
			g.maxFlag = g.maxFlag || *r.flag
			g.anyFlag = true
		}
	}
	return order
}

const refAggSQL = "SELECT k, count(*), count(v), count(DISTINCT v), sum(v), sum(d), avg(d), sum(DISTINCT d), " +
	"min(s), max(s), min(f), max(f), sum(f), avg(f), max(flag) FROM t GROUP BY k"

// String formats a refGroup as str formats refAggSQL's row.
func (g *refGroup) String() string {
	orNull := func(ok bool, v any) string {
		if !ok {
			return "NULL"
		}
		return fmt.Sprint(v)
	}
	cents := func(c int64) string {
		sign := ""
		if c < 0 {
			sign, c = "-", -c
		}
		return fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)
	}
	var sumDistinctD int64
	for d := range g.distinctD {
		sumDistinctD += d
	}
	deref := func(p any) string {
		switch p := p.(type) {
		case *string:
			if p != nil {
				return *p
			}
		case *float64:
			if p != nil {
				return fmt.Sprint(*p)
			}
		}
		return "NULL"
	}
	return strings.Join([]string{
		deref(g.key),
		fmt.Sprint(g.n), fmt.Sprint(g.nv), fmt.Sprint(len(g.distinctV)),
		orNull(g.nv > 0, g.sumV),
		orNull(g.nd > 0, cents(g.sumD)),
		orNull(g.nd > 0, float64(g.sumD)/100/float64(g.nd)),
		orNull(g.nd > 0, cents(sumDistinctD)),
		deref(g.minS), deref(g.maxS), deref(g.minF), deref(g.maxF),
		orNull(g.nf > 0, g.sumF),
		orNull(g.nf > 0, g.sumF/float64(g.nf)),
		orNull(g.anyFlag, g.maxFlag),
	}, "|") + "\n"
}

// TestPartialAggregation checks a GROUP BY over many row groups, run by
// 1 to 5 workers, against the same aggregation computed directly: NULL
// keys, DISTINCT across workers, decimal sums and averages, and groups in
// the order of their first row.
func TestPartialAggregation(t *testing.T) {
	rows := randomAggRows(3000, 7)
	var want strings.Builder
	for _, g := range refAggregate(rows) {
		want.WriteString(g.String())
	}
	for _, dict := range []bool{false, true} {
		cat := aggFixtureDict(t, rows, 97, dict)
		if dict {
			// The key is read as a dictionary.
			ag := &aggPlan{groups: []*bexpr{{op: "col", col: 0, t: tStr}}}
			p, err := cat["t"].planScan(ScanSpec{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := dictKeyLeaves(p, ag, false); len(got) != 1 {
				t.Fatalf("dictKeyLeaves = %v, want the key's column", got)
			}
		}
		for par := 1; par <= 5; par++ {
			rr, err := Query(context.Background(), cat, refAggSQL, nil, &QueryOptions{Parallelism: par, BatchSize: 40})
			if err != nil {
				t.Fatal(err)
			}
			if got := str(drain(t, rr)); got != want.String() {
				t.Errorf("dictionary %v, parallelism %d:\n got %s\nwant %s", dict, par, got, want.String())
			}
		}
	}
}

// TestPartialAggregationEdges covers inputs with no rows: an empty table,
// a filter that prunes every row group, one that keeps rows in few of
// them, and a global aggregate (one group with no key).
func TestPartialAggregationEdges(t *testing.T) {
	rows := randomAggRows(1000, 3)
	for i := range rows {
		rows[i].v = ptr(int64(i)) // sorted, so that row groups prune
	}
	cat := aggFixture(t, rows, 50)
	empty := aggFixture(t, nil, 50)
	for _, tc := range []struct {
		cat       MapCatalog
		sql, want string
	}{
		{empty, "SELECT count(*), count(v), sum(v), sum(d), avg(f), min(s), count(DISTINCT s) FROM t", "0|0|NULL|NULL|NULL|NULL|0\n"},
		{empty, "SELECT k, count(*) FROM t GROUP BY k", ""},
		{cat, "SELECT count(*), sum(v), min(s), count(DISTINCT k) FROM t WHERE v > 5000", "0|NULL|NULL|0\n"},
		{cat, "SELECT k, count(*) FROM t WHERE v > 5000 GROUP BY k", ""},
		{cat, "SELECT count(*), sum(v), min(v), max(v), count(DISTINCT v % 7) FROM t WHERE v BETWEEN 120 AND 879", "760|379620|120|879|7\n"},
		{cat, "SELECT count(*), sum(v), count(DISTINCT v) FROM t", "1000|499500|1000\n"},
		{cat, "SELECT v % 3, count(*) FROM t WHERE v >= 990 GROUP BY v % 3", "0|4\n1|3\n2|3\n"},
	} {
		for _, par := range []int{1, 3} {
			rr, err := Query(context.Background(), tc.cat, tc.sql, nil, &QueryOptions{Parallelism: par})
			if err != nil {
				t.Fatalf("%s: %v", tc.sql, err)
			}
			if got := str(drain(t, rr)); got != tc.want {
				t.Errorf("%s (parallelism %d):\n got %q\nwant %q", tc.sql, par, got, tc.want)
			}
		}
	}
}

const colAggSQL = "SELECT k, count(*), count(v), sum(v), avg(v), min(v), max(v), sum(f), avg(f), min(f), max(f), " +
	"count(s), min(s), max(s) FROM t GROUP BY k"

// columnwise formats a refGroup as str formats colAggSQL's row.
func (g *refGroup) columnwise() string {
	orNull := func(ok bool, v any) string {
		if !ok {
			return "NULL"
		}
		return fmt.Sprint(v)
	}
	deref := func(p any) string {
		switch p := p.(type) {
		case *string:
			if p != nil {
				return *p
			}
		case *float64:
			if p != nil {
				return fmt.Sprint(*p)
			}
		case *int64:
			if p != nil {
				return fmt.Sprint(*p)
			}
		}
		return "NULL"
	}
	return strings.Join([]string{
		deref(g.key), fmt.Sprint(g.n), fmt.Sprint(g.nv),
		orNull(g.nv > 0, g.sumV), orNull(g.nv > 0, float64(g.sumV)/float64(g.nv)),
		deref(g.minV), deref(g.maxV),
		orNull(g.nf > 0, g.sumF), orNull(g.nf > 0, g.sumF/float64(g.nf)),
		deref(g.minF), deref(g.maxF),
		fmt.Sprint(g.ns), deref(g.minS), deref(g.maxS),
	}, "|") + "\n"
}

// TestColumnwiseAggregation checks the column-at-a-time aggregation (and
// that it is the one used) against the aggregation computed directly,
// with and without dictionary encoding, keyed by a column, by an
// expression and by nothing.
func TestColumnwiseAggregation(t *testing.T) {
	rows := randomAggRows(3000, 11)
	var want strings.Builder
	for _, g := range refAggregate(rows) {
		want.WriteString(g.columnwise())
	}
	// By an expression: v % 3, and max(s).
	var byExpr strings.Builder
	{
		seen := map[string]bool{}
		var order []string
		maxS := map[string]*string{}
		count := map[string]int{}
		for _, r := range rows {
			k := "NULL"
			if r.v != nil {
				k = fmt.Sprint(*r.v % 3)
			}
			if !seen[k] {
				seen[k] = true
				order = append(order, k)
			}
			count[k]++
			if r.s != nil && (maxS[k] == nil || *r.s > *maxS[k]) {
				maxS[k] = r.s
			}
		}
		for _, k := range order {
			m := "NULL"
			if maxS[k] != nil {
				m = *maxS[k]
			}
			fmt.Fprintf(&byExpr, "%s|%d|%s\n", k, count[k], m)
		}
	}
	var nv, sumV int64
	for _, r := range rows {
		if r.v != nil {
			nv++
			sumV += *r.v
		}
	}
	// Filtered: f > 0, and s < 'c' with no key.
	var wantF strings.Builder
	var kept []aggRow
	var nS, sumS int64
	for _, r := range rows {
		if r.f != nil && *r.f > 0 {
			kept = append(kept, r)
		}
		if r.s != nil && *r.s < "c" {
			nS++
			if r.v != nil {
				sumS += *r.v
			}
		}
	}
	for _, g := range refAggregate(kept) {
		wantF.WriteString(g.columnwise())
	}
	// Filtered on the key itself.
	var wantK strings.Builder
	kept = nil
	for _, r := range rows {
		if r.k != nil && *r.k > "chr2" {
			kept = append(kept, r)
		}
	}
	for _, g := range refAggregate(kept) {
		wantK.WriteString(g.columnwise())
	}
	for _, dict := range []bool{false, true} {
		cat := aggFixtureDict(t, rows, 97, dict)
		for _, tc := range []struct{ sql, want string }{
			{colAggSQL, want.String()},
			{strings.Replace(colAggSQL, " GROUP BY", " WHERE f > 0 GROUP BY", 1), wantF.String()},
			{strings.Replace(colAggSQL, " GROUP BY", " WHERE k > 'chr2' GROUP BY", 1), wantK.String()},
			{"SELECT count(*), sum(v) FROM t WHERE s < 'c'", fmt.Sprintf("%d|%d\n", nS, sumS)},
			{"SELECT count(*), sum(v), max(s) FROM t WHERE s > 'ωωω'", "0|NULL|NULL\n"},
			{"SELECT k, count(*) FROM t WHERE s > 'ωωω' GROUP BY k", ""},
			{"SELECT count(*), sum(v), max(s) FROM t WHERE length(s) > 50", "0|NULL|NULL\n"},
			{"SELECT k, count(*) FROM t WHERE length(s) > 50 GROUP BY k", ""},
			{"SELECT count(*), count(v), sum(v) FROM t", fmt.Sprintf("3000|%d|%d\n", nv, sumV)},
			{"SELECT v % 3, count(*), max(s) FROM t GROUP BY v % 3", byExpr.String()},
		} {
			if it := scanAggOf(t, cat, tc.sql); it == nil {
				t.Errorf("%s: not a scan aggregation", tc.sql)
			} else if _, _, ok := columnwisePlan(it.p, it.plan); !ok {
				t.Errorf("%s: not aggregated column at a time", tc.sql)
			}
			for _, par := range []int{1, 3} {
				rr, err := Query(context.Background(), cat, tc.sql, nil, &QueryOptions{Parallelism: par, BatchSize: 40})
				if err != nil {
					t.Fatal(err)
				}
				if got := str(drain(t, rr)); got != tc.want {
					t.Errorf("%s (dictionary %v, parallelism %d):\n got %s\nwant %s", tc.sql, dict, par, got, tc.want)
				}
			}
		}
	}
}

// scanAggOf plans sql and returns its scan aggregation, or nil.
func scanAggOf(t *testing.T, cat Catalog, sql string) *scanAggIter {
	t.Helper()
	stmt, err := sqlparse.Parse(sql)
	if err != nil {
		t.Fatal(err)
	}
	q := &planner{ctx: context.Background(), cat: cat, opts: QueryOptions{Mem: memory.DefaultAllocator}, conv: &converter{}}
	it, _, err := q.plan(stmt)
	if err != nil {
		t.Fatal(err)
	}
	defer it.release()
	if p, ok := it.(*projectIter); ok {
		if a, ok := p.in.(*scanAggIter); ok {
			return a
		}
	}
	return nil
}

// TestMergeStatesEmptyParts merges a global count(*)'s partial states of
// which some saw no rows: all empty gives no group (the caller adds the
// one row of a global aggregate), else the counts add up.
func TestMergeStatesEmptyParts(t *testing.T) {
	mem := memory.DefaultAllocator
	ag := &aggPlan{in: &scope{}, out: &scope{cols: []column{{name: "count_star()", t: tInt}}}}
	ag.aggs = []*aggSpec{{fn: "count", star: true, out: tInt}}
	rows := arrow.NewSchema(nil, nil)
	for _, tc := range []struct {
		counts []int64 // rows seen by each part
		groups int
		want   int64
	}{
		{[]int64{0, 0}, 0, 0},
		{[]int64{0, 3, 0}, 1, 3},
		{[]int64{2, 0, 5}, 1, 7},
	} {
		var parts []*aggState
		for i, n := range tc.counts {
			st := newAggState(ag, mem)
			st.partial = true
			if n > 0 {
				st.base = int64(i) << unitShift
				rec := array.NewRecordBatch(rows, nil, n)
				if err := st.add(rec); err != nil {
					t.Fatal(err)
				}
				rec.Release()
			}
			parts = append(parts, st)
		}
		st, err := mergeStates(ag, mem, parts)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(parts, st) {
			defer st.release()
		}
		if st.ngroups != tc.groups {
			t.Errorf("merge of %v: %d groups, want %d", tc.counts, st.ngroups, tc.groups)
		} else if tc.groups == 1 && st.accs[0].count[0] != tc.want {
			t.Errorf("merge of %v: count %d, want %d", tc.counts, st.accs[0].count[0], tc.want)
		}
		for _, p := range parts {
			p.release()
		}
	}
}

// TestMergeStatesOrder merges partial states of an integer-keyed count(*)
// whose groups overlap: groups come out in the order of their first
// rows, with their counts added up.
func TestMergeStatesOrder(t *testing.T) {
	mem := memory.DefaultAllocator
	ag := &aggPlan{in: &scope{}, out: &scope{cols: []column{{name: "k", t: tInt}, {name: "n", t: tInt}}}}
	ag.groups = []*bexpr{{op: "col", col: 0, t: tInt}}
	ag.aggs = []*aggSpec{{fn: "count", star: true, out: tInt}}
	schema := arrow.NewSchema([]arrow.Field{{Name: "k", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)
	feed := func(st *aggState, base int64, keys ...any) {
		b := array.NewInt64Builder(mem)
		defer b.Release()
		for _, k := range keys {
			if k == nil {
				b.AppendNull()
			} else {
				b.Append(int64(k.(int)))
			}
		}
		col := b.NewArray()
		defer col.Release()
		rec := array.NewRecordBatch(schema, []arrow.Array{col}, int64(col.Len()))
		defer rec.Release()
		st.base = base
		if err := st.add(rec); err != nil {
			t.Fatal(err)
		}
	}
	a, b := newAggState(ag, mem), newAggState(ag, mem)
	defer a.release()
	defer b.release()
	feed(a, 10, 5, 7, 5)       // rows 10-12
	feed(b, 0, 7, nil, 3, nil) // rows 0-3
	feed(b, 100, 9, 7)         // rows 100-101
	st, err := mergeStates(ag, mem, []*aggState{a, b})
	if err != nil {
		t.Fatal(err)
	}
	defer st.release()
	rec, err := st.result()
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	var got []string
	for r := 0; r < int(rec.NumRows()); r++ {
		got = append(got, rec.Column(0).ValueStr(r)+":"+rec.Column(1).ValueStr(r))
	}
	want := []string{"7:3", "(null):2", "3:1", "5:2", "9:1"}
	if !slices.Equal(got, want) {
		t.Errorf("merged groups = %v, want %v", got, want)
	}
}

// TestMergeStatesManyGroups merges parts with tens of thousands of
// overlapping groups (several hash partitions), keyed by an integer and
// by a string: each key once, in the order of its first row, counts
// added up.
func TestMergeStatesManyGroups(t *testing.T) {
	mem := memory.DefaultAllocator
	for _, tk := range []typ{tInt, tStr} {
		ag := &aggPlan{in: &scope{}, out: &scope{cols: []column{{name: "k", t: tk}, {name: "n", t: tInt}}}}
		ag.groups = []*bexpr{{op: "col", col: 0, t: tk}}
		ag.aggs = []*aggSpec{{fn: "count", star: true, out: tInt}}
		schema := arrow.NewSchema([]arrow.Field{{Name: "k", Type: tk.arrow(), Nullable: true}}, nil)
		feed := func(st *aggState, base int64, lo, hi int) {
			b := array.NewBuilder(mem, tk.arrow())
			defer b.Release()
			for k := lo; k < hi; k++ {
				switch {
				case k%1000 == 999:
					b.AppendNull()
				case tk.k == kInt:
					b.(*array.Int64Builder).Append(int64(k))
				default:
					b.(*array.StringBuilder).Append(fmt.Sprint("k", k))
				}
			}
			col := b.NewArray()
			defer col.Release()
			rec := array.NewRecordBatch(schema, []arrow.Array{col}, int64(col.Len()))
			defer rec.Release()
			st.base = base
			if err := st.add(rec); err != nil {
				t.Fatal(err)
			}
		}
		a, b := newAggState(ag, mem), newAggState(ag, mem)
		feed(a, 0, 0, 50_000)            // keys 0-49999 at rows 0-49999
		feed(b, 60_000, 25_000, 75_000)  // keys 25000-74999 at rows 60000-109999
		feed(a, 200_000, 74_000, 80_000) // keys 74000-79999 at rows 200000-205999
		st, err := mergeStates(ag, mem, []*aggState{a, b})
		if err != nil {
			t.Fatal(err)
		}
		rec, err := st.result()
		if err != nil {
			t.Fatal(err)
		}
		// Keys 0-79999 in order but for the NULLs, which come where the
		// first one is (after key 998); then counts: 2 for keys fed twice.
		want := []string{}
		for k := 0; k < 80_000; k++ {
			switch {
			case k == 999:
				want = append(want, "(null)") // its count is checked below
			case k%1000 == 999:
			case tk.k == kInt:
				want = append(want, fmt.Sprint(k))
			default:
				want = append(want, fmt.Sprint("k", k))
			}
		}
		if int(rec.NumRows()) != len(want) {
			t.Fatalf("%s keys: %d groups, want %d", tk, rec.NumRows(), len(want))
		}
		nulls := 0
		for r := range want {
			key := rec.Column(0).ValueStr(r)
			n := rec.Column(1).(*array.Int64).Value(r)
			if key != want[r] {
				t.Fatalf("%s keys: group %d is %s, want %s", tk, r, key, want[r])
			}
			wantN := int64(1)
			if key == "(null)" {
				nulls = int(n)
				continue
			}
			var k int
			fmt.Sscan(strings.TrimPrefix(key, "k"), &k)
			if k >= 25_000 && k < 50_000 || k >= 74_000 && k < 75_000 {
				wantN = 2
			}
			if n != wantN {
				t.Errorf("%s keys: count of %s = %d, want %d", tk, key, n, wantN)
			}
		}
		if nulls != 50+50+6 {
			t.Errorf("%s keys: count of NULL = %d, want 106", tk, nulls)
		}
		rec.Release()
		st.release()
		a.release()
		b.release()
	}
}

// TestAggregationReleasesMemory runs aggregations of each kind (column at
// a time, batch at a time, dictionary keys, DISTINCT, an error) with a
// checked allocator: every byte they allocated is freed once the reader
// is released.
func TestAggregationReleasesMemory(t *testing.T) {
	rows := randomAggRows(2000, 5)
	for _, dict := range []bool{false, true} {
		cat := aggFixtureDict(t, rows, 97, dict)
		for _, tc := range []struct {
			sql     string
			failing bool
		}{
			{colAggSQL, false},
			{refAggSQL, false},
			{"SELECT count(*), sum(v), max(s) FROM t", false},
			{"SELECT v % 3, count(*), max(s) FROM t GROUP BY v % 3", false},
			{"SELECT k, sum(v) FROM t WHERE f > 0 GROUP BY k", false},
			{"SELECT k, sum(v * 9223372036854775807) FROM t GROUP BY k", true}, // BIGINT overflow
		} {
			sql := tc.sql
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			rr, err := Query(context.Background(), cat, sql, nil, &QueryOptions{Parallelism: 3, Mem: mem})
			if err != nil {
				t.Fatal(err)
			}
			for rr.Next() {
			}
			if failed := rr.Err() != nil; failed != tc.failing {
				t.Errorf("%s: error %v, want one: %v", sql, rr.Err(), tc.failing)
			}
			rr.Release()
			if got := mem.CurrentAlloc(); got != 0 {
				t.Errorf("%s (dictionary %v): %d bytes still allocated after Release", sql, dict, got)
			}
		}
	}
}
