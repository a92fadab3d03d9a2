package snapshot

import (
	"bytes"
	"encoding/base64"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/metadata"

	"github.com/snapdb/snapdb/internal/arrowunits"
)

// Parquet has no second-resolution timestamps: the writer stores
// timestamp[s] as milliseconds. arrow-go's reader does not restore the
// unit from the stored Arrow schema (Arrow C++ does), so we do: the
// columns whose stored type differs from the inferred one only by that
// unit are converted back on read. Division by 1000 is exact, since the
// writer multiplied.

// originSchema decodes the Arrow schema the writer stored in the file's
// key-value metadata ("ARROW:schema"), or returns nil.
func originSchema(kv metadata.KeyValueMetadata) *arrow.Schema {
	if kv == nil {
		return nil
	}
	v := kv.FindValue("ARROW:schema")
	if v == nil {
		return nil
	}
	decoded, err := base64.StdEncoding.DecodeString(*v)
	if err != nil {
		if decoded, err = base64.RawStdEncoding.DecodeString(*v); err != nil {
			return nil
		}
	}
	rdr, err := ipc.NewReader(bytes.NewReader(decoded))
	if err != nil {
		return nil
	}
	defer rdr.Release()
	return rdr.Schema()
}

// restoreSchema returns the schema to present for a file (inferred with the
// stored timestamp units put back) and the indices of the columns that need
// converting on read.
func restoreSchema(inferred, origin *arrow.Schema) (*arrow.Schema, []int) {
	if origin == nil || origin.NumFields() != inferred.NumFields() {
		return inferred, nil
	}
	fields := inferred.Fields()
	var fix []int
	for i, f := range fields {
		o := origin.Field(i)
		if o.Name != f.Name || arrow.TypeEqual(o.Type, f.Type) || !arrowunits.Restorable(f.Type, o.Type) {
			continue
		}
		fields[i].Type = o.Type
		fix = append(fix, i)
	}
	if fix == nil {
		return inferred, nil
	}
	md := inferred.Metadata()
	return arrow.NewSchema(fields, &md), fix
}

// restoringReader wraps a record reader and converts the fixed columns.
type restoringReader struct {
	refs   atomic.Int64
	in     array.RecordReader
	schema *arrow.Schema
	fix    map[int]bool
	mem    memory.Allocator
	cur    arrow.RecordBatch
}

func newRestoringReader(in array.RecordReader, full *arrow.Schema, fixCols map[string]bool, mem memory.Allocator) array.RecordReader {
	fields := in.Schema().Fields()
	fix := map[int]bool{}
	for i, f := range fields {
		if fixCols[f.Name] {
			idx := full.FieldIndices(f.Name)
			fields[i].Type = full.Field(idx[0]).Type
			fix[i] = true
		}
	}
	if len(fix) == 0 {
		return in
	}
	md := in.Schema().Metadata()
	r := &restoringReader{in: in, schema: arrow.NewSchema(fields, &md), fix: fix, mem: mem}
	r.refs.Store(1)
	return r
}

func (r *restoringReader) Schema() *arrow.Schema { return r.schema }

func (r *restoringReader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if !r.in.Next() {
		return false
	}
	rec := r.in.RecordBatch()
	cols := make([]arrow.Array, rec.NumCols())
	for i := range cols {
		if r.fix[i] {
			d := arrowunits.RestoreData(r.mem, rec.Column(i).Data(), r.schema.Field(i).Type)
			cols[i] = array.MakeFromData(d)
			d.Release()
		} else {
			cols[i] = rec.Column(i)
			cols[i].Retain()
		}
	}
	r.cur = array.NewRecordBatch(r.schema, cols, rec.NumRows())
	for _, c := range cols {
		c.Release()
	}
	return true
}

func (r *restoringReader) RecordBatch() arrow.RecordBatch { return r.cur }

// Record is the deprecated name of RecordBatch.
func (r *restoringReader) Record() arrow.RecordBatch { return r.cur }

func (r *restoringReader) Err() error { return r.in.Err() }

func (r *restoringReader) Retain() { r.refs.Add(1) }

func (r *restoringReader) Release() {
	if r.refs.Add(-1) == 0 {
		if r.cur != nil {
			r.cur.Release()
			r.cur = nil
		}
		r.in.Release()
	}
}
