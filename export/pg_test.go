package export_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/snapdb/snapdb/export"
	"github.com/snapdb/snapdb/internal/pgtest"
	"github.com/snapdb/snapdb/snapshot"
)

// pgExec runs SQL statements on the database at dsn.
func pgExec(t testing.TB, dsn string, stmts ...string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", firstLine(s), err)
		}
	}
}

func TestPostgresTypesRoundTrip(t *testing.T) {
	c := pgtest.Need(t)
	dsn := c.NewDB(t)
	pgExec(t, dsn,
		`CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy 😀')`,
		// pgvector is not packaged for this Debian release: a domain
		// named vector over real[] stands in for it (pgvector's own binary
		// form is covered by the decoder tests).
		`CREATE DOMAIN vector AS real[]`,
		`CREATE DOMAIN posint AS integer CHECK (VALUE > 0)`,
		`CREATE TABLE types (
			id int PRIMARY KEY,
			i2 smallint, i4 integer, i8 bigint,
			n numeric(10,2), nbig numeric(38,0), n50 numeric(50,10), nfree numeric,
			r real, d double precision, b boolean,
			t text, vc varchar(10), c char(3), by bytea,
			dt date, tm time, ts timestamp, tz timestamptz, iv interval,
			u uuid, j json, jb jsonb, e mood,
			ai int[], at text[], an numeric(5,1)[], emb vector, dom posint,
			pt point, ip inet)`,
		`INSERT INTO types VALUES (1,
			1, -2, 3000000000,
			12.34, -123, '1234567890123456789012345678901234567890.0123456789', 3.14159265358979323846,
			1.5, -2.5, true,
			'hello', 'world', 'ab', '\x00ff',
			'2024-02-29', '13:14:15.123456', '2024-02-29 13:14:15.123456', '2024-02-29 13:14:15.123456+02',
			'1 year 2 mons 3 days 04:05:06.789',
			'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a":  1}', '{"b": [1, 2]}', 'happy 😀',
			'{1,NULL,3}', '{a,"b c"}', '{1.5,-2.0}', '{0.5,-1,3.25}', 7,
			'(1,2)', '192.168.0.1/24')`,
		`INSERT INTO types VALUES (2,
			-32768, 2147483647, -9223372036854775808,
			-99999999.99, 99999999999999999999999999999999999999, '-0.0000000001', 'NaN',
			'-Infinity', 1.7976931348623157e308, false,
			'', '', '', '\x',
			'infinity', '24:00:00', '-infinity', 'infinity', '-178000000 hours',
			'ffffffff-ffff-ffff-ffff-ffffffffffff', '[]', '[]', 'sad',
			'{}', '{NULL,""}', '{NULL}', '{}', 2147483647,
			'(0,0)', '::1')`,
		`INSERT INTO types VALUES (3,
			32767, -2147483648, 9223372036854775807,
			0, 0, 0, '-0.000',
			0, 5e-324, NULL,
			E'TNF-α Sjögren 🧬 日本語 "q" \n', 'ü', 'ü', '\x41',
			'4713-01-01 BC', '00:00', '294276-12-31 23:59:59.999999', '1970-01-01 00:00:00+00', '-1 mons +2 days -00:00:00.000001',
			'00000000-0000-0000-0000-000000000000', '"ü"', '{"k": "ü"}', 'ok',
			'{-2147483648}', '{"日本"}', '{-9999.9}', '{1e-45}', 1,
			NULL, NULL)`,
		`INSERT INTO types (id) VALUES (4)`,
	)
	dir := filepath.Join(t.TempDir(), "snap")
	rep, err := export.ExportReport(context.Background(), dsn, dir, nil)
	if err != nil {
		t.Fatalf("ExportReport = %v", err)
	}
	schema, rows := readTable(t, dir, "types")

	wantTypes := []string{
		"id int32 not null", "i2 int16", "i4 int32", "i8 int64",
		"n decimal(10, 2)", "nbig decimal(38, 0)", "n50 utf8", "nfree utf8",
		"r float32", "d float64", "b bool",
		"t utf8", "vc utf8", "c utf8", "by binary",
		"dt date32", "tm time64[us]", "ts timestamp[us]", "tz timestamp[us, tz=UTC]",
		"iv struct<months: int32, days: int32, microseconds: int64>",
		"u utf8", "j utf8", "jb utf8", "e utf8",
		"ai list<element: int32, nullable>", "at list<element: utf8, nullable>",
		"an list<element: decimal(5, 1), nullable>", "emb list<element: float32, nullable>", "dom int32",
		"pt utf8", "ip utf8",
	}
	if diff := cmp.Diff(wantTypes, typeStrings(schema)); diff != "" {
		t.Errorf("types (-want +got):\n%s", diff)
	}

	day := func(y int, m time.Month, d int) string {
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Format("2006-01-02")
	}
	dateOf := func(v int32) string { return arrow.Date32(v).ToTime().Format("2006-01-02") }
	const us = int64(1_000_000)
	want := [][]any{
		{int32(1), int16(1), int32(-2), int64(3000000000),
			"12.34", "-123", "1234567890123456789012345678901234567890.0123456789", "3.14159265358979323846",
			float32(1.5), -2.5, true,
			"hello", "world", "ab ", []byte{0, 0xff},
			day(2024, 2, 29), 47655*us + 123456, 1709212455*us + 123456, 1709205255*us + 123456,
			interval{Months: 14, Days: 3, Micros: 14706789000},
			"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", `{"a":  1}`, `{"b": [1, 2]}`, "happy 😀",
			[]any{int32(1), nil, int32(3)}, []any{"a", "b c"}, []any{"1.5", "-2.0"}, []any{float32(0.5), float32(-1), float32(3.25)}, int32(7),
			"(1,2)", "192.168.0.1/24"},
		{int32(2), int16(-32768), int32(2147483647), int64(math.MinInt64),
			"-99999999.99", "99999999999999999999999999999999999999", "-0.0000000001", "NaN",
			float32(math.Inf(-1)), 1.7976931348623157e308, false,
			"", "", "   ", []byte{},
			dateOf(math.MaxInt32), 86400 * us, int64(math.MinInt64), int64(math.MaxInt64),
			interval{Micros: -178000000 * 3600 * us},
			"ffffffff-ffff-ffff-ffff-ffffffffffff", "[]", "[]", "sad",
			[]any{}, []any{nil, ""}, []any{nil}, []any{}, int32(2147483647),
			"(0,0)", "::1"},
		{int32(3), int16(32767), int32(-2147483648), int64(math.MaxInt64),
			"0.00", "0", "0.0000000000", "0.000",
			float32(0), 5e-324, nil,
			"TNF-α Sjögren 🧬 日本語 \"q\" \n", "ü", "ü  ", []byte("A"),
			day(-4712, 1, 1), int64(0), time.Date(294276, 12, 31, 23, 59, 59, 999999000, time.UTC).UnixMicro(), int64(0),
			interval{Months: -1, Days: 2, Micros: -1},
			"00000000-0000-0000-0000-000000000000", `"ü"`, `{"k": "ü"}`, "ok",
			[]any{int32(-2147483648)}, []any{"日本"}, []any{"-9999.9"}, []any{float32(1e-45)}, int32(1),
			nil, nil},
		append([]any{int32(4)}, make([]any, 30)...),
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("values (-want +got):\n%s", diff)
	}

	m, _ := readManifest(t, dir)
	if got, want := string(m.Source.Extra["text_columns"]), `{"types":{"ip":"inet","n50":"numeric(50,10)","nfree":"numeric","pt":"point"}}`; got != want {
		t.Errorf("manifest source.text_columns = %s, want %s", got, want)
	}
	if got, want := rep.Tables[0].TextColumns, map[string]string{"pt": "point", "ip": "inet", "n50": "numeric(50,10)", "nfree": "numeric"}; !cmp.Equal(got, want) {
		t.Errorf("report text columns = %v, want %v", got, want)
	}
}

