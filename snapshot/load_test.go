package snapshot_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/zeebo/blake3"

	"github.com/snapdb/snapdb/manifest"
	"github.com/snapdb/snapdb/snapshot"
)

// versioned writes a snapshot whose table "t" has rows rows of v = base+i:
// the count and the sum tell which snapshot a result came from.
func versioned(t *testing.T, rows, base int64) string {
	t.Helper()
	sc := arrow.NewSchema([]arrow.Field{{Name: "v", Type: arrow.PrimitiveTypes.Int64}}, nil)
	b := array.NewInt64Builder(memory.DefaultAllocator)
	for i := int64(0); i < rows; i++ {
		b.Append(base + i)
	}
	col := b.NewArray()
	rec := array.NewRecordBatch(sc, []arrow.Array{col}, rows)
	col.Release()
	defer rec.Release()
	return writeSnapshot(t, map[string][]arrow.RecordBatch{"t": {rec}}, &snapshot.CreateOptions{RowGroupRows: 500})
}

// countSum reads all of table t.
func countSum(db *snapshot.DB) (n, sum int64, err error) {
	rr, err := db.ReadTable(context.Background(), "t", nil, 256)
	if err != nil {
		return 0, 0, err
	}
	defer rr.Release()
	for rr.Next() {
		col := rr.RecordBatch().Column(0).(*array.Int64)
		for i := 0; i < col.Len(); i++ {
			sum += col.Value(i)
		}
		n += int64(col.Len())
	}
	return n, sum, rr.Err()
}

func TestHotSwap(t *testing.T) {
	a := versioned(t, 3000, 0)
	b := filepath.Join(t.TempDir(), "b.snap") // one of the two as a container
	if _, err := snapshot.Pack(versioned(t, 2000, 1_000_000), b, nil); err != nil {
		t.Fatal(err)
	}
	want := map[[2]int64]string{
		{3000, 3000 * 2999 / 2}:              "a",
		{2000, 2000*1_000_000 + 2000*1999/2}: "b",
	}
	db, err := snapshot.Open(a, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	var stop atomic.Bool
	var seen sync.Map
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				n, sum, err := countSum(db)
				if err != nil {
					errs <- err
					return
				}
				which, ok := want[[2]int64{n, sum}]
				if !ok {
					errs <- fmt.Errorf("result (%d rows, sum %d) is from neither snapshot", n, sum)
					return
				}
				seen.Store(which, true)
			}
		}()
	}
	for i := range 100 {
		p := a
		if i%2 == 0 {
			p = b
		}
		if _, err := db.Load(p); err != nil {
			t.Errorf("Load %d: %v", i, err)
		}
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for _, w := range []string{"a", "b"} {
		if _, ok := seen.Load(w); !ok {
			t.Errorf("no reader ever saw snapshot %s", w)
		}
	}
}

func TestFailedLoadKeepsServing(t *testing.T) {
	a := versioned(t, 100, 0)
	db, err := snapshot.Open(a, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	root := db.RootHash()

	corrupt := versioned(t, 100, 5)
	os.Truncate(filepath.Join(corrupt, "t.parquet"), 10)
	newer := versioned(t, 100, 7)
	mb, _ := os.ReadFile(filepath.Join(newer, "manifest.json"))
	os.WriteFile(filepath.Join(newer, "manifest.json"), []byte(strings.Replace(string(mb), `"format_version": 1`, `"format_version": 9`, 1)), 0o644)
	junk := filepath.Join(t.TempDir(), "junk.snap")
	os.WriteFile(junk, []byte("not a container"), 0o644)

	for _, tt := range []struct {
		name, path string
		want       error
	}{
		{"missing", filepath.Join(t.TempDir(), "nope"), snapshot.ErrNotSnapshot},
		{"corrupt", corrupt, snapshot.ErrIntegrity},
		{"newer version", newer, manifest.ErrNewerVersion},
		{"not a container", junk, snapshot.ErrBadMagic},
	} {
		_, err := db.Load(tt.path)
		if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), "the snapshot being served is unchanged") {
			t.Errorf("Load(%s) error = %v, want %v", tt.name, err, tt.want)
		}
		if db.RootHash() != root {
			t.Errorf("after the failed Load(%s) the root hash changed", tt.name)
		}
		if n, _, err := countSum(db); err != nil || n != 100 {
			t.Errorf("after the failed Load(%s): %d rows, %v", tt.name, n, err)
		}
	}
}

