package engine

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/snapdb/snapdb/internal/arrowunits"
	"github.com/snapdb/snapdb/internal/bufpool"
)

// DefaultBatchSize is the rows per batch when a ScanSpec leaves it zero.
const DefaultBatchSize = 64 * 1024

// limitedBatch is the smallest batch of a filtered scan under a limit.
const limitedBatch = 4096

// ScanSpec says what to read from a table.
type ScanSpec struct {
	// Columns to return, in this order; nil means every column.
	Columns []string
	// Filter keeps the rows for which it is TRUE (not FALSE, not NULL);
	// nil keeps every row.
	Filter Expr
	// Limit stops the scan after this many rows; 0 means no limit.
	Limit int64
	// BatchSize is the most rows per batch; 0 means DefaultBatchSize.
	BatchSize int64
	// Parallelism bounds how many row groups are decoded at once; 0 means
	// GOMAXPROCS.
	Parallelism int
	// Mem allocates the batches; nil means memory.DefaultAllocator.
	Mem memory.Allocator
}

// ScanStats counts what a scan skipped and read.
type ScanStats struct {
	RowGroups        int   // in the table
	RowGroupsPruned  int   // skipped from row-group statistics
	RowGroupsNarrow  int   // read only in part, from the page index
	RowsRead         int64 // rows decoded in the filter columns
	RowsReturned     int64 // rows returned
	RowsLateSkipped  int64 // rows whose non-filter columns were never decoded
	BatchesReturned  int64 // batches returned
	RowsStatsOnlySkp int64 // rows in pruned row groups
}

// Scan reads a table: the rows that pass Filter, the named columns, in
// file order, in batches of at most BatchSize rows. Row groups whose
// statistics rule the filter out are not read, pages excluded by the page
// index are skipped, and columns used only for output are decoded only
// for the rows that passed the filter. Memory is bounded by Parallelism
// times a few batches, whatever the table's size.
//
// The reader must be released; releasing it early stops the scan.
func Scan(ctx context.Context, t *Table, spec ScanSpec) (array.RecordReader, error) {
	sr, err := newScan(ctx, t, spec, nil)
	if err != nil {
		return nil, err
	}
	return sr, nil
}

// scanPlan is a bound scan.
type scanPlan struct {
	t      *Table
	out    []int  // fields returned, in order
	filter *bexpr // over the table scope (field indices), or nil
	fcols  []int  // fields the filter reads
	pcols  []int  // fields returned but not read by the filter
	limit  int64
	batch  int64
	par    int
	mem    memory.Allocator
	schema *arrow.Schema
	units  []scanUnit
	// dictLeaves are Parquet leaf columns read as Arrow dictionaries
	// (only by aggregations, which know to expect them).
	dictLeaves []int
	stats      ScanStats
	pruned     atomic.Int64
	late       atomic.Int64
	readRow    atomic.Int64
}

type scanUnit struct {
	rg     int
	ranges []rng // nil: the whole row group
}

