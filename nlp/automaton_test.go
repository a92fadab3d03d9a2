package nlp_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"iter"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/snapdb/snapdb/nlp"
)

func TestAliasType(t *testing.T) {
	for _, at := range []nlp.AliasType{nlp.Preferred, nlp.Synonym, nlp.Code} {
		got, err := nlp.ParseAliasType(at.String())
		if err != nil || got != at {
			t.Errorf("ParseAliasType(%q) = %v, %v, want %v", at.String(), got, err, at)
		}
	}
	if got, want := nlp.Code.String(), "code"; got != want {
		t.Errorf("Code.String() = %q, want %q", got, want)
	}
	if got, want := nlp.AliasType(7).String(), "AliasType(7)"; got != want {
		t.Errorf("AliasType(7).String() = %q, want %q", got, want)
	}
	for _, s := range []string{"", "Preferred", "synonyms", "acronym"} {
		if _, err := nlp.ParseAliasType(s); err == nil {
			t.Errorf("ParseAliasType(%q) succeeded, want an error", s)
		}
	}
}

func TestBuildStats(t *testing.T) {
	as := []nlp.Alias{
		{Text: "TNF-α", EntityID: 1, EntityType: "gene"},
		{Text: "tnf α", EntityID: 1, EntityType: "gene", Type: nlp.Synonym}, // duplicate of the first
		{Text: "tnf α", EntityID: 2, EntityType: "gene"},                    // same key, other entity
		{Text: "tnf α", EntityID: 1, EntityType: "protein"},                 // same key and id, other type
		{Text: "ab", EntityID: 3, EntityType: "gene"},                       // short
		{Text: "the", EntityID: 4, EntityType: "gene"},                      // stop word
		{Text: " -- ", EntityID: 5, EntityType: "gene"},                     // empty
		{Text: "bad\xff", EntityID: 6, EntityType: "gene"},                  // invalid UTF-8
		{Text: "fine", EntityID: 7, EntityType: "bad\xfe"},                  // invalid type name
		{Text: strings.Repeat("x", 70000), EntityID: 8, EntityType: "gene"}, // too long
		{Text: "catalase", EntityID: 9, EntityType: "gene"},
	}
	var buf bytes.Buffer
	st, err := nlp.Build(&buf, seq(as), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := nlp.BuildStats{
		Read: 11, Kept: 4, Duplicates: 1, SkippedEmpty: 1, SkippedShort: 1, SkippedStopWord: 1, SkippedInvalid: 3,
		Keys: 2, States: st.States, EntityTypes: 2, Bytes: int64(buf.Len()), Seconds: st.Seconds,
	}
	if diff := gocmp.Diff(want, st); diff != "" {
		t.Errorf("Build() stats (-want +got):\n%s", diff)
	}
	if got := st.Kept + st.Duplicates + st.SkippedEmpty + st.SkippedShort + st.SkippedStopWord + st.SkippedInvalid; got != st.Read {
		t.Errorf("stats do not add up: %d != Read %d", got, st.Read)
	}
	// The root, then one state per byte: "tnf α" (6 bytes) and "catalase".
	if got, want := st.States, int64(1+6+8); got != want {
		t.Errorf("States = %d, want %d", got, want)
	}
	a, err := nlp.Load(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	info := a.Info()
	if info.Keys != 2 || info.Aliases != 4 || info.States != st.States || info.Size != st.Bytes ||
		!slices.Equal(info.EntityTypes, []string{"gene", "protein"}) || info.MaxKeyLen != len("catalase") ||
		info.VersionMajor != nlp.VersionMajor || info.NormVersion != nlp.NormVersion || info.UnicodeVersion == "" {
		t.Errorf("Info() = %+v", info)
	}
	ms, err := a.Match("TNF-alpha? No: TNF-α.")
	if err != nil {
		t.Fatal(err)
	}
	want2 := []nlp.Candidate{
		{EntityID: 1, EntityType: "gene", AliasType: nlp.Preferred, Alias: "TNF-α"},
		{EntityID: 2, EntityType: "gene", AliasType: nlp.Preferred, Alias: "tnf α"},
		{EntityID: 1, EntityType: "protein", AliasType: nlp.Preferred, Alias: "tnf α"},
	}
	if len(ms) != 1 || ms[0].Text != "TNF-α" {
		t.Fatalf("Match() = %v, want one mention of TNF-α", ms)
	}
	if diff := gocmp.Diff(want2, ms[0].Candidates); diff != "" {
		t.Errorf("candidates (-want +got):\n%s", diff)
	}
}

func TestBuildErrors(t *testing.T) {
	_, err := nlp.Build(discard{}, seq([]nlp.Alias{{Text: "abc", Type: 3}}), nil)
	var e *nlp.Error
	if !errors.As(err, &e) || e.Op != "build" {
		t.Errorf("Build(alias type 3) error = %v, want an *nlp.Error{Op: build}", err)
	}
	boom := errors.New("boom")
	failing := func(yield func(nlp.Alias, error) bool) {
		if yield(nlp.Alias{Text: "abc"}, nil) {
			yield(nlp.Alias{}, boom)
		}
	}
	if _, err := nlp.Build(discard{}, failing, nil); !errors.Is(err, boom) {
		t.Errorf("Build(failing sequence) error = %v, want %v", err, boom)
	}
	if _, err := nlp.Build(discard{}, seq(nil), &nlp.BuildOptions{MinLength: -1}); err == nil {
		t.Error("Build(MinLength -1) succeeded, want an error")
	}
	if _, err := nlp.Build(errWriter{}, seq(fuzzDict), nil); !errors.Is(err, errWrite) {
		t.Errorf("Build(failing writer) error = %v, want %v", err, errWrite)
	}
}

var errWrite = errors.New("disk full")

type errWriter struct{}

func (errWriter) Write([]byte) (int, error) { return 0, errWrite }

func TestOptions(t *testing.T) {
	a := load(t, fuzzDict, nil)
	opts := a.Options()
	want := slices.Clone(nlp.DefaultStopWords)
	for i, w := range want {
		want[i] = nlp.Normalize(w)
	}
	slices.Sort(want)
	want = slices.Compact(want)
	if opts.MinLength != nlp.DefaultMinLength || !slices.Equal(opts.StopWords, want) {
		t.Errorf("Options() = %+v, want MinLength %d and the default stop words", opts, nlp.DefaultMinLength)
	}
	if len(want) < 100 || len(want) > 200 {
		t.Errorf("the default list has %d stop words, want 100 to 200", len(want))
	}

	a = load(t, fuzzDict, &nlp.BuildOptions{MinLength: 5, StopWords: []string{}})
	if opts := a.Options(); opts.MinLength != 5 || opts.StopWords == nil || len(opts.StopWords) != 0 {
		t.Errorf("Options() = %#v, want MinLength 5 and an empty, non-nil stop-word list", opts)
	}

	// Building again with the recorded options gives the same file.
	first := build(t, fuzzDict, &nlp.BuildOptions{MinLength: 4, StopWords: []string{"CAT", "New York", "cat"}})
	a, err := nlp.Load(first)
	if err != nil {
		t.Fatal(err)
	}
	opts = a.Options()
	if !slices.Equal(opts.StopWords, []string{"cat", "new york"}) {
		t.Errorf("Options().StopWords = %q, want [cat new york]", opts.StopWords)
	}
	if again := build(t, fuzzDict, &opts); !bytes.Equal(first, again) {
		t.Error("Build with Options() gave a different file")
	}
}

// TestDeterministic: the same aliases, in any order, give the same bytes.
func TestDeterministic(t *testing.T) {
	as := collect(synthAliases(20000))
	first := build(t, as, nil)
	if second := build(t, as, nil); !bytes.Equal(first, second) {
		t.Fatal("two builds of the same aliases differ")
	}
	r := rand.New(rand.NewPCG(5, 6))
	r.Shuffle(len(as), func(i, j int) { as[i], as[j] = as[j], as[i] })
	if shuffled := build(t, as, nil); !bytes.Equal(first, shuffled) {
		t.Fatal("a build of the shuffled aliases differs")
	}
	// And the large build verifies and matches like the reference.
	a, err := nlp.Load(first)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Verify(); err != nil {
		t.Fatal(err)
	}
	ref := newRefDict(as, nlp.DefaultMinLength, nlp.DefaultStopWords)
	for seed := range uint64(3) {
		text := synthText(seed, 20000, 20000)
		got, err := a.Match(text)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) < 50 {
			t.Errorf("Match(synthetic text) found only %d mentions", len(got))
		}
		if diff := gocmp.Diff(ref.match(text), got); diff != "" {
			t.Fatalf("Match(synthetic text %d) differs from the reference (-ref +got):\n%s", seed, diff)
		}
		gotAll, err := a.MatchAll(text)
		if err != nil {
			t.Fatal(err)
		}
		if diff := gocmp.Diff(ref.matchAll(text), gotAll); diff != "" {
			t.Fatalf("MatchAll(synthetic text %d) differs from the reference (-ref +got):\n%s", seed, diff)
		}
	}
}

func TestBuildFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "automaton.bin")
	st, err := nlp.BuildFile(path, seq(fuzzDict), nil)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() != st.Bytes || fi.Mode().Perm() != 0o644 {
		t.Errorf("file is %d bytes, mode %v; want %d bytes, mode 0644", fi.Size(), fi.Mode().Perm(), st.Bytes)
	}
	old, err := nlp.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	if err := old.Verify(); err != nil {
		t.Fatal(err)
	}

	// Replacing the file does not disturb the open (mapped) old one.
	if _, err := nlp.BuildFile(path, seq([]nlp.Alias{{Text: "brand new", EntityID: 1, EntityType: "x"}}), nil); err != nil {
		t.Fatal(err)
	}
	ms, err := old.Match(fuzzText)
	if err != nil || len(ms) < 5 {
		t.Errorf("old automaton after replacement: Match() = %d mentions, %v", len(ms), err)
	}
	if err := old.Verify(); err != nil {
		t.Errorf("old automaton after replacement: Verify() = %v", err)
	}
	cur, err := nlp.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer cur.Close()
	if ms, _ := cur.Match("a brand new thing"); len(ms) != 1 {
		t.Errorf("new automaton: Match() = %v, want one mention", ms)
	}

	// A failed build leaves the file as it was, and no temporary file.
	before, _ := os.ReadFile(path)
	failing := func(yield func(nlp.Alias, error) bool) { yield(nlp.Alias{}, errors.New("source failed")) }
	_, err = nlp.BuildFile(path, failing, nil)
	var e *nlp.Error
	if !errors.As(err, &e) || e.Op != "build" || e.Path != path {
		t.Errorf("BuildFile(failing) error = %v, want an *nlp.Error{Op: build, Path: %s}", err, path)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("a failed BuildFile changed the file")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %q, want only automaton.bin", names)
	}
	if _, err := nlp.BuildFile(filepath.Join(dir, "missing", "a.bin"), seq(fuzzDict), nil); err == nil {
		t.Error("BuildFile(into a missing directory) succeeded")
	}
}

