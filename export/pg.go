package export

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"github.com/snapdb/snapdb/snapshot"
	"io"
	"net"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
)

// pgSource reads a PostgreSQL database inside one REPEATABLE READ, READ
// ONLY transaction on its main connection; further connections join that
// transaction's snapshot (pg_export_snapshot / SET TRANSACTION SNAPSHOT).
type pgSource struct {
	cfg       *pgx.ConnConfig
	main      *pgx.Conn
	extra     []*pgx.Conn
	database  string
	version   string
	walLSN    *string // the WAL position at the snapshot, if readable
	checkUTF8 bool
	types     map[uint32]pgTypeRow
}

type pgTypeRow struct {
	name     string
	nsp      string
	typtype  byte
	base     uint32
	typmod   int32
	elem     uint32
	category byte
}

// pgTable is what a table needs to be read.
type pgTable struct {
	oid      uint32
	nsp, rel string
	kind     byte // 'r' or 'p'
	query    string
	kinds    []pgKind
	formats  []int16 // result format per column: binary, or text for the types without a mapping
}

// readBufferSize is the size of each connection's read buffer.
const readBufferSize = 256 << 10

// sessionSetup keeps a long export from being cut off by server settings
// meant for interactive sessions.
const sessionSetup = "SET statement_timeout = 0; SET lock_timeout = 0; SET idle_in_transaction_session_timeout = 0"

