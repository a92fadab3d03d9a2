package sqlparse

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// maxDepth is how deeply constructs may nest: parentheses, function calls,
// CASE, CAST, IN lists, unary - + and NOT each add a level. Chains of binary
// operators (a + b + c …) are parsed iteratively and do not count.
const maxDepth = 1000

// reserved are the keywords that cannot be used as unquoted column names,
// table names or aliases (quote them: "order"). After a dot (t.order) any
// word is a name. Other keywords (DATE, TIMESTAMP, NULLS, FIRST, LAST, …) are
// ordinary identifiers where a name is expected.
var reserved = map[string]bool{
	"ALL": true, "AND": true, "AS": true, "ASC": true, "BETWEEN": true,
	"BY": true, "CASE": true, "CAST": true, "CROSS": true, "DESC": true,
	"DISTINCT": true, "ELSE": true, "END": true, "EXCEPT": true, "FALSE": true,
	"FETCH": true, "FOR": true, "FROM": true, "FULL": true, "GROUP": true,
	"HAVING": true, "ILIKE": true, "IN": true, "INNER": true, "INTERSECT": true,
	"IS": true, "JOIN": true, "LEFT": true, "LIKE": true, "LIMIT": true,
	"NATURAL": true, "NOT": true, "NULL": true, "OFFSET": true, "ON": true,
	"OR": true, "ORDER": true, "OUTER": true, "RIGHT": true, "SELECT": true,
	"SIMILAR": true, "THEN": true, "TRUE": true, "UNION": true, "USING": true,
	"WHEN": true, "WHERE": true, "WINDOW": true, "WITH": true,
}

// Parse parses one SELECT statement, optionally followed by a semicolon.
//
// It returns a *SyntaxError for text outside the subset, and a
// *ReadOnlyError (which unwraps to ErrReadOnly) for a statement that would
// write, recognised by its first keyword (INSERT, UPDATE, DELETE, CREATE,
// DROP, ALTER, COPY, ATTACH, SET, BEGIN, …, or WITH … INSERT).
func Parse(sql string) (sel *Select, err error) {
	p := &parser{lx: newLexer(sql)}
	if first := p.peek(); first.kind == tokIdent {
		if writeKeywords[first.upper] {
			return nil, &ReadOnlyError{Pos: first.pos, Statement: first.upper}
		}
		if first.upper == "WITH" {
			return nil, withError(sql)
		}
	}
	defer func() {
		if r := recover(); r != nil {
			se, ok := r.(*SyntaxError)
			if !ok {
				panic(r)
			}
			sel, err = nil, se
		}
	}()
	return p.statement(), nil
}

// withError is the error for a statement that starts with WITH: a
// *ReadOnlyError if its main statement (the first keyword after the
// parenthesised common table expressions) or the body of one of those
// expressions is a write, else a *SyntaxError, as WITH is not supported.
func withError(sql string) error {
	lx := newLexer(sql)
	with := lx.next()
	depth := 0
	checkNext := false
	for prev, t := with, lx.next(); t.kind != tokEOF && t.kind != tokError; prev, t = t, lx.next() {
		if checkNext && t.kind == tokIdent && writeKeywords[t.upper] {
			return &ReadOnlyError{Pos: t.pos, Statement: t.upper}
		}
		checkNext = false
		switch {
		case isOp(t, "("):
			if depth == 0 && (isKw(prev, "AS") || isKw(prev, "MATERIALIZED")) {
				checkNext = true
			}
			depth++
		case isOp(t, ")") && depth > 0:
			depth--
			checkNext = depth == 0
		}
	}
	return &SyntaxError{Pos: with.pos, Near: with.text, Msg: "WITH is not supported"}
}

// parser is a recursive-descent parser over the tokens of one statement. It
// reports errors by panicking with a *SyntaxError, which Parse recovers.
// Tokens are lexed on demand (with at most three of lookahead), so they never
// all sit in memory at once.
type parser struct {
	lx    lexer
	buf   []token // lookahead: buf[0] is the current token
	depth int

	paramStyle byte // 0, '$' or '?'
	maxParam   int  // highest $n
	qmarks     int  // number of ? so far
}

