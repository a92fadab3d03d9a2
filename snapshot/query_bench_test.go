package snapshot_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/snapdb/snapdb/internal/benchdata"
	"github.com/snapdb/snapdb/snapshot"
)

// BenchmarkQuery runs the engine benchmark's five queries (see
// scripts/bench-engine.sh, which puts DuckDB beside them) on a zstd gene
// table of SNAPDB_BENCH_ROWS rows (10M by default), draining every result.
func BenchmarkQuery(b *testing.B) {
	rows := benchRows()
	dir := filepath.Join(b.TempDir(), "genes")
	w, err := snapshot.Create(dir, nil)
	if err != nil {
		b.Fatal(err)
	}
	rr := benchdata.Genes(nil, rows, 64*1024, 1)
	if err := w.WriteTable(context.Background(), "genes", rr); err != nil {
		b.Fatal(err)
	}
	rr.Release()
	if _, err := w.Commit(); err != nil {
		b.Fatal(err)
	}
	db, err := snapshot.Open(dir, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	mid := rows / 2
	for _, q := range []struct {
		name string
		sql  string
		args []any
	}{
		{"between", "SELECT * FROM genes WHERE id BETWEEN $1 AND $2", []any{mid, mid + 1000}},
		{"project2", "SELECT id, score FROM genes", nil},
		{"all", "SELECT * FROM genes", nil},
		{"groupby", "SELECT chrom, count(*), count(symbol), min(id), max(start), sum(start), avg(score), min(name), max(symbol) FROM genes GROUP BY chrom", nil},
		{"count", "SELECT count(*) FROM genes", nil},
	} {
		b.Run(q.name, func(b *testing.B) {
			var n int64
			for b.Loop() {
				rr, err := db.Query(context.Background(), q.sql, q.args...)
				if err != nil {
					b.Fatal(err)
				}
				n = 0
				for rr.Next() {
					n += rr.RecordBatch().NumRows()
				}
				if err := rr.Err(); err != nil {
					b.Fatal(err)
				}
				rr.Release()
			}
			b.ReportMetric(float64(n), "rows")
		})
	}
}
