package engine

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/snapdb/snapdb/engine/sqlparse"
)

// QueryOptions tune Query.
type QueryOptions struct {
	// Parallelism bounds the row groups decoded at once per table; 0 means
	// GOMAXPROCS.
	Parallelism int
	// BatchSize is the most rows per scanned batch; 0 means
	// DefaultBatchSize.
	BatchSize int64
	// Mem allocates the results; nil means memory.DefaultAllocator.
	Mem memory.Allocator
}

// Query runs one SELECT statement over the tables of cat. args bind the
// statement's parameters ($1…$n or ?, in order): Go integers, floats,
// strings, bools, time.Time and nil.
//
// Values are computed in these kinds: BIGINT (every integer column and
// expression; UBIGINT columns are read as DECIMAL(20,0)), DOUBLE, DECIMAL,
// VARCHAR, BOOLEAN, DATE and TIMESTAMP. CAST(x AS INTEGER) and
// CAST(x AS SMALLINT) check that each value fits the narrower type, as
// DuckDB does, and give a BIGINT column; CAST(x AS REAL) rounds to float32
// precision and gives a DOUBLE column.
//
// Statements that would write are refused with an error that wraps
// sqlparse.ErrReadOnly; syntax errors are *sqlparse.SyntaxError; names
// and types that do not fit are *Error. The reader must be released.
func Query(ctx context.Context, cat Catalog, sql string, args []any, opts *QueryOptions) (array.RecordReader, error) {
	stmt, err := sqlparse.Parse(sql)
	if err != nil {
		return nil, err
	}
	if stmt.Params != len(args) {
		return nil, &Error{Msg: fmt.Sprintf("the statement has %d parameters, %d values were given", stmt.Params, len(args))}
	}
	var o QueryOptions
	if opts != nil {
		o = *opts
	}
	if o.Mem == nil {
		o.Mem = memory.DefaultAllocator
	}
	q := &planner{ctx: ctx, cat: cat, opts: o, conv: &converter{args: args}}
	it, schema, err := q.plan(stmt)
	if err != nil {
		return nil, err
	}
	return newIterReader(it, schema), nil
}

// relation is one table of the FROM clause.
type relation struct {
	t      *Table
	qual   string
	pos    sqlparse.Pos
	needed []int // fields read, in table order
	filter []Expr
	left   bool // the inner side of a LEFT JOIN: WHERE cannot be pushed into it
}

type planner struct {
	ctx  context.Context
	cat  Catalog
	opts QueryOptions
	conv *converter
	rels []*relation
}

// orderKey is one ORDER BY key: a select item or an expression.
type orderKey struct {
	expr       Expr
	item       int // select item, or -1
	desc       bool
	nullsFirst bool
}

type selItem struct {
	expr  Expr
	name  string
	alias string
}

