package snapshot_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/snapdb/snapdb/internal/benchdata"
	"github.com/snapdb/snapdb/snapshot"
)

// benchRows is the size of the write benchmark's gene table: 10M rows, or
// SNAPDB_BENCH_ROWS.
func benchRows() int64 {
	if n, err := strconv.ParseInt(os.Getenv("SNAPDB_BENCH_ROWS"), 10, 64); err == nil && n > 0 {
		return n
	}
	return 10_000_000
}

var (
	genesOnce sync.Once
	genes     []arrow.RecordBatch
	genesRaw  int64 // in-memory Arrow bytes
)

// geneBatches materialises the gene table once, so that generating it is
// not part of what the write benchmark measures.
func geneBatches() []arrow.RecordBatch {
	genesOnce.Do(func() {
		rdr := benchdata.Genes(memory.DefaultAllocator, benchRows(), 64*1024, 1)
		defer rdr.Release()
		for rdr.Next() {
			rec := rdr.RecordBatch()
			rec.Retain()
			genes = append(genes, rec)
			for _, c := range rec.Columns() {
				for _, buf := range c.Data().Buffers() {
					if buf != nil {
						genesRaw += int64(buf.Len())
					}
				}
			}
		}
	})
	return genes
}

// BenchmarkWrite writes the gene table (10M rows by default) into a new
// snapshot per compression codec and reports rows/s and MB/s of Arrow
// input and of Parquet output.
func BenchmarkWrite(b *testing.B) {
	recs := geneBatches()
	for _, codec := range []string{"zstd", "snappy", "none"} {
		b.Run(codec, func(b *testing.B) {
			var out int64
			for i := 0; b.Loop(); i++ {
				dir := filepath.Join(b.TempDir(), fmt.Sprint("s", i))
				w, err := snapshot.Create(dir, &snapshot.CreateOptions{Compression: codec})
				if err != nil {
					b.Fatal(err)
				}
				rr, _ := array.NewRecordReader(benchdata.GeneSchema, recs)
				if err := w.WriteTable(context.Background(), "genes", rr); err != nil {
					b.Fatal(err)
				}
				rr.Release()
				meta, err := w.Commit()
				if err != nil {
					b.Fatal(err)
				}
				out = meta.Bytes
				os.RemoveAll(dir)
			}
			sec := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(float64(benchRows())/sec, "rows/s")
			b.ReportMetric(float64(genesRaw)/sec/1e6, "arrowMB/s")
			b.ReportMetric(float64(out)/sec/1e6, "fileMB/s")
			b.ReportMetric(float64(out)/1e6, "fileMB")
		})
	}
}

// BenchmarkOpen40Tables opens (and closes) a snapshot of 40 tables: the
// manifest and 40 Parquet footers.
func BenchmarkOpen40Tables(b *testing.B) {
	dir := fortyTables(b)
	for b.Loop() {
		db, err := snapshot.Open(dir, nil)
		if err != nil {
			b.Fatal(err)
		}
		db.Close()
	}
}

// BenchmarkVerify re-hashes a 1M-row gene table.
func BenchmarkVerify(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "s")
	w, err := snapshot.Create(dir, &snapshot.CreateOptions{Compression: "none"})
	if err != nil {
		b.Fatal(err)
	}
	rr := benchdata.Genes(memory.DefaultAllocator, 1_000_000, 0, 1)
	if err := w.WriteTable(context.Background(), "genes", rr); err != nil {
		b.Fatal(err)
	}
	rr.Release()
	meta, err := w.Commit()
	if err != nil {
		b.Fatal(err)
	}
	db, err := snapshot.Open(dir, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	b.SetBytes(meta.Bytes)
	for b.Loop() {
		if _, err := db.Verify(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}

// saveSource writes a snapshot of about 200 MB (3M uncompressed gene rows
// in 3 tables) for the copy benchmarks.
func saveSource(b *testing.B) (string, int64) {
	b.Helper()
	dir := filepath.Join(b.TempDir(), "src")
	w, err := snapshot.Create(dir, &snapshot.CreateOptions{Compression: "none"})
	if err != nil {
		b.Fatal(err)
	}
	for i := range 3 {
		rr := benchdata.Genes(memory.DefaultAllocator, 1_000_000, 0, uint64(i))
		if err := w.WriteTable(context.Background(), fmt.Sprint("genes", i), rr); err != nil {
			b.Fatal(err)
		}
		rr.Release()
	}
	meta, err := w.Commit()
	if err != nil {
		b.Fatal(err)
	}
	return dir, meta.Bytes
}

// BenchmarkSave copies a snapshot directory to a new directory
// (copy_file_range, fsync, rename) and to a new .snap container.
func BenchmarkSave(b *testing.B) {
	src, size := saveSource(b)
	db, err := snapshot.Open(src, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	for _, target := range []string{"dir", "snap"} {
		b.Run(target, func(b *testing.B) {
			b.SetBytes(size)
			for i := 0; b.Loop(); i++ {
				dst := filepath.Join(b.TempDir(), fmt.Sprint("copy", i))
				if target == "snap" {
					dst += ".snap"
				}
				if _, err := db.Save(dst, nil); err != nil {
					b.Fatal(err)
				}
				os.RemoveAll(dst)
			}
		})
	}
}

// BenchmarkOpenContainer40Tables opens a .snap of 40 tables.
func BenchmarkOpenContainer40Tables(b *testing.B) {
	dir := fortyTables(b)
	file := filepath.Join(b.TempDir(), "s.snap")
	if _, err := snapshot.Pack(dir, file, nil); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		db, err := snapshot.Open(file, nil)
		if err != nil {
			b.Fatal(err)
		}
		db.Close()
	}
}

// fortyTables writes a snapshot of 40 gene tables of 20,000 rows each.
func fortyTables(b *testing.B) string {
	b.Helper()
	dir := filepath.Join(b.TempDir(), "s")
	w, err := snapshot.Create(dir, nil)
	if err != nil {
		b.Fatal(err)
	}
	for i := range 40 {
		rr := benchdata.Genes(memory.DefaultAllocator, 20_000, 8192, uint64(i))
		if err := w.WriteTable(context.Background(), fmt.Sprintf("table_%02d", i), rr); err != nil {
			b.Fatal(err)
		}
		rr.Release()
	}
	if _, err := w.Commit(); err != nil {
		b.Fatal(err)
	}
	return dir
}
