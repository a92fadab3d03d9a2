package snapshot_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/snapdb/snapdb/snapshot"
)

func Example() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "genes-2026-11-01")

	// Write a snapshot with one table.
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "symbol", Type: arrow.BinaryTypes.String},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	b.Field(0).(*array.Int64Builder).AppendValues([]int64{1, 2, 3}, nil)
	b.Field(1).(*array.StringBuilder).AppendValues([]string{"BRCA1", "TP53", "TNF"}, nil)
	rec := b.NewRecordBatch()
	rr, _ := array.NewRecordReader(sc, []arrow.RecordBatch{rec})
	w, _ := snapshot.Create(path, &snapshot.CreateOptions{SnapshotVersion: "2026-11-01"})
	w.WriteTable(context.Background(), "genes", rr)
	meta, err := w.Commit()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(meta.Tables, "table,", meta.Rows, "rows")

	// Open it, verify it, read it.
	db, _ := snapshot.Open(path, nil)
	defer db.Close()
	if _, err := db.Verify(context.Background()); err == nil {
		fmt.Println("verified", db.Info().SnapshotVersion)
	}
	rdr, _ := db.ReadTable(context.Background(), "genes", []string{"symbol"}, 0)
	defer rdr.Release()
	for rdr.Next() {
		fmt.Println(rdr.RecordBatch().Column(0))
	}

	// Ship it as one file: the same snapshot, the same root hash.
	packed, _ := snapshot.Pack(path, path+".snap", nil)
	fmt.Println(packed.RootHash == db.RootHash())
	// Output:
	// 1 table, 3 rows
	// verified 2026-11-01
	// ["BRCA1" "TP53" "TNF"]
	// true
}
