package nlp_test

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"strings"
	"testing"
	"unicode/utf8"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/snapdb/snapdb/nlp"
)

// The header layout, as docs/automaton.md specifies it; the tests read and
// patch files through these, independently of the package's code.
const (
	hdrFixed     = 96
	hdrEntry     = 32
	hdrNSections = 20
	hdrSize      = 12
)

type fileSection struct {
	id, crc        uint32
	offset, length uint64
	entry          int // offset of its entry in the section table
}

// sections reads the section table of a well-formed file.
func sections(tb testing.TB, data []byte) []fileSection {
	tb.Helper()
	n := int(binary.LittleEndian.Uint32(data[hdrNSections:]))
	var out []fileSection
	for i := range n {
		e := hdrFixed + i*hdrEntry
		out = append(out, fileSection{
			id:     binary.LittleEndian.Uint32(data[e:]),
			crc:    binary.LittleEndian.Uint32(data[e+4:]),
			offset: binary.LittleEndian.Uint64(data[e+8:]),
			length: binary.LittleEndian.Uint64(data[e+16:]),
			entry:  e,
		})
	}
	return out
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// fixCRCs returns a copy of data with every section CRC and the header CRC
// recomputed, when the header is readable enough to do so (ok); otherwise
// data itself. It lets fuzzing and corruption tests get past the checksums to
// the structural checks.
func fixCRCs(data []byte) (fixed []byte, ok bool) {
	if len(data) < hdrFixed {
		return data, false
	}
	n := int(binary.LittleEndian.Uint32(data[hdrNSections:]))
	size := hdrFixed + n*hdrEntry + 4
	if n > 64 || len(data) < size || int(binary.LittleEndian.Uint32(data[hdrSize:])) != size {
		return data, false
	}
	out := append([]byte(nil), data...)
	for i := range n {
		e := hdrFixed + i*hdrEntry
		off, length := binary.LittleEndian.Uint64(out[e+8:]), binary.LittleEndian.Uint64(out[e+16:])
		if off <= uint64(len(out)) && length <= uint64(len(out))-off {
			binary.LittleEndian.PutUint32(out[e+4:], crc32.Checksum(out[off:off+length], castagnoli))
		}
	}
	binary.LittleEndian.PutUint32(out[size-4:], crc32.Checksum(out[:size-4], castagnoli))
	return out, true
}

// fixHeaderCRC recomputes only the header CRC of a copy of data.
func fixHeaderCRC(data []byte) []byte {
	out := append([]byte(nil), data...)
	size := int(binary.LittleEndian.Uint32(out[hdrSize:]))
	binary.LittleEndian.PutUint32(out[size-4:], crc32.Checksum(out[:size-4], castagnoli))
	return out
}

// fuzzDict is a small dictionary with every kind of alias the seeds need.
var fuzzDict = []nlp.Alias{
	{Text: "TNF-α", EntityID: 1, EntityType: "gene", Type: nlp.Preferred},
	{Text: "tumor necrosis factor", EntityID: 1, EntityType: "gene", Type: nlp.Synonym},
	{Text: "Sjögren syndrome", EntityID: 2, EntityType: "disease"},
	{Text: "CAT", EntityID: 3, EntityType: "gene"},
	{Text: "CAT", EntityID: 4, EntityType: "chemical", Type: nlp.Code},
	{Text: "new york city", EntityID: 5, EntityType: "place"},
	{Text: "new york", EntityID: 6, EntityType: "place"},
}

const fuzzText = "High TNF-α and tumor necrosis factor in Sjögren syndrome; CAT in new york city, new york."

// isTyped reports whether err is an *nlp.Error wrapping one of the four
// file errors.
func isTyped(err error) bool {
	var e *nlp.Error
	return errors.As(err, &e) && (errors.Is(err, nlp.ErrFormat) || errors.Is(err, nlp.ErrVersion) ||
		errors.Is(err, nlp.ErrChecksum) || errors.Is(err, nlp.ErrTruncated))
}

// FuzzOpen feeds arbitrary bytes to Load, as they are and with their CRCs
// recomputed (so that mutations reach the structural checks). Load must
// fail with one of the typed errors or succeed; then Verify, Match and
// MatchAll must not panic, may fail only with ErrFormat, and must not fail
// at all if Verify passed.
//
// The input is also read as an edit script for a good file (see patch),
// applied with the CRCs recomputed: the fuzzer minimises every input that
// finds new code, in time quadratic in its length, so a few bytes that
// reach deep into Verify and Match are worth more than a whole mutated
// file.
func FuzzOpen(f *testing.F) {
	f.Add(build(f, fuzzDict, &nlp.BuildOptions{StopWords: []string{}}))
	f.Add(build(f, nil, &nlp.BuildOptions{StopWords: []string{}}))
	// Corruptions of a small file: the fuzzer minimises every interesting
	// input, and that costs time quadratic in its size.
	good := build(f, []nlp.Alias{fuzzDict[0], fuzzDict[5], fuzzDict[6]}, &nlp.BuildOptions{StopWords: []string{}})
	f.Add(good)
	for _, s := range sections(f, good) {
		f.Add(good[:s.offset])
		f.Add(good[:s.offset+s.length/2])
		if s.length > 0 {
			c := append([]byte(nil), good...)
			c[s.offset+s.length/2] ^= 0x55
			f.Add(c)
		}
	}
	for _, i := range []int{0, 8, 12, 20, 24, 32, 36, 40, 48, 52, 56, hdrFixed + 8, hdrFixed + 16} {
		c := append([]byte(nil), good...)
		c[i]++
		f.Add(c)
	}
	for _, p := range [][]byte{{0, 0, 0}, {0x40, 0x01, 0xff}, {0xc0, 0x09, 0x01, 0x41, 0x0a, 0x80}, {0x10, 0x0a, 0x02}} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkFile(t, data)
		if fixed, ok := fixCRCs(data); ok {
			checkFile(t, fixed)
		}
		if len(data) <= maxPatch {
			// Only short inputs: a long one is a file, and running every
			// check on a good file for each candidate would make the
			// minimisation of a long input take minutes.
			if fixed, ok := fixCRCs(patch(good, data)); ok {
				checkFile(t, fixed)
			}
		}
	})
}

