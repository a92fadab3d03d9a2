package engine

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/snapdb/snapdb/engine/sqlparse"
)

// relsOf returns the relations (by index) that e reads.
func (q *planner) relsOf(e Expr) (map[int]bool, error) {
	full := q.fullScope()
	out := map[int]bool{}
	err := walkCols(e, func(c *colExpr) error {
		i, err := full.lookup(c)
		if err != nil {
			return err
		}
		off := 0
		for k, r := range q.rels {
			n := r.t.Schema().NumFields()
			if i >= off && i < off+n {
				out[k] = true
			}
			off += n
		}
		return nil
	})
	return out, err
}

// join plans left JOIN right ON on: equalities between the sides become
// hash keys; conditions on the right table alone filter its scan; for an
// inner join anything else filters the joined rows.
func (q *planner) join(left iter, ls *scope, right *relation, j sqlparse.Join, on Expr) (iter, *scope, error) {
	ri := -1
	for i, r := range q.rels {
		if r == right {
			ri = i
		}
	}
	var lkeys, rkeys []Expr
	var residual []Expr
	for _, c := range conjuncts(on) {
		if hasAggregate(c) {
			left.release()
			return nil, nil, errorf(exprPos(c), "aggregates are not allowed in ON: %s", c)
		}
		rels, err := q.relsOf(c)
		if err != nil {
			left.release()
			return nil, nil, err
		}
		if ce, ok := c.(*callExpr); ok && ce.op == "=" {
			a, _ := q.relsOf(ce.args[0])
			b, _ := q.relsOf(ce.args[1])
			switch {
			case onlyLeft(a, ri) && len(a) > 0 && onlyRight(b, ri):
				lkeys, rkeys = append(lkeys, ce.args[0]), append(rkeys, ce.args[1])
				continue
			case onlyLeft(b, ri) && len(b) > 0 && onlyRight(a, ri):
				lkeys, rkeys = append(lkeys, ce.args[1]), append(rkeys, ce.args[0])
				continue
			}
		}
		if onlyRight(rels, ri) {
			right.filter = append(right.filter, c)
			continue
		}
		if j.Kind == sqlparse.JoinLeft {
			left.release()
			return nil, nil, errorf(exprPos(c), "LEFT JOIN … ON supports equalities between the two sides and conditions on %s alone, not %s", right.qual, c)
		}
		residual = append(residual, c)
	}
	if len(lkeys) == 0 {
		left.release()
		return nil, nil, errorf(j.Pos, "%s %s needs an equality between the two sides in ON (a hash join)", j.Kind, right.qual)
	}
	rit, rs, err := q.scanRel(right, 0)
	if err != nil {
		left.release()
		return nil, nil, err
	}
	out := &scope{}
	out.cols = append(append(out.cols, ls.cols...), rs.cols...)
	out.arrowTypes = append(append(out.arrowTypes, ls.arrowTypes...), rs.arrowTypes...)
	fail := func(err error) (iter, *scope, error) {
		left.release()
		rit.release()
		return nil, nil, err
	}
	hj := &hashJoin{kind: j.Kind, mem: q.opts.Mem, batch: q.opts.BatchSize}
	if hj.batch <= 0 {
		hj.batch = DefaultBatchSize
	}
	for k := range lkeys {
		lb, err := ls.bind(lkeys[k])
		if err != nil {
			return fail(err)
		}
		rb, err := rs.bind(rkeys[k])
		if err != nil {
			return fail(err)
		}
		ce := &callExpr{pos: j.Pos, op: "="}
		if ce2, ok := findEq(on, lkeys[k], rkeys[k]); ok {
			ce = ce2
		}
		lb, rb, err = unifyPair(ce, lb, rb)
		if err != nil {
			return fail(err)
		}
		if lb.t.k == kOther {
			return fail(errorf(ce.pos, "cannot join on %s of type %s", lkeys[k], lb.t))
		}
		hj.lkeys, hj.rkeys = append(hj.lkeys, lb), append(hj.rkeys, rb)
	}
	hj.schema = arrow.NewSchema(fieldsOf(out), nil)
	hj.lschema = arrow.NewSchema(fieldsOf(ls), nil)
	hj.rschema = arrow.NewSchema(fieldsOf(rs), nil)
	// Build on the smaller side, by row counts before filters.
	leftRows := int64(0)
	for _, r := range q.rels[:ri] {
		leftRows = max(leftRows, r.t.NumRows())
	}
	hj.buildLeft = right.t.NumRows() > leftRows
	hj.left, hj.right = left, rit
	var it iter = hj
	if len(residual) > 0 {
		pred, err := out.bind(andAll(residual))
		if err != nil {
			it.release()
			return nil, nil, err
		}
		it = &filterIter{in: it, pred: pred, mem: q.opts.Mem}
	}
	return it, out, nil
}