func (t *Table) planScan(spec ScanSpec, filter *bexpr) (*scanPlan, error) {
	p := &scanPlan{t: t, limit: spec.Limit, batch: spec.BatchSize, par: spec.Parallelism, mem: spec.Mem}
	if p.batch <= 0 {
		p.batch = DefaultBatchSize
	}
	if p.par <= 0 {
		p.par = runtime.GOMAXPROCS(0)
	}
	if p.mem == nil {
		p.mem = memory.DefaultAllocator
	}
	if spec.Columns == nil {
		for i := range t.schema.Fields() {
			p.out = append(p.out, i)
		}
	} else {
		for _, c := range spec.Columns {
			i, err := t.columnIndex(c)
			if err != nil {
				return nil, err
			}
			p.out = append(p.out, i)
		}
	}
	if filter == nil && spec.Filter != nil {
		b, err := t.scope(t.name).bind(spec.Filter)
		if err != nil {
			return nil, err
		}
		if b.t.k != kBool && b.t.k != kNull {
			return nil, fmt.Errorf("filter %s is of type %s, not BOOLEAN", spec.Filter, b.t)
		}
		filter = b
	}
	p.filter = filter
	if p.limit > 0 {
		// Workers decode ahead of the reader; under a limit they should
		// not decode much more than it needs. Without a filter a batch of
		// limit rows is exactly enough; with one, batches stay big enough
		// to keep a selective filter's per-batch cost low.
		if filter == nil {
			p.batch = min(p.batch, p.limit)
		} else {
			p.batch = min(p.batch, max(p.limit, limitedBatch))
		}
	}
	inF := map[int]bool{}
	if filter != nil {
		for _, c := range columnsOf(filter, nil) {
			if !inF[c] {
				inF[c] = true
				p.fcols = append(p.fcols, c)
			}
		}
	}
	seen := map[int]bool{}
	for _, c := range p.out {
		if !inF[c] && !seen[c] {
			seen[c] = true
			p.pcols = append(p.pcols, c)
		}
	}
	fields := make([]arrow.Field, len(p.out))
	for i, c := range p.out {
		fields[i] = t.schema.Field(c)
	}
	p.schema = arrow.NewSchema(fields, nil)
	// Row groups and pages.
	n := t.meta.NumRowGroups()
	p.stats.RowGroups = n
	ident := make([]int, t.schema.NumFields())
	for i := range ident {
		ident[i] = i
	}
	for rg := 0; rg < n; rg++ {
		if t.meta.RowGroup(rg).NumRows() == 0 {
			continue
		}
		if filter != nil {
			if !mayMatch(filter, func(c int) *colStats { return t.rowGroupStats(rg, c) }) {
				p.stats.RowGroupsPruned++
				p.stats.RowsStatsOnlySkp += t.meta.RowGroup(rg).NumRows()
				continue
			}
			r := t.pageRanges(filter, rg, ident)
			if r != nil && len(r) == 0 {
				p.stats.RowGroupsPruned++
				continue
			}
			if r != nil {
				p.stats.RowGroupsNarrow++
			}
			p.units = append(p.units, scanUnit{rg: rg, ranges: r})
			continue
		}
		p.units = append(p.units, scanUnit{rg: rg})
	}
	return p, nil
}

// columnsOf appends the columns b reads.
func columnsOf(b *bexpr, acc []int) []int {
	if b.op == "col" {
		return append(acc, b.col)
	}
	for _, a := range b.args {
		acc = columnsOf(a, acc)
	}
	return acc
}

// scanReader runs a scanPlan: workers decode units in parallel, the
// reader hands their batches out in unit order.
type scanReader struct {
	refs    atomic.Int64
	p       *scanPlan
	parent  context.Context
	ctx     context.Context
	cancel  context.CancelFunc
	pending chan chan result
	cur     chan result
	rec     arrow.RecordBatch
	err     error
	emitted int64
	done    bool
	wg      sync.WaitGroup
}

type result struct {
	rec arrow.RecordBatch
	err error
}

func newScan(ctx context.Context, t *Table, spec ScanSpec, filter *bexpr) (*scanReader, error) {
	p, err := t.planScan(spec, filter)
	if err != nil {
		return nil, err
	}
	return startScan(ctx, p), nil
}

// startScan starts the workers of a planned scan.
func startScan(ctx context.Context, p *scanPlan) *scanReader {
	sctx, cancel := context.WithCancel(ctx)
	s := &scanReader{p: p, parent: ctx, ctx: sctx, cancel: cancel, pending: make(chan chan result, p.par)}
	s.refs.Store(1)
	s.wg.Add(1)
	go s.dispatch()
	return s
}