// TestClose: after Close, the methods that read the file fail with
// ErrClosed; mentions returned before stay valid, even when the bytes the
// automaton was loaded from are overwritten (every string is a copy).
func TestClose(t *testing.T) {
	data := build(t, fuzzDict, nil)
	a, err := nlp.Load(data)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := a.Match(fuzzText)
	if err != nil {
		t.Fatal(err)
	}
	want := formatMentions(ms)
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Errorf("second Close() = %v, want nil", err)
	}
	clear(data)
	if got := formatMentions(ms); got != want {
		t.Errorf("mentions changed after Close and overwrite:\n%s\nwant:\n%s", got, want)
	}
	if _, err := a.Match(fuzzText); !errors.Is(err, nlp.ErrClosed) {
		t.Errorf("Match() after Close error = %v, want ErrClosed", err)
	}
	if _, err := a.MatchAll(fuzzText); !errors.Is(err, nlp.ErrClosed) {
		t.Errorf("MatchAll() after Close error = %v, want ErrClosed", err)
	}
	if err := a.Verify(); !errors.Is(err, nlp.ErrClosed) {
		t.Errorf("Verify() after Close error = %v, want ErrClosed", err)
	}

	// The same through a mapping.
	path := writeFile(t, build(t, fuzzDict, nil))
	m, err := nlp.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if m.Path() != path {
		t.Errorf("Path() = %q, want %q", m.Path(), path)
	}
	ms, err = m.Match(fuzzText)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if got := formatMentions(ms); got != want {
		t.Errorf("mentions changed after Close (unmap):\n%s\nwant:\n%s", got, want)
	}
}

