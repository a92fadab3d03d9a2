package engine

import (
	"fmt"
	"github.com/apache/arrow-go/v18/arrow"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/snapdb/snapdb/engine/sqlparse"
)

// Expr is an unbound expression over a table's columns: the Filter of a
// ScanSpec, built with Col, Lit and the predicate constructors below. The
// SQL layer builds the same trees from statements. Names and types are
// checked when a scan or query binds it to a schema.
type Expr interface {
	String() string
	node()
}

type colExpr struct {
	pos   sqlparse.Pos
	table string // qualifier, "" when none
	name  string
	exact bool // a quoted identifier: match case
}

type litExpr struct {
	pos  sqlparse.Pos
	v    *vec   // constant
	text string // a numeric literal as written
	// untyped marks a string literal that may take the type of the other
	// side of a comparison ('2024-01-01' against a DATE column).
	untyped bool
}

type callExpr struct {
	pos      sqlparse.Pos
	op       string // see bindCall
	args     []Expr
	to       typ  // cast target
	hasElse  bool // case
	distinct bool // count(DISTINCT x)
	star     bool // count(*)
}

func (*colExpr) node()  {}
func (*litExpr) node()  {}
func (*callExpr) node() {}

func (e *colExpr) String() string {
	name := quoteIdent(e.name)
	if e.table != "" {
		return quoteIdent(e.table) + "." + name
	}
	return name
}

func (e *litExpr) String() string { return formatValue(e.v, 0) }

func (e *callExpr) String() string {
	a := make([]string, len(e.args))
	for i, x := range e.args {
		a[i] = x.String()
	}
	switch e.op {
	case "=", "<>", "<", "<=", ">", ">=", "+", "-", "*", "/", "%", "||":
		return "(" + a[0] + " " + e.op + " " + a[1] + ")"
	case "and", "or":
		return "(" + strings.Join(a, " "+strings.ToUpper(e.op)+" ") + ")"
	case "not":
		return "(NOT " + a[0] + ")"
	case "neg":
		return "(-" + a[0] + ")"
	case "isnull":
		return "(" + a[0] + " IS NULL)"
	case "isnotnull":
		return "(" + a[0] + " IS NOT NULL)"
	case "in":
		return "(" + a[0] + " IN (" + strings.Join(a[1:], ", ") + "))"
	case "like":
		return "(" + a[0] + " LIKE " + a[1] + ")"
	case "cast":
		return "CAST(" + a[0] + " AS " + e.to.String() + ")"
	case "int16", "int32", "real":
		// The narrower type's name, over the cast that computes it.
		name := map[string]string{"int16": "SMALLINT", "int32": "INTEGER", "real": "REAL"}[e.op]
		if c, ok := e.args[0].(*callExpr); ok && c.op == "cast" {
			return "CAST(" + c.args[0].String() + " AS " + name + ")"
		}
		return a[0]
	case "case":
		var sb strings.Builder
		sb.WriteString("CASE")
		n := len(a)
		if e.hasElse {
			n--
		}
		for i := 0; i+1 < n; i += 2 {
			sb.WriteString(" WHEN " + a[i] + " THEN " + a[i+1])
		}
		if e.hasElse {
			sb.WriteString(" ELSE " + a[n])
		}
		return sb.String() + " END"
	}
	if e.star {
		return e.op + "(*)"
	}
	if e.distinct {
		return e.op + "(DISTINCT " + strings.Join(a, ", ") + ")"
	}
	return e.op + "(" + strings.Join(a, ", ") + ")"
}