func isOp(t token, op string) bool { return t.kind == tokOp && t.text == op }

func isKw(t token, kw string) bool { return t.kind == tokIdent && t.upper == kw }

// isName reports whether t can be a column, table or alias name: a quoted
// identifier or an unquoted one that is not reserved.
func isName(t token) bool {
	return t.kind == tokQIdent || t.kind == tokIdent && !reserved[t.upper]
}

// nameOf is the name a token stands for: the text as written, unquoted.
func nameOf(t token) string {
	if t.kind == tokQIdent {
		return t.val
	}
	return t.text
}

func (p *parser) peek() token { return p.peekN(0) }

// peekN looks n tokens ahead. The end of the input, or a lexical error, is
// the last token: looking further returns it again.
func (p *parser) peekN(n int) token {
	for len(p.buf) <= n {
		if k := len(p.buf); k > 0 && (p.buf[k-1].kind == tokEOF || p.buf[k-1].kind == tokError) {
			return p.buf[k-1]
		}
		p.buf = append(p.buf, p.lx.next())
	}
	return p.buf[n]
}

// advance consumes and returns the current token; it reports a lexical
// error, and stays on the end of the input.
func (p *parser) advance() token {
	t := p.peek()
	if t.kind == tokError {
		panic(t.err)
	}
	if t.kind != tokEOF {
		copy(p.buf, p.buf[1:])
		p.buf = p.buf[:len(p.buf)-1]
	}
	return t
}

// fail reports a syntax error at t. A lexical error token reports its own
// error instead, since that is the real problem there.
func (p *parser) fail(t token, msg string) {
	if t.kind == tokError {
		panic(t.err)
	}
	near := ""
	if t.kind != tokEOF {
		near = nearText(t.text)
	}
	panic(&SyntaxError{Pos: t.pos, Near: near, Msg: msg})
}

func (p *parser) acceptKw(kw string) bool {
	if isKw(p.peek(), kw) {
		p.advance()
		return true
	}
	return false
}

func (p *parser) acceptOp(op string) bool {
	if isOp(p.peek(), op) {
		p.advance()
		return true
	}
	return false
}

func (p *parser) expectKw(kw, msg string) token {
	t := p.peek()
	if !isKw(t, kw) {
		p.fail(t, msg)
	}
	return p.advance()
}

func (p *parser) expectOp(op, msg string) token {
	t := p.peek()
	if !isOp(t, op) {
		p.fail(t, msg)
	}
	return p.advance()
}

// enter starts a nested construct at t, failing past maxDepth.
func (p *parser) enter(t token) {
	p.depth++
	if p.depth > maxDepth {
		p.fail(t, fmt.Sprintf("expression nested too deeply (the limit is %d levels)", maxDepth))
	}
}

func (p *parser) leave() { p.depth-- }

// The clauses of a SELECT, in order, for the "expected …" messages.
const (
	clItems = iota
	clFrom  // FROM and its joins
	clWhere
	clGroupBy
	clHaving
	clOrderBy
	clLimitOffset
)

// expectedAfter is the message for an unexpected token after clause last:
// it lists what may follow.
func expectedAfter(last int, seenLimit, seenOffset bool) string {
	var l []string
	switch last {
	case clItems:
		l = append(l, `","`, "FROM")
	case clFrom:
		l = append(l, "JOIN")
	case clGroupBy, clOrderBy:
		l = append(l, `","`)
	}
	for _, c := range []struct {
		cl   int
		name string
	}{{clWhere, "WHERE"}, {clGroupBy, "GROUP BY"}, {clHaving, "HAVING"}, {clOrderBy, "ORDER BY"}} {
		if c.cl > last {
			l = append(l, c.name)
		}
	}
	if !seenLimit {
		l = append(l, "LIMIT")
	}
	if !seenOffset {
		l = append(l, "OFFSET")
	}
	l = append(l, "end of statement")
	return "expected " + orList(l)
}

