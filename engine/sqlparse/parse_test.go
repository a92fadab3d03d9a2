package sqlparse

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// parseTests are whole statements and the AST they parse to (positions
// aside; see TestPositions).
var parseTests = []struct {
	sql  string
	want *Select
}{
	{"SELECT 1+2", &Select{Items: []SelectItem{item(bin("+", num(1), num(2)))}}},
	{"select * from t", &Select{Items: []SelectItem{{Star: true}}, From: table("t")}},
	{"SELECT t.*, \"My T\".* FROM t", &Select{
		Items: []SelectItem{{Star: true, StarTable: "t"}, {Star: true, StarTable: "My T"}},
		From:  table("t"),
	}},
	{"SELECT DISTINCT a AS x, b y, c, d \"Q\" FROM tbl AS t1", &Select{
		Distinct: true,
		Items:    []SelectItem{aliased(col("a"), "x"), aliased(col("b"), "y"), item(col("c")), aliased(col("d"), "Q")},
		From:     &TableRef{Name: "tbl", Alias: "t1"},
	}},
	{"SELECT a FROM t x", &Select{Items: []SelectItem{item(col("a"))}, From: &TableRef{Name: "t", Alias: "x"}}},
	{`SELECT a FROM "My ""Big"" Table" "M"`, &Select{
		Items: []SelectItem{item(col("a"))},
		From:  &TableRef{Name: `My "Big" Table`, Quoted: true, Alias: "M"},
	}},
	{"SELECT * FROM a JOIN b ON a.id = b.id INNER JOIN c ON TRUE LEFT JOIN d ON 1 = 1 LEFT OUTER JOIN e AS ee ON x", &Select{
		Items: []SelectItem{{Star: true}},
		From:  table("a"),
		Joins: []Join{
			{Kind: JoinInner, Table: TableRef{Name: "b"}, On: bin("=", qcol("a", "id"), qcol("b", "id"))},
			{Kind: JoinInner, Table: TableRef{Name: "c"}, On: boolean(true)},
			{Kind: JoinLeft, Table: TableRef{Name: "d"}, On: bin("=", num(1), num(1))},
			{Kind: JoinLeft, Table: TableRef{Name: "e", Alias: "ee"}, On: col("x")},
		},
	}},
	{"SELECT a, count(*) FROM t WHERE b > 0 GROUP BY a, b HAVING count(*) > 1 ORDER BY a DESC, 2 LIMIT 10 OFFSET 20", &Select{
		Items:   []SelectItem{item(col("a")), item(&Func{Name: "count", Star: true})},
		From:    table("t"),
		Where:   bin(">", col("b"), num(0)),
		GroupBy: []Expr{col("a"), col("b")},
		Having:  bin(">", &Func{Name: "count", Star: true}, num(1)),
		OrderBy: []OrderItem{{Expr: col("a"), Desc: true}, {Expr: num(2)}},
		Limit:   num(10),
		Offset:  num(20),
	}},
	{"SELECT a FROM t OFFSET 5 LIMIT 1", &Select{
		Items: []SelectItem{item(col("a"))}, From: table("t"), Limit: num(1), Offset: num(5),
	}},
	{"SELECT a FROM t ORDER BY a ASC, b DESC NULLS LAST, c NULLS FIRST, d ASC NULLS LAST, nulls", &Select{
		Items: []SelectItem{item(col("a"))},
		From:  table("t"),
		OrderBy: []OrderItem{
			{Expr: col("a")},
			{Expr: col("b"), Desc: true, Nulls: NullsLast},
			{Expr: col("c"), Nulls: NullsFirst},
			{Expr: col("d"), Nulls: NullsLast},
			{Expr: col("nulls")},
		},
	}},
	{"/* leading */ SELECT 1 -- trailing\n;", &Select{Items: []SelectItem{item(num(1))}}},
	{"SELECT 1 /* a /* nested */ comment */ + 2;  -- done", &Select{Items: []SelectItem{item(bin("+", num(1), num(2)))}}},
	{"SELECT 1 WHERE TRUE", &Select{Items: []SelectItem{item(num(1))}, Where: boolean(true)}},
	{"SELECT $2, $5 FROM t WHERE a = $1", &Select{
		Items: []SelectItem{item(param(2)), item(param(5))}, From: table("t"),
		Where: bin("=", col("a"), param(1)), Params: 5,
	}},
	{"SELECT ?, ? FROM t WHERE a = ? LIMIT ?", &Select{
		Items: []SelectItem{item(param(1)), item(param(2))}, From: table("t"),
		Where: bin("=", col("a"), param(3)), Limit: param(4), Params: 4,
	}},
	{"SELECT $1, $1", &Select{Items: []SelectItem{item(param(1)), item(param(1))}, Params: 1}},
	{"sElEcT a FrOm t WhErE a iS nOt NuLl OrDeR bY a dEsC nUlLs FiRsT lImIt 1", &Select{
		Items: []SelectItem{item(col("a"))}, From: table("t"),
		Where:   &IsNull{X: col("a"), Not: true},
		OrderBy: []OrderItem{{Expr: col("a"), Desc: true, Nulls: NullsFirst}},
		Limit:   num(1),
	}},
	{"SELECT date, timestamp, first, last FROM date", &Select{
		Items: []SelectItem{item(col("date")), item(col("timestamp")), item(col("first")), item(col("last"))},
		From:  table("date"),
	}},
	{"SELECT 1 first, 2 AS \"from\", 3 \"a b\"", &Select{
		Items: []SelectItem{aliased(num(1), "first"), aliased(num(2), "from"), aliased(num(3), "a b")},
	}},
	{"SELECT t.\"select\", t.from, \"T\".\"C\" FROM t", &Select{
		Items: []SelectItem{
			item(&ColumnRef{Table: "t", Name: "select", Quoted: true}),
			item(qcol("t", "from")),
			item(&ColumnRef{Table: "T", Name: "C", Quoted: true}),
		},
		From: table("t"),
	}},
	{"SELECT FooBar, \"FooBar\", _x1 FROM T", &Select{
		Items: []SelectItem{item(col("FooBar")), item(quoted("FooBar")), item(col("_x1"))},
		From:  table("T"),
	}},
	{"SELECT a\n\tFROM t\r\n\tWHERE a = 'it''s'\n", &Select{
		Items: []SelectItem{item(col("a"))}, From: table("t"), Where: bin("=", col("a"), str("it's")),
	}},
	{"SELECT left(s, 2), right(s, 1), date(ts), lower(name) FROM t", &Select{
		Items: []SelectItem{
			item(fn("left", col("s"), num(2))),
			item(fn("right", col("s"), num(1))),
			item(fn("date", col("ts"))),
			item(fn("lower", col("name"))),
		},
		From: table("t"),
	}},
	{"SELECT a FROM t LIMIT $1 + 1 OFFSET $2", &Select{
		Items: []SelectItem{item(col("a"))}, From: table("t"),
		Limit: bin("+", param(1), num(1)), Offset: param(2), Params: 2,
	}},
	{"SELECT count(*) AS n, sum(x) total FROM t GROUP BY g HAVING sum(x) > 0 AND count(*) < 10", &Select{
		Items:   []SelectItem{aliased(&Func{Name: "count", Star: true}, "n"), aliased(fn("sum", col("x")), "total")},
		From:    table("t"),
		GroupBy: []Expr{col("g")},
		Having:  bin("AND", bin(">", fn("sum", col("x")), num(0)), bin("<", &Func{Name: "count", Star: true}, num(10))),
	}},
	{"SELECT u.name, o.total FROM users u LEFT JOIN orders AS o ON o.user_id = u.id AND o.total > 100 WHERE u.active", &Select{
		Items: []SelectItem{item(qcol("u", "name")), item(qcol("o", "total"))},
		From:  &TableRef{Name: "users", Alias: "u"},
		Joins: []Join{{Kind: JoinLeft, Table: TableRef{Name: "orders", Alias: "o"},
			On: bin("AND", bin("=", qcol("o", "user_id"), qcol("u", "id")), bin(">", qcol("o", "total"), num(100)))}},
		Where: qcol("u", "active"),
	}},
}

