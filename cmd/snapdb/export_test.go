package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/snapdb/snapdb/export"
	"github.com/snapdb/snapdb/internal/pgtest"
)

// exportSource makes a small SQLite database to export.
func exportSource(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "igem.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range []string{
		`CREATE TABLE genes (id INTEGER PRIMARY KEY, symbol TEXT NOT NULL, score REAL)`,
		`INSERT INTO genes VALUES (1, 'BRCA1', 0.5), (2, 'TNF', NULL), (3, 'TP53', 2.25)`,
		`CREATE TABLE "Gene Map" (gene_id INTEGER, note TEXT)`,
		`INSERT INTO "Gene Map" VALUES (1, 'ü')`,
		`CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)`,
		`INSERT INTO alembic_version VALUES ('9c1f2ab34de0')`,
	} {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	return path
}

func TestExportJSON(t *testing.T) {
	src := exportSource(t)
	dir := filepath.Join(t.TempDir(), "snap")
	code, stdout, stderr := cli(t, "export", "--from", "sqlite://"+src, "--output", dir, "--json",
		"--snapshot-version", "2026-11-01", "--schema-version", "1.0.0", "--compression", "snappy", "--chunksize", "2")
	if code != exitOK {
		t.Fatalf("export = exit %d, want 0\n%s%s", code, stdout, stderr)
	}
	if stderr != "" {
		t.Errorf("export --json wrote to stderr: %q", stderr)
	}
	var doc map[string]any
	decodeJSON(t, "export --json", stdout, &doc)
	wantKeys(t, "export --json", doc, "meta", "engine", "database", "schemaRevision", "workers", "tables")
	meta := doc["meta"].(map[string]any)
	wantKeys(t, "meta", meta, "formatVersion", "snapshotVersion", "tables", "rows", "bytes", "rootHash", "path", "durationSeconds")
	if got, want := meta["rows"], float64(4); got != want {
		t.Errorf("meta.rows = %v, want %v", got, want)
	}
	if got, want := doc["schemaRevision"], "9c1f2ab34de0"; got != want {
		t.Errorf("schemaRevision = %v, want %v", got, want)
	}
	tables := doc["tables"].([]any)
	if got, want := len(tables), 2; got != want {
		t.Fatalf("%d tables, want %d: %v", got, want, tables)
	}
	first := tables[0].(map[string]any)
	wantKeys(t, "tables[0]", first, "name", "source", "rows", "bytes", "columns", "seconds", "rowsPerSecond")
	if got, want := first["name"], "Gene Map"; got != want {
		t.Errorf("tables[0].name = %v, want %v", got, want)
	}
	db := openDB(t, dir)
	info := db.Info()
	if got, want := info.SnapshotVersion+" "+info.SchemaVersion+" "+info.Compression, "2026-11-01 1.0.0 snappy"; got != want {
		t.Errorf("info = %q, want %q", got, want)
	}
	if got, want := info.Source.Engine+" "+info.Source.Database, "sqlite igem.db"; got != want {
		t.Errorf("source = %q, want %q", got, want)
	}
}

func TestExportText(t *testing.T) {
	src := exportSource(t)
	dir := filepath.Join(t.TempDir(), "snap")
	code, stdout, stderr := cli(t, "export", "--from", src, "--output", dir, "--tables", "genes")
	if code != exitOK {
		t.Fatalf("export = exit %d\n%s%s", code, stdout, stderr)
	}
	db := openDB(t, dir)
	for _, want := range []string{"exported sqlite, database igem.db", "genes", "ROWS/S", "root hash:", db.RootHash(), "schema revision:  9c1f2ab34de0"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "Gene Map") {
		t.Errorf("--tables genes exported Gene Map too:\n%s", stdout)
	}
	// Again: refused without --overwrite, done with it.
	if code, _, stderr := cli(t, "export", "--from", src, "--output", dir); code != exitIO || !strings.Contains(stderr, "--overwrite") {
		t.Errorf("second export = exit %d (%q), want %d and a hint at --overwrite", code, stderr, exitIO)
	}
	if code, _, stderr := cli(t, "export", "--from", src, "--output", dir, "--overwrite", "-q"); code != exitOK {
		t.Errorf("export --overwrite = exit %d: %s", code, stderr)
	}
}

