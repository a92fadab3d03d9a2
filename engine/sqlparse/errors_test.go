package sqlparse

import (
	"errors"
	"strings"
	"testing"
)

const afterItems = `expected ",", FROM, WHERE, GROUP BY, HAVING, ORDER BY, LIMIT, OFFSET or end of statement`
const afterFrom = `expected JOIN, WHERE, GROUP BY, HAVING, ORDER BY, LIMIT, OFFSET or end of statement`

// errorTests are statements outside the subset and their exact error.
var errorTests = []struct{ sql, want string }{
	// Statement level.
	{"", `syntax error at 1:1 near end of input: expected SELECT`},
	{"  -- only a comment\n", `syntax error at 2:1 near end of input: expected SELECT`},
	{"SHOW TABLES", `syntax error at 1:1 near "SHOW": expected SELECT`},
	{"EXPLAIN SELECT 1", `syntax error at 1:1 near "EXPLAIN": expected SELECT`},
	{"SELEC a", `syntax error at 1:1 near "SELEC": expected SELECT`},
	{"(SELECT 1)", `syntax error at 1:1 near "(": expected SELECT`},
	{";", `syntax error at 1:1 near ";": expected SELECT`},
	{`"select" 1`, `syntax error at 1:1 near "\"select\"": expected SELECT`},
	{"WITH x AS (SELECT 1) SELECT * FROM x", `syntax error at 1:1 near "WITH": WITH is not supported`},
	{"with x(replace) as (select 1) select replace(a, 'b', 'c') from x", `syntax error at 1:1 near "with": WITH is not supported`},
	{"SELECT", `syntax error at 1:7 near end of input: expected expression or *`},
	{"SELECT FROM t", `syntax error at 1:8 near "FROM": expected expression or *`},
	{"SELECT a, FROM t", `syntax error at 1:11 near "FROM": expected expression or *`},
	{"SELECT a FORM t", `syntax error at 1:10 near "FORM": ` + afterItems},
	{"SELECT a b c", `syntax error at 1:10 near "b": ` + afterItems},
	{"SELECT a 1", `syntax error at 1:10 near "1": ` + afterItems},
	{"SELECT a AS", `syntax error at 1:12 near end of input: expected alias after AS`},
	{"SELECT a AS FROM t", `syntax error at 1:13 near "FROM": expected alias after AS`},
	{"SELECT * AS x FROM t", `syntax error at 1:10 near "AS": ` + afterItems},
	{"SELECT 1; SELECT 2", `syntax error at 1:11 near "SELECT": expected end of input after ";"`},
	{"SELECT 1;;", `syntax error at 1:10 near ";": expected end of input after ";"`},
	{"SELECT 1 UNION SELECT 2", `syntax error at 1:10 near "UNION": UNION is not supported`},
	{"SELECT a FROM t EXCEPT SELECT b FROM u", `syntax error at 1:17 near "EXCEPT": EXCEPT is not supported`},
	{"SELECT a FROM t FOR UPDATE", `syntax error at 1:17 near "FOR": ` + afterFrom},
	{"SELECT DISTINCT ON (a) a FROM t", `syntax error at 1:17 near "ON": DISTINCT ON is not supported`},
	{"SELECT ALL a", `syntax error at 1:8 near "ALL": expected expression or *`},

	// FROM and JOIN.
	{"SELECT a FROM", `syntax error at 1:14 near end of input: expected table name`},
	{"SELECT a FROM WHERE", `syntax error at 1:15 near "WHERE": expected table name`},
	{"SELECT a FROM 1", `syntax error at 1:15 near "1": expected table name`},
	{"SELECT a FROM (SELECT 1)", `syntax error at 1:16 near "SELECT": subqueries are not supported`},
	{"SELECT a FROM (t)", `syntax error at 1:15 near "(": expected table name`},
	{"SELECT a FROM s.t", `syntax error at 1:16 near ".": qualified table names are not supported`},
	{"SELECT a FROM read_parquet('x.parquet')", `syntax error at 1:27 near "(": table functions are not supported`},
	{"SELECT a FROM t, u", `syntax error at 1:16 near ",": comma-separated FROM lists are not supported: use JOIN … ON`},
	{"SELECT a FROM t WHEER a = 1", `syntax error at 1:17 near "WHEER": ` + afterFrom},
	{"SELECT a FROM t AS", `syntax error at 1:19 near end of input: expected alias after AS`},
	{"SELECT a FROM t x y", `syntax error at 1:17 near "x": ` + afterFrom},
	{"SELECT a FROM t JOIN", `syntax error at 1:21 near end of input: expected table name`},
	{"SELECT a FROM t JOIN u", `syntax error at 1:23 near end of input: expected ON`},
	{"SELECT a FROM t JOIN u WHERE x", `syntax error at 1:24 near "WHERE": expected ON`},
	{"SELECT a FROM t JOIN u OM x", `syntax error at 1:24 near "OM": expected ON`},
	{"SELECT a FROM t JOIN u ON", `syntax error at 1:26 near end of input: expected expression`},
	{"SELECT a FROM t JOIN u USING (id)", `syntax error at 1:24 near "USING": JOIN … USING is not supported: use ON`},
	{"SELECT a FROM t INNER u", `syntax error at 1:23 near "u": expected JOIN after INNER`},
	{"SELECT a FROM t LEFT u", `syntax error at 1:22 near "u": expected JOIN or OUTER JOIN after LEFT`},
	{"SELECT a FROM t LEFT OUTER u", `syntax error at 1:28 near "u": expected JOIN after LEFT OUTER`},
	{"SELECT a FROM t RIGHT JOIN u ON x", `syntax error at 1:17 near "RIGHT": RIGHT JOIN is not supported`},
	{"SELECT a FROM t full outer join u ON x", `syntax error at 1:17 near "full": FULL JOIN is not supported`},
	{"SELECT a FROM t CROSS JOIN u", `syntax error at 1:17 near "CROSS": CROSS JOIN is not supported`},
	{"SELECT a FROM t NATURAL JOIN u", `syntax error at 1:17 near "NATURAL": NATURAL JOIN is not supported`},
	{"SELECT a FROM t JOIN u ON x = y z", `syntax error at 1:33 near "z": ` + afterFrom},

	// Clauses.
	{"SELECT a FROM t WHERE", `syntax error at 1:22 near end of input: expected expression`},
	{"SELECT a FROM t WHERE a = 1 b", `syntax error at 1:29 near "b": expected GROUP BY, HAVING, ORDER BY, LIMIT, OFFSET or end of statement`},
	{"SELECT a FROM t WHERE a = 1 GRUOP BY a", `syntax error at 1:29 near "GRUOP": expected GROUP BY, HAVING, ORDER BY, LIMIT, OFFSET or end of statement`},
	{"SELECT a FROM t GROUP a", `syntax error at 1:23 near "a": expected BY after GROUP`},
	{"SELECT a FROM t GROUP BY", `syntax error at 1:25 near end of input: expected expression`},
	{"SELECT a FROM t GROUP BY a b", `syntax error at 1:28 near "b": expected ",", HAVING, ORDER BY, LIMIT, OFFSET or end of statement`},
	{"SELECT a FROM t HAVING", `syntax error at 1:23 near end of input: expected expression`},
	{"SELECT a FROM t HAVING x WHERE y", `syntax error at 1:26 near "WHERE": expected ORDER BY, LIMIT, OFFSET or end of statement`},
	{"SELECT a FROM t ORDER a", `syntax error at 1:23 near "a": expected BY after ORDER`},
	{"SELECT a FROM t ORDER BY", `syntax error at 1:25 near end of input: expected expression`},
	{"SELECT a FROM t ORDER BY a DESC ASC", `syntax error at 1:33 near "ASC": expected ",", LIMIT, OFFSET or end of statement`},
	{"SELECT a FROM t ORDER BY a NULLS", `syntax error at 1:33 near end of input: expected FIRST or LAST after NULLS`},
	{"SELECT a FROM t ORDER BY a NULLS MIDDLE", `syntax error at 1:34 near "MIDDLE": expected FIRST or LAST after NULLS`},
	{"SELECT a FROM t ORDER BY a WHERE b", `syntax error at 1:28 near "WHERE": expected ",", LIMIT, OFFSET or end of statement`},
	{"SELECT a FROM t LIMIT", `syntax error at 1:22 near end of input: expected expression`},
	{"SELECT a FROM t LIMIT 1 LIMIT 2", `syntax error at 1:25 near "LIMIT": expected OFFSET or end of statement`},
	{"SELECT a FROM t OFFSET 1 OFFSET 2", `syntax error at 1:26 near "OFFSET": expected LIMIT or end of statement`},
	{"SELECT a FROM t LIMIT 1 OFFSET 2 LIMIT 3", `syntax error at 1:34 near "LIMIT": expected end of statement`},
	{"SELECT a FROM t LIMIT ALL", `syntax error at 1:23 near "ALL": expected expression`},
	{"SELECT a FROM t LIMIT 1 WHERE a", `syntax error at 1:25 near "WHERE": expected OFFSET or end of statement`},

	// Expressions.
	{"SELECT 1 +", `syntax error at 1:11 near end of input: expected expression`},
	{"SELECT 1 +\n", `syntax error at 2:1 near end of input: expected expression`},
	{"SELECT (1", `syntax error at 1:10 near end of input: expected ")"`},
	{"SELECT (1 2)", `syntax error at 1:11 near "2": expected ")"`},
	{"SELECT 1)", `syntax error at 1:9 near ")": ` + afterItems},
	{"SELECT ()", `syntax error at 1:9 near ")": expected expression`},
	{"SELECT (SELECT 1)", `syntax error at 1:9 near "SELECT": subqueries are not supported`},
	{"SELECT a IN (SELECT b FROM t)", `syntax error at 1:14 near "SELECT": subqueries are not supported`},
	{"SELECT a IN 1", `syntax error at 1:13 near "1": expected "(" after IN`},
	{"SELECT a IN ()", `syntax error at 1:14 near ")": expected expression`},
	{"SELECT a IN (1 2)", `syntax error at 1:16 near "2": expected "," or ")"`},
	{"SELECT a NOT b", `syntax error at 1:10 near "NOT": ` + afterItems},
	{"SELECT a IS b", `syntax error at 1:13 near "b": expected NULL or NOT NULL after IS`},
	{"SELECT a IS TRUE", `syntax error at 1:13 near "TRUE": expected NULL or NOT NULL after IS`},
	{"SELECT a IS NOT DISTINCT FROM b", `syntax error at 1:17 near "DISTINCT": expected NULL after IS NOT`},
	{"SELECT a BETWEEN 1", `syntax error at 1:19 near end of input: expected AND in BETWEEN`},
	{"SELECT a BETWEEN 1 OR 2", `syntax error at 1:20 near "OR": expected AND in BETWEEN`},
	{"SELECT a BETWEEN 1 AND", `syntax error at 1:23 near end of input: expected expression`},
	{"SELECT a LIKE", `syntax error at 1:14 near end of input: expected expression`},
	{"SELECT a LIKE 'x' ESCAPE '!'", `syntax error at 1:19 near "ESCAPE": LIKE … ESCAPE is not supported`},
	{"SELECT a ILIKE 'x'", `syntax error at 1:10 near "ILIKE": ILIKE is not supported`},
	{"SELECT a NOT ILIKE 'x'", `syntax error at 1:14 near "ILIKE": ILIKE is not supported`},
	{"SELECT a SIMILAR TO 'x'", `syntax error at 1:10 near "SIMILAR": SIMILAR is not supported`},
	{"SELECT = 1", `syntax error at 1:8 near "=": expected expression or *`},
	{"SELECT 1 = = 1", `syntax error at 1:12 near "=": expected expression`},
	{"SELECT a = NOT b", `syntax error at 1:12 near "NOT": expected expression`},
	{"SELECT *a", `syntax error at 1:9 near "a": ` + afterItems},
	{"SELECT 1 * * 2", `syntax error at 1:12 near "*": expected expression`},
	{"SELECT t.", `syntax error at 1:10 near end of input: expected column name after "."`},
	{"SELECT t.1", `syntax error at 1:9 near ".1": ` + afterItems},
	{"SELECT a + t.*", `syntax error at 1:14 near "*": t.* is only allowed in the select list`},
	{"SELECT a.b.c", `syntax error at 1:11 near ".": ` + afterItems},
	{"SELECT select", `syntax error at 1:8 near "select": expected expression or *`},
	{"SELECT a FROM t WHERE from = 1", `syntax error at 1:23 near "from": expected expression`},
	{"SELECT left", `syntax error at 1:8 near "left": expected expression or *`},
	{`SELECT "f"(1)`, `syntax error at 1:11 near "(": ` + afterItems},

	// Functions, CASE, CAST and types.
	{"SELECT f(", `syntax error at 1:10 near end of input: expected expression`},
	{"SELECT f(1", `syntax error at 1:11 near end of input: expected "," or ")"`},
	{"SELECT f(1,)", `syntax error at 1:12 near ")": expected expression`},
	{"SELECT f(DISTINCT)", `syntax error at 1:18 near ")": expected expression`},
	{"SELECT sum(*)", `syntax error at 1:12 near "*": * is only allowed in count(*)`},
	{"SELECT count(*", `syntax error at 1:15 near end of input: expected ")"`},
	{"SELECT count(*, 1)", `syntax error at 1:15 near ",": expected ")"`},
	{"SELECT count(DISTINCT *)", `syntax error at 1:23 near "*": expected expression`},
	{"SELECT count(*) OVER (PARTITION BY a) FROM t", `syntax error at 1:17 near "OVER": window functions are not supported`},
	{"SELECT sum(a) FILTER (WHERE a > 0) FROM t", `syntax error at 1:15 near "FILTER": FILTER is not supported`},
	{"SELECT CASE END", `syntax error at 1:13 near "END": expected expression`},
	{"SELECT CASE a END", `syntax error at 1:15 near "END": expected WHEN`},
	{"SELECT CASE WHEN a END", `syntax error at 1:20 near "END": expected THEN`},
	{"SELECT CASE WHEN a THEN 1", `syntax error at 1:26 near end of input: expected WHEN, ELSE or END`},
	{"SELECT CASE WHEN a THEN 1 ELSE 2", `syntax error at 1:33 near end of input: expected END`},
	{"SELECT CASE WHEN a THEN 1 ELSE 2 WHEN b THEN 3 END", `syntax error at 1:34 near "WHEN": expected END`},
	{"SELECT CAST a AS int", `syntax error at 1:13 near "a": expected "(" after CAST`},
	{"SELECT CAST(a int)", `syntax error at 1:15 near "int": expected AS`},
	{"SELECT CAST(a AS)", `syntax error at 1:17 near ")": expected type name`},
	{"SELECT CAST(a AS int", `syntax error at 1:21 near end of input: expected ")"`},
	{"SELECT CAST(a AS tinyint)", `syntax error at 1:18 near "tinyint": unknown type name "tinyint"`},
	{"SELECT a::Widget", `syntax error at 1:11 near "Widget": unknown type name "Widget"`},
	{`SELECT a::"int"`, `syntax error at 1:11 near "\"int\"": expected type name`},
	{"SELECT a::", `syntax error at 1:11 near end of input: expected type name`},
	{"SELECT a::timestamptz", `syntax error at 1:11 near "timestamptz": unknown type name "timestamptz"`},
	{"SELECT a::timestamp with time zone", `syntax error at 1:21 near "with": ` + afterItems},
	{"SELECT a::text(10)", `syntax error at 1:15 near "(": ` + afterItems},
	{"SELECT a::varchar(0)", `syntax error at 1:19 near "0": length must be a positive integer`},
	{"SELECT a::varchar(x)", `syntax error at 1:19 near "x": length must be a positive integer`},
	{"SELECT a::varchar(10", `syntax error at 1:21 near end of input: expected ")"`},
	{"SELECT a::decimal(0)", `syntax error at 1:19 near "0": DECIMAL precision must be an integer between 1 and 38`},
	{"SELECT a::decimal(39,2)", `syntax error at 1:19 near "39": DECIMAL precision must be an integer between 1 and 38`},
	{"SELECT a::decimal(1.5)", `syntax error at 1:19 near "1.5": DECIMAL precision must be an integer between 1 and 38`},
	{"SELECT a::decimal(10,11)", `syntax error at 1:22 near "11": DECIMAL scale must be an integer between 0 and the precision`},
	{"SELECT a::decimal(10,)", `syntax error at 1:22 near ")": DECIMAL scale must be an integer between 0 and the precision`},
	{"SELECT a::decimal(10,2,1)", `syntax error at 1:23 near ",": expected "," or ")"`},
	{"SELECT a::double precision precision x", `syntax error at 1:28 near "precision": ` + afterItems},

	// Typed literals.
	{"SELECT DATE '2024-13-01'", `syntax error at 1:13 near "'2024-13-01'": invalid DATE literal: expected YYYY-MM-DD`},
	{"SELECT DATE '2023-02-29'", `syntax error at 1:13 near "'2023-02-29'": invalid DATE literal: expected YYYY-MM-DD`},
	{"SELECT DATE '2024-1-1'", `syntax error at 1:13 near "'2024-1-1'": invalid DATE literal: expected YYYY-MM-DD`},
	{"SELECT DATE 'yesterday'", `syntax error at 1:13 near "'yesterday'": invalid DATE literal: expected YYYY-MM-DD`},
	{"SELECT DATE '2024-01-01 00:00:00'", `syntax error at 1:13 near "'2024-01-01 00:00:00'": invalid DATE literal: expected YYYY-MM-DD`},
	{"SELECT DATE '0000-01-01'", `syntax error at 1:13 near "'0000-01-01'": invalid DATE literal: expected YYYY-MM-DD`},
	{"SELECT TIMESTAMP '2024-01-01 24:00:00'", `syntax error at 1:18 near "'2024-01-01 24:00:00'": invalid TIMESTAMP literal: expected YYYY-MM-DD[ HH:MM:SS[.fraction]]`},
	{"SELECT TIMESTAMP '2024-01-01 12:00'", `syntax error at 1:18 near "'2024-01-01 12:00'": invalid TIMESTAMP literal: expected YYYY-MM-DD[ HH:MM:SS[.fraction]]`},
	{"SELECT TIMESTAMP '2024-01-01 12:00:00.'", `syntax error at 1:18 near "'2024-01-01 12:00:00.'": invalid TIMESTAMP literal: expected YYYY-MM-DD[ HH:MM:SS[.fraction]]`},
	{"SELECT TIMESTAMP '2024-01-01 12:00:00+01'", `syntax error at 1:18 near "'2024-01-01 12:00:00+01'": invalid TIMESTAMP literal: expected YYYY-MM-DD[ HH:MM:SS[.fraction]]`},
	{"SELECT TIMESTAMP '2024-01-01 12:00:00.1234567890'", `syntax error at 1:18 near "'2024-01-01 12:00:00.1234567890'": invalid TIMESTAMP literal: expected YYYY-MM-DD[ HH:MM:SS[.fraction]]`},
	{"SELECT TIMESTAMP ''", `syntax error at 1:18 near "''": invalid TIMESTAMP literal: expected YYYY-MM-DD[ HH:MM:SS[.fraction]]`},

	// Parameters.
	{"SELECT $0", `syntax error at 1:8 near "$0": parameters are numbered from $1`},
	{"SELECT $00", `syntax error at 1:8 near "$00": parameters are numbered from $1`},
	{"SELECT $65536", `syntax error at 1:8 near "$65536": parameter number too large (the maximum is $65535)`},
	{"SELECT $99999999999999999999999", `syntax error at 1:8 near "$99999999999999999999999": parameter number too large (the maximum is $65535)`},
	{"SELECT $", `syntax error at 1:8 near "$": unexpected character`},
	{"SELECT $1a", `syntax error at 1:8 near "$1a": trailing junk after parameter`},
	{"SELECT $1, ?", `syntax error at 1:12 near "?": cannot mix $n and ? parameters`},
	{"SELECT ?, $1", `syntax error at 1:11 near "$1": cannot mix $n and ? parameters`},
	{"SELECT ?" + strings.Repeat(", ?", 65535), `syntax error at 1:196613 near "?": too many parameters (the maximum is 65535)`},

	// Lexical errors, reported at the token's start.
	{"SELECT 'abc", `syntax error at 1:8 near "'abc": unterminated string literal`},
	{"SELECT 'it''s", `syntax error at 1:8 near "'it''s": unterminated string literal`},
	{"SELECT a,\n  'line one\nline two", `syntax error at 2:3 near "'line one\nline two": unterminated string literal`},
	{"SELECT '" + strings.Repeat("x", 100), `syntax error at 1:8 near "'` + strings.Repeat("x", 39) + `…": unterminated string literal`},
	{`SELECT "abc`, `syntax error at 1:8 near "\"abc": unterminated quoted identifier`},
	{`SELECT ""`, `syntax error at 1:8 near "\"\"": zero-length quoted identifier`},
	{"SELECT 1 /* comment", `syntax error at 1:10 near "/* comment": unterminated /* comment`},
	{"SELECT 1 /* a /* b */", `syntax error at 1:10 near "/* a /* b */": unterminated /* comment`},
	{"SELECT 1abc", `syntax error at 1:8 near "1abc": trailing junk after numeric literal`},
	{"SELECT 1e", `syntax error at 1:8 near "1e": trailing junk after numeric literal`},
	{"SELECT 1e+", `syntax error at 1:8 near "1e": trailing junk after numeric literal`},
	{"SELECT 0x1F", `syntax error at 1:8 near "0x1F": trailing junk after numeric literal`},
	{"SELECT 1.2.3", `syntax error at 1:11 near ".3": ` + afterItems},
	{"SELECT a @ b", `syntax error at 1:10 near "@": unexpected character`},
	{"SELECT a ! b", `syntax error at 1:10 near "!": unexpected character`},
	{"SELECT a | b", `syntax error at 1:10 near "|": unexpected character`},
	{"SELECT a : b", `syntax error at 1:10 near ":": unexpected character`},
	{"SELECT a[1]", `syntax error at 1:9 near "[": unexpected character`},
	{"SELECT café", `syntax error at 1:11 near "é": unexpected character`},
	{"SELECT\u00a0a", `syntax error at 1:7 near "\u00a0": unexpected character`},
	{"SELECT 'ü', a\u00a0", `syntax error at 1:14 near "\u00a0": unexpected character`},
	{"SELECT 'x\xff', \xfe", `syntax error at 1:14 near "\xfe": unexpected character`},
	{"SELECT 1 FROM t WHERE 'ß' = 'ss' AND\n\t'ünï' = x FORM y", `syntax error at 2:12 near "FORM": expected GROUP BY, HAVING, ORDER BY, LIMIT, OFFSET or end of statement`},
	// A lexical error after a complete statement is still an error.
	{"SELECT 1; 'abc", `syntax error at 1:11 near "'abc": unterminated string literal`},
	// A syntax error before a lexical error is reported first.
	{"SELECT a FROM WHERE 'abc", `syntax error at 1:15 near "WHERE": expected table name`},
}

