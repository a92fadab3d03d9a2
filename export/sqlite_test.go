package export_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/snapdb/snapdb/export"
)

func TestSQLiteTypesByAffinity(t *testing.T) {
	src := newSQLite(t, `CREATE TABLE t (
		i INTEGER, bi BIGINT, tiny TINYINT NOT NULL, r REAL, d DOUBLE PRECISION, f FLOAT,
		txt TEXT, vc VARCHAR(20), cl CLOB, b BLOB, n NUMERIC, dec DECIMAL(10,5),
		untyped, anything ANY_OLD_TYPE,
		flag BOOLEAN, day DATE, at DATETIME, ts TIMESTAMP, tod TIME)`,
		`INSERT INTO t VALUES (1, 9223372036854775807, 0, 1.5, -2.25, 1e300,
			'héllo 🧬', 'abc', 'clob', x'00ff10', 12, 3.14159,
			42, 7, 1, '2024-02-29', '2024-02-29 13:14:15.123456', '1970-01-01T00:00:01Z', '23:59:59.5')`,
		`INSERT INTO t VALUES (-9223372036854775808, 0, 127, 0, 0, -0.5,
			'', '', '', x'', -1.5, 0,
			2.5, '2.5', 0, '1900-01-01', '2000-01-01 00:00', 86400, '00:00')`,
		`INSERT INTO t VALUES (NULL, NULL, 1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
			'text', NULL, 'false', NULL, '2024-01-01 10:00:00+02:00', NULL, NULL)`,
		`INSERT INTO t (tiny, b, untyped) VALUES (2, 'text in a blob', x'e697a5')`,
	)
	dir := filepath.Join(t.TempDir(), "snap")
	rep, err := export.ExportReport(context.Background(), "sqlite://"+src, dir, nil)
	if err != nil {
		t.Fatalf("ExportReport = %v", err)
	}
	schema, rows := readTable(t, dir, "t")
	gotTypes := typeStrings(schema)
	wantTypes := []string{
		"i int64", "bi int64", "tiny int64 not null", "r float64", "d float64", "f float64",
		"txt utf8", "vc utf8", "cl utf8", "b binary", "n float64", "dec float64",
		"untyped utf8", "anything float64",
		"flag bool", "day date32", "at timestamp[us]", "ts timestamp[us]", "tod time64[us]",
	}
	if diff := cmp.Diff(wantTypes, gotTypes); diff != "" {
		t.Errorf("types (-want +got):\n%s", diff)
	}
	const us = 1_000_000
	want := [][]any{
		{int64(1), int64(9223372036854775807), int64(0), 1.5, -2.25, 1e300,
			"héllo 🧬", "abc", "clob", []byte{0, 0xff, 0x10}, 12.0, 3.14159,
			"42", 7.0, true, "2024-02-29", int64(1709212455123456), int64(1 * us), int64(86399*us + us/2)},
		{int64(-9223372036854775808), int64(0), int64(127), 0.0, 0.0, -0.5,
			"", "", "", []byte{}, -1.5, 0.0,
			"2.5", 2.5, false, "1900-01-01", int64(946684800 * us), int64(86400 * us), int64(0)},
		{nil, nil, int64(1), nil, nil, nil, nil, nil, nil, nil, nil, nil,
			"text", nil, false, nil, int64(1704096000 * us), nil, nil},
		{nil, nil, int64(2), nil, nil, nil, nil, nil, nil, []byte("text in a blob"), nil, nil,
			"日", nil, nil, nil, nil, nil, nil},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("values (-want +got):\n%s", diff)
	}
	if got, want := rep.Tables[0].Rows, int64(4); got != want {
		t.Errorf("report rows = %d, want %d", got, want)
	}
}