// exprTests are expressions (parsed as "SELECT " + sql) and their AST.
var exprTests = []struct {
	sql  string
	want Expr
}{
	// Literals.
	{"0", num(0)},
	{"42", num(42)},
	{"007", numText(7, "007")},
	{"9223372036854775807", num(9223372036854775807)},
	{"9223372036854775808", dec("9223372036854775808")},
	{"-9223372036854775808", neg(dec("9223372036854775808"))},
	{"123456789012345678901234567890", dec("123456789012345678901234567890")},
	{"1.5", dec("1.5")},
	{".5", dec(".5")},
	{"1.", dec("1.")},
	{"1e-3", dec("1e-3")},
	{"1E+10", dec("1E+10")},
	{"2.5e3", dec("2.5e3")},
	{"'hello'", str("hello")},
	{"''", str("")},
	{"'it''s'", str("it's")},
	{"''''", str("'")},
	{"'multi\nline'", str("multi\nline")},
	{"'héllo wörld ✓'", str("héllo wörld ✓")},
	{"TRUE", boolean(true)},
	{"false", boolean(false)},
	{"NULL", null()},
	{"DATE '2024-01-31'", date("2024-01-31")},
	{"date '2024-02-29'", date("2024-02-29")},
	{"TIMESTAMP '2024-01-31 12:00:00'", timestamp("2024-01-31 12:00:00")},
	{"TIMESTAMP '2024-01-31 23:59:59.123456'", timestamp("2024-01-31 23:59:59.123456")},
	{"TIMESTAMP '2024-01-31T01:02:03'", timestamp("2024-01-31T01:02:03")},
	{"TIMESTAMP '2024-01-31'", timestamp("2024-01-31")},

	// Parameters.
	{"$1", param(1)},
	{"$007", param(7)},
	{"?", param(1)},

	// Names.
	{"a", col("a")},
	{"t.a", qcol("t", "a")},
	{`"a ""b"""`, quoted(`a "b"`)},
	{`"t"."a"`, &ColumnRef{Table: "t", Name: "a", Quoted: true}},
	{"nulls", col("nulls")},
	{"over", col("over")},

	// Operators.
	{"-a", neg(col("a"))},
	{"+a", &Unary{Op: "+", X: col("a")}},
	{"- -1", neg(neg(num(1)))},
	{"NOT a", not(col("a"))},
	{"NOT NOT a", not(not(col("a")))},
	{"a != b", bin("<>", col("a"), col("b"))},
	{"a <> b", bin("<>", col("a"), col("b"))},
	{"a<=b", bin("<=", col("a"), col("b"))},
	{"a>=b", bin(">=", col("a"), col("b"))},
	{"a<-1", bin("<", col("a"), neg(num(1)))},
	{"a % 2", bin("%", col("a"), num(2))},
	{"a || 'x'", bin("||", col("a"), str("x"))},
	{"a IS NULL", &IsNull{X: col("a")}},
	{"a IS NOT NULL", &IsNull{X: col("a"), Not: true}},
	{"a BETWEEN 1 AND 10", &Between{X: col("a"), Lo: num(1), Hi: num(10)}},
	{"a NOT BETWEEN b - 1 AND b + 1", &Between{X: col("a"), Lo: bin("-", col("b"), num(1)), Hi: bin("+", col("b"), num(1)), Not: true}},
	{"a IN (1)", &In{X: col("a"), List: []Expr{num(1)}}},
	{"a NOT IN (1, 'x', b)", &In{X: col("a"), List: []Expr{num(1), str("x"), col("b")}, Not: true}},
	{"a LIKE 'x%'", &Like{X: col("a"), Pattern: str("x%")}},
	{"a NOT LIKE b || '%'", &Like{X: col("a"), Pattern: bin("||", col("b"), str("%")), Not: true}},

	// Casts.
	{"CAST(a AS INTEGER)", cast(col("a"), "INTEGER")},
	{"cast(a as int)", cast(col("a"), "INTEGER")},
	{"a::int4", cast(col("a"), "INTEGER")},
	{"a::bool", cast(col("a"), "BOOLEAN")},
	{"a::boolean", cast(col("a"), "BOOLEAN")},
	{"a::smallint", cast(col("a"), "SMALLINT")},
	{"a::int2", cast(col("a"), "SMALLINT")},
	{"a::bigint", cast(col("a"), "BIGINT")},
	{"a::int8", cast(col("a"), "BIGINT")},
	{"a::real", cast(col("a"), "REAL")},
	{"a::float4", cast(col("a"), "REAL")},
	{"a::double", cast(col("a"), "DOUBLE")},
	{"a::DOUBLE PRECISION", cast(col("a"), "DOUBLE")},
	{"a::float8", cast(col("a"), "DOUBLE")},
	{"a::float", cast(col("a"), "DOUBLE")},
	{"a::decimal", cast(col("a"), "DECIMAL")},
	{"a::numeric(5)", &Cast{X: col("a"), Type: TypeName{Name: "DECIMAL", Precision: 5}}},
	{"CAST(a AS DECIMAL(10,2))", &Cast{X: col("a"), Type: TypeName{Name: "DECIMAL", Precision: 10, Scale: 2}}},
	{"a::decimal(38, 38)", &Cast{X: col("a"), Type: TypeName{Name: "DECIMAL", Precision: 38, Scale: 38}}},
	{"a::text", cast(col("a"), "VARCHAR")},
	{"a::string", cast(col("a"), "VARCHAR")},
	{"a::char", cast(col("a"), "VARCHAR")},
	{"a::char(3)", cast(col("a"), "VARCHAR")},
	{"a::varchar", cast(col("a"), "VARCHAR")},
	{"a::VARCHAR(20)", cast(col("a"), "VARCHAR")},
	{"a::character varying(20)", cast(col("a"), "VARCHAR")},
	{"a::character", cast(col("a"), "VARCHAR")},
	{"a::date", cast(col("a"), "DATE")},
	{"a::timestamp", cast(col("a"), "TIMESTAMP")},
	{"a::int::text", cast(cast(col("a"), "INTEGER"), "VARCHAR")},
	{"'1'::int + 1", bin("+", cast(str("1"), "INTEGER"), num(1))},

	// CASE.
	{"CASE WHEN a THEN 1 END", &Case{Whens: []When{{col("a"), num(1)}}}},
	{"CASE WHEN a > 0 THEN 'pos' WHEN a < 0 THEN 'neg' ELSE 'zero' END", &Case{
		Whens: []When{{bin(">", col("a"), num(0)), str("pos")}, {bin("<", col("a"), num(0)), str("neg")}},
		Else:  str("zero"),
	}},
	{"case a when 1 then 'one' else null end", &Case{Operand: col("a"), Whens: []When{{num(1), str("one")}}, Else: null()}},

	// Functions.
	{"now()", &Func{Name: "now"}},
	{"LOWER(a)", fn("lower", col("a"))},
	{"coalesce(a, b, 0)", fn("coalesce", col("a"), col("b"), num(0))},
	{"COUNT(*)", &Func{Name: "count", Star: true}},
	{"count(DISTINCT a)", &Func{Name: "count", Args: []Expr{col("a")}, Distinct: true}},
	{"sum(distinct a + 1)", &Func{Name: "sum", Args: []Expr{bin("+", col("a"), num(1))}, Distinct: true}},
	{"round(avg(x), 2)", fn("round", fn("avg", col("x")), num(2))},
	{"filter(1)", fn("filter", num(1))},
}

