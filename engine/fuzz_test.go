package engine

import (
	"context"
	"errors"
	"testing"

	"github.com/snapdb/snapdb/engine/sqlparse"
)

// FuzzQuery runs arbitrary statements against a small catalog: parsing,
// binding, planning and execution must return rows or an error, never
// panic or hang.
func FuzzQuery(f *testing.F) {
	for _, s := range []string{
		"SELECT id, name FROM people WHERE id BETWEEN 2 AND 3 ORDER BY id",
		"SELECT city, count(*) AS n, sum(score), avg(score) FROM people GROUP BY city ORDER BY city NULLS FIRST",
		"SELECT p.name, c.city FROM people p LEFT JOIN cities c ON p.city = c.id ORDER BY p.id LIMIT 2 OFFSET 1",
		"SELECT DISTINCT upper(name), length(name), substr(name, -1, 3) FROM people WHERE name LIKE '%a_'",
		"SELECT CASE WHEN score > 3 THEN 'hi' ELSE NULL END, coalesce(city, id * 2), CAST(score AS DECIMAL(10,2)) FROM people",
		"SELECT count(DISTINCT city), min(name), max(score) FROM people HAVING count(*) > 1",
		"SELECT id % 0, id / 0, -id, abs(id - 10) FROM people WHERE id IN (1, NULL, 3) OR NOT score IS NULL",
		"SELECT 9223372036854775807 + id FROM people",
		"SELECT CAST('2024-02-30' AS DATE)",
		"SELECT * FROM cities c JOIN people p ON c.id = p.city AND p.score > 1 ORDER BY 1 DESC, 3",
	} {
		f.Add(s)
	}
	cat := fixture(f)
	f.Fuzz(func(t *testing.T, sql string) {
		rr, err := Query(context.Background(), cat, sql, []any{int64(1), "x", 2.5}[:0], nil)
		if err != nil {
			var se *sqlparse.SyntaxError
			var ee *Error
			if !errors.As(err, &se) && !errors.As(err, &ee) && !errors.Is(err, sqlparse.ErrReadOnly) {
				// Runtime errors (overflow, a bad cast) are fine too;
				// they must only not be panics, which fail the fuzzer.
				_ = err
			}
			return
		}
		defer rr.Release()
		for rr.Next() {
			rec := rr.RecordBatch()
			if int(rec.NumCols()) != rr.Schema().NumFields() {
				t.Fatalf("%s: batch has %d columns, schema %d", sql, rec.NumCols(), rr.Schema().NumFields())
			}
			for i, c := range rec.Columns() {
				if int64(c.Len()) != rec.NumRows() {
					t.Fatalf("%s: column %d has %d values, batch %d rows", sql, i, c.Len(), rec.NumRows())
				}
			}
		}
	})
}
