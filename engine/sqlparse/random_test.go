package sqlparse

import (
	"math/rand/v2"
	"testing"
)

// randExpr builds a random expression tree of the shapes the parser
// produces, of depth at most d.
func randExpr(r *rand.Rand, d int) Expr {
	if d == 0 || r.IntN(4) == 0 {
		switch r.IntN(9) {
		case 0:
			return col([]string{"a", "b", "Date", "nulls", "first"}[r.IntN(5)])
		case 1:
			return &ColumnRef{Table: []string{"t", "select", "a b"}[r.IntN(3)], Name: []string{"x", "from", "Y"}[r.IntN(3)], Quoted: r.IntN(2) == 0}
		case 2:
			return num(r.Int64N(1000))
		case 3:
			return dec([]string{"1.5", ".5", "1e-3", "99999999999999999999"}[r.IntN(4)])
		case 4:
			return str([]string{"", "x", "it's", "--", "/*"}[r.IntN(5)])
		case 5:
			return []*Literal{null(), boolean(true), boolean(false), date("2024-02-29"), timestamp("2024-01-01 00:00:00.5")}[r.IntN(5)]
		case 6:
			return param(1 + r.IntN(3))
		case 7:
			return &Func{Name: "count", Star: true}
		default:
			return quoted("Q \"x\"")
		}
	}
	sub := func() Expr { return randExpr(r, d-1) }
	switch r.IntN(12) {
	case 0, 1, 2:
		ops := []string{"OR", "AND", "=", "<>", "<", "<=", ">", ">=", "||", "+", "-", "*", "/", "%"}
		return bin(ops[r.IntN(len(ops))], sub(), sub())
	case 3:
		return &Unary{Op: []string{"-", "+", "NOT"}[r.IntN(3)], X: sub()}
	case 4:
		return &Between{X: sub(), Lo: sub(), Hi: sub(), Not: r.IntN(2) == 0}
	case 5:
		l := []Expr{sub()}
		for r.IntN(2) == 0 {
			l = append(l, sub())
		}
		return &In{X: sub(), List: l, Not: r.IntN(2) == 0}
	case 6:
		return &IsNull{X: sub(), Not: r.IntN(2) == 0}
	case 7:
		return &Like{X: sub(), Pattern: sub(), Not: r.IntN(2) == 0}
	case 8:
		c := &Case{Whens: []When{{sub(), sub()}}}
		if r.IntN(2) == 0 {
			c.Operand = sub()
		}
		if r.IntN(2) == 0 {
			c.Else = sub()
		}
		return c
	case 9:
		types := []TypeName{{Name: "INTEGER"}, {Name: "DECIMAL", Precision: 10, Scale: 2}, {Name: "VARCHAR"}, {Name: "DOUBLE"}}
		return &Cast{X: sub(), Type: types[r.IntN(len(types))]}
	case 10:
		f := &Func{Name: []string{"f", "left", "date", "coalesce"}[r.IntN(4)], Distinct: r.IntN(3) == 0}
		f.Args = append(f.Args, sub())
		if r.IntN(2) == 0 {
			f.Args = append(f.Args, sub())
		}
		return f
	default:
		return &Func{Name: "now"}
	}
}

// TestFormatRandomTrees prints random trees and checks that they parse back
// to the same tree: the parentheses Format leaves out are exactly those
// precedence makes unnecessary.
func TestFormatRandomTrees(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 20000 {
		e := randExpr(r, 1+i%7)
		sql := "SELECT " + Format(e)
		s, err := Parse(sql)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		if d := diff(e, s.Items[0].Expr); d != "" {
			t.Fatalf("%s\nprinted from %s\nparses differently (-want +got):\n%s", sql, paren(e), d)
		}
	}
}
