package snapshot_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/snapdb/snapdb/internal/benchdata"
	"github.com/snapdb/snapdb/snapshot"
)

func geneSnapshot(t testing.TB, rows int64) *snapshot.DB {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "genes")
	w, err := snapshot.Create(dir, &snapshot.CreateOptions{RowGroupRows: 16 * 1024})
	if err != nil {
		t.Fatal(err)
	}
	rr := benchdata.Genes(nil, rows, 8192, 1)
	defer rr.Release()
	if err := w.WriteTable(context.Background(), "genes", rr); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	db, err := snapshot.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestQuery(t *testing.T) {
	db := geneSnapshot(t, 100000)
	ctx := context.Background()
	rr, err := db.Query(ctx, "SELECT id, chrom FROM genes WHERE id BETWEEN $1 AND $2 ORDER BY id DESC", 5000, 5009)
	if err != nil {
		t.Fatal(err)
	}
	n, last := 0, int64(-1)
	for rr.Next() {
		rec := rr.RecordBatch()
		n += int(rec.NumRows())
		last = rec.Column(0).(interface{ Value(int) int64 }).Value(int(rec.NumRows()) - 1)
	}
	if err := rr.Err(); err != nil {
		t.Fatal(err)
	}
	rr.Release()
	if n != 10 || last != 5000 {
		t.Fatalf("got %d rows ending at id %d, want 10 ending at 5000", n, last)
	}

	rr, err = db.Query(ctx, "SELECT chrom, count(*) FROM genes GROUP BY chrom")
	if err != nil {
		t.Fatal(err)
	}
	groups, total := 0, int64(0)
	for rr.Next() {
		rec := rr.RecordBatch()
		groups += int(rec.NumRows())
		for i := 0; i < int(rec.NumRows()); i++ {
			total += rec.Column(1).(interface{ Value(int) int64 }).Value(i)
		}
	}
	rr.Release()
	if groups != 25 || total != 100000 {
		t.Fatalf("GROUP BY chrom: %d groups, %d rows; want 25 and 100000", groups, total)
	}

	for _, sql := range []string{"INSERT INTO genes VALUES (1)", "DROP TABLE genes", "  update genes set id = 1", "ATTACH 'x.db'"} {
		_, err := db.Query(ctx, sql)
		var ro *snapshot.ReadOnlyError
		if !errors.Is(err, snapshot.ErrReadOnly) || !errors.As(err, &ro) {
			t.Errorf("%s: %v, want a *ReadOnlyError", sql, err)
		}
	}
	db.Close()
	if _, err := db.Query(ctx, "SELECT 1"); !errors.Is(err, snapshot.ErrClosed) {
		t.Errorf("query after Close: %v, want ErrClosed", err)
	}
}
