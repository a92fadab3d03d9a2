package export

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver, pure Go
)

// sqliteSource reads a SQLite file inside one read transaction on one
// connection. In WAL mode the transaction sees the database as of its
// first read while other connections go on writing; in rollback-journal
// mode its shared lock keeps writers from committing until it ends.
type sqliteSource struct {
	path    string
	db      *sql.DB
	conn    *sql.Conn
	version string
}

// sqliteTable is what a table needs to be read.
type sqliteTable struct {
	rowid string // the rowid alias selected first, or "" (WITHOUT ROWID)
	query string
	kinds []sqliteKind
	decls []string
}

func openSQLite(ctx context.Context, src Source) (*sqliteSource, error) {
	abs, err := filepath.Abs(src.Path)
	if err != nil {
		return nil, &Error{Op: "open", Err: err}
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return nil, &Error{Op: "open", Err: fmt.Errorf("%w: %v", ErrSource, err)}
	}
	if fi.IsDir() {
		return nil, &Error{Op: "open", Err: fmt.Errorf("%w: %s is a directory, not a SQLite file", ErrSource, abs)}
	}
	// mode=ro: never create or change the file. The busy timeout covers a
	// writer holding the lock for a moment (rollback-journal mode).
	dsn := "file:" + (&url.URL{Path: abs}).EscapedPath() + "?mode=ro&_pragma=busy_timeout(10000)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, &Error{Op: "open", Err: err}
	}
	s := &sqliteSource{path: abs, db: db}
	s.conn, err = db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, &Error{Op: "open", Err: err}
	}
	if _, err := s.conn.ExecContext(ctx, "BEGIN"); err != nil {
		s.close()
		return nil, &Error{Op: "begin", Err: err}
	}
	// The first read starts the read transaction's snapshot.
	var n int
	if err := s.conn.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master").Scan(&n); err != nil {
		s.close()
		return nil, &Error{Op: "open", Err: fmt.Errorf("%s: %w", abs, err), Hint: "is it a SQLite database?"}
	}
	if err := s.conn.QueryRowContext(ctx, "SELECT sqlite_version()").Scan(&s.version); err != nil {
		s.close()
		return nil, &Error{Op: "open", Err: err}
	}
	return s, nil
}

func (s *sqliteSource) local() bool { return true }

func (s *sqliteSource) engine() (engine, database string, extra map[string]any) {
	return EngineSQLite, filepath.Base(s.path), map[string]any{"sqlite_version": s.version}
}

func (s *sqliteSource) list(ctx context.Context) ([]*table, error) {
	rows, err := s.conn.QueryContext(ctx, `SELECT name FROM sqlite_master
		WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'
		  AND coalesce(sql, '') NOT LIKE 'CREATE VIRTUAL TABLE%'
		ORDER BY name`)
	if err != nil {
		return nil, &Error{Op: "list tables", Err: err}
	}
	defer rows.Close()
	var out []*table
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, &Error{Op: "list tables", Err: err}
		}
		out = append(out, &table{name: name, qualified: name, estimate: -1, sq: &sqliteTable{}})
	}
	if err := rows.Err(); err != nil {
		return nil, &Error{Op: "list tables", Err: err}
	}
	return out, nil
}

func (s *sqliteSource) revision(ctx context.Context, t *table) (string, error) {
	rows, err := s.conn.QueryContext(ctx, "SELECT CAST(version_num AS TEXT) FROM "+quoteIdent(t.name))
	if err != nil {
		return "", &Error{Op: "read schema revision", Table: t.name, Err: err}
	}
	defer rows.Close()
	var heads []string
	for rows.Next() {
		var h sql.NullString
		if err := rows.Scan(&h); err != nil {
			return "", &Error{Op: "read schema revision", Table: t.name, Err: err}
		}
		if h.Valid {
			heads = append(heads, h.String)
		}
	}
	if err := rows.Err(); err != nil {
		return "", &Error{Op: "read schema revision", Table: t.name, Err: err}
	}
	sort.Strings(heads)
	return strings.Join(heads, ","), nil
}

