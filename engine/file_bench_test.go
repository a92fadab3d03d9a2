package engine

import (
	"context"
	"os"
	"testing"

	"github.com/apache/arrow-go/v18/parquet/file"
)

// BenchmarkFileQuery runs SNAPDB_ENGINE_BENCH_SQL (a GROUP BY by default)
// over the Parquet file SNAPDB_ENGINE_BENCH_FILE as table genes, for
// profiling the engine on a real file (bench-engine.sh's, say) without
// the snapshot layer:
//
//	SNAPDB_ENGINE_BENCH_FILE=/tmp/w/genes-10000000/genes.parquet \
//	  go test -run '^$' -bench FileQuery -cpuprofile cpu.out ./engine/
func BenchmarkFileQuery(b *testing.B) {
	path := os.Getenv("SNAPDB_ENGINE_BENCH_FILE")
	if path == "" {
		b.Skip("SNAPDB_ENGINE_BENCH_FILE is not set")
	}
	sql := os.Getenv("SNAPDB_ENGINE_BENCH_SQL")
	if sql == "" {
		sql = "SELECT chrom, count(*), count(symbol), min(id), max(start), sum(start), avg(score), min(name), max(symbol) FROM genes GROUP BY chrom"
	}
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	pr, err := file.NewParquetReader(f)
	if err != nil {
		b.Fatal(err)
	}
	tbl, err := NewTable("genes", f, pr.MetaData(), nil)
	if err != nil {
		b.Fatal(err)
	}
	cat := MapCatalog{"genes": tbl}
	var rows int64
	for b.Loop() {
		rr, err := Query(context.Background(), cat, sql, nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		rows = 0
		for rr.Next() {
			rows += rr.RecordBatch().NumRows()
		}
		if err := rr.Err(); err != nil {
			b.Fatal(err)
		}
		rr.Release()
	}
	b.ReportMetric(float64(rows), "rows")
}