// orList joins "a", "b", "c" as "a, b or c".
func orList(l []string) string {
	if len(l) == 1 {
		return l[0]
	}
	return strings.Join(l[:len(l)-1], ", ") + " or " + l[len(l)-1]
}

// wordLike reports whether t, following an implicit alias, shows that the
// "alias" was most likely a misspelt keyword: SELECT a FORM t.
func wordLike(t token) bool {
	switch t.kind {
	case tokIdent:
		return !reserved[t.upper]
	case tokQIdent, tokNumber, tokString, tokParam, tokQMark:
		return true
	}
	return isOp(t, "(")
}

// statement parses SELECT … [;] up to the end of the input.
func (p *parser) statement() *Select {
	t := p.peek()
	if !isKw(t, "SELECT") {
		p.fail(t, "expected SELECT")
	}
	p.advance()
	s := &Select{Pos: t.pos}
	if p.acceptKw("DISTINCT") {
		s.Distinct = true
		if isKw(p.peek(), "ON") {
			p.fail(p.peek(), "DISTINCT ON is not supported")
		}
	}
	for {
		s.Items = append(s.Items, p.selectItem())
		if !p.acceptOp(",") {
			break
		}
	}
	last := clItems
	if p.acceptKw("FROM") {
		ref := p.tableRef(func() string { return expectedAfter(clFrom, false, false) })
		s.From = &ref
		s.Joins = p.joins()
		last = clFrom
	}
	if p.acceptKw("WHERE") {
		s.Where = p.expr()
		last = clWhere
	}
	if t := p.peek(); isKw(t, "GROUP") {
		p.advance()
		p.expectKw("BY", "expected BY after GROUP")
		s.GroupBy = p.exprList()
		last = clGroupBy
	}
	if p.acceptKw("HAVING") {
		s.Having = p.expr()
		last = clHaving
	}
	if t := p.peek(); isKw(t, "ORDER") {
		p.advance()
		p.expectKw("BY", "expected BY after ORDER")
		for {
			s.OrderBy = append(s.OrderBy, p.orderItem())
			if !p.acceptOp(",") {
				break
			}
		}
		last = clOrderBy
	}
	seenLimit, seenOffset := false, false
	for {
		if !seenLimit && p.acceptKw("LIMIT") {
			s.Limit = p.expr()
			seenLimit = true
		} else if !seenOffset && p.acceptKw("OFFSET") {
			s.Offset = p.expr()
			seenOffset = true
		} else {
			break
		}
		last = clLimitOffset
	}
	semi := p.acceptOp(";")
	if t := p.peek(); t.kind != tokEOF {
		switch {
		case semi:
			p.fail(t, `expected end of input after ";"`)
		case isKw(t, "UNION") || isKw(t, "INTERSECT") || isKw(t, "EXCEPT"):
			p.fail(t, t.upper+" is not supported")
		}
		p.fail(t, expectedAfter(last, seenLimit, seenOffset))
	}
	if p.paramStyle == '?' {
		s.Params = p.qmarks
	} else {
		s.Params = p.maxParam
	}
	return s
}

// selectItem parses *, t.* or expr [[AS] alias].
func (p *parser) selectItem() SelectItem {
	t := p.peek()
	if isOp(t, "*") {
		p.advance()
		return SelectItem{Pos: t.pos, Star: true}
	}
	if isName(t) && isOp(p.peekN(1), ".") && isOp(p.peekN(2), "*") {
		p.advance()
		p.advance()
		p.advance()
		return SelectItem{Pos: t.pos, Star: true, StarTable: nameOf(t)}
	}
	if !p.startsExpr(t) {
		p.fail(t, "expected expression or *")
	}
	item := SelectItem{Pos: t.pos, Expr: p.expr()}
	item.Alias = p.alias(func() string { return expectedAfter(clItems, false, false) })
	return item
}

