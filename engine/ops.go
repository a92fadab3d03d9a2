package engine

import (
	"context"
	"encoding/binary"
	"math"
	"sort"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// iter is a pull operator: next returns the next batch (the caller
// releases it), or nil at the end.
type iter interface {
	next() (arrow.RecordBatch, error)
	release()
}

// iterReader adapts an iter to array.RecordReader.
type iterReader struct {
	refs   atomic.Int64
	it     iter
	schema *arrow.Schema
	cur    arrow.RecordBatch
	err    error
	done   bool
}

func newIterReader(it iter, schema *arrow.Schema) *iterReader {
	r := &iterReader{it: it, schema: schema}
	r.refs.Store(1)
	return r
}

func (r *iterReader) Schema() *arrow.Schema { return r.schema }

func (r *iterReader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if r.done {
		return false
	}
	for {
		rec, err := r.it.next()
		if err != nil || rec == nil {
			r.err = err
			r.done = true
			r.it.release()
			return false
		}
		if rec.NumRows() == 0 {
			rec.Release()
			continue
		}
		r.cur = rec
		return true
	}
}

func (r *iterReader) RecordBatch() arrow.RecordBatch { return r.cur }

// Record is RecordBatch, for the deprecated interface method.
func (r *iterReader) Record() arrow.RecordBatch { return r.cur }
func (r *iterReader) Err() error                { return r.err }
func (r *iterReader) Retain()                   { r.refs.Add(1) }

func (r *iterReader) Release() {
	if r.refs.Add(-1) == 0 {
		if r.cur != nil {
			r.cur.Release()
			r.cur = nil
		}
		if !r.done {
			r.done = true
			r.it.release()
		}
	}
}

type readerIter struct{ rr array.RecordReader }

func (r *readerIter) next() (arrow.RecordBatch, error) {
	if !r.rr.Next() {
		return nil, r.rr.Err()
	}
	rec := r.rr.RecordBatch()
	rec.Retain()
	return rec, nil
}

func (r *readerIter) release() { r.rr.Release() }

type sliceIter struct{ recs []arrow.RecordBatch }

func (s *sliceIter) next() (arrow.RecordBatch, error) {
	if len(s.recs) == 0 {
		return nil, nil
	}
	r := s.recs[0]
	s.recs = s.recs[1:]
	return r, nil
}

func (s *sliceIter) release() {
	for _, r := range s.recs {
		r.Release()
	}
	s.recs = nil
}

type emptyIter struct{}

func (emptyIter) next() (arrow.RecordBatch, error) { return nil, nil }
func (emptyIter) release()                         {}

// filterIter keeps the rows for which pred is TRUE.
type filterIter struct {
	in   iter
	pred *bexpr
	mem  memory.Allocator
}

func (f *filterIter) next() (arrow.RecordBatch, error) {
	for {
		rec, err := f.in.next()
		if rec == nil || err != nil {
			return nil, err
		}
		out, err := filterBatch(rec, f.pred, f.mem)
		rec.Release()
		if err != nil {
			return nil, err
		}
		if out.NumRows() > 0 {
			return out, nil
		}
		out.Release()
	}
}

func (f *filterIter) release() { f.in.release() }

func filterBatch(rec arrow.RecordBatch, pred *bexpr, mem memory.Allocator) (arrow.RecordBatch, error) {
	n := int(rec.NumRows())
	ec := newEvalCtx(rec.Columns(), n)
	m, err := ec.eval(pred)
	if err != nil {
		return nil, err
	}
	var idx []int
	for i := 0; i < n; i++ {
		if m.t.k == kBool && !m.isNull(i) && m.b[m.at(i)] {
			idx = append(idx, i)
		}
	}
	if len(idx) == n {
		rec.Retain()
		return rec, nil
	}
	return takeRows(rec, idx, mem)
}

// projectIter evaluates the output expressions; bare columns pass through.
type projectIter struct {
	in     iter
	exprs  []*bexpr
	schema *arrow.Schema
	mem    memory.Allocator
}

func (p *projectIter) next() (arrow.RecordBatch, error) {
	rec, err := p.in.next()
	if rec == nil || err != nil {
		return nil, err
	}
	defer rec.Release()
	n := int(rec.NumRows())
	ec := newEvalCtx(rec.Columns(), n)
	cols := make([]arrow.Array, len(p.exprs))
	for i, e := range p.exprs {
		if e.op == "col" {
			c := rec.Column(e.col)
			c.Retain()
			cols[i] = c
			continue
		}
		v, err := ec.eval(e)
		if err != nil {
			releaseAll(cols)
			return nil, err
		}
		cols[i] = v.toArrow(p.mem)
	}
	out := array.NewRecordBatch(p.schema, cols, int64(n))
	releaseAll(cols)
	return out, nil
}

func (p *projectIter) release() { p.in.release() }

// dropIter keeps the first keep columns (hidden sort keys go).
type dropIter struct {
	in     iter
	keep   int
	schema *arrow.Schema
}

func (d *dropIter) next() (arrow.RecordBatch, error) {
	rec, err := d.in.next()
	if rec == nil || err != nil {
		return nil, err
	}
	defer rec.Release()
	return array.NewRecordBatch(d.schema, rec.Columns()[:d.keep], rec.NumRows()), nil
}

func (d *dropIter) release() { d.in.release() }

// limitIter skips offset rows and stops after limit (limit < 0: none).
type limitIter struct {
	in            iter
	offset, limit int64
	seen          int64
}

func (l *limitIter) next() (arrow.RecordBatch, error) {
	for {
		if l.limit >= 0 && l.seen >= l.offset+l.limit {
			return nil, nil
		}
		rec, err := l.in.next()
		if rec == nil || err != nil {
			return nil, err
		}
		n := rec.NumRows()
		lo := max(0, l.offset-l.seen)
		hi := n
		if l.limit >= 0 {
			hi = min(n, l.offset+l.limit-l.seen)
		}
		l.seen += n
		if lo >= hi {
			rec.Release()
			continue
		}
		if lo == 0 && hi == n {
			return rec, nil
		}
		out := rec.NewSlice(lo, hi)
		rec.Release()
		return out, nil
	}
}

func (l *limitIter) release() { l.in.release() }

// appendKey appends a hashable encoding of row r of v: equal values (and
// NULLs) encode equally, -0 as 0 and every NaN alike.
func appendKey(buf []byte, v *vec, r int) []byte {
	if v.isNull(r) {
		return append(buf, 0)
	}
	x := v.at(r)
	buf = append(buf, 1)
	switch v.t.k {
	case kBool:
		if v.b[x] {
			return append(buf, 1)
		}
		return append(buf, 0)
	case kInt, kDate, kTs:
		return binary.LittleEndian.AppendUint64(buf, uint64(v.i[x]))
	case kFloat:
		f := v.f[x]
		if f == 0 {
			f = 0
		}
		bits := math.Float64bits(f)
		if math.IsNaN(f) {
			bits = 0x7ff8000000000001
		}
		return binary.LittleEndian.AppendUint64(buf, bits)
	case kDec:
		buf = binary.LittleEndian.AppendUint64(buf, v.d[x].LowBits())
		return binary.LittleEndian.AppendUint64(buf, uint64(v.d[x].HighBits()))
	case kStr:
		buf = binary.AppendUvarint(buf, uint64(len(v.s[x])))
		return append(buf, v.s[x]...)
	case kOther:
		s := v.arr.ValueStr(x)
		buf = binary.AppendUvarint(buf, uint64(len(s)))
		return append(buf, s...)
	}
	return buf
}

// distinctIter drops rows whose first cols columns were seen before.
type distinctIter struct {
	in   iter
	cols int
	seen map[string]struct{}
	mem  memory.Allocator
	buf  []byte
}

func (d *distinctIter) next() (arrow.RecordBatch, error) {
	for {
		rec, err := d.in.next()
		if rec == nil || err != nil {
			return nil, err
		}
		n := int(rec.NumRows())
		vecs := make([]*vec, d.cols)
		for c := range vecs {
			if vecs[c], err = fromArrow(rec.Column(c)); err != nil {
				rec.Release()
				return nil, err
			}
		}
		var keep []int
		for r := 0; r < n; r++ {
			d.buf = d.buf[:0]
			for _, v := range vecs {
				d.buf = appendKey(d.buf, v, r)
			}
			if _, ok := d.seen[string(d.buf)]; !ok {
				d.seen[string(d.buf)] = struct{}{}
				keep = append(keep, r)
			}
		}
		releaseVecs(vecs)
		if len(keep) == 0 {
			rec.Release()
			continue
		}
		out, err := takeRows(rec, keep, d.mem)
		rec.Release()
		return out, err
	}
}

func (d *distinctIter) release() { d.in.release() }

func releaseVecs(vs []*vec) {
	for _, v := range vs {
		if v != nil && v.arr != nil {
			v.arr.Release()
			v.arr = nil
		}
	}
}

// takeRows gathers rows of rec; an index of -1 gives NULLs.
func takeRows(rec arrow.RecordBatch, idx []int, mem memory.Allocator) (arrow.RecordBatch, error) {
	ia := indexArray(idx, mem)
	defer ia.Release()
	cols := make([]arrow.Array, rec.NumCols())
	for c := range cols {
		a, err := takeArray(rec.Column(c), ia, mem)
		if err != nil {
			releaseAll(cols)
			return nil, err
		}
		cols[c] = a
	}
	out := array.NewRecordBatch(rec.Schema(), cols, int64(len(idx)))
	releaseAll(cols)
	return out, nil
}

func indexArray(idx []int, mem memory.Allocator) arrow.Array {
	b := array.NewInt64Builder(mem)
	defer b.Release()
	b.Reserve(len(idx))
	for _, x := range idx {
		if x < 0 {
			b.UnsafeAppendBoolToBitmap(false)
		} else {
			b.UnsafeAppend(int64(x))
		}
	}
	return b.NewArray()
}

func takeArray(values, indices arrow.Array, mem memory.Allocator) (arrow.Array, error) {
	ctx := compute.WithAllocator(context.Background(), mem)
	if values.DataType().ID() == arrow.NULL {
		return array.NewNull(indices.Len()), nil
	}
	return compute.TakeArrayOpts(ctx, values, indices, compute.TakeOptions{BoundsCheck: false})
}

// concatBatches joins batches into one (a zero-row batch when empty).
func concatBatches(schema *arrow.Schema, recs []arrow.RecordBatch, mem memory.Allocator) (arrow.RecordBatch, error) {
	if len(recs) == 1 {
		recs[0].Retain()
		return recs[0], nil
	}
	cols := make([]arrow.Array, schema.NumFields())
	rows := int64(0)
	for _, r := range recs {
		rows += r.NumRows()
	}
	for c := range cols {
		if len(recs) == 0 {
			cols[c] = array.MakeArrayOfNull(mem, schema.Field(c).Type, 0)
			continue
		}
		parts := make([]arrow.Array, len(recs))
		for i, r := range recs {
			parts[i] = r.Column(c)
		}
		a, err := array.Concatenate(parts, mem)
		if err != nil {
			releaseAll(cols)
			return nil, err
		}
		cols[c] = a
	}
	out := array.NewRecordBatch(schema, cols, rows)
	releaseAll(cols)
	return out, nil
}

// sortKey orders by a column of the projected batch.
type sortKey struct {
	col        int
	desc       bool
	nullsFirst bool
}

// sortIter sorts its input; with a limit it keeps only the first limit
// rows as it goes (top-k), so memory stays bounded by limit + a batch.
type sortIter struct {
	in     iter
	keys   []sortKey
	limit  int64 // < 0: all
	schema *arrow.Schema
	mem    memory.Allocator
	ctx    context.Context
	out    arrow.RecordBatch
	pos    int64
	done   bool
}

func (s *sortIter) next() (arrow.RecordBatch, error) {
	if !s.done {
		s.done = true
		if err := s.run(); err != nil {
			return nil, err
		}
	}
	if s.out == nil || s.pos >= s.out.NumRows() {
		return nil, nil
	}
	end := min(s.pos+DefaultBatchSize, s.out.NumRows())
	rec := s.out.NewSlice(s.pos, end)
	s.pos = end
	return rec, nil
}

func (s *sortIter) run() error {
	var held []arrow.RecordBatch
	defer func() {
		for _, r := range held {
			r.Release()
		}
	}()
	heldRows := int64(0)
	for {
		if err := s.ctx.Err(); err != nil {
			return err
		}
		rec, err := s.in.next()
		if err != nil {
			return err
		}
		if rec == nil {
			break
		}
		held = append(held, rec)
		heldRows += rec.NumRows()
		if s.limit >= 0 && heldRows > max(2*s.limit, DefaultBatchSize) {
			best, err := s.sorted(held, s.limit)
			if err != nil {
				return err
			}
			for _, r := range held {
				r.Release()
			}
			held, heldRows = []arrow.RecordBatch{best}, best.NumRows()
		}
	}
	out, err := s.sorted(held, s.limit)
	if err != nil {
		return err
	}
	s.out = out
	return nil
}

// sorted returns the first limit rows (all if limit < 0) of recs in order.
func (s *sortIter) sorted(recs []arrow.RecordBatch, limit int64) (arrow.RecordBatch, error) {
	all, err := concatBatches(s.schema, recs, s.mem)
	if err != nil {
		return nil, err
	}
	defer all.Release()
	n := int(all.NumRows())
	vecs := make([]*vec, len(s.keys))
	for i, k := range s.keys {
		if vecs[i], err = fromArrow(all.Column(k.col)); err != nil {
			return nil, err
		}
	}
	defer releaseVecs(vecs)
	cmps := make([]func(i, j int) int, len(s.keys))
	for i, v := range vecs {
		cmps[i] = comparator(v, v)
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	less := func(a, b int) bool {
		x, y := idx[a], idx[b]
		for i, k := range s.keys {
			v := vecs[i]
			xn, yn := v.isNull(x), v.isNull(y)
			var c int
			switch {
			case xn && yn:
				c = 0
			case xn:
				if k.nullsFirst {
					return true
				}
				return false
			case yn:
				if k.nullsFirst {
					return false
				}
				return true
			default:
				c = cmps[i](x, y)
				if k.desc {
					c = -c
				}
			}
			if c != 0 {
				return c < 0
			}
		}
		return x < y
	}
	sort.SliceStable(idx, less)
	if limit >= 0 && int64(len(idx)) > limit {
		idx = idx[:limit]
	}
	return takeRows(all, idx, s.mem)
}

func (s *sortIter) release() {
	if s.out != nil {
		s.out.Release()
		s.out = nil
	}
	s.in.release()
}