func (s *sqliteSource) lock(context.Context, []*table) error { return nil }

func (s *sqliteSource) plan(ctx context.Context, t *table) error {
	var withoutRowid int
	if err := s.conn.QueryRowContext(ctx, `SELECT wr FROM pragma_table_list WHERE schema = 'main' AND name = ?`, t.name).Scan(&withoutRowid); err != nil {
		return &Error{Op: "read columns", Table: t.name, Err: err}
	}
	rows, err := s.conn.QueryContext(ctx, `SELECT name, type, "notnull", hidden, pk FROM pragma_table_xinfo(?)`, t.name)
	if err != nil {
		return &Error{Op: "read columns", Table: t.name, Err: err}
	}
	var fields []arrow.Field
	var exprs []string
	var pks []int // fields in the primary key
	names := map[string]bool{}
	for rows.Next() {
		var name, decl string
		var notnull bool
		var hidden, pk int
		if err := rows.Scan(&name, &decl, &notnull, &hidden, &pk); err != nil {
			rows.Close()
			return &Error{Op: "read columns", Table: t.name, Err: err}
		}
		names[strings.ToLower(name)] = true
		if hidden == 1 { // hidden columns of virtual tables
			continue
		}
		k := sqliteKindOf(decl)
		t.sq.kinds = append(t.sq.kinds, k)
		t.sq.decls = append(t.sq.decls, decl)
		// Unary + is a no-op on every value; it only hides the declared
		// type from the driver, which would otherwise turn DATE and
		// DATETIME text into time.Time by guesswork.
		exprs = append(exprs, "+"+quoteIdent(name))
		if pk > 0 {
			pks = append(pks, len(fields))
		}
		fields = append(fields, arrow.Field{Name: name, Type: k.arrowType(), Nullable: !notnull})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return &Error{Op: "read columns", Table: t.name, Err: err}
	}
	// Primary key columns that SQLite keeps from being NULL, though not
	// declared NOT NULL: every one of a WITHOUT ROWID table's, and an
	// INTEGER PRIMARY KEY (the rowid itself). Other primary key columns
	// of a rowid table may hold NULL, for compatibility.
	for _, i := range pks {
		if withoutRowid == 1 || len(pks) == 1 && strings.EqualFold(strings.TrimSpace(t.sq.decls[i]), "INTEGER") {
			fields[i].Nullable = false
		}
	}
	if len(fields) == 0 {
		return &Error{Op: "read columns", Table: t.name, Err: errors.New("the table has no columns"), Hint: "exclude it"}
	}
	if withoutRowid == 0 {
		for _, alias := range []string{"rowid", "_rowid_", "oid"} {
			if !names[alias] {
				t.sq.rowid = alias
				exprs = append([]string{alias}, exprs...)
				break
			}
		}
	}
	t.sq.query = "SELECT " + strings.Join(exprs, ", ") + " FROM " + quoteIdent(t.name)
	t.schema = arrow.NewSchema(fields, nil)
	return nil
}

// conns: SQLite has one connection, whatever was asked: a second one
// would be a second read transaction, possibly at another point in time.
func (s *sqliteSource) conns(ctx context.Context, n int) ([]reader, error) {
	return []reader{&sqliteReader{s: s}}, nil
}

func (s *sqliteSource) close() {
	if s.conn != nil {
		s.conn.ExecContext(context.Background(), "ROLLBACK")
		s.conn.Close()
	}
	s.db.Close()
}

type sqliteReader struct{ s *sqliteSource }