// alias parses an optional [AS] alias. An implicit alias followed by
// something word-like is reported as the error instead (with message msg),
// since it was most likely a misspelt keyword.
func (p *parser) alias(msg func() string) string {
	if p.acceptKw("AS") {
		a := p.peek()
		if !isName(a) {
			p.fail(a, "expected alias after AS")
		}
		p.advance()
		return nameOf(a)
	}
	a := p.peek()
	if !isName(a) {
		return ""
	}
	if wordLike(p.peekN(1)) {
		p.fail(a, msg())
	}
	p.advance()
	return nameOf(a)
}

// tableRef parses table [[AS] alias].
func (p *parser) tableRef(msg func() string) TableRef {
	t := p.peek()
	if isOp(t, "(") {
		if isKw(p.peekN(1), "SELECT") {
			p.fail(p.peekN(1), "subqueries are not supported")
		}
		p.fail(t, "expected table name")
	}
	if !isName(t) {
		p.fail(t, "expected table name")
	}
	p.advance()
	switch n := p.peek(); {
	case isOp(n, "."):
		p.fail(n, "qualified table names are not supported")
	case isOp(n, "("):
		p.fail(n, "table functions are not supported")
	}
	ref := TableRef{Pos: t.pos, Name: nameOf(t), Quoted: t.kind == tokQIdent}
	ref.Alias = p.alias(msg)
	return ref
}

// joins parses {[INNER|LEFT [OUTER]] JOIN table [[AS] alias] ON expr}.
func (p *parser) joins() []Join {
	var joins []Join
	for {
		t := p.peek()
		kind := JoinInner
		switch {
		case isKw(t, "JOIN"):
			p.advance()
		case isKw(t, "INNER"):
			p.advance()
			p.expectKw("JOIN", "expected JOIN after INNER")
		case isKw(t, "LEFT"):
			p.advance()
			kind = JoinLeft
			if p.acceptKw("OUTER") {
				p.expectKw("JOIN", "expected JOIN after LEFT OUTER")
			} else {
				p.expectKw("JOIN", "expected JOIN or OUTER JOIN after LEFT")
			}
		case isKw(t, "RIGHT") || isKw(t, "FULL") || isKw(t, "CROSS") || isKw(t, "NATURAL"):
			p.fail(t, t.upper+" JOIN is not supported")
		case isOp(t, ","):
			p.fail(t, "comma-separated FROM lists are not supported: use JOIN … ON")
		default:
			return joins
		}
		table := p.tableRef(func() string { return "expected ON" })
		if n := p.peek(); isKw(n, "USING") {
			p.fail(n, "JOIN … USING is not supported: use ON")
		}
		p.expectKw("ON", "expected ON")
		joins = append(joins, Join{Pos: t.pos, Kind: kind, Table: table, On: p.expr()})
	}
}

// orderItem parses expr [ASC|DESC] [NULLS FIRST|LAST].
func (p *parser) orderItem() OrderItem {
	t := p.peek()
	item := OrderItem{Pos: t.pos, Expr: p.expr()}
	if !p.acceptKw("ASC") && p.acceptKw("DESC") {
		item.Desc = true
	}
	if isKw(p.peek(), "NULLS") {
		p.advance()
		switch {
		case p.acceptKw("FIRST"):
			item.Nulls = NullsFirst
		case p.acceptKw("LAST"):
			item.Nulls = NullsLast
		default:
			p.fail(p.peek(), "expected FIRST or LAST after NULLS")
		}
	}
	return item
}

// exprList parses expr {, expr}.
func (p *parser) exprList() []Expr {
	var l []Expr
	for {
		l = append(l, p.expr())
		if !p.acceptOp(",") {
			return l
		}
	}
}

// startsExpr reports whether t can start an expression.
func (p *parser) startsExpr(t token) bool {
	switch t.kind {
	case tokQIdent, tokNumber, tokString, tokParam, tokQMark:
		return true
	case tokIdent:
		switch t.upper {
		case "NOT", "NULL", "TRUE", "FALSE", "CASE", "CAST":
			return true
		case "LEFT", "RIGHT":
			return isOp(p.peekN(1), "(")
		}
		return !reserved[t.upper]
	case tokOp:
		return t.text == "(" || t.text == "-" || t.text == "+"
	}
	return false
}

