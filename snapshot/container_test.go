package snapshot_test

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/snapdb/snapdb/snapshot"
)

func TestPackUnpackRoundTrip(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	sc := allTypes()
	recs := makeRecords(t, mem, sc, 1500, 500, 11)
	defer release(recs)
	other := makeRecords(t, mem, sc, 3, 3, 12)
	defer release(other)
	dir := writeSnapshot(t, map[string][]arrow.RecordBatch{"all_types": recs, "small one": other}, nil)
	base := filepath.Dir(dir)

	orig, err := snapshot.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer orig.Close()

	file := filepath.Join(base, "x.snap")
	meta, err := snapshot.Pack(dir, file, nil)
	if err != nil {
		t.Fatal(err)
	}
	if meta.RootHash != orig.RootHash() {
		t.Errorf("Pack root hash = %s, want %s", meta.RootHash, orig.RootHash())
	}
	for _, p := range []string{file, "snap://" + file} {
		db, err := snapshot.Open(p, &snapshot.Options{Mem: mem, VerifyOnOpen: true})
		if err != nil {
			t.Fatalf("Open(%s): %v", p, err)
		}
		if got := db.Info(); got.Backend != snapshot.BackendContainer || got.RootHash != orig.RootHash() || got.Rows != 1503 {
			t.Errorf("Info() of the container = %+v", got)
		}
		assertTableEquals(t, db, "all_types", nil, recs)
		assertTableEquals(t, db, "small one", []string{"s", "i64"}, other)
		db.Close()
	}

	back := filepath.Join(base, "back")
	meta, err = snapshot.Unpack(file, back, nil)
	if err != nil {
		t.Fatal(err)
	}
	if meta.RootHash != orig.RootHash() {
		t.Errorf("Unpack root hash = %s, want %s", meta.RootHash, orig.RootHash())
	}
	for _, name := range []string{"all_types.parquet", "small one.parquet", "manifest.json"} {
		a, _ := os.ReadFile(filepath.Join(dir, name))
		b, _ := os.ReadFile(filepath.Join(back, name))
		if string(a) != string(b) || len(a) == 0 {
			t.Errorf("%s differs after dir → .snap → dir", name)
		}
	}
	if _, err := snapshot.VerifyPath(context.Background(), file, nil); err != nil {
		t.Errorf("VerifyPath(container) = %v", err)
	}
}

// packed returns a fresh container of a small snapshot.
func packed(t *testing.T) string {
	t.Helper()
	dir, _ := smallSnapshot(t)
	file := filepath.Join(filepath.Dir(dir), "s.snap")
	if _, err := snapshot.Pack(dir, file, nil); err != nil {
		t.Fatal(err)
	}
	return file
}

// layout reads a container's index offset and length from its footer.
func layout(t *testing.T, b []byte) (indexOff, indexLen int) {
	t.Helper()
	f := b[len(b)-32:]
	return int(binary.LittleEndian.Uint64(f[0:])), int(binary.LittleEndian.Uint64(f[8:]))
}

func TestContainerEveryStructuralByteFlipIsDetected(t *testing.T) {
	file := packed(t)
	good, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	indexOff, _ := layout(t, good)
	var offsets []int
	for i := 0; i < 64; i++ { // header
		offsets = append(offsets, i)
	}
	for i := indexOff; i < len(good); i++ { // index and footer
		offsets = append(offsets, i)
	}
	bad := filepath.Join(t.TempDir(), "bad.snap")
	for _, off := range offsets {
		for _, mask := range []byte{0x01, 0x80} {
			b := append([]byte(nil), good...)
			b[off] ^= mask
			if err := os.WriteFile(bad, b, 0o644); err != nil {
				t.Fatal(err)
			}
			db, err := snapshot.Open(bad, nil)
			if err == nil {
				db.Close()
				t.Errorf("byte %d ^ %#x: Open succeeded, want an error", off, mask)
			}
		}
	}
	t.Logf("%d structural bytes flipped two ways each, all detected", len(offsets))
}

