package engine

import (
	"fmt"
	"math"
	"math/big"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/snapdb/snapdb/engine/sqlparse"
)

// converter turns parsed SQL expressions into engine expressions,
// substituting parameters.
type converter struct {
	args []any
}

func (c *converter) conv(e sqlparse.Expr) (Expr, error) {
	switch e := e.(type) {
	case nil:
		return nil, nil
	case *sqlparse.ColumnRef:
		return &colExpr{pos: e.Pos, table: e.Table, name: e.Name, exact: e.Quoted}, nil
	case *sqlparse.Literal:
		return c.literal(e)
	case *sqlparse.Param:
		if e.Index < 1 || e.Index > len(c.args) {
			return nil, errorf(e.Pos, "parameter $%d has no value: %d given", e.Index, len(c.args))
		}
		l, err := literal(c.args[e.Index-1])
		if err != nil {
			return nil, errorf(e.Pos, "parameter $%d: %v", e.Index, err)
		}
		l.pos = e.Pos
		return l, nil
	case *sqlparse.Unary:
		x, err := c.conv(e.X)
		if err != nil {
			return nil, err
		}
		switch e.Op {
		case "-":
			if l, ok := x.(*litExpr); ok && !l.v.isNull(0) {
				// Fold -literal so that -9223372036854775808 is a BIGINT.
				switch l.v.t.k {
				case kInt:
					if l.v.i[0] != math.MinInt64 {
						v := *l.v
						v.i = []int64{-l.v.i[0]}
						return &litExpr{pos: e.Pos, v: &v}, nil
					}
				case kFloat:
					v := *l.v
					v.f = []float64{-l.v.f[0]}
					return &litExpr{pos: e.Pos, v: &v}, nil
				case kDec:
					n := l.v.d[0].Negate()
					// -9223372036854775808 is the one BIGINT written with
					// a digit string beyond BIGINT.
					if l.v.t.scale == 0 && n.BigInt().IsInt64() && !strings.Contains(l.text, ".") {
						v := newVec(tInt, 1, false)
						v.konst = true
						v.i[0] = n.BigInt().Int64()
						return &litExpr{pos: e.Pos, v: v}, nil
					}
					v := *l.v
					v.d = []decimal128.Num{n}
					return &litExpr{pos: e.Pos, v: &v}, nil
				}
			}
			return &callExpr{pos: e.Pos, op: "neg", args: []Expr{x}}, nil
		case "+":
			return x, nil
		default:
			return &callExpr{pos: e.Pos, op: "not", args: []Expr{x}}, nil
		}
	case *sqlparse.Binary:
		l, err := c.conv(e.L)
		if err != nil {
			return nil, err
		}
		r, err := c.conv(e.R)
		if err != nil {
			return nil, err
		}
		op := strings.ToLower(e.Op)
		if op == "and" || op == "or" {
			return &callExpr{pos: e.Pos, op: op, args: []Expr{l, r}}, nil
		}
		return &callExpr{pos: e.Pos, op: e.Op, args: []Expr{l, r}}, nil
	case *sqlparse.Between:
		x, err := c.conv(e.X)
		if err != nil {
			return nil, err
		}
		lo, err := c.conv(e.Lo)
		if err != nil {
			return nil, err
		}
		hi, err := c.conv(e.Hi)
		if err != nil {
			return nil, err
		}
		b := &callExpr{pos: e.Pos, op: "and", args: []Expr{
			&callExpr{pos: e.Pos, op: ">=", args: []Expr{x, lo}},
			&callExpr{pos: e.Pos, op: "<=", args: []Expr{x, hi}}}}
		if e.Not {
			return &callExpr{pos: e.Pos, op: "not", args: []Expr{b}}, nil
		}
		return b, nil
	case *sqlparse.In:
		x, err := c.conv(e.X)
		if err != nil {
			return nil, err
		}
		args := []Expr{x}
		for _, a := range e.List {
			v, err := c.conv(a)
			if err != nil {
				return nil, err
			}
			args = append(args, v)
		}
		in := &callExpr{pos: e.Pos, op: "in", args: args}
		if e.Not {
			return &callExpr{pos: e.Pos, op: "not", args: []Expr{in}}, nil
		}
		return in, nil
	case *sqlparse.IsNull:
		x, err := c.conv(e.X)
		if err != nil {
			return nil, err
		}
		op := "isnull"
		if e.Not {
			op = "isnotnull"
		}
		return &callExpr{pos: e.Pos, op: op, args: []Expr{x}}, nil
	case *sqlparse.Like:
		x, err := c.conv(e.X)
		if err != nil {
			return nil, err
		}
		p, err := c.conv(e.Pattern)
		if err != nil {
			return nil, err
		}
		l := &callExpr{pos: e.Pos, op: "like", args: []Expr{x, p}}
		if e.Not {
			return &callExpr{pos: e.Pos, op: "not", args: []Expr{l}}, nil
		}
		return l, nil
	case *sqlparse.Case:
		var operand Expr
		if e.Operand != nil {
			var err error
			if operand, err = c.conv(e.Operand); err != nil {
				return nil, err
			}
		}
		out := &callExpr{pos: e.Pos, op: "case"}
		for _, w := range e.Whens {
			cond, err := c.conv(w.Cond)
			if err != nil {
				return nil, err
			}
			if operand != nil {
				cond = &callExpr{pos: w.Cond.Position(), op: "=", args: []Expr{operand, cond}}
			}
			res, err := c.conv(w.Result)
			if err != nil {
				return nil, err
			}
			out.args = append(out.args, cond, res)
		}
		if e.Else != nil {
			el, err := c.conv(e.Else)
			if err != nil {
				return nil, err
			}
			out.args = append(out.args, el)
			out.hasElse = true
		}
		return out, nil
	case *sqlparse.Cast:
		x, err := c.conv(e.X)
		if err != nil {
			return nil, err
		}
		t, err := castType(e.Type)
		if err != nil {
			return nil, err
		}
		c := &callExpr{pos: e.Pos, op: "cast", args: []Expr{x}, to: t}
		switch e.Type.Name {
		case "REAL": // computed as DOUBLE, rounded to float32 precision
			return &callExpr{pos: e.Pos, op: "real", args: []Expr{c}}, nil
		case "INTEGER", "SMALLINT": // computed as BIGINT, range-checked
			return &callExpr{pos: e.Pos, op: narrowOp[e.Type.Name], args: []Expr{c}}, nil
		}
		return c, nil
	case *sqlparse.Func:
		out := &callExpr{pos: e.Pos, op: strings.ToLower(e.Name), star: e.Star, distinct: e.Distinct}
		for _, a := range e.Args {
			v, err := c.conv(a)
			if err != nil {
				return nil, err
			}
			out.args = append(out.args, v)
		}
		if out.star && out.op != "count" {
			return nil, errorf(e.Pos, "%s(*) is not a function; only count(*) is", e.Name)
		}
		if out.distinct && !isAggregate(out.op) {
			return nil, errorf(e.Pos, "DISTINCT is only allowed in aggregates, not in %s", e.Name)
		}
		if isAggregate(out.op) && !out.star && len(out.args) != 1 {
			return nil, errorf(e.Pos, "%s takes one argument", out.op)
		}
		return out, nil
	}
	return nil, fmt.Errorf("engine: unknown SQL expression %T", e)
}

