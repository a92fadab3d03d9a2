package engine

import (
	"fmt"
	"github.com/apache/arrow-go/v18/arrow"
	"sort"
	"strings"

	"github.com/snapdb/snapdb/engine/sqlparse"
)

// Error is a query that cannot run as written: an unknown table or column,
// a type mismatch, an unsupported construct. Pos is where, when known.
type Error struct {
	Pos sqlparse.Pos
	Msg string
}

func (e *Error) Error() string {
	if e.Pos.Line > 0 {
		return fmt.Sprintf("%s (at %d:%d)", e.Msg, e.Pos.Line, e.Pos.Col)
	}
	return e.Msg
}

func errorf(pos sqlparse.Pos, format string, args ...any) error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// column is one column visible to expressions: its qualifier (table name
// or alias), name and type.
type column struct {
	qual string
	name string
	t    typ
}

// scope is the list of columns an expression binds against; row batches
// evaluated with it have the same columns in the same order.
type scope struct {
	cols []column
	// arrowTypes, when set, are the Arrow types of the batches' columns
	// (a bare column is projected with its own type).
	arrowTypes []arrow.DataType
}

func (s *scope) lookup(e *colExpr) (int, error) {
	found := -1
	exact := false
	for i, c := range s.cols {
		if e.table != "" && !strings.EqualFold(c.qual, e.table) {
			continue
		}
		switch {
		case c.name == e.name:
			if found >= 0 && exact {
				return 0, errorf(e.pos, "column reference %s is ambiguous", e)
			}
			found, exact = i, true
		case !e.exact && strings.EqualFold(c.name, e.name) && !exact:
			if found >= 0 {
				return 0, errorf(e.pos, "column reference %s is ambiguous", e)
			}
			found = i
		}
	}
	if found < 0 {
		return 0, s.unknown(e)
	}
	return found, nil
}

func (s *scope) unknown(e *colExpr) error {
	var names []string
	quals := map[string]bool{}
	for _, c := range s.cols {
		quals[strings.ToLower(c.qual)] = true
		if e.table == "" || strings.EqualFold(c.qual, e.table) {
			n := c.name
			if e.table == "" && len(quals) > 1 {
				n = c.qual + "." + c.name
			}
			names = append(names, n)
		}
	}
	if e.table != "" && !quals[strings.ToLower(e.table)] {
		var qs []string
		for q := range quals {
			qs = append(qs, q)
		}
		sort.Strings(qs)
		return errorf(e.pos, "unknown table %q in %s (tables in this query: %s)", e.table, e, strings.Join(qs, ", "))
	}
	if len(names) == 0 {
		return errorf(e.pos, "unknown column %s: this query reads no table", e)
	}
	return errorf(e.pos, "unknown column %s (columns: %s)", e, strings.Join(names, ", "))
}

// bexpr is a bound expression: names resolved to column positions, types
// known, implicit casts inserted.
type bexpr struct {
	t       typ
	op      string // "col", "lit" or an operator of callExpr
	col     int    // "col"
	lit     *vec   // "lit"
	args    []*bexpr
	like    *likePattern // "like" with a constant pattern
	hasElse bool
	src     Expr
}

func (b *bexpr) isConst() bool { return b.op == "lit" }

// bind resolves e against s.
func (s *scope) bind(e Expr) (*bexpr, error) {
	switch e := e.(type) {
	case *badExpr:
		return nil, e.err
	case *boundRef:
		return &bexpr{t: e.t, op: "col", col: e.idx, src: e}, nil
	case *colExpr:
		i, err := s.lookup(e)
		if err != nil {
			return nil, err
		}
		return &bexpr{t: s.cols[i].t, op: "col", col: i, src: e}, nil
	case *litExpr:
		return &bexpr{t: e.v.t, op: "lit", lit: e.v, src: e}, nil
	case *callExpr:
		return s.bindCall(e)
	}
	return nil, fmt.Errorf("engine: unknown expression %T", e)
}

