package manifest_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/zeebo/blake3"

	"github.com/snapdb/snapdb/manifest"
)

// FuzzManifestParse checks that Parse never panics, that it fails only with
// a *manifest.Error carrying a sentinel, and that whatever it accepts has
// one canonical form: Marshal succeeds, Parse reads that back, Marshal of
// the result gives the same bytes, and RootHash is their BLAKE3.
func FuzzManifestParse(f *testing.F) {
	for _, name := range fixtureNames(f) {
		data := fixture(f, name)
		f.Add(data)
		if m, err := manifest.Parse(data); err == nil {
			if b, err := m.Marshal(); err == nil {
				f.Add(b)
			}
		}
	}
	for _, tc := range corruptCases(f) {
		f.Add(tc.data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := manifest.Parse(data)
		if err != nil {
			var merr *manifest.Error
			if !errors.As(err, &merr) {
				t.Fatalf("Parse() error = %v (%T), want a *manifest.Error", err, err)
			}
			if !errors.Is(err, manifest.ErrInvalid) && !errors.Is(err, manifest.ErrNewerVersion) && !errors.Is(err, manifest.ErrNotManifest) {
				t.Fatalf("Parse() error = %v, want one of the sentinel errors", err)
			}
			if m != nil {
				t.Fatalf("Parse() = %+v, %v, want nil with the error", m, err)
			}
			return
		}
		first, err := m.Marshal()
		if err != nil {
			t.Fatalf("Parse() succeeded but Marshal() error = %v", err)
		}
		m2, err := manifest.Parse(first)
		if err != nil {
			t.Fatalf("Parse(Marshal(m)) error = %v, want nil\n%s", err, first)
		}
		second, err := m2.Marshal()
		if err != nil {
			t.Fatalf("Marshal(Parse(Marshal(m))) error = %v, want nil", err)
		}
		if !bytes.Equal(first, second) {
			t.Fatalf("Marshal(Parse(Marshal(m))) != Marshal(m):\n%s\n----\n%s", first, second)
		}
		if got, want := m2.Dialect, m.Dialect; got != want {
			t.Fatalf("Parse(Marshal(m)).Dialect = %q, want %q", got, want)
		}
		h1, err := m.RootHash()
		if err != nil {
			t.Fatalf("RootHash() error = %v", err)
		}
		h2, err := m2.RootHash()
		if err != nil {
			t.Fatalf("RootHash() of the re-read manifest error = %v", err)
		}
		sum := blake3.Sum256(first)
		if want := hex.EncodeToString(sum[:]); h1 != want || h2 != want {
			t.Fatalf("RootHash() = %s, then %s, want %s", h1, h2, want)
		}
	})
}
