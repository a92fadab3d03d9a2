package engine

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// boundRef is an expression already bound to a column of a scope: the
// output of a grouping key or an aggregate.
type boundRef struct {
	idx  int
	t    typ
	text string
}

func (b *boundRef) String() string { return b.text }
func (*boundRef) node()            {}

// aggSpec is one aggregate call.
type aggSpec struct {
	fn       string // count, sum, min, max, avg
	star     bool
	distinct bool
	arg      *bexpr
	out      typ
	key      string
}

// aggPlan is a GROUP BY: its keys and aggregates, bound against the input
// scope, and the scope of its output (keys, then aggregates).
type aggPlan struct {
	in     *scope
	groups []*bexpr
	gkeys  []string
	gtext  []string
	aggs   []*aggSpec
	out    *scope
}

func newAggPlan(in *scope, groups []Expr) (*aggPlan, error) {
	ag := &aggPlan{in: in, out: &scope{}}
	for _, g := range groups {
		if hasAggregate(g) {
			return nil, errorf(exprPos(g), "aggregates are not allowed in GROUP BY: %s", g)
		}
		b, err := in.bind(g)
		if err != nil {
			return nil, err
		}
		if b.t.k == kOther {
			return nil, errorf(exprPos(g), "cannot GROUP BY %s of type %s", g, b.t)
		}
		ag.groups = append(ag.groups, b)
		ag.gkeys = append(ag.gkeys, exprKey(b))
		ag.gtext = append(ag.gtext, g.String())
		col := column{name: g.String(), t: b.t}
		if b.op == "col" {
			col.qual, col.name = in.cols[b.col].qual, in.cols[b.col].name
		}
		ag.out.cols = append(ag.out.cols, col)
	}
	return ag, nil
}

// rewrite replaces, in an expression over the input, the grouping keys
// and aggregates by references to the aggregation's output.
func (ag *aggPlan) rewrite(e Expr) (Expr, error) {
	if c, ok := e.(*callExpr); ok && isAggregate(c.op) {
		return ag.aggregate(c)
	}
	if !hasAggregate(e) {
		if b, err := ag.in.bind(e); err == nil {
			k := exprKey(b)
			for i, gk := range ag.gkeys {
				if gk == k {
					return &boundRef{idx: i, t: ag.groups[i].t, text: e.String()}, nil
				}
			}
			if b.isConst() {
				return e, nil
			}
		} else if _, isCol := e.(*colExpr); isCol {
			return nil, err
		}
	}
	switch x := e.(type) {
	case *colExpr:
		return nil, errorf(x.pos, "column %s must appear in GROUP BY or be used in an aggregate function", x)
	case *callExpr:
		cp := *x
		cp.args = make([]Expr, len(x.args))
		for i, a := range x.args {
			r, err := ag.rewrite(a)
			if err != nil {
				return nil, err
			}
			cp.args[i] = r
		}
		return &cp, nil
	}
	return e, nil
}

func (ag *aggPlan) aggregate(c *callExpr) (Expr, error) {
	s := &aggSpec{fn: c.op, star: c.star, distinct: c.distinct}
	if !c.star {
		if hasAggregate(c.args[0]) {
			return nil, errorf(c.pos, "aggregates cannot be nested: %s", c)
		}
		b, err := ag.in.bind(c.args[0])
		if err != nil {
			return nil, err
		}
		if b.t.k == kOther {
			return nil, errorf(c.pos, "%s of type %s is not supported", c, b.t)
		}
		s.arg = b
	}
	switch s.fn {
	case "count":
		s.out = tInt
	case "sum":
		switch s.arg.t.k {
		case kInt, kNull:
			s.out = typ{k: kDec, prec: 38} // HUGEINT, as DuckDB
		case kDec:
			s.out = typ{k: kDec, prec: 38, scale: s.arg.t.scale}
		case kFloat:
			s.out = tFloat
		default:
			return nil, errorf(c.pos, "sum needs numbers, not %s", s.arg.t)
		}
	case "avg":
		if !s.arg.t.numeric() && s.arg.t.k != kNull {
			return nil, errorf(c.pos, "avg needs numbers, not %s", s.arg.t)
		}
		s.out = tFloat
	case "min", "max":
		s.out = s.arg.t
	}
	s.key = s.fn + "/" + strconv.FormatBool(s.star) + strconv.FormatBool(s.distinct)
	if s.arg != nil {
		s.key += "/" + exprKey(s.arg)
	}
	for i, a := range ag.aggs {
		if a.key == s.key {
			return &boundRef{idx: len(ag.groups) + i, t: a.out, text: c.String()}, nil
		}
	}
	ag.aggs = append(ag.aggs, s)
	ag.out.cols = append(ag.out.cols, column{name: c.String(), t: s.out})
	return &boundRef{idx: len(ag.groups) + len(ag.aggs) - 1, t: s.out, text: c.String()}, nil
}

