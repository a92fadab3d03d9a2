package sqldiff

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Query is one generated query.
type Query struct {
	Name string
	// SQL is what our engine runs, with Args bound to its parameters.
	SQL  string
	Args []any
	// DuckSQL is the same query for DuckDB, parameters inlined as literals.
	DuckSQL string
	// Ordered: the ORDER BY fully orders the result, so rows are compared
	// in order; else as multisets.
	Ordered bool
	// CountOnly: only the number of rows is determined (a LIMIT without a
	// full order).
	CountOnly bool
	// ExpectError: both engines must refuse it (an unknown column, …).
	ExpectError bool
	// Kind is the template the query came from; Tags name the risky
	// features it uses (cast-float-int, sum-int64-extreme, …), for the
	// summary.
	Kind string
	Tags []string
}

// DefaultQueries is the number of queries Generate makes when asked for 0.
const DefaultQueries = 600

// Generate makes n queries (DefaultQueries when n <= 0) over ds; the same
// seed, data and n give the same queries. A fixed set of queries comes
// first (hand-checked anchors, expected errors, empty and unsigned tables),
// then random ones.
func Generate(ds *Dataset, seed uint64, n int) []Query {
	if n <= 0 {
		n = DefaultQueries
	}
	g := &gen{r: rand.New(rand.NewPCG(seed, 0xd1ff)), ds: ds, all: ds.Table("allt")}
	var out []Query
	add := func(q Query) {
		q.Name = fmt.Sprintf("q%04d-%s", len(out)+1, q.Kind)
		out = append(out, q)
	}
	for _, q := range g.fixed() {
		add(q)
	}
	type tmpl struct {
		weight int
		f      func() Query
	}
	tmpls := []tmpl{
		{24, g.selectQuery},
		{9, g.aggQuery},
		{20, g.groupQuery},
		{16, g.joinQuery},
		{6, g.distinctQuery},
		{5, g.starQuery},
		{10, g.paramQuery},
		{2, g.limitNoOrderQuery},
		{3, g.unsignedQuery},
		{2, g.emptyQuery},
	}
	total := 0
	for _, t := range tmpls {
		total += t.weight
	}
	for len(out) < n {
		x := g.r.IntN(total)
		for _, t := range tmpls {
			if x < t.weight {
				add(t.f())
				break
			}
			x -= t.weight
		}
	}
	return out[:n]
}

type gen struct {
	r   *rand.Rand
	ds  *Dataset
	all *Table

	tags   []string
	params []param
}

type param struct {
	value any
	lit   string // the same value as a DuckDB literal
}

func (g *gen) pick(xs ...string) string { return xs[g.r.IntN(len(xs))] }
func (g *gen) chance(pct int) bool      { return g.r.IntN(100) < pct }
func (g *gen) tag(t string)             { g.tags = append(g.tags, t) }

// begin and finish bracket the making of one query: finish turns the
// parameter markers into $n or ? (ours) and literals (DuckDB).
func (g *gen) begin() { g.tags, g.params = nil, nil }

var marker = regexp.MustCompile("\x00P([0-9]+)\x00")

func (g *gen) finish(kind, sql string, ordered bool) Query {
	q := Query{Kind: kind, SQL: sql, DuckSQL: sql, Ordered: ordered}
	if len(g.params) > 0 {
		q.DuckSQL = marker.ReplaceAllStringFunc(sql, func(m string) string {
			k, _ := strconv.Atoi(marker.FindStringSubmatch(m)[1])
			return g.params[k].lit
		})
		if g.chance(50) || strings.Count(sql, "\x00") != 2*len(g.params) {
			// $n, numbered in the order the parameters were made.
			q.SQL = marker.ReplaceAllStringFunc(sql, func(m string) string {
				k, _ := strconv.Atoi(marker.FindStringSubmatch(m)[1])
				return "$" + strconv.Itoa(k+1)
			})
			for _, p := range g.params {
				q.Args = append(q.Args, p.value)
			}
			g.tag("param-dollar")
		} else {
			// ?, in the order they appear in the text.
			for _, m := range marker.FindAllStringSubmatch(sql, -1) {
				k, _ := strconv.Atoi(m[1])
				q.Args = append(q.Args, g.params[k].value)
			}
			q.SQL = marker.ReplaceAllString(sql, "?")
			g.tag("param-qmark")
		}
	}
	q.Tags = dedup(g.tags)
	return q
}

func dedup(xs []string) []string {
	if len(xs) == 0 {
		return nil
	}
	sort.Strings(xs)
	out := xs[:1]
	for _, x := range xs[1:] {
		if x != out[len(out)-1] {
			out = append(out, x)
		}
	}
	return out
}

// addParam returns a marker for a new parameter.
func (g *gen) addParam(value any, lit string) string {
	g.params = append(g.params, param{value, lit})
	return fmt.Sprintf("\x00P%d\x00", len(g.params)-1)
}

// ---- literals ----

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func decString(v *big.Int, scale int32) string {
	s := CanonDecimal(v, scale)
	return (*s)[2:]
}

