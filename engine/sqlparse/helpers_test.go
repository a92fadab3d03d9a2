package sqlparse

import (
	"strconv"
	"strings"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// ignorePos compares ASTs without their positions.
var ignorePos = cmpopts.IgnoreTypes(Pos{})

// diff is cmp.Diff ignoring positions.
func diff(want, got any) string { return cmp.Diff(want, got, ignorePos) }

// Constructors for expected ASTs (positions are ignored by diff).

func col(name string) *ColumnRef         { return &ColumnRef{Name: name} }
func qcol(table, name string) *ColumnRef { return &ColumnRef{Table: table, Name: name} }
func quoted(name string) *ColumnRef      { return &ColumnRef{Name: name, Quoted: true} }

func num(n int64) *Literal {
	return &Literal{Kind: LitInt, Int: n, Text: strconv.FormatInt(n, 10)}
}
func numText(n int64, text string) *Literal { return &Literal{Kind: LitInt, Int: n, Text: text} }
func dec(text string) *Literal              { return &Literal{Kind: LitNumber, Text: text} }
func str(s string) *Literal                 { return &Literal{Kind: LitString, Str: s} }
func boolean(b bool) *Literal               { return &Literal{Kind: LitBool, Bool: b} }
func null() *Literal                        { return &Literal{Kind: LitNull} }
func date(s string) *Literal                { return &Literal{Kind: LitDate, Str: s} }
func timestamp(s string) *Literal           { return &Literal{Kind: LitTimestamp, Str: s} }
func param(i int) *Param                    { return &Param{Index: i} }

func bin(op string, l, r Expr) *Binary { return &Binary{Op: op, L: l, R: r} }
func neg(x Expr) *Unary                { return &Unary{Op: "-", X: x} }
func not(x Expr) *Unary                { return &Unary{Op: "NOT", X: x} }
func fn(name string, args ...Expr) *Func {
	return &Func{Name: name, Args: args}
}
func cast(x Expr, name string) *Cast { return &Cast{X: x, Type: TypeName{Name: name}} }

// item is an unaliased select item.
func item(e Expr) SelectItem { return SelectItem{Expr: e} }

// aliased is a select item with an alias.
func aliased(e Expr, alias string) SelectItem { return SelectItem{Expr: e, Alias: alias} }

// table is a FROM table without alias.
func table(name string) *TableRef { return &TableRef{Name: name} }

// paren prints e fully parenthesised, to state precedence in tests
// independently of Format.
func paren(e Expr) string {
	switch e := e.(type) {
	case *ColumnRef, *Literal, *Param:
		return Format(e)
	case *Unary:
		return "(" + e.Op + " " + paren(e.X) + ")"
	case *Binary:
		return "(" + paren(e.L) + " " + e.Op + " " + paren(e.R) + ")"
	case *Between:
		return "(" + paren(e.X) + notWord(e.Not) + " BETWEEN " + paren(e.Lo) + " AND " + paren(e.Hi) + ")"
	case *In:
		l := make([]string, len(e.List))
		for i, x := range e.List {
			l[i] = paren(x)
		}
		return "(" + paren(e.X) + notWord(e.Not) + " IN (" + strings.Join(l, ", ") + "))"
	case *IsNull:
		if e.Not {
			return "(" + paren(e.X) + " IS NOT NULL)"
		}
		return "(" + paren(e.X) + " IS NULL)"
	case *Like:
		return "(" + paren(e.X) + notWord(e.Not) + " LIKE " + paren(e.Pattern) + ")"
	case *Cast:
		return "CAST(" + paren(e.X) + " AS " + e.Type.String() + ")"
	case *Func:
		l := make([]string, len(e.Args))
		for i, x := range e.Args {
			l[i] = paren(x)
		}
		if e.Star {
			l = []string{"*"}
		}
		d := ""
		if e.Distinct {
			d = "DISTINCT "
		}
		return e.Name + "(" + d + strings.Join(l, ", ") + ")"
	case *Case:
		s := "CASE"
		if e.Operand != nil {
			s += " " + paren(e.Operand)
		}
		for _, w := range e.Whens {
			s += " WHEN " + paren(w.Cond) + " THEN " + paren(w.Result)
		}
		if e.Else != nil {
			s += " ELSE " + paren(e.Else)
		}
		return s + " END"
	}
	return "?"
}

func notWord(b bool) string {
	if b {
		return " NOT"
	}
	return ""
}
