package capi_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/google/go-cmp/cmp"

	"github.com/snapdb/snapdb/capi"
	"github.com/snapdb/snapdb/engine"
	"github.com/snapdb/snapdb/internal/demo"
	"github.com/snapdb/snapdb/internal/testsnap"
	"github.com/snapdb/snapdb/snapshot"
)

func demoSnapshot(t *testing.T) string { return testsnap.Demo(t) }

func TestMain(m *testing.M) {
	code := m.Run()
	testsnap.Cleanup()
	os.Exit(code)
}

// checkNoLeaks fails the test if handles or streams are still held when
// it ends, or Arrow memory beyond what was held when it began.
func checkNoLeaks(t *testing.T) {
	t.Helper()
	before := capi.CurrentStats().ArrowBytes
	t.Cleanup(func() {
		if s := capi.CurrentStats(); s.Handles != 0 || s.Streams != 0 || s.ArrowBytes != before {
			t.Errorf("after the test the library still holds %+v (%d Arrow bytes at the start), want nothing more", s, before)
		}
	})
}

// checkNoLeakedHandles is checkNoLeaks for handles and streams only.
func checkNoLeakedHandles(t *testing.T) {
	t.Helper()
	t.Cleanup(func() {
		if s := capi.CurrentStats(); s.Handles != 0 || s.Streams != 0 {
			t.Errorf("after the test the library still holds %+v, want no handles and no streams", s)
		}
	})
}

func open(t *testing.T) capi.Handle {
	t.Helper()
	h, err := capi.Open(demoSnapshot(t), capi.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func codeOf(err error) capi.Code { return capi.CodeOf(err) }

func TestHandles(t *testing.T) {
	checkNoLeaks(t)
	h1 := open(t)
	h2 := open(t)
	if h1 == 0 || h2 == 0 || h1 == h2 {
		t.Fatalf("handles %d and %d: want two distinct non-zero handles", h1, h2)
	}
	if h1 < 1<<20 {
		t.Errorf("handle %d: want handles to start at 1<<20, so small integers are never valid", h1)
	}
	if got := capi.LiveHandles(); got != 2 {
		t.Errorf("LiveHandles() = %d, want 2", got)
	}
	if err := capi.Close(h1); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		h    capi.Handle
		want string
	}{
		{"zero", 0, "0 is never a valid handle"},
		{"closed", h1, "is closed"},
		{"never given out", h2 + 1000, "is not a database handle"},
		{"small integer", 3, "is not a database handle"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := capi.Info(tc.h)
			if codeOf(err) != capi.ErrBadHandle || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Info(%d) = %v (code %v), want ErrBadHandle mentioning %q", tc.h, err, codeOf(err), tc.want)
			}
			if err := capi.Close(tc.h); codeOf(err) != capi.ErrBadHandle {
				t.Errorf("Close(%d) = %v, want ErrBadHandle", tc.h, err)
			}
		})
	}
	// A new handle never reuses a closed one's number.
	h3 := open(t)
	if h3 == h1 || h3 == h2 {
		t.Errorf("new handle %d reuses an old number (%d, %d)", h3, h1, h2)
	}
	capi.Close(h2)
	capi.Close(h3)
}

func TestOpenErrors(t *testing.T) {
	checkNoLeaks(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		path string
		opts capi.OpenOptions
		want capi.Code
	}{
		{"empty path", "", capi.OpenOptions{}, capi.ErrInvalidArgument},
		{"missing", filepath.Join(dir, "nope"), capi.OpenOptions{}, capi.ErrNotFound},
		{"not a snapshot", dir, capi.OpenOptions{}, capi.ErrNotFound},
		{"negative threads", demoSnapshot(t), capi.OpenOptions{Threads: -1}, capi.ErrInvalidArgument},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := capi.Open(tc.path, tc.opts)
			if h != 0 || codeOf(err) != tc.want {
				t.Errorf("Open(%q) = %d, %v (code %v), want 0 and %v", tc.path, h, err, codeOf(err), tc.want)
			}
		})
	}
}

