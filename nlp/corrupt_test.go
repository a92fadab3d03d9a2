package nlp_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/snapdb/snapdb/nlp"
)

// Corrupt inputs are derived in code from a good file built from fuzzDict.

func goodFile(tb testing.TB) []byte {
	tb.Helper()
	return build(tb, fuzzDict, &nlp.BuildOptions{StopWords: []string{}})
}

func writeFile(tb testing.TB, data []byte) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "automaton.bin")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

// TestTruncated cuts the file at every section boundary, inside the header
// and at random points: Open and Load must fail with ErrTruncated or
// ErrFormat.
func TestTruncated(t *testing.T) {
	good := goodFile(t)
	cuts := map[int]bool{0: true, 1: true, 7: true, 8: true, 11: true, 12: true, hdrFixed - 1: true, hdrFixed: true}
	for _, s := range sections(t, good) {
		cuts[int(s.offset)] = true
		cuts[int(s.offset+s.length)] = true
		if s.length > 1 {
			cuts[int(s.offset+s.length)-1] = true
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 50 {
		cuts[r.IntN(len(good))] = true
	}
	delete(cuts, len(good))
	for cut := range cuts {
		data := good[:cut]
		_, err := nlp.Load(data)
		if !errors.Is(err, nlp.ErrTruncated) && !errors.Is(err, nlp.ErrFormat) {
			t.Errorf("Load(first %d of %d bytes) error = %v, want ErrTruncated or ErrFormat", cut, len(good), err)
		}
		if !isTyped(err) {
			t.Errorf("Load(first %d bytes) error = %v (%T), want an *nlp.Error", cut, err, err)
		}
	}
	// Through Open, at the section boundaries only (a file each).
	for _, s := range sections(t, good) {
		path := writeFile(t, good[:s.offset+s.length/2])
		_, err := nlp.Open(path)
		var e *nlp.Error
		if !errors.As(err, &e) || e.Op != "open" || e.Path != path || !errors.Is(err, nlp.ErrTruncated) {
			t.Errorf("Open(cut inside section %d) error = %#v, want an *nlp.Error{Op: open} wrapping ErrTruncated", s.id, err)
		}
	}
	// Trailing bytes are not a truncation, but still refused.
	if _, err := nlp.Load(append(append([]byte(nil), good...), 0)); !errors.Is(err, nlp.ErrFormat) {
		t.Errorf("Load(file + 1 byte) error = %v, want ErrFormat", err)
	}
}

// TestHeaderByteFlips changes every byte of the header (magic, versions,
// counts, section table, CRC), one at a time, in two ways: Open must
// detect every change.
func TestHeaderByteFlips(t *testing.T) {
	good := goodFile(t)
	size := int(binary.LittleEndian.Uint32(good[hdrSize:]))
	for i := range size {
		for _, delta := range []byte{1, 0x80} {
			data := append([]byte(nil), good...)
			data[i] += delta
			_, err := nlp.Load(data)
			if err == nil {
				t.Errorf("Load() with header byte %d changed by %#x: no error", i, delta)
				continue
			}
			if !isTyped(err) {
				t.Errorf("Load() with header byte %d changed: error = %v, want a typed error", i, err)
			}
		}
	}
	// Through Open too, for a few.
	for _, i := range []int{0, 9, 24, 33, hdrFixed + 8, size - 1} {
		data := append([]byte(nil), good...)
		data[i] ^= 0xff
		if _, err := nlp.Open(writeFile(t, data)); !isTyped(err) {
			t.Errorf("Open() with header byte %d flipped: error = %v, want a typed error", i, err)
		}
	}
}

// TestSectionBitFlips flips bits in every section. The big sections are not
// read by Open, so Open succeeds and Verify reports ErrChecksum; the two
// small metadata sections that Open reads are caught by Open itself.
func TestSectionBitFlips(t *testing.T) {
	good := goodFile(t)
	path := writeFile(t, good)
	for _, s := range sections(t, good) {
		if s.length == 0 {
			continue
		}
		for _, pos := range []uint64{0, s.length / 2, s.length - 1} {
			for _, bit := range []byte{1, 0x10, 0x80} {
				data := append([]byte(nil), good...)
				data[s.offset+pos] ^= bit
				if err := os.WriteFile(path, data, 0o644); err != nil {
					t.Fatal(err)
				}
				a, err := nlp.Open(path)
				if s.id == 8 || s.id == 9 { // entity types, options
					if !errors.Is(err, nlp.ErrChecksum) {
						t.Errorf("Open() with section %d byte %d bit %#x flipped: error = %v, want ErrChecksum", s.id, pos, bit, err)
					}
					continue
				}
				if err != nil {
					t.Errorf("Open() with section %d byte %d flipped: error = %v, want success (Open reads no section data)", s.id, pos, err)
					continue
				}
				err = a.Verify()
				var e *nlp.Error
				if !errors.Is(err, nlp.ErrChecksum) || !errors.As(err, &e) || e.Op != "verify" || e.Path != path {
					t.Errorf("Verify() with section %d byte %d bit %#x flipped: error = %v, want an *nlp.Error{Op: verify} wrapping ErrChecksum", s.id, pos, bit, err)
				}
				a.Close()
			}
		}
	}
}

// TestStructuralCorruption changes section bytes and recomputes every CRC,
// so only the structural checks of Verify can notice. Match must never
// panic, may fail only with ErrFormat, and must not fail once Verify
// passed. Verify must catch every change except those that leave a valid
// automaton: an alias record's entity id (any id is valid, and these keys
// have one record each) or its alias type (preferred and synonym are both
// valid).
func TestStructuralCorruption(t *testing.T) {
	good := goodFile(t)
	caught, total := 0, 0
	for _, s := range sections(t, good) {
		if s.id == 8 || s.id == 9 || s.length == 0 {
			continue
		}
		step := max(1, s.length/97)
		for pos := uint64(0); pos < s.length; pos += step {
			for _, bit := range []byte{1, 0x40} {
				data := append([]byte(nil), good...)
				data[s.offset+pos] ^= bit
				data, _ = fixCRCs(data)
				a, err := nlp.Load(data)
				if err != nil {
					t.Fatalf("Load() with fixed CRCs: %v", err)
				}
				verr := a.Verify()
				harmless := s.id == 6 && (pos%16 < 8 || pos%16 == 14 && bit == 1)
				if !harmless {
					total++
					if verr != nil {
						caught++
					} else {
						t.Errorf("Verify() with section %d byte %d bit %#x changed: no error", s.id, pos, bit)
					}
				}
				if verr != nil && !errors.Is(verr, nlp.ErrFormat) {
					t.Errorf("Verify() with section %d byte %d changed: %v, want ErrFormat", s.id, pos, verr)
				}
				for _, text := range []string{fuzzText, strings.ToUpper(fuzzText)} {
					if _, err := a.Match(text); err != nil && (verr == nil || !errors.Is(err, nlp.ErrFormat)) {
						t.Errorf("Match() with section %d byte %d changed: %v (Verify: %v)", s.id, pos, err, verr)
					}
					if _, err := a.MatchAll(text); err != nil && (verr == nil || !errors.Is(err, nlp.ErrFormat)) {
						t.Errorf("MatchAll() with section %d byte %d changed: %v (Verify: %v)", s.id, pos, err, verr)
					}
				}
			}
		}
	}
	t.Logf("Verify caught %d of %d structural changes", caught, total)
	if total < 500 {
		t.Errorf("only %d changes tried", total)
	}
}

// patchSection returns a copy of data with f applied to the bytes of section
// id, and every CRC recomputed.
func patchSection(tb testing.TB, data []byte, id uint32, f func([]byte)) []byte {
	tb.Helper()
	out := append([]byte(nil), data...)
	for _, s := range sections(tb, out) {
		if s.id == id {
			f(out[s.offset : s.offset+s.length])
		}
	}
	out, _ = fixCRCs(out)
	return out
}

// TestVersions: a newer major version is refused, naming both versions; a
// newer minor version is read; an unknown required feature flag and another
// normalisation version are refused with ErrVersion.
func TestVersions(t *testing.T) {
	good := goodFile(t)

	data := append([]byte(nil), good...)
	binary.LittleEndian.PutUint16(data[8:], nlp.VersionMajor+1)
	binary.LittleEndian.PutUint16(data[10:], 3)
	_, err := nlp.Open(writeFile(t, fixHeaderCRC(data)))
	if !errors.Is(err, nlp.ErrVersion) {
		t.Fatalf("Open(major %d) error = %v, want ErrVersion", nlp.VersionMajor+1, err)
	}
	for _, want := range []string{fmt.Sprintf("%d.3", nlp.VersionMajor+1), fmt.Sprintf("%d.x", nlp.VersionMajor)} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Open(major %d) error = %q, want it to name version %s", nlp.VersionMajor+1, err, want)
		}
	}

	// Format 1 (separate first_child and label arrays) is no longer read.
	data = append([]byte(nil), good...)
	binary.LittleEndian.PutUint16(data[8:], 1)
	binary.LittleEndian.PutUint16(data[10:], 0)
	if _, err := nlp.Load(fixHeaderCRC(data)); !errors.Is(err, nlp.ErrVersion) || !strings.Contains(err.Error(), "1.0") {
		t.Errorf("Load(major 1) error = %v, want ErrVersion naming 1.0", err)
	}

	data = append([]byte(nil), good...)
	binary.LittleEndian.PutUint16(data[10:], nlp.VersionMinor+7)
	a, err := nlp.Load(fixHeaderCRC(data))
	if err != nil {
		t.Fatalf("Load(minor %d) error = %v, want success", nlp.VersionMinor+7, err)
	}
	if err := a.Verify(); err != nil {
		t.Errorf("Verify(minor %d) error = %v", nlp.VersionMinor+7, err)
	}
	if got, want := a.Info().VersionMinor, nlp.VersionMinor+7; got != want {
		t.Errorf("Info().VersionMinor = %d, want %d", got, want)
	}

	data = append([]byte(nil), good...)
	binary.LittleEndian.PutUint32(data[16:], 1)
	if _, err := nlp.Load(fixHeaderCRC(data)); !errors.Is(err, nlp.ErrVersion) {
		t.Errorf("Load(flags 1) error = %v, want ErrVersion", err)
	}

	data = patchSection(t, good, 9, func(b []byte) { binary.LittleEndian.PutUint32(b[4:], nlp.NormVersion+1) })
	_, err = nlp.Load(data)
	if !errors.Is(err, nlp.ErrVersion) || !strings.Contains(err.Error(), "normalisation version 2") {
		t.Errorf("Load(norm version 2) error = %v, want ErrVersion naming it", err)
	}
}

