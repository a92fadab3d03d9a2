package sqlparse

import (
	"strconv"
	"strings"
)

// String prints the statement back as SQL in a canonical form: keywords in
// upper case, parentheses only where precedence needs them, AS before every
// alias, parameters as $n, LIMIT before OFFSET. Parsing the result gives an
// equivalent statement (equal but for positions and the spelling details
// the AST does not keep, such as ? versus $n or "quoted" aliases that need
// no quotes).
func (s *Select) String() string {
	if s == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString("SELECT ")
	if s.Distinct {
		b.WriteString("DISTINCT ")
	}
	for i, it := range s.Items {
		if i > 0 {
			b.WriteString(", ")
		}
		switch {
		case it.Star && it.StarTable != "":
			b.WriteString(quoteName(it.StarTable))
			b.WriteString(".*")
		case it.Star:
			b.WriteString("*")
		default:
			writeExpr(&b, it.Expr, 0)
			writeAlias(&b, it.Alias)
		}
	}
	if s.From != nil {
		b.WriteString(" FROM ")
		writeTable(&b, *s.From)
	}
	for _, j := range s.Joins {
		b.WriteString(" ")
		b.WriteString(j.Kind.String())
		b.WriteString(" ")
		writeTable(&b, j.Table)
		if j.On != nil {
			b.WriteString(" ON ")
			writeExpr(&b, j.On, 0)
		}
	}
	if s.Where != nil {
		b.WriteString(" WHERE ")
		writeExpr(&b, s.Where, 0)
	}
	if len(s.GroupBy) > 0 {
		b.WriteString(" GROUP BY ")
		writeList(&b, s.GroupBy)
	}
	if s.Having != nil {
		b.WriteString(" HAVING ")
		writeExpr(&b, s.Having, 0)
	}
	if len(s.OrderBy) > 0 {
		b.WriteString(" ORDER BY ")
		for i, o := range s.OrderBy {
			if i > 0 {
				b.WriteString(", ")
			}
			writeExpr(&b, o.Expr, 0)
			if o.Desc {
				b.WriteString(" DESC")
			}
			switch o.Nulls {
			case NullsFirst:
				b.WriteString(" NULLS FIRST")
			case NullsLast:
				b.WriteString(" NULLS LAST")
			}
		}
	}
	if s.Limit != nil {
		b.WriteString(" LIMIT ")
		writeExpr(&b, s.Limit, 0)
	}
	if s.Offset != nil {
		b.WriteString(" OFFSET ")
		writeExpr(&b, s.Offset, 0)
	}
	return b.String()
}

// Format prints an expression as SQL, with parentheses only where the
// operators' precedence needs them: (a + b) * c, a + b * c, NOT a = b.
// x::type prints as CAST(x AS type). Parsing the result gives an equivalent
// expression. Format(nil) is "".
func Format(e Expr) string {
	var b strings.Builder
	writeExpr(&b, e, 0)
	return b.String()
}

// ColumnName is the default name of a select-list column computed by e, as
// DuckDB names it in simple cases: a column reference (qualified or not)
// gives the column's name, count(*) gives "count_star()", and any other
// expression gives its Format text, e.g. "a + 1" or "lower(name)" (DuckDB
// would say "(a + 1)" for the former).
func ColumnName(e Expr) string {
	switch e := e.(type) {
	case *ColumnRef:
		return e.Name
	case *Func:
		if e.Star && e.Name == "count" {
			return "count_star()"
		}
	}
	return Format(e)
}

func writeList(b *strings.Builder, l []Expr) {
	for i, e := range l {
		if i > 0 {
			b.WriteString(", ")
		}
		writeExpr(b, e, 0)
	}
}

func writeAlias(b *strings.Builder, alias string) {
	if alias != "" {
		b.WriteString(" AS ")
		b.WriteString(quoteName(alias))
	}
}

func writeTable(b *strings.Builder, t TableRef) {
	if t.Quoted {
		b.WriteString(quoteIdent(t.Name))
	} else {
		b.WriteString(quoteName(t.Name))
	}
	writeAlias(b, t.Alias)
}