func (r *sqliteReader) read(t *table, chunk int, mem memory.Allocator, progress func(int64)) produceFunc {
	return func(ctx context.Context, emit func(arrow.RecordBatch) bool) error {
		rows, err := r.s.conn.QueryContext(ctx, t.sq.query)
		if err != nil {
			return &Error{Op: "read", Table: t.name, Err: err}
		}
		defer rows.Close()
		bld := array.NewRecordBuilder(mem, t.schema)
		defer bld.Release()
		builders := bld.Fields()
		apps := make([]sqliteAppender, len(builders))
		for i, b := range builders {
			apps[i] = newSQLiteAppender(t.sq.kinds[i], b)
		}
		off := 0
		if t.sq.rowid != "" {
			off = 1
		}
		vals := make([]any, len(builders)+off)
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		var row int64
		n := 0
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				return &Error{Op: "read", Table: t.name, Row: row + 1, Err: err}
			}
			row++
			for i, app := range apps {
				v := vals[i+off]
				if v == nil {
					builders[i].AppendNull()
					continue
				}
				if err := app(v); err != nil {
					e := &Error{Op: "decode", Table: t.name, Column: t.schema.Field(i).Name, Row: row,
						Err: fmt.Errorf("%w: %v (declared type %q)", ErrValue, err, t.sq.decls[i])}
					if id, ok := vals[0].(int64); ok && off == 1 {
						e.RowID = &id
					}
					return e
				}
			}
			if n++; n == chunk {
				n = 0
				if !emit(nextBatch(bld, chunk)) {
					return ctx.Err()
				}
				progress(row)
			}
		}
		if err := rows.Err(); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return &Error{Op: "read", Table: t.name, Err: err}
		}
		if n > 0 && !emit(bld.NewRecordBatch()) {
			return ctx.Err()
		}
		progress(row)
		return nil
	}
}

// estimate counts a table's rows in the read transaction (exact, and
// cheap next to reading them).
func (r *sqliteReader) estimate(ctx context.Context, t *table) int64 {
	var n int64
	if err := r.s.conn.QueryRowContext(ctx, "SELECT count(*) FROM "+quoteIdent(t.name)).Scan(&n); err != nil {
		return -1
	}
	return n
}

// sqliteKind is the Arrow form of a SQLite column, from its declared type.
type sqliteKind int

const (
	sqAny      sqliteKind = iota // no declared type (or ANY): string
	sqInteger                    // INTEGER affinity: int64
	sqReal                       // REAL affinity: float64
	sqText                       // TEXT affinity: string
	sqBlob                       // declared BLOB: binary
	sqNumeric                    // NUMERIC affinity: float64
	sqBool                       // BOOLEAN, BOOL: bool
	sqDate                       // DATE: date32
	sqDateTime                   // DATETIME, TIMESTAMP: timestamp[us]
	sqTime                       // TIME: time64[us]
)

// sqliteKindOf applies SQLite's affinity rules (§3.1 of "Datatypes In
// SQLite") to a declared type, after recognising the declared types that
// name a date, time or boolean.
func sqliteKindOf(decl string) sqliteKind {
	u := strings.ToUpper(strings.TrimSpace(decl))
	base := u
	if i := strings.IndexByte(base, '('); i >= 0 {
		base = strings.TrimSpace(base[:i])
	}
	switch base {
	case "BOOLEAN", "BOOL":
		return sqBool
	case "DATE":
		return sqDate
	case "DATETIME", "TIMESTAMP":
		return sqDateTime
	case "TIME":
		return sqTime
	case "ANY", "":
		return sqAny
	}
	switch {
	case strings.Contains(u, "INT"):
		return sqInteger
	case strings.Contains(u, "CHAR"), strings.Contains(u, "CLOB"), strings.Contains(u, "TEXT"):
		return sqText
	case strings.Contains(u, "BLOB"):
		return sqBlob
	case strings.Contains(u, "REAL"), strings.Contains(u, "FLOA"), strings.Contains(u, "DOUB"):
		return sqReal
	}
	return sqNumeric
}

func (k sqliteKind) arrowType() arrow.DataType {
	switch k {
	case sqInteger:
		return arrow.PrimitiveTypes.Int64
	case sqReal, sqNumeric:
		return arrow.PrimitiveTypes.Float64
	case sqBlob:
		return arrow.BinaryTypes.Binary
	case sqBool:
		return arrow.FixedWidthTypes.Boolean
	case sqDate:
		return arrow.FixedWidthTypes.Date32
	case sqDateTime:
		return &arrow.TimestampType{Unit: arrow.Microsecond}
	case sqTime:
		return arrow.FixedWidthTypes.Time64us
	}
	return arrow.BinaryTypes.String
}