func TestSQLiteValueDoesNotFit(t *testing.T) {
	cases := []struct {
		name, decl, value, wantMsg string
	}{
		{"text in INTEGER", "INTEGER", "'abc'", `text "abc" does not fit int64`},
		{"real in INTEGER", "INTEGER", "2.5", `real 2.5 does not fit int64`},
		{"blob in REAL", "REAL", "x'00'", `blob of 1 bytes does not fit float64`},
		{"text in NUMERIC", "ANY_OLD_TYPE", "'x'", `text "x" does not fit float64`},
		{"bad date", "DATE", "'29/02/2024'", `text "29/02/2024" does not fit date32`},
		{"bad bool", "BOOLEAN", "2", `integer 2 does not fit bool`},
		{"bad utf-8", "TEXT", "x'ff'", `not valid UTF-8`},
		{"big integer in NUMERIC", "DECIMAL(20,0)", "9007199254740993", `no exact float64`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := newSQLite(t, "CREATE TABLE \"Gene Map\" (id INTEGER PRIMARY KEY, v "+c.decl+")",
				"INSERT INTO \"Gene Map\" (id, v) VALUES (5, NULL), (7, NULL), (9, "+c.value+")")
			parent := t.TempDir()
			dir := filepath.Join(parent, "snap")
			_, err := export.Export(context.Background(), src, dir, nil)
			if !errors.Is(err, export.ErrValue) {
				t.Fatalf("Export = %v, want ErrValue", err)
			}
			msg := err.Error()
			for _, want := range []string{`table "Gene Map"`, "column v", "row 3", "rowid 9", c.wantMsg} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q lacks %q", msg, want)
				}
			}
			if got := leftovers(t, parent); len(got) != 0 {
				t.Errorf("after the failed export, %s holds %v, want nothing", parent, got)
			}
		})
	}
}

func TestSQLiteReadsOneSnapshotWhileAnotherConnectionWrites(t *testing.T) {
	src := newSQLite(t, "PRAGMA journal_mode=WAL",
		"CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT)",
		"CREATE TABLE b (id INTEGER PRIMARY KEY, v TEXT)",
		"WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM s WHERE i < 5000) INSERT INTO a SELECT i, 'a' || i FROM s",
		"WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM s WHERE i < 5000) INSERT INTO b SELECT i, 'b' || i FROM s",
	)
	writer, err := sql.Open("sqlite", src+"?_pragma=busy_timeout(100)")
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	var wrote atomic.Bool
	var writeErr error
	opts := &export.Options{ChunkSize: 1000, Progress: func(p export.Progress) {
		if p.Rows > 0 && wrote.CompareAndSwap(false, true) {
			// While the export is inside its read transaction: a writer
			// is not blocked, and its changes are not seen.
			_, writeErr = writer.Exec(`BEGIN; INSERT INTO a (v) VALUES ('new'); DELETE FROM b WHERE id <= 100;
				UPDATE a SET v = 'changed' WHERE id = 4000; UPDATE b SET v = 'changed' WHERE id = 4000; COMMIT`)
		}
	}}
	dir := filepath.Join(t.TempDir(), "snap")
	if _, err := export.Export(context.Background(), src, dir, opts); err != nil {
		t.Fatalf("Export = %v", err)
	}
	if !wrote.Load() || writeErr != nil {
		t.Fatalf("the concurrent write did not happen: wrote %v, err %v", wrote.Load(), writeErr)
	}
	for _, name := range []string{"a", "b"} {
		_, rows := readTable(t, dir, name)
		var want [][]any
		for i := 1; i <= 5000; i++ {
			want = append(want, []any{int64(i), fmt.Sprintf("%s%d", name, i)})
		}
		if got, want := len(rows), len(want); got != want {
			t.Errorf("table %s: %d rows, want %d", name, got, want)
		}
		if got, want := rowSum(rows), rowSum(want); got != want {
			t.Errorf("table %s: checksum %x, want %x (the snapshot saw the concurrent write)", name, got, want)
		}
	}
	var n int
	writer.QueryRow("SELECT count(*) FROM a").Scan(&n)
	if got, want := n, 5001; got != want {
		t.Errorf("after the export, a has %d rows, want %d (the write was lost?)", got, want)
	}
}