// precedenceTests state how operators group, printed fully parenthesised.
var precedenceTests = []struct{ sql, want string }{
	{"1 + 2 * 3", "(1 + (2 * 3))"},
	{"1 * 2 + 3", "((1 * 2) + 3)"},
	{"1 - 2 - 3", "((1 - 2) - 3)"},
	{"1 / 2 * 3 % 4", "(((1 / 2) * 3) % 4)"},
	{"(1 + 2) * 3", "((1 + 2) * 3)"},
	{"1 - (2 - 3)", "(1 - (2 - 3))"},
	{"-a * b", "((- a) * b)"},
	{"-a::int", "(- CAST(a AS INTEGER))"},
	{"-a + -b", "((- a) + (- b))"},
	{"a || b + c", "(a || (b + c))"},
	{"a + b || c", "((a + b) || c)"},
	{"a || b = c || d", "((a || b) = (c || d))"},
	{"a = b AND c = d OR e = f", "(((a = b) AND (c = d)) OR (e = f))"},
	{"a OR b AND c", "(a OR (b AND c))"},
	{"a OR b OR c", "((a OR b) OR c)"},
	{"a AND b AND c", "((a AND b) AND c)"},
	{"NOT a = b", "(NOT (a = b))"},
	{"NOT a AND b", "((NOT a) AND b)"},
	{"NOT a OR NOT b", "((NOT a) OR (NOT b))"},
	{"a = b = c", "((a = b) = c)"},
	{"a < b + 1", "(a < (b + 1))"},
	{"a = b IS NULL", "((a = b) IS NULL)"},
	{"a IS NULL = b", "((a IS NULL) = b)"},
	{"a + 1 IS NOT NULL", "((a + 1) IS NOT NULL)"},
	{"NOT a IS NULL", "(NOT (a IS NULL))"},
	{"a BETWEEN 1 AND 2 AND b", "((a BETWEEN 1 AND 2) AND b)"},
	{"a BETWEEN b + 1 AND c * 2 OR d", "((a BETWEEN (b + 1) AND (c * 2)) OR d)"},
	{"NOT a BETWEEN 1 AND 2", "(NOT (a BETWEEN 1 AND 2))"},
	{"a NOT BETWEEN 1 AND 2 = TRUE", "((a NOT BETWEEN 1 AND 2) = TRUE)"},
	{"a + 1 IN (1, 2 + 3)", "((a + 1) IN (1, (2 + 3)))"},
	{"a IN (1) AND b NOT IN (2)", "((a IN (1)) AND (b NOT IN (2)))"},
	{"a LIKE 'x' || '%' AND b", "((a LIKE ('x' || '%')) AND b)"},
	{"a NOT LIKE 'x' OR b LIKE 'y'", "((a NOT LIKE 'x') OR (b LIKE 'y'))"},
	{"a::int + b::int * 2", "(CAST(a AS INTEGER) + (CAST(b AS INTEGER) * 2))"},
	{"(a + b)::int", "CAST((a + b) AS INTEGER)"},
	{"CASE WHEN a OR b THEN 1 + 2 ELSE -3 END * 2", "(CASE WHEN (a OR b) THEN (1 + 2) ELSE (- 3) END * 2)"},
	{"f(a + b, c = d) - 1", "(f((a + b), (c = d)) - 1)"},
	{"a - - 1", "(a - (- 1))"},
	{"a - -1", "(a - (- 1))"},
	{"1-1", "(1 - 1)"},
	{"a--1\n", "a"},
	{"((((a))))", "a"},
}