func TestPostgresValueErrorsNameTheRow(t *testing.T) {
	c := pgtest.Need(t)
	dsn := c.NewDB(t)
	pgExec(t, dsn,
		`CREATE TABLE "Gene Map" (id int, score numeric(10,2), grid int[])`,
		`INSERT INTO "Gene Map" VALUES (1, 1.5, '{1}'), (2, 'NaN', '{2}')`,
		`CREATE TABLE grids (id int, grid int[])`,
		`INSERT INTO grids VALUES (1, '{1}'), (2, '{{1,2},{3,4}}')`)
	cases := []struct {
		table string
		want  []string
	}{
		{"Gene Map", []string{`table "Gene Map"`, "column score", "row 2", "NaN does not fit decimal(10, 2)"}},
		{"grids", []string{"table grids", "column grid", "row 2", "multi-dimensional array"}},
	}
	for _, tc := range cases {
		parent := t.TempDir()
		_, err := export.Export(context.Background(), dsn, filepath.Join(parent, "snap"), &export.Options{Tables: []string{tc.table}})
		if !errors.Is(err, export.ErrValue) {
			t.Fatalf("Export(%s) = %v, want ErrValue", tc.table, err)
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("Export(%s) error %q lacks %q", tc.table, err, w)
			}
		}
		if got := leftovers(t, parent); len(got) != 0 {
			t.Errorf("after the failed export, %s holds %v", parent, got)
		}
	}
}