func TestInfoAndTables(t *testing.T) {
	checkNoLeaks(t)
	h := open(t)
	defer capi.Close(h)
	b, err := capi.Tables(h)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	if err := json.Unmarshal(b, &tables); err != nil {
		t.Fatal(err)
	}
	db, err := snapshot.Open(demoSnapshot(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if diff := cmp.Diff(db.Tables(), tables); diff != "" {
		t.Errorf("Tables (-Go +C API):\n%s", diff)
	}
	b, err = capi.Info(h)
	if err != nil {
		t.Fatal(err)
	}
	var info snapshot.Info
	if err := json.Unmarshal(b, &info); err != nil {
		t.Fatal(err)
	}
	if info.RootHash != db.RootHash() || info.Rows != db.Info().Rows || len(info.Tables) != len(tables) {
		t.Errorf("Info: root %s rows %d tables %d, want %s %d %d", info.RootHash, info.Rows, len(info.Tables),
			db.RootHash(), db.Info().Rows, len(tables))
	}
}

func TestParseParams(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []any
		err  string
	}{
		{"", nil, ""},
		{"  ", nil, ""},
		{"[]", []any{}, ""},
		{`[1, -2, 9223372036854775807, 1.5, 1e3, "x", true, false, null]`,
			[]any{int64(1), int64(-2), int64(9223372036854775807), 1.5, 1000.0, "x", true, false, nil}, ""},
		{"[9223372036854775808]", []any{9223372036854775808.0}, ""},
		{"[1e999]", nil, "out of range"},
		{"null", nil, "got null"},
		{`{"a":1}`, nil, "JSON array"},
		{"[1,", nil, "JSON array"},
		{"[1] [2]", nil, "after the JSON array"},
		{"[[1]]", nil, "parameter 1"},
		{`[{"a":1}]`, nil, "parameter 1"},
		{"[\"\xff\"]", nil, "UTF-8"},
	} {
		got, err := capi.ParseParams([]byte(tc.in))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || codeOf(err) != capi.ErrInvalidArgument {
				t.Errorf("ParseParams(%q) = %v, %v; want ErrInvalidArgument mentioning %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseParams(%q): %v", tc.in, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("ParseParams(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
}

func TestQuery(t *testing.T) {
	checkNoLeaks(t)
	h := open(t)
	defer capi.Close(h)
	ctx := context.Background()
	sql := "SELECT symbol, chrom, score FROM genes WHERE chrom = $1 ORDER BY symbol LIMIT 5"
	rr, err := capi.Query(ctx, h, sql, []byte(`["7"]`))
	if err != nil {
		t.Fatal(err)
	}
	if got := capi.CurrentStats().Streams; got != 1 {
		t.Errorf("live streams with a query open = %d, want 1", got)
	}
	var rows int64
	for rr.Next() {
		rows += rr.RecordBatch().NumRows()
	}
	if err := rr.Err(); err != nil {
		t.Fatal(err)
	}
	rr.Release()
	if rows != 5 {
		t.Errorf("rows = %d, want 5", rows)
	}

	// The JSON form agrees with the Go API's rows.
	b, err := capi.QueryJSON(ctx, h, sql, []byte(`["7"]`))
	if err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("QueryJSON gave %s: %v", b, err)
	}
	db, err := snapshot.Open(demoSnapshot(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	want := goRows(t, db, sql, "7")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("QueryJSON (-Go +C API):\n%s", diff)
	}
	if !strings.HasPrefix(string(b), `[{"symbol":`) {
		t.Errorf("QueryJSON = %.40s…, want objects with keys in column order", b)
	}
}

// goRows runs sql through the Go API and returns the rows as decoded JSON.
func goRows(t *testing.T, db *snapshot.DB, sql string, args ...any) []map[string]any {
	t.Helper()
	rr, err := db.Query(context.Background(), sql, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Release()
	var rows []map[string]any
	for rr.Next() {
		rec := rr.RecordBatch()
		b, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		var part []map[string]any
		if err := json.Unmarshal(b, &part); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, part...)
	}
	return rows
}

func TestQueryErrors(t *testing.T) {
	checkNoLeaks(t)
	h := open(t)
	defer capi.Close(h)
	ctx := context.Background()
	for _, tc := range []struct {
		sql, params string
		want        capi.Code
		msg         string
	}{
		{"SELECT * FORM genes", "", capi.ErrQuery, "1:10"},
		{"SELECT nope FROM genes", "", capi.ErrQuery, "nope"},
		{"SELECT * FROM nope", "", capi.ErrQuery, "nope"},
		{"DELETE FROM genes", "", capi.ErrReadOnly, "read-only"},
		{"DROP TABLE genes", "", capi.ErrReadOnly, "read-only"},
		{"SELECT 1", "[1,", capi.ErrInvalidArgument, "JSON array"},
		{"SELECT \xff", "", capi.ErrInvalidArgument, "UTF-8"},
	} {
		_, err := capi.QueryJSON(ctx, h, tc.sql, []byte(tc.params))
		if codeOf(err) != tc.want || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("QueryJSON(%q) = %v (code %v), want %v mentioning %q", tc.sql, err, codeOf(err), tc.want, tc.msg)
		}
	}
}

func TestStreamOutlivesClose(t *testing.T) {
	checkNoLeaks(t)
	h := open(t)
	rr, err := capi.Query(context.Background(), h, "SELECT symbol FROM genes", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := capi.Close(h); err != nil {
		t.Fatal(err)
	}
	var rows int64
	for rr.Next() {
		rows += rr.RecordBatch().NumRows()
	}
	if err := rr.Err(); err != nil {
		t.Fatal(err)
	}
	if rows == 0 {
		t.Error("a stream read after Close gave no rows")
	}
	rr.Retain()
	rr.Release()
	if capi.CurrentStats().Streams != 1 {
		t.Error("a stream with a reference left is no longer counted live")
	}
	rr.Release()
}

// TestReleaseUnreadFreesAtOnce: a stream released early (unread, or after
// one batch) has freed all its Arrow memory when Release returns, not a
// moment later from a scan worker.
func TestReleaseUnreadFreesAtOnce(t *testing.T) {
	h := open(t)
	defer capi.Close(h)
	for i := 0; i < 500; i++ {
		for _, sql := range []string{"SELECT * FROM genes LIMIT 5", "SELECT * FROM exposures LIMIT 3", "SELECT symbol FROM genes WHERE chrom = '7' LIMIT 2"} {
			rr, err := capi.Query(context.Background(), h, sql, nil)
			if err != nil {
				t.Fatal(err)
			}
			if i%2 == 0 {
				rr.Next()
			}
			rr.Release()
			if b := capi.CurrentStats().ArrowBytes; b != 0 {
				t.Fatalf("iteration %d %q: %d Arrow bytes still held right after Release", i, sql, b)
			}
		}
	}
}

func TestSaveLoadVerify(t *testing.T) {
	checkNoLeaks(t)
	h := open(t)
	defer capi.Close(h)
	dir := t.TempDir()
	target := filepath.Join(dir, "copy.snap")
	m, err := capi.Save(h, target, false)
	if err != nil {
		t.Fatal(err)
	}
	if m.Tables == 0 || m.Rows == 0 || len(m.RootHash) != 64 || m.WALLSN != nil {
		t.Errorf("Save meta = %+v", m)
	}
	if _, err := capi.Save(h, target, false); codeOf(err) != capi.ErrExists {
		t.Errorf("Save over an existing snapshot without overwrite = %v (code %v), want ErrExists", err, codeOf(err))
	}
	if _, err := capi.Save(h, target, true); err != nil {
		t.Errorf("Save with overwrite: %v", err)
	}
	lm, err := capi.Load(h, target)
	if err != nil {
		t.Fatal(err)
	}
	if lm.RootHash != m.RootHash || lm.Rows != m.Rows {
		t.Errorf("Load meta = %+v, want root %s rows %d", lm, m.RootHash, m.Rows)
	}
	// A failed load keeps the loaded snapshot serving.
	if _, err := capi.Load(h, filepath.Join(dir, "missing")); codeOf(err) != capi.ErrNotFound {
		t.Errorf("Load(missing) = %v (code %v), want ErrNotFound", err, codeOf(err))
	}
	b, err := capi.Info(h)
	if err != nil || !strings.Contains(string(b), m.RootHash) {
		t.Errorf("Info after a failed load = %.80s, %v; want root hash %s", b, err, m.RootHash)
	}
	rep, err := capi.Verify(context.Background(), h)
	if err != nil || !strings.Contains(string(rep), `"ok":true`) || !strings.Contains(string(rep), `"problems":[]`) {
		t.Errorf("Verify = %.200s, %v; want ok and an empty problems list", rep, err)
	}
}

func TestVerifyCorrupt(t *testing.T) {
	checkNoLeaks(t)
	h := open(t)
	target := filepath.Join(t.TempDir(), "copy")
	if _, err := capi.Save(h, target, false); err != nil {
		t.Fatal(err)
	}
	capi.Close(h)
	h, err := capi.Open(target, capi.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer capi.Close(h)
	// Flip a byte in the middle of a table: same size, different hash.
	f := filepath.Join(target, "genes.parquet")
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0xff
	if err := os.WriteFile(f, b, 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := capi.Verify(context.Background(), h)
	if codeOf(err) != capi.ErrIntegrity {
		t.Fatalf("Verify of a damaged snapshot = %v (code %v), want ErrIntegrity", err, codeOf(err))
	}
	if !strings.Contains(string(rep), "genes.parquet") {
		t.Errorf("the report %.300s does not name genes.parquet", rep)
	}
}

func TestMatch(t *testing.T) {
	checkNoLeaks(t)
	h := open(t)
	defer capi.Close(h)
	db, err := snapshot.Open(demoSnapshot(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	text := demo.SampleText(&demo.Options{Scale: testsnap.Scale}, 2000)
	want, err := db.Match(text)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) == 0 {
		t.Fatal("the sample text has no mentions: the test would prove nothing")
	}
	b, err := capi.MatchJSON(h, text, 0)
	if err != nil {
		t.Fatal(err)
	}
	wb, _ := json.Marshal(want)
	if string(b) != string(wb) {
		t.Errorf("MatchJSON differs from the Go API's mentions:\n got %.200s\nwant %.200s", b, wb)
	}
	all, err := capi.Match(h, text, capi.MatchAll)
	if err != nil || len(all) < len(want) {
		t.Errorf("Match(all) = %d mentions, %v; want at least %d", len(all), err, len(want))
	}
	rr, err := capi.MatchArrow(h, text, 0)
	if err != nil {
		t.Fatal(err)
	}
	var rows int64
	for rr.Next() {
		rec := rr.RecordBatch()
		rows += rec.NumRows()
		if rows > 0 {
			got := rec.Column(4).(*array.String).Value(0)
			if got != want[0].Text {
				t.Errorf("first mention text = %q, want %q", got, want[0].Text)
			}
		}
	}
	rr.Release()
	if rows != int64(len(want)) {
		t.Errorf("MatchArrow rows = %d, want %d", rows, len(want))
	}
	if b, err := capi.MatchJSON(h, "", 0); err != nil || string(b) != "[]" {
		t.Errorf("MatchJSON(\"\") = %s, %v; want []", b, err)
	}
	if _, err := capi.Match(h, "x", 4); codeOf(err) != capi.ErrInvalidArgument {
		t.Errorf("Match with unknown flags = %v, want ErrInvalidArgument", err)
	}
}

func TestMatchWithoutNLP(t *testing.T) {
	checkNoLeaks(t)
	// A snapshot without an alias table has no automaton to build.
	dir := filepath.Join(t.TempDir(), "genes-only")
	db, err := snapshot.Open(demoSnapshot(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Save(dir, &snapshot.SaveOptions{Tables: []string{"genes"}})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	h, err := capi.Open(dir, capi.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer capi.Close(h)
	if _, err := capi.MatchJSON(h, "BRCA2", 0); codeOf(err) != capi.ErrNoNLP {
		t.Errorf("MatchJSON on a snapshot without aliases = %v (code %v), want ErrNoNLP", err, codeOf(err))
	}
}

func TestConcurrentUse(t *testing.T) {
	checkNoLeaks(t)
	h := open(t)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 5; j++ {
				if _, err := capi.QueryJSON(context.Background(), h, "SELECT chrom, count(*) FROM genes GROUP BY chrom", nil); err != nil {
					errs <- err
					return
				}
				h2, err := capi.Open(demoSnapshot(t), capi.OpenOptions{Threads: 1})
				if err != nil {
					errs <- err
					return
				}
				if err := capi.Close(h2); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	capi.Close(h)
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestCodeOf(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want capi.Code
	}{
		{nil, capi.OK},
		{capi.Errorf(capi.ErrNoNLP, "x"), capi.ErrNoNLP},
		{snapshot.ErrIntegrity, capi.ErrIntegrity},
		{snapshot.ErrNoTable, capi.ErrNotFound},
		{snapshot.ErrUnsupportedVersion, capi.ErrUnsupported},
		{snapshot.ErrExists, capi.ErrExists},
		{errors.New("disk on fire"), capi.ErrIO},
	} {
		if got := capi.CodeOf(tc.err); got != tc.want {
			t.Errorf("CodeOf(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
	if got := capi.Code(99).String(); got != "status 99" {
		t.Errorf("Code(99).String() = %q", got)
	}
}

// FuzzParseParams: query parameters are outside bytes (a JSON array from
// any binding); no input may panic, and what parses holds only the types
// the engine takes.
func FuzzParseParams(f *testing.F) {
	for _, s := range []string{"", "[]", `[1, 2.5, "x", true, null]`, "[1e999]", "[9223372036854775808]", "[[]]", "{", "null", `["\u0000"]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		vals, err := capi.ParseParams(b)
		if err != nil {
			if capi.CodeOf(err) != capi.ErrInvalidArgument {
				t.Fatalf("ParseParams(%q): %v has code %v, want ErrInvalidArgument", b, err, capi.CodeOf(err))
			}
			return
		}
		for i, v := range vals {
			switch v.(type) {
			case int64, float64, string, bool, nil:
			default:
				t.Fatalf("ParseParams(%q)[%d] = %T", b, i, v)
			}
		}
	})
}

// TestReadErrors: an error that surfaces while a query's rows are read
// has the code of what went wrong, through QueryJSON and through the
// stream alike: evaluation errors are ErrQuery, a corrupt page
// ErrIntegrity.
//
// Arrow memory is not checked here: since 93024b4 (DELTA_BINARY_PACKED
// integer columns) a scan that stops early (an error, or an early
// Release: TestReleaseUnreadFreesAtOnce) leaves a buffer of the decoder
// allocated; a bug of the engine's, not of this package.
func TestReadErrors(t *testing.T) {
	checkNoLeakedHandles(t)
	h := open(t)
	defer capi.Close(h)
	corrupt := corruptCopy(t, h, "genes")
	hc, err := capi.Open(corrupt, capi.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer capi.Close(hc)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		h    capi.Handle
		sql  string
		want capi.Code
		msg  string
	}{
		{"failed cast", h, "SELECT CAST(symbol AS INTEGER) FROM genes", capi.ErrQuery, "could not convert"},
		{"out of range", h, "SELECT CAST(start AS SMALLINT) FROM genes", capi.ErrQuery, "SMALLINT"},
		{"overflow", h, "SELECT start * 9223372036854775807 FROM genes", capi.ErrQuery, "overflow"},
		{"cast in a filter", h, "SELECT entity_id FROM genes WHERE CAST(symbol AS INTEGER) > 0", capi.ErrQuery, "could not convert"},
		{"corrupt page", hc, "SELECT * FROM genes", capi.ErrIntegrity, "genes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := capi.QueryJSON(ctx, tc.h, tc.sql, nil)
			if codeOf(err) != tc.want || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("QueryJSON(%q) = %v (code %v), want %v mentioning %q", tc.sql, err, codeOf(err), tc.want, tc.msg)
			}
			rr, err := capi.Query(ctx, tc.h, tc.sql, nil)
			if err != nil {
				t.Fatalf("Query(%q) = %v; want the error while reading", tc.sql, err)
			}
			for rr.Next() {
			}
			err = rr.Err()
			rr.Release()
			var ce *capi.Error
			if !errors.As(err, &ce) || ce.Code != tc.want {
				t.Errorf("Query(%q) stream Err() = %v (code %v), want an *Error of %v", tc.sql, err, codeOf(err), tc.want)
			}
		})
	}
}

// corruptCopy saves the snapshot of h and damages the data pages of
// table's file in the copy (its footer stays readable, so it opens).
func corruptCopy(t *testing.T, h capi.Handle, table string) string {
	t.Helper()
	target := filepath.Join(t.TempDir(), "corrupt")
	if _, err := capi.Save(h, target, false); err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(target, table+".parquet")
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	for i := 100; i < len(b)/2; i += 7 {
		b[i] ^= 0x5a
	}
	if err := os.WriteFile(f, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return target
}

func TestReadError(t *testing.T) {
	pathErr := &fs.PathError{Op: "read", Path: "/x/genes.parquet", Err: syscall.EIO}
	for _, tc := range []struct {
		name string
		err  error
		want capi.Code
	}{
		{"evaluation", fmt.Errorf("CAST(symbol AS BIGINT): %w", errors.New(`could not convert "TNF" to BIGINT`)), capi.ErrQuery},
		{"evaluation naming parquet", errors.New(`could not convert "parquet: x" to BIGINT`), capi.ErrQuery},
		{"engine error", &engine.Error{Msg: "no such column"}, capi.ErrQuery},
		{"corrupt page", fmt.Errorf("table genes: %w", fmt.Errorf("parquet: could not decompress page: %w", errors.New("CRC check failed"))), capi.ErrIntegrity},
		{"truncated", fmt.Errorf("table genes: %w", io.ErrUnexpectedEOF), capi.ErrIntegrity},
		{"I/O under parquet", fmt.Errorf("table genes: parquet: could not read page: %w", pathErr), capi.ErrIO},
		{"errno", fmt.Errorf("read: %w", syscall.EBADF), capi.ErrIO},
		{"joined", errors.Join(errors.New("x"), fmt.Errorf("parquet: bad page header")), capi.ErrIntegrity},
		{"typed", snapshot.ErrNoTable, capi.ErrNotFound},
		{"an *Error", capi.Errorf(capi.ErrIO, "disk"), capi.ErrIO},
		{"a wrapped *Error", fmt.Errorf("x: %w", capi.Errorf(capi.ErrInternal, "panic")), capi.ErrInternal},
	} {
		got := capi.ReadError(tc.err)
		if got.Code != tc.want || got.Msg != tc.err.Error() {
			t.Errorf("ReadError(%s: %v) = %v (code %v), want %v with the same message", tc.name, tc.err, got, got.Code, tc.want)
		}
	}
	if got := capi.ReadError(nil); got != nil {
		t.Errorf("ReadError(nil) = %v, want nil", got)
	}
}

func TestStreamMessage(t *testing.T) {
	for c := capi.ErrInvalidArgument; c <= capi.ErrInternal; c++ {
		e := capi.Errorf(c, "table genes: something (at 1:2): SNAP_ERR_QUERY (9): not a prefix")
		msg := capi.StreamMessage(e)
		if !strings.HasPrefix(msg, c.Macro()+" (") {
			t.Errorf("StreamMessage(%v) = %q, want it to start with %s", c, msg, c.Macro())
		}
		for _, s := range []string{msg, "C stream error: " + msg} {
			got, m, ok := capi.ParseStreamMessage(s)
			if !ok || got != c || m != e.Msg {
				t.Errorf("ParseStreamMessage(%q) = %v, %q, %v; want %v, %q, true", s, got, m, ok, c, e.Msg)
			}
		}
	}
	if got := capi.StreamMessage(capi.Errorf(capi.ErrQuery, "bad")); got != "SNAP_ERR_QUERY (6): bad" {
		t.Errorf("StreamMessage = %q, want %q", got, "SNAP_ERR_QUERY (6): bad")
	}
	for _, s := range []string{"", "bad", "SNAP_ERR_QUERY: bad", "SNAP_ERR_QUERY (5): bad", "SNAP_ERR_NOPE (6): bad"} {
		if c, m, ok := capi.ParseStreamMessage(s); ok {
			t.Errorf("ParseStreamMessage(%q) = %v, %q, true; want no code", s, c, m)
		}
	}
	for _, tc := range []struct {
		c    capi.Code
		want syscall.Errno
	}{
		{capi.ErrQuery, syscall.EINVAL}, {capi.ErrInvalidArgument, syscall.EINVAL}, {capi.ErrReadOnly, syscall.EINVAL},
		{capi.ErrIO, syscall.EIO}, {capi.ErrIntegrity, syscall.EIO}, {capi.ErrInternal, syscall.EIO},
		{capi.ErrUnsupported, syscall.ENOSYS},
	} {
		if got := capi.Errno(tc.c); got != int(tc.want) {
			t.Errorf("Errno(%v) = %d, want %d (%v)", tc.c, got, int(tc.want), tc.want)
		}
	}
}

// TestCloseWhileCalling: calls racing with Close either run on the open
// database (and give its full answer) or fail with ErrBadHandle; never
// an empty answer from a half-closed one. Run it under -race.
func TestCloseWhileCalling(t *testing.T) {
	checkNoLeaks(t)
	ctx := context.Background()
	h := open(t)
	wantTables, err := capi.Tables(h)
	if err != nil {
		t.Fatal(err)
	}
	wantInfo, _ := capi.Info(h)
	const sql = "SELECT count(*) AS n FROM genes"
	wantRows, _ := capi.QueryJSON(ctx, h, sql, nil)
	wantMatch, _ := capi.MatchJSON(h, "BRCA2 and TP53", 0)
	capi.Close(h)
	calls := []func(capi.Handle) ([]byte, error){
		capi.Tables,
		capi.Info,
		func(h capi.Handle) ([]byte, error) { return capi.QueryJSON(ctx, h, sql, nil) },
		func(h capi.Handle) ([]byte, error) { return capi.MatchJSON(h, "BRCA2 and TP53", 0) },
		func(h capi.Handle) ([]byte, error) {
			rr, err := capi.Query(ctx, h, sql, nil)
			if err != nil {
				return nil, err
			}
			defer rr.Release()
			var b []byte
			for rr.Next() {
				b = append(b, fmt.Sprint(rr.RecordBatch().Column(0))...)
			}
			return b, rr.Err()
		},
	}
	want := [][]byte{wantTables, wantInfo, wantRows, wantMatch, []byte("[1200]")}
	for round := 0; round < 20; round++ {
		h := open(t)
		var wg sync.WaitGroup
		var succeeded atomic.Int64
		errs := make(chan error, 64)
		for g := 0; g < 10; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				for {
					b, err := calls[g%len(calls)](h)
					if codeOf(err) == capi.ErrBadHandle {
						return
					}
					if err != nil {
						errs <- err
						return
					}
					if string(b) != string(want[g%len(calls)]) {
						errs <- fmt.Errorf("call %d gave %.80s, want %.80s", g%len(calls), b, want[g%len(calls)])
						return
					}
					succeeded.Add(1)
				}
			}(g)
		}
		// Close once calls are running, so that some are in flight.
		for succeeded.Load() < 20 {
			runtime.Gosched()
		}
		if err := capi.Close(h); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("round %d: %v", round, err)
		}
	}
}
