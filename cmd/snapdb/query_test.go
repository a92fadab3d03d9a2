package main

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
)

func TestQueryFormats(t *testing.T) {
	dir, _ := makeDemo(t)
	db := openDB(t, dir)
	genes := db.Info().Tables
	var geneRows int64
	for _, tb := range genes {
		if tb.Name == "genes" {
			geneRows = tb.Rows
		}
	}
	const sql = "SELECT chrom, count(*) AS n FROM genes GROUP BY chrom ORDER BY n DESC, chrom"

	// table: aligned, with a row count, capped by --max-rows.
	code, out, errs := cli(t, "query", dir, sql, "--max-rows", "3")
	if code != exitOK {
		t.Fatalf("query: exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[0], "chrom") || !strings.Contains(lines[4], "3 of ") {
		t.Fatalf("table output:\n%s", out)
	}

	// csv: header plus one line per chromosome, counts summing to the table.
	code, out, errs = cli(t, "query", dir, sql, "--format", "csv")
	if code != exitOK {
		t.Fatalf("csv: exit %d: %s", code, errs)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	sum := int64(0)
	for _, r := range recs[1:] {
		n, _ := strconv.ParseInt(r[1], 10, 64)
		sum += n
	}
	if recs[0][0] != "chrom" || recs[0][1] != "n" || sum != geneRows {
		t.Fatalf("csv: header %v, counts sum to %d, want %d", recs[0], sum, geneRows)
	}

	// --json: one document.
	code, out, _ = cli(t, "query", dir, "SELECT symbol, score FROM genes WHERE symbol = $1", "--param", "BRCA2", "--json")
	var doc struct {
		Columns []struct{ Name, Type string }
		Rows    []map[string]any
		Count   int `json:"row_count"`
	}
	decodeJSON(t, "query --json", out, &doc)
	if code != exitOK || doc.Count != 1 || doc.Rows[0]["symbol"] != "BRCA2" || len(doc.Columns) != 2 || doc.Columns[1].Type != "float64" {
		t.Fatalf("query --json: exit %d, %+v", code, doc)
	}

	// json lines.
	code, out, _ = cli(t, "query", dir, "SELECT entity_id FROM genes ORDER BY entity_id LIMIT 2", "--format", "json")
	if code != exitOK || strings.Count(out, "\n") != 2 || !strings.HasPrefix(out, `{"entity_id":`) {
		t.Fatalf("json lines: exit %d\n%s", code, out)
	}

	// arrow and parquet to files: readable, with every row.
	arrowPath := filepath.Join(t.TempDir(), "r.arrow")
	if code, _, errs := cli(t, "query", dir, "SELECT * FROM genes", "--format", "arrow", "-o", arrowPath); code != exitOK {
		t.Fatalf("arrow: %s", errs)
	}
	b, err := os.ReadFile(arrowPath)
	if err != nil {
		t.Fatal(err)
	}
	ir, err := ipc.NewReader(bytes.NewReader(b), ipc.WithAllocator(memory.DefaultAllocator))
	if err != nil {
		t.Fatal(err)
	}
	rows := int64(0)
	for ir.Next() {
		rows += ir.RecordBatch().NumRows()
	}
	ir.Release()
	if rows != geneRows {
		t.Fatalf("arrow file holds %d rows, want %d", rows, geneRows)
	}
	pqPath := filepath.Join(t.TempDir(), "r.parquet")
	if code, _, errs := cli(t, "query", dir, "SELECT entity_id, score FROM genes", "--format", "parquet", "--output", pqPath); code != exitOK {
		t.Fatalf("parquet: %s", errs)
	}
	pr, err := file.OpenParquetFile(pqPath, false)
	if err != nil {
		t.Fatal(err)
	}
	if pr.NumRows() != geneRows || pr.MetaData().Schema.NumColumns() != 2 {
		t.Fatalf("parquet file: %d rows, %d columns", pr.NumRows(), pr.MetaData().Schema.NumColumns())
	}
	pr.Close()
}

func TestQueryErrorsCLI(t *testing.T) {
	dir, _ := makeDemo(t)
	out := filepath.Join(t.TempDir(), "keep.csv")
	if err := os.WriteFile(out, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"SELECT symbol FORM genes"}, exitUsage, `syntax error at 1:15 near "FORM"`},
		{[]string{"SELECT nope FROM genes"}, exitUsage, "unknown column nope (columns: entity_id, symbol"},
		{[]string{"SELECT * FROM nope"}, exitUsage, `unknown table "nope" (tables: chemicals, diseases`},
		{[]string{"INSERT INTO genes VALUES (1)"}, exitIO, "INSERT is not allowed: a snapshot is read-only"},
		{[]string{"SELECT 1", "--format", "xml"}, exitUsage, `--format "xml"`},
		{[]string{"SELECT symbol FROM genes WHERE entity_id = $1"}, exitUsage, "1 parameters, 0 values"},
		{[]string{"SELECT CAST(symbol AS BIGINT) FROM genes", "--format", "csv", "-o", out}, exitIO, "could not convert"},
	} {
		code, _, errs := cli(t, append([]string{"query", dir}, tc.args...)...)
		if code != tc.code || !strings.Contains(errs, tc.msg) {
			t.Errorf("query %q: exit %d, stderr %q; want exit %d and %q", tc.args, code, errs, tc.code, tc.msg)
		}
	}
	if b, _ := os.ReadFile(out); string(b) != "old" {
		t.Errorf("a failed query replaced --output: %q", b)
	}
	if m, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".*")); len(m) != 0 {
		t.Errorf("a failed query left %v", m)
	}
}

func TestDemoRunsQueries(t *testing.T) {
	_, out := makeDemo(t, "--json")
	var res demoResult
	decodeJSON(t, "demo --json", out, &res)
	if len(res.Queries) != len(demoQueries) {
		t.Fatalf("demo ran %d queries, want %d", len(res.Queries), len(demoQueries))
	}
	for _, q := range res.Queries {
		if len(q.Rows) == 0 || len(q.Columns) < 3 {
			t.Errorf("demo query %q: %d rows, columns %v", q.Title, len(q.Rows), q.Columns)
		}
	}
}

func TestParseParam(t *testing.T) {
	for in, want := range map[string]any{
		"42": int64(42), "-1.5": -1.5, "true": true, "NULL": nil, "BRCA2": "BRCA2",
		"'42'": "42", "'true'": "true", "''": "", "'O''Brien'": "O'Brien", "'": "'",
	} {
		if got := parseParam(in); got != want {
			t.Errorf("parseParam(%q) = %#v, want %#v", in, got, want)
		}
	}
}