func isAggregate(name string) bool {
	switch name {
	case "count", "sum", "min", "max", "avg":
		return true
	}
	return false
}

func (s *scope) bindCall(e *callExpr) (*bexpr, error) {
	if isAggregate(e.op) {
		return nil, errorf(e.pos, "aggregate %s is not allowed here", e)
	}
	args := make([]*bexpr, len(e.args))
	for i, a := range e.args {
		b, err := s.bind(a)
		if err != nil {
			return nil, err
		}
		if b.t.k == kOther {
			return nil, errorf(e.pos, "%s: operand %s of type %s cannot be used in expressions", e, a, b.t)
		}
		args[i] = b
	}
	out := &bexpr{op: e.op, args: args, src: e, hasElse: e.hasElse}
	switch e.op {
	case "=", "<>", "<", "<=", ">", ">=":
		l, r, err := unifyPair(e, args[0], args[1])
		if err != nil {
			return nil, err
		}
		out.args = []*bexpr{l, r}
		out.t = tBool
	case "and", "or":
		if err := coerceAll(e, args, tBool); err != nil {
			return nil, err
		}
		out.t = tBool
	case "not":
		c, err := coerce(e, args[0], tBool)
		if err != nil {
			return nil, err
		}
		out.args[0] = c
		out.t = tBool
	case "isnull", "isnotnull":
		out.t = tBool
	case "in":
		t := args[0].t
		for _, a := range args[1:] {
			u, ok := unify(t, a.t, a)
			if !ok {
				return nil, errorf(e.pos, "%s: cannot compare %s with %s", e, t, a.t)
			}
			t = u
		}
		if err := coerceAll(e, args, t); err != nil {
			return nil, err
		}
		out.t = tBool
	case "like":
		if err := coerceAll(e, args, tStr); err != nil {
			return nil, err
		}
		if args[1].isConst() && !args[1].lit.isNull(0) {
			out.like = compileLike(args[1].lit.s[0])
		}
		out.t = tBool
	case "+", "-", "*", "%":
		l, r := args[0], args[1]
		if e.op == "+" || e.op == "-" {
			if t, ok := dateArith(l.t, r.t, e.op); ok {
				out.t = t
				break
			}
		}
		t, ok := unify(l.t, r.t, nil)
		if !ok || !(t.numeric() || t.k == kNull) {
			return nil, errorf(e.pos, "%s: operator %s needs numbers, not %s and %s", e, e.op, l.t, r.t)
		}
		if t.k == kNull {
			t = tInt
		}
		if t.k == kDec && e.op != "%" {
			l, r = mustCoerceDec(l), mustCoerceDec(r)
			out.args = []*bexpr{l, r}
			out.t = decResult(e.op, l.t, r.t)
			break
		}
		if t.k == kDec {
			t = tFloat
		}
		var err error
		if out.args[0], err = coerce(e, l, t); err != nil {
			return nil, err
		}
		if out.args[1], err = coerce(e, r, t); err != nil {
			return nil, err
		}
		out.t = t
	case "/":
		for i, a := range args {
			if !(a.t.numeric() || a.t.k == kNull) {
				return nil, errorf(e.pos, "%s: operator / needs numbers, not %s", e, a.t)
			}
			c, err := coerce(e, a, tFloat)
			if err != nil {
				return nil, err
			}
			args[i] = c
		}
		out.t = tFloat
	case "neg":
		if !(args[0].t.numeric() || args[0].t.k == kNull) {
			return nil, errorf(e.pos, "%s: cannot negate %s", e, args[0].t)
		}
		out.t = args[0].t
		if out.t.k == kNull {
			out.t = tInt
		}
	case "||":
		if err := coerceAll(e, args, tStr); err != nil {
			return nil, err
		}
		out.t = tStr
	case "cast":
		c, err := castTo(e, args[0], e.to)
		if err != nil {
			return nil, err
		}
		return c, nil
	case "case":
		n := len(args)
		if e.hasElse {
			n--
		}
		t := tNull
		for i := 0; i+1 < n; i += 2 {
			c, err := coerce(e, args[i], tBool)
			if err != nil {
				return nil, err
			}
			args[i] = c
			u, ok := unify(t, args[i+1].t, args[i+1])
			if !ok {
				return nil, errorf(e.pos, "CASE results of types %s and %s do not mix", t, args[i+1].t)
			}
			t = u
		}
		if e.hasElse {
			u, ok := unify(t, args[n].t, args[n])
			if !ok {
				return nil, errorf(e.pos, "CASE results of types %s and %s do not mix", t, args[n].t)
			}
			t = u
		}
		for i := 1; i < n; i += 2 {
			c, err := coerce(e, args[i], t)
			if err != nil {
				return nil, err
			}
			args[i] = c
		}
		if e.hasElse {
			c, err := coerce(e, args[n], t)
			if err != nil {
				return nil, err
			}
			args[n] = c
		}
		out.t = t
	case "coalesce":
		if len(args) == 0 {
			return nil, errorf(e.pos, "coalesce needs at least one argument")
		}
		t := tNull
		for _, a := range args {
			u, ok := unify(t, a.t, a)
			if !ok {
				return nil, errorf(e.pos, "%s: arguments of types %s and %s do not mix", e, t, a.t)
			}
			t = u
		}
		if err := coerceAll(e, args, t); err != nil {
			return nil, err
		}
		out.t = t
	case "lower", "upper", "length":
		if len(args) != 1 {
			return nil, errorf(e.pos, "%s takes one argument", e.op)
		}
		c, err := coerce(e, args[0], tStr)
		if err != nil {
			return nil, err
		}
		args[0] = c
		out.t = tStr
		if e.op == "length" {
			out.t = tInt
		}
	case "substr", "substring":
		if len(args) != 2 && len(args) != 3 {
			return nil, errorf(e.pos, "substr takes 2 or 3 arguments")
		}
		out.op = "substr"
		var err error
		if args[0], err = coerce(e, args[0], tStr); err != nil {
			return nil, err
		}
		for i := 1; i < len(args); i++ {
			if args[i].t.k != kInt && args[i].t.k != kNull {
				return nil, errorf(e.pos, "%s: argument %d must be an integer, not %s", e, i+1, args[i].t)
			}
			if args[i], err = coerce(e, args[i], tInt); err != nil {
				return nil, err
			}
		}
		out.t = tStr
	case "real":
		out.t = tFloat
	case "int16", "int32":
		out.t = tInt
	case "abs":
		if len(args) != 1 || !(args[0].t.numeric() || args[0].t.k == kNull) {
			return nil, errorf(e.pos, "abs takes one number")
		}
		out.t = args[0].t
		if out.t.k == kNull {
			out.t = tInt
		}
	default:
		return nil, errorf(e.pos, "unknown function %s (functions: lower, upper, length, substr, coalesce, abs, cast; aggregates: count, sum, min, max, avg)", e.op)
	}
	return out, nil
}