func TestParse(t *testing.T) {
	for _, tt := range parseTests {
		got, err := Parse(tt.sql)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.sql, err)
			continue
		}
		if d := diff(tt.want, got); d != "" {
			t.Errorf("Parse(%q) (-want +got):\n%s", tt.sql, d)
		}
	}
}

func TestParseExpr(t *testing.T) {
	for _, tt := range exprTests {
		sql := "SELECT " + tt.sql
		got, err := Parse(sql)
		if err != nil {
			t.Errorf("Parse(%q): %v", sql, err)
			continue
		}
		if len(got.Items) != 1 || got.Items[0].Alias != "" {
			t.Errorf("Parse(%q): %d items, alias %q", sql, len(got.Items), got.Items[0].Alias)
			continue
		}
		if d := diff(tt.want, got.Items[0].Expr); d != "" {
			t.Errorf("Parse(%q) (-want +got):\n%s", sql, d)
		}
	}
}

func TestPrecedence(t *testing.T) {
	for _, tt := range precedenceTests {
		sql := "SELECT " + tt.sql
		got, err := Parse(sql)
		if err != nil {
			t.Errorf("Parse(%q): %v", sql, err)
			continue
		}
		if len(got.Items) != 1 {
			t.Errorf("Parse(%q): %d items", sql, len(got.Items))
			continue
		}
		if s := paren(got.Items[0].Expr); s != tt.want {
			t.Errorf("Parse(%q) groups as %s, want %s", sql, s, tt.want)
		}
	}
}