func TestSQLiteSelection(t *testing.T) {
	src := newSQLite(t,
		"CREATE TABLE genes (id INTEGER)", "CREATE TABLE \"select\" (x TEXT)", "CREATE TABLE empty (x TEXT)",
		"CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)",
		"INSERT INTO alembic_version VALUES ('ae1027a6acf')",
		"INSERT INTO genes VALUES (1), (2)", "INSERT INTO \"select\" VALUES ('quoted')",
	)
	ctx := context.Background()
	t.Run("default", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "snap")
		rep, err := export.ExportReport(ctx, src, dir, &export.Options{SchemaVersion: "1.2.0"})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, tr := range rep.Tables {
			got = append(got, fmt.Sprintf("%s:%d", tr.Name, tr.Rows))
		}
		if diff := cmp.Diff([]string{"empty:0", "genes:2", "select:1"}, got); diff != "" {
			t.Errorf("tables (-want +got):\n%s", diff)
		}
		m, _ := readManifest(t, dir)
		if got, want := m.SchemaRevision, "ae1027a6acf"; got != want {
			t.Errorf("schema_revision = %q, want %q", got, want)
		}
		if got, want := m.SchemaVersion, "1.2.0"; got != want {
			t.Errorf("schema_version = %q, want %q", got, want)
		}
		if got, want := m.Source.Engine+" "+m.Source.Database, "sqlite src.db"; got != want {
			t.Errorf("source = %q, want %q", got, want)
		}
		_, rows := readTable(t, dir, "select")
		if diff := cmp.Diff([][]any{{"quoted"}}, rows); diff != "" {
			t.Errorf("select (-want +got):\n%s", diff)
		}
		_, rows = readTable(t, dir, "empty")
		if len(rows) != 0 {
			t.Errorf("empty has %d rows", len(rows))
		}
	})
	t.Run("tables and exclude", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "snap")
		rep, err := export.ExportReport(ctx, src, dir, &export.Options{
			Tables: []string{"genes", "alembic_version", "select"}, Exclude: []string{"select"}, SchemaRevision: "mine"})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(rep.Tables), 2; got != want {
			t.Errorf("%d tables, want %d", got, want)
		}
		if got, want := rep.SchemaRevision, "mine"; got != want {
			t.Errorf("schema revision %q, want %q (the option wins)", got, want)
		}
	})
	t.Run("unknown table", func(t *testing.T) {
		_, err := export.Export(ctx, src, filepath.Join(t.TempDir(), "snap"), &export.Options{Tables: []string{"genes", "nope"}})
		if !errors.Is(err, export.ErrUnknownTable) {
			t.Fatalf("Export = %v, want ErrUnknownTable", err)
		}
		if want := "tables: alembic_version, empty, genes, select"; !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not list the tables (%q)", err, want)
		}
		if !strings.Contains(err.Error(), "nope") {
			t.Errorf("error %q does not name the unknown table", err)
		}
	})
	t.Run("unknown exclude", func(t *testing.T) {
		_, err := export.Export(ctx, src, filepath.Join(t.TempDir(), "snap"), &export.Options{Exclude: []string{"gens"}})
		if !errors.Is(err, export.ErrUnknownTable) {
			t.Fatalf("Export = %v, want ErrUnknownTable", err)
		}
	})
	t.Run("empty selection", func(t *testing.T) {
		_, err := export.Export(ctx, src, filepath.Join(t.TempDir(), "snap"),
			&export.Options{Exclude: []string{"genes", "select", "empty"}})
		if !errors.Is(err, export.ErrNoTables) {
			t.Fatalf("Export = %v, want ErrNoTables", err)
		}
	})
	t.Run("empty database", func(t *testing.T) {
		empty := newSQLite(t, "PRAGMA user_version = 1")
		_, err := export.Export(ctx, empty, filepath.Join(t.TempDir(), "snap"), nil)
		if !errors.Is(err, export.ErrNoTables) {
			t.Fatalf("Export = %v, want ErrNoTables", err)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		missing := filepath.Join(t.TempDir(), "missing.db")
		_, err := export.Export(ctx, missing, filepath.Join(t.TempDir(), "snap"), nil)
		if !errors.Is(err, export.ErrSource) {
			t.Fatalf("Export = %v, want ErrSource", err)
		}
		if _, serr := os.Stat(missing); !os.IsNotExist(serr) {
			t.Errorf("the export created %s", missing)
		}
	})
	t.Run("existing target", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "snap")
		if _, err := export.Export(ctx, src, dir, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := export.Export(ctx, src, dir, nil); err == nil {
			t.Fatal("a second Export to the same path succeeded without Overwrite")
		}
		if _, err := export.Export(ctx, src, dir, &export.Options{Overwrite: true, Compression: "snappy"}); err != nil {
			t.Fatalf("Export with Overwrite = %v", err)
		}
	})
}