func (s *scanReader) dispatch() {
	defer s.wg.Done()
	defer close(s.pending)
	sem := make(chan struct{}, s.p.par)
	for _, u := range s.p.units {
		select {
		case sem <- struct{}{}:
		case <-s.ctx.Done():
			return
		}
		// Each worker queues up to 4 batches ahead of the reader, or one
		// under a limit, which may need no more.
		depth := 4
		if s.p.limit > 0 {
			depth = 1
		}
		ch := make(chan result, depth)
		select {
		case s.pending <- ch:
		case <-s.ctx.Done():
			<-sem
			return
		}
		s.wg.Add(1)
		go func(u scanUnit) {
			defer s.wg.Done()
			defer func() { <-sem }()
			defer close(ch)
			err := s.p.runUnit(s.ctx, u, func(rec arrow.RecordBatch) bool {
				select {
				case ch <- result{rec: rec}:
					return true
				case <-s.ctx.Done():
					rec.Release()
					return false
				}
			})
			if err != nil && !errors.Is(err, context.Canceled) {
				select {
				case ch <- result{err: err}:
				case <-s.ctx.Done():
				}
			}
		}(u)
	}
}

func (s *scanReader) Schema() *arrow.Schema { return s.p.schema }

func (s *scanReader) Next() bool {
	if s.rec != nil {
		s.rec.Release()
		s.rec = nil
	}
	for !s.done {
		if s.p.limit > 0 && s.emitted >= s.p.limit {
			s.finish()
			return false
		}
		if s.cur == nil {
			ch, ok := <-s.pending
			if !ok {
				if err := s.parent.Err(); err != nil && s.err == nil {
					s.err = err
				}
				s.finish()
				return false
			}
			s.cur = ch
		}
		r, ok := <-s.cur
		if !ok {
			s.cur = nil
			continue
		}
		if r.err != nil {
			s.err = r.err
			s.finish()
			return false
		}
		if s.p.limit > 0 && s.emitted+r.rec.NumRows() > s.p.limit {
			cut := r.rec.NewSlice(0, s.p.limit-s.emitted)
			r.rec.Release()
			r.rec = cut
		}
		s.emitted += r.rec.NumRows()
		s.rec = r.rec
		return true
	}
	return false
}

// finish stops the workers and drops what they had queued.
func (s *scanReader) finish() {
	if s.done {
		return
	}
	s.done = true
	s.cancel()
	// Drain the queued units concurrently (a worker may be blocked on a
	// full channel until its batch is taken), then wait for the drain too:
	// when finish returns, every batch the workers made is released, so a
	// released reader holds no memory.
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		for ch := range s.pending {
			for r := range ch {
				if r.rec != nil {
					r.rec.Release()
				}
			}
		}
	}()
	if s.cur != nil {
		for r := range s.cur {
			if r.rec != nil {
				r.rec.Release()
			}
		}
		s.cur = nil
	}
	s.wg.Wait()
	<-drained
}

func (s *scanReader) RecordBatch() arrow.RecordBatch { return s.rec }

// Record is RecordBatch, for the deprecated interface method.
func (s *scanReader) Record() arrow.RecordBatch { return s.rec }

func (s *scanReader) Err() error { return s.err }

func (s *scanReader) Retain() { s.refs.Add(1) }

func (s *scanReader) Release() {
	if s.refs.Add(-1) == 0 {
		if s.rec != nil {
			s.rec.Release()
			s.rec = nil
		}
		s.finish()
	}
}

// leavesOf lists the Parquet leaf columns of fields.
func (p *scanPlan) leavesOf(fields []int) []int {
	var out []int
	for _, f := range fields {
		out = append(out, p.t.leaves[f]...)
	}
	return out
}

