package nlp_test

import (
	"bytes"
	"cmp"
	"fmt"
	"iter"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/snapdb/snapdb/nlp"
)

// seq turns a slice of aliases into the sequence Build reads.
func seq(as []nlp.Alias) iter.Seq2[nlp.Alias, error] {
	return func(yield func(nlp.Alias, error) bool) {
		for _, a := range as {
			if !yield(a, nil) {
				return
			}
		}
	}
}

// build builds an automaton in memory and returns its bytes.
func build(tb testing.TB, as []nlp.Alias, opts *nlp.BuildOptions) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if _, err := nlp.Build(&buf, seq(as), opts); err != nil {
		tb.Fatalf("Build() error = %v", err)
	}
	return buf.Bytes()
}

// load builds and loads an automaton, and checks it with Verify.
func load(tb testing.TB, as []nlp.Alias, opts *nlp.BuildOptions) *nlp.Automaton {
	tb.Helper()
	a, err := nlp.Load(build(tb, as, opts))
	if err != nil {
		tb.Fatalf("Load() error = %v", err)
	}
	if err := a.Verify(); err != nil {
		tb.Fatalf("Verify() error = %v", err)
	}
	return a
}

// noFilter keeps every alias: no stop words, minimum length 1.
var noFilter = &nlp.BuildOptions{MinLength: 1, StopWords: []string{}}

// formatMention renders a mention as one line of the data-driven tests:
// bytes, runes, the original text, then each candidate as
// entity:type:aliastype="alias".
func formatMention(m nlp.Mention) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d-%d (runes %d-%d) %q ->", m.Start, m.End, m.StartRune, m.EndRune, m.Text)
	for _, c := range m.Candidates {
		fmt.Fprintf(&b, " %d:%s:%s=%q", c.EntityID, c.EntityType, c.AliasType, c.Alias)
	}
	return b.String()
}

func formatMentions(ms []nlp.Mention) string {
	if len(ms) == 0 {
		return "(none)"
	}
	lines := make([]string, len(ms))
	for i, m := range ms {
		lines[i] = formatMention(m)
	}
	return strings.Join(lines, "\n")
}

// The naive reference matcher. It implements the rules of the package
// documentation directly and independently of the package's code: each
// original rune is normalised on its own with the x/text NFKD string
// functions (not the table lookups the package uses), the normalised text
// is built once with its runes' spans, and every pair (start rune, end rune)
// is tried against a map of the keys. It is quadratic and only for tests.

// refExpand is the normal form of one original rune, before spaces are
// collapsed, and whether the rune is a combining mark that normalises to
// nothing.
func refExpand(r rune, size int) (string, bool) {
	if r == utf8.RuneError && size == 1 {
		return " ", false
	}
	s := norm.NFKD.String(strings.ToLower(string(r)))
	s = strings.ToLower(s)
	var b strings.Builder
	for _, c := range s {
		switch {
		case unicode.IsSpace(c) || c == '/' || unicode.In(c, unicode.Pd, unicode.Pc, unicode.Cc):
			b.WriteByte(' ')
		case unicode.In(c, unicode.Mn, unicode.Me, unicode.Cf):
		default:
			b.WriteRune(c)
		}
	}
	return b.String(), b.Len() == 0 && unicode.In(r, unicode.Mn, unicode.Me)
}

// refNormalize is the key of an alias: refExpand of each rune, spaces
// collapsed, trimmed.
func refNormalize(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		e, _ := refExpand(r, size)
		b.WriteString(e)
		i += size
	}
	return strings.Join(strings.FieldsFunc(b.String(), func(r rune) bool { return r == ' ' }), " ")
}

func refIsWord(c rune) bool {
	return unicode.IsLetter(c) || unicode.IsDigit(c) || unicode.Is(unicode.Mc, c)
}

// refDict is the reference's view of a dictionary: key → candidates, with
// the filtering and folding rules of Build.
type refDict struct {
	keys   map[string][]nlp.Candidate
	maxKey int
}