// isPlainIdent reports whether s is an unquoted identifier:
// [A-Za-z_][A-Za-z0-9_]*.
func isPlainIdent(s string) bool {
	if s == "" || !isIdentStart(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isIdentChar(s[i]) {
			return false
		}
	}
	return true
}

// quoteName prints a name unquoted when it reads back as the same name,
// else as a "quoted identifier".
func quoteName(s string) string {
	if isPlainIdent(s) && !reserved[strings.ToUpper(s)] {
		return s
	}
	return quoteIdent(s)
}

// quoteIdent prints s as a "quoted identifier".
func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// quoteString prints s as a 'string literal'.
func quoteString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// Operator precedence levels for printing, lowest first; they match the
// parser's.
const (
	precNone    = iota // an unknown operator: always parenthesised
	precOr             // OR
	precAnd            // AND
	precNot            // NOT x
	precCmp            // = <> < <= > >=, IS NULL, BETWEEN, IN, LIKE
	precConcat         // ||
	precAdd            // + -
	precMul            // * / %
	precUnary          // - x, + x
	precPrimary        // everything else
)

// precOf is the precedence level of e's outermost operator.
func precOf(e Expr) int {
	switch e := e.(type) {
	case *Binary:
		switch e.Op {
		case "OR":
			return precOr
		case "AND":
			return precAnd
		case "=", "<>", "<", "<=", ">", ">=":
			return precCmp
		case "||":
			return precConcat
		case "+", "-":
			return precAdd
		case "*", "/", "%":
			return precMul
		}
		return precNone
	case *Unary:
		switch e.Op {
		case "NOT":
			return precNot
		case "-", "+":
			return precUnary
		}
		return precNone
	case *Between, *In, *IsNull, *Like:
		return precCmp
	case *Literal:
		if e.Kind == LitInt && e.Int < 0 && !textIsInt(e) {
			return precUnary // printed as - n
		}
	}
	return precPrimary
}

// writeExpr prints e, in parentheses if its precedence is below ctx, the
// least precedence the position it is printed in accepts without them.
// Binary operators associate to the left, so a right operand needs a higher
// precedence than its operator's. As the parser groups the same way, the
// printed text has parentheses exactly where the tree needs them, never more
// than the text it was parsed from: a long a + b + c … chain prints without
// any, and reparses within the nesting limit.
func writeExpr(b *strings.Builder, e Expr, ctx int) {
	if precOf(e) < ctx {
		b.WriteString("(")
		writeBare(b, e)
		b.WriteString(")")
		return
	}
	writeBare(b, e)
}