// sqliteAppender appends one non-null driver value (int64, float64,
// string or []byte) to its builder.
type sqliteAppender func(v any) error

const maxExactFloat = 1 << 53

func newSQLiteAppender(k sqliteKind, b array.Builder) sqliteAppender {
	switch k {
	case sqInteger:
		bb := b.(*array.Int64Builder)
		return func(v any) error {
			switch v := v.(type) {
			case int64:
				bb.Append(v)
				return nil
			}
			return doesNotFit(v, "int64")
		}
	case sqReal, sqNumeric:
		bb := b.(*array.Float64Builder)
		return func(v any) error {
			switch v := v.(type) {
			case float64:
				bb.Append(v)
				return nil
			case int64:
				if v > maxExactFloat || v < -maxExactFloat {
					return fmt.Errorf("integer %d has no exact float64", v)
				}
				bb.Append(float64(v))
				return nil
			}
			return doesNotFit(v, "float64")
		}
	case sqBlob:
		bb := b.(*array.BinaryBuilder)
		return func(v any) error {
			switch v := v.(type) {
			case []byte:
				bb.Append(v)
				return nil
			case string:
				bb.AppendString(v)
				return nil
			}
			return doesNotFit(v, "binary")
		}
	case sqBool:
		bb := b.(*array.BooleanBuilder)
		return func(v any) error {
			switch v := v.(type) {
			case int64:
				if v == 0 || v == 1 {
					bb.Append(v == 1)
					return nil
				}
			case float64:
				if v == 0 || v == 1 {
					bb.Append(v == 1)
					return nil
				}
			case string:
				switch strings.ToLower(v) {
				case "true", "t":
					bb.Append(true)
					return nil
				case "false", "f":
					bb.Append(false)
					return nil
				}
			}
			return doesNotFit(v, "bool (0, 1, 'true' or 'false')")
		}
	case sqDate:
		bb := b.(*array.Date32Builder)
		return func(v any) error {
			if s, ok := v.(string); ok {
				if d, err := parseSQLiteDate(s); err == nil {
					bb.Append(d)
					return nil
				}
			}
			return doesNotFit(v, "date32 ('YYYY-MM-DD')")
		}
	case sqDateTime:
		bb := b.(*array.TimestampBuilder)
		return func(v any) error {
			switch v := v.(type) {
			case int64: // Unix time, seconds
				if v > math.MaxInt64/1_000_000 || v < math.MinInt64/1_000_000 {
					return doesNotFit(v, "timestamp[us] (Unix seconds)")
				}
				bb.Append(arrow.Timestamp(v * 1_000_000))
				return nil
			case string:
				if us, err := parseSQLiteDateTime(v); err == nil {
					bb.Append(arrow.Timestamp(us))
					return nil
				}
			}
			return doesNotFit(v, "timestamp[us] ('YYYY-MM-DD HH:MM:SS[.SSS][±HH:MM]' or Unix seconds)")
		}
	case sqTime:
		bb := b.(*array.Time64Builder)
		return func(v any) error {
			if s, ok := v.(string); ok {
				if us, err := parseSQLiteTime(s); err == nil {
					bb.Append(arrow.Time64(us))
					return nil
				}
			}
			return doesNotFit(v, "time64[us] ('HH:MM[:SS[.SSS]]')")
		}
	case sqText:
		sb := b.(*array.StringBuilder)
		return func(v any) error {
			switch v := v.(type) {
			case string:
				sb.Append(v)
				return nil
			case []byte:
				if utf8.Valid(v) {
					sb.BinaryBuilder.Append(v)
					return nil
				}
				return doesNotFit(v, "string (the BLOB is not valid UTF-8)")
			}
			return doesNotFit(v, "string")
		}
	}
	sb := b.(*array.StringBuilder) // sqAny: any value as text
	var buf []byte
	return func(v any) error {
		switch v := v.(type) {
		case string:
			sb.Append(v)
		case int64:
			buf = strconv.AppendInt(buf[:0], v, 10)
			sb.BinaryBuilder.Append(buf)
		case float64:
			buf = strconv.AppendFloat(buf[:0], v, 'g', -1, 64)
			sb.BinaryBuilder.Append(buf)
		case []byte:
			if !utf8.Valid(v) {
				return doesNotFit(v, "string (the BLOB is not valid UTF-8)")
			}
			sb.BinaryBuilder.Append(v)
		default:
			return doesNotFit(v, "string")
		}
		return nil
	}
}