func openPostgres(ctx context.Context, src Source) (*pgSource, error) {
	cfg, err := pgx.ParseConfig(src.DSN)
	if err != nil {
		return nil, &Error{Op: "connect", Err: fmt.Errorf("%w: %v", ErrSource, err)}
	}
	cfg.RuntimeParams["application_name"] = "snapdb export"
	cfg.BuildFrontend = func(r io.Reader, w io.Writer) *pgproto3.Frontend {
		// pgproto3 reads 8 KB at a time: a table read that way costs a
		// system call per 8 KB. A larger buffer takes what the socket holds
		// at once.
		return pgproto3.NewFrontend(bufio.NewReaderSize(r, readBufferSize), w)
	}
	s := &pgSource{cfg: cfg}
	s.main, err = s.connect(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.main.Exec(ctx, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"); err != nil {
		s.close()
		return nil, &Error{Op: "begin", Err: err}
	}
	// The transaction's first statement takes its snapshot, and the WAL
	// position it reads is at or after that moment: every change in the
	// snapshot was committed before that position (a transaction that
	// committed in between may be before it and not in the snapshot). A
	// role that may not call the function records no position.
	var enc string
	err = s.main.QueryRow(ctx, `SELECT current_database(), current_setting('server_version'), current_setting('server_encoding'),
		CASE WHEN pg_is_in_recovery() THEN
			CASE WHEN has_function_privilege('pg_last_wal_replay_lsn()', 'execute') THEN pg_last_wal_replay_lsn()::text END
		ELSE
			CASE WHEN has_function_privilege('pg_current_wal_insert_lsn()', 'execute') THEN pg_current_wal_insert_lsn()::text END
		END`).
		Scan(&s.database, &s.version, &enc, &s.walLSN)
	if err != nil {
		s.close()
		return nil, &Error{Op: "begin", Err: err}
	}
	s.checkUTF8 = enc == "SQL_ASCII"
	if err := s.loadTypes(ctx); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

func (s *pgSource) connect(ctx context.Context) (*pgx.Conn, error) {
	c, err := pgx.ConnectConfig(ctx, s.cfg)
	if err != nil {
		return nil, &Error{Op: "connect", Err: err}
	}
	if _, err := c.Exec(ctx, sessionSetup); err != nil {
		c.Close(context.Background())
		return nil, &Error{Op: "connect", Err: err}
	}
	return c, nil
}

func (s *pgSource) engine() (engine, database string, extra map[string]any) {
	extra = map[string]any{"server_version": s.version}
	if s.walLSN != nil {
		extra[snapshot.WALLSNKey] = *s.walLSN
	}
	return EnginePostgres, s.database, extra
}

func (s *pgSource) local() bool {
	h := s.cfg.Host
	if strings.HasPrefix(h, "/") || h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

func (s *pgSource) loadTypes(ctx context.Context) error {
	rows, err := s.main.Query(ctx, `SELECT t.oid, t.typname, n.nspname, t.typtype, t.typbasetype, t.typtypmod, t.typelem, t.typcategory
		FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace`)
	if err != nil {
		return &Error{Op: "read catalog", Err: err}
	}
	s.types = map[uint32]pgTypeRow{}
	for rows.Next() {
		var oid, base, elem uint32
		var t pgTypeRow
		var typtype, category string
		if err := rows.Scan(&oid, &t.name, &t.nsp, &typtype, &base, &t.typmod, &elem, &category); err != nil {
			rows.Close()
			return &Error{Op: "read catalog", Err: err}
		}
		t.base, t.elem = base, elem
		t.typtype, t.category = typtype[0], category[0]
		s.types[oid] = t
	}
	if err := rows.Err(); err != nil {
		return &Error{Op: "read catalog", Err: err}
	}
	return nil
}

const pgTablesQuery = `
SELECT c.oid, n.nspname, c.relname, c.relkind,
       CASE WHEN c.relkind = 'p' THEN
         (SELECT coalesce(sum(greatest(p.reltuples, 0)), -1)::bigint
            FROM pg_partition_tree(c.oid) pt JOIN pg_class p ON p.oid = pt.relid WHERE pt.isleaf)
       ELSE c.reltuples::bigint END,
       pg_total_relation_size(c.oid)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
   AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
 ORDER BY n.nspname, c.relname`

func (s *pgSource) list(ctx context.Context) ([]*table, error) {
	rows, err := s.main.Query(ctx, pgTablesQuery)
	if err != nil {
		return nil, &Error{Op: "list tables", Err: err}
	}
	defer rows.Close()
	var out []*table
	for rows.Next() {
		pt := &pgTable{}
		var kind string
		var est, size int64
		if err := rows.Scan(&pt.oid, &pt.nsp, &pt.rel, &kind, &est, &size); err != nil {
			return nil, &Error{Op: "list tables", Err: err}
		}
		pt.kind = kind[0]
		name := pt.rel
		if pt.nsp != "public" {
			name = pt.nsp + "." + pt.rel
		}
		out = append(out, &table{
			name:      name,
			qualified: pt.nsp + "." + pt.rel,
			estimate:  est,
			size:      size,
			pg:        pt,
		})
	}
	if err := rows.Err(); err != nil {
		return nil, &Error{Op: "list tables", Err: err}
	}
	return out, nil
}

// revision reads alembic_version.version_num (several heads are joined
// with ",", sorted).
func (s *pgSource) revision(ctx context.Context, t *table) (string, error) {
	rows, err := s.main.Query(ctx, "SELECT version_num::text FROM "+quoteIdent(t.pg.nsp)+"."+quoteIdent(t.pg.rel))
	if err != nil {
		return "", &Error{Op: "read schema revision", Table: t.name, Err: err}
	}
	heads, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return "", &Error{Op: "read schema revision", Table: t.name, Err: err}
	}
	sort.Strings(heads)
	return strings.Join(heads, ","), nil
}

// lock takes ACCESS SHARE locks on the selected tables in the main
// transaction, as pg_dump does: a concurrent DROP or ALTER waits for the
// export instead of breaking it. Writers (INSERT, UPDATE, DELETE) are not
// blocked by it.
func (s *pgSource) lock(ctx context.Context, tables []*table) error {
	if len(tables) == 0 {
		return nil
	}
	names := make([]string, len(tables))
	for i, t := range tables {
		names[i] = quoteIdent(t.pg.nsp) + "." + quoteIdent(t.pg.rel)
	}
	if _, err := s.main.Exec(ctx, "LOCK TABLE "+strings.Join(names, ", ")+" IN ACCESS SHARE MODE"); err != nil {
		e := &Error{Op: "lock tables", Err: err}
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "42501" {
			e.Hint = "grant SELECT on it to the export's user, or exclude it"
		}
		return e
	}
	return nil
}

// plan reads a table's columns and decides each one's Arrow type and
// select expression.
func (s *pgSource) plan(ctx context.Context, t *table) error {
	rows, err := s.main.Query(ctx, `SELECT a.attname, a.atttypid, a.atttypmod, a.attnotnull, format_type(a.atttypid, a.atttypmod)
		FROM pg_attribute a WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`, t.pg.oid)
	if err != nil {
		return &Error{Op: "read columns", Table: t.name, Err: err}
	}
	defer rows.Close()
	var fields []arrow.Field
	var exprs []string
	for rows.Next() {
		var name, display string
		var oid uint32
		var typmod int32
		var notnull bool
		if err := rows.Scan(&name, &oid, &typmod, &notnull, &display); err != nil {
			return &Error{Op: "read columns", Table: t.name, Err: err}
		}
		k, cast, ok := s.kindOf(oid, typmod)
		expr := quoteIdent(name)
		format := int16(pgx.BinaryFormatCode)
		if !ok || k.id == pgNumericText {
			// Exported as text: a type with no mapping, or a numeric that
			// does not fit decimal128 (read in binary, printed as
			// PostgreSQL prints it).
			if t.textColumns == nil {
				t.textColumns = map[string]string{}
			}
			t.textColumns[name] = display
		}
		if !ok {
			if cast == "" {
				format = pgx.TextFormatCode // the type's own output function
			} else {
				expr += "::" + cast
			}
		}
		t.pg.kinds = append(t.pg.kinds, k)
		t.pg.formats = append(t.pg.formats, format)
		exprs = append(exprs, expr)
		fields = append(fields, arrow.Field{Name: name, Type: k.arrowType(), Nullable: !notnull})
	}
	if err := rows.Err(); err != nil {
		return &Error{Op: "read columns", Table: t.name, Err: err}
	}
	if len(fields) == 0 {
		return &Error{Op: "read columns", Table: t.name, Err: errors.New("the table has no columns"), Hint: "exclude it"}
	}
	only := "ONLY "
	if t.pg.kind == 'p' {
		only = "" // a partitioned table's rows are in its partitions
	}
	t.pg.query = "SELECT " + strings.Join(exprs, ", ") + " FROM " + only + quoteIdent(t.pg.nsp) + "." + quoteIdent(t.pg.rel)
	t.schema = arrow.NewSchema(fields, nil)
	return nil
}

// kindOf maps a column type. ok is false when the type has no mapping of
// its own: the column is then read in the text format (its type's output
// function), or, for an array, cast to cast ("text[]").
func (s *pgSource) kindOf(oid uint32, typmod int32) (k pgKind, cast string, ok bool) {
	t, found := s.types[oid]
	for depth := 0; found && t.typtype == 'd' && depth < 32; depth++ { // domains: their base type
		if typmod < 0 {
			typmod = t.typmod
		}
		oid = t.base
		t, found = s.types[oid]
	}
	if !found {
		return pgKind{id: pgText}, "", false
	}
	switch {
	case t.typtype == 'e':
		return pgKind{id: pgText}, "", true
	case t.category == 'A' && t.elem != 0:
		ek, _, eok := s.kindOf(t.elem, typmod)
		if !eok || ek.id == pgList {
			return pgKind{id: pgList, elem: &pgKind{id: pgText}}, "text[]", false
		}
		return pgKind{id: pgList, elem: &ek}, "", true
	case t.nsp == "pg_catalog":
		id, known := pgBuiltin[t.name]
		if !known {
			break
		}
		if id == pgDecimal {
			return numericKind(typmod), "", true
		}
		return pgKind{id: id}, "", true
	case t.name == "vector" && t.typtype == 'b':
		return pgKind{id: pgVector}, "", true
	}
	return pgKind{id: pgText}, "", false
}

// conns returns n connections in the main transaction's snapshot: the
// main one and n−1 more that import it.
func (s *pgSource) conns(ctx context.Context, n int) ([]reader, error) {
	out := []reader{&pgReader{s: s, conn: s.main}}
	if n <= 1 {
		return out, nil
	}
	var snap string
	if err := s.main.QueryRow(ctx, "SELECT pg_export_snapshot()").Scan(&snap); err != nil {
		return nil, &Error{Op: "export snapshot", Err: err}
	}
	for i := 1; i < n; i++ {
		c, err := s.connect(ctx)
		if err != nil {
			return nil, err
		}
		s.extra = append(s.extra, c)
		if _, err := c.Exec(ctx, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"); err != nil {
			return nil, &Error{Op: "begin", Err: err}
		}
		if _, err := c.Exec(ctx, "SET TRANSACTION SNAPSHOT "+quoteLiteral(snap)); err != nil {
			return nil, &Error{Op: "import snapshot", Err: err}
		}
		out = append(out, &pgReader{s: s, conn: c})
	}
	return out, nil
}

func (s *pgSource) close() {
	ctx := context.Background()
	for _, c := range append(s.extra, s.main) {
		if c == nil {
			continue
		}
		if !c.IsClosed() {
			c.Exec(ctx, "ROLLBACK")
		}
		c.Close(ctx)
	}
}

// pgReader reads tables over one connection.
type pgReader struct {
	s    *pgSource
	conn *pgx.Conn
}

// read streams a table with the extended protocol, every column in binary,
// straight from pgconn's read buffer into Arrow builders.
func (r *pgReader) read(t *table, chunk int, mem memory.Allocator, progress func(int64)) produceFunc {
	return func(ctx context.Context, emit func(arrow.RecordBatch) bool) error {
		qctx, cancel := context.WithCancel(ctx)
		defer cancel()
		rr := r.conn.PgConn().ExecParams(qctx, t.pg.query, nil, nil, nil, t.pg.formats)
		bld := array.NewRecordBuilder(mem, t.schema)
		defer bld.Release()
		builders := bld.Fields()
		decs := make([]pgDecoder, len(builders))
		for i, b := range builders {
			decs[i] = newPGDecoder(t.pg.kinds[i], b, r.s.checkUTF8)
		}
		fail := func(err error) error {
			cancel() // do not drain the rest of the result
			rr.Close()
			return err
		}
		var row int64
		n := 0
		for rr.NextRow() {
			vals := rr.Values()
			row++
			if len(vals) != len(decs) {
				return fail(&Error{Op: "read", Table: t.name, Row: row,
					Err: fmt.Errorf("%d values for %d columns", len(vals), len(decs))})
			}
			for i, v := range vals {
				if v == nil {
					builders[i].AppendNull()
					continue
				}
				if err := decs[i](v); err != nil {
					return fail(&Error{Op: "decode", Table: t.name, Column: t.schema.Field(i).Name, Row: row,
						Err: fmt.Errorf("%w: %v", ErrValue, err)})
				}
			}
			if n++; n == chunk {
				n = 0
				if !emit(nextBatch(bld, chunk)) {
					return fail(ctx.Err())
				}
				progress(row)
			}
		}
		if _, err := rr.Close(); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			var pe *pgconn.PgError
			if errors.As(err, &pe) && pe.Code == "42501" {
				return &Error{Op: "read", Table: t.name, Err: err, Hint: "grant SELECT on it to the export's user, or exclude it"}
			}
			return &Error{Op: "read", Table: t.name, Err: err}
		}
		if n > 0 {
			if !emit(bld.NewRecordBatch()) {
				return ctx.Err()
			}
		}
		progress(row)
		return nil
	}
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func quoteLiteral(s string) string { return `'` + strings.ReplaceAll(s, `'`, `''`) + `'` }
