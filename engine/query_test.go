package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"

	"github.com/snapdb/snapdb/engine/sqlparse"
)

// people and cities: a small join fixture with NULLs and unmatched keys.
func fixture(t testing.TB) MapCatalog {
	mem := memory.DefaultAllocator
	ps := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int32},
		{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "city", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "score", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(mem, ps)
	defer b.Release()
	type p struct {
		id    int32
		name  any
		city  any
		score any
	}
	for _, r := range []p{
		{1, "Ada", int64(10), 3.5}, {2, "Bob", int64(20), nil}, {3, nil, int64(10), 1.0},
		{4, "Δήμητρα", nil, 2.0}, {5, "Eve", int64(99), -4.0}, {6, "ada", int64(20), 3.5},
	} {
		b.Field(0).(*array.Int32Builder).Append(r.id)
		appendAny(b.Field(1), r.name)
		appendAny(b.Field(2), r.city)
		appendAny(b.Field(3), r.score)
	}
	people := b.NewRecordBatch()
	defer people.Release()
	cs := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "city", Type: arrow.BinaryTypes.String},
	}, nil)
	cb := array.NewRecordBuilder(mem, cs)
	defer cb.Release()
	for _, r := range []struct {
		id   int64
		name string
	}{{10, "Paris"}, {20, "Αθήνα"}, {30, "Oslo"}} {
		cb.Field(0).(*array.Int64Builder).Append(r.id)
		cb.Field(1).(*array.StringBuilder).Append(r.name)
	}
	cities := cb.NewRecordBatch()
	defer cities.Release()
	return MapCatalog{"people": writeTable(t, "people", people, 4, 1<<20), "cities": writeTable(t, "cities", cities, 2, 1<<20)}
}

func appendAny(b array.Builder, v any) {
	switch v := v.(type) {
	case nil:
		b.AppendNull()
	case string:
		b.(*array.StringBuilder).Append(v)
	case int64:
		b.(*array.Int64Builder).Append(v)
	case float64:
		b.(*array.Float64Builder).Append(v)
	}
}

func query(t testing.TB, cat Catalog, sql string, args ...any) [][]any {
	t.Helper()
	rr, err := Query(context.Background(), cat, sql, args, nil)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return drain(t, rr)
}

func str(rows [][]any) string {
	var sb strings.Builder
	for _, r := range rows {
		for i, v := range r {
			if i > 0 {
				sb.WriteString("|")
			}
			if v == nil {
				sb.WriteString("NULL")
			} else {
				fmt.Fprint(&sb, v)
			}
		}
		sb.WriteString("\n")
	}
	return sb.String()
}

func TestQueries(t *testing.T) {
	cat := fixture(t)
	for _, tc := range []struct{ sql, want string }{
		{"SELECT id, name FROM people WHERE id BETWEEN 2 AND 3 ORDER BY id", "2|Bob\n3|NULL\n"},
		{"SELECT count(*) FROM people", "6\n"},
		{"SELECT count(*), count(name), count(DISTINCT city) FROM people", "6|5|3\n"},
		{"SELECT city, count(*) AS n, sum(score), avg(score) FROM people GROUP BY city ORDER BY city NULLS FIRST", "NULL|1|2|2\n10|2|4.5|2.25\n20|2|3.5|3.5\n99|1|-4|-4\n"},
		{"SELECT p.name, c.city FROM people p JOIN cities c ON p.city = c.id ORDER BY p.id", "Ada|Paris\nBob|Αθήνα\nNULL|Paris\nada|Αθήνα\n"},
		{"SELECT p.id, c.city FROM people p LEFT JOIN cities c ON p.city = c.id ORDER BY 1", "1|Paris\n2|Αθήνα\n3|Paris\n4|NULL\n5|NULL\n6|Αθήνα\n"},
		{"SELECT c.city, p.id FROM cities c LEFT JOIN people p ON p.city = c.id ORDER BY c.id, p.id", "Paris|1\nParis|3\nΑθήνα|2\nΑθήνα|6\nOslo|NULL\n"},
		{"SELECT upper(name), length(name), substr(name, 2, 2) FROM people WHERE name LIKE '%a' ORDER BY id", "ADA|3|da\nADA|3|da\n"},
		{"SELECT id FROM people WHERE name IS NULL OR score < 0 ORDER BY id DESC", "5\n3\n"},
		{"SELECT id, CASE WHEN score > 3 THEN 'hi' WHEN score > 0 THEN 'lo' ELSE 'none' END FROM people ORDER BY id LIMIT 3 OFFSET 1", "2|none\n3|lo\n4|lo\n"},
		{"SELECT DISTINCT score FROM people ORDER BY score DESC NULLS LAST", "3.5\n2\n1\n-4\nNULL\n"},
		{"SELECT id * 2 + 1, id / 4, id % 4, -id FROM people WHERE id = $1", "7|0.75|3|-3\n"},
		{"SELECT coalesce(name, 'anon'), CAST(id AS VARCHAR) || '!' FROM people WHERE id IN (3, 4) ORDER BY id", "anon|3!\nΔήμητρα|4!\n"},
		{"SELECT city, max(name), min(score) FROM people GROUP BY city HAVING count(*) > 1 ORDER BY city", "10|Ada|1\n20|ada|3.5\n"},
		{"SELECT id FROM people WHERE NOT (score > 2) ORDER BY id", "3\n4\n5\n"},
		{"SELECT upper(name), length(name), substr(name, 2, 2) FROM people WHERE id = 4", "ΔΉΜΗΤΡΑ|7|ήμ\n"},
		{"SELECT 1 + 2, 'x'", "3|x\n"},
		{"SELECT id FROM people ORDER BY score DESC, id LIMIT 2", "1\n6\n"},
		{"SELECT sum(id) FROM people WHERE id > 100", "NULL\n"},
		{"SELECT count(*) FROM people WHERE id > 100", "0\n"},
		{"SELECT id FROM people LIMIT 0", ""},
		{"SELECT abs(-3), abs(id - 5), -score, abs(score - 10) FROM people WHERE id IN (1, 2) ORDER BY id", "3|4|-3.5|6.5\n3|3|NULL|NULL\n"},
		{"SELECT -9223372036854775808, -5, -1.5, 9223372036854775808", "-9223372036854775808|-5|-1.5|9223372036854775808\n"},
		{"SELECT CAST(id * 1000 AS INTEGER), CAST(city AS SMALLINT) FROM people WHERE id IN (4, 5) ORDER BY id", "4000|NULL\n5000|99\n"},
		{"SELECT CAST(2147483647 AS INTEGER), CAST(-2147483648 AS INT), CAST(32767 AS SMALLINT), CAST(-32768 AS INT2)", "2147483647|-2147483648|32767|-32768\n"},
	} {
		var args []any
		if strings.Contains(tc.sql, "$1") {
			args = []any{3}
		}
		got := str(query(t, cat, tc.sql, args...))
		if got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.sql, got, tc.want)
		}
	}
}