// TestFaultBecomesError truncates the file under an open mapping: touching
// the lost pages raises SIGBUS, which Match and Verify must report as
// ErrFault instead of crashing.
func TestFaultBecomesError(t *testing.T) {
	as := collect(synthAliases(20000))
	path := writeFile(t, build(t, as, nil))
	a, err := nlp.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	text := synthText(1, 5000, 20000)
	for _, f := range []func() error{
		func() error { _, err := a.Match(text); return err },
		func() error { _, err := a.MatchAll(text); return err },
		a.Verify,
	} {
		if err := f(); !errors.Is(err, nlp.ErrFault) {
			t.Errorf("after truncation: error = %v, want ErrFault", err)
		}
	}
}

func TestAppendMatches(t *testing.T) {
	a := load(t, fuzzDict, nil)
	prefix := []nlp.Mention{{Text: "keep me"}}
	got, err := a.AppendMatches(prefix, fuzzText)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := a.Match(fuzzText)
	if got[0].Text != "keep me" || !gocmp.Equal(got[1:], want) {
		t.Errorf("AppendMatches() = %v, want the prefix then %v", got, want)
	}
	got, err = a.AppendAllMatches(got[:1], fuzzText)
	if err != nil {
		t.Fatal(err)
	}
	wantAll, _ := a.MatchAll(fuzzText)
	if !gocmp.Equal(got[1:], wantAll) || len(wantAll) <= len(want) {
		t.Errorf("AppendAllMatches() = %v, want the prefix then %v", got, wantAll)
	}
	// On error, dst comes back unchanged.
	bad, _ := fixCRCs(patchSection(t, build(t, fuzzDict, nil), 4, func(b []byte) {
		for i := range b {
			b[i] = 0xff
		}
	}))
	c, err := nlp.Load(bad)
	if err != nil {
		t.Fatal(err)
	}
	got, err = c.AppendMatches(prefix, fuzzText)
	if !errors.Is(err, nlp.ErrFormat) || len(got) != 1 || got[0].Text != "keep me" {
		t.Errorf("AppendMatches(damaged) = %v, %v; want the prefix and ErrFormat", got, err)
	}
}