// runUnit reads one row group (or its page ranges), filters it and emits
// batches of the output columns. emit returns false to stop.
func (p *scanPlan) runUnit(ctx context.Context, u scanUnit, emit func(arrow.RecordBatch) bool) error {
	pr, err := p.fileReader()
	if err != nil {
		return err
	}
	fr, err := p.arrowReader(pr, p.batch)
	if err != nil {
		return err
	}
	rows := p.t.meta.RowGroup(u.rg).NumRows()
	ranges := u.ranges
	if ranges == nil {
		ranges = []rng{{0, rows}}
	}
	first := p.pcols
	if p.filter != nil {
		first = p.fcols
	}
	var rdF, rdP, rdS *colReader
	if len(first) > 0 {
		if rdF, err = newColReader(ctx, fr, p, first, u.rg); err != nil {
			return err
		}
		defer rdF.release()
	}
	if p.filter != nil && len(p.pcols) > 0 {
		if rdP, err = newColReader(ctx, fr, p, p.pcols, u.rg); err != nil {
			return err
		}
		defer rdP.release()
	}
	for _, r := range ranges {
		pos := r.lo
		for pos < r.hi {
			if err := ctx.Err(); err != nil {
				return err
			}
			want := min(p.batch, r.hi-pos)
			var cols []arrow.Array
			if rdF != nil {
				cols, err = rdF.read(pos, want)
				if err != nil {
					return err
				}
			}
			n := want
			start := pos
			pos += n
			if p.filter == nil {
				if !emit(p.assemble(n, cols, nil, nil, 0, int(n))) {
					return nil
				}
				continue
			}
			p.readRow.Add(n)
			ec := newEvalCtx(p.scopeColumns(cols), int(n))
			mask, err := ec.eval(p.filter)
			if err != nil {
				releaseAll(cols)
				return fmt.Errorf("table %s: %w", p.t.name, err)
			}
			a, b, count := selected(mask, int(n))
			if count == 0 {
				releaseAll(cols)
				p.late.Add(n)
				continue
			}
			var pcols []arrow.Array
			if rdP != nil {
				// A dense selection reads whole batches, so the reader
				// stays in step with the filter columns; a sparse one
				// seeks to the rows it needs.
				if int64(b-a) > n/4 {
					full, err := rdP.read(start, n)
					if err != nil {
						releaseAll(cols)
						return err
					}
					pcols = make([]arrow.Array, len(full))
					for i, f := range full {
						pcols[i] = array.NewSlice(f, int64(a), int64(b))
					}
					releaseAll(full)
				} else {
					// A small-batch reader decodes only the pages and
					// rows around the selection.
					if rdS == nil {
						if rdS, err = p.sparseReader(ctx, u.rg); err != nil {
							releaseAll(cols)
							return err
						}
						defer rdS.release()
					}
					p.late.Add(n - int64(b-a))
					pcols, err = rdS.readSpan(start+int64(a), int64(b-a))
					if err != nil {
						releaseAll(cols)
						return err
					}
				}
			}
			rec := p.assemble(n, cols, pcols, mask, a, b)
			releaseAll(cols)
			releaseAll(pcols)
			if rec == nil {
				continue
			}
			if !emit(rec) {
				return nil
			}
		}
	}
	return nil
}

// scopeColumns places the filter columns read at their field positions.
func (p *scanPlan) scopeColumns(fcols []arrow.Array) []arrow.Array {
	all := make([]arrow.Array, p.t.schema.NumFields())
	for i, c := range p.fcols {
		all[c] = fcols[i]
	}
	return all
}

// selected returns the first and one-past-last TRUE rows of a mask and
// how many rows are TRUE.
func selected(mask *vec, n int) (a, b, count int) {
	a = -1
	for i := 0; i < n; i++ {
		if !mask.isNull(i) && mask.b[mask.at(i)] {
			if a < 0 {
				a = i
			}
			b = i + 1
			count++
		}
	}
	return a, b, count
}

