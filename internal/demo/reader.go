package demo

import (
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// rowSource appends exactly n rows to the builder's field builders. Sources
// are stateful (they remember where they stopped) and are owned by a single
// reader.
type rowSource interface {
	fill(b *array.RecordBuilder, n int)
}

// reader is an array.RecordReader that generates its batches on demand.
type reader struct {
	refs   atomic.Int64
	schema *arrow.Schema
	bldr   *array.RecordBuilder
	src    rowSource
	total  int64
	pos    int64
	batch  int
	cur    arrow.RecordBatch
}

var _ array.RecordReader = (*reader)(nil)

func newReader(mem memory.Allocator, schema *arrow.Schema, total int64, batch int, src rowSource) *reader {
	r := &reader{schema: schema, src: src, total: total, batch: batch}
	r.refs.Store(1)
	if total > 0 {
		r.bldr = array.NewRecordBuilder(mem, schema)
	}
	return r
}

func (r *reader) Schema() *arrow.Schema { return r.schema }

// Next releases the previous batch and generates the next one.
func (r *reader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if r.pos >= r.total || r.bldr == nil {
		r.releaseBuilder()
		return false
	}
	n := r.batch
	if rem := r.total - r.pos; rem < int64(n) {
		n = int(rem)
	}
	r.bldr.Reserve(n)
	r.src.fill(r.bldr, n)
	r.cur = r.bldr.NewRecordBatch()
	r.pos += int64(n)
	if r.pos >= r.total {
		r.releaseBuilder()
	}
	return true
}

func (r *reader) releaseBuilder() {
	if r.bldr != nil {
		r.bldr.Release()
		r.bldr = nil
	}
}

// RecordBatch returns the current batch. It is valid until the next call to
// Next or the final Release; Retain it to keep it longer.
func (r *reader) RecordBatch() arrow.RecordBatch { return r.cur }

// Record returns the current batch.
//
// Deprecated: Use [reader.RecordBatch] instead.
func (r *reader) Record() arrow.RecordBatch { return r.cur }

// Err always returns nil: generation cannot fail.
func (r *reader) Err() error { return nil }

func (r *reader) Retain() { r.refs.Add(1) }

func (r *reader) Release() {
	switch n := r.refs.Add(-1); {
	case n == 0:
		if r.cur != nil {
			r.cur.Release()
			r.cur = nil
		}
		r.releaseBuilder()
	case n < 0:
		panic("demo: too many releases of record reader")
	}
}
