// Package sqlparse parses the read-only SQL subset that snapdb answers: one
// SELECT statement with joins, grouping, ordering and parameters. It knows
// nothing of tables or types; the engine binds names and types.
//
// Every node carries the position of its first token, so the binder can say
// where a name or a type is wrong. Statements that would write (INSERT,
// UPDATE, DELETE, CREATE, DROP, ALTER, COPY, ATTACH, …) are recognised by
// their first keyword and refused with a *ReadOnlyError.
package sqlparse

import "fmt"

// Pos is a 1-based line and column (in runes) in the statement text.
type Pos struct{ Line, Col int }

// String returns "line:col".
func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// Select is the one statement kind.
type Select struct {
	Pos      Pos
	Distinct bool
	Items    []SelectItem
	From     *TableRef // nil for SELECT without FROM
	Joins    []Join
	Where    Expr // nil if absent
	GroupBy  []Expr
	Having   Expr // nil if absent
	OrderBy  []OrderItem
	Limit    Expr // nil if absent
	Offset   Expr // nil if absent
	// Params is the number of parameters ($1…$n or ?) the statement uses:
	// the highest $n, or the count of ?.
	Params int
}

// SelectItem is one entry of the select list: an expression with an
// optional alias, or a star (* or t.*).
type SelectItem struct {
	Pos       Pos
	Star      bool
	StarTable string // "t" for t.*, "" for *
	Expr      Expr   // nil when Star
	Alias     string // "" when absent
}

// TableRef names a table in FROM or JOIN.
type TableRef struct {
	Pos    Pos
	Name   string
	Quoted bool // the name was a "quoted identifier": match it exactly
	Alias  string
}

// JoinKind is INNER or LEFT [OUTER].
type JoinKind int

// The join kinds.
const (
	JoinInner JoinKind = iota
	JoinLeft
)

// String returns "JOIN" or "LEFT JOIN", as the kind is written in SQL.
func (k JoinKind) String() string {
	if k == JoinLeft {
		return "LEFT JOIN"
	}
	return "JOIN"
}

// Join is one [INNER|LEFT] JOIN … ON … clause.
type Join struct {
	Pos   Pos
	Kind  JoinKind
	Table TableRef
	On    Expr
}

// NullsOrder says where NULLs sort.
type NullsOrder int

// The NULL orderings.
const (
	NullsDefault NullsOrder = iota // the engine puts NULLs last, as DuckDB does
	NullsFirst
	NullsLast
)

// OrderItem is one ORDER BY key.
type OrderItem struct {
	Pos   Pos
	Expr  Expr
	Desc  bool
	Nulls NullsOrder
}

// Expr is an expression node: one of the pointer types below.
type Expr interface {
	Position() Pos
	expr()
}

// ColumnRef is a column name, optionally qualified by a table name or alias.
type ColumnRef struct {
	Pos    Pos
	Table  string // "" when unqualified
	Name   string
	Quoted bool // Name was a "quoted identifier"
}

// LitKind is the kind of a literal.
type LitKind int

// The literal kinds.
const (
	LitNull      LitKind = iota
	LitInt               // an integer that fits int64: Int
	LitNumber            // any other numeric literal (1.5, 1e3, or an integer beyond int64): Text
	LitString            // 'text': Str (quotes removed, '' unescaped)
	LitBool              // TRUE / FALSE: Bool
	LitDate              // DATE '2024-01-31': Str
	LitTimestamp         // TIMESTAMP '2024-01-31 12:00:00[.ffffff]': Str
)

// Literal is a constant.
type Literal struct {
	Pos  Pos
	Kind LitKind
	Int  int64
	Text string // the literal as written (numbers), for exact decimal binding
	Str  string
	Bool bool
}

// Param is a parameter, $n or ?; Index is 1-based (the n-th ? gets n).
type Param struct {
	Pos   Pos
	Index int
}

// Unary is -x, +x or NOT x. Op is "-", "+" or "NOT".
type Unary struct {
	Pos Pos
	Op  string
	X   Expr
}