// maxPatch is the longest edit script: 64 edits.
const maxPatch = 3 * 64

// patch applies an edit script to a copy of file: each 3 bytes of script
// are a little-endian 16-bit offset (modulo the file length) and a byte to
// XOR there.
func patch(file, script []byte) []byte {
	out := append([]byte(nil), file...)
	for i := 0; i+3 <= len(script) && i < maxPatch; i += 3 {
		off := int(binary.LittleEndian.Uint16(script[i:])) % len(out)
		out[off] ^= script[i+2]
	}
	return out
}

func checkFile(t *testing.T, data []byte) {
	a, err := nlp.Load(data)
	if err != nil {
		if !isTyped(err) {
			t.Fatalf("Load() error = %v (%T), want an *nlp.Error wrapping one of the file errors", err, err)
		}
		if a != nil {
			t.Fatalf("Load() = %v, %v; want nil with the error", a, err)
		}
		return
	}
	_ = a.Info()
	_ = a.Options()
	verr := a.Verify()
	if verr != nil && !isTyped(verr) {
		t.Fatalf("Verify() error = %v, want a typed error", verr)
	}
	texts := []string{fuzzText, string(data[:min(len(data), 4096)]), strings.ToUpper(fuzzText)}
	for _, text := range texts {
		for _, all := range []bool{false, true} {
			var ms []nlp.Mention
			var err error
			if all {
				ms, err = a.MatchAll(text)
			} else {
				ms, err = a.Match(text)
			}
			if err != nil {
				if verr == nil {
					t.Fatalf("Verify() passed, but Match(all=%v) error = %v", all, err)
				}
				if !errors.Is(err, nlp.ErrFormat) {
					t.Fatalf("Match(all=%v) error = %v, want ErrFormat", all, err)
				}
				continue
			}
			for _, m := range ms {
				if m.Start < 0 || m.End > len(text) || m.Start >= m.End || text[m.Start:m.End] != m.Text {
					t.Fatalf("Match(all=%v) returned a mention out of the text: %+v", all, m)
				}
			}
		}
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
}

// FuzzMatch builds a dictionary from the fuzz input (one alias per line)
// and checks Match and MatchAll against the naive reference matcher on the
// text; it also checks that Normalize agrees with the reference's
// normalisation and is idempotent, and that every built file verifies.
func FuzzMatch(f *testing.F) {
	f.Add("TNF-α\ntumor necrosis factor\nnecrosis\nSjögren", fuzzText, uint8(0))
	f.Add("a b\nb c\na b c d\nc", "a b c d e, a  b\tc-d", uint8(1))
	f.Add("e\u0301\n½\nﬁx\n1", "e\u0301e ½ 1⁄2 ﬁx fix \xff", uint8(1))
	f.Add("was\ncat\nthe cat", "the cat was here", uint8(0x80))
	f.Add("x\u00ady\nΣΊΣΥΦΟΣ", "x\u200by σίσυφοσ", uint8(3))
	f.Fuzz(func(t *testing.T, dict, text string, flags uint8) {
		if len(dict) > 2000 || len(text) > 600 {
			return
		}
		lines := strings.Split(dict, "\n")
		if len(lines) > 40 {
			lines = lines[:40]
		}
		var as []nlp.Alias
		for i, l := range lines {
			as = append(as, nlp.Alias{Text: l, EntityID: int64(i % 5), EntityType: []string{"a", "b", "c"}[i%3], Type: nlp.AliasType(i % 3)})
		}
		opts := &nlp.BuildOptions{MinLength: 1 + int(flags&3), StopWords: []string{}}
		stop := opts.StopWords
		if flags&0x80 != 0 {
			opts.StopWords, stop = nil, nlp.DefaultStopWords
		}
		a := load(t, as, opts)
		ref := newRefDict(as, opts.MinLength, stop)
		got, err := a.MatchAll(text)
		if err != nil {
			t.Fatal(err)
		}
		if diff := gocmp.Diff(ref.matchAll(text), got); diff != "" {
			t.Fatalf("MatchAll(%q) with aliases %q differs from the reference (-ref +got):\n%s", text, lines, diff)
		}
		got, err = a.Match(text)
		if err != nil {
			t.Fatal(err)
		}
		if diff := gocmp.Diff(ref.match(text), got); diff != "" {
			t.Fatalf("Match(%q) with aliases %q differs from the reference (-ref +got):\n%s", text, lines, diff)
		}
		for _, s := range append(lines, text) {
			n := nlp.Normalize(s)
			if want := refNormalize(s); utf8.ValidString(s) && n != want {
				t.Fatalf("Normalize(%q) = %q, the reference gives %q", s, n, want)
			}
			if again := nlp.Normalize(n); again != n {
				t.Fatalf("Normalize(Normalize(%q)) = %q, want %q", s, again, n)
			}
		}
	})
}