func fmtFloat(f float64) string {
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

func fmtTS(micros int64) string {
	return time.UnixMicro(micros).UTC().Format("2006-01-02 15:04:05.999999")
}

// someValue returns a non-NULL value of c, or nil if it has none.
func (g *gen) someValue(c *Column) any {
	var nn []any
	for _, v := range c.Values {
		if v != nil {
			nn = append(nn, v)
		}
	}
	if len(nn) == 0 {
		return nil
	}
	return nn[g.r.IntN(len(nn))]
}

// literal returns a literal comparable with c: one of its values most of
// the time (so that = finds rows), else one near its range.
func (g *gen) literal(c *Column) string { return g.lit(c, g.value(c)) }

func (g *gen) value(c *Column) any {
	v := g.someValue(c)
	if v == nil || g.chance(30) {
		v = g.randomValue(c)
	}
	return v
}

// less orders two generated values of one column.
func less(a, b any) bool {
	switch a := a.(type) {
	case int64:
		return a < b.(int64)
	case uint64:
		return a < b.(uint64)
	case float64:
		return a < b.(float64)
	case string:
		return a < b.(string)
	case int32:
		return a < b.(int32)
	case *big.Int:
		return a.Cmp(b.(*big.Int)) < 0
	case bool:
		return !a && b.(bool)
	}
	return false
}

func (g *gen) randomValue(c *Column) any {
	switch c.Class {
	case ClassID:
		return int64(g.r.IntN(260)) - 5
	case ClassKey:
		return int64(g.r.IntN(30)) - 1
	case ClassIntExt, ClassIntSafe:
		return g.r.Int64N(2001) - 1000
	case ClassUint:
		return uint64(g.r.IntN(100000))
	case ClassFloat:
		return float64(g.r.IntN(4001)-2000) / 4
	case ClassString, ClassCat:
		return g.pick("zzz", "", "M", "alpha", "Zürich", "é", "🧬")
	case ClassBool:
		return g.chance(50)
	case ClassDate:
		return days(1950+g.r.IntN(100), time.Month(1+g.r.IntN(12)), 1+g.r.IntN(28))
	case ClassTS, ClassTSNaive:
		return time.Date(1950+g.r.IntN(100), time.Month(1+g.r.IntN(12)), 1+g.r.IntN(28), g.r.IntN(24), 0, 0, 0, time.UTC).UnixMicro()
	case ClassDecimal:
		return big.NewInt(g.r.Int64N(2_000_000_000) - 1_000_000_000)
	}
	return int64(g.r.IntN(10))
}

func (g *gen) lit(c *Column, v any) string {
	switch c.Class {
	case ClassFloat:
		return fmtFloat(v.(float64))
	case ClassString, ClassCat:
		return quote(v.(string))
	case ClassBool:
		return strings.ToUpper(strconv.FormatBool(v.(bool)))
	case ClassDate:
		return "DATE '" + strings.TrimPrefix(*CanonDate(int64(v.(int32))), "D:") + "'"
	case ClassTS, ClassTSNaive:
		return "TIMESTAMP '" + fmtTS(v.(int64)) + "'"
	case ClassDecimal:
		return decString(v.(*big.Int), c.Type.(interface{ GetScale() int32 }).GetScale())
	}
	return fmt.Sprint(v)
}

// ---- columns ----

// cols returns t's columns of the given classes.
func cols(t *Table, classes ...Class) []*Column {
	var out []*Column
	for _, c := range t.Cols {
		for _, k := range classes {
			if c.Class == k {
				out = append(out, c)
				break
			}
		}
	}
	return out
}

func (g *gen) col(t *Table, classes ...Class) *Column {
	cs := cols(t, classes...)
	return cs[g.r.IntN(len(cs))]
}

func (g *gen) anyCol(t *Table) *Column { return t.Cols[g.r.IntN(len(t.Cols))] }

// ---- predicates ----

// pred is a boolean expression over t's columns, each prefixed by q ("" or
// "alias."), nested up to depth.
func (g *gen) pred(t *Table, q string, depth int) string {
	if depth <= 0 || g.chance(45) {
		return g.atom(t, q)
	}
	switch g.r.IntN(5) {
	case 0, 1:
		return "(" + g.pred(t, q, depth-1) + " AND " + g.pred(t, q, depth-1) + ")"
	case 2, 3:
		return "(" + g.pred(t, q, depth-1) + " OR " + g.pred(t, q, depth-1) + ")"
	}
	g.tag("not")
	return "NOT (" + g.pred(t, q, depth-1) + ")"
}

var cmpOps = []string{"=", "<>", "!=", "<", "<=", ">", ">="}

func (g *gen) cmp() string { return cmpOps[g.r.IntN(len(cmpOps))] }

func (g *gen) atom(t *Table, q string) string {
	c := g.anyCol(t)
	name := q + c.Name
	if g.chance(8) {
		g.tag("is-null")
		return name + g.pick(" IS NULL", " IS NOT NULL")
	}
	switch c.Class {
	case ClassBool:
		return g.pick(name, "NOT "+name, name+" = TRUE", name+" <> FALSE", name+" IS NOT NULL", "("+name+" OR "+q+"k = 1)")
	case ClassAllNull:
		g.tag("all-null")
		return g.pick(name+" = 5", name+" IS NULL", name+" > 0 OR "+q+"id < 50", "NOT ("+name+" < 3)")
	case ClassString, ClassCat:
		switch g.r.IntN(7) {
		case 0, 1:
			return name + " " + g.cmp() + " " + g.literal(c)
		case 2:
			g.tag("in")
			return name + g.pick(" IN (", " NOT IN (") + g.literal(c) + ", " + g.literal(c) + g.pick("", ", NULL", ", "+g.literal(c)) + ")"
		case 3, 4:
			g.tag("like")
			return name + g.pick(" LIKE ", " LIKE ", " NOT LIKE ") + quote(g.likePattern(c))
		case 5:
			g.tag("fn-length")
			return "LENGTH(" + name + ") " + g.cmp() + " " + strconv.Itoa(g.r.IntN(12))
		default:
			g.tag("fn-lower")
			v, _ := g.someValue(c).(string)
			if g.chance(50) {
				return "UPPER(" + name + ") = " + quote(strings.ToUpper(v))
			}
			return "LOWER(" + name + ") = " + quote(strings.ToLower(v))
		}
	}
	switch g.r.IntN(8) {
	case 0:
		g.tag("between")
		a, b := g.value(c), g.value(c)
		if less(b, a) != g.chance(10) { // mostly lo <= hi; sometimes not
			a, b = b, a
		}
		return name + g.pick(" BETWEEN ", " BETWEEN ", " NOT BETWEEN ") + g.lit(c, a) + " AND " + g.lit(c, b)
	case 1:
		g.tag("in")
		return name + g.pick(" IN (", " NOT IN (") + g.literal(c) + ", " + g.literal(c) + g.pick("", ", NULL", ", "+g.literal(c)) + ")"
	case 2:
		// Column against column of a comparable class.
		switch c.Class {
		case ClassIntExt, ClassIntSafe, ClassID, ClassKey, ClassFloat, ClassDecimal:
			if t.Name == "allt" {
				o := g.col(t, ClassIntExt, ClassIntSafe, ClassFloat, ClassKey)
				g.tag("cmp-columns")
				return name + " " + g.cmp() + " " + q + o.Name
			}
		}
	case 3:
		if c.Class == ClassIntSafe && t.Name == "allt" {
			g.tag("arith-where")
			return g.pick(name+" % 3 = 0", name+" + "+q+"a16 > 0", "-"+name+" < 100", name+" * 2 >= "+g.literal(c))
		}
	case 4:
		if c.Class == ClassFloat {
			// A decimal literal against a float, and an integer one.
			return name + " " + g.cmp() + " " + g.pick("2.5", "-0.5", "0", "1000", "0.0000001")
		}
		if c.Class == ClassIntExt {
			g.tag("cmp-out-of-range")
			return name + " " + g.cmp() + " " + g.pick("2.5", "-1000000", "99999999999", "-9223372036854775808", "9223372036854775807", "300")
		}
	}
	return name + " " + g.cmp() + " " + g.literal(c)
}

// likePattern derives a LIKE pattern from one of c's values: a prefix%, a
// %suffix, a %middle%, one character replaced by _, or the value itself.
func (g *gen) likePattern(c *Column) string {
	v, _ := g.someValue(c).(string)
	rs := []rune(v)
	if len(rs) == 0 {
		return g.pick("%", "_%", "")
	}
	k := 1 + g.r.IntN(min(3, len(rs)))
	switch g.r.IntN(6) {
	case 0:
		return string(rs[:k]) + "%"
	case 1:
		return "%" + string(rs[len(rs)-k:])
	case 2:
		i := g.r.IntN(len(rs) - k + 1)
		return "%" + string(rs[i:i+k]) + "%"
	case 3:
		i := g.r.IntN(len(rs))
		rs[i] = '_'
		return string(rs)
	case 4:
		return string(rs[:k]) + "_%"
	}
	return v
}

// ---- select items over allt ----

// scalar is one select-list expression over allt, with q the qualifier.
func (g *gen) scalar(q string) string {
	c := func(name string) string { return q + name }
	num := func() string { return c(g.pick("a16", "a32", "a64", "f64")) }
	switch g.r.IntN(13) {
	case 0, 1: // arithmetic
		g.tag("arith")
		x, y := num(), num()
		switch g.r.IntN(6) {
		case 0:
			return x + " " + g.pick("+", "-", "*") + " " + y
		case 1:
			return x + " " + g.pick("+", "-", "*") + " " + strconv.Itoa(g.r.IntN(201)-100)
		case 2:
			return x + " " + g.pick("+", "*", "-") + " " + g.pick("2.5", "0.1", "-3.75")
		case 3:
			return "-" + x
		case 4:
			return "(" + x + " + " + strconv.Itoa(g.r.IntN(10)) + ") * " + strconv.Itoa(1+g.r.IntN(9))
		default:
			return c(g.pick("dec1", "dec1", "dec2")) + " " + g.pick("+", "-") + " " + g.pick("1", "0.5", c("dec1"))
		}
	case 2: // division: ints give a double
		g.tag("division")
		x := c(g.pick("a16", "a32", "a64", "f64", "k", "id"))
		if g.chance(20) {
			g.tag("modulo")
			return c(g.pick("a16", "a32", "a64", "id")) + " % " + strconv.Itoa(1+g.r.IntN(9))
		}
		return x + " / " + g.pick("2", "3", "7", "-4", "2.5", "0.5")
	case 3:
		return g.cast(q)
	case 4, 5:
		return g.caseExpr(q)
	case 6:
		g.tag("coalesce")
		return g.pick("COALESCE("+c("a32")+", 0)", "COALESCE("+c("s")+", '∅')", "COALESCE("+c("k")+", "+c("a16")+", -1)",
			"COALESCE("+c("f64")+", 0)", "COALESCE("+c("d")+", DATE '2000-01-01')", "COALESCE("+c("nul")+", "+c("a64")+")",
			"COALESCE("+c("dec1")+", 0)", "COALESCE("+c("b")+", FALSE)", "COALESCE("+c("cat")+", "+c("s")+")")
	case 7, 8:
		return g.strFn(q)
	case 9, 10: // a predicate as a value: three-valued logic
		g.tag("bool-value")
		return "(" + g.pred(g.all, q, 1) + ")"
	default:
		return q + g.anyCol(g.all).Name
	}
}

func (g *gen) cast(q string) string {
	g.tag("cast")
	c := func(name string) string { return q + name }
	switch g.r.IntN(20) {
	case 0:
		return "CAST(" + c("a32") + " AS BIGINT)"
	case 1:
		return "CAST(" + c(g.pick("a16", "i8", "i16")) + " AS INTEGER)"
	case 2:
		return "CAST(" + c(g.pick("a32", "i64", "a64")) + " AS DOUBLE)"
	case 3:
		return c("a32") + "::BIGINT"
	case 4:
		g.tag("cast-float-int")
		return "CAST(" + c("f64") + " AS BIGINT)"
	case 5:
		return "CAST(" + c("dec1") + " AS DOUBLE)"
	case 6:
		return "CAST(" + c("a32") + " AS DECIMAL(18,2))"
	case 7:
		g.tag("cast-varchar")
		return "CAST(" + c(g.pick("a64", "k", "i64", "i8")) + " AS VARCHAR)"
	case 8:
		g.tag("cast-varchar")
		return "CAST(" + c("d") + " AS VARCHAR)"
	case 9:
		g.tag("cast-varchar-decimal")
		return "CAST(" + c("dec1") + " AS VARCHAR)"
	case 10:
		return "CAST(" + c("tsn") + " AS DATE)"
	case 11:
		return "CAST(" + c("d") + " AS TIMESTAMP)"
	case 12:
		g.tag("cast-varchar")
		return "CAST(" + c("b") + " AS VARCHAR)"
	case 13:
		g.tag("cast-decimal-int")
		return "CAST(" + c("dec1") + " AS BIGINT)"
	case 14:
		return "CAST(" + c("k") + " AS SMALLINT)"
	case 15:
		g.tag("cast-from-varchar")
		return "CAST(CAST(" + c("a32") + " AS VARCHAR) AS INTEGER)"
	case 16:
		return c("a16") + "::DOUBLE / 3"
	case 17:
		return "CAST(" + c("i16") + " AS BIGINT) * 2"
	case 18:
		return "CAST(" + c("b") + " AS INTEGER)"
	}
	g.tag("cast-real")
	return "CAST(" + c("a64") + " AS REAL)"
}

func (g *gen) caseExpr(q string) string {
	g.tag("case")
	c := func(name string) string { return q + name }
	switch g.r.IntN(5) {
	case 0:
		return "CASE WHEN " + g.pred(g.all, q, 1) + " THEN 'yes' WHEN " + g.pred(g.all, q, 0) + " THEN 'maybe' ELSE 'no' END"
	case 1:
		return "CASE WHEN " + c("a32") + " > 0 THEN " + c("a32") + " ELSE -" + c("a32") + " END"
	case 2:
		return "CASE " + c("k") + " WHEN 1 THEN 'one' WHEN 2 THEN 'two' END"
	case 3:
		return "CASE WHEN " + c("b") + " THEN " + c("f64") + " ELSE 0 END"
	}
	return "CASE " + c("cat") + " WHEN 'alpha' THEN 1 WHEN 'café' THEN 2 ELSE NULL END"
}

func (g *gen) strFn(q string) string {
	s := q + g.pick("s", "s", "cat")
	switch g.r.IntN(8) {
	case 0:
		g.tag("fn-lower")
		return "LOWER(" + s + ")"
	case 1:
		g.tag("fn-upper")
		return "UPPER(" + s + ")"
	case 2:
		g.tag("fn-length")
		return "LENGTH(" + s + ")"
	case 3, 4:
		g.tag("fn-substr")
		return "SUBSTR(" + s + ", " + strconv.Itoa(1+g.r.IntN(4)) + ", " + strconv.Itoa(g.r.IntN(6)) + ")"
	case 5:
		g.tag("fn-substr")
		return "SUBSTR(" + s + ", " + strconv.Itoa(1+g.r.IntN(4)) + ")"
	case 6:
		g.tag("concat")
		return s + " || " + g.pick("'!'", "'-' || "+q+"cat", "' ' || "+q+"s")
	}
	g.tag("fn-upper")
	return "UPPER(SUBSTR(" + s + ", 1, 3))"
}

// items returns 1..n select items over allt (columns and expressions).
func (g *gen) items(q string, n int) []string {
	var out []string
	for i := range 1 + g.r.IntN(n) {
		if g.chance(40) {
			out = append(out, q+g.anyCol(g.all).Name)
			continue
		}
		e := g.scalar(q)
		if g.chance(60) {
			e += g.pick(" AS ", " ") + fmt.Sprintf("e%d", i)
		}
		out = append(out, e)
	}
	return out
}

// from returns a FROM clause for allt and the qualifier its columns take.
func (g *gen) from() (string, string) {
	switch g.r.IntN(6) {
	case 0:
		return "allt a", "a."
	case 1:
		return "allt AS t", "t."
	case 2:
		return "allt", "allt."
	}
	return "allt", ""
}

// orderAllt returns an ORDER BY over allt that ends in id (so it fully
// orders) or, when full is false, may leave ties.
func (g *gen) orderAllt(q string, full bool) string {
	var keys []string
	for range g.r.IntN(3) {
		c := g.anyCol(g.all)
		if c.Class == ClassAllNull {
			continue
		}
		keys = append(keys, q+c.Name+g.dirNulls())
	}
	if g.chance(15) {
		g.tag("order-expr")
		keys = append(keys, g.pick("LENGTH("+q+"s) DESC", q+"a32 * -1", "LOWER("+q+"cat)"+g.dirNulls()))
	}
	if full || len(keys) == 0 {
		keys = append(keys, q+"id"+g.pick("", " ASC", " DESC"))
	}
	return " ORDER BY " + strings.Join(keys, ", ")
}

func (g *gen) dirNulls() string {
	d := g.pick("", " ASC", " DESC")
	switch g.r.IntN(4) {
	case 0:
		g.tag("nulls-first")
		return d + " NULLS FIRST"
	case 1:
		g.tag("nulls-last")
		return d + " NULLS LAST"
	}
	if d == " DESC" {
		g.tag("desc-default-nulls")
	}
	return d
}

// limit returns LIMIT n [OFFSET m] for a result of about rows rows.
func (g *gen) limit(rows int) string {
	g.tag("limit")
	s := " LIMIT " + strconv.Itoa(g.r.IntN(30))
	if g.chance(50) {
		g.tag("offset")
		s += " OFFSET " + strconv.Itoa(g.r.IntN(rows+rows/4+1))
	}
	return s
}

// ---- templates ----

func (g *gen) selectQuery() Query {
	g.begin()
	from, q := g.from()
	sql := "SELECT " + strings.Join(g.items(q, 5), ", ") + " FROM " + from
	if g.chance(80) {
		sql += " WHERE " + g.pred(g.all, q, 2)
	}
	ordered := false
	countOnly := false
	if g.chance(60) {
		full := g.chance(80)
		sql += g.orderAllt(q, full)
		ordered = full
		if g.chance(35) {
			sql += g.limit(100)
			countOnly = !full
		}
	}
	qq := g.finish("select", sql, ordered)
	qq.CountOnly = countOnly
	return qq
}

func (g *gen) starQuery() Query {
	g.begin()
	g.tag("star")
	from, q := g.from()
	sel := "*"
	if g.chance(25) {
		g.tag("star-plus")
		sel = "*, " + g.scalar(q) + " AS extra"
	}
	sql := "SELECT " + sel + " FROM " + from
	if g.chance(70) {
		sql += " WHERE " + g.pred(g.all, q, 2)
	}
	ordered := g.chance(50)
	if ordered {
		sql += g.orderAllt(q, true)
		if g.chance(40) {
			sql += g.limit(100)
		}
	}
	return g.finish("star", sql, ordered)
}

func (g *gen) limitNoOrderQuery() Query {
	g.begin()
	sql := "SELECT id, s FROM allt"
	if g.chance(50) {
		sql += " WHERE " + g.pred(g.all, "", 1)
	}
	sql += g.limit(100)
	q := g.finish("limit-unordered", sql, false)
	q.CountOnly = true
	return q
}

// agg returns one aggregate over allt.
func (g *gen) agg(q string) string {
	c := func(name string) string { return q + name }
	switch g.r.IntN(12) {
	case 0:
		return "COUNT(*)"
	case 1:
		return "COUNT(" + q + g.anyCol(g.all).Name + ")"
	case 2:
		g.tag("count-distinct")
		return "COUNT(DISTINCT " + c(g.pick("k", "cat", "s", "i8", "d", "b", "dec1", "a16")) + ")"
	case 3, 4:
		g.tag("sum")
		x := g.pick("a16", "a32", "a64", "f64", "i8", "i16", "i32", "dec1", "dec2", "k", "nul", "i64")
		if x == "i64" {
			g.tag("sum-int64-extreme")
		}
		return "SUM(" + c(x) + ")"
	case 5, 6:
		g.tag("min-max")
		m := g.anyCol(g.all)
		for m.Class == ClassBool {
			m = g.anyCol(g.all)
		}
		return g.pick("MIN(", "MAX(") + c(m.Name) + ")"
	case 7, 8:
		g.tag("avg")
		return "AVG(" + c(g.pick("a16", "a32", "a64", "f64", "i8", "i16", "i32", "dec1", "dec2", "k", "nul")) + ")"
	case 9:
		g.tag("agg-expr")
		return g.pick("SUM("+c("a32")+" * 2)", "AVG("+c("f64")+" + "+c("a16")+")", "MAX(LENGTH("+c("s")+"))",
			"MIN(LOWER("+c("s")+"))", "SUM(CASE WHEN "+c("b")+" THEN 1 ELSE 0 END)", "COUNT(DISTINCT LOWER("+c("cat")+"))")
	case 10:
		return "MIN(" + c(g.pick("d", "ts", "tsn", "s", "dec2", "i64")) + ")"
	}
	return "MAX(" + c(g.pick("d", "ts", "tsn", "s", "dec2", "i64")) + ")"
}

func (g *gen) aggQuery() Query {
	g.begin()
	from, q := g.from()
	var items []string
	for i := range 1 + g.r.IntN(4) {
		items = append(items, g.agg(q)+fmt.Sprintf(" AS a%d", i))
	}
	sql := "SELECT " + strings.Join(items, ", ") + " FROM " + from
	if g.chance(60) {
		sql += " WHERE " + g.pred(g.all, q, 2)
	}
	return g.finish("aggregate", sql, true)
}

var groupKeys = [][]string{{"k"}, {"cat"}, {"b"}, {"k", "b"}, {"cat", "k"}, {"i8"}, {"d"}, {"LOWER(cat)"}, {"b", "cat", "k"}}

func (g *gen) groupQuery() Query {
	g.begin()
	from, q := g.from()
	keys := groupKeys[g.r.IntN(len(groupKeys))]
	var qk []string
	for _, k := range keys {
		if strings.HasPrefix(k, "LOWER(") {
			g.tag("group-expr")
			qk = append(qk, "LOWER("+q+"cat)")
		} else {
			qk = append(qk, q+k)
		}
	}
	items := append([]string(nil), qk...)
	nAgg := 1 + g.r.IntN(4)
	for i := range nAgg {
		items = append(items, g.agg(q)+fmt.Sprintf(" AS a%d", i))
	}
	if g.chance(20) {
		// Keys after the aggregates.
		items = append(items[len(qk):], items[:len(qk)]...)
	}
	sql := "SELECT " + strings.Join(items, ", ") + " FROM " + from
	if g.chance(50) {
		sql += " WHERE " + g.pred(g.all, q, 1)
	}
	sql += " GROUP BY " + strings.Join(qk, ", ")
	if g.chance(35) {
		g.tag("having")
		h := g.pick("COUNT(*) > "+strconv.Itoa(g.r.IntN(10)), "SUM("+q+"a32) > "+strconv.Itoa(g.r.IntN(20000)-10000),
			"MIN("+q+"f64) < "+g.pick("0", "-100.5", "500"), "MAX("+q+"s) IS NOT NULL", "AVG("+q+"a64) > 0",
			"COUNT(DISTINCT "+q+"cat) >= 2")
		if g.chance(25) {
			h = "(" + h + " AND COUNT(" + q + "b) > 1)"
		}
		sql += " HAVING " + h
	}
	ordered := false
	if g.chance(65) {
		var ob []string
		if g.chance(20) {
			g.tag("order-alias")
			ob = append(ob, fmt.Sprintf("a%d", g.r.IntN(nAgg))+g.dirNulls())
		}
		for _, k := range qk {
			ob = append(ob, k+g.dirNulls())
		}
		sql += " ORDER BY " + strings.Join(ob, ", ")
		ordered = true
		if g.chance(25) {
			sql += g.limit(8)
		}
	}
	return g.finish("group", sql, ordered)
}

func (g *gen) distinctQuery() Query {
	g.begin()
	g.tag("distinct")
	sets := [][]string{{"k"}, {"cat"}, {"b", "k"}, {"cat", "b"}, {"i8"}, {"a16 % 3"}, {"LOWER(cat)"}, {"k", "cat"}}
	sel := sets[g.r.IntN(len(sets))]
	sql := "SELECT DISTINCT " + strings.Join(sel, ", ") + " FROM allt"
	if g.chance(50) {
		sql += " WHERE " + g.pred(g.all, "", 1)
	}
	ordered := g.chance(60)
	if ordered {
		var ob []string
		for _, s := range sel {
			ob = append(ob, s+g.dirNulls())
		}
		sql += " ORDER BY " + strings.Join(ob, ", ")
		if g.chance(30) {
			sql += g.limit(6)
		}
	}
	return g.finish("distinct", sql, ordered)
}

func (g *gen) joinQuery() Query {
	g.begin()
	g.tag("join")
	lt, rt := g.ds.Table("left_t"), g.ds.Table("right_t")
	kind := g.pick("JOIN", "INNER JOIN", "LEFT JOIN", "LEFT OUTER JOIN")
	if strings.HasPrefix(kind, "LEFT") {
		g.tag("left-join")
	}
	on := g.pick("l.key = r.key", "r.key = l.key", "l.skey = r.skey")
	switch g.r.IntN(10) {
	case 0: // grouped
		g.tag("join-group")
		key := g.pick("l.key", "l.skey", "r.key")
		sql := "SELECT " + key + ", COUNT(*) AS n, COUNT(r.id) AS nr, SUM(r.rv) AS s, MIN(r.rs) AS m, AVG(l.lv) AS a FROM left_t l " +
			kind + " right_t r ON " + on
		if g.chance(40) {
			sql += " WHERE " + g.pred(lt, "l.", 1)
		}
		sql += " GROUP BY " + key
		ordered := g.chance(70)
		if ordered {
			sql += " ORDER BY " + key + g.dirNulls()
		}
		return g.finish("join", sql, ordered)
	case 1: // three tables
		g.tag("join3")
		sql := "SELECT l.id, r.id, a.s, a.k, a.dec1 FROM left_t l " + kind + " right_t r ON " + on +
			" " + g.pick("JOIN", "LEFT JOIN") + " allt a ON a.id = r.id"
		ordered := g.chance(60)
		if ordered {
			sql += " ORDER BY l.id, r.id" + g.dirNulls()
		}
		return g.finish("join", sql, ordered)
	case 2: // mixed key types, allt against a join table
		g.tag("join-mixed-types")
		on := g.pick("a.k = l.key", "a.id = l.key", "l.key = a.a16", "a.id = l.id")
		sql := "SELECT a.id, l.id, a.k, l.key, a.cat FROM allt a " + kind + " left_t l ON " + on
		if g.chance(50) {
			sql += " WHERE " + g.pred(g.all, "a.", 1)
		}
		ordered := g.chance(60)
		if ordered {
			sql += " ORDER BY a.id, l.id" + g.dirNulls()
		}
		return g.finish("join", sql, ordered)
	case 3: // self join
		g.tag("self-join")
		sql := "SELECT a.id, b.id, a.k, b.s FROM allt a " + kind + " allt b ON a.k = b.k WHERE a.id < 30"
		ordered := g.chance(60)
		if ordered {
			sql += " ORDER BY a.id, b.id" + g.dirNulls()
		}
		return g.finish("join", sql, ordered)
	case 4: // anti join
		g.tag("anti-join")
		sql := "SELECT l.id, l.key FROM left_t l LEFT JOIN right_t r ON " + on + " WHERE r.id IS NULL"
		return g.finish("join", sql, false)
	case 5: // unqualified table names
		sql := "SELECT left_t.id, right_t.id, left_t.ls, right_t.rv FROM left_t " + kind + " right_t ON left_t.key = right_t.key"
		return g.finish("join", sql, false)
	}
	var items []string
	switch g.r.IntN(6) {
	case 0:
		g.tag("star")
		items = []string{"*"}
	case 1:
		g.tag("star")
		items = []string{"r.*", "l.id"}
	default:
		pool := []string{"l.id", "l.key", "l.skey", "l.lv", "l.ls", "r.id", "r.key", "r.skey", "r.rv", "r.rs",
			"l.lv + r.rv", "COALESCE(r.rs, l.ls)", "UPPER(r.rs)", "r.rv * 2"}
		for _, i := range g.r.Perm(len(pool))[:2+g.r.IntN(5)] {
			items = append(items, pool[i])
		}
	}
	sql := "SELECT " + strings.Join(items, ", ") + " FROM left_t l " + kind + " right_t r ON " + on
	if g.chance(50) {
		if g.chance(50) {
			sql += " WHERE " + g.pred(lt, "l.", 1)
		} else {
			sql += " WHERE " + g.pred(rt, "r.", 1)
		}
	}
	ordered := g.chance(60)
	if ordered {
		sql += " ORDER BY l.id" + g.pick("", " DESC") + ", r.id" + g.dirNulls()
		if g.chance(30) {
			sql += g.limit(50)
		}
	}
	return g.finish("join", sql, ordered)
}

// paramQuery: comparisons with parameters bound to typed Go values.
func (g *gen) paramQuery() Query {
	g.begin()
	g.tag("param")
	var conds []string
	for range 1 + g.r.IntN(3) {
		c := g.col(g.all, ClassID, ClassKey, ClassIntExt, ClassIntSafe, ClassFloat, ClassString, ClassCat, ClassBool)
		v := g.someValue(c)
		var gv any
		var lit string
		switch x := v.(type) {
		case int64:
			if g.chance(50) {
				gv = int(x)
			} else {
				gv = x
			}
			lit = strconv.FormatInt(x, 10)
		case float64:
			gv, lit = x, fmtFloat(x)
		case string:
			gv, lit = x, quote(x)
		case bool:
			gv, lit = x, strings.ToUpper(strconv.FormatBool(x))
		}
		m := g.addParam(gv, lit)
		op := g.cmp()
		if c.Class == ClassBool {
			op = g.pick("=", "<>")
		}
		cond := c.Name + " " + op + " " + m
		if g.chance(15) {
			if _, ok := v.(int64); ok {
				g.tag("param-reuse")
				cond = "(" + cond + " OR " + c.Name + " + 0 = " + m + ")"
			}
		}
		conds = append(conds, cond)
	}
	sel := "id, " + g.pick("s", "a32", "f64, b", "cat, k")
	if g.chance(20) {
		g.tag("param-select")
		v := int64(g.r.IntN(100))
		sel += ", a32 + " + g.addParam(v, strconv.FormatInt(v, 10)) + " AS p"
	}
	sql := "SELECT " + sel + " FROM allt WHERE " + strings.Join(conds, g.pick(" AND ", " OR "))
	ordered := g.chance(60)
	if ordered {
		sql += " ORDER BY id"
	}
	return g.finish("param", sql, ordered)
}

func (g *gen) unsignedQuery() Query {
	g.begin()
	g.tag("unsigned")
	t := g.ds.Table("uns")
	switch g.r.IntN(4) {
	case 0:
		return g.finish("unsigned", "SELECT * FROM uns WHERE "+g.pred(t, "", 1)+" ORDER BY id", true)
	case 1:
		return g.finish("unsigned", "SELECT "+g.pick("MIN(u64), MAX(u64)", "SUM(u32), SUM(u8)", "COUNT(DISTINCT u8), MAX(u16)", "SUM(u64)", "AVG(u32)")+" FROM uns", true)
	case 2:
		return g.finish("unsigned", "SELECT id, u64 FROM uns WHERE u64 "+g.cmp()+" "+g.pick("9223372036854775807", "18446744073709551615", "0", "10000000000000000000"), false)
	}
	return g.finish("unsigned", "SELECT id, u8, u16 FROM uns ORDER BY u64 DESC NULLS LAST, id", true)
}

func (g *gen) emptyQuery() Query {
	g.begin()
	g.tag("empty")
	// Each is fully ordered: no rows, one row, or ORDER BY a.id.
	return g.finish("empty", g.pick(
		"SELECT * FROM empty_t WHERE "+g.pred(g.ds.Table("empty_t"), "", 1),
		"SELECT COUNT(*), SUM(v), MIN(s), MAX(id), AVG(v) FROM empty_t",
		"SELECT s, COUNT(*) FROM empty_t GROUP BY s",
		"SELECT a.id, e.v FROM allt a LEFT JOIN empty_t e ON a.id = e.id WHERE a.id < 10 ORDER BY a.id",
		"SELECT a.id FROM allt a JOIN empty_t e ON a.id = e.id",
	), true)
}

// fixed are the queries every run has: anchors whose answers the tests
// compute from the data, count(*) without a filter, the empty and
// unsigned tables, and statements both engines must refuse.
func (g *gen) fixed() []Query {
	var out []Query
	q := func(kind, sql string, ordered bool) {
		g.begin()
		out = append(out, g.finish(kind, sql, ordered))
	}
	for _, a := range Anchors {
		q("anchor", a.SQL, true)
	}
	q("count-star", "SELECT count(*) FROM allt", true)
	q("count-star", "SELECT COUNT(*) AS n FROM left_t", true)
	q("count-star", "SELECT count(*) FROM empty_t", true)
	q("count-star", "SELECT count(*) FROM uns", true)
	q("star", "SELECT * FROM allt ORDER BY id", true)
	q("star", "SELECT * FROM allt", false)
	q("star", "SELECT * FROM left_t ORDER BY id", true)
	q("star", "SELECT * FROM right_t", false)
	q("empty", "SELECT * FROM empty_t", false)
	q("empty", "SELECT COUNT(*), SUM(v), MIN(s), MAX(id), AVG(v), COUNT(DISTINCT s) FROM empty_t", true)
	q("empty", "SELECT s, COUNT(*) FROM empty_t GROUP BY s", false)
	q("unsigned", "SELECT * FROM uns ORDER BY id", true)
	q("unsigned", "SELECT MIN(u8), MAX(u8), MIN(u64), MAX(u64), SUM(u16), COUNT(u32) FROM uns", true)
	q("all-null", "SELECT COUNT(nul), SUM(nul), MIN(nul), MAX(nul), AVG(nul), COUNT(*) FROM allt", true)
	q("all-null", "SELECT id FROM allt WHERE nul IS NULL AND id <= 5 ORDER BY id", true)
	q("extremes", "SELECT MIN(i8), MAX(i8), MIN(i16), MAX(i16), MIN(i32), MAX(i32), MIN(i64), MAX(i64) FROM allt", true)
	q("extremes", "SELECT id, i64 FROM allt WHERE i64 IN (9223372036854775807, -9223372036854775808) ORDER BY id", true)
	q("three-valued", "SELECT id, b, NOT b, b AND k > 3, b OR k > 3, k IN (1, 2, NULL), k NOT IN (1, NULL) FROM allt ORDER BY id", true)
	q("unicode", "SELECT s, LENGTH(s), UPPER(s), LOWER(s), SUBSTR(s, 2, 3) FROM allt WHERE s IS NOT NULL ORDER BY id", true)
	q("like", "SELECT id FROM allt WHERE s LIKE 'caf_' OR s LIKE '%🧬%' OR s LIKE 'Ω%' ORDER BY id", true)
	q("timestamps", "SELECT id, ts, tsn, CAST(tsn AS DATE), d FROM allt WHERE ts >= TIMESTAMP '1969-12-31 23:59:59' AND ts < TIMESTAMP '1970-01-01 00:00:01' ORDER BY id", true)
	q("decimals", "SELECT SUM(dec1), SUM(dec2), MIN(dec2), MAX(dec2), MIN(dec1), MAX(dec1) FROM allt", true)
	q("division", "SELECT id, a32 / 7, a64 / 2, f64 / 4, a16 / 3 FROM allt ORDER BY id", true)
	for _, sql := range []string{
		"SELECT 1 + 2, 7 / 2, -7 % 3, 2 * 3.5, 1.5 + 1.25, -(4)",
		"SELECT NULL = NULL, NULL IS NULL, 1 IN (2, NULL), 1 NOT IN (2, NULL), 2 IN (2, NULL), NOT (NULL AND FALSE), NULL OR TRUE",
		"SELECT LENGTH('🧬é'), SUBSTR('Ωμέγα', 2, 3), UPPER('école'), LOWER('ÆRØ'), 'a' || 'β', LENGTH('')",
		"SELECT CAST(2.5 AS INTEGER), CAST(-2.5 AS INTEGER), CAST(3.7 AS BIGINT), CAST('42' AS INTEGER), CAST(42 AS VARCHAR)",
		"SELECT COALESCE(NULL, 2), COALESCE(NULL, NULL, 'x'), CASE WHEN NULL THEN 1 ELSE 2 END, CASE 1 WHEN 1 THEN 'a' END",
		"SELECT 'a' < 'b', 'B' < 'a', 'é' > 'z', DATE '2020-02-29' > DATE '2020-02-28', TIMESTAMP '2020-01-01 00:00:00.5' < TIMESTAMP '2020-01-01 00:00:01'",
		"SELECT DATE '1969-12-31', TIMESTAMP '1969-12-31 23:59:59.999999', CAST(TIMESTAMP '2021-03-04 05:06:07' AS DATE), CAST(DATE '2000-02-29' AS TIMESTAMP)",
		"SELECT 'abc' LIKE 'a%', 'abc' LIKE '_b_', 'abc' LIKE 'A%', 'café' LIKE 'caf_', '' LIKE '%', 'a' NOT LIKE '%a'",
		"SELECT 9223372036854775807, -9223372036854775807 - 1, 12345678901234567890.123, 0.1 + 0.2, 1e3",
		"SELECT 5 BETWEEN 1 AND 10, 5 NOT BETWEEN 6 AND 10, NULL BETWEEN 1 AND 2, 'm' BETWEEN 'a' AND 'z'",
	} {
		q("constant", sql, true)
	}
	for _, sql := range ExpectedErrors {
		q("error", sql, false)
		out[len(out)-1].ExpectError = true
	}
	return out
}

// ExpectedErrors are statements both engines must refuse.
var ExpectedErrors = []string{
	"SELECT nosuch FROM allt",
	"SELECT * FROM nosuch_table",
	"SELECT a32 FROM allt GROUP BY k",
	"SELECT cat, COUNT(*) FROM allt GROUP BY k",
	"SELECT SUM(s) FROM allt",
	"SELECT * FROM allt WHERE COUNT(*) > 1",
	"SELECT id FROM left_t l JOIN right_t r ON l.key = r.key",
	"SELECT l.nosuch FROM left_t l",
	"SELECT x.id FROM allt a",
	"SELECT * FROM allt ORDER BY nosuch",
	"SELECT b + 1 FROM allt",
	"SELECT LOWER(a32) FROM allt",
	"DELETE FROM allt",
	"SELECT * FROM allt WHERE",
	"SELECT id FROM allt WHERE s = 'unterminated",
	"SELECT CAST(i64 AS INTEGER) FROM allt",
	"SELECT CAST(2147483648 AS INTEGER)",
	"SELECT CAST(i32 AS SMALLINT) FROM allt",
}

// Anchor is a query whose answer the tests compute from the data itself.
type Anchor struct {
	SQL  string
	Want func(*Dataset) []Row
}

// Anchors check the data, the runner and the canonical form end to end.
var Anchors = []Anchor{
	{"SELECT COUNT(*) FROM allt", func(d *Dataset) []Row {
		return []Row{{CanonInt(int64(d.Table("allt").Rows))}}
	}},
	{"SELECT COUNT(*), COUNT(a32), SUM(a64), MIN(i64), MAX(i64) FROM allt WHERE a32 > 0", func(d *Dataset) []Row {
		t := d.Table("allt")
		var n, na int64
		sum := new(big.Int)
		var mn, mx *int64
		for i := range t.Rows {
			a32 := t.Col("a32").Values[i]
			if a32 == nil || a32.(int64) <= 0 {
				continue
			}
			n++
			na++
			if v := t.Col("a64").Values[i]; v != nil {
				sum.Add(sum, big.NewInt(v.(int64)))
			}
			if v := t.Col("i64").Values[i]; v != nil {
				x := v.(int64)
				if mn == nil || x < *mn {
					mn = &x
				}
				if mx == nil || x > *mx {
					mx = &x
				}
			}
		}
		row := Row{CanonInt(n), CanonInt(na), CanonDecimal(sum, 0), nil, nil}
		if mn != nil {
			row[3], row[4] = CanonInt(*mn), CanonInt(*mx)
		}
		return []Row{row}
	}},
	{"SELECT SUM(i64) FROM allt", func(d *Dataset) []Row {
		sum := new(big.Int)
		for _, v := range d.Table("allt").Col("i64").Values {
			if v != nil {
				sum.Add(sum, big.NewInt(v.(int64)))
			}
		}
		return []Row{{CanonDecimal(sum, 0)}}
	}},
	{"SELECT id, s, LENGTH(s), d, ts, dec1, dec2, b FROM allt ORDER BY id LIMIT 20", func(d *Dataset) []Row {
		t := d.Table("allt")
		idx := make([]int, t.Rows)
		for i := range idx {
			idx[i] = i
		}
		id := t.Col("id").Values
		sort.Slice(idx, func(a, b int) bool { return id[idx[a]].(int64) < id[idx[b]].(int64) })
		var rows []Row
		for _, i := range idx[:20] {
			row := Row{CanonInt(id[i].(int64))}
			if s := t.Col("s").Values[i]; s != nil {
				row = append(row, CanonString(s.(string)), CanonInt(int64(utf8.RuneCountInString(s.(string)))))
			} else {
				row = append(row, nil, nil)
			}
			for _, name := range []string{"d", "ts", "dec1", "dec2", "b"} {
				row = append(row, canonGo(t.Col(name), t.Col(name).Values[i]))
			}
			rows = append(rows, row)
		}
		return rows
	}},
	{"SELECT COUNT(*) FROM left_t l JOIN right_t r ON l.key = r.key", func(d *Dataset) []Row {
		return []Row{{CanonInt(int64(joinCount(d, false)))}}
	}},
	{"SELECT COUNT(*) FROM left_t l LEFT JOIN right_t r ON l.key = r.key", func(d *Dataset) []Row {
		return []Row{{CanonInt(int64(joinCount(d, true)))}}
	}},
	{"SELECT COUNT(*) FROM allt WHERE s LIKE '%é%'", func(d *Dataset) []Row {
		n := 0
		for _, v := range d.Table("allt").Col("s").Values {
			if v != nil && strings.Contains(v.(string), "é") {
				n++
			}
		}
		return []Row{{CanonInt(int64(n))}}
	}},
	{"SELECT MAX(u64), MIN(u8), MAX(u32) FROM uns", func(d *Dataset) []Row {
		return []Row{{CanonUint(1<<64 - 1), CanonUint(0), CanonUint(1<<32 - 1)}}
	}},
}

func joinCount(d *Dataset, left bool) int {
	l, r := d.Table("left_t").Col("key").Values, d.Table("right_t").Col("key").Values
	n := 0
	for _, a := range l {
		m := 0
		for _, b := range r {
			if a != nil && b != nil && a.(int64) == b.(int64) {
				m++
			}
		}
		if m == 0 && left {
			m = 1
		}
		n += m
	}
	return n
}

// canonGo is the canonical form of a generated value of c.
func canonGo(c *Column, v any) Value {
	if v == nil {
		return nil
	}
	switch c.Class {
	case ClassDate:
		return CanonDate(int64(v.(int32)))
	case ClassTS, ClassTSNaive:
		return CanonTimestamp(v.(int64))
	case ClassDecimal:
		return CanonDecimal(v.(*big.Int), c.Type.(interface{ GetScale() int32 }).GetScale())
	}
	switch x := v.(type) {
	case int64:
		return CanonInt(x)
	case uint64:
		return CanonUint(x)
	case float64:
		return CanonFloat(x)
	case string:
		return CanonString(x)
	case bool:
		return CanonBool(x)
	}
	panic(fmt.Sprintf("canonGo: %T", v))
}