func (q *planner) plan(stmt *sqlparse.Select) (iter, *arrow.Schema, error) {
	if stmt.From == nil {
		return q.planNoFrom(stmt)
	}
	// Tables.
	for i, tr := range append([]sqlparse.TableRef{*stmt.From}, joinTables(stmt)...) {
		t, ok := q.lookupTable(tr)
		if !ok {
			return nil, nil, errorf(tr.Pos, "unknown table %q (tables: %s)", tr.Name, strings.Join(q.cat.TableNames(), ", "))
		}
		qual := tr.Alias
		if qual == "" {
			qual = t.Name()
		}
		for _, r := range q.rels {
			if strings.EqualFold(r.qual, qual) {
				return nil, nil, errorf(tr.Pos, "table name %q is used twice; give one an alias", qual)
			}
		}
		rel := &relation{t: t, qual: qual, pos: tr.Pos}
		if i > 0 && stmt.Joins[i-1].Kind == sqlparse.JoinLeft {
			rel.left = true
		}
		q.rels = append(q.rels, rel)
	}
	full := q.fullScope()

	// Select list, with stars expanded.
	var items []selItem
	for _, it := range stmt.Items {
		if it.Star {
			found := false
			for _, r := range q.rels {
				if it.StarTable != "" && !strings.EqualFold(r.qual, it.StarTable) {
					continue
				}
				found = true
				for _, f := range r.t.Schema().Fields() {
					items = append(items, selItem{expr: &colExpr{pos: it.Pos, table: r.qual, name: f.Name, exact: true}, name: f.Name})
				}
			}
			if !found {
				return nil, nil, errorf(it.Pos, "unknown table %q in %s.*", it.StarTable, it.StarTable)
			}
			continue
		}
		e, err := q.conv.conv(it.Expr)
		if err != nil {
			return nil, nil, err
		}
		name := it.Alias
		if name == "" {
			name = sqlparse.ColumnName(it.Expr)
		}
		items = append(items, selItem{expr: e, name: name, alias: it.Alias})
	}
	where, err := q.conv.conv(stmt.Where)
	if err != nil {
		return nil, nil, err
	}
	having, err := q.conv.conv(stmt.Having)
	if err != nil {
		return nil, nil, err
	}
	var ons []Expr
	for _, j := range stmt.Joins {
		on, err := q.conv.conv(j.On)
		if err != nil {
			return nil, nil, err
		}
		ons = append(ons, on)
	}
	// GROUP BY and ORDER BY may name a select item by position or alias.
	var groups []Expr
	for _, g := range stmt.GroupBy {
		e, err := q.itemRef(g, items, true)
		if err != nil {
			return nil, nil, err
		}
		groups = append(groups, e)
	}
	var orders []orderKey
	for _, o := range stmt.OrderBy {
		k := orderKey{item: -1, desc: o.Desc} // NULLS LAST by default, as DuckDB
		switch o.Nulls {
		case sqlparse.NullsFirst:
			k.nullsFirst = true
		case sqlparse.NullsLast:
			k.nullsFirst = false
		}
		if i, ok, err := itemIndex(o.Expr, items); err != nil {
			return nil, nil, err
		} else if ok {
			k.item = i
		} else {
			e, err := q.conv.conv(o.Expr)
			if err != nil {
				return nil, nil, err
			}
			k.expr = e
		}
		orders = append(orders, k)
	}

	// Which columns of which table are read.
	need := map[int]bool{}
	mark := func(e Expr) error {
		return walkCols(e, func(c *colExpr) error {
			i, err := full.lookup(c)
			if err != nil {
				return err
			}
			need[i] = true
			return nil
		})
	}
	for _, it := range items {
		if err := mark(it.expr); err != nil {
			return nil, nil, err
		}
	}
	for _, e := range append(append(append([]Expr{where, having}, ons...), groups...), orderExprs(orders)...) {
		if err := mark(e); err != nil {
			return nil, nil, err
		}
	}
	off := 0
	for _, r := range q.rels {
		for i := range r.t.Schema().Fields() {
			if need[off+i] {
				r.needed = append(r.needed, i)
			}
		}
		off += r.t.Schema().NumFields()
	}

	// Push WHERE conjuncts that read one table into its scan.
	var residual []Expr
	for _, c := range conjuncts(where) {
		if r := q.singleRelation(c); r != nil && !r.left && !hasAggregate(c) {
			r.filter = append(r.filter, c)
			continue
		}
		residual = append(residual, c)
	}
	aggregating := len(groups) > 0 || having != nil
	for _, it := range items {
		aggregating = aggregating || hasAggregate(it.expr)
	}
	for _, k := range orders {
		aggregating = aggregating || k.expr != nil && hasAggregate(k.expr)
	}
	for _, c := range residual {
		if hasAggregate(c) {
			return nil, nil, errorf(exprPos(c), "aggregates are not allowed in WHERE: %s (use HAVING)", c)
		}
	}

	// count(*) of one table, with no filter: the footer knows.
	if it, sc, ok := q.countFromMetadata(stmt, items, where, aggregating, groups, having); ok {
		return it, sc, nil
	}

	// Limit pushdown: one table, nothing that needs every row first.
	limit, offset, err := q.limits(stmt)
	if err != nil {
		return nil, nil, err
	}
	scanLimit := int64(0)
	if len(q.rels) == 1 && len(residual) == 0 && !aggregating && len(orders) == 0 && !stmt.Distinct && limit >= 0 {
		scanLimit = limit + offset
		if scanLimit == 0 {
			scanLimit = -1
		}
	}

	// Scans and joins. An aggregation of one table runs in the scan's
	// workers.
	var cur iter
	var sc *scope
	var aggScan *scanPlan
	if aggregating && len(q.rels) == 1 && len(residual) == 0 {
		aggScan, sc, err = q.planRel(q.rels[0], 0)
		cur = &emptyIter{}
	} else {
		cur, sc, err = q.scanRel(q.rels[0], scanLimit)
	}
	if err != nil {
		return nil, nil, err
	}
	for i, j := range stmt.Joins {
		right := q.rels[i+1]
		cur, sc, err = q.join(cur, sc, right, j, ons[i])
		if err != nil {
			return nil, nil, err
		}
	}
	if len(residual) > 0 {
		pred, err := sc.bind(andAll(residual))
		if err != nil {
			cur.release()
			return nil, nil, err
		}
		cur = &filterIter{in: cur, pred: pred, mem: q.opts.Mem}
	}

	// Aggregation.
	if aggregating {
		ag, err := newAggPlan(sc, groups)
		if err != nil {
			cur.release()
			return nil, nil, err
		}
		for i := range items {
			if items[i].expr, err = ag.rewrite(items[i].expr); err != nil {
				cur.release()
				return nil, nil, err
			}
		}
		if having != nil {
			if having, err = ag.rewrite(having); err != nil {
				cur.release()
				return nil, nil, err
			}
		}
		for i := range orders {
			if orders[i].expr != nil {
				if orders[i].expr, err = ag.rewrite(orders[i].expr); err != nil {
					cur.release()
					return nil, nil, err
				}
			}
		}
		if aggScan != nil {
			cur = &scanAggIter{p: aggScan, plan: ag, mem: q.opts.Mem, ctx: q.ctx}
		} else {
			cur = &aggIter{in: cur, plan: ag, mem: q.opts.Mem, ctx: q.ctx}
		}
		sc = ag.out
		if having != nil {
			pred, err := sc.bind(having)
			if err != nil {
				cur.release()
				return nil, nil, err
			}
			if pred.t.k != kBool && pred.t.k != kNull {
				cur.release()
				return nil, nil, errorf(exprPos(having), "HAVING %s is of type %s, not BOOLEAN", having, pred.t)
			}
			cur = &filterIter{in: cur, pred: pred, mem: q.opts.Mem}
		}
	}

	// Projection: the select items, then hidden sort keys.
	var exprs []*bexpr
	var fields []arrow.Field
	for _, it := range items {
		b, err := sc.bind(it.expr)
		if err != nil {
			cur.release()
			return nil, nil, err
		}
		exprs = append(exprs, b)
		fields = append(fields, arrow.Field{Name: it.name, Type: outType(b, sc), Nullable: true})
	}
	visible := len(exprs)
	var keys []sortKey
	for _, k := range orders {
		col := k.item
		if col < 0 {
			b, err := sc.bind(k.expr)
			if err != nil {
				cur.release()
				return nil, nil, err
			}
			for i, e := range exprs[:visible] {
				if exprKey(e) == exprKey(b) {
					col = i
				}
			}
			if col < 0 {
				if stmt.Distinct {
					cur.release()
					return nil, nil, errorf(exprPos(k.expr), "for SELECT DISTINCT, ORDER BY expression %s must appear in the select list", k.expr)
				}
				col = len(exprs)
				exprs = append(exprs, b)
				fields = append(fields, arrow.Field{Name: "#order" + strconv.Itoa(col), Type: outType(b, sc), Nullable: true})
			}
		}
		keys = append(keys, sortKey{col: col, desc: k.desc, nullsFirst: k.nullsFirst})
	}
	schema := arrow.NewSchema(fields, nil)
	if len(keys) > 0 && limit >= 0 && !stmt.Distinct {
		// Top-k: sort on the keys alone, then compute the select list for
		// the rows kept. Besides the work saved, an expression is then
		// evaluated only on rows the query returns, as in DuckDB (a CAST
		// that fails on a row the LIMIT drops is no error).
		out := arrow.NewSchema(fields[:visible], nil)
		return topK(cur, sc, exprs, visible, keys, limit, offset, out, q), out, nil
	}
	cur = &projectIter{in: cur, exprs: exprs, schema: schema, mem: q.opts.Mem}
	if stmt.Distinct {
		cur = &distinctIter{in: cur, cols: visible, seen: map[string]struct{}{}, mem: q.opts.Mem}
	}
	if len(keys) > 0 {
		topk := int64(-1)
		if limit >= 0 {
			topk = limit + offset
		}
		cur = &sortIter{in: cur, keys: keys, limit: topk, schema: schema, mem: q.opts.Mem, ctx: q.ctx}
	}
	if limit >= 0 || offset > 0 {
		cur = &limitIter{in: cur, offset: offset, limit: limit}
	}
	if len(exprs) > visible {
		schema = arrow.NewSchema(fields[:visible], nil)
		cur = &dropIter{in: cur, keep: visible, schema: schema}
	}
	return cur, schema, nil
}

