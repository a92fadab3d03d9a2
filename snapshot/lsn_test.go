package snapshot_test

import (
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/snapdb/snapdb/manifest"
	"github.com/snapdb/snapdb/snapshot"
)

func TestParseLSN(t *testing.T) {
	for in, want := range map[string]uint64{
		"0/0": 0, "0/16B3748": 0x16B3748, "16/B374D848": 0x16_B374D848, "FFFFFFFF/FFFFFFFF": 1<<64 - 1, "a/b": 0xa_0000000b,
	} {
		got, ok := snapshot.ParseLSN(in)
		if !ok || got != want {
			t.Errorf("ParseLSN(%q) = %#x, %v, want %#x", in, got, ok, want)
		}
		if back, _ := snapshot.ParseLSN(snapshot.FormatLSN(got)); back != got {
			t.Errorf("ParseLSN(FormatLSN(%#x)) = %#x", got, back)
		}
	}
	for _, bad := range []string{"", "/", "0/", "/0", "0", "0/0/0", "g/0", "100000000/0", "0/-1", " 0/0", "0/+1"} {
		if v, ok := snapshot.ParseLSN(bad); ok {
			t.Errorf("ParseLSN(%q) = %#x, want an error", bad, v)
		}
	}
}

func FuzzParseLSN(f *testing.F) {
	for _, s := range []string{"0/0", "16/B374D848", "FFFFFFFF/FFFFFFFF", "", "x/y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := snapshot.ParseLSN(s)
		if !ok {
			return
		}
		if back, ok := snapshot.ParseLSN(snapshot.FormatLSN(v)); !ok || back != v {
			t.Fatalf("ParseLSN(%q) = %#x, but FormatLSN gives %q", s, v, snapshot.FormatLSN(v))
		}
	})
}

// TestWALLSNCarried: a manifest's source.wal_lsn is the snapshot's
// WALLSN, in a directory and in the header of the .snap packed from it;
// an unreadable one is no position.
func TestWALLSNCarried(t *testing.T) {
	sc := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}}, nil)
	recs := makeRecords(t, memory.DefaultAllocator, sc, 10, 10, 1)
	defer release(recs)
	for lsnText, want := range map[string]*uint64{"16/B374D848": ptr(uint64(0x16_B374D848)), "not an lsn": nil} {
		raw, _ := json.Marshal(lsnText)
		dir := writeSnapshot(t, map[string][]arrow.RecordBatch{"t": recs}, &snapshot.CreateOptions{
			Source: manifest.Source{Engine: "postgresql", Database: "db", Extra: map[string]json.RawMessage{snapshot.WALLSNKey: raw}},
		})
		file := filepath.Join(t.TempDir(), "t.snap")
		packed, err := snapshot.Pack(dir, file, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{dir, file} {
			db, err := snapshot.Open(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			got := db.Meta().WALLSN
			db.Close()
			if (got == nil) != (want == nil) || got != nil && *got != *want {
				t.Errorf("%s with wal_lsn %q: WALLSN = %v, want %v", filepath.Base(path), lsnText, deref(got), deref(want))
			}
		}
		if (packed.WALLSN == nil) != (want == nil) {
			t.Errorf("Pack's meta WALLSN = %v, want %v", deref(packed.WALLSN), deref(want))
		}
		// The header (docs/container.md): flags at byte 12, the LSN at 16.
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		flags, lsn := binary.LittleEndian.Uint32(b[12:]), binary.LittleEndian.Uint64(b[16:])
		if want == nil && (flags != 0 || lsn != 0) || want != nil && (flags != 1 || lsn != *want) {
			t.Errorf("header flags %#x, LSN %#x; want the LSN %v flagged", flags, lsn, deref(want))
		}
	}
}

func ptr[T any](v T) *T { return &v }

func deref(p *uint64) any {
	if p == nil {
		return nil
	}
	return *p
}