func newRefDict(as []nlp.Alias, minLen int, stop []string) *refDict {
	stopSet := map[string]bool{}
	for _, w := range stop {
		stopSet[refNormalize(w)] = true
	}
	type ent struct {
		typ string
		id  int64
	}
	best := map[string]map[ent]nlp.Candidate{}
	for _, a := range as {
		if !utf8.ValidString(a.Text) || !utf8.ValidString(a.EntityType) || len(a.Text) > 65535 || len(a.EntityType) > 255 {
			continue
		}
		k := refNormalize(a.Text)
		if k == "" || utf8.RuneCountInString(k) < minLen || stopSet[k] {
			continue
		}
		if best[k] == nil {
			best[k] = map[ent]nlp.Candidate{}
		}
		c := nlp.Candidate{EntityID: a.EntityID, EntityType: a.EntityType, AliasType: a.Type, Alias: a.Text}
		e := ent{a.EntityType, a.EntityID}
		if old, ok := best[k][e]; !ok || c.AliasType < old.AliasType || c.AliasType == old.AliasType && c.Alias < old.Alias {
			best[k][e] = c
		}
	}
	d := &refDict{keys: map[string][]nlp.Candidate{}}
	for k, m := range best {
		var cs []nlp.Candidate
		for _, c := range m {
			cs = append(cs, c)
		}
		slices.SortFunc(cs, func(x, y nlp.Candidate) int {
			return cmp.Or(cmp.Compare(x.EntityType, y.EntityType), cmp.Compare(x.EntityID, y.EntityID))
		})
		d.keys[k] = cs
		d.maxKey = max(d.maxKey, len(k))
	}
	return d
}

// matchAll returns every word-bounded mention of the dictionary's keys in
// text, ordered by start, then end.
func (d *refDict) matchAll(text string) []nlp.Mention {
	type rr struct {
		off, size int
		ns, ne    int // span of its normalised bytes in the normalised text
		first     rune
		nonEmpty  bool
		mark      bool
	}
	var runes []rr
	var t []byte
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		e, mark := refExpand(r, size)
		x := rr{off: i, size: size, ns: len(t), nonEmpty: e != "", mark: mark}
		if e != "" {
			x.first, _ = utf8.DecodeRuneInString(e)
		}
		for _, c := range []byte(e) {
			if c == ' ' && len(t) > 0 && t[len(t)-1] == ' ' {
				continue
			}
			t = append(t, c)
		}
		x.ne = len(t)
		runes = append(runes, x)
		i += size
	}
	norm := string(t)
	var out []nlp.Mention
	for i, s := range runes {
		if !s.nonEmpty || s.first == ' ' {
			continue
		}
		if s.ns > 0 {
			if prev, _ := utf8.DecodeLastRuneInString(norm[:s.ns]); refIsWord(prev) {
				continue
			}
		}
		for j := i; j < len(runes); j++ {
			e := runes[j]
			if e.ne-s.ns > d.maxKey {
				break
			}
			if e.ne == e.ns {
				continue
			}
			if e.ne < len(norm) {
				if next, _ := utf8.DecodeRuneInString(norm[e.ne:]); refIsWord(next) {
					continue
				}
			}
			cands, ok := d.keys[norm[s.ns:e.ne]]
			if !ok {
				continue
			}
			end, endRune := e.off+e.size, j+1
			for k := j + 1; k < len(runes) && runes[k].mark; k++ {
				end, endRune = runes[k].off+runes[k].size, k+1
			}
			out = append(out, nlp.Mention{
				Start: s.off, End: end,
				StartRune: i, EndRune: endRune,
				Text:       text[s.off:end],
				Candidates: cands,
			})
		}
	}
	slices.SortStableFunc(out, func(x, y nlp.Mention) int {
		return cmp.Or(cmp.Compare(x.Start, y.Start), cmp.Compare(x.End, y.End))
	})
	return out
}

// match is leftmost-longest over matchAll: the earliest start not inside
// the previous mention, and at that start the longest.
func (d *refDict) match(text string) []nlp.Mention {
	all := d.matchAll(text)
	var out []nlp.Mention
	lastEnd := 0
	for i := 0; i < len(all); {
		j := i
		for j+1 < len(all) && all[j+1].Start == all[i].Start {
			j++
		}
		if all[i].Start >= lastEnd {
			out = append(out, all[j])
			lastEnd = all[j].End
		}
		i = j + 1
	}
	return out
}