// topK plans ORDER BY … LIMIT without DISTINCT: the input's columns and
// the sort keys that are not bare columns are projected, the top
// limit+offset rows kept, and only then are the select items (exprs[:visible],
// bound to sc) computed, into schema out.
func topK(in iter, sc *scope, exprs []*bexpr, visible int, keys []sortKey, limit, offset int64, out *arrow.Schema, q *planner) iter {
	n := len(sc.cols)
	pre := make([]*bexpr, n, n+len(keys))
	fields := fieldsOf(sc)
	for i := range pre {
		pre[i] = &bexpr{t: sc.cols[i].t, op: "col", col: i}
	}
	sorted := make([]sortKey, len(keys))
	for i, k := range keys {
		e := exprs[k.col]
		k.col = len(pre)
		if e.op == "col" {
			k.col = e.col
		} else {
			pre = append(pre, e)
			fields = append(fields, arrow.Field{Name: "#order" + strconv.Itoa(i), Type: outType(e, sc), Nullable: true})
		}
		sorted[i] = k
	}
	schema := arrow.NewSchema(fields, nil)
	var cur iter = &projectIter{in: in, exprs: pre, schema: schema, mem: q.opts.Mem}
	cur = &sortIter{in: cur, keys: sorted, limit: limit + offset, schema: schema, mem: q.opts.Mem, ctx: q.ctx}
	cur = &limitIter{in: cur, offset: offset, limit: limit}
	return &projectIter{in: cur, exprs: exprs[:visible], schema: out, mem: q.opts.Mem}
}

