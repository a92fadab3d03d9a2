package snapshot_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"

	"github.com/snapdb/snapdb/manifest"
	"github.com/snapdb/snapdb/snapshot"
)

// smallSnapshot writes a snapshot with tables "genes" and "my table" and
// returns its path and the data written.
func smallSnapshot(t testing.TB) (string, map[string][]arrow.RecordBatch) {
	t.Helper()
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "symbol", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "score", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil)
	tables := map[string][]arrow.RecordBatch{
		"genes":    makeRecords(t, memory.DefaultAllocator, sc, 3000, 1000, 1),
		"my table": makeRecords(t, memory.DefaultAllocator, sc, 10, 10, 2),
	}
	t.Cleanup(func() {
		for _, r := range tables {
			release(r)
		}
	})
	return writeSnapshot(t, tables, &snapshot.CreateOptions{RowGroupRows: 1000, SnapshotVersion: "2026-11-01"}), tables
}

func TestOpenInfo(t *testing.T) {
	dir, tables := smallSnapshot(t)
	db, err := snapshot.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got, want := db.Tables(), []string{"genes", "my table"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("Tables() = %q, want %q", got, want)
	}
	in := db.Info()
	if !in.ReadOnly || in.Backend != snapshot.BackendDirectory || in.SnapshotVersion != "2026-11-01" ||
		in.FormatVersion != 1 || in.Rows != 3010 || len(in.Tables) != 2 || in.RootHash != db.RootHash() {
		t.Errorf("Info() = %+v", in)
	}
	if got, want := in.Tables[0].RowGroups, 3; got != want {
		t.Errorf("genes row groups = %d, want %d", got, want)
	}
	m := db.Manifest()
	if root, _ := m.RootHash(); root != db.RootHash() {
		t.Errorf("RootHash() = %s, manifest hash %s", db.RootHash(), root)
	}
	assertTableEquals(t, db, "my table", nil, tables["my table"])
	if _, err := db.Schema("nope"); !errors.Is(err, snapshot.ErrNoTable) || !strings.Contains(err.Error(), "genes") {
		t.Errorf("Schema(nope) error = %v, want ErrNoTable listing the tables", err)
	}
	b, err := json.Marshal(db.Meta())
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"formatVersion", "snapshotVersion", "tables", "rows", "bytes", "rootHash", "walLsn", "path"} {
		if !strings.Contains(string(b), `"`+key+`":`) {
			t.Errorf("Meta JSON %s lacks %q", b, key)
		}
	}
}

func TestOpenURIs(t *testing.T) {
	dir, _ := smallSnapshot(t)
	for _, p := range []string{dir, "parquet://" + dir, "snap://" + dir, dir + "/"} {
		db, err := snapshot.Open(p, nil)
		if err != nil {
			t.Errorf("Open(%q) error = %v", p, err)
			continue
		}
		if db.Path() != dir {
			t.Errorf("Open(%q).Path() = %q, want %q", p, db.Path(), dir)
		}
		db.Close()
	}
	for _, p := range []string{"parquet://host/x", "snap://relative", ""} {
		if _, err := snapshot.Open(p, nil); err == nil {
			t.Errorf("Open(%q) succeeded, want an error", p)
		}
	}
}

func TestOpenNotSnapshot(t *testing.T) {
	empty := t.TempDir()
	_, err := snapshot.Open(empty, nil)
	if !errors.Is(err, snapshot.ErrNotSnapshot) || !strings.Contains(err.Error(), "not a snapshot: "+empty+" has no manifest.json") {
		t.Errorf("Open(empty dir) error = %v", err)
	}
	if _, err := snapshot.Open(filepath.Join(empty, "missing"), nil); !errors.Is(err, snapshot.ErrNotSnapshot) {
		t.Errorf("Open(missing) error = %v, want ErrNotSnapshot", err)
	}
}

// corrupt copies a fresh snapshot and applies f to the copy.
func corrupt(t *testing.T, f func(dir string)) string {
	dir, _ := smallSnapshot(t)
	f(dir)
	return dir
}

