package export

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// produceFunc reads a table and hands each finished batch to emit, which
// returns false once the consumer has gone (the producer then stops and
// returns ctx.Err()). It runs in its own goroutine.
type produceFunc func(ctx context.Context, emit func(arrow.RecordBatch) bool) error

// batchReader is an array.RecordReader fed by a producer goroutine, one
// batch ahead: decoding the next batch overlaps with the consumer's
// encoding of the current one. At most three batches exist at a time (the
// one being built, one in the channel, the current one), so memory is
// bounded by the batch size.
type batchReader struct {
	refs   atomic.Int64
	schema *arrow.Schema
	ch     chan arrow.RecordBatch
	cancel context.CancelFunc
	done   chan struct{}
	err    error // set by the producer before ch is closed
	cur    arrow.RecordBatch
	once   sync.Once
}

var _ array.RecordReader = (*batchReader)(nil)

func newBatchReader(ctx context.Context, schema *arrow.Schema, produce produceFunc) *batchReader {
	ctx, cancel := context.WithCancel(ctx)
	r := &batchReader{
		schema: schema,
		ch:     make(chan arrow.RecordBatch, 1),
		cancel: cancel,
		done:   make(chan struct{}),
	}
	r.refs.Store(1)
	go func() {
		defer close(r.done)
		emit := func(b arrow.RecordBatch) bool {
			select {
			case r.ch <- b:
				return true
			case <-ctx.Done():
				b.Release()
				return false
			}
		}
		err := produce(ctx, emit)
		if err == nil {
			err = ctx.Err()
		}
		r.err = err
		close(r.ch)
	}()
	return r
}

func (r *batchReader) Schema() *arrow.Schema { return r.schema }

func (r *batchReader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	b, ok := <-r.ch
	if !ok {
		return false
	}
	r.cur = b
	return true
}

func (r *batchReader) RecordBatch() arrow.RecordBatch { return r.cur }

// Record returns the current batch.
//
// Deprecated: use RecordBatch.
func (r *batchReader) Record() arrow.RecordBatch { return r.cur }

// Err is the producer's error, valid once Next has returned false.
func (r *batchReader) Err() error {
	select {
	case <-r.done:
		return r.err
	default:
		return nil
	}
}

func (r *batchReader) Retain() { r.refs.Add(1) }

// Release stops the producer (if it still runs), waits for it, and frees
// every batch still held.
func (r *batchReader) Release() {
	if r.refs.Add(-1) != 0 {
		return
	}
	r.once.Do(func() {
		r.cancel()
		for b := range r.ch {
			b.Release()
		}
		<-r.done
		if r.cur != nil {
			r.cur.Release()
			r.cur = nil
		}
	})
}

// nextBatch takes the built batch out of b and readies b for the next
// one: after a full batch the table likely has more, so every column gets
// room for a full batch at once (the string data as much as this batch
// used), which spares the builders their repeated growing and copying.
// The first batch grows as it goes, so a small table costs little.
func nextBatch(b *array.RecordBuilder, rows int) arrow.RecordBatch {
	fields := b.Fields()
	data := make([]int, len(fields))
	for i, f := range fields {
		switch f := f.(type) {
		case *array.StringBuilder:
			data[i] = f.DataLen()
		case *array.BinaryBuilder:
			data[i] = f.DataLen()
		}
	}
	rec := b.NewRecordBatch()
	b.Reserve(rows)
	for i, f := range fields {
		switch f := f.(type) {
		case *array.StringBuilder:
			f.ReserveData(data[i])
		case *array.BinaryBuilder:
			f.ReserveData(data[i])
		}
	}
	return rec
}