// aggIter runs an aggPlan: it reads its whole input, then returns one
// row per group (one row with no GROUP BY, even over no rows).
type aggIter struct {
	in   iter
	plan *aggPlan
	mem  memory.Allocator
	ctx  context.Context
	done bool
}

func (a *aggIter) release() { a.in.release() }

func (a *aggIter) next() (arrow.RecordBatch, error) {
	if a.done {
		return nil, nil
	}
	a.done = true
	p := a.plan
	st := newAggState(p, a.mem)
	defer st.release()
	for {
		if err := a.ctx.Err(); err != nil {
			return nil, err
		}
		rec, err := a.in.next()
		if err != nil {
			return nil, err
		}
		if rec == nil {
			break
		}
		err = st.add(rec)
		rec.Release()
		if err != nil {
			return nil, err
		}
	}
	if len(p.groups) == 0 && st.ngroups == 0 {
		st.ngroups = 1
		st.grow(1)
	}
	return st.result()
}

// aggState accumulates groups.
type aggState struct {
	p        *aggPlan
	mem      memory.Allocator
	ngroups  int
	ids      map[string]int32
	intIDs   map[int64]int32 // one integer key
	nullID   int32           // the group of a NULL single key, or -1
	keyBlds  []array.Builder
	accs     []*accum
	buf      []byte
	gid      []int32
	distinct []map[string]struct{}
	dictIDs  []int32 // per dictionary entry of the batch: its group, or -1
	// keepDropped: stringGroups leaves rows already at -1 alone.
	keepDropped bool
	// partial: a worker's share of a parallel aggregation. Its DISTINCT
	// aggregates only collect (group, value) keys; merge folds them.
	partial bool
	// base is the position of the current batch's first row in the
	// input; first holds each group's first row, for merge to keep
	// first-appearance order.
	base  int64
	first []int64
}

// accum holds one aggregate's per-group values.
type accum struct {
	s     *aggSpec
	count []int64
	has   []bool
	i     []int64
	f     []float64
	d     []decimal128.Num
	str   []string
	b     []bool
}

func newAggState(p *aggPlan, mem memory.Allocator) *aggState {
	st := &aggState{p: p, mem: mem, ids: map[string]int32{}, nullID: -1}
	if len(p.groups) == 1 && (p.groups[0].t.k == kInt || p.groups[0].t.k == kDate || p.groups[0].t.k == kTs) {
		st.intIDs = map[int64]int32{}
	}
	for _, g := range p.groups {
		st.keyBlds = append(st.keyBlds, array.NewBuilder(mem, g.t.arrow()))
	}
	for _, s := range p.aggs {
		st.accs = append(st.accs, &accum{s: s})
		if s.distinct {
			st.distinct = append(st.distinct, map[string]struct{}{})
		} else {
			st.distinct = append(st.distinct, nil)
		}
	}
	return st
}

func (st *aggState) release() {
	for _, b := range st.keyBlds {
		b.Release()
	}
}

func (st *aggState) grow(n int) {
	for _, a := range st.accs {
		for len(a.count) < n {
			a.count = append(a.count, 0)
			a.has = append(a.has, false)
			switch {
			case a.s.fn == "count":
			case a.s.fn == "sum" && a.s.out.k == kFloat, a.s.fn == "avg" && a.s.arg.t.k == kFloat:
				a.f = append(a.f, 0)
			case a.s.fn == "sum", a.s.fn == "avg":
				a.d = append(a.d, decimal128.Num{})
			default: // min, max
				switch a.s.arg.t.k {
				case kInt, kDate, kTs:
					a.i = append(a.i, 0)
				case kFloat:
					a.f = append(a.f, 0)
				case kDec:
					a.d = append(a.d, decimal128.Num{})
				case kStr:
					a.str = append(a.str, "")
				case kBool:
					a.b = append(a.b, false)
				}
			}
		}
	}
}

