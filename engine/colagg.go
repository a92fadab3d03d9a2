package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
)

// Column-at-a-time aggregation: when every aggregate is a plain count,
// sum, avg, min or max of a bare BIGINT, DOUBLE or VARCHAR column, a
// worker first computes the group of every row of a row group from the
// key columns (-1 for rows the WHERE drops, evaluated on the filter
// columns), then folds each aggregated column into the accumulators
// straight from the Parquet pages: values are never copied into Arrow
// arrays, and strings are compared where they lie in the decompressed
// page (those kept as a minimum or maximum are copied).

// colAgg is one column the aggregates read and the aggregates that read
// it.
type colAgg struct {
	leaf   int
	maxDef int16
	k      kind
	aggs   []int // in aggState.accs
}

// columnwisePlan returns the columns to fold for an aggregation over p,
// and the key fields (scope columns), or ok false when the aggregation
// does not qualify.
func columnwisePlan(p *scanPlan, ag *aggPlan) (cols []colAgg, keys []int, ok bool) {
	if p.limit > 0 {
		return nil, nil, false
	}
	// A filter is evaluated on whole row groups: not when the page index
	// would let a scan skip pages.
	for _, u := range p.units {
		if u.ranges != nil {
			return nil, nil, false
		}
	}
	byCol := map[int]int{}
	for ai, a := range ag.aggs {
		if a.star {
			continue
		}
		if a.distinct || a.arg.op != "col" {
			return nil, nil, false
		}
		f := p.out[a.arg.col]
		leaf, k, maxDef, ok := plainLeaf(p.t, f)
		if !ok {
			return nil, nil, false
		}
		switch {
		case a.fn == "count", a.fn == "min", a.fn == "max":
		case (a.fn == "sum" || a.fn == "avg") && (k == kInt || k == kFloat):
		default:
			return nil, nil, false
		}
		i, seen := byCol[a.arg.col]
		if !seen {
			i = len(cols)
			byCol[a.arg.col] = i
			cols = append(cols, colAgg{leaf: leaf, maxDef: maxDef, k: k})
		}
		cols[i].aggs = append(cols[i].aggs, ai)
	}
	seen := map[int]bool{}
	for _, g := range ag.groups {
		for _, c := range columnsOf(g, nil) {
			if !seen[c] {
				seen[c] = true
				keys = append(keys, c)
			}
		}
	}
	return cols, keys, true
}

// plainLeaf returns the Parquet leaf of field f when it is a flat INT64
// read as int64, DOUBLE as float64 or BYTE_ARRAY as a string.
func plainLeaf(t *Table, f int) (leaf int, k kind, maxDef int16, ok bool) {
	if len(t.leaves[f]) != 1 || !arrow.TypeEqual(t.schema.Field(f).Type, t.stored.Field(f).Type) {
		return 0, 0, 0, false
	}
	leaf = t.leaves[f][0]
	descr := t.meta.Schema.Column(leaf)
	if descr.MaxRepetitionLevel() != 0 {
		return 0, 0, 0, false
	}
	phys := descr.PhysicalType()
	switch t.schema.Field(f).Type.ID() {
	case arrow.INT64:
		ok, k = phys == parquet.Types.Int64, kInt
	case arrow.FLOAT64:
		ok, k = phys == parquet.Types.Double, kFloat
	case arrow.STRING:
		ok, k = phys == parquet.Types.ByteArray, kStr
	}
	return leaf, k, descr.MaxDefinitionLevel(), ok
}

// colScratch is a worker's buffers for aggUnitColumns.
type colScratch struct {
	gid  []int32
	vg   []int32
	defs []int16
	ints []int64
	flts []float64
	strs []parquet.ByteArray
}

