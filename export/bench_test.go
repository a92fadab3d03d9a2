package export_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/snapdb/snapdb/export"
	"github.com/snapdb/snapdb/internal/pgtest"
)

var (
	benchOnce sync.Once
	benchDSN  string
)

const benchRows = 500_000

// BenchmarkExportPostgres exports a gene-like table (the shape
// scripts/bench-export.sh uses, smaller) from the package's cluster.
func BenchmarkExportPostgres(b *testing.B) {
	c := pgtest.Need(b)
	benchOnce.Do(func() {
		benchDSN = c.NewDB(b)
		pgExec(b, benchDSN,
			`CREATE TABLE t (id bigint PRIMARY KEY, symbol text NOT NULL, name text, chrom text NOT NULL, start bigint, score double precision)`,
			fmt.Sprintf(`INSERT INTO t SELECT i, 'G' || i, left(md5(i::text), 24) || ' gene', 'chr' || (1 + i %% 25), (i * 7919) %% 248956422,
				CASE WHEN i %% 50 = 0 THEN NULL ELSE (i %% 100003) / 1000.0 END FROM generate_series(1::bigint, %d) i`, benchRows),
			`VACUUM (FREEZE, ANALYZE) t`)
	})
	for _, c := range []struct {
		name  string
		codec string
		level int
	}{{"zstd-1", "zstd", 0}, {"zstd-3", "zstd", 3}, {"snappy", "snappy", 0}, {"none", "none", 0}} {
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				dir := filepath.Join(b.TempDir(), "snap")
				opts := &export.Options{Compression: c.codec, CompressionLevel: c.level}
				if _, err := export.Export(context.Background(), benchDSN, dir, opts); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
