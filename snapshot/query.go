package snapshot

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/snapdb/snapdb/engine"
	"github.com/snapdb/snapdb/engine/sqlparse"
)

// catalog is the state's tables as the engine sees them, made on first
// query: the footers parsed at Open are shared, statistics and page
// indexes are decoded once per state and reused by every query.
type catalog struct {
	once   sync.Once
	tables engine.MapCatalog
	err    error
}

func (s *state) engineCatalog() (engine.Catalog, error) {
	s.cat.once.Do(func() {
		m := engine.MapCatalog{}
		for name, t := range s.tables {
			et, err := engine.NewTable(name, t.r, t.footer, t.schema)
			if err != nil {
				s.cat.err = &Error{Op: "query", Path: s.path, Table: name, Err: err}
				return
			}
			m[name] = et
		}
		s.cat.tables = m
	})
	return s.cat.tables, s.cat.err
}

// acquireCatalog pins the current state and returns its engine catalog;
// the caller releases the state.
func (db *DB) acquireCatalog(op string) (*state, engine.Catalog, error) {
	s, err := db.acquire(op)
	if err != nil {
		return nil, nil, err
	}
	cat, err := s.engineCatalog()
	if err != nil {
		s.release()
		return nil, nil, err
	}
	return s, cat, nil
}

// QueryOptions tune DB.QueryWith.
type QueryOptions = engine.QueryOptions

// Query runs one read-only SQL statement (the subset documented in
// engine.Query) and returns its rows as Arrow record batches. args bind
// $1…$n or ? in order. A statement that would write (INSERT, UPDATE,
// DELETE, CREATE, DROP, ALTER, COPY, ATTACH, …) returns a *ReadOnlyError.
// The reader keeps the snapshot it reads open until it is released, so a
// Load during the query does not disturb it.
func (db *DB) Query(ctx context.Context, sql string, args ...any) (array.RecordReader, error) {
	return db.QueryWith(ctx, nil, sql, args...)
}

// QueryWith is Query with options (parallelism, batch size, allocator).
func (db *DB) QueryWith(ctx context.Context, opts *QueryOptions, sql string, args ...any) (array.RecordReader, error) {
	s, cat, err := db.acquireCatalog("query")
	if err != nil {
		return nil, err
	}
	var o QueryOptions
	if opts != nil {
		o = *opts
	}
	if o.Mem == nil {
		o.Mem = db.opts.Mem
	}
	rr, err := engine.Query(ctx, cat, sql, args, &o)
	if err != nil {
		s.release()
		var ro *sqlparse.ReadOnlyError
		if errors.As(err, &ro) {
			return nil, &ReadOnlyError{Op: ro.Statement}
		}
		return nil, err
	}
	return &pinnedReader{RecordReader: rr, s: s}, nil
}

// ScanSpec says what Scan reads: columns, a filter built with engine.Col,
// engine.Lit, engine.Eq and the like, a limit and a batch size.
type ScanSpec = engine.ScanSpec

// Scan reads one table through the engine's columnar scan: the rows that
// pass spec.Filter, the named columns, in file order. Row groups and pages
// that the statistics rule out are skipped, using the statistics and page
// indexes this DB has already decoded for earlier scans and queries. Like
// Query's, the reader keeps the snapshot open until it is released.
func (db *DB) Scan(ctx context.Context, table string, spec ScanSpec) (array.RecordReader, error) {
	s, cat, err := db.acquireCatalog("scan")
	if err != nil {
		return nil, err
	}
	t, ok := cat.Table(table)
	if !ok {
		s.release()
		return nil, &Error{Op: "scan", Path: s.path, Table: table, Err: ErrNoTable,
			Hint: "tables: " + strings.Join(cat.TableNames(), ", ")}
	}
	if spec.Mem == nil {
		spec.Mem = db.opts.Mem
	}
	rr, err := engine.Scan(ctx, t, spec)
	if err != nil {
		s.release()
		return nil, &Error{Op: "scan", Path: s.path, Table: table, Err: err}
	}
	return &pinnedReader{RecordReader: rr, s: s}, nil
}