// reserve makes room for n groups.
func (st *aggState) reserve(n int) {
	for _, b := range st.keyBlds {
		b.Reserve(n)
	}
	st.first = slices.Grow(st.first, n)
	for _, a := range st.accs {
		a.count = slices.Grow(a.count, n)
		a.has = slices.Grow(a.has, n)
		switch {
		case a.s.fn == "count":
		case a.s.fn == "sum" && a.s.out.k == kFloat, a.s.fn == "avg" && a.s.arg.t.k == kFloat:
			a.f = slices.Grow(a.f, n)
		case a.s.fn == "sum", a.s.fn == "avg":
			a.d = slices.Grow(a.d, n)
		default: // min, max
			switch a.s.arg.t.k {
			case kInt, kDate, kTs:
				a.i = slices.Grow(a.i, n)
			case kFloat:
				a.f = slices.Grow(a.f, n)
			case kDec:
				a.d = slices.Grow(a.d, n)
			case kStr:
				a.str = slices.Grow(a.str, n)
			case kBool:
				a.b = slices.Grow(a.b, n)
			}
		}
	}
}

// add folds one batch into the groups.
func (st *aggState) add(rec arrow.RecordBatch) error {
	n := int(rec.NumRows())
	if cap(st.gid) < n {
		st.gid = make([]int32, n)
	}
	gid := st.gid[:n]
	ec, err := st.groupIDs(rec.Columns(), n, gid)
	if err != nil {
		return err
	}
	for ai, a := range st.accs {
		if a.s.arg != nil && a.s.arg.op == "col" && !a.s.distinct && a.updateArrow(rec.Column(a.s.arg.col), gid) {
			continue
		}
		var v *vec
		if a.s.arg != nil {
			var err error
			if v, err = ec.eval(a.s.arg); err != nil {
				return err
			}
		}
		if err := st.update(ai, a, v, gid); err != nil {
			return err
		}
	}
	return nil
}

// groupIDs sets the group of each of n rows whose columns (in the
// input scope; only those the keys read need be set) are cols, adding
// groups as needed. It returns the evaluation context, for the
// aggregates' arguments.
func (st *aggState) groupIDs(cols []arrow.Array, n int, gid []int32) (*evalCtx, error) {
	ec := newEvalCtx(cols, n)
	// A bare string column as the one key is looked up without
	// converting the column.
	var strKey arrow.Array
	if len(st.p.groups) == 1 && st.p.groups[0].op == "col" {
		switch c := cols[st.p.groups[0].col].(type) {
		case *array.String:
			strKey = c
		case *array.Dictionary:
			if _, ok := c.Dictionary().(*array.String); ok {
				strKey = c
			}
		}
	}
	var keys []*vec
	if strKey == nil {
		keys = make([]*vec, len(st.p.groups))
		for i, g := range st.p.groups {
			v, err := ec.eval(g)
			if err != nil {
				return nil, err
			}
			keys[i] = v
		}
	}
	switch {
	case strKey != nil:
		st.stringGroups(strKey, gid)
	case len(keys) == 0:
		if st.ngroups == 0 {
			st.newGroup(nil, 0)
		}
		for r := range gid {
			gid[r] = 0
		}
	case st.intIDs != nil:
		k := keys[0]
		for r := 0; r < n; r++ {
			if k.isNull(r) {
				if st.nullID < 0 {
					st.nullID = st.newGroup(keys, r)
				}
				gid[r] = st.nullID
				continue
			}
			x := k.i[k.at(r)]
			id, ok := st.intIDs[x]
			if !ok {
				id = st.newGroup(keys, r)
				st.intIDs[x] = id
			}
			gid[r] = id
		}
	default:
		for r := 0; r < n; r++ {
			st.buf = st.buf[:0]
			for _, k := range keys {
				st.buf = appendKey(st.buf, k, r)
			}
			id, ok := st.ids[string(st.buf)]
			if !ok {
				id = st.newGroup(keys, r)
				st.ids[string(st.buf)] = id
			}
			gid[r] = id
		}
	}
	return ec, nil
}