func TestCorruption(t *testing.T) {
	flip := func(dir, name string, off int64) {
		p := filepath.Join(dir, name)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if off < 0 {
			off += int64(len(b))
		}
		b[off] ^= 0x40
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	editManifest := func(dir string, edit func(m map[string]any)) {
		p := filepath.Join(dir, "manifest.json")
		b, _ := os.ReadFile(p)
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		edit(m)
		b, _ = json.Marshal(m)
		os.WriteFile(p, b, 0o644)
	}
	table := func(m map[string]any, name string) map[string]any {
		return m["tables"].(map[string]any)[name].(map[string]any)
	}

	tests := []struct {
		name      string
		damage    func(dir string)
		openErr   error  // nil: Open succeeds and Verify must fail
		wantInErr string // must appear in the error
		wantTable string // with Verify: the table named first
	}{
		{"flipped byte in data", func(d string) { flip(d, "genes.parquet", 100) }, nil, `table genes (genes.parquet): sha256 mismatch`, "genes"},
		{"flipped byte in footer metadata", func(d string) { flip(d, "my table.parquet", -10) }, nil, `table "my table" (my table.parquet): sha256 mismatch`, "my table"},
		{"flipped footer magic", func(d string) { flip(d, "my table.parquet", -1) }, snapshot.ErrIntegrity, `table "my table"`, ""},
		{"truncated", func(d string) {
			p := filepath.Join(d, "genes.parquet")
			fi, _ := os.Stat(p)
			os.Truncate(p, fi.Size()/2)
		}, snapshot.ErrIntegrity, "table genes", ""},
		{"appended", func(d string) {
			f, _ := os.OpenFile(filepath.Join(d, "genes.parquet"), os.O_APPEND|os.O_WRONLY, 0)
			f.Write([]byte("junk"))
			f.Close()
		}, snapshot.ErrIntegrity, "bytes mismatch", ""},
		{"missing file", func(d string) { os.Remove(filepath.Join(d, "genes.parquet")) }, snapshot.ErrIntegrity, "table genes (genes.parquet): file is missing", ""},
		{"row count disagrees", func(d string) {
			editManifest(d, func(m map[string]any) { table(m, "genes")["rows"] = 2999 })
		}, snapshot.ErrIntegrity, "rows mismatch: expected 2999, actual 3000", ""},
		{"path traversal", func(d string) {
			editManifest(d, func(m map[string]any) { table(m, "genes")["file"] = "../genes.parquet" })
		}, manifest.ErrInvalid, `tables["genes"].file`, ""},
		{"newer format version", func(d string) {
			editManifest(d, func(m map[string]any) { m["format_version"] = 2 })
		}, manifest.ErrNewerVersion, "format_version 2 is newer than this reader supports (1)", ""},
		{"malformed manifest", func(d string) {
			os.WriteFile(filepath.Join(d, "manifest.json"), []byte(`{"format": "snapdb", `), 0o644)
		}, manifest.ErrInvalid, "manifest.json", ""},
		{"bad hash in manifest", func(d string) {
			editManifest(d, func(m map[string]any) { table(m, "genes")["blake3"] = "xyz" })
		}, manifest.ErrInvalid, `tables["genes"].blake3`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := corrupt(t, tt.damage)
			db, err := snapshot.Open(dir, nil)
			if tt.openErr != nil {
				if !errors.Is(err, tt.openErr) || !strings.Contains(err.Error(), tt.wantInErr) {
					t.Fatalf("Open error = %v, want %v containing %q", err, tt.openErr, tt.wantInErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open error = %v, want success (damage only Verify can see)", err)
			}
			defer db.Close()
			rep, err := db.Verify(context.Background())
			var ie *snapshot.IntegrityError
			if !errors.As(err, &ie) || !errors.Is(err, snapshot.ErrIntegrity) || !strings.Contains(err.Error(), tt.wantInErr) {
				t.Fatalf("Verify error = %v, want IntegrityError containing %q", err, tt.wantInErr)
			}
			if rep.OK || len(rep.Problems) == 0 || ie.Mismatches[0].Table != tt.wantTable {
				t.Errorf("Verify report = %+v", rep)
			}
			if _, err := snapshot.Open(dir, &snapshot.Options{VerifyOnOpen: true}); !errors.Is(err, snapshot.ErrIntegrity) {
				t.Errorf("Open(VerifyOnOpen) error = %v, want ErrIntegrity", err)
			}
		})
	}
}

func TestVerifyPathReportsEverything(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "s")
	w, err := snapshot.Create(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a", "b", "c", "d"} {
		writeOne(t, w, name, 300)
	}
	if _, err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	if rep, err := snapshot.VerifyPath(context.Background(), dir, nil); err != nil || !rep.OK || len(rep.Files) != 4 {
		t.Fatalf("VerifyPath(good) = %+v, %v", rep, err)
	}
	os.Remove(filepath.Join(dir, "a.parquet"))
	b, _ := os.ReadFile(filepath.Join(dir, "b.parquet"))
	b[50] ^= 1
	os.WriteFile(filepath.Join(dir, "b.parquet"), b, 0o644)
	os.Truncate(filepath.Join(dir, "c.parquet"), 100)
	if _, err := snapshot.Open(dir, nil); !errors.Is(err, snapshot.ErrIntegrity) {
		t.Fatalf("Open(damaged) error = %v, want ErrIntegrity", err)
	}
	rep, err := snapshot.VerifyPath(context.Background(), dir, nil)
	if !errors.Is(err, snapshot.ErrIntegrity) || rep.OK {
		t.Fatalf("VerifyPath(damaged) error = %v, want ErrIntegrity", err)
	}
	got := map[string][]string{}
	for _, p := range rep.Problems {
		got[p.Table] = append(got[p.Table], p.What)
	}
	want := map[string][]string{"a": {"missing"}, "b": {"sha256", "blake3"}, "c": {"bytes", "sha256", "blake3"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("VerifyPath problems (-want +got):\n%s", d)
	}
	if _, err := snapshot.VerifyPath(context.Background(), t.TempDir(), nil); !errors.Is(err, snapshot.ErrNotSnapshot) {
		t.Errorf("VerifyPath(empty dir) error = %v, want ErrNotSnapshot", err)
	}
}

func TestCreateRefusesNonEmpty(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "precious.txt"), []byte("keep me"), 0o644)
	if _, err := snapshot.Create(dir, nil); !errors.Is(err, snapshot.ErrExists) {
		t.Errorf("Create(non-empty) error = %v, want ErrExists", err)
	}
	if _, err := snapshot.Create(dir, &snapshot.CreateOptions{Overwrite: true}); !errors.Is(err, snapshot.ErrExists) {
		t.Errorf("Create(non-snapshot, Overwrite) error = %v, want ErrExists", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "precious.txt")); string(b) != "keep me" {
		t.Error("Create touched a directory it refused")
	}
	// An empty directory is fine.
	empty := t.TempDir()
	w, err := snapshot.Create(empty, nil)
	if err != nil {
		t.Fatalf("Create(empty dir) error = %v", err)
	}
	writeOne(t, w, "t", 5)
	if _, err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := snapshot.Open(empty, nil); err != nil {
		t.Errorf("Open after Commit into an empty dir: %v", err)
	}
}

