package snapshot

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"runtime"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"golang.org/x/sync/errgroup"
)

// columnsWriter writes a table whose columns are all flat (no struct,
// list, map, dictionary or extension type) with its columns encoded and
// compressed concurrently. pqarrow's FileWriter encodes one column after
// another; here each batch is handed to the row group's column writers
// (which a buffered row group keeps apart, each with its own pages) by up
// to `workers` goroutines at once, the largest column first. The bytes
// written are exactly those of pqarrow.FileWriter with WithStoreSchema and
// WriteBuffered (the tests compare them): the same schema conversion and
// metadata, the same levels and calls per column, in the same order per
// column; only the interleaving across columns differs, and columns do not
// share state.
type columnsWriter struct {
	schema  *arrow.Schema
	wr      *file.Writer
	arrow   pqarrow.ArrowWriterProperties
	maxRows int64
	workers int

	rgw    file.BufferedRowGroupWriter
	rgRows int64
	cols   []*columnState
	order  []int // column indexes, largest first, for the current piece
}

// columnState is what one column keeps between batches: its own write
// context (pqarrow's scratch buffers are per context) and a buffer for its
// definition levels.
type columnState struct {
	field    arrow.Field
	ctx      context.Context
	defLevel []int16
	cost     int64 // bytes of the current piece, to start the largest first
}

// flatColumns reports whether every field of schema is a type that
// columnsWriter writes: one Parquet leaf, no nesting.
func flatColumns(schema *arrow.Schema) bool {
	for _, f := range schema.Fields() {
		switch f.Type.ID() {
		case arrow.BOOL, arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
			arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
			arrow.FLOAT32, arrow.FLOAT64,
			arrow.STRING, arrow.BINARY, arrow.LARGE_STRING, arrow.LARGE_BINARY, arrow.FIXED_SIZE_BINARY,
			arrow.DATE32, arrow.DATE64, arrow.TIME32, arrow.TIME64, arrow.TIMESTAMP,
			arrow.DECIMAL128, arrow.DECIMAL256:
		default:
			return false
		}
	}
	return true
}