// stringGroups sets the groups of a string column's rows (a String or a
// dictionary of strings): the key of a group is encoded as appendKey
// encodes a string, so that batches of either kind agree. With
// keepDropped set, the rows of a dictionary whose gid is already -1 (a
// filter dropped them) are left so.
func (st *aggState) stringGroups(col arrow.Array, gid []int32) {
	lookup := func(s string, r int) int32 {
		st.buf = append(st.buf[:0], 1)
		st.buf = binary.AppendUvarint(st.buf, uint64(len(s)))
		st.buf = append(st.buf, s...)
		id, ok := st.ids[string(st.buf)]
		if !ok {
			st.keyBlds[0].(*array.StringBuilder).Append(s)
			id = st.addGroup(r)
			st.ids[string(st.buf)] = id
		}
		return id
	}
	null := func(r int) int32 {
		if st.nullID < 0 {
			st.keyBlds[0].AppendNull()
			st.nullID = st.addGroup(r)
			st.ids[string([]byte{0})] = st.nullID
		}
		return st.nullID
	}
	switch c := col.(type) {
	case *array.String:
		last, lastID := "", int32(-1)
		for r := range gid {
			if c.IsNull(r) {
				gid[r] = null(r)
				continue
			}
			s := c.Value(r)
			if lastID < 0 || s != last {
				last, lastID = s, lookup(s, r)
			}
			gid[r] = lastID
		}
	case *array.Dictionary:
		dict := c.Dictionary().(*array.String)
		dm := st.dictIDs[:0]
		for range dict.Len() {
			dm = append(dm, -1)
		}
		st.dictIDs = dm
		idx, _ := c.Indices().(*array.Int32)
		for r := range gid {
			if gid[r] < 0 && st.keepDropped {
				continue
			}
			if c.IsNull(r) {
				gid[r] = null(r)
				continue
			}
			var i int
			if idx != nil {
				i = int(idx.Value(r))
			} else {
				i = c.GetValueIndex(r)
			}
			if dm[i] < 0 {
				dm[i] = lookup(dict.Value(i), r)
			}
			gid[r] = dm[i]
		}
	}
}

// addGroup adds a group whose keys the caller has appended, first seen
// at row r of the batch.
func (st *aggState) addGroup(r int) int32 {
	st.ngroups++
	st.grow(st.ngroups)
	st.first = append(st.first, st.base+int64(r))
	return int32(st.ngroups - 1)
}

// updateArrow folds a bare column into a non-DISTINCT aggregate straight
// from its Arrow array, for the common types; false means it did not.
func (a *accum) updateArrow(col arrow.Array, gid []int32) bool {
	s := a.s
	nulls := col.NullN() > 0
	switch c := col.(type) {
	case *array.Int64:
		if s.fn == "sum" || s.fn == "avg" {
			for r, x := range c.Int64Values() {
				if nulls && c.IsNull(r) {
					continue
				}
				g := gid[r]
				a.has[g] = true
				a.count[g]++
				a.d[g] = a.d[g].Add(decimal128.FromI64(x))
			}
			return true
		}
		if s.fn == "min" || s.fn == "max" {
			less := s.fn == "min"
			for r, x := range c.Int64Values() {
				if nulls && c.IsNull(r) {
					continue
				}
				g := gid[r]
				if !a.has[g] || (x < a.i[g]) == less && x != a.i[g] {
					a.i[g] = x
				}
				a.has[g] = true
				a.count[g]++
			}
			return true
		}
	case *array.Float64:
		if s.fn == "sum" || s.fn == "avg" {
			for r, x := range c.Float64Values() {
				if nulls && c.IsNull(r) {
					continue
				}
				g := gid[r]
				a.has[g] = true
				a.count[g]++
				a.f[g] += x
			}
			return true
		}
	case *array.String:
		if s.fn == "min" || s.fn == "max" {
			less := s.fn == "min"
			for r := range gid {
				if nulls && c.IsNull(r) {
					continue
				}
				g := gid[r]
				x := c.Value(r)
				if !a.has[g] {
					a.str[g] = strings.Clone(x)
				} else if x != a.str[g] && (x < a.str[g]) == less {
					a.str[g] = strings.Clone(x)
				}
				a.has[g] = true
				a.count[g]++
			}
			return true
		}
	}
	if s.fn != "count" {
		return false
	}
	for r, g := range gid {
		if nulls && col.IsNull(r) {
			continue
		}
		a.has[g] = true
		a.count[g]++
	}
	return true
}

func (st *aggState) newGroup(keys []*vec, r int) int32 {
	for i, k := range keys {
		k.appendTo(st.keyBlds[i], r)
	}
	st.ngroups++
	st.grow(st.ngroups)
	st.first = append(st.first, st.base+int64(r))
	return int32(st.ngroups - 1)
}