func TestPostgresTablesAndNames(t *testing.T) {
	c := pgtest.Need(t)
	dsn := c.NewDB(t)
	var wideCols, wideVals []string
	for i := 0; i < 200; i++ {
		typ, val := "int", strconv.Itoa(i)
		switch i % 3 {
		case 1:
			typ, val = "text", "'v"+strconv.Itoa(i)+"'"
		case 2:
			typ, val = "double precision", strconv.Itoa(i)+".5"
		}
		wideCols = append(wideCols, fmt.Sprintf("c%03d %s", i, typ))
		wideVals = append(wideVals, val)
	}
	pgExec(t, dsn,
		`CREATE TABLE "Gene Map" (id int NOT NULL, "select" text)`,
		`INSERT INTO "Gene Map" VALUES (1, 'a'), (2, NULL)`,
		`CREATE TABLE "select" (x int)`,
		`INSERT INTO "select" VALUES (42)`,
		`CREATE TABLE empty (a int, b text)`,
		`CREATE TABLE nulls (a int, b text, c numeric(4,1), d int[])`,
		`INSERT INTO nulls SELECT NULL, NULL, NULL, NULL FROM generate_series(1, 3)`,
		`CREATE TABLE wide (`+strings.Join(wideCols, ", ")+`)`,
		`INSERT INTO wide SELECT `+strings.Join(wideVals, ", ")+` FROM generate_series(1, 10)`,
		`CREATE SCHEMA other`,
		`CREATE TABLE other.t (v text)`,
		`INSERT INTO other.t VALUES ('in other')`,
		`CREATE TABLE parted (id int, region text) PARTITION BY LIST (region)`,
		`CREATE TABLE parted_eu PARTITION OF parted FOR VALUES IN ('eu')`,
		`CREATE TABLE parted_us PARTITION OF parted FOR VALUES IN ('us')`,
		`INSERT INTO parted VALUES (1, 'eu'), (2, 'us'), (3, 'us')`,
		`CREATE VIEW a_view AS SELECT 1 AS one`,
		`CREATE TABLE alembic_version (version_num varchar(32) NOT NULL PRIMARY KEY)`,
		`INSERT INTO alembic_version VALUES ('3f2a9c81d0e4')`,
	)
	dir := filepath.Join(t.TempDir(), "snap")
	rep, err := export.ExportReport(context.Background(), dsn, dir, &export.Options{Workers: 3, ChunkSize: 2})
	if err != nil {
		t.Fatalf("ExportReport = %v", err)
	}
	var got []string
	for _, tr := range rep.Tables {
		got = append(got, fmt.Sprintf("%s<%s>:%d", tr.Name, tr.Source, tr.Rows))
	}
	wantTables := []string{
		"Gene Map<public.Gene Map>:2", "empty<public.empty>:0", "nulls<public.nulls>:3", "other.t<other.t>:1",
		"parted<public.parted>:3", "select<public.select>:1", "wide<public.wide>:10",
	}
	if diff := cmp.Diff(wantTables, got); diff != "" {
		t.Errorf("tables (-want +got):\n%s", diff)
	}
	if got, want := rep.SchemaRevision, "3f2a9c81d0e4"; got != want {
		t.Errorf("schema revision = %q, want %q", got, want)
	}
	schema, rows := readTable(t, dir, "Gene Map")
	if diff := cmp.Diff([]string{"id int32 not null", "select utf8"}, typeStrings(schema)); diff != "" {
		t.Errorf("Gene Map types (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([][]any{{int32(1), "a"}, {int32(2), nil}}, rows); diff != "" {
		t.Errorf("Gene Map rows (-want +got):\n%s", diff)
	}
	_, rows = readTable(t, dir, "nulls")
	if diff := cmp.Diff([][]any{{nil, nil, nil, nil}, {nil, nil, nil, nil}, {nil, nil, nil, nil}}, rows); diff != "" {
		t.Errorf("nulls rows (-want +got):\n%s", diff)
	}
	schema, rows = readTable(t, dir, "wide")
	if got, want := schema.NumFields(), 200; got != want {
		t.Errorf("wide has %d columns, want %d", got, want)
	}
	if got, want := rows[9][197], float64(197.5); got != want {
		t.Errorf("wide.c197 = %v, want %v", got, want)
	}
	_, rows = readTable(t, dir, "other.t")
	if diff := cmp.Diff([][]any{{"in other"}}, rows); diff != "" {
		t.Errorf("other.t rows (-want +got):\n%s", diff)
	}

	t.Run("selection", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "snap")
		rep, err := export.ExportReport(context.Background(), dsn, dir,
			&export.Options{Tables: []string{"public.select", "other.t", "Gene Map"}, Exclude: []string{"Gene Map"}})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(rep.Tables), 2; got != want {
			t.Errorf("%d tables, want %d", got, want)
		}
		_, err = export.Export(context.Background(), dsn, filepath.Join(t.TempDir(), "snap"),
			&export.Options{Tables: []string{"genes"}})
		if !errors.Is(err, export.ErrUnknownTable) || !strings.Contains(err.Error(), `tables: Gene Map, alembic_version, empty, nulls, other.t, parted, select, wide`) {
			t.Errorf("Export(unknown) = %v, want ErrUnknownTable listing the tables", err)
		}
	})
}