func TestErrors(t *testing.T) {
	for _, tt := range errorTests {
		s, err := Parse(tt.sql)
		if err == nil {
			t.Errorf("Parse(%.60q) = %s, want error %s", tt.sql, s, tt.want)
			continue
		}
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%.60q): error %T, want *SyntaxError", tt.sql, err)
		}
		if err.Error() != tt.want {
			t.Errorf("Parse(%.60q):\n got %s\nwant %s", tt.sql, err, tt.want)
		}
		if s != nil {
			t.Errorf("Parse(%.60q) returned a statement with its error", tt.sql)
		}
	}
}

// readOnlyTests are write statements and where their keyword is.
var readOnlyTests = []struct {
	sql       string
	statement string
	pos       Pos
}{
	{"INSERT INTO t VALUES (1)", "INSERT", Pos{1, 1}},
	{"insert into t select * from u", "INSERT", Pos{1, 1}},
	{"UPDATE t SET a = 1", "UPDATE", Pos{1, 1}},
	{"DELETE FROM t", "DELETE", Pos{1, 1}},
	{"MERGE INTO t USING u ON t.id = u.id WHEN MATCHED THEN DELETE", "MERGE", Pos{1, 1}},
	{"UPSERT INTO t VALUES (1)", "UPSERT", Pos{1, 1}},
	{"REPLACE INTO t VALUES (1)", "REPLACE", Pos{1, 1}},
	{"CREATE TABLE t (a int)", "CREATE", Pos{1, 1}},
	{"DROP TABLE t", "DROP", Pos{1, 1}},
	{"ALTER TABLE t ADD COLUMN b int", "ALTER", Pos{1, 1}},
	{"TRUNCATE t", "TRUNCATE", Pos{1, 1}},
	{"COPY t TO '/tmp/x.csv'", "COPY", Pos{1, 1}},
	{"ATTACH 'x.db' AS x", "ATTACH", Pos{1, 1}},
	{"DETACH x", "DETACH", Pos{1, 1}},
	{"GRANT SELECT ON t TO bob", "GRANT", Pos{1, 1}},
	{"REVOKE SELECT ON t FROM bob", "REVOKE", Pos{1, 1}},
	{"VACUUM", "VACUUM", Pos{1, 1}},
	{"SET search_path = x", "SET", Pos{1, 1}},
	{"PRAGMA threads=4", "PRAGMA", Pos{1, 1}},
	{"BEGIN", "BEGIN", Pos{1, 1}},
	{"Commit;", "COMMIT", Pos{1, 1}},
	{"ROLLBACK", "ROLLBACK", Pos{1, 1}},
	{"  -- a comment\n  /* and another */ delete from t", "DELETE", Pos{2, 21}},
	{"\n\n\tdrop table t", "DROP", Pos{3, 2}},
	// The rest of a write statement is not parsed, nor even lexed.
	{"INSERT INTO t VALUES ('unterminated", "INSERT", Pos{1, 1}},
	{"drop table t; select 1", "DROP", Pos{1, 1}},
	{"WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x", "INSERT", Pos{1, 22}},
	{"WITH x AS (SELECT 1), y(a) AS (SELECT 2) update t set a = 1", "UPDATE", Pos{1, 42}},
	{"WITH RECURSIVE x AS (SELECT (1)) DELETE FROM t", "DELETE", Pos{1, 34}},
	{"WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", "DELETE", Pos{1, 12}},
	{"WITH d AS MATERIALIZED (insert into t values (1) returning *) SELECT 1", "INSERT", Pos{1, 25}},
}