func writeOne(t testing.TB, w *snapshot.Writer, name string, rows int) {
	t.Helper()
	sc := arrow.NewSchema([]arrow.Field{{Name: "v", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)
	recs := makeRecords(t, memory.DefaultAllocator, sc, rows, 100, uint64(rows))
	defer release(recs)
	rr, _ := array.NewRecordReader(sc, recs)
	defer rr.Release()
	if err := w.WriteTable(context.Background(), name, rr); err != nil {
		t.Fatal(err)
	}
}

func TestOverwriteKeepsOldUntilCommit(t *testing.T) {
	dir, _ := smallSnapshot(t)
	old, err := snapshot.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	oldRoot := old.RootHash()
	old.Close()

	w, err := snapshot.Create(dir, &snapshot.CreateOptions{Overwrite: true})
	if err != nil {
		t.Fatal(err)
	}
	writeOne(t, w, "other", 7)
	// Before Commit the old snapshot is intact and verifies.
	db, err := snapshot.Open(dir, &snapshot.Options{VerifyOnOpen: true})
	if err != nil || db.RootHash() != oldRoot {
		t.Fatalf("old snapshot during overwrite: %v", err)
	}
	db.Close()
	meta, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	db, err = snapshot.Open(dir, &snapshot.Options{VerifyOnOpen: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := db.Tables(); len(got) != 1 || got[0] != "other" || db.RootHash() != meta.RootHash || meta.RootHash == oldRoot {
		t.Errorf("after overwrite: tables %v, root %s, meta root %s", got, db.RootHash(), meta.RootHash)
	}
	assertNoTempSiblings(t, dir)
}

func assertNoTempSiblings(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(filepath.Dir(dir))
	for _, e := range entries {
		if strings.Contains(e.Name(), ".snapdb-tmp-") {
			t.Errorf("leftover temporary %s", e.Name())
		}
	}
}

func TestAbortAndFailureLeaveNothing(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "snap")
	w, err := snapshot.Create(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	writeOne(t, w, "a", 10)
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Commit(); !errors.Is(err, snapshot.ErrClosed) {
		t.Errorf("Commit after Abort error = %v, want ErrClosed", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("after Abort, %s exists (%v)", dir, err)
	}
	assertNoTempSiblings(t, dir)

	// A cancelled context fails the table and the whole writer.
	w, err = snapshot.Create(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	sc := arrow.NewSchema([]arrow.Field{{Name: "v", Type: arrow.PrimitiveTypes.Int64}}, nil)
	recs := makeRecords(t, memory.DefaultAllocator, sc, 10, 5, 1)
	defer release(recs)
	rr, _ := array.NewRecordReader(sc, recs)
	defer rr.Release()
	if err := w.WriteTable(ctx, "v", rr); !errors.Is(err, context.Canceled) {
		t.Errorf("WriteTable(cancelled) error = %v, want context.Canceled", err)
	}
	if _, err := w.Commit(); err == nil {
		t.Error("Commit after a failed table succeeded")
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("after a failed write, %s exists", dir)
	}
	assertNoTempSiblings(t, dir)
}

func TestWriteTableRejects(t *testing.T) {
	w, err := snapshot.Create(filepath.Join(t.TempDir(), "s"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	sc := arrow.NewSchema([]arrow.Field{{Name: "v", Type: arrow.PrimitiveTypes.Int64}}, nil)
	for _, name := range []string{"", "a/b", `a\b`, "..", "x\x00y", "manifest.json"[:8] + "\n"} {
		rr, _ := array.NewRecordReader(sc, nil)
		if err := w.WriteTable(context.Background(), name, rr); err == nil {
			t.Errorf("WriteTable(%q) succeeded, want an error", name)
		}
		rr.Release()
	}
	if _, err := snapshot.Create(filepath.Join(t.TempDir(), "s"), &snapshot.CreateOptions{Compression: "lzma"}); err == nil ||
		!strings.Contains(err.Error(), "lzma") {
		t.Errorf("Create(lzma) error = %v", err)
	}
	if _, err := snapshot.Create(filepath.Join(t.TempDir(), "no", "parent"), nil); err == nil {
		t.Error("Create under a missing parent succeeded")
	}
}

func TestWriteRefusesNullInNonNullable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "s")
	w, err := snapshot.Create(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	sc := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}}, nil)
	b := array.NewInt64Builder(memory.DefaultAllocator)
	b.AppendValues([]int64{1, 2}, nil)
	b.AppendNull()
	col := b.NewArray()
	defer col.Release()
	rec := array.NewRecordBatch(sc, []arrow.Array{col}, 3)
	defer rec.Release()
	rr, _ := array.NewRecordReader(sc, []arrow.RecordBatch{rec})
	defer rr.Release()
	err = w.WriteTable(context.Background(), "t", rr)
	if err == nil || !strings.Contains(err.Error(), `column "id" is not nullable but row 2 is null`) || !strings.Contains(err.Error(), "table t") {
		t.Errorf("WriteTable(null in non-nullable) error = %v", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("%s exists after a refused table", dir)
	}
}

func TestWriteTableTwice(t *testing.T) {
	w, err := snapshot.Create(filepath.Join(t.TempDir(), "s"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	writeOne(t, w, "a", 3)
	sc := arrow.NewSchema([]arrow.Field{{Name: "v", Type: arrow.PrimitiveTypes.Int64}}, nil)
	rr, _ := array.NewRecordReader(sc, nil)
	defer rr.Release()
	if err := w.WriteTable(context.Background(), "a", rr); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("second WriteTable(a) error = %v, want 'written twice'", err)
	}
}

func TestConcurrentWritesAndReads(t *testing.T) {
	// Tables written from several goroutines at once.
	dir := filepath.Join(t.TempDir(), "s")
	w, err := snapshot.Create(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			writeOne(t, w, "t"+string(rune('a'+i)), 200+i)
		}()
	}
	wg.Wait()
	if _, err := w.Commit(); err != nil {
		t.Fatal(err)
	}

	// Many goroutines opening and reading one DB.
	db, err := snapshot.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	errs := make(chan error, 64)
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, name := range db.Tables() {
				rr, err := db.ReadTable(context.Background(), name, nil, 50)
				if err != nil {
					errs <- err
					return
				}
				var n int64
				for rr.Next() {
					n += rr.RecordBatch().NumRows()
				}
				rr.Release()
				if want := int64(200 + int(name[1]-'a')); n != want {
					errs <- errors.New(name + ": wrong row count")
				}
			}
			if g%4 == 0 {
				if _, err := db.Verify(context.Background()); err != nil {
					errs <- err
				}
				other, err := snapshot.Open(dir, nil)
				if err != nil {
					errs <- err
					return
				}
				other.Close()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestClosed(t *testing.T) {
	dir, _ := smallSnapshot(t)
	db, err := snapshot.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := db.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if _, err := db.ReadTable(context.Background(), "genes", nil, 0); !errors.Is(err, snapshot.ErrClosed) {
		t.Errorf("ReadTable after Close error = %v, want ErrClosed", err)
	}
	if _, err := db.Verify(context.Background()); !errors.Is(err, snapshot.ErrClosed) {
		t.Errorf("Verify after Close error = %v, want ErrClosed", err)
	}
}