func findEq(on Expr, a, b Expr) (*callExpr, bool) {
	for _, c := range conjuncts(on) {
		if ce, ok := c.(*callExpr); ok && ce.op == "=" && (ce.args[0] == a && ce.args[1] == b || ce.args[0] == b && ce.args[1] == a) {
			return ce, true
		}
	}
	return nil, false
}

func onlyLeft(rels map[int]bool, ri int) bool {
	for k := range rels {
		if k >= ri {
			return false
		}
	}
	return true
}

func onlyRight(rels map[int]bool, ri int) bool {
	return len(rels) == 1 && rels[ri]
}

func fieldsOf(s *scope) []arrow.Field {
	fs := make([]arrow.Field, len(s.cols))
	for i, c := range s.cols {
		t := c.t.arrow()
		if s.arrowTypes != nil && s.arrowTypes[i] != nil {
			t = s.arrowTypes[i]
		}
		fs[i] = arrow.Field{Name: c.qual + "." + c.name, Type: t, Nullable: true}
	}
	return fs
}

// hashJoin is an equi-join: it reads the build side whole into a hash
// table, then streams the probe side. Output columns are the left's then
// the right's, whichever side builds. A LEFT join pads unmatched left rows
// with NULLs.
type hashJoin struct {
	kind         sqlparse.JoinKind
	left, right  iter
	lkeys, rkeys []*bexpr
	schema       *arrow.Schema
	lschema      *arrow.Schema
	rschema      *arrow.Schema
	buildLeft    bool
	mem          memory.Allocator
	batch        int64

	built   bool
	build   arrow.RecordBatch
	table   map[string]int32 // key → first build row
	chain   []int32          // build row → next row with the same key, or -1
	matched []bool           // build rows matched (LEFT join building on the left)
	pending []arrow.RecordBatch
	tailed  bool
	buf     []byte
}

func (h *hashJoin) buildSide() (iter, *arrow.Schema, []*bexpr) {
	if h.buildLeft {
		return h.left, h.lschema, h.lkeys
	}
	return h.right, h.rschema, h.rkeys
}

func (h *hashJoin) probeSide() (iter, []*bexpr) {
	if h.buildLeft {
		return h.right, h.rkeys
	}
	return h.left, h.lkeys
}

func (h *hashJoin) doBuild() error {
	in, schema, keys := h.buildSide()
	var recs []arrow.RecordBatch
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	for {
		rec, err := in.next()
		if err != nil {
			return err
		}
		if rec == nil {
			break
		}
		recs = append(recs, rec)
	}
	all, err := concatBatches(schema, recs, h.mem)
	if err != nil {
		return err
	}
	h.build = all
	n := int(all.NumRows())
	ec := newEvalCtx(all.Columns(), n)
	kv := make([]*vec, len(keys))
	for i, k := range keys {
		if kv[i], err = ec.eval(k); err != nil {
			return err
		}
	}
	h.table = make(map[string]int32, n)
	h.chain = make([]int32, n)
	if h.buildLeft && h.kind == sqlparse.JoinLeft {
		h.matched = make([]bool, n)
	}
	for r := n - 1; r >= 0; r-- {
		h.chain[r] = -1
		key, ok := h.key(kv, r)
		if !ok {
			continue // a NULL key matches nothing
		}
		if first, ok := h.table[string(key)]; ok {
			h.chain[r] = first
		}
		h.table[string(key)] = int32(r)
	}
	return nil
}