func TestReadOnly(t *testing.T) {
	for _, tt := range readOnlyTests {
		s, err := Parse(tt.sql)
		if !errors.Is(err, ErrReadOnly) {
			t.Errorf("Parse(%q) = %v, %v; want ErrReadOnly", tt.sql, s, err)
			continue
		}
		var ro *ReadOnlyError
		if !errors.As(err, &ro) {
			t.Errorf("Parse(%q): error %T, want *ReadOnlyError", tt.sql, err)
			continue
		}
		if ro.Statement != tt.statement || ro.Pos != tt.pos {
			t.Errorf("Parse(%q): %s at %v, want %s at %v", tt.sql, ro.Statement, ro.Pos, tt.statement, tt.pos)
		}
		want := "read-only: " + tt.statement + " is not allowed: a snapshot is immutable"
		if err.Error() != want {
			t.Errorf("Parse(%q):\n got %s\nwant %s", tt.sql, err, want)
		}
	}
	// Every write keyword, in any case.
	for kw := range writeKeywords {
		for _, sql := range []string{kw + " x", strings.ToLower(kw), "/**/" + kw} {
			if _, err := Parse(sql); !errors.Is(err, ErrReadOnly) {
				t.Errorf("Parse(%q) = %v, want ErrReadOnly", sql, err)
			}
		}
	}
	// Write keywords elsewhere are names.
	for _, sql := range []string{
		"SELECT replace(a, 'x', 'y') FROM t",
		"SELECT set, update, delete FROM insert",
		`SELECT 1 FROM "insert"`,
	} {
		if _, err := Parse(sql); err != nil {
			t.Errorf("Parse(%q): %v", sql, err)
		}
	}
	// A quoted keyword is not a statement.
	if _, err := Parse(`"INSERT" INTO t`); errors.Is(err, ErrReadOnly) {
		t.Errorf(`Parse("\"INSERT\" INTO t") = %v, want a syntax error`, err)
	}
}

func TestErrorStrings(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want string
	}{
		{&SyntaxError{Pos: Pos{1, 23}, Near: "FORM", Msg: "expected FROM"}, `syntax error at 1:23 near "FORM": expected FROM`},
		{&SyntaxError{Pos: Pos{3, 1}, Msg: "expected expression"}, `syntax error at 3:1 near end of input: expected expression`},
		{&SyntaxError{Pos: Pos{1, 1}, Near: "a\tb", Msg: "m"}, `syntax error at 1:1 near "a\tb": m`},
		{&ReadOnlyError{Pos: Pos{1, 1}, Statement: "INSERT"}, "read-only: INSERT is not allowed: a snapshot is immutable"},
	} {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %s, want %s", got, tt.want)
		}
	}
	if errors.Unwrap(&ReadOnlyError{Statement: "DROP"}) != ErrReadOnly {
		t.Error("ReadOnlyError does not unwrap to ErrReadOnly")
	}
	if errors.Is(&SyntaxError{}, ErrReadOnly) {
		t.Error("a SyntaxError is ErrReadOnly")
	}
}