func (st *aggState) update(ai int, a *accum, v *vec, gid []int32) error {
	s := a.s
	if s.star {
		for _, g := range gid {
			a.count[g]++
		}
		return nil
	}
	for r, g := range gid {
		if v.isNull(r) {
			continue
		}
		if s.distinct {
			st.buf = st.buf[:0]
			st.buf = append(st.buf, byte(g), byte(g>>8), byte(g>>16), byte(g>>24))
			st.buf = appendKey(st.buf, v, r)
			set := st.distinct[ai]
			if _, seen := set[string(st.buf)]; seen {
				continue
			}
			set[string(st.buf)] = struct{}{}
			if st.partial {
				continue
			}
		}
		x := v.at(r)
		first := !a.has[g]
		a.has[g] = true
		a.count[g]++
		switch s.fn {
		case "count":
		case "sum", "avg":
			switch v.t.k {
			case kFloat:
				a.f[g] += v.f[x]
			case kInt:
				a.d[g] = a.d[g].Add(decimal128.FromI64(v.i[x]))
			case kDec:
				a.d[g] = a.d[g].Add(v.d[x])
				if !a.d[g].FitsInPrecision(38) {
					return fmt.Errorf("%s: DECIMAL overflow in sum", s.fn)
				}
			}
		case "min", "max":
			less := s.fn == "min"
			switch v.t.k {
			case kInt, kDate, kTs:
				if c := intCmp(v.i[x], a.i[g]); first || (c < 0) == less && c != 0 {
					a.i[g] = v.i[x]
				}
			case kFloat:
				if c := floatCmp(v.f[x], a.f[g]); first || (c < 0) == less && c != 0 {
					a.f[g] = v.f[x]
				}
			case kDec:
				if c := v.d[x].Cmp(a.d[g]); first || (c < 0) == less && c != 0 {
					a.d[g] = v.d[x]
				}
			case kStr:
				if c := strings.Compare(v.s[x], a.str[g]); first || (c < 0) == less && c != 0 {
					a.str[g] = strings.Clone(v.s[x])
				}
			case kBool:
				if c := boolCmp(v.b[x], a.b[g]); first || (c < 0) == less && c != 0 {
					a.b[g] = v.b[x]
				}
			}
		}
	}
	return nil
}

func (st *aggState) result() (arrow.RecordBatch, error) {
	p := st.p
	n := st.ngroups
	cols := make([]arrow.Array, 0, len(p.out.cols))
	fields := make([]arrow.Field, 0, len(p.out.cols))
	for i, b := range st.keyBlds {
		a := b.NewArray()
		if a.Len() != n { // the one group of a global aggregate
			a.Release()
			a = array.MakeArrayOfNull(st.mem, p.groups[i].t.arrow(), n)
		}
		cols = append(cols, a)
	}
	for _, a := range st.accs {
		v := newVec(a.s.out, n, true)
		for g := 0; g < n; g++ {
			switch {
			case a.s.fn == "count":
				v.i[g] = a.count[g]
			case !a.has[g]:
				v.null[g] = true
			case a.s.fn == "avg":
				var sum float64
				switch a.s.arg.t.k {
				case kFloat:
					sum = a.f[g]
				case kDec:
					sum = decToFloat(a.d[g], a.s.arg.t.scale)
				default:
					sum = decToFloat(a.d[g], 0)
				}
				v.f[g] = sum / float64(a.count[g])
			case a.s.fn == "sum":
				if a.s.out.k == kFloat {
					v.f[g] = a.f[g]
				} else {
					if !a.d[g].FitsInPrecision(38) {
						return nil, fmt.Errorf("sum: result does not fit DECIMAL(38)")
					}
					v.d[g] = a.d[g]
				}
			default:
				switch a.s.out.k {
				case kInt, kDate, kTs:
					v.i[g] = a.i[g]
				case kFloat:
					v.f[g] = a.f[g]
				case kDec:
					v.d[g] = a.d[g]
				case kStr:
					v.s[g] = a.str[g]
				case kBool:
					v.b[g] = a.b[g]
				}
			}
		}
		cols = append(cols, v.toArrow(st.mem))
	}
	for i, c := range p.out.cols {
		fields = append(fields, arrow.Field{Name: c.name, Type: cols[i].DataType(), Nullable: true})
	}
	rec := array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, int64(n))
	releaseAll(cols)
	return rec, nil
}