// Binary is a binary operator. Op is one of + - * / % || = <> < <= > >= AND OR
// (upper-case; != is reported as <>).
type Binary struct {
	Pos  Pos
	Op   string
	L, R Expr
}

// Between is x [NOT] BETWEEN lo AND hi.
type Between struct {
	Pos       Pos
	X, Lo, Hi Expr
	Not       bool
}

// In is x [NOT] IN (list).
type In struct {
	Pos  Pos
	X    Expr
	List []Expr
	Not  bool
}

// IsNull is x IS [NOT] NULL.
type IsNull struct {
	Pos Pos
	X   Expr
	Not bool
}

// Like is x [NOT] LIKE pattern (% and _ wildcards; no ESCAPE clause).
type Like struct {
	Pos        Pos
	X, Pattern Expr
	Not        bool
}

// When is one WHEN … THEN … arm of a CASE.
type When struct {
	Cond, Result Expr
}

// Case is CASE [operand] WHEN … THEN … [ELSE …] END. Operand is nil for a
// searched CASE; Else is nil when absent.
type Case struct {
	Pos     Pos
	Operand Expr
	Whens   []When
	Else    Expr
}

// TypeName is the target of a CAST, upper-cased and normalised to one of:
// BOOLEAN, SMALLINT, INTEGER, BIGINT, REAL, DOUBLE, DECIMAL, VARCHAR, DATE,
// TIMESTAMP. Synonyms map onto these (INT, INT4 → INTEGER; INT8 → BIGINT;
// FLOAT8, DOUBLE PRECISION, FLOAT → DOUBLE; FLOAT4 → REAL; NUMERIC → DECIMAL;
// TEXT, STRING, CHAR, VARCHAR(n) → VARCHAR; BOOL → BOOLEAN).
type TypeName struct {
	Pos              Pos
	Name             string
	Precision, Scale int // DECIMAL(p,s); 0,0 when not given
}

// Cast is CAST(x AS type) or x::type.
type Cast struct {
	Pos  Pos
	X    Expr
	Type TypeName
}

// Func is a function call or aggregate: lower(x), count(*), count(DISTINCT x).
// Name is lower-cased.
type Func struct {
	Pos      Pos
	Name     string
	Args     []Expr
	Star     bool // count(*)
	Distinct bool
}

// Position returns the position of the ColumnRef's first token.
func (e *ColumnRef) Position() Pos { return e.Pos }

// Position returns the position of the Literal's first token.
func (e *Literal) Position() Pos { return e.Pos }

// Position returns the position of the Param's first token.
func (e *Param) Position() Pos { return e.Pos }

// Position returns the position of the Unary's first token.
func (e *Unary) Position() Pos { return e.Pos }

// Position returns the position of the Binary's first token: where its left
// operand starts, including any parentheses around it.
func (e *Binary) Position() Pos { return e.Pos }

// Position returns the position of the Between's first token: where its left
// operand starts, including any parentheses around it.
func (e *Between) Position() Pos { return e.Pos }

// Position returns the position of the In's first token: where its left
// operand starts, including any parentheses around it.
func (e *In) Position() Pos { return e.Pos }

// Position returns the position of the IsNull's first token: where its left
// operand starts, including any parentheses around it.
func (e *IsNull) Position() Pos { return e.Pos }

// Position returns the position of the Like's first token: where its left
// operand starts, including any parentheses around it.
func (e *Like) Position() Pos { return e.Pos }

// Position returns the position of the Case's first token.
func (e *Case) Position() Pos { return e.Pos }

// Position returns the position of the Cast's first token: CAST, or for
// x::type where x starts.
func (e *Cast) Position() Pos { return e.Pos }

// Position returns the position of the Func's first token.
func (e *Func) Position() Pos { return e.Pos }

func (*ColumnRef) expr() {}
func (*Literal) expr()   {}
func (*Param) expr()     {}
func (*Unary) expr()     {}
func (*Binary) expr()    {}
func (*Between) expr()   {}
func (*In) expr()        {}
func (*IsNull) expr()    {}
func (*Like) expr()      {}
func (*Case) expr()      {}
func (*Cast) expr()      {}
func (*Func) expr()      {}