// expr parses an expression: OR has the lowest precedence.
func (p *parser) expr() Expr {
	start := p.peek()
	l := p.andExpr()
	for isKw(p.peek(), "OR") {
		p.advance()
		l = &Binary{Pos: start.pos, Op: "OR", L: l, R: p.andExpr()}
	}
	return l
}

func (p *parser) andExpr() Expr {
	start := p.peek()
	l := p.notExpr()
	for isKw(p.peek(), "AND") {
		p.advance()
		l = &Binary{Pos: start.pos, Op: "AND", L: l, R: p.notExpr()}
	}
	return l
}

func (p *parser) notExpr() Expr {
	t := p.peek()
	if !isKw(t, "NOT") {
		return p.cmpExpr()
	}
	p.advance()
	p.enter(t)
	x := p.notExpr()
	p.leave()
	return &Unary{Pos: t.pos, Op: "NOT", X: x}
}

// cmpExpr parses the comparison level: = <> != < <= > >=, IS [NOT] NULL,
// [NOT] BETWEEN, [NOT] IN, [NOT] LIKE. They associate to the left, and their
// operands are parsed at the next level (||).
func (p *parser) cmpExpr() Expr {
	start := p.peek()
	l := p.concatExpr()
	for {
		t := p.peek()
		if t.kind == tokOp {
			switch t.text {
			case "=", "<>", "!=", "<", "<=", ">", ">=":
				p.advance()
				op := t.text
				if op == "!=" {
					op = "<>"
				}
				l = &Binary{Pos: start.pos, Op: op, L: l, R: p.concatExpr()}
				continue
			}
			return l
		}
		if t.kind != tokIdent {
			return l
		}
		not := false
		if t.upper == "IS" {
			p.advance()
			not = p.acceptKw("NOT")
			if not {
				p.expectKw("NULL", "expected NULL after IS NOT")
			} else {
				p.expectKw("NULL", "expected NULL or NOT NULL after IS")
			}
			l = &IsNull{Pos: start.pos, X: l, Not: not}
			continue
		}
		op := t
		if t.upper == "NOT" {
			op = p.peekN(1)
			if op.kind != tokIdent {
				return l
			}
			switch op.upper {
			case "BETWEEN", "IN", "LIKE", "ILIKE", "SIMILAR":
			default:
				return l
			}
			p.advance()
			not = true
		}
		switch op.upper {
		case "BETWEEN":
			p.advance()
			lo := p.concatExpr()
			p.expectKw("AND", "expected AND in BETWEEN")
			l = &Between{Pos: start.pos, X: l, Lo: lo, Hi: p.concatExpr(), Not: not}
		case "IN":
			p.advance()
			open := p.expectOp("(", `expected "(" after IN`)
			if isKw(p.peek(), "SELECT") {
				p.fail(p.peek(), "subqueries are not supported")
			}
			p.enter(open)
			list := p.exprList()
			p.expectOp(")", `expected "," or ")"`)
			p.leave()
			l = &In{Pos: start.pos, X: l, List: list, Not: not}
		case "LIKE":
			p.advance()
			pat := p.concatExpr()
			if n := p.peek(); isKw(n, "ESCAPE") && p.peekN(1).kind == tokString {
				p.fail(n, "LIKE … ESCAPE is not supported")
			}
			l = &Like{Pos: start.pos, X: l, Pattern: pat, Not: not}
		case "ILIKE", "SIMILAR":
			p.fail(op, op.upper+" is not supported")
		default:
			return l
		}
	}
}

func (p *parser) concatExpr() Expr {
	start := p.peek()
	l := p.addExpr()
	for isOp(p.peek(), "||") {
		p.advance()
		l = &Binary{Pos: start.pos, Op: "||", L: l, R: p.addExpr()}
	}
	return l
}

func (p *parser) addExpr() Expr {
	start := p.peek()
	l := p.mulExpr()
	for {
		t := p.peek()
		if !isOp(t, "+") && !isOp(t, "-") {
			return l
		}
		p.advance()
		l = &Binary{Pos: start.pos, Op: t.text, L: l, R: p.mulExpr()}
	}
}