// allPositive is every statement that must parse.
func allPositive() []string {
	var l []string
	for _, tt := range parseTests {
		l = append(l, tt.sql)
	}
	for _, tt := range exprTests {
		l = append(l, "SELECT "+tt.sql)
	}
	for _, tt := range precedenceTests {
		l = append(l, "SELECT "+tt.sql)
	}
	for _, tt := range stringTests {
		l = append(l, tt.sql)
	}
	return l
}

// TestRoundTrip checks that printing a statement and parsing it again gives
// the same AST (positions aside) and the same text.
func TestRoundTrip(t *testing.T) {
	for _, sql := range allPositive() {
		s1, err := Parse(sql)
		if err != nil {
			t.Errorf("Parse(%q): %v", sql, err)
			continue
		}
		text := s1.String()
		s2, err := Parse(text)
		if err != nil {
			t.Errorf("Parse(%q).String() = %q, which does not parse: %v", sql, text, err)
			continue
		}
		if d := diff(s1, s2); d != "" {
			t.Errorf("Parse(%q) and Parse(%q) differ (-first +second):\n%s", sql, text, d)
		}
		if text2 := s2.String(); text2 != text {
			t.Errorf("String is not stable for %q: %q then %q", sql, text, text2)
		}
	}
}

// stringTests are statements and their canonical String.
var stringTests = []struct{ sql, want string }{
	{"select 1+2", "SELECT 1 + 2"},
	{"select distinct a x, t.* from t as u where a=1 order by a nulls first, b desc nulls last limit 5 offset 6",
		"SELECT DISTINCT a AS x, t.* FROM t AS u WHERE a = 1 ORDER BY a NULLS FIRST, b DESC NULLS LAST LIMIT 5 OFFSET 6"},
	{"select * from a inner join b on x left outer join c d on y", "SELECT * FROM a JOIN b ON x LEFT JOIN c AS d ON y"},
	{"select a from t offset 1 limit 2;", "SELECT a FROM t LIMIT 2 OFFSET 1"},
	{"select ?, ? from t where a = ?", "SELECT $1, $2 FROM t WHERE a = $3"},
	{"select (a + b) * c, a + b * c, a - (b - c), a - b - c, ((a))", "SELECT (a + b) * c, a + b * c, a - (b - c), a - b - c, a"},
	{"select not a = b, (not a) = b, a = (not b), not (a and b), - - 1, -(-1), a - -1",
		"SELECT NOT a = b, (NOT a) = b, a = (NOT b), NOT (a AND b), - - 1, - - 1, a - - 1"},
	{"select a or b and c, (a or b) and c, a and (b or c)", "SELECT a OR b AND c, (a OR b) AND c, a AND (b OR c)"},
	{"select a is null = b, a = (b is null), (a = b) is not null", "SELECT a IS NULL = b, a = (b IS NULL), a = b IS NOT NULL"},
	{"select a between (b or c) and d, a not in (1, b or c), a like (b = c)",
		"SELECT a BETWEEN (b OR c) AND d, a NOT IN (1, b OR c), a LIKE (b = c)"},
	{"select a::int, cast(b as numeric(10, 2)), c::double precision, d::varchar(3)",
		"SELECT CAST(a AS INTEGER), CAST(b AS DECIMAL(10,2)), CAST(c AS DOUBLE), CAST(d AS VARCHAR)"},
	{"select case x when 1 then 'a' else 'b' end, case when a then b end", "SELECT CASE x WHEN 1 THEN 'a' ELSE 'b' END, CASE WHEN a THEN b END"},
	{"select count(*), count(distinct a), now(), LEFT(s, 1)", "SELECT count(*), count(DISTINCT a), now(), left(s, 1)"},
	{"select 'it''s', date '2024-01-01', timestamp '2024-01-01 00:00:00', true, null, 1.5e3, 007",
		"SELECT 'it''s', DATE '2024-01-01', TIMESTAMP '2024-01-01 00:00:00', TRUE, NULL, 1.5e3, 007"},
	{`select "A"."B", "a b", t."select", t.from, "x""y" as "q r", 1 as "select", 2 as "Ok" from "T" "u v"`,
		`SELECT A."B", "a b", t."select", t.from, "x""y" AS "q r", 1 AS "select", 2 AS Ok FROM "T" AS "u v"`},
	{`select "select".*, "a b".* from t`, `SELECT "select".*, "a b".* FROM t`},
}