// TestOpenIsConstantTime is the proof that Open does no work proportional
// to the contents: it succeeds on a file whose big sections are all
// garbage (wrong CRCs and all), which it could not if it read them; Verify,
// which reads them, fails.
func TestOpenIsConstantTime(t *testing.T) {
	good := goodFile(t)
	data := append([]byte(nil), good...)
	r := rand.New(rand.NewPCG(3, 4))
	for _, s := range sections(t, data) {
		if s.id == 8 || s.id == 9 {
			continue
		}
		for i := s.offset; i < s.offset+s.length; i++ {
			data[i] = byte(r.Uint32())
		}
	}
	a, err := nlp.Open(writeFile(t, data))
	if err != nil {
		t.Fatalf("Open(garbage sections) error = %v, want success", err)
	}
	defer a.Close()
	if err := a.Verify(); !errors.Is(err, nlp.ErrChecksum) {
		t.Errorf("Verify(garbage sections) error = %v, want ErrChecksum", err)
	}
	// Matching garbage may fail, but only with ErrFormat.
	if _, err := a.MatchAll(fuzzText); err != nil && !errors.Is(err, nlp.ErrFormat) {
		t.Errorf("MatchAll(garbage sections) error = %v, want nil or ErrFormat", err)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := nlp.Open(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open(missing) error = %v, want os.ErrNotExist", err)
	}
	if _, err := nlp.Open(dir); !errors.Is(err, nlp.ErrFormat) {
		t.Errorf("Open(directory) error = %v, want ErrFormat", err)
	}
	if _, err := nlp.Open(writeFile(t, nil)); !errors.Is(err, nlp.ErrTruncated) {
		t.Errorf("Open(empty file) error = %v, want ErrTruncated", err)
	}
	if _, err := nlp.Open(writeFile(t, []byte("PAR1 this is not an automaton at all, it is longer than a header........................................................................................................................."))); !errors.Is(err, nlp.ErrFormat) {
		t.Errorf("Open(other file) error = %v, want ErrFormat", err)
	}
	for _, sentinel := range []error{nlp.ErrFormat, nlp.ErrVersion, nlp.ErrChecksum, nlp.ErrTruncated, nlp.ErrFault, nlp.ErrClosed} {
		for _, other := range []error{nlp.ErrFormat, nlp.ErrVersion, nlp.ErrChecksum, nlp.ErrTruncated, nlp.ErrFault, nlp.ErrClosed} {
			if sentinel != other && errors.Is(sentinel, other) {
				t.Errorf("%v is %v: the sentinels must be distinct", sentinel, other)
			}
		}
	}
}