// TestCastNarrowing: a value cast to INTEGER or SMALLINT must fit it, as
// in DuckDB; the error names the cast and the value, whether the value is
// a constant (found when the query is planned) or a row (when it is read).
func TestCastNarrowing(t *testing.T) {
	cat := fixture(t)
	for _, tc := range []struct{ sql, want string }{
		{"SELECT CAST(2147483648 AS INTEGER)", "CAST(2147483648 AS INTEGER): value 2147483648 is out of range for INTEGER (-2147483648 to 2147483647)"},
		{"SELECT CAST(-32769 AS SMALLINT)", "out of range for SMALLINT (-32768 to 32767)"},
		{"SELECT CAST(city * 100000000 AS INTEGER) FROM people", "CAST((city * 100000000) AS INTEGER): value 9900000000 is out of range for INTEGER"},
		{"SELECT id FROM people WHERE CAST(city * 1000 AS SMALLINT) > 0", "CAST((city * 1000) AS SMALLINT): value 99000 is out of range for SMALLINT"},
		{"SELECT CAST(score * 1e10 AS INTEGER) FROM people", "value 35000000000 is out of range for INTEGER"},
	} {
		rr, err := Query(context.Background(), cat, tc.sql, nil, nil)
		if err == nil {
			for rr.Next() {
			}
			err = rr.Err()
			rr.Release()
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s:\n got %v\nwant an error containing %q", tc.sql, err, tc.want)
		}
	}
}

func TestQueryErrors(t *testing.T) {
	cat := fixture(t)
	for _, tc := range []struct{ sql, want string }{
		{"SELECT nme FROM people", `unknown column nme (columns: id, name, city, score) (at 1:8)`},
		{"SELECT * FROM peple", `unknown table "peple" (tables: cities, people) (at 1:15)`},
		{"SELECT name, count(*) FROM people", `column name must appear in GROUP BY or be used in an aggregate function (at 1:8)`},
		{"SELECT p.id FROM people p JOIN cities c ON p.city < c.id", `JOIN c needs an equality between the two sides in ON (a hash join) (at 1:27)`},
		{"SELECT id FROM people p JOIN cities c ON p.city = c.id", `column reference id is ambiguous (at 1:8)`},
		{"SELECT name + 1 FROM people", `(name + 1): operator + needs numbers, not VARCHAR and BIGINT (at 1:8)`},
		{"SELECT id FROM people WHERE id = 'x'", `(id = 'x'): could not convert "x" to BIGINT (at 1:29)`},
	} {
		_, err := Query(context.Background(), cat, tc.sql, nil, nil)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s:\n got %v\nwant %s", tc.sql, err, tc.want)
		}
	}
	_, err := Query(context.Background(), cat, "DELETE FROM people", nil, nil)
	if !errors.Is(err, sqlparse.ErrReadOnly) {
		t.Errorf("DELETE: %v, want the read-only error", err)
	}
	_, err = Query(context.Background(), cat, "SELECT $1", []any{uint64(1) << 63}, nil)
	if err == nil || !strings.Contains(err.Error(), "does not fit BIGINT") {
		t.Errorf("uint64 beyond BIGINT as a parameter: %v", err)
	}
	if got := str(query(t, cat, "SELECT $1, $2", uint8(7), int16(-2))); got != "7|-2\n" {
		t.Errorf("small integer parameters: %q", got)
	}
	_, err = Query(context.Background(), cat, "SELECT $1 FROM people", nil, nil)
	if err == nil || !strings.Contains(err.Error(), "1 parameters, 0 values") {
		t.Errorf("missing parameter: %v", err)
	}
	_ = cmp.Diff
}