func joinTables(stmt *sqlparse.Select) []sqlparse.TableRef {
	var out []sqlparse.TableRef
	for _, j := range stmt.Joins {
		out = append(out, j.Table)
	}
	return out
}

func (q *planner) lookupTable(tr sqlparse.TableRef) (*Table, bool) {
	if t, ok := q.cat.Table(tr.Name); ok {
		return t, true
	}
	if tr.Quoted {
		return nil, false
	}
	var found *Table
	for _, n := range q.cat.TableNames() {
		if strings.EqualFold(n, tr.Name) {
			if found != nil {
				return nil, false
			}
			found, _ = q.cat.Table(n)
		}
	}
	return found, found != nil
}

// fullScope is every column of every table, for name resolution.
func (q *planner) fullScope() *scope {
	s := &scope{}
	for _, r := range q.rels {
		s.cols = append(s.cols, r.t.scope(r.qual).cols...)
	}
	return s
}

// singleRelation returns the one relation e reads, or nil.
func (q *planner) singleRelation(e Expr) *relation {
	var found *relation
	multi := false
	full := q.fullScope()
	_ = walkCols(e, func(c *colExpr) error {
		i, err := full.lookup(c)
		if err != nil {
			multi = true
			return err
		}
		off := 0
		for _, r := range q.rels {
			n := r.t.Schema().NumFields()
			if i >= off && i < off+n {
				if found != nil && found != r {
					multi = true
				}
				found = r
			}
			off += n
		}
		return nil
	})
	if multi {
		return nil
	}
	return found
}

// relScope is the columns a relation's scan returns.
func (r *relation) scope() *scope {
	s := &scope{}
	for _, i := range r.needed {
		f := r.t.Schema().Field(i)
		s.cols = append(s.cols, column{qual: r.qual, name: f.Name, t: typeOf(f.Type)})
		s.arrowTypes = append(s.arrowTypes, f.Type)
	}
	return s
}

func (q *planner) scanRel(r *relation, limit int64) (iter, *scope, error) {
	if limit < 0 { // LIMIT 0
		return &emptyIter{}, r.scope(), nil
	}
	p, sc, err := q.planRel(r, limit)
	if err != nil {
		return nil, nil, err
	}
	return &readerIter{rr: startScan(q.ctx, p)}, sc, nil
}

// planRel plans the scan of a relation, which returns the columns of
// its scope.
func (q *planner) planRel(r *relation, limit int64) (*scanPlan, *scope, error) {
	sc := r.scope()
	var filter *bexpr
	if len(r.filter) > 0 {
		b, err := r.t.scope(r.qual).bind(andAll(r.filter))
		if err != nil {
			return nil, nil, err
		}
		if b.t.k != kBool && b.t.k != kNull {
			return nil, nil, errorf(exprPos(r.filter[0]), "WHERE %s is of type %s, not BOOLEAN", andAll(r.filter), b.t)
		}
		filter = b
	}
	cols := make([]string, len(r.needed))
	for i, f := range r.needed {
		cols[i] = r.t.Schema().Field(f).Name
	}
	p, err := r.t.planScan(ScanSpec{Columns: cols, Limit: limit, BatchSize: q.opts.BatchSize, Parallelism: q.opts.Parallelism, Mem: q.opts.Mem}, filter)
	if err != nil {
		return nil, nil, err
	}
	return p, sc, nil
}