func (p *parser) mulExpr() Expr {
	start := p.peek()
	l := p.unaryExpr()
	for {
		t := p.peek()
		if !isOp(t, "*") && !isOp(t, "/") && !isOp(t, "%") {
			return l
		}
		p.advance()
		l = &Binary{Pos: start.pos, Op: t.text, L: l, R: p.unaryExpr()}
	}
}

// unaryExpr parses [- | +] postfix. A minus is never folded into a numeric
// literal: -1 is Unary{"-", Literal 1}.
func (p *parser) unaryExpr() Expr {
	t := p.peek()
	if !isOp(t, "-") && !isOp(t, "+") {
		return p.castExpr()
	}
	p.advance()
	p.enter(t)
	x := p.unaryExpr()
	p.leave()
	return &Unary{Pos: t.pos, Op: t.text, X: x}
}

// castExpr parses primary {::type}. Each :: counts as a nesting level, as
// x::a::b prints as CAST(CAST(x AS a) AS b).
func (p *parser) castExpr() Expr {
	start := p.peek()
	x := p.primary()
	depth := p.depth
	for t := p.peek(); isOp(t, "::"); t = p.peek() {
		p.advance()
		p.enter(t)
		x = &Cast{Pos: start.pos, X: x, Type: p.typeName()}
	}
	p.depth = depth
	return x
}

// primary parses a literal, parameter, column, (expr), CAST, CASE or
// function call.
func (p *parser) primary() Expr {
	t := p.peek()
	switch t.kind {
	case tokNumber:
		p.advance()
		if !strings.ContainsAny(t.text, ".eE") {
			if n, err := strconv.ParseInt(t.text, 10, 64); err == nil {
				return &Literal{Pos: t.pos, Kind: LitInt, Int: n, Text: t.text}
			}
		}
		return &Literal{Pos: t.pos, Kind: LitNumber, Text: t.text}
	case tokString:
		p.advance()
		return &Literal{Pos: t.pos, Kind: LitString, Str: t.val}
	case tokParam:
		if p.paramStyle == '?' {
			p.fail(t, "cannot mix $n and ? parameters")
		}
		p.advance()
		p.paramStyle = '$'
		p.maxParam = max(p.maxParam, t.num)
		return &Param{Pos: t.pos, Index: t.num}
	case tokQMark:
		if p.paramStyle == '$' {
			p.fail(t, "cannot mix $n and ? parameters")
		}
		if p.qmarks == maxParams {
			p.fail(t, "too many parameters (the maximum is 65535)")
		}
		p.advance()
		p.paramStyle = '?'
		p.qmarks++
		return &Param{Pos: t.pos, Index: p.qmarks}
	case tokQIdent:
		return p.columnRef()
	case tokOp:
		if t.text == "(" {
			if isKw(p.peekN(1), "SELECT") {
				p.fail(p.peekN(1), "subqueries are not supported")
			}
			p.advance()
			p.enter(t)
			x := p.expr()
			p.expectOp(")", `expected ")"`)
			p.leave()
			return x
		}
	case tokIdent:
		switch t.upper {
		case "NULL":
			p.advance()
			return &Literal{Pos: t.pos, Kind: LitNull}
		case "TRUE", "FALSE":
			p.advance()
			return &Literal{Pos: t.pos, Kind: LitBool, Bool: t.upper == "TRUE"}
		case "CASE":
			return p.caseExpr()
		case "CAST":
			return p.castCall()
		case "DATE", "TIMESTAMP":
			if s := p.peekN(1); s.kind == tokString {
				return p.typedLiteral()
			}
		case "LEFT", "RIGHT":
			if isOp(p.peekN(1), "(") {
				return p.funcCall()
			}
		}
		if reserved[t.upper] {
			break
		}
		if isOp(p.peekN(1), "(") {
			return p.funcCall()
		}
		return p.columnRef()
	}
	p.fail(t, "expected expression")
	return nil
}