func TestString(t *testing.T) {
	for _, tt := range stringTests {
		s, err := Parse(tt.sql)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.sql, err)
			continue
		}
		if got := s.String(); got != tt.want {
			t.Errorf("Parse(%q).String()\n got %s\nwant %s", tt.sql, got, tt.want)
		}
	}
}

// TestFormatBuilt prints hand-built trees, which the parser would not
// produce, and checks they read back as the same tree.
func TestFormatBuilt(t *testing.T) {
	for _, tt := range []struct {
		e    Expr
		want string
	}{
		{nil, ""},
		{bin("-", col("a"), bin("-", col("b"), col("c"))), "a - (b - c)"},
		{bin("*", bin("+", col("a"), col("b")), col("c")), "(a + b) * c"},
		{neg(bin("+", col("a"), col("b"))), "- (a + b)"},
		{not(bin("AND", col("a"), col("b"))), "NOT (a AND b)"},
		{&Literal{Kind: LitInt, Int: 5}, "5"},
		{&Literal{Kind: LitInt, Int: -5}, "- 5"},
		{neg(&Literal{Kind: LitInt, Int: -5}), "- - 5"},
		{&Literal{Kind: LitInt, Int: -9223372036854775808}, "- 9223372036854775808"},
		{bin("*", &Literal{Kind: LitInt, Int: -2}, col("a")), "- 2 * a"},
		{&Literal{Kind: LitInt, Int: 12, Text: "13"}, "12"},
		{&ColumnRef{Name: "select"}, `"select"`},
		{&ColumnRef{Name: "a b"}, `"a b"`},
		{&ColumnRef{Table: "select", Name: "x"}, `"select".x`},
		{&In{X: col("a"), List: []Expr{bin("OR", col("b"), col("c"))}}, "a IN (b OR c)"},
		{&Cast{X: bin("+", col("a"), num(1)), Type: TypeName{Name: "DECIMAL", Precision: 5}}, "CAST(a + 1 AS DECIMAL(5,0))"},
	} {
		got := Format(tt.e)
		if got != tt.want {
			t.Errorf("Format(%s) = %q, want %q", paren(tt.e), got, tt.want)
		}
	}
	// Negative integers read back as negations.
	s, err := Parse("SELECT " + Format(bin("*", &Literal{Kind: LitInt, Int: -2}, col("a"))))
	if err != nil {
		t.Fatal(err)
	}
	if got := paren(s.Items[0].Expr); got != "((- 2) * a)" {
		t.Errorf("got %s", got)
	}
}