func TestReaderOutlivesLoadAndClose(t *testing.T) {
	a, b := versioned(t, 5000, 0), versioned(t, 10, 0)
	db, err := snapshot.Open(a, nil)
	if err != nil {
		t.Fatal(err)
	}
	rr, err := db.ReadTable(context.Background(), "t", nil, 100)
	if err != nil {
		t.Fatal(err)
	}
	if !rr.Next() {
		t.Fatal("no first batch")
	}
	n := rr.RecordBatch().NumRows()
	if _, err := db.Load(b); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for rr.Next() {
		n += rr.RecordBatch().NumRows()
	}
	if err := rr.Err(); err != nil || n != 5000 {
		t.Errorf("reader across Load and Close: %d rows, %v; want 5000", n, err)
	}
	rr.Release()
	if _, err := db.ReadTable(context.Background(), "t", nil, 0); !errors.Is(err, snapshot.ErrClosed) {
		t.Errorf("ReadTable after Close error = %v, want ErrClosed", err)
	}
	if _, err := db.Load(a); !errors.Is(err, snapshot.ErrClosed) {
		t.Errorf("Load after Close error = %v, want ErrClosed", err)
	}
}

func TestSave(t *testing.T) {
	dir, tables := smallSnapshot(t)
	db, err := snapshot.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	base := t.TempDir()
	for _, dst := range []string{filepath.Join(base, "copy"), filepath.Join(base, "copy.snap")} {
		meta, err := db.Save(dst, nil)
		if err != nil {
			t.Fatal(err)
		}
		if meta.RootHash != db.RootHash() || meta.Path != dst || meta.Tables != 2 {
			t.Errorf("Save(%s) = %+v", dst, meta)
		}
		c, err := snapshot.Open(dst, &snapshot.Options{VerifyOnOpen: true})
		if err != nil {
			t.Fatal(err)
		}
		assertTableEquals(t, c, "genes", nil, tables["genes"])
		c.Close()
		if _, err := db.Save(dst, nil); !errors.Is(err, snapshot.ErrExists) {
			t.Errorf("second Save(%s) error = %v, want ErrExists", dst, err)
		}
		if _, err := db.Save(dst, &snapshot.SaveOptions{Overwrite: true}); err != nil {
			t.Errorf("Save(%s, Overwrite) error = %v", dst, err)
		}
	}
	// A subset has its own manifest.
	sub := filepath.Join(base, "sub")
	meta, err := db.Save(sub, &snapshot.SaveOptions{Tables: []string{"my table"}})
	if err != nil {
		t.Fatal(err)
	}
	if meta.Tables != 1 || meta.RootHash == db.RootHash() {
		t.Errorf("Save(subset) = %+v", meta)
	}
	if _, err := db.Save(filepath.Join(base, "x"), &snapshot.SaveOptions{Tables: []string{"nope"}}); !errors.Is(err, snapshot.ErrNoTable) {
		t.Errorf("Save(unknown table) error = %v, want ErrNoTable", err)
	}
	// Never over something that is not a snapshot.
	precious := filepath.Join(base, "precious.snap")
	os.WriteFile(precious, []byte("keep"), 0o644)
	if _, err := db.Save(precious, &snapshot.SaveOptions{Overwrite: true}); !errors.Is(err, snapshot.ErrExists) {
		t.Errorf("Save over a non-container error = %v, want ErrExists", err)
	}
	if b, _ := os.ReadFile(precious); string(b) != "keep" {
		t.Error("Save overwrote a file that is not a container")
	}
	b, _ := json.Marshal(meta)
	var back snapshot.SnapshotMeta
	if err := json.Unmarshal(b, &back); err != nil || back.RootHash != meta.RootHash || back.WALLSN != nil {
		t.Errorf("SnapshotMeta JSON round trip: %s → %+v (%v)", b, back, err)
	}
}

// withNLP adds an nlp/ file built from table src to the snapshot dir, as
// the NLP builder does (a new manifest, written last).
func withNLP(t *testing.T, dir, src string) {
	t.Helper()
	os.Mkdir(filepath.Join(dir, "nlp"), 0o755)
	content := []byte("automaton bytes for the test")
	os.WriteFile(filepath.Join(dir, "nlp", "automaton.bin"), content, 0o644)
	db, err := snapshot.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := db.Manifest()
	db.Close()
	tbl, _ := m.Table(src)
	fc, _ := hashBytes(content)
	m.NLP = &manifest.NLP{SourceTable: src, SourceBLAKE3: tbl.BLAKE3, Files: []manifest.File{
		{Path: "nlp/automaton.bin", Bytes: int64(len(content)), SHA256: fc[0], BLAKE3: fc[1]}}}
	data, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "manifest.json"), data, 0o644)
}