// assemble builds an output batch. Without a mask, cols are the output
// columns' readers' arrays in p.pcols order. With a mask, fcols hold rows
// [0, n) of the filter columns, pcols rows [a, b) of the others, and the
// TRUE rows of mask (all within [a, b)) are kept.
func (p *scanPlan) assemble(n int64, fcols, pcols []arrow.Array, mask *vec, a, b int) arrow.RecordBatch {
	out := make([]arrow.Array, len(p.out))
	if mask == nil {
		for i, f := range p.out {
			for j, c := range p.pcols {
				if c == f {
					out[i] = fcols[j]
				}
			}
		}
		schema := p.schema
		if len(p.dictLeaves) > 0 { // some columns are dictionaries
			fields := make([]arrow.Field, len(out))
			for i, c := range out {
				fields[i] = arrow.Field{Name: p.schema.Field(i).Name, Type: c.DataType(), Nullable: true}
			}
			schema = arrow.NewSchema(fields, nil)
		}
		rec := array.NewRecordBatch(schema, out, n)
		releaseAll(fcols)
		return rec
	}
	all := true
	for i := a; i < b; i++ {
		if mask.isNull(i) || !mask.b[mask.at(i)] {
			all = false
			break
		}
	}
	// The kept rows are gathered with take: arrow-go's filter kernel
	// loses the values of sliced boolean arrays.
	var keep arrow.Array
	if !all {
		idx := make([]int, 0, b-a)
		for i := a; i < b; i++ {
			if !mask.isNull(i) && mask.b[mask.at(i)] {
				idx = append(idx, i-a)
			}
		}
		keep = indexArray(idx, p.mem)
		defer keep.Release()
	}
	for i, f := range p.out {
		var src arrow.Array
		for j, c := range p.fcols {
			if c == f {
				src = array.NewSlice(fcols[j], int64(a), int64(b))
			}
		}
		for j, c := range p.pcols {
			if c == f {
				src = pcols[j]
				src.Retain()
			}
		}
		if keep != nil {
			taken, err := takeArray(src, keep, p.mem)
			src.Release()
			if err != nil {
				releaseAll(out[:i])
				return nil
			}
			src = taken
		}
		out[i] = src
	}
	rows := int64(b - a)
	if keep != nil {
		rows = 0
		for i := a; i < b; i++ {
			if !mask.isNull(i) && mask.b[mask.at(i)] {
				rows++
			}
		}
	}
	rec := array.NewRecordBatch(p.schema, out, rows)
	releaseAll(out)
	return rec
}

func releaseAll(as []arrow.Array) {
	for _, a := range as {
		if a != nil {
			a.Release()
		}
	}
}

// colReader reads some fields of one row group by row position, seeking
// through the page index when it has to skip, and keeps the last batch
// so that the same rows can be asked for twice.
type colReader struct {
	p      *scanPlan
	fields []int
	rr     pqarrow.RecordReader
	pos    int64 // the row the reader's next batch starts at
	// the last batch read: rows [lastAt, lastAt+last.NumRows())
	last   []arrow.Array
	lastAt int64
	lastN  int64
}

// pagePool allocates the page readers' buffers (a column chunk's
// compressed, decompressed and dictionary pages), which a scan opens and
// drops once per column chunk: a freed buffer goes to the next chunk as it
// is. They need no clearing: arrow-go fills a page buffer completely (a
// decompressed page must have the length its header gives, a compressed
// one is read in full) before anything reads it; decoded values never live
// there, the arrays a scan returns come from the scan's own allocator.
var pagePool = &bufpool.Pool{NoZero: true}

// fileReader opens the table's file for one unit. Pages are streamed
// through a small buffer rather than each column chunk read whole: pages
// a seek skips are never read, and a page's bytes go straight from the
// file into the page reader's buffer (a whole-chunk read would copy them
// twice). The page readers' scratch buffers come from pages; the decoded
// arrays from the scan's allocator.
func (p *scanPlan) fileReader() (*file.Reader, error) {
	props := parquet.NewReaderProperties(pagePool)
	props.BufferedStreamEnabled = true
	props.BufferSize = 64 << 10
	return file.NewParquetReader(p.t.src, file.WithReadProps(props), file.WithMetadata(p.t.meta))
}

// arrowReader reads pr's columns as Arrow arrays in batches of batch
// rows, p.dictLeaves as dictionaries.
func (p *scanPlan) arrowReader(pr *file.Reader, batch int64) (*pqarrow.FileReader, error) {
	// Binary builders reserve their data from the column chunk's size
	// instead of doubling as they go.
	props := pqarrow.ArrowReadProperties{BatchSize: batch, PreAllocBinaryData: true}
	for _, l := range p.dictLeaves {
		props.SetReadDict(l, true)
	}
	return pqarrow.NewFileReader(pr, props, p.mem)
}

// sparseBatch is the batch size of the reader that fetches the few rows a
// selective filter keeps.
const sparseBatch = 1024

