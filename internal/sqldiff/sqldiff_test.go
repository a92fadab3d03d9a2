package sqldiff

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/snapdb/snapdb/engine/sqlparse"
	"github.com/snapdb/snapdb/snapshot"
)

// Seed is the data and query seed of the tests.
const Seed = 20261101

// needPython returns a Python with DuckDB, or skips (SNAPDB_SKIP_DUCKDB=1)
// or fails with how to install one.
func needPython(t testing.TB) string {
	t.Helper()
	if os.Getenv("SNAPDB_SKIP_DUCKDB") == "1" {
		t.Skip("SNAPDB_SKIP_DUCKDB=1")
	}
	py, err := FindPython()
	if err != nil {
		t.Fatal(err)
	}
	return py
}

// queryCount is SNAPDB_SQLDIFF_QUERIES, or DefaultQueries.
func queryCount(t testing.TB) int {
	if s := os.Getenv("SNAPDB_SQLDIFF_QUERIES"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			t.Fatalf("SNAPDB_SQLDIFF_QUERIES=%q: want a positive number", s)
		}
		return n
	}
	return DefaultQueries
}

// fixture writes the dataset as a snapshot in a temporary directory.
func fixture(t testing.TB) (*Dataset, string, map[string]string) {
	t.Helper()
	ds := NewDataset(Seed)
	path := filepath.Join(t.TempDir(), "snap")
	files, err := ds.WriteSnapshot(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return ds, path, files
}

// TestGeneratedQueriesOnDuckDB validates the generator, the data and the
// runner without our engine: every query runs on DuckDB, at least 95% of
// those not meant to fail succeed, every one meant to fail fails, and the
// anchors give what the data says they must.
func TestGeneratedQueriesOnDuckDB(t *testing.T) {
	py := needPython(t)
	ds, _, files := fixture(t)
	qs := Generate(ds, Seed, queryCount(t))
	run, err := RunDuckDB(context.Background(), py, files, qs)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("DuckDB %s, %d queries", run.Version, len(qs))
	ok, bad := 0, 0
	for i, q := range qs {
		res := run.Results[i]
		switch {
		case q.ExpectError && res.Error == "":
			t.Errorf("%s: DuckDB accepted a statement both engines must refuse:\n  %s", q.Name, q.DuckSQL)
		case q.ExpectError:
		case res.Error != "":
			bad++
			t.Logf("%s: DuckDB error: %s\n  %s", q.Name, firstLine(res.Error), q.DuckSQL)
		default:
			ok++
		}
	}
	if ok+bad < 500 {
		t.Errorf("%d queries meant to succeed, want ≥ 500", ok+bad)
	}
	if bad*20 > ok+bad {
		t.Errorf("%d of %d queries fail on DuckDB, want ≤ 5%%", bad, ok+bad)
	}
	for i, a := range Anchors {
		q, res := qs[i], run.Results[i]
		if q.SQL != a.SQL || res.Error != "" {
			t.Errorf("anchor %d (%s): %s", i, a.SQL, res.Error)
			continue
		}
		if d := DiffRows(res.Rows, a.Want(ds), true, false); d != "" {
			t.Errorf("anchor %s: DuckDB disagrees with the data: %s", a.SQL, strings.ReplaceAll(d, "DuckDB", "computed"))
		}
	}
}

// TestCanonicalFormMatchesDuckDB reads every table with snapshot.ReadTable,
// canonicalises it in Go and compares it with DuckDB's SELECT * through
// the runner: the two canonical encoders must agree exactly, type by type.
func TestCanonicalFormMatchesDuckDB(t *testing.T) {
	py := needPython(t)
	ds, path, files := fixture(t)
	db, err := snapshot.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var qs []Query
	for _, tb := range ds.Tables {
		qs = append(qs, Query{Name: tb.Name, DuckSQL: "SELECT * FROM " + tb.Name})
	}
	run, err := RunDuckDB(context.Background(), py, files, qs)
	if err != nil {
		t.Fatal(err)
	}
	for i, tb := range ds.Tables {
		rdr, err := db.ReadTable(context.Background(), tb.Name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		var rows []Row
		for rdr.Next() {
			rows = CanonRecord(rows, rdr.RecordBatch())
		}
		rdr.Release()
		res := run.Results[i]
		if res.Error != "" {
			t.Errorf("%s: %s", tb.Name, res.Error)
			continue
		}
		if len(res.Columns) != len(tb.Cols) {
			t.Errorf("%s: DuckDB has %d columns, want %d", tb.Name, len(res.Columns), len(tb.Cols))
		}
		// Identical values, not Equal's tolerance.
	rows:
		for j := range rows {
			if j >= len(res.Rows) || len(rows[j]) != len(res.Rows[j]) {
				break
			}
			for k := range rows[j] {
				if !Identical(rows[j][k], res.Rows[j][k]) {
					t.Errorf("%s row %d:\n  Go     %s\n  DuckDB %s", tb.Name, j, FormatRow(rows[j]), FormatRow(res.Rows[j]))
					break rows
				}
			}
		}
		if len(rows) != len(res.Rows) {
			t.Errorf("%s: %d rows, DuckDB %d", tb.Name, len(rows), len(res.Rows))
		}
		// And the generated values themselves.
		for j := range min(len(rows), tb.Rows) {
			for k, c := range tb.Cols {
				if !Equal(rows[j][k], canonGo(c, c.Values[j])) {
					t.Errorf("%s row %d column %s: read %v, wrote %v", tb.Name, j, c.Name, rows[j][k], c.Values[j])
				}
			}
		}
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	a := Generate(NewDataset(Seed), Seed, 300)
	b := Generate(NewDataset(Seed), Seed, 300)
	for i := range a {
		if a[i].SQL != b[i].SQL || a[i].DuckSQL != b[i].DuckSQL {
			t.Fatalf("query %d differs between two runs:\n  %s\n  %s", i, a[i].SQL, b[i].SQL)
		}
	}
	kinds := map[string]int{}
	params := 0
	for _, q := range a {
		kinds[q.Kind]++
		if len(q.Args) > 0 {
			params++
			if strings.Contains(q.SQL, "\x00") || strings.Contains(q.DuckSQL, "\x00") ||
				strings.Contains(q.DuckSQL, "$") && !strings.Contains(q.SQL, "'") {
				t.Errorf("%s: markers left: %q / %q", q.Name, q.SQL, q.DuckSQL)
			}
		}
	}
	for _, k := range []string{"select", "aggregate", "group", "join", "distinct", "param", "error", "anchor"} {
		if kinds[k] == 0 {
			t.Errorf("no %s query among 300", k)
		}
	}
	if params == 0 {
		t.Error("no query with parameters")
	}
}

// TestGeneratedQueriesParse: the generator stays inside the subset that
// engine/sqlparse accepts (statements meant to fail may fail anywhere).
func TestGeneratedQueriesParse(t *testing.T) {
	for _, q := range Generate(NewDataset(Seed), Seed, queryCount(t)) {
		if _, err := sqlparse.Parse(q.SQL); err != nil && !q.ExpectError {
			t.Errorf("%s: %v\n  %s", q.Name, err, q.SQL)
		}
	}
}

func TestNormDecimal(t *testing.T) {
	for in, want := range map[string]string{
		"12.3400": "12.34", "-0.0000": "0", "0": "0", "100": "100", "-0.0005": "-0.0005",
		"007.50": "7.5", "+3": "3", "1234567890123456789.0123456789": "1234567890123456789.0123456789",
		".5": "0.5", "-100.000": "-100",
	} {
		if got := NormDecimal(in); got != want {
			t.Errorf("NormDecimal(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEqual(t *testing.T) {
	v := func(s string) Value { return &s }
	for _, c := range []struct {
		a, b Value
		want bool
	}{
		{nil, nil, true},
		{nil, v("n:0"), false},
		{v("n:5"), v("n:5"), true},
		{v("n:5"), v("f:5.0"), true},
		{v("f:0.1"), v("f:0.10000000000000002"), true},
		{v("f:1e15"), v("f:1000000000000000.1"), true},
		{v("f:1.0"), v("f:1.001"), false},
		{v("n:9223372036854775807"), v("n:9223372036854775806"), false},
		{v("s:5"), v("n:5"), false},
		{v("f:nan"), v("f:NaN"), true},
		{v("f:inf"), v("f:-inf"), false},
		{v("D:2020-01-01"), v("T:1577836800000000"), false},
	} {
		if got := Equal(c.a, c.b); got != c.want {
			t.Errorf("Equal(%v, %v) = %v, want %v", FormatRow(Row{c.a}), FormatRow(Row{c.b}), got, c.want)
		}
	}
}

func TestDiffRows(t *testing.T) {
	r := func(vals ...string) Row {
		out := Row{}
		for _, s := range vals {
			if s == "NULL" {
				out = append(out, nil)
			} else {
				out = append(out, val(s))
			}
		}
		return out
	}
	a := []Row{r("n:1", "s:x"), r("n:2", "NULL"), r("n:2", "NULL")}
	b := []Row{r("n:2", "NULL"), r("f:1.0000000000001", "s:x"), r("n:2", "NULL")}
	if d := DiffRows(a, b, false, false); d != "" {
		t.Errorf("as multisets: %s", d)
	}
	if d := DiffRows(a, b, true, false); d == "" {
		t.Error("in order: no difference found")
	}
	if d := DiffRows(a, b[:2], false, true); d == "" {
		t.Error("count only: no difference found")
	}
	c := []Row{r("n:1", "s:x"), r("n:2", "NULL"), r("n:3", "NULL")}
	if d := DiffRows(a, c, false, false); d == "" {
		t.Error("different multisets: no difference found")
	}
}