func quoteIdent(s string) string {
	ok := s != ""
	for i, c := range s {
		if !(c == '_' || c >= 'a' && c <= 'z' || i > 0 && c >= '0' && c <= '9') {
			ok = false
		}
	}
	if ok {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// Col names a column.
func Col(name string) Expr { return &colExpr{name: name, exact: true} }

// Lit is a constant: nil, bool, any Go integer, float32/64, string,
// time.Time (a TIMESTAMP in microseconds, UTC), arrow.Date32 (a DATE) or
// decimal128 via Dec.
func Lit(v any) Expr {
	l, err := literal(v)
	if err != nil {
		return &badExpr{err: err}
	}
	return l
}

// Dec is a DECIMAL(prec, scale) constant given by its unscaled value.
func Dec(unscaled decimal128.Num, prec, scale int32) Expr {
	v := newVec(typ{k: kDec, prec: prec, scale: scale}, 1, false)
	v.konst = true
	v.d[0] = unscaled
	return &litExpr{v: v}
}

// badExpr carries a construction error to bind time.
type badExpr struct{ err error }

func (e *badExpr) String() string { return "<" + e.err.Error() + ">" }
func (*badExpr) node()            {}

func literal(v any) (*litExpr, error) {
	var c *vec
	set := func(t typ) { c = newVec(t, 1, false); c.konst = true }
	switch x := v.(type) {
	case nil:
		c = nullVec(tNull, 1)
	case bool:
		set(tBool)
		c.b[0] = x
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		n, ok := asInt64(x)
		if !ok {
			return nil, fmt.Errorf("%d does not fit BIGINT", x)
		}
		set(tInt)
		c.i[0] = n
	case float32:
		set(tFloat)
		c.f[0] = float64(x)
	case float64:
		set(tFloat)
		c.f[0] = x
	case string:
		set(tStr)
		c.s[0] = x
	case time.Time:
		set(typ{k: kTs, unit: 2}) // arrow.Microsecond
		c.i[0] = x.UnixMicro()
	case arrow.Date32:
		set(tDate)
		c.i[0] = int64(x)
	default:
		return nil, fmt.Errorf("cannot use a %T as a SQL value", v)
	}
	return &litExpr{v: c}, nil
}

// asInt64 converts any Go integer to int64, or reports that it does not fit.
func asInt64(v any) (int64, bool) {
	switch x := v.(type) {
	case int:
		return int64(x), true
	case int8:
		return int64(x), true
	case int16:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case uint8:
		return int64(x), true
	case uint16:
		return int64(x), true
	case uint32:
		return int64(x), true
	case uint:
		return int64(x), uint64(x) <= math.MaxInt64
	case uint64:
		return int64(x), x <= math.MaxInt64
	}
	return 0, false
}

func cmpExpr(op string, a, b Expr) Expr { return &callExpr{op: op, args: []Expr{a, b}} }

// Eq is a = b.
func Eq(a, b Expr) Expr { return cmpExpr("=", a, b) }

// Ne is a <> b.
func Ne(a, b Expr) Expr { return cmpExpr("<>", a, b) }

// Lt is a < b.
func Lt(a, b Expr) Expr { return cmpExpr("<", a, b) }

// Le is a <= b.
func Le(a, b Expr) Expr { return cmpExpr("<=", a, b) }

// Gt is a > b.
func Gt(a, b Expr) Expr { return cmpExpr(">", a, b) }

// Ge is a >= b.
func Ge(a, b Expr) Expr { return cmpExpr(">=", a, b) }

// In is x IN (list…).
func In(x Expr, list ...Expr) Expr {
	return &callExpr{op: "in", args: append([]Expr{x}, list...)}
}

// Between is x BETWEEN lo AND hi (both ends included).
func Between(x, lo, hi Expr) Expr { return And(Ge(x, lo), Le(x, hi)) }

// IsNull is x IS NULL.
func IsNull(x Expr) Expr { return &callExpr{op: "isnull", args: []Expr{x}} }

// IsNotNull is x IS NOT NULL.
func IsNotNull(x Expr) Expr { return &callExpr{op: "isnotnull", args: []Expr{x}} }

// Like is x LIKE pattern: % matches any run of characters, _ one character.
func Like(x Expr, pattern string) Expr {
	p, _ := literal(pattern)
	return &callExpr{op: "like", args: []Expr{x, p}}
}

// And is the conjunction of its arguments (SQL three-valued logic).
func And(xs ...Expr) Expr { return &callExpr{op: "and", args: xs} }

// Or is the disjunction of its arguments (SQL three-valued logic).
func Or(xs ...Expr) Expr { return &callExpr{op: "or", args: xs} }

// Not is NOT x.
func Not(x Expr) Expr { return &callExpr{op: "not", args: []Expr{x}} }

// formatValue renders row r of v as SQL text.
func formatValue(v *vec, r int) string {
	if v.isNull(r) {
		return "NULL"
	}
	x := v.at(r)
	switch v.t.k {
	case kBool:
		if v.b[x] {
			return "TRUE"
		}
		return "FALSE"
	case kInt:
		return strconv.FormatInt(v.i[x], 10)
	case kFloat:
		return strconv.FormatFloat(v.f[x], 'g', -1, 64)
	case kDec:
		return v.d[x].ToString(v.t.scale)
	case kStr:
		return "'" + strings.ReplaceAll(v.s[x], "'", "''") + "'"
	case kDate:
		return "DATE '" + dateString(v.i[x]) + "'"
	case kTs:
		return "TIMESTAMP '" + tsString(v.i[x], v.t.unit) + "'"
	}
	return "?"
}