func TestPostgresSourceRecordsNoSecrets(t *testing.T) {
	c := pgtest.Need(t)
	dsn := c.NewDB(t)
	pgExec(t, dsn,
		`CREATE ROLE snap_reader LOGIN PASSWORD 'hunter2-secret'`,
		`CREATE TABLE genes (id int)`,
		`INSERT INTO genes VALUES (1)`,
		`GRANT SELECT ON genes TO snap_reader`)
	dbName := strings.TrimPrefix(strings.SplitN(dsn, "?", 2)[0][strings.LastIndex(strings.SplitN(dsn, "?", 2)[0], "/"):], "/")
	secretDSN := fmt.Sprintf("postgresql://snap_reader:hunter2-secret@127.0.0.1:%d/%s?sslmode=disable&application_name=secret_app", c.Port, dbName)
	dir := filepath.Join(t.TempDir(), "snap")
	rep, err := export.ExportReport(context.Background(), secretDSN, dir, nil)
	if err != nil {
		t.Fatalf("ExportReport = %v", err)
	}
	m, raw := readManifest(t, dir)
	if got, want := m.Source.Engine+" "+m.Source.Database, "postgresql "+dbName; got != want {
		t.Errorf("source = %q, want %q", got, want)
	}
	if got, want := rep.Database, dbName; got != want {
		t.Errorf("report database = %q, want %q", got, want)
	}
	for _, secret := range []string{"snap_reader", "hunter2", "127.0.0.1", strconv.Itoa(c.Port), "secret_app", "sslmode"} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("manifest.json holds %q:\n%s", secret, raw)
		}
	}
	if _, ok := m.Source.Extra["server_version"]; !ok {
		t.Errorf("source has no server_version: %v", m.Source.Extra)
	}

	// A table the user may not read: a clear error, and --exclude helps.
	pgExec(t, dsn, `CREATE TABLE private (x int)`)
	_, err = export.Export(context.Background(), secretDSN, filepath.Join(t.TempDir(), "snap"), nil)
	if err == nil || !strings.Contains(err.Error(), "permission denied") || !strings.Contains(err.Error(), "grant SELECT") {
		t.Errorf("Export with an unreadable table = %v, want permission denied and a hint", err)
	}
	if _, err := export.Export(context.Background(), secretDSN, filepath.Join(t.TempDir(), "snap"),
		&export.Options{Exclude: []string{"private"}}); err != nil {
		t.Errorf("Export excluding the unreadable table = %v", err)
	}

	// A failed connection does not print the password either.
	bad := strings.Replace(secretDSN, "snap_reader", "nobody_here", 1)
	_, err = export.Export(context.Background(), bad, filepath.Join(t.TempDir(), "snap"), nil)
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("Export(bad user) = %v, want an error without the password", err)
	}
}