func TestExportErrors(t *testing.T) {
	src := exportSource(t)
	out := filepath.Join(t.TempDir(), "snap")
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no --from", []string{"export", "--output", out}, exitUsage, "--from is required"},
		{"no --output", []string{"export", "--from", src}, exitUsage, "--output is required"},
		{"bad source", []string{"export", "--from", "mysql://u:pw@h/db", "--output", out}, exitUsage, "unsupported source"},
		{"bad compression", []string{"export", "--from", src, "--output", out, "--compression", "lz4"}, exitUsage, "zstd, snappy or none"},
		{"bad workers", []string{"export", "--from", src, "--output", out, "--workers", "0"}, exitUsage, "--workers"},
		{"bad chunksize", []string{"export", "--from", src, "--output", out, "--chunksize", "0"}, exitUsage, "--chunksize"},
		{"unknown table", []string{"export", "--from", src, "--output", out, "--tables", "genes,gens"}, exitUsage,
			"no such table: gens (tables: Gene Map, alembic_version, genes)"},
		{"empty selection", []string{"export", "--from", src, "--output", out, "--exclude", "genes,Gene Map"}, exitUsage, "no tables selected"},
		{"missing file", []string{"export", "--from", filepath.Join(t.TempDir(), "none.db"), "--output", out}, exitUsage, "no such file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := cli(t, c.args...)
			if code != c.code {
				t.Errorf("exit %d, want %d\n%s%s", code, c.code, stdout, stderr)
			}
			if !strings.Contains(stderr, c.want) {
				t.Errorf("stderr %q lacks %q", stderr, c.want)
			}
			if strings.Contains(stderr, ":pw@") {
				t.Errorf("stderr shows the password: %q", stderr)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("a failed export left %s", out)
			}
		})
	}
	t.Run("json error", func(t *testing.T) {
		code, stdout, _ := cli(t, "export", "--from", src, "--output", out, "--tables", "nope", "--json")
		if code != exitUsage {
			t.Errorf("exit %d, want %d", code, exitUsage)
		}
		var doc map[string]map[string]any
		decodeJSON(t, "export --json (error)", stdout, &doc)
		if got, want := doc["error"]["kind"], kindUsage; got != want {
			t.Errorf("error kind = %v, want %v", got, want)
		}
	})
}

func TestExportPostgres(t *testing.T) {
	c := pgtest.New(t)
	ctx := context.Background()
	dsn := c.NewDB(t)
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		`CREATE ROLE exporter LOGIN PASSWORD 's3cret-pw'`,
		`CREATE TABLE genes (id bigint PRIMARY KEY, symbol text NOT NULL, score double precision)`,
		`INSERT INTO genes SELECT i, 'G' || i, i / 10.0 FROM generate_series(1, 1000) i`,
		`CREATE TABLE chems (id int, name text)`,
		`INSERT INTO chems VALUES (1, 'benzene')`,
		`GRANT SELECT ON genes, chems TO exporter`,
	} {
		if _, err := conn.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	var dbName string
	conn.QueryRow(ctx, "SELECT current_database()").Scan(&dbName)
	conn.Close(ctx)
	from := fmt.Sprintf("postgresql://exporter:s3cret-pw@127.0.0.1:%d/%s?sslmode=disable", c.Port, dbName)
	dir := filepath.Join(t.TempDir(), "snap")
	code, stdout, stderr := cli(t, "export", "--from", from, "--output", dir, "--workers", "2", "--json")
	if code != exitOK {
		t.Fatalf("export = exit %d\n%s%s", code, stdout, stderr)
	}
	for _, secret := range []string{"s3cret-pw", "exporter", "127.0.0.1"} {
		if strings.Contains(stdout+stderr, secret) {
			t.Errorf("output shows %q:\n%s%s", secret, stdout, stderr)
		}
	}
	var doc struct {
		Engine, Database string
		Workers          int
		Tables           []struct {
			Name string
			Rows int64
		}
	}
	decodeJSON(t, "export --json", stdout, &doc)
	if got, want := fmt.Sprintf("%s %s %d %v", doc.Engine, doc.Database, doc.Workers, doc.Tables),
		fmt.Sprintf("postgresql %s 2 [{chems 1} {genes 1000}]", dbName); got != want {
		t.Errorf("report = %s, want %s", got, want)
	}
	if code, _, stderr := cli(t, "verify", dir); code != exitOK {
		t.Errorf("verify = exit %d: %s", code, stderr)
	}
}

func TestExportProgressLine(t *testing.T) {
	var buf bytes.Buffer
	p := &exportProgress{w: &buf, width: 80, active: map[string]export.Progress{}}
	p.update(export.Progress{Table: "genes", Rows: 2_000_000, Estimate: 10_000_000, Elapsed: 2 * time.Second})
	p.update(export.Progress{Table: "chems", Rows: 500, Estimate: -1, Elapsed: time.Second})
	p.draw()
	p.update(export.Progress{Table: "chems", Rows: 1234, Estimate: -1, Elapsed: 2 * time.Second, Done: true})
	p.finish()
	out := buf.String()
	for _, want := range []string{"genes 2.0M/10.0M rows 1.0M/s ETA 8s", "chems 500 rows 500/s", "exported chems", "1,234 rows in 2.00s (617 rows/s)"} {
		if !strings.Contains(out, want) {
			t.Errorf("progress output lacks %q:\n%q", want, out)
		}
	}
	if strings.Contains(out, "chems 500 rows 500/s ETA") {
		t.Errorf("progress shows an ETA without an estimate:\n%q", out)
	}
	var nilProgress *exportProgress
	nilProgress.finish() // does nothing
}