// dateArith types date ± int (days).
func dateArith(l, r typ, op string) (typ, bool) {
	if l.k == kDate && r.k == kInt {
		return tDate, true
	}
	if op == "+" && l.k == kInt && r.k == kDate {
		return tDate, true
	}
	return typ{}, false
}

// unify returns the common type of a and b. lit, when it is an untyped
// string literal, takes any type.
func unify(a, b typ, bLit *bexpr) (typ, bool) {
	switch {
	case a.k == b.k && a.k != kDec && a.k != kTs && a.k != kOther:
		return a, true
	case a.k == kNull:
		return b, true
	case b.k == kNull:
		return a, true
	}
	if a.numeric() && b.numeric() {
		switch {
		case a.k == kFloat || b.k == kFloat:
			return tFloat, true
		case a.k == kDec && b.k == kDec:
			return decCommon(a, b), true
		case a.k == kDec:
			return decCommon(a, typ{k: kDec, prec: 19}), true
		default:
			return decCommon(b, typ{k: kDec, prec: 19}), true
		}
	}
	if (a.k == kDate || a.k == kTs) && (b.k == kDate || b.k == kTs) {
		if a.k == kDate {
			return b, true
		}
		if b.k == kDate || a.unit >= b.unit {
			return a, true
		}
		return typ{k: kTs, unit: b.unit, tz: a.tz}, true
	}
	if b.k == kStr && bLit != nil && bLit.isConst() {
		return a, true
	}
	return typ{}, false
}

