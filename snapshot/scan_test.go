package snapshot_test

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"

	"github.com/snapdb/snapdb/engine"
	"github.com/snapdb/snapdb/snapshot"
)

// nanTable: id 0..n-1, clean = id/10 (never NaN), dirty = id/10 with a NaN
// every 1000 rows, in batches of 1000.
func nanTable(t *testing.T, n int) []arrow.RecordBatch {
	t.Helper()
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "clean", Type: arrow.PrimitiveTypes.Float64},
		{Name: "dirty", Type: arrow.PrimitiveTypes.Float32},
	}, nil)
	var out []arrow.RecordBatch
	for base := 0; base < n; base += 1000 {
		b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
		for i := base; i < min(base+1000, n); i++ {
			b.Field(0).(*array.Int64Builder).Append(int64(i))
			b.Field(1).(*array.Float64Builder).Append(float64(i) / 10)
			if i%1000 == 500 {
				b.Field(2).(*array.Float32Builder).Append(float32(math.NaN()))
			} else {
				b.Field(2).(*array.Float32Builder).Append(float32(i) / 10)
			}
		}
		out = append(out, b.NewRecordBatch())
		b.Release()
	}
	t.Cleanup(func() { release(out) })
	return out
}

// TestNaNFreeColumnsRecorded: the writer lists the float columns that hold
// no NaN in the file's metadata, and queries give NaN its SQL place (above
// every number) whether or not pruning may use the statistics.
func TestNaNFreeColumnsRecorded(t *testing.T) {
	dir := writeSnapshot(t, map[string][]arrow.RecordBatch{"t": nanTable(t, 5000)}, &snapshot.CreateOptions{RowGroupRows: 1000})
	r, err := file.OpenParquetFile(filepath.Join(dir, "t.parquet"), false)
	if err != nil {
		t.Fatal(err)
	}
	v := r.MetaData().KeyValueMetadata().FindValue(engine.NaNFreeKey)
	r.Close()
	if v == nil || *v != `["clean"]` {
		t.Fatalf("%s = %v, want [\"clean\"]", engine.NaNFreeKey, v)
	}

	db, err := snapshot.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for sql, want := range map[string]int64{
		"SELECT count(*) FROM t WHERE clean > 450": 499,     // 4501..4999
		"SELECT count(*) FROM t WHERE dirty > 450": 499 + 5, // and the five NaNs
		"SELECT count(*) FROM t WHERE dirty <> 0":  4999,    // id 0 is the one 0
		"SELECT count(*) FROM t WHERE clean <> 0":  4999,
	} {
		rr, err := db.Query(context.Background(), sql)
		if err != nil {
			t.Fatal(err)
		}
		if !rr.Next() {
			t.Fatalf("%s: no row (%v)", sql, rr.Err())
		}
		got := rr.RecordBatch().Column(0).(*array.Int64).Value(0)
		rr.Release()
		if got != want {
			t.Errorf("%s = %d, want %d", sql, got, want)
		}
	}
}

// TestDBScan reads through the engine's scan on an open snapshot.
func TestDBScan(t *testing.T) {
	dir := writeSnapshot(t, map[string][]arrow.RecordBatch{"t": nanTable(t, 5000)}, &snapshot.CreateOptions{RowGroupRows: 1000})
	db, err := snapshot.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rr, err := db.Scan(context.Background(), "t", snapshot.ScanSpec{
		Columns: []string{"id", "clean"},
		Filter:  engine.Between(engine.Col("id"), engine.Lit(2995), engine.Lit(3004)),
	})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for rr.Next() {
		rec := rr.RecordBatch()
		if rec.NumCols() != 2 || rec.Schema().Field(1).Name != "clean" {
			t.Fatalf("schema %s, want id, clean", rec.Schema())
		}
		ids = append(ids, rec.Column(0).(*array.Int64).Int64Values()...)
	}
	if err := rr.Err(); err != nil {
		t.Fatal(err)
	}
	rr.Release()
	if len(ids) != 10 || ids[0] != 2995 || ids[9] != 3004 {
		t.Errorf("Scan(id BETWEEN 2995 AND 3004) = %v", ids)
	}

	_, err = db.Scan(context.Background(), "nosuch", snapshot.ScanSpec{})
	if !errors.Is(err, snapshot.ErrNoTable) || !strings.Contains(err.Error(), "tables: t") {
		t.Errorf("Scan(nosuch) error = %v, want ErrNoTable listing the tables", err)
	}
	_, err = db.Scan(context.Background(), "t", snapshot.ScanSpec{Columns: []string{"nope"}})
	if err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("Scan(column nope) error = %v, want one naming the column", err)
	}
	db.Close()
	if _, err := db.Scan(context.Background(), "t", snapshot.ScanSpec{}); !errors.Is(err, snapshot.ErrClosed) {
		t.Errorf("Scan after Close: %v, want ErrClosed", err)
	}
}