func TestColumnName(t *testing.T) {
	for _, tt := range []struct{ sql, want string }{
		{"a", "a"},
		{"t.a", "a"},
		{`"Mixed Case"`, "Mixed Case"},
		{"count(*)", "count_star()"},
		{"COUNT(*)", "count_star()"},
		{"count(a)", "count(a)"},
		{"count(DISTINCT a)", "count(DISTINCT a)"},
		{"lower(name)", "lower(name)"},
		{"a + 1", "a + 1"},
		{"(a + 1) * 2", "(a + 1) * 2"},
		{"1", "1"},
		{"'x'", "'x'"},
		{"a::int", "CAST(a AS INTEGER)"},
		{"CASE WHEN a THEN 1 END", "CASE WHEN a THEN 1 END"},
	} {
		s, err := Parse("SELECT " + tt.sql)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.sql, err)
			continue
		}
		if got := ColumnName(s.Items[0].Expr); got != tt.want {
			t.Errorf("ColumnName(%s) = %q, want %q", tt.sql, got, tt.want)
		}
	}
}

func TestNilSelectString(t *testing.T) {
	var s *Select
	if got := s.String(); got != "" {
		t.Errorf("nil String() = %q", got)
	}
}

// TestPositions checks the position of every node kind, after multi-byte
// characters, tabs and on later lines.
func TestPositions(t *testing.T) {
	sql := "SELECT 'héllo', b AS x,\n" +
		"\tt.*, -c::int, (d + 1) * 2, CASE WHEN e THEN $1 END\n" +
		"FROM t AS tt LEFT JOIN u ON u.id IS NULL\n" +
		"WHERE /* ✓✓ */ f BETWEEN 1 AND 2 AND g IN (1) AND h LIKE 'x' AND lower(i) = DATE '2024-01-01'\n" +
		"GROUP BY j ORDER BY k DESC LIMIT CAST(l AS INT)"
	s, err := Parse(sql)
	if err != nil {
		t.Fatal(err)
	}
	type pe struct {
		what string
		got  Pos
		want Pos
	}
	it := s.Items
	mul := it[4].Expr.(*Binary)
	cs := it[5].Expr.(*Case)
	where := s.Where.(*Binary)   // ((f BETWEEN … AND g IN …) AND h LIKE …) AND lower(i) = …
	and2 := where.L.(*Binary)    // (f BETWEEN … AND g IN …) AND h LIKE …
	and1 := and2.L.(*Binary)     // f BETWEEN … AND g IN …
	eq := where.R.(*Binary)      // lower(i) = DATE …
	between := and1.L.(*Between) // f BETWEEN 1 AND 2
	in := and1.R.(*In)
	like := and2.R.(*Like)
	checks := []pe{
		{"Select", s.Pos, Pos{1, 1}},
		{"string item", it[0].Pos, Pos{1, 8}},
		{"string literal", it[0].Expr.Position(), Pos{1, 8}},
		{"b item", it[1].Pos, Pos{1, 17}},
		{"b", it[1].Expr.Position(), Pos{1, 17}},
		{"t.* item", it[2].Pos, Pos{2, 2}},
		{"-c::int item", it[3].Pos, Pos{2, 7}},
		{"unary minus", it[3].Expr.Position(), Pos{2, 7}},
		{"cast c::int", it[3].Expr.(*Unary).X.Position(), Pos{2, 8}},
		{"type int", it[3].Expr.(*Unary).X.(*Cast).Type.Pos, Pos{2, 11}},
		{"(d + 1) * 2", mul.Pos, Pos{2, 16}},
		{"d + 1", mul.L.Position(), Pos{2, 17}},
		{"2", mul.R.Position(), Pos{2, 26}},
		{"CASE", cs.Pos, Pos{2, 29}},
		{"$1", cs.Whens[0].Result.Position(), Pos{2, 46}},
		{"From", s.From.Pos, Pos{3, 6}},
		{"Join", s.Joins[0].Pos, Pos{3, 14}},
		{"Join table", s.Joins[0].Table.Pos, Pos{3, 24}},
		{"IS NULL", s.Joins[0].On.Position(), Pos{3, 29}},
		{"where", where.Pos, Pos{4, 16}},
		{"between", between.Pos, Pos{4, 16}},
		{"between lo", between.Lo.Position(), Pos{4, 26}},
		{"in", in.Pos, Pos{4, 38}},
		{"in list", in.List[0].Position(), Pos{4, 44}},
		{"like", like.Pos, Pos{4, 51}},
		{"lower(i)", eq.Pos, Pos{4, 66}},
		{"DATE", eq.R.Position(), Pos{4, 77}},
		{"group by", s.GroupBy[0].Position(), Pos{5, 10}},
		{"order by item", s.OrderBy[0].Pos, Pos{5, 21}},
		{"limit cast", s.Limit.Position(), Pos{5, 34}},
		{"limit type", s.Limit.(*Cast).Type.Pos, Pos{5, 44}},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s at %v, want %v", c.what, c.got, c.want)
		}
	}
}