// TestConcurrentMatch runs many goroutines on one automaton (run with
// -race): each must get exactly the serial result.
func TestConcurrentMatch(t *testing.T) {
	as := collect(synthAliases(5000))
	path := writeFile(t, build(t, as, nil))
	a, err := nlp.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	texts := make([]string, 8)
	want := make([][]nlp.Mention, len(texts))
	wantAll := make([][]nlp.Mention, len(texts))
	for i := range texts {
		texts[i] = synthText(uint64(i), 4000, 5000)
		if want[i], err = a.Match(texts[i]); err != nil {
			t.Fatal(err)
		}
		if wantAll[i], err = a.MatchAll(texts[i]); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for k := range 20 {
				i := (g + k) % len(texts)
				got, err := a.Match(texts[i])
				if err != nil || !gocmp.Equal(got, want[i]) {
					t.Errorf("goroutine %d: Match(text %d) differs from the serial result (err %v)", g, i, err)
					return
				}
				got, err = a.MatchAll(texts[i])
				if err != nil || !gocmp.Equal(got, wantAll[i]) {
					t.Errorf("goroutine %d: MatchAll(text %d) differs from the serial result (err %v)", g, i, err)
					return
				}
			}
		})
	}
	wg.Go(func() {
		if err := a.Verify(); err != nil {
			t.Errorf("concurrent Verify() = %v", err)
		}
	})
	wg.Wait()
}

// collect drains a sequence (for tests that want a slice).
func collect(s iter.Seq2[nlp.Alias, error]) []nlp.Alias {
	var out []nlp.Alias
	for a, _ := range s {
		out = append(out, a)
	}
	return out
}

func TestJSON(t *testing.T) {
	a := load(t, fuzzDict, nil)
	ms, err := a.Match(fuzzText)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(ms[0])
	if err != nil {
		t.Fatal(err)
	}
	want := `{"start":5,"end":11,"startRune":5,"endRune":10,"text":"TNF-α","candidates":[{"entityId":1,"entityType":"gene","aliasType":"preferred","alias":"TNF-α"}]}`
	if string(b) != want {
		t.Errorf("json.Marshal(mention) = %s, want %s", b, want)
	}
	var back nlp.Mention
	if err := json.Unmarshal(b, &back); err != nil || !gocmp.Equal(back, ms[0]) {
		t.Errorf("json round trip = %+v, %v; want %+v", back, err, ms[0])
	}
	if _, err := json.Marshal(nlp.Candidate{AliasType: 9}); err == nil {
		t.Error("json.Marshal(alias type 9) succeeded, want an error")
	}
	if err := json.Unmarshal([]byte(`"acronym"`), new(nlp.AliasType)); err == nil {
		t.Error(`json.Unmarshal("acronym") into an AliasType succeeded, want an error`)
	}
}

// TestMatchAllocations: a text without mentions costs no allocation, and
// mentions cost a few chunk allocations, not one per string.
func TestMatchAllocations(t *testing.T) {
	a := load(t, collect(synthAliases(5000)), nil)
	quiet := strings.Repeat("nothing to see here, move along. ", 200)
	if n := testing.AllocsPerRun(20, func() { a.Match(quiet) }); n != 0 {
		t.Errorf("Match(text without mentions) allocates %v times, want 0", n)
	}
	text := synthText(3, 20000, 5000)
	ms, _ := a.Match(text)
	dst := make([]nlp.Mention, 0, len(ms))
	n := testing.AllocsPerRun(20, func() { a.AppendMatches(dst[:0], text) })
	t.Logf("%d mentions: %v allocations", len(ms), n)
	if len(ms) < 50 || n > float64(len(ms))/4 {
		t.Errorf("AppendMatches(%d mentions) allocates %v times, want under one per 4 mentions", len(ms), n)
	}
}