func TestSQLiteWideTable(t *testing.T) {
	var cols, vals []string
	for i := 0; i < 200; i++ {
		cols = append(cols, fmt.Sprintf("c%03d INTEGER", i))
		vals = append(vals, fmt.Sprint(i))
	}
	src := newSQLite(t, "CREATE TABLE wide ("+strings.Join(cols, ", ")+")",
		"INSERT INTO wide VALUES ("+strings.Join(vals, ", ")+")")
	dir := filepath.Join(t.TempDir(), "snap")
	if _, err := export.Export(context.Background(), src, dir, nil); err != nil {
		t.Fatal(err)
	}
	schema, rows := readTable(t, dir, "wide")
	if got, want := schema.NumFields(), 200; got != want {
		t.Fatalf("%d columns, want %d", got, want)
	}
	if got, want := rows[0][199], int64(199); got != want {
		t.Errorf("c199 = %v, want %v", got, want)
	}
}

func TestSQLiteCancel(t *testing.T) {
	src := newSQLite(t, "CREATE TABLE big (id INTEGER PRIMARY KEY, v TEXT)",
		"WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM s WHERE i < 50000) INSERT INTO big SELECT i, 'value ' || i FROM s")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	parent := t.TempDir()
	dir := filepath.Join(parent, "snap")
	opts := &export.Options{ChunkSize: 1000, Progress: func(p export.Progress) {
		if p.Rows >= 5000 {
			cancel()
		}
	}}
	_, err := export.Export(ctx, src, dir, opts)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Export = %v, want context.Canceled", err)
	}
	if got := leftovers(t, parent); len(got) != 0 {
		t.Errorf("after the cancelled export, %s holds %v, want nothing", parent, got)
	}
}

// TestSQLitePrimaryKeyNullability: a primary key SQLite keeps from NULL
// (INTEGER PRIMARY KEY, any key of a WITHOUT ROWID table) is exported NOT
// NULL; one it does not (any other key of a rowid table) stays nullable.
func TestSQLitePrimaryKeyNullability(t *testing.T) {
	src := newSQLite(t,
		`CREATE TABLE rowid_alias (id INTEGER PRIMARY KEY, x TEXT)`,
		`CREATE TABLE int_key (id INT PRIMARY KEY, x TEXT)`,
		`CREATE TABLE text_key (k TEXT PRIMARY KEY, x TEXT)`,
		`CREATE TABLE pair (a TEXT, b INTEGER, x TEXT, PRIMARY KEY (a, b)) WITHOUT ROWID`,
		`INSERT INTO rowid_alias VALUES (1, 'a')`,
		`INSERT INTO int_key VALUES (NULL, 'a')`,
		`INSERT INTO text_key VALUES (NULL, 'a')`,
		`INSERT INTO pair VALUES ('p', 1, 'a')`,
	)
	dir := filepath.Join(t.TempDir(), "snap")
	if _, err := export.Export(context.Background(), "sqlite://"+src, dir, nil); err != nil {
		t.Fatal(err)
	}
	for table, want := range map[string][]string{
		"rowid_alias": {"id int64 not null", "x utf8"},
		"int_key":     {"id int64", "x utf8"},
		"text_key":    {"k utf8", "x utf8"},
		"pair":        {"a utf8 not null", "b int64 not null", "x utf8"},
	} {
		schema, _ := readTable(t, dir, table)
		if diff := cmp.Diff(want, typeStrings(schema)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", table, diff)
		}
	}
}