// doesNotFit describes a value that its column's type cannot hold.
func doesNotFit(v any, want string) error {
	var what string
	switch v := v.(type) {
	case int64:
		what = "integer " + strconv.FormatInt(v, 10)
	case float64:
		what = "real " + strconv.FormatFloat(v, 'g', -1, 64)
	case string:
		what = "text " + strconv.Quote(clip(v))
	case []byte:
		what = fmt.Sprintf("blob of %d bytes", len(v))
	case time.Time:
		what = "time " + v.String()
	default:
		what = fmt.Sprintf("%T value", v)
	}
	return fmt.Errorf("%s does not fit %s", what, want)
}

func clip(s string) string {
	if len(s) <= 60 {
		return s
	}
	cut := 60
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// parseSQLiteDate parses "YYYY-MM-DD" (years 0000–9999) into days since
// 1970-01-01.
func parseSQLiteDate(s string) (arrow.Date32, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, errors.New("not YYYY-MM-DD")
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return 0, err
	}
	return arrow.Date32FromTime(t), nil
}

// sqliteDateTimeLayouts are SQLite's time-value formats 1–10 (lang_datefunc),
// with 'T' or a space between date and time.
var sqliteDateTimeLayouts = []string{
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02",
}

// parseSQLiteDateTime parses a SQLite date-time text into microseconds
// since the Unix epoch. A trailing "Z" or "±HH:MM" converts to UTC; a
// value without one is taken as UTC.
func parseSQLiteDateTime(s string) (int64, error) {
	t := strings.TrimSpace(s)
	if len(t) > 10 && t[10] == 'T' {
		t = t[:10] + " " + t[11:]
	}
	offset := 0
	switch {
	case strings.HasSuffix(t, "Z"):
		t = t[:len(t)-1]
	case len(t) > 16 && (t[len(t)-6] == '+' || t[len(t)-6] == '-') && t[len(t)-3] == ':':
		z := t[len(t)-6:]
		h, err1 := strconv.Atoi(z[1:3])
		m, err2 := strconv.Atoi(z[4:6])
		if err1 != nil || err2 != nil || h > 23 || m > 59 {
			return 0, fmt.Errorf("bad zone %q", z)
		}
		offset = (h*60 + m) * 60
		if z[0] == '-' {
			offset = -offset
		}
		t = t[:len(t)-6]
	}
	for _, layout := range sqliteDateTimeLayouts {
		if v, err := time.Parse(layout, t); err == nil {
			v = v.Add(-time.Duration(offset) * time.Second)
			return v.UnixMicro(), nil
		}
	}
	return 0, fmt.Errorf("not a SQLite date-time: %q", s)
}

// parseSQLiteTime parses "HH:MM", "HH:MM:SS" or "HH:MM:SS.fff…" into
// microseconds since midnight.
func parseSQLiteTime(s string) (int64, error) {
	for _, layout := range []string{"15:04:05.999999999", "15:04:05", "15:04"} {
		if v, err := time.Parse(layout, s); err == nil {
			return int64(v.Hour())*3600e6 + int64(v.Minute())*60e6 + int64(v.Second())*1e6 + int64(v.Nanosecond()/1000), nil
		}
	}
	return 0, fmt.Errorf("not a time of day: %q", s)
}