func (q *planner) limits(stmt *sqlparse.Select) (limit, offset int64, err error) {
	limit = -1
	get := func(e sqlparse.Expr, what string) (int64, error) {
		x, err := q.conv.conv(e)
		if err != nil {
			return 0, err
		}
		l, ok := x.(*litExpr)
		if !ok || l.v.t.k != kInt || l.v.isNull(0) || l.v.i[0] < 0 {
			return 0, errorf(e.Position(), "%s must be a non-negative integer, not %s", what, x)
		}
		return l.v.i[0], nil
	}
	if stmt.Limit != nil {
		if limit, err = get(stmt.Limit, "LIMIT"); err != nil {
			return 0, 0, err
		}
	}
	if stmt.Offset != nil {
		if offset, err = get(stmt.Offset, "OFFSET"); err != nil {
			return 0, 0, err
		}
	}
	return limit, offset, nil
}

// itemRef resolves GROUP BY n / GROUP BY alias to the select item's
// expression.
func (q *planner) itemRef(e sqlparse.Expr, items []selItem, group bool) (Expr, error) {
	if i, ok, err := itemIndex(e, items); err != nil {
		return nil, err
	} else if ok {
		if group && hasAggregate(items[i].expr) {
			return nil, errorf(e.Position(), "cannot GROUP BY an aggregate (%s)", items[i].expr)
		}
		// An alias that is also a column name means the column.
		if c, isCol := e.(*sqlparse.ColumnRef); isCol && q.isColumn(c) {
			return q.conv.conv(e)
		}
		return items[i].expr, nil
	}
	return q.conv.conv(e)
}

func (q *planner) isColumn(c *sqlparse.ColumnRef) bool {
	_, err := q.fullScope().lookup(&colExpr{table: c.Table, name: c.Name, exact: c.Quoted})
	return err == nil
}

// itemIndex finds the select item an ORDER BY or GROUP BY key names: a
// 1-based position or an alias.
func itemIndex(e sqlparse.Expr, items []selItem) (int, bool, error) {
	switch e := e.(type) {
	case *sqlparse.Literal:
		if e.Kind == sqlparse.LitInt {
			if e.Int < 1 || e.Int > int64(len(items)) {
				return 0, false, errorf(e.Pos, "position %d is not in the select list (1–%d)", e.Int, len(items))
			}
			return int(e.Int - 1), true, nil
		}
	case *sqlparse.ColumnRef:
		if e.Table != "" {
			return 0, false, nil
		}
		found := -1
		for i, it := range items {
			if it.alias != "" && (it.alias == e.Name || !e.Quoted && strings.EqualFold(it.alias, e.Name)) {
				if found >= 0 {
					return 0, false, errorf(e.Pos, "%s names more than one select item", e.Name)
				}
				found = i
			}
		}
		if found >= 0 {
			return found, true, nil
		}
	}
	return 0, false, nil
}

func orderExprs(orders []orderKey) []Expr {
	var out []Expr
	for _, o := range orders {
		if o.expr != nil {
			out = append(out, o.expr)
		}
	}
	return out
}

// walkCols calls f for every column reference in e.
func walkCols(e Expr, f func(*colExpr) error) error {
	switch e := e.(type) {
	case *colExpr:
		return f(e)
	case *callExpr:
		for _, a := range e.args {
			if err := walkCols(a, f); err != nil {
				return err
			}
		}
	}
	return nil
}

func hasAggregate(e Expr) bool {
	c, ok := e.(*callExpr)
	if !ok {
		return false
	}
	if isAggregate(c.op) {
		return true
	}
	for _, a := range c.args {
		if hasAggregate(a) {
			return true
		}
	}
	return false
}

func conjuncts(e Expr) []Expr {
	if e == nil {
		return nil
	}
	if c, ok := e.(*callExpr); ok && c.op == "and" {
		var out []Expr
		for _, a := range c.args {
			out = append(out, conjuncts(a)...)
		}
		return out
	}
	return []Expr{e}
}

func andAll(es []Expr) Expr {
	if len(es) == 1 {
		return es[0]
	}
	return &callExpr{op: "and", args: es}
}