// TestDepthLimit checks that nesting is limited and deep input fails
// cleanly, while long flat chains parse.
func TestDepthLimit(t *testing.T) {
	ok := func(sql string) {
		t.Helper()
		if _, err := Parse(sql); err != nil {
			t.Errorf("Parse(%.40q…): %v", sql, err)
		}
	}
	fail := func(sql, want string) {
		t.Helper()
		_, err := Parse(sql)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Fatalf("Parse(%.40q…) = %v, want a *SyntaxError", sql, err)
		}
		if err.Error() != want {
			t.Errorf("Parse(%.40q…):\n got %s\nwant %s", sql, err, want)
		}
	}
	const msg = "expression nested too deeply (the limit is 1000 levels)"
	ok("SELECT " + strings.Repeat("(", 1000) + "1" + strings.Repeat(")", 1000))
	fail("SELECT "+strings.Repeat("(", 1001)+"1"+strings.Repeat(")", 1001),
		`syntax error at 1:1008 near "(": `+msg)
	ok("SELECT " + strings.Repeat("NOT ", 1000) + "a")
	fail("SELECT "+strings.Repeat("NOT ", 1001)+"a", `syntax error at 1:4008 near "NOT": `+msg)
	ok("SELECT " + strings.Repeat("- ", 1000) + "1") // not "--": a comment
	fail("SELECT "+strings.Repeat("- ", 1001)+"1", `syntax error at 1:2008 near "-": `+msg)
	ok("SELECT " + strings.Repeat("+", 1000) + "1")
	ok("SELECT " + strings.Repeat("f(", 1000) + "1" + strings.Repeat(")", 1000))
	fail("SELECT "+strings.Repeat("f(", 1001)+"1"+strings.Repeat(")", 1001), `syntax error at 1:2008 near "f": `+msg)
	ok("SELECT 1" + strings.Repeat("::int", 1000))
	fail("SELECT 1"+strings.Repeat("::int", 1001), `syntax error at 1:5009 near "::": `+msg)
	ok("SELECT " + strings.Repeat("CASE WHEN ", 500) + "1" + strings.Repeat(" THEN 1 END", 500))
	ok("SELECT " + strings.Repeat("a IN (", 1000) + "1" + strings.Repeat(")", 1000))
	fail("SELECT "+strings.Repeat("a IN (", 1001)+"1"+strings.Repeat(")", 1001), `syntax error at 1:6013 near "(": `+msg)
	// Far too deep: an error, not a stack overflow.
	fail("SELECT "+strings.Repeat("(", 1_000_000), `syntax error at 1:1008 near "(": `+msg)
	fail("SELECT "+strings.Repeat("+", 1_000_000), `syntax error at 1:1008 near "+": `+msg)
	// Flat chains do not nest, and print back without parentheses.
	chain := "SELECT 1" + strings.Repeat(" + 1", 100_000) + " FROM t WHERE " + strings.Repeat("a = 1 OR ", 100_000) + "TRUE"
	s, err := Parse(chain)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse(s.String()); err != nil {
		t.Errorf("long chain does not round-trip: %v", err)
	}
}

// BenchmarkParse parses statements of 2,000 and 20,000 select items; the
// time per byte should stay flat (parsing is linear). A benchmark, not a
// timed test: timings are not asserted.
func BenchmarkParse(b *testing.B) {
	gen := func(n int) string {
		var sb strings.Builder
		sb.WriteString("SELECT ")
		for i := range n {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("CASE WHEN a.x IN (1, 2, 'three') AND b LIKE 'x%' THEN lower(c) || 'it''s' ELSE CAST(d AS INT) END AS c")
		}
		sb.WriteString(" FROM t a WHERE ")
		for range n {
			sb.WriteString("(x = $1 OR y BETWEEN 1 AND 2) AND ")
		}
		sb.WriteString("TRUE")
		return sb.String()
	}
	for _, n := range []int{2_000, 20_000} {
		sql := gen(n)
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			b.SetBytes(int64(len(sql)))
			for b.Loop() {
				if _, err := Parse(sql); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestHugeChain prints a chain far longer than any nesting limit: printing
// walks it without recursion.
func TestHugeChain(t *testing.T) {
	if testing.Short() {
		t.Skip("large input")
	}
	const n = 1_000_000
	sql := "SELECT a" + strings.Repeat(" + a", n)
	s, err := Parse(sql)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.String(); got != sql {
		t.Errorf("String() differs from the input (%d vs %d bytes)", len(got), len(sql))
	}
}