func (c *converter) literal(e *sqlparse.Literal) (Expr, error) {
	var v *vec
	set := func(t typ) { v = newVec(t, 1, false); v.konst = true }
	switch e.Kind {
	case sqlparse.LitNull:
		v = nullVec(tNull, 1)
	case sqlparse.LitInt:
		set(tInt)
		v.i[0] = e.Int
	case sqlparse.LitNumber:
		d, t, ok := decimalLiteral(e.Text)
		if ok {
			set(t)
			v.d[0] = d
			return &litExpr{pos: e.Pos, v: v, text: e.Text}, nil
		} else {
			var f float64
			if _, err := fmt.Sscan(e.Text, &f); err != nil {
				return nil, errorf(e.Pos, "bad number %s", e.Text)
			}
			set(tFloat)
			v.f[0] = f
		}
	case sqlparse.LitString:
		set(tStr)
		v.s[0] = e.Str
		return &litExpr{pos: e.Pos, v: v, untyped: true}, nil
	case sqlparse.LitBool:
		set(tBool)
		v.b[0] = e.Bool
	case sqlparse.LitDate:
		d, err := parseDate(e.Str)
		if err != nil {
			return nil, errorf(e.Pos, "%v", err)
		}
		set(tDate)
		v.i[0] = d
	case sqlparse.LitTimestamp:
		us, err := parseTimestamp(e.Str)
		if err != nil {
			return nil, errorf(e.Pos, "%v", err)
		}
		set(typ{k: kTs, unit: arrow.Microsecond})
		v.i[0] = us
	}
	return &litExpr{pos: e.Pos, v: v}, nil
}

// decimalLiteral reads 12.50 as DECIMAL(4,2), as DuckDB does; integers
// beyond BIGINT become DECIMAL(38,0). Exponents are floats.
func decimalLiteral(text string) (decimal128.Num, typ, bool) {
	if strings.ContainsAny(text, "eE") {
		return decimal128.Num{}, typ{}, false
	}
	digits := strings.Replace(text, ".", "", 1)
	scale := 0
	if i := strings.IndexByte(text, '.'); i >= 0 {
		scale = len(text) - i - 1
	}
	trimmed := strings.TrimLeft(digits, "0")
	prec := max(len(trimmed), scale, 1)
	if prec > 38 {
		return decimal128.Num{}, typ{}, false
	}
	bi, ok := new(big.Int).SetString(digits, 10)
	if !ok {
		return decimal128.Num{}, typ{}, false
	}
	if !strings.Contains(text, ".") {
		prec = 38
	}
	return decimal128.FromBigInt(bi), typ{k: kDec, prec: int32(prec), scale: int32(scale)}, true
}

// narrowOp is the operator that checks a value cast to a narrower integer
// type fits it. The engine computes every integer as BIGINT, so the
// result keeps that type; what the narrower type adds is the range.
var narrowOp = map[string]string{"INTEGER": "int32", "SMALLINT": "int16"}

func castType(t sqlparse.TypeName) (typ, error) {
	switch t.Name {
	case "BOOLEAN":
		return tBool, nil
	case "SMALLINT", "INTEGER", "BIGINT":
		return tInt, nil
	case "REAL", "DOUBLE":
		return tFloat, nil
	case "DECIMAL":
		p, s := t.Precision, t.Scale
		if p == 0 {
			p, s = 18, 3 // DuckDB's default DECIMAL
		}
		if p < 1 || p > 38 || s < 0 || s > p {
			return typ{}, errorf(t.Pos, "DECIMAL(%d,%d) is out of range: precision 1–38, scale 0–precision", p, s)
		}
		return typ{k: kDec, prec: int32(p), scale: int32(s)}, nil
	case "VARCHAR":
		return tStr, nil
	case "DATE":
		return tDate, nil
	case "TIMESTAMP":
		return typ{k: kTs, unit: arrow.Microsecond}, nil
	}
	return typ{}, errorf(t.Pos, "unsupported type %s", t.Name)
}

var _ = time.Now