func decCommon(a, b typ) typ {
	scale := max(a.scale, b.scale)
	digits := max(a.prec-a.scale, b.prec-b.scale)
	return typ{k: kDec, prec: min(38, digits+scale), scale: scale}
}

func decResult(op string, a, b typ) typ {
	switch op {
	case "*":
		return typ{k: kDec, prec: min(38, a.prec+b.prec), scale: a.scale + b.scale}
	default: // + -
		s := max(a.scale, b.scale)
		return typ{k: kDec, prec: min(38, max(a.prec-a.scale, b.prec-b.scale)+s+1), scale: s}
	}
}

func mustCoerceDec(b *bexpr) *bexpr {
	switch b.t.k {
	case kDec:
		return b
	case kNull:
		return &bexpr{t: typ{k: kDec, prec: 18}, op: "cast", args: []*bexpr{b}, src: b.src}
	}
	return &bexpr{t: typ{k: kDec, prec: 19}, op: "cast", args: []*bexpr{b}, src: b.src}
}

// unifyPair brings both sides of a comparison to one type. A string
// literal compared with a typed column is parsed as that type, once.
func unifyPair(e *callExpr, l, r *bexpr) (*bexpr, *bexpr, error) {
	t, ok := unify(l.t, r.t, r)
	if !ok {
		if t2, ok2 := unify(r.t, l.t, l); ok2 {
			t, ok = t2, true
		}
	}
	if !ok {
		return nil, nil, errorf(e.pos, "%s: cannot compare %s with %s", e, l.t, r.t)
	}
	l2, err := coerce(e, l, t)
	if err != nil {
		return nil, nil, err
	}
	r2, err := coerce(e, r, t)
	if err != nil {
		return nil, nil, err
	}
	return l2, r2, nil
}

// coerce converts b to t implicitly: numbers widen, NULL takes any type,
// and a string literal is parsed (an error names the value).
func coerce(e *callExpr, b *bexpr, t typ) (*bexpr, error) {
	if b.t == t {
		return b, nil
	}
	ok := b.t.k == kNull ||
		b.t.k == kInt && (t.k == kFloat || t.k == kDec) ||
		b.t.k == kDec && (t.k == kDec || t.k == kFloat) ||
		b.t.k == kDate && t.k == kTs ||
		b.t.k == kTs && t.k == kTs ||
		b.t.k == kStr && b.isConst() ||
		t.k == kStr && (e.op == "||" || e.op == "like")
	if !ok {
		return nil, errorf(e.pos, "%s: expected %s, found %s of type %s", e, t, b.src, b.t)
	}
	return castTo(e, b, t)
}

// coerceAll coerces every argument to t, in place.
func coerceAll(e *callExpr, args []*bexpr, t typ) error {
	for i, a := range args {
		c, err := coerce(e, a, t)
		if err != nil {
			return err
		}
		args[i] = c
	}
	return nil
}

// castTo converts b to t; a constant is converted at once, so that a bad
// literal is reported before any row is read.
func castTo(e *callExpr, b *bexpr, t typ) (*bexpr, error) {
	if b.t == t {
		return b, nil
	}
	if b.t.k == kOther || t.k == kOther {
		return nil, errorf(e.pos, "cannot cast %s to %s", b.t, t)
	}
	c := &bexpr{t: t, op: "cast", args: []*bexpr{b}, src: e}
	if b.isConst() {
		v, err := castVec(b.lit, t)
		if err != nil {
			return nil, errorf(e.pos, "%s: %v", e, err)
		}
		return &bexpr{t: t, op: "lit", lit: v, src: e}, nil
	}
	return c, nil
}