// TestPostgresConsistentUnderConcurrentWrites exports five tables with two
// workers while a writer commits transactions that each insert into,
// update and delete from all of them. Transaction i leaves a state that
// is a function of i alone, so the snapshot must equal the state after
// exactly the k-th transaction for the k it recorded (table ctr), in every
// table: a worker reading at another point in time would disagree.
func TestPostgresConsistentUnderConcurrentWrites(t *testing.T) {
	c := pgtest.Need(t)
	dsn := c.NewDB(t)
	const nIns, nUpd, nDel, nFill = 20000, 3000, 20000, 200000
	pgExec(t, dsn,
		`CREATE TABLE ins (id bigint PRIMARY KEY, gen int NOT NULL, payload text)`,
		fmt.Sprintf(`INSERT INTO ins SELECT i, 0, 'p' || i FROM generate_series(1, %d) i`, nIns),
		`CREATE TABLE upd (id int PRIMARY KEY, val bigint NOT NULL, gen int NOT NULL)`,
		fmt.Sprintf(`INSERT INTO upd SELECT i, 0, 0 FROM generate_series(0, %d) i`, nUpd-1),
		`CREATE TABLE del (id int PRIMARY KEY, payload text)`,
		fmt.Sprintf(`INSERT INTO del SELECT i, 'd' || i FROM generate_series(1, %d) i`, nDel),
		`CREATE TABLE filler (id int PRIMARY KEY, gen int NOT NULL, pad text)`,
		fmt.Sprintf(`INSERT INTO filler SELECT i, 0, repeat('x', 40) FROM generate_series(0, %d) i`, nFill-1),
		`CREATE TABLE ctr (k int NOT NULL)`,
		`INSERT INTO ctr VALUES (0)`,
		`ANALYZE`,
	)
	ctx := context.Background()
	wconn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer wconn.Close(ctx)
	var committed atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var writeErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := int64(1); ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			q := fmt.Sprintf(`BEGIN;
				INSERT INTO ins VALUES (%[1]d + 1000000, %[1]d, 'p' || (%[1]d + 1000000));
				UPDATE upd SET val = val + 1, gen = %[1]d WHERE id = %[1]d %% %[2]d;
				DELETE FROM del WHERE id = %[1]d;
				UPDATE filler SET gen = %[1]d WHERE id = %[1]d %% %[3]d;
				UPDATE ctr SET k = %[1]d;
				COMMIT`, i, nUpd, nFill)
			if _, err := wconn.Exec(ctx, q); err != nil {
				writeErr = err
				return
			}
			committed.Store(i)
		}
	}()
	for committed.Load() < 50 && writeErr == nil {
		time.Sleep(5 * time.Millisecond)
	}
	dir := filepath.Join(t.TempDir(), "snap")
	rep, err := export.ExportReport(ctx, dsn, dir, &export.Options{Workers: 2, ChunkSize: 5000})
	atExportEnd := committed.Load()
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("ExportReport = %v", err)
	}
	if writeErr != nil {
		t.Fatalf("writer: %v (a writer must never be blocked or failed by the export)", writeErr)
	}
	if got, want := rep.Workers, 2; got != want {
		t.Errorf("workers = %d, want %d", got, want)
	}
	_, ctr := readTable(t, dir, "ctr")
	k := int64(ctr[0][0].(int32))
	t.Logf("snapshot at writer transaction %d; %d committed when the export ended", k, atExportEnd)
	if k < 50 || k >= atExportEnd {
		t.Errorf("snapshot at transaction %d, want between 50 and %d (the writer ran during the export)", k, atExportEnd)
	}

	var ins, upd, del, filler [][]any
	for i := int64(1); i <= nIns; i++ {
		ins = append(ins, []any{i, int32(0), "p" + strconv.FormatInt(i, 10)})
	}
	for i := int64(1); i <= k; i++ {
		ins = append(ins, []any{i + 1000000, int32(i), "p" + strconv.FormatInt(i+1000000, 10)})
	}
	updVal := make([]int64, nUpd)
	updGen := make([]int32, nUpd)
	fillGen := map[int64]int32{}
	for i := int64(1); i <= k; i++ {
		updVal[i%nUpd]++
		updGen[i%nUpd] = int32(i)
		fillGen[i%nFill] = int32(i)
	}
	for j := 0; j < nUpd; j++ {
		upd = append(upd, []any{int32(j), updVal[j], updGen[j]})
	}
	for i := k + 1; i <= nDel; i++ {
		del = append(del, []any{int32(i), "d" + strconv.FormatInt(i, 10)})
	}
	pad := strings.Repeat("x", 40)
	for j := int64(0); j < nFill; j++ {
		filler = append(filler, []any{int32(j), fillGen[j], pad})
	}
	for _, tc := range []struct {
		name string
		want [][]any
	}{{"ins", ins}, {"upd", upd}, {"del", del}, {"filler", filler}} {
		_, rows := readTable(t, dir, tc.name)
		if got, want := len(rows), len(tc.want); got != want {
			t.Errorf("%s: %d rows, want %d (state after transaction %d)", tc.name, got, want, k)
		}
		if got, want := rowSum(rows), rowSum(tc.want); got != want {
			t.Errorf("%s: checksum %x, want %x (state after transaction %d)", tc.name, got, want, k)
		}
	}
}