func exprPos(e Expr) sqlparse.Pos {
	switch e := e.(type) {
	case *colExpr:
		return e.pos
	case *litExpr:
		return e.pos
	case *callExpr:
		return e.pos
	}
	return sqlparse.Pos{}
}

// outType is the Arrow type of a projected expression: a bare column
// keeps its stored type.
func outType(b *bexpr, sc *scope) arrow.DataType {
	if b.op == "col" && sc.arrowTypes != nil && sc.arrowTypes[b.col] != nil {
		return sc.arrowTypes[b.col]
	}
	return b.t.arrow()
}

// exprKey is a canonical text of a bound expression, for matching.
func exprKey(b *bexpr) string {
	var sb strings.Builder
	var walk func(b *bexpr)
	walk = func(b *bexpr) {
		switch b.op {
		case "col":
			fmt.Fprintf(&sb, "c%d", b.col)
		case "lit":
			sb.WriteString(b.t.String() + ":" + formatValue(b.lit, 0))
		default:
			sb.WriteString(b.op + ":" + b.t.String() + "(")
			for _, a := range b.args {
				walk(a)
				sb.WriteByte(',')
			}
			sb.WriteByte(')')
		}
	}
	walk(b)
	return sb.String()
}

// countFromMetadata answers SELECT count(*) FROM t from the footer.
func (q *planner) countFromMetadata(stmt *sqlparse.Select, items []selItem, where Expr, aggregating bool, groups []Expr, having Expr) (iter, *arrow.Schema, bool) {
	if len(q.rels) != 1 || where != nil || len(groups) > 0 || having != nil || len(items) != 1 || stmt.Distinct {
		return nil, nil, false
	}
	c, ok := items[0].expr.(*callExpr)
	if !ok || c.op != "count" || !c.star {
		return nil, nil, false
	}
	if stmt.Offset != nil {
		return nil, nil, false
	}
	if stmt.Limit != nil {
		if l, err := q.conv.conv(stmt.Limit); err != nil {
			return nil, nil, false
		} else if lit, ok := l.(*litExpr); !ok || lit.v.t.k != kInt || lit.v.i[0] < 1 {
			return nil, nil, false
		}
	}
	_ = aggregating
	schema := arrow.NewSchema([]arrow.Field{{Name: items[0].name, Type: arrow.PrimitiveTypes.Int64}}, nil)
	b := array.NewInt64Builder(q.opts.Mem)
	b.Append(q.rels[0].t.NumRows())
	col := b.NewArray()
	b.Release()
	rec := array.NewRecordBatch(schema, []arrow.Array{col}, 1)
	col.Release()
	return &sliceIter{recs: []arrow.RecordBatch{rec}}, schema, true
}

// planNoFrom evaluates a select list of constants: SELECT 1 + 1.
func (q *planner) planNoFrom(stmt *sqlparse.Select) (iter, *arrow.Schema, error) {
	if stmt.Where != nil || len(stmt.GroupBy) > 0 || stmt.Having != nil {
		return nil, nil, errorf(stmt.Pos, "WHERE, GROUP BY and HAVING need a FROM clause")
	}
	sc := &scope{}
	var fields []arrow.Field
	var cols []arrow.Array
	ec := newEvalCtx(nil, 1)
	for _, it := range stmt.Items {
		if it.Star {
			return nil, nil, errorf(it.Pos, "SELECT * needs a FROM clause")
		}
		e, err := q.conv.conv(it.Expr)
		if err != nil {
			return nil, nil, err
		}
		b, err := sc.bind(e)
		if err != nil {
			return nil, nil, err
		}
		v, err := ec.eval(b)
		if err != nil {
			return nil, nil, err
		}
		name := it.Alias
		if name == "" {
			name = sqlparse.ColumnName(it.Expr)
		}
		a := v.toArrow(q.opts.Mem)
		cols = append(cols, a)
		fields = append(fields, arrow.Field{Name: name, Type: a.DataType(), Nullable: true})
	}
	schema := arrow.NewSchema(fields, nil)
	rec := array.NewRecordBatch(schema, cols, 1)
	releaseAll(cols)
	var it iter = &sliceIter{recs: []arrow.RecordBatch{rec}}
	limit, offset, err := q.limits(stmt)
	if err != nil {
		it.release()
		return nil, nil, err
	}
	if limit >= 0 || offset > 0 {
		it = &limitIter{in: it, offset: offset, limit: limit}
	}
	return it, schema, nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