func TestNLPFilesTravel(t *testing.T) {
	dir, _ := smallSnapshot(t)
	withNLP(t, dir, "genes")
	base := t.TempDir()
	file := filepath.Join(base, "n.snap")
	if _, err := snapshot.Pack(dir, file, nil); err != nil {
		t.Fatal(err)
	}
	db, err := snapshot.Open(file, &snapshot.Options{VerifyOnOpen: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if in := db.Info(); in.NLP == nil || in.NLP.Files[0] != "nlp/automaton.bin" {
		t.Fatalf("Info().NLP = %+v", in.NLP)
	}
	back := filepath.Join(base, "back")
	if _, err := db.Save(back, nil); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(back, "nlp", "automaton.bin")); string(b) != "automaton bytes for the test" {
		t.Errorf("NLP file after .snap → dir = %q", b)
	}
	// The NLP file goes along only with its source table.
	with, _ := db.Save(filepath.Join(base, "with"), &snapshot.SaveOptions{Tables: []string{"genes"}})
	without, _ := db.Save(filepath.Join(base, "without"), &snapshot.SaveOptions{Tables: []string{"my table"}})
	for p, want := range map[string]bool{with.Path: true, without.Path: false} {
		_, err := os.Stat(filepath.Join(p, "nlp", "automaton.bin"))
		if got := err == nil; got != want {
			t.Errorf("%s has the NLP file: %v, want %v", p, got, want)
		}
		if _, err := snapshot.VerifyPath(context.Background(), p, nil); err != nil {
			t.Errorf("VerifyPath(%s) = %v", p, err)
		}
	}
}

func TestRestore(t *testing.T) {
	dir, tables := smallSnapshot(t)
	src, _ := snapshot.Open(dir, nil)
	root := src.RootHash()
	src.Close()
	base := t.TempDir()

	if _, err := snapshot.Restore(context.Background(), dir, nil); err == nil || !strings.Contains(err.Error(), "NewRoot is required") {
		t.Errorf("Restore without NewRoot error = %v", err)
	}
	local := filepath.Join(base, "scratch", "job1", "snap") // parents are created
	db, err := snapshot.Restore(context.Background(), dir, &snapshot.RestoreOptions{NewRoot: local})
	if err != nil {
		t.Fatal(err)
	}
	if db.Path() != local || db.RootHash() != root {
		t.Errorf("restored at %s with root %s, want %s and %s", db.Path(), db.RootHash(), local, root)
	}
	assertTableEquals(t, db, "genes", nil, tables["genes"])
	db.Close()

	if _, err := snapshot.Restore(context.Background(), dir, &snapshot.RestoreOptions{NewRoot: local}); !errors.Is(err, snapshot.ErrExists) {
		t.Errorf("Restore into a non-empty NewRoot error = %v, want ErrExists", err)
	}
	db, err = snapshot.Restore(context.Background(), dir, &snapshot.RestoreOptions{NewRoot: local, Overwrite: true})
	if err != nil {
		t.Fatalf("Restore(Overwrite) = %v", err)
	}
	db.Close()

	// From a container, removing the source once the copy verified.
	file := filepath.Join(base, "s.snap")
	snapshot.Pack(dir, file, nil)
	db, err = snapshot.Restore(context.Background(), file, &snapshot.RestoreOptions{NewRoot: filepath.Join(base, "from-snap"),
		RemoveSource: true, Overrides: &snapshot.Options{VerifyOnOpen: true}})
	if err != nil {
		t.Fatal(err)
	}
	if db.RootHash() != root || db.Info().Backend != snapshot.BackendDirectory {
		t.Errorf("restore from .snap: %+v", db.Info())
	}
	db.Close()
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("RemoveSource left %s (%v)", file, err)
	}
}

func TestRestoreOfDamagedSourceLeavesNothing(t *testing.T) {
	dir, _ := smallSnapshot(t)
	p := filepath.Join(dir, "genes.parquet")
	b, _ := os.ReadFile(p)
	b[300] ^= 0xff // same size: Open cannot see it, the copy's hashes can
	os.WriteFile(p, b, 0o644)
	local := filepath.Join(t.TempDir(), "local")
	_, err := snapshot.Restore(context.Background(), dir, &snapshot.RestoreOptions{NewRoot: local, RemoveSource: true})
	if !errors.Is(err, snapshot.ErrIntegrity) || !strings.Contains(err.Error(), "genes") {
		t.Fatalf("Restore(damaged) error = %v, want ErrIntegrity naming genes", err)
	}
	if _, err := os.Stat(local); !os.IsNotExist(err) {
		t.Errorf("a failed restore left %s", local)
	}
	assertNoTempSiblings(t, local)
	if _, err := os.Stat(filepath.Join(dir, "manifest.json")); err != nil {
		t.Errorf("a failed restore touched the source: %v", err)
	}
}

// hashBytes returns the SHA-256 and BLAKE3 of b in hex.
func hashBytes(b []byte) ([2]string, error) {
	s := sha256.Sum256(b)
	b3 := blake3.Sum256(b)
	return [2]string{hex.EncodeToString(s[:]), hex.EncodeToString(b3[:])}, nil
}