// columnRef parses name or table.name; any word may follow the dot.
func (p *parser) columnRef() Expr {
	t := p.advance()
	if !isOp(p.peek(), ".") {
		return &ColumnRef{Pos: t.pos, Name: nameOf(t), Quoted: t.kind == tokQIdent}
	}
	p.advance()
	n := p.peek()
	if n.kind != tokIdent && n.kind != tokQIdent {
		if isOp(n, "*") {
			p.fail(n, "t.* is only allowed in the select list")
		}
		p.fail(n, `expected column name after "."`)
	}
	p.advance()
	return &ColumnRef{Pos: t.pos, Table: nameOf(t), Name: nameOf(n), Quoted: n.kind == tokQIdent}
}

// funcCall parses name([DISTINCT] args), name() and count(*).
func (p *parser) funcCall() Expr {
	t := p.advance()
	p.advance() // (
	p.enter(t)
	f := &Func{Pos: t.pos, Name: strings.ToLower(t.text)}
	switch n := p.peek(); {
	case isOp(n, "*"):
		if f.Name != "count" {
			p.fail(n, "* is only allowed in count(*)")
		}
		p.advance()
		f.Star = true
		p.expectOp(")", `expected ")"`)
	case isOp(n, ")"):
		p.advance()
	default:
		f.Distinct = p.acceptKw("DISTINCT")
		f.Args = p.exprList()
		p.expectOp(")", `expected "," or ")"`)
	}
	p.leave()
	if n := p.peek(); n.kind == tokIdent && isOp(p.peekN(1), "(") {
		switch n.upper {
		case "OVER":
			p.fail(n, "window functions are not supported")
		case "FILTER":
			p.fail(n, "FILTER is not supported")
		}
	}
	return f
}

// caseExpr parses CASE [operand] WHEN cond THEN result … [ELSE x] END.
func (p *parser) caseExpr() Expr {
	t := p.advance()
	p.enter(t)
	c := &Case{Pos: t.pos}
	if !isKw(p.peek(), "WHEN") {
		c.Operand = p.expr()
		if !isKw(p.peek(), "WHEN") {
			p.fail(p.peek(), "expected WHEN")
		}
	}
	for p.acceptKw("WHEN") {
		cond := p.expr()
		p.expectKw("THEN", "expected THEN")
		c.Whens = append(c.Whens, When{Cond: cond, Result: p.expr()})
	}
	if p.acceptKw("ELSE") {
		c.Else = p.expr()
		p.expectKw("END", "expected END")
	} else {
		p.expectKw("END", "expected WHEN, ELSE or END")
	}
	p.leave()
	return c
}

// castCall parses CAST(x AS type).
func (p *parser) castCall() Expr {
	t := p.advance()
	p.expectOp("(", `expected "(" after CAST`)
	p.enter(t)
	x := p.expr()
	p.expectKw("AS", "expected AS")
	typ := p.typeName()
	p.expectOp(")", `expected ")"`)
	p.leave()
	return &Cast{Pos: t.pos, X: x, Type: typ}
}