// writeBare prints e without parentheses around it.
func writeBare(b *strings.Builder, e Expr) {
	switch e := e.(type) {
	case nil:
	case *ColumnRef:
		if e.Table != "" {
			b.WriteString(quoteName(e.Table))
			b.WriteString(".")
		}
		switch {
		case e.Quoted:
			b.WriteString(quoteIdent(e.Name))
		case e.Table != "" && isPlainIdent(e.Name):
			b.WriteString(e.Name) // any word may follow the dot
		default:
			b.WriteString(quoteName(e.Name))
		}
	case *Literal:
		writeLiteral(b, e)
	case *Param:
		b.WriteString("$")
		b.WriteString(strconv.Itoa(e.Index))
	case *Unary:
		b.WriteString(e.Op)
		b.WriteString(" ") // never "--", which would start a comment
		switch precOf(e) {
		case precNot:
			writeExpr(b, e.X, precNot)
		case precUnary:
			writeExpr(b, e.X, precUnary)
		default:
			writeExpr(b, e.X, precPrimary)
		}
	case *Binary:
		p := precOf(e)
		if p == precNone {
			writeExpr(b, e.L, precPrimary)
			b.WriteString(" " + e.Op + " ")
			writeExpr(b, e.R, precPrimary)
			return
		}
		// Walk the left spine of a chain of operators of one precedence
		// (a + b - c + …) iteratively: such chains can be as long as the
		// statement, and are not limited by maxDepth.
		spine := []*Binary{e}
		for {
			l, ok := spine[len(spine)-1].L.(*Binary)
			if !ok || precOf(l) != p {
				break
			}
			spine = append(spine, l)
		}
		writeExpr(b, spine[len(spine)-1].L, p)
		for i := len(spine) - 1; i >= 0; i-- {
			b.WriteString(" " + spine[i].Op + " ")
			writeExpr(b, spine[i].R, p+1)
		}
	case *Between:
		writeExpr(b, e.X, precCmp)
		if e.Not {
			b.WriteString(" NOT")
		}
		b.WriteString(" BETWEEN ")
		writeExpr(b, e.Lo, precConcat)
		b.WriteString(" AND ")
		writeExpr(b, e.Hi, precConcat)
	case *In:
		writeExpr(b, e.X, precCmp)
		if e.Not {
			b.WriteString(" NOT")
		}
		b.WriteString(" IN (")
		writeList(b, e.List)
		b.WriteString(")")
	case *IsNull:
		writeExpr(b, e.X, precCmp)
		if e.Not {
			b.WriteString(" IS NOT NULL")
		} else {
			b.WriteString(" IS NULL")
		}
	case *Like:
		writeExpr(b, e.X, precCmp)
		if e.Not {
			b.WriteString(" NOT")
		}
		b.WriteString(" LIKE ")
		writeExpr(b, e.Pattern, precConcat)
	case *Case:
		b.WriteString("CASE")
		if e.Operand != nil {
			b.WriteString(" ")
			writeExpr(b, e.Operand, 0)
		}
		for _, w := range e.Whens {
			b.WriteString(" WHEN ")
			writeExpr(b, w.Cond, 0)
			b.WriteString(" THEN ")
			writeExpr(b, w.Result, 0)
		}
		if e.Else != nil {
			b.WriteString(" ELSE ")
			writeExpr(b, e.Else, 0)
		}
		b.WriteString(" END")
	case *Cast:
		b.WriteString("CAST(")
		writeExpr(b, e.X, 0)
		b.WriteString(" AS ")
		b.WriteString(e.Type.String())
		b.WriteString(")")
	case *Func:
		b.WriteString(e.Name)
		b.WriteString("(")
		if e.Star {
			b.WriteString("*")
		} else {
			if e.Distinct {
				b.WriteString("DISTINCT ")
			}
			writeList(b, e.Args)
		}
		b.WriteString(")")
	}
}

// textIsInt reports whether a LitInt's Text is the unsigned decimal it
// stands for (as the parser leaves it), so it can be printed as written.
func textIsInt(e *Literal) bool {
	if e.Text == "" || !isDigit(e.Text[0]) {
		return false
	}
	n, err := strconv.ParseInt(e.Text, 10, 64)
	return err == nil && n == e.Int
}

func writeLiteral(b *strings.Builder, e *Literal) {
	switch e.Kind {
	case LitNull:
		b.WriteString("NULL")
	case LitInt:
		switch {
		case textIsInt(e):
			b.WriteString(e.Text) // as written: 007
		case e.Int < 0:
			b.WriteString("- ")
			b.WriteString(strconv.FormatUint(uint64(-(e.Int+1))+1, 10))
		default:
			b.WriteString(strconv.FormatInt(e.Int, 10))
		}
	case LitNumber:
		b.WriteString(e.Text)
	case LitString:
		b.WriteString(quoteString(e.Str))
	case LitBool:
		if e.Bool {
			b.WriteString("TRUE")
		} else {
			b.WriteString("FALSE")
		}
	case LitDate:
		b.WriteString("DATE ")
		b.WriteString(quoteString(e.Str))
	case LitTimestamp:
		b.WriteString("TIMESTAMP ")
		b.WriteString(quoteString(e.Str))
	}
}

// String prints the type as SQL: INTEGER, DECIMAL(10,2), ….
func (t TypeName) String() string {
	if t.Name == "DECIMAL" && t.Precision > 0 {
		return "DECIMAL(" + strconv.Itoa(t.Precision) + "," + strconv.Itoa(t.Scale) + ")"
	}
	return t.Name
}