// aggUnitColumns folds unit ui into st, column at a time.
func (p *scanPlan) aggUnitColumns(ctx context.Context, ui int, st *aggState, cols []colAgg, keys []int, sc *colScratch) error {
	u := p.units[ui]
	rows := p.t.meta.RowGroup(u.rg).NumRows()
	if int64(cap(sc.gid)) < rows {
		sc.gid = make([]int32, rows)
	}
	gid := sc.gid[:rows]
	base := int64(ui) << unitShift
	pr, err := p.fileReader()
	if err != nil {
		return err
	}
	if len(st.p.groups) == 0 && p.filter == nil {
		if st.ngroups == 0 {
			st.base = base
			st.newGroup(nil, 0)
		}
		clear(gid)
	} else if err := p.groupRowGroup(ctx, pr, ui, st, keys, gid); err != nil {
		return err
	}
	for _, a := range st.accs {
		if a.s.star {
			for _, g := range gid {
				if g >= 0 {
					a.count[g]++
				}
			}
		}
	}
	batch := p.batch
	if int64(len(sc.defs)) < batch {
		sc.defs = make([]int16, batch)
		sc.vg = make([]int32, batch)
	}
	rg := pr.RowGroup(u.rg)
	for _, c := range cols {
		cr, err := rg.Column(c.leaf)
		if err != nil {
			return fmt.Errorf("table %s: %w", p.t.name, err)
		}
		err = foldColumn(ctx, p, u, cr, c, st, gid, sc, rows)
		cr.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// foldColumn folds one column chunk into the aggregates that read it.
func foldColumn(ctx context.Context, p *scanPlan, u scanUnit, cr file.ColumnChunkReader, c colAgg, st *aggState, gid []int32, sc *colScratch, rows int64) error {
	batch := p.batch
	var err error
	for pos := int64(0); pos < rows; {
		if err := ctx.Err(); err != nil {
			return err
		}
		var total int64
		var nv int
		switch r := cr.(type) {
		case *file.Int64ColumnChunkReader:
			if int64(len(sc.ints)) < batch {
				sc.ints = make([]int64, batch)
			}
			total, nv, err = r.ReadBatchInPage(batch, sc.ints, sc.defs, nil)
		case *file.Float64ColumnChunkReader:
			if int64(len(sc.flts)) < batch {
				sc.flts = make([]float64, batch)
			}
			total, nv, err = r.ReadBatchInPage(batch, sc.flts, sc.defs, nil)
		case *file.ByteArrayColumnChunkReader:
			if int64(len(sc.strs)) < batch {
				sc.strs = make([]parquet.ByteArray, batch)
			}
			total, nv, err = r.ReadBatchInPage(batch, sc.strs, sc.defs, nil)
		default:
			err = fmt.Errorf("unexpected column reader %T", cr)
		}
		if err != nil {
			return fmt.Errorf("table %s: %w", p.t.name, err)
		}
		if total == 0 {
			return fmt.Errorf("table %s: row group %d ended at row %d of %d", p.t.name, u.rg, pos, rows)
		}
		// The groups of the rows that have a value.
		vg := gid[pos : pos+total]
		if c.maxDef > 0 && int64(nv) < total {
			vg = sc.vg[:0]
			for i, d := range sc.defs[:total] {
				if d == c.maxDef {
					vg = append(vg, gid[pos+int64(i)])
				}
			}
		}
		if len(vg) != nv {
			return fmt.Errorf("table %s: %d values for %d non-NULL rows", p.t.name, nv, len(vg))
		}
		for _, ai := range c.aggs {
			a := st.accs[ai]
			switch c.k {
			case kInt:
				a.foldInts(sc.ints[:nv], vg)
			case kFloat:
				a.foldFloats(sc.flts[:nv], vg)
			case kStr:
				a.foldStrings(sc.strs[:nv], vg)
			}
		}
		pos += total
	}
	return nil
}

// groupRowGroup sets gid to the groups of the rows of unit ui, or -1 for
// rows the scan's filter drops, reading the key and filter columns
// through Arrow (a key as a dictionary when dictKeyLeaves says so).
func (p *scanPlan) groupRowGroup(ctx context.Context, pr *file.Reader, ui int, st *aggState, keys []int, gid []int32) error {
	var fields []int
	at := map[int]int{} // a field's position in fields
	use := func(f int) {
		if _, ok := at[f]; !ok {
			at[f] = len(fields)
			fields = append(fields, f)
		}
	}
	for _, k := range keys {
		use(p.out[k])
	}
	if p.filter != nil {
		for _, f := range p.fcols {
			use(f)
		}
	}
	fr, err := p.arrowReader(pr, p.batch)
	if err != nil {
		return err
	}
	rd, err := newColReader(ctx, fr, p, fields, p.units[ui].rg)
	if err != nil {
		return err
	}
	defer rd.release()
	all := make([]arrow.Array, len(p.out))             // the keys, in the aggregation's scope
	tbl := make([]arrow.Array, p.t.schema.NumFields()) // the filter's columns, in the table's
	rows := int64(len(gid))
	var kept []int
	var keptGid []int32
	for pos := int64(0); pos < rows; {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := min(p.batch, rows-pos)
		got, err := rd.read(pos, n)
		if err != nil {
			return err
		}
		for _, k := range keys {
			all[k] = got[at[p.out[k]]]
		}
		st.base = int64(ui)<<unitShift + pos
		sel := gid[pos : pos+n]
		if p.filter == nil {
			_, err = st.groupIDs(all, int(n), sel)
		} else {
			for _, f := range p.fcols {
				tbl[f] = got[at[f]]
			}
			kept, err = filterRows(p, tbl, int(n), kept[:0])
			if err == nil {
				keptGid, err = st.groupKept(all, keys, int(n), kept, sel, keptGid, p.mem)
			}
		}
		releaseAll(got)
		if err != nil {
			return err
		}
		pos += n
	}
	return nil
}

// filterRows appends to kept the rows of a batch of n rows (cols in the
// table's scope) for which the scan's filter is TRUE.
func filterRows(p *scanPlan, cols []arrow.Array, n int, kept []int) ([]int, error) {
	mask, err := newEvalCtx(cols, n).eval(p.filter)
	if err != nil {
		return nil, fmt.Errorf("table %s: %w", p.t.name, err)
	}
	for r := 0; r < n; r++ {
		if !mask.isNull(r) && mask.b[mask.at(r)] {
			kept = append(kept, r)
		}
	}
	return kept, nil
}

// groupKept sets sel to the groups of the kept rows of a batch of n rows
// and to -1 elsewhere; buf is scratch, returned for reuse.
func (st *aggState) groupKept(all []arrow.Array, keys []int, n int, kept []int, sel, buf []int32, mem memory.Allocator) ([]int32, error) {
	if len(kept) == n {
		_, err := st.groupIDs(all, n, sel)
		return buf, err
	}
	for r := range sel {
		sel[r] = -1
	}
	if len(kept) == 0 {
		return buf, nil
	}
	if len(keys) == 1 && st.p.groups[0].op == "col" {
		if d, ok := all[keys[0]].(*array.Dictionary); ok {
			// Only the kept rows' dictionary entries become groups.
			for _, r := range kept {
				sel[r] = 0
			}
			st.keepDropped = true
			st.stringGroups(d, sel)
			st.keepDropped = false
			return buf, nil
		}
	}
	// The kept rows of the key columns, grouped, then put in place. Their
	// first rows are counted within the kept rows, which keeps them in
	// order.
	taken := make([]arrow.Array, len(all))
	ix := indexArray(kept, mem)
	defer ix.Release()
	defer releaseAll(taken)
	for _, k := range keys {
		t, err := takeArray(all[k], ix, mem)
		if err != nil {
			return buf, err
		}
		taken[k] = t
	}
	buf = slices.Grow(buf[:0], len(kept))[:len(kept)]
	if _, err := st.groupIDs(taken, len(kept), buf); err != nil {
		return buf, err
	}
	for i, r := range kept {
		sel[r] = buf[i]
	}
	return buf, nil
}

func (a *accum) foldInts(vals []int64, vg []int32) {
	switch a.s.fn {
	case "count":
		a.foldCount(vg)
	case "sum", "avg":
		for i, g := range vg {
			if g < 0 {
				continue
			}
			a.has[g] = true
			a.count[g]++
			a.d[g] = a.d[g].Add(decimal128.FromI64(vals[i]))
		}
	case "min", "max":
		less := a.s.fn == "min"
		for i, g := range vg {
			if g < 0 {
				continue
			}
			x := vals[i]
			if !a.has[g] || (x < a.i[g]) == less && x != a.i[g] {
				a.i[g] = x
			}
			a.has[g] = true
			a.count[g]++
		}
	}
}

func (a *accum) foldFloats(vals []float64, vg []int32) {
	switch a.s.fn {
	case "count":
		a.foldCount(vg)
	case "sum", "avg":
		for i, g := range vg {
			if g < 0 {
				continue
			}
			a.has[g] = true
			a.count[g]++
			a.f[g] += vals[i]
		}
	case "min", "max":
		less := a.s.fn == "min"
		for i, g := range vg {
			if g < 0 {
				continue
			}
			x := vals[i]
			if c := floatCmp(x, a.f[g]); !a.has[g] || (c < 0) == less && c != 0 {
				a.f[g] = x
			}
			a.has[g] = true
			a.count[g]++
		}
	}
}

func (a *accum) foldStrings(vals []parquet.ByteArray, vg []int32) {
	switch a.s.fn {
	case "count":
		a.foldCount(vg)
	case "min", "max":
		less := a.s.fn == "min"
		for i, g := range vg {
			if g < 0 {
				continue
			}
			x := unsafe.String(unsafe.SliceData(vals[i]), len(vals[i]))
			if !a.has[g] {
				a.str[g] = strings.Clone(x)
			} else if c := strings.Compare(x, a.str[g]); c != 0 && (c < 0) == less {
				a.str[g] = strings.Clone(x)
			}
			a.has[g] = true
			a.count[g]++
		}
	}
}

func (a *accum) foldCount(vg []int32) {
	for _, g := range vg {
		if g < 0 {
			continue
		}
		a.has[g] = true
		a.count[g]++
	}
}