func (p *scanPlan) sparseReader(ctx context.Context, rg int) (*colReader, error) {
	pr, err := p.fileReader()
	if err != nil {
		return nil, err
	}
	fr, err := pqarrow.NewFileReader(pr, pqarrow.ArrowReadProperties{BatchSize: sparseBatch}, p.mem)
	if err != nil {
		return nil, err
	}
	return newColReader(ctx, fr, p, p.pcols, rg)
}

// readSpan returns rows [at, at+n) for any n, reading as many batches as
// it takes and joining them.
func (c *colReader) readSpan(at, n int64) ([]arrow.Array, error) {
	var parts [][]arrow.Array
	for done := int64(0); done < n; {
		want := min(n-done, sparseBatch)
		if c.lastAt >= 0 && at+done >= c.lastAt && at+done < c.lastAt+c.lastN {
			want = min(n-done, c.lastAt+c.lastN-(at+done)) // the rest of the cached batch
		}
		got, err := c.read(at+done, want)
		if err != nil {
			for _, p := range parts {
				releaseAll(p)
			}
			return nil, err
		}
		parts = append(parts, got)
		done += want
	}
	if len(parts) == 1 {
		return parts[0], nil
	}
	out := make([]arrow.Array, len(c.fields))
	for i := range out {
		cols := make([]arrow.Array, len(parts))
		for j, p := range parts {
			cols[j] = p[i]
		}
		joined, err := array.Concatenate(cols, c.p.mem)
		if err != nil {
			releaseAll(out[:i])
			for _, p := range parts {
				releaseAll(p)
			}
			return nil, err
		}
		out[i] = joined
	}
	for _, p := range parts {
		releaseAll(p)
	}
	return out, nil
}

func newColReader(ctx context.Context, fr *pqarrow.FileReader, p *scanPlan, fields []int, rg int) (*colReader, error) {
	rr, err := fr.GetRecordReader(ctx, p.leavesOf(fields), []int{rg})
	if err != nil {
		return nil, err
	}
	return &colReader{p: p, fields: fields, rr: rr, lastAt: -1}, nil
}

func (c *colReader) release() {
	releaseAll(c.last)
	c.rr.Release()
}

// read returns rows [at, at+n) of the fields, n ≤ the batch size. The
// caller releases the arrays.
func (c *colReader) read(at, n int64) ([]arrow.Array, error) {
	if c.lastAt >= 0 && at >= c.lastAt && at+n <= c.lastAt+c.lastN {
		return c.slice(at, n), nil
	}
	if at != c.pos {
		if err := c.rr.SeekToRow(at); err != nil {
			return nil, fmt.Errorf("table %s: seek to row %d: %w", c.p.t.name, at, err)
		}
		c.pos = at
	}
	if !c.rr.Next() {
		if err := c.rr.Err(); err != nil {
			return nil, fmt.Errorf("table %s: %w", c.p.t.name, err)
		}
		return nil, fmt.Errorf("table %s: row group ended before row %d", c.p.t.name, at)
	}
	rec := c.rr.RecordBatch()
	releaseAll(c.last)
	c.last = make([]arrow.Array, len(c.fields))
	for i, f := range c.fields {
		col := rec.Column(i)
		want := c.p.t.schema.Field(f).Type
		if !arrow.TypeEqual(col.DataType(), want) && arrowunits.Restorable(col.DataType(), want) {
			d := arrowunits.RestoreData(c.p.mem, col.Data(), want)
			c.last[i] = array.MakeFromData(d)
			d.Release()
		} else {
			col.Retain()
			c.last[i] = col
		}
	}
	c.lastAt, c.lastN = c.pos, rec.NumRows()
	c.pos += rec.NumRows()
	if at+n > c.lastAt+c.lastN {
		return nil, fmt.Errorf("table %s: short read at row %d", c.p.t.name, at)
	}
	return c.slice(at, n), nil
}

func (c *colReader) slice(at, n int64) []arrow.Array {
	out := make([]arrow.Array, len(c.last))
	off := at - c.lastAt
	for i, a := range c.last {
		if off == 0 && n == int64(a.Len()) {
			a.Retain()
			out[i] = a
		} else {
			out[i] = array.NewSlice(a, off, off+n)
		}
	}
	return out
}
