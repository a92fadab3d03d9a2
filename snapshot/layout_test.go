package snapshot_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"

	"github.com/snapdb/snapdb/internal/benchdata"
	"github.com/snapdb/snapdb/snapshot"
)

// TestParquetLayout checks what the writer promises about its files:
// dictionary encoding only where it pays (low-cardinality strings), page
// indexes and statistics on every column, and the row-group size asked for.
func TestParquetLayout(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "s")
	w, err := snapshot.Create(dir, &snapshot.CreateOptions{RowGroupRows: 20_000})
	if err != nil {
		t.Fatal(err)
	}
	rr := benchdata.Genes(memory.DefaultAllocator, 50_000, 8192, 1)
	if err := w.WriteTable(context.Background(), "genes", rr); err != nil {
		t.Fatal(err)
	}
	rr.Release()
	if _, err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	pf, err := file.OpenParquetFile(filepath.Join(dir, "genes.parquet"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	if got, want := pf.NumRowGroups(), 3; got != want {
		t.Errorf("row groups = %d, want %d (50,000 rows at 20,000 per group)", got, want)
	}
	// chrom has 25 values: a dictionary pays. name is nearly unique per row
	// and id, start, score are not strings: no dictionary.
	wantDict := map[string]bool{"id": false, "symbol": false, "name": false, "chrom": true, "start": false, "score": false}
	rg := pf.MetaData().RowGroup(0)
	pix := pf.GetPageIndexReader()
	rgix, err := pix.RowGroup(0)
	if err != nil {
		t.Fatalf("page index: %v", err)
	}
	for i := 0; i < rg.NumColumns(); i++ {
		cc, err := rg.ColumnChunk(i)
		if err != nil {
			t.Fatal(err)
		}
		name := cc.PathInSchema().String()
		if got := cc.HasDictionaryPage(); got != wantDict[name] {
			t.Errorf("column %s: dictionary page = %v, want %v (encodings %v)", name, got, wantDict[name], cc.Encodings())
		}
		if ok, err := cc.StatsSet(); !ok || err != nil {
			t.Errorf("column %s: no statistics (%v)", name, err)
		}
		if ci, err := rgix.GetColumnIndex(i); err != nil || ci == nil {
			t.Errorf("column %s: no column index (%v)", name, err)
		}
		if oi, err := rgix.GetOffsetIndex(i); err != nil || oi == nil {
			t.Errorf("column %s: no offset index (%v)", name, err)
		}
	}
}
