package engine

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// writeTable writes rec as a Parquet file in memory (row groups of rgRows
// rows, pages of about pageBytes bytes, page index on) and opens it as a Table.
func writeTable(t testing.TB, name string, rec arrow.RecordBatch, rgRows, pageBytes int64) *Table {
	t.Helper()
	return writeTableDict(t, name, rec, rgRows, pageBytes, false)
}

// writeTableDict is writeTable with dictionary encoding on or off.
func writeTableDict(t testing.TB, name string, rec arrow.RecordBatch, rgRows, pageBytes int64, dict bool) *Table {
	t.Helper()
	return writeTableKV(t, name, rec, rgRows, pageBytes, dict, nil)
}

// writeTableKV writes rec as a Parquet table with row groups of rgRows
// rows, data pages of about pageBytes, statistics and a page index, and
// kv added to the file's key-value metadata.
func writeTableKV(t testing.TB, name string, rec arrow.RecordBatch, rgRows, pageBytes int64, dict bool, kv map[string]string, extra ...parquet.WriterProperty) *Table {
	t.Helper()
	var buf bytes.Buffer
	props := parquet.NewWriterProperties(append([]parquet.WriterProperty{
		parquet.WithMaxRowGroupLength(rgRows),
		parquet.WithDataPageSize(pageBytes),
		parquet.WithBatchSize(256),
		parquet.WithDictionaryDefault(dict),
		parquet.WithPageIndexEnabled(true),
		parquet.WithStats(true),
	}, extra...)...)
	w, err := pqarrow.NewFileWriter(rec.Schema(), &buf, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		t.Fatal(err)
	}
	for off := int64(0); off < rec.NumRows(); off += rgRows {
		s := rec.NewSlice(off, min(off+rgRows, rec.NumRows()))
		if err := w.Write(s); err != nil {
			t.Fatal(err)
		}
		s.Release()
	}
	if rec.NumRows() == 0 {
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	for k, v := range kv {
		if err := w.AppendKeyValueMetadata(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r := bytes.NewReader(buf.Bytes())
	pr, err := file.NewParquetReader(r)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := NewTable(name, r, pr.MetaData(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return tbl
}

// drain reads every batch of rr into rows of Go values.
func drain(t testing.TB, rr array.RecordReader) [][]any {
	t.Helper()
	defer rr.Release()
	var rows [][]any
	for rr.Next() {
		rec := rr.RecordBatch()
		for r := 0; r < int(rec.NumRows()); r++ {
			row := make([]any, rec.NumCols())
			for c := range row {
				col := rec.Column(c)
				if col.IsNull(r) {
					continue
				}
				row[c] = col.GetOneForMarshal(r)
			}
			rows = append(rows, row)
		}
	}
	if err := rr.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

var _ = fmt.Sprint
var _ = context.Background
var _ = memory.DefaultAllocator