func TestPostgresCancelLeavesNothing(t *testing.T) {
	c := pgtest.Need(t)
	dsn := c.NewDB(t)
	pgExec(t, dsn,
		`CREATE TABLE big (id bigint, v text)`,
		`INSERT INTO big SELECT i, 'value ' || i FROM generate_series(1, 300000) i`,
		`CREATE TABLE other (id bigint)`,
		`INSERT INTO other SELECT i FROM generate_series(1, 300000) i`)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	parent := t.TempDir()
	opts := &export.Options{Workers: 2, ChunkSize: 1000, Progress: func(p export.Progress) {
		if p.Rows >= 5000 {
			cancel()
		}
	}}
	_, err := export.Export(ctx, dsn, filepath.Join(parent, "snap"), opts)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Export = %v, want context.Canceled", err)
	}
	if got := leftovers(t, parent); len(got) != 0 {
		t.Errorf("after the cancelled export, %s holds %v, want nothing", parent, got)
	}
	// The server is left with no session of the export.
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	for try := 0; try < 100; try++ {
		conn.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity WHERE application_name = 'snapdb export'`).Scan(&n)
		if n == 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n != 0 {
		t.Errorf("%d export sessions remain on the server after the cancel", n)
	}
}

// TestPostgresRecordsWALLSN: the export records the server's WAL position
// at its snapshot: after every change the snapshot holds, before every
// change it lacks; it reaches SnapshotMeta and a packed .snap's header.
func TestPostgresRecordsWALLSN(t *testing.T) {
	c := pgtest.Need(t)
	dsn := c.NewDB(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	lsnNow := func() uint64 {
		t.Helper()
		var s string
		if err := conn.QueryRow(ctx, `SELECT pg_current_wal_insert_lsn()::text`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		v, ok := snapshot.ParseLSN(s)
		if !ok {
			t.Fatalf("ParseLSN(%q) failed", s)
		}
		return v
	}
	pgExec(t, dsn, `CREATE TABLE t (id int)`, `INSERT INTO t VALUES (1)`)
	before := lsnNow()
	dir := filepath.Join(t.TempDir(), "snap")
	rep, err := export.ExportReport(ctx, dsn, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	pgExec(t, dsn, `INSERT INTO t VALUES (2)`)
	after := lsnNow()

	m, _ := readManifest(t, dir)
	var text string
	if err := json.Unmarshal(m.Source.Extra[snapshot.WALLSNKey], &text); err != nil {
		t.Fatalf("source.%s: %v (source %v)", snapshot.WALLSNKey, err, m.Source.Extra)
	}
	lsn, ok := snapshot.ParseLSN(text)
	if !ok || lsn < before || lsn >= after {
		t.Fatalf("source.wal_lsn = %q, want a position in [%s, %s)", text, snapshot.FormatLSN(before), snapshot.FormatLSN(after))
	}
	if got := snapshot.FormatLSN(lsn); !strings.EqualFold(got, text) {
		t.Errorf("FormatLSN(ParseLSN(%q)) = %q", text, got)
	}
	if rep.Meta.WALLSN == nil || *rep.Meta.WALLSN != lsn {
		t.Errorf("report meta WALLSN = %v, want %d", rep.Meta.WALLSN, lsn)
	}
	_, rows := readTable(t, dir, "t")
	if len(rows) != 1 {
		t.Errorf("snapshot rows = %v, want only the row inserted before it", rows)
	}

	// Packed: the container's header carries it too.
	file := filepath.Join(t.TempDir(), "t.snap")
	if _, err := snapshot.Pack(dir, file, nil); err != nil {
		t.Fatal(err)
	}
	db, err := snapshot.Open(file, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := db.Meta().WALLSN; got == nil || *got != lsn {
		t.Errorf(".snap meta WALLSN = %v, want %d", got, lsn)
	}
}