// newColumnsWriter starts a Parquet file on sink as pqarrow.NewFileWriter
// does with WithStoreSchema.
func newColumnsWriter(schema *arrow.Schema, sink io.Writer, props *parquet.WriterProperties, arrprops pqarrow.ArrowWriterProperties, workers int) (*columnsWriter, error) {
	pqschema, err := pqarrow.ToParquet(schema, props, arrprops)
	if err != nil {
		return nil, err
	}
	meta := make(metadata.KeyValueMetadata, 0)
	md := schema.Metadata()
	for i := 0; i < md.Len(); i++ {
		meta.Append(md.Keys()[i], md.Values()[i])
	}
	// Flat fields need none of pqarrow's normalisation of list element names.
	meta.Append("ARROW:schema", base64.StdEncoding.EncodeToString(flight.SerializeSchema(schema, props.Allocator())))
	wr, err := file.NewParquetWriterWithError(sink, pqschema.Root(), file.WithWriterProps(props), file.WithWriteMetadata(meta))
	if err != nil {
		return nil, err
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	cw := &columnsWriter{schema: schema, wr: wr, arrow: arrprops, maxRows: props.MaxRowGroupLength(), workers: workers}
	for _, f := range schema.Fields() {
		cw.cols = append(cw.cols, &columnState{field: f, ctx: pqarrow.NewArrowWriteContext(context.Background(), &arrprops)})
		cw.order = append(cw.order, len(cw.order))
	}
	return cw, nil
}

// write appends rec to the current row group, cutting a new one every
// maxRows rows, as WriteBuffered does: a row group is started by the first
// batch after the previous one filled, so that none is ever empty unless
// an empty batch comes first.
func (cw *columnsWriter) write(rec arrow.RecordBatch) error {
	if !rec.Schema().Equal(cw.schema) {
		return fmt.Errorf("record schema does not match writer's. \nrecord: %s\nwriter: %s", rec.Schema(), cw.schema)
	}
	if cw.rgw == nil {
		if err := cw.newRowGroup(); err != nil {
			return err
		}
	}
	n := rec.NumRows()
	size := min(n, cw.maxRows-cw.rgRows)
	for off := int64(0); ; {
		if size > 0 {
			if err := cw.writePiece(rec, off, size); err != nil {
				return err
			}
		}
		if off+size >= n {
			return nil
		}
		if err := cw.newRowGroup(); err != nil {
			return err
		}
		off += size
		size = min(cw.maxRows, n-off)
	}
}

func (cw *columnsWriter) appendKeyValue(k, v string) error {
	return cw.wr.AppendKeyValueMetadata(k, v)
}

func (cw *columnsWriter) newRowGroup() error {
	if err := cw.closeRowGroup(); err != nil {
		return err
	}
	rgw, err := cw.wr.AppendBufferedRowGroupChecked()
	if err != nil {
		return err
	}
	cw.rgw, cw.rgRows = rgw, 0
	return nil
}

// writePiece writes rows [off, off+size) of every column into the current
// row group, several columns at once.
func (cw *columnsWriter) writePiece(rec arrow.RecordBatch, off, size int64) error {
	last := cw.rgRows+size == cw.maxRows
	for i, c := range cw.cols {
		c.cost = columnBytes(rec.Column(i), off, size)
	}
	sort.SliceStable(cw.order, func(a, b int) bool { return cw.cols[cw.order[a]].cost > cw.cols[cw.order[b]].cost })
	defer func() { cw.rgRows += size }()

	if cw.workers == 1 || len(cw.cols) == 1 {
		for _, i := range cw.order {
			if err := cw.writeColumn(i, rec.Column(i), off, size, last); err != nil {
				return err
			}
		}
		return nil
	}
	var g errgroup.Group
	g.SetLimit(cw.workers)
	for _, i := range cw.order {
		col := rec.Column(i)
		g.Go(func() error { return cw.writeColumn(i, col, off, size, last) })
	}
	return g.Wait()
}

// writeColumn writes rows [off, off+size) of column i, with the levels
// pqarrow computes for a flat field. When the piece fills the row group,
// the column's last page is cut and compressed here, in parallel, rather
// than when the row group closes.
func (cw *columnsWriter) writeColumn(i int, col arrow.Array, off, size int64, last bool) (err error) {
	defer func() {
		if r := recover(); r != nil { // arrow's column writers panic on some failures
			err = fmt.Errorf("column %q: %v", cw.cols[i].field.Name, r)
		}
	}()
	c := cw.cols[i]
	w, err := cw.rgw.Column(i)
	if err != nil {
		return err
	}
	arr := array.NewSlice(col, off, off+size)
	defer arr.Release()
	var def []int16
	nullable := false
	if c.field.Nullable {
		def = c.levels(arr)
		nullable = arr.NullN() > 0
	}
	if err := pqarrow.WriteArrowToColumn(c.ctx, w, arr, def, nil, nullable); err != nil {
		return fmt.Errorf("column %q: %w", c.field.Name, err)
	}
	if last {
		return flushPages(w)
	}
	return nil
}

// levels are the definition levels of a nullable flat column: 1 for a
// value, 0 for a null.
func (c *columnState) levels(arr arrow.Array) []int16 {
	n := arr.Len()
	if cap(c.defLevel) < n {
		c.defLevel = make([]int16, n)
	}
	def := c.defLevel[:n]
	if arr.NullN() == 0 {
		for j := range def {
			def[j] = 1
		}
		return def
	}
	for j := range def {
		if arr.IsValid(j) {
			def[j] = 1
		} else {
			def[j] = 0
		}
	}
	return def
}

// flushPages cuts and compresses a column's buffered values now, as
// closing the row group would, unless the column still builds a
// dictionary: its dictionary page must be written before its data pages,
// which only Close does.
func flushPages(w file.ColumnChunkWriter) error {
	if enc := w.CurrentEncoder(); enc == nil || enc.Encoding() == parquet.Encodings.PlainDict || enc.Encoding() == parquet.Encodings.RLEDict {
		return nil
	}
	if f, ok := w.(interface{ FlushBufferedDataPages() error }); ok {
		return f.FlushBufferedDataPages()
	}
	return nil
}

// columnBytes estimates the bytes of rows [off, off+size) of a column.
func columnBytes(col arrow.Array, off, size int64) int64 {
	switch a := col.(type) {
	case interface{ ValueOffsets() []int32 }:
		o := a.ValueOffsets()
		return int64(o[off+size]-o[off]) + 4*size
	case interface{ ValueOffsets() []int64 }:
		o := a.ValueOffsets()
		return o[off+size] - o[off] + 4*size
	}
	if fw, ok := col.DataType().(arrow.FixedWidthDataType); ok && fw.BitWidth() >= 8 {
		return int64(fw.BitWidth()/8) * size
	}
	return size / 8
}

func (cw *columnsWriter) closeRowGroup() error {
	if cw.rgw == nil {
		return nil
	}
	err := cw.rgw.Close()
	cw.rgw = nil
	return err
}

// close finishes the file.
func (cw *columnsWriter) close() error {
	if err := cw.closeRowGroup(); err != nil {
		return err
	}
	return cw.wr.Close()
}

// abort closes the file writer after a failure, ignoring its error: the
// file is discarded.
func (cw *columnsWriter) abort() {
	defer func() { recover() }()
	if cw.rgw != nil {
		cw.rgw.Close()
		cw.rgw = nil
	}
	cw.wr.Close()
}
