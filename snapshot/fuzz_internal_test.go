package snapshot

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzContainer feeds arbitrary bytes to the container reader: it must
// refuse them with an error or open them, never panic; an opened container
// must verify (or report mismatches) without panicking either.
func FuzzContainer(f *testing.F) {
	golden, err := os.ReadFile(filepath.Join("testdata", "container", "v1", "golden.snap"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(golden)
	for _, n := range []int{0, 8, 64, 96, 4096, len(golden) / 2, len(golden) - 1} {
		f.Add(golden[:n])
	}
	for _, off := range []int{0, 8, 12, 16, 30, len(golden) - 32, len(golden) - 20, len(golden) - 12, len(golden) - 60} {
		b := bytes.Clone(golden)
		b[off] ^= 0xff
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := containerState("fuzz.snap", bytes.NewReader(data), int64(len(data)), nil)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T) is not a *snapshot.Error", err, err)
			}
			return
		}
		s.refs.Store(1)
		defer s.release()
		_ = s.root()
		_ = s.meta()
		if _, err := verifyState(context.Background(), s, &Options{}); err != nil && !errors.Is(err, ErrIntegrity) {
			t.Fatalf("Verify of an opened container: %v", err)
		}
	})
}