// typeName parses a type name and normalises it (see TypeName).
func (p *parser) typeName() TypeName {
	t := p.peek()
	if t.kind != tokIdent {
		p.fail(t, "expected type name")
	}
	p.advance()
	typ := TypeName{Pos: t.pos}
	switch t.upper {
	case "BOOLEAN", "BOOL":
		typ.Name = "BOOLEAN"
	case "SMALLINT", "INT2":
		typ.Name = "SMALLINT"
	case "INTEGER", "INT", "INT4":
		typ.Name = "INTEGER"
	case "BIGINT", "INT8":
		typ.Name = "BIGINT"
	case "REAL", "FLOAT4":
		typ.Name = "REAL"
	case "DOUBLE":
		typ.Name = "DOUBLE"
		if n := p.peek(); n.kind == tokIdent && n.upper == "PRECISION" {
			p.advance()
		}
	case "FLOAT", "FLOAT8":
		typ.Name = "DOUBLE"
	case "DECIMAL", "NUMERIC":
		typ.Name = "DECIMAL"
		if p.acceptOp("(") {
			typ.Precision = p.typeParam(1, 38, "DECIMAL precision must be an integer between 1 and 38")
			if p.acceptOp(",") {
				typ.Scale = p.typeParam(0, typ.Precision, "DECIMAL scale must be an integer between 0 and the precision")
			}
			p.expectOp(")", `expected "," or ")"`)
		}
	case "VARCHAR", "CHAR", "CHARACTER":
		typ.Name = "VARCHAR"
		if t.upper == "CHARACTER" {
			if n := p.peek(); n.kind == tokIdent && n.upper == "VARYING" {
				p.advance()
			}
		}
		if p.acceptOp("(") {
			p.typeParam(1, 1<<30, "length must be a positive integer")
			p.expectOp(")", `expected ")"`)
		}
	case "TEXT", "STRING":
		typ.Name = "VARCHAR"
	case "DATE":
		typ.Name = "DATE"
	case "TIMESTAMP":
		typ.Name = "TIMESTAMP"
	default:
		p.fail(t, fmt.Sprintf("unknown type name %q", t.text))
	}
	return typ
}

// typeParam parses an integer type parameter (a length, precision or
// scale) between lo and hi, failing with msg otherwise.
func (p *parser) typeParam(lo, hi int, msg string) int {
	t := p.peek()
	if t.kind != tokNumber || strings.ContainsAny(t.text, ".eE") {
		p.fail(t, msg)
	}
	n, err := strconv.Atoi(t.text)
	if err != nil || n < lo || n > hi {
		p.fail(t, msg)
	}
	p.advance()
	return n
}

// typedLiteral parses DATE '…' and TIMESTAMP '…', checking the string's
// shape: YYYY-MM-DD, and for TIMESTAMP an optional time HH:MM:SS[.fraction]
// after a space or a T.
func (p *parser) typedLiteral() Expr {
	t := p.advance()
	s := p.advance()
	if t.upper == "DATE" {
		if !validDate(s.val) {
			p.fail(s, "invalid DATE literal: expected YYYY-MM-DD")
		}
		return &Literal{Pos: t.pos, Kind: LitDate, Str: s.val}
	}
	if !validTimestamp(s.val) {
		p.fail(s, "invalid TIMESTAMP literal: expected YYYY-MM-DD[ HH:MM:SS[.fraction]]")
	}
	return &Literal{Pos: t.pos, Kind: LitTimestamp, Str: s.val}
}

// digitsAt parses n ASCII digits of s at i.
func digitsAt(s string, i, n int) (int, bool) {
	if i+n > len(s) {
		return 0, false
	}
	v := 0
	for _, c := range []byte(s[i : i+n]) {
		if !isDigit(c) {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// validDate reports whether s is YYYY-MM-DD naming a real day.
func validDate(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	y, ok1 := digitsAt(s, 0, 4)
	m, ok2 := digitsAt(s, 5, 2)
	d, ok3 := digitsAt(s, 8, 2)
	if !ok1 || !ok2 || !ok3 || y < 1 || m < 1 || m > 12 || d < 1 {
		return false
	}
	return d <= time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// validTimestamp reports whether s is YYYY-MM-DD[( |T)HH:MM:SS[.f…]].
func validTimestamp(s string) bool {
	if len(s) <= 10 {
		return validDate(s)
	}
	if !validDate(s[:10]) || s[10] != ' ' && s[10] != 'T' || len(s) < 19 || s[13] != ':' || s[16] != ':' {
		return false
	}
	h, ok1 := digitsAt(s, 11, 2)
	m, ok2 := digitsAt(s, 14, 2)
	sec, ok3 := digitsAt(s, 17, 2)
	if !ok1 || !ok2 || !ok3 || h > 23 || m > 59 || sec > 59 {
		return false
	}
	if len(s) == 19 {
		return true
	}
	if s[19] != '.' || len(s) == 20 || len(s) > 29 {
		return false
	}
	_, ok := digitsAt(s, 20, len(s)-20)
	return ok
}