func TestContainerErrorsAreDistinct(t *testing.T) {
	file := packed(t)
	good, _ := os.ReadFile(file)
	indexOff, _ := layout(t, good)
	write := func(b []byte) string {
		p := filepath.Join(t.TempDir(), "c.snap")
		os.WriteFile(p, b, 0o644)
		return p
	}
	mod := func(f func(b []byte) []byte) string { return write(f(append([]byte(nil), good...))) }
	tests := []struct {
		name   string
		path   string
		want   error
		wantIn string
	}{
		{"bad magic", mod(func(b []byte) []byte { b[0] = 'X'; return b }), snapshot.ErrBadMagic, "bad magic"},
		{"not a container at all", write([]byte(strings.Repeat("hello, world\n", 100))), snapshot.ErrBadMagic, "neither a snapshot directory nor a .snap container"},
		{"newer version", mod(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[8:], 2); return b }), snapshot.ErrUnsupportedVersion, "version 2; this snapdb reads versions 1 to 1"},
		{"header CRC", mod(func(b []byte) []byte { b[40] = 1; return b }), snapshot.ErrChecksum, "CRC-32C"},
		{"index CRC", mod(func(b []byte) []byte { b[indexOff+5] ^= 1; return b }), snapshot.ErrChecksum, "CRC-32C"},
		{"manifest section CRC", mod(func(b []byte) []byte {
			i := strings.Index(string(b), `"format": "snapdb"`)
			b[i+1] = 'F'
			return b
		}), snapshot.ErrChecksum, "manifest section"},
		{"truncated in the middle", write(good[:len(good)/2]), snapshot.ErrTruncated, "cut short"},
		{"truncated by one byte", write(good[:len(good)-1]), snapshot.ErrTruncated, "cut short"},
		{"truncated to the header", write(good[:64]), snapshot.ErrTruncated, "at least 96"},
		{"empty", write(nil), snapshot.ErrTruncated, "0 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := snapshot.Open(tt.path, nil)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.wantIn) {
				t.Fatalf("Open error = %v, want %v containing %q", err, tt.want, tt.wantIn)
			}
			if errors.Is(tt.want, snapshot.ErrBadMagic) && !errors.Is(err, snapshot.ErrNotSnapshot) {
				t.Errorf("error %v is not ErrNotSnapshot", err)
			}
			for _, other := range []error{snapshot.ErrBadMagic, snapshot.ErrUnsupportedVersion, snapshot.ErrChecksum, snapshot.ErrTruncated} {
				if other != tt.want && errors.Is(err, other) {
					t.Errorf("error %v is also %v", err, other)
				}
			}
			if _, verr := snapshot.VerifyPath(context.Background(), tt.path, nil); !errors.Is(verr, tt.want) {
				t.Errorf("VerifyPath error = %v, want %v", verr, tt.want)
			}
		})
	}
}

func TestContainerTruncatedAnywhere(t *testing.T) {
	file := packed(t)
	good, _ := os.ReadFile(file)
	p := filepath.Join(t.TempDir(), "cut.snap")
	for _, n := range []int{1, 7, 8, 63, 64, 4095, 4096, 5000, len(good) / 3, len(good) - 33, len(good) - 32, len(good) - 31} {
		os.WriteFile(p, good[:n], 0o644)
		if db, err := snapshot.Open(p, nil); err == nil {
			db.Close()
			t.Errorf("Open of the first %d of %d bytes succeeded", n, len(good))
		}
	}
}

func TestContainerDataFlipFoundByVerify(t *testing.T) {
	file := packed(t)
	b, _ := os.ReadFile(file)
	b[4096+200] ^= 0x10 // inside the first table's data
	os.WriteFile(file, b, 0o644)
	db, err := snapshot.Open(file, nil)
	if err != nil {
		t.Fatalf("Open: %v (a data byte is only Verify's to find)", err)
	}
	defer db.Close()
	_, err = db.Verify(context.Background())
	var ie *snapshot.IntegrityError
	if !errors.As(err, &ie) {
		t.Fatalf("Verify error = %v, want an IntegrityError", err)
	}
	whats := map[string]bool{}
	for _, m := range ie.Mismatches {
		if m.Table != "genes" {
			t.Errorf("mismatch names table %q, want genes", m.Table)
		}
		whats[m.What] = true
	}
	for _, w := range []string{"crc32c", "sha256", "blake3"} {
		if !whats[w] {
			t.Errorf("Verify did not report a %s mismatch: %v", w, ie)
		}
	}
}

// TestGoldenContainers opens a container of every format version ever
// written, kept in testdata/container/v<N>/: each must keep opening, with
// the same root hash and data.
func TestGoldenContainers(t *testing.T) {
	dirs, _ := filepath.Glob(filepath.Join("testdata", "container", "v*"))
	if len(dirs) == 0 {
		t.Fatal("no golden containers under testdata/container")
	}
	for _, d := range dirs {
		t.Run(filepath.Base(d), func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join(d, "root-hash.txt"))
			if err != nil {
				t.Fatal(err)
			}
			db, err := snapshot.Open(filepath.Join(d, "golden.snap"), &snapshot.Options{VerifyOnOpen: true})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if got := db.RootHash(); got != strings.TrimSpace(string(want)) {
				t.Errorf("root hash = %s, want %s", got, want)
			}
			if got := strings.Join(db.Tables(), ","); got != "genes,my table" {
				t.Errorf("tables = %s", got)
			}
			rr, err := db.ReadTable(context.Background(), "genes", nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			var n int64
			for rr.Next() {
				n += rr.RecordBatch().NumRows()
			}
			rr.Release()
			if n != 3000 {
				t.Errorf("genes rows = %d, want 3000", n)
			}
		})
	}
}

// TestWriteGolden writes the golden container of the current format
// version. It runs only when asked (SNAPDB_WRITE_GOLDEN=1), once per new
// version: a golden file, once written, never changes.
func TestWriteGolden(t *testing.T) {
	if os.Getenv("SNAPDB_WRITE_GOLDEN") == "" {
		t.Skip("set SNAPDB_WRITE_GOLDEN=1 to write testdata/container/v<N>/ for a new format version")
	}
	dir, _ := smallSnapshot(t)
	out := filepath.Join("testdata", "container", "v1")
	if _, err := os.Stat(filepath.Join(out, "golden.snap")); err == nil {
		t.Fatalf("%s exists: golden files are never rewritten", out)
	}
	os.MkdirAll(out, 0o755)
	meta, err := snapshot.Pack(dir, filepath.Join(out, "golden.snap"), nil)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(out, "root-hash.txt"), []byte(meta.RootHash+"\n"), 0o644)
}