// key encodes row r's join key; false when a part is NULL.
func (h *hashJoin) key(kv []*vec, r int) ([]byte, bool) {
	h.buf = h.buf[:0]
	for _, v := range kv {
		if v.isNull(r) {
			return nil, false
		}
		h.buf = appendKey(h.buf, v, r)
	}
	return h.buf, true
}

func (h *hashJoin) next() (arrow.RecordBatch, error) {
	if !h.built {
		h.built = true
		if err := h.doBuild(); err != nil {
			return nil, err
		}
	}
	for {
		if len(h.pending) > 0 {
			r := h.pending[0]
			h.pending = h.pending[1:]
			return r, nil
		}
		probe, keys := h.probeSide()
		rec, err := probe.next()
		if err != nil {
			return nil, err
		}
		if rec == nil {
			if h.matched != nil && !h.tailed {
				h.tailed = true
				var rows []int
				for r, m := range h.matched {
					if !m {
						rows = append(rows, r)
					}
				}
				if len(rows) > 0 {
					return h.emit(h.build, rows, nil, nil)
				}
			}
			return nil, nil
		}
		if err := h.probe(rec, keys); err != nil {
			rec.Release()
			return nil, err
		}
		rec.Release()
	}
}

// probe joins one probe batch, queueing output batches.
func (h *hashJoin) probe(rec arrow.RecordBatch, keys []*bexpr) error {
	n := int(rec.NumRows())
	ec := newEvalCtx(rec.Columns(), n)
	kv := make([]*vec, len(keys))
	var err error
	for i, k := range keys {
		if kv[i], err = ec.eval(k); err != nil {
			return err
		}
	}
	outer := h.kind == sqlparse.JoinLeft && !h.buildLeft
	var pIdx, bIdx []int
	flush := func() error {
		if len(pIdx) == 0 {
			return nil
		}
		var out arrow.RecordBatch
		var err error
		if h.buildLeft {
			out, err = h.emit(h.build, bIdx, rec, pIdx)
		} else {
			out, err = h.emit(rec, pIdx, h.build, bIdx)
		}
		if err != nil {
			return err
		}
		h.pending = append(h.pending, out)
		pIdx, bIdx = pIdx[:0], bIdx[:0]
		return nil
	}
	for r := 0; r < n; r++ {
		found := false
		if key, ok := h.key(kv, r); ok {
			if first, ok := h.table[string(key)]; ok {
				for b := first; b >= 0; b = h.chain[b] {
					pIdx, bIdx = append(pIdx, r), append(bIdx, int(b))
					if h.matched != nil {
						h.matched[b] = true
					}
					found = true
				}
			}
		}
		if !found && outer {
			pIdx, bIdx = append(pIdx, r), append(bIdx, -1)
		}
		if int64(len(pIdx)) >= h.batch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// emit builds output rows from left rows li of l and right rows ri of r
// (r nil: NULLs on the right).
func (h *hashJoin) emit(l arrow.RecordBatch, li []int, r arrow.RecordBatch, ri []int) (arrow.RecordBatch, error) {
	cols := make([]arrow.Array, 0, h.schema.NumFields())
	lia := indexArray(li, h.mem)
	defer lia.Release()
	for c := 0; c < int(l.NumCols()); c++ {
		a, err := takeArray(l.Column(c), lia, h.mem)
		if err != nil {
			releaseAll(cols)
			return nil, err
		}
		cols = append(cols, a)
	}
	if r == nil {
		for _, f := range h.rschema.Fields() {
			cols = append(cols, array.MakeArrayOfNull(h.mem, f.Type, len(li)))
		}
	} else {
		ria := indexArray(ri, h.mem)
		defer ria.Release()
		for c := 0; c < int(r.NumCols()); c++ {
			a, err := takeArray(r.Column(c), ria, h.mem)
			if err != nil {
				releaseAll(cols)
				return nil, err
			}
			cols = append(cols, a)
		}
	}
	out := array.NewRecordBatch(h.schema, cols, int64(len(li)))
	releaseAll(cols)
	return out, nil
}

func (h *hashJoin) release() {
	if h.build != nil {
		h.build.Release()
		h.build = nil
	}
	for _, r := range h.pending {
		r.Release()
	}
	h.pending = nil
	h.left.release()
	h.right.release()
}

var _ = strings.EqualFold
