package sqldiff

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime/debug"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/snapdb/snapdb/snapshot"
)

// Querier is the SQL entry point the harness tests:
// (*snapshot.DB).Query.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (array.RecordReader, error)
}

// ErrNoQuery means snapshot.DB has no Query method yet.
var ErrNoQuery = errors.New("snapshot.DB has no Query method yet")

// AsQuerier returns db's SQL entry point. It is looked up at run time so
// that this package builds before the engine lands: ErrNoQuery while there
// is no (*snapshot.DB).Query, an error naming the signature if there is
// one of another shape.
func AsQuerier(db *snapshot.DB) (Querier, error) {
	if q, ok := any(db).(Querier); ok {
		return q, nil
	}
	if m, ok := reflect.TypeOf(db).MethodByName("Query"); ok {
		return nil, fmt.Errorf("(*snapshot.DB).Query is %s; the harness expects func(context.Context, string, ...any) (array.RecordReader, error)", m.Type)
	}
	return nil, ErrNoQuery
}

// MaxRows bounds the rows RunOurs reads from one result, so that a
// runaway join fails one query instead of the machine.
const MaxRows = 200_000

// RunOurs runs q through our engine and canonicalises the result: the
// error of Query or of the reader, a panic, or a result not drained
// within timeout all become the Result's Error.
func RunOurs(ctx context.Context, db Querier, q Query, timeout time.Duration) Result {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	done := make(chan Result, 1)
	go func() {
		res := Result{Name: q.Name}
		defer func() {
			if p := recover(); p != nil {
				res.Error = fmt.Sprintf("panic: %v\n%s", p, debug.Stack())
				res.Rows = nil
			}
			done <- res
		}()
		start := time.Now()
		rdr, err := db.Query(ctx, q.SQL, q.Args...)
		if err != nil {
			res.Error = err.Error()
			return
		}
		defer rdr.Release()
		for _, f := range rdr.Schema().Fields() {
			res.Columns = append(res.Columns, f.Name)
		}
		for rdr.Next() {
			res.Rows = CanonRecord(res.Rows, rdr.RecordBatch())
			if len(res.Rows) > MaxRows {
				res.Error = fmt.Sprintf("more than %d rows", MaxRows)
				return
			}
		}
		if err := rdr.Err(); err != nil {
			res.Error = err.Error()
			res.Rows = nil
		}
		res.Millis = float64(time.Since(start).Microseconds()) / 1000
	}()
	select {
	case res := <-done:
		return res
	case <-time.After(timeout + 5*time.Second):
		return Result{Name: q.Name, Error: fmt.Sprintf("no result within %v (abandoned)", timeout)}
	}
}
