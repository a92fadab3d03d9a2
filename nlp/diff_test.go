package nlp_test

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"
	ahocorasick "github.com/petar-dambovaliev/aho-corasick"

	"github.com/snapdb/snapdb/nlp"
)

// span is a match reduced to what every matcher agrees on: where it is and
// which normalised key it is.
type span struct {
	Start, End int
	Key        string
}

func spansOf(ms []nlp.Mention) []span {
	if len(ms) == 0 {
		return nil
	}
	out := make([]span, len(ms))
	for i, m := range ms {
		out[i] = span{m.Start, m.End, nlp.Normalize(m.Text)}
	}
	return out
}

func isWordByte(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

func wordStart(text string, i int) bool { return i == 0 || !isWordByte(text[i-1]) }
func wordEnd(text string, i int) bool   { return i == len(text) || !isWordByte(text[i]) }

// diffCorpus makes a random dictionary and text that are already in normal
// form: lower-case ASCII words of the given alphabet, keys of one to three
// words joined by single spaces, text of words separated by one space or by
// ", " / ". ". On such input normalisation is the identity (so byte offsets
// in petar's haystack and ours coincide) and petar's byte-wise word test
// agrees with ours. With prefixFree, no word of the vocabulary is a prefix
// of another, so a key occurrence that starts at a word start always ends
// at a word end.
func diffCorpus(r *rand.Rand, alphabet string, prefixFree bool) (keys []string, text string) {
	var vocab []string
	seen := map[string]bool{}
	for len(vocab) < 12 {
		n := 1 + r.IntN(4)
		if prefixFree {
			n = 4 // equal lengths: prefix-free (2^4 words even for "ab")
		}
		var b strings.Builder
		for range n {
			b.WriteByte(alphabet[r.IntN(len(alphabet))])
		}
		if w := b.String(); !seen[w] {
			seen[w] = true
			vocab = append(vocab, w)
		}
	}
	kseen := map[string]bool{}
	for range 1 + r.IntN(20) {
		var ws []string
		for range 1 + r.IntN(3) {
			ws = append(ws, vocab[r.IntN(len(vocab))])
		}
		if k := strings.Join(ws, " "); !kseen[k] {
			kseen[k] = true
			keys = append(keys, k)
		}
	}
	var b strings.Builder
	for i := range 40 + r.IntN(60) {
		if i > 0 {
			switch r.IntN(8) {
			case 0:
				b.WriteString(", ")
			case 1:
				b.WriteString(". ")
			default:
				b.WriteByte(' ')
			}
		}
		if r.IntN(10) == 0 {
			// Noise: a word of the alphabet, maybe not in the vocabulary
			// (of the same length when the vocabulary is prefix-free).
			n := 1 + r.IntN(5)
			if prefixFree {
				n = 4
			}
			for range n {
				b.WriteByte(alphabet[r.IntN(len(alphabet))])
			}
			continue
		}
		b.WriteString(vocab[r.IntN(len(vocab))])
	}
	return keys, b.String()
}

func aliasesOf(keys []string) []nlp.Alias {
	as := make([]nlp.Alias, len(keys))
	for i, k := range keys {
		as[i] = nlp.Alias{Text: k, EntityID: int64(i), EntityType: "t"}
	}
	return as
}

// TestDifferentialAhoCorasick compares our matcher with
// github.com/petar-dambovaliev/aho-corasick on random small dictionaries
// (fixed seeds). That library's whole-word and leftmost-longest modes do not
// have our semantics (its leftmost iterators restart one byte after a match
// start, so they return overlapping matches, and MatchOnlyWholeWords filters
// after the longest match is chosen, losing a shorter whole-word match
// hidden behind a longer one), so we never use MatchOnlyWholeWords and we
// compare only what is comparable, on pre-normalised ASCII input (see
// diffCorpus), where offsets and word characters coincide:
//
//  1. MatchAll against petar's StandardMatch overlapping iterator, which
//     reports every occurrence of every pattern, filtered to the
//     occurrences that start at a word start and end at a word end: the
//     (start, end, key) lists must be equal, on any dictionary.
//  2. Match against the same word-bounded occurrences reduced to
//     leftmost-longest (earliest start at or after the previous end, then
//     longest): equal, on any dictionary.
//  3. Match against petar's LeftMostLongestMatch iterator itself,
//     post-processed by dropping matches that do not start at a word start
//     or that start before the previous kept match ends. On prefix-free
//     vocabularies, where a match at a word start always ends at a word
//     end, that is true leftmost-longest whole-word matching, and the lists
//     must be equal. (On other dictionaries it is not, so it is not
//     compared there.)
//
// Both sides are also checked against the naive reference matcher.
func TestDifferentialAhoCorasick(t *testing.T) {
	var total, totalAll, totalPetar int
	defer func() {
		// The comparison must not be vacuous.
		t.Logf("compared %d Match, %d MatchAll and %d post-processed leftmost-longest mentions", total, totalAll, totalPetar)
		if total < 1000 || totalAll < 2000 || totalPetar < 500 {
			t.Errorf("too few mentions compared: %d, %d, %d", total, totalAll, totalPetar)
		}
	}()
	for seed := range uint64(300) {
		r := rand.New(rand.NewPCG(seed, 42))
		prefixFree := seed%2 == 0
		alphabet := []string{"ab", "abc", "abcdefg0123"}[seed%3]
		keys, text := diffCorpus(r, alphabet, prefixFree)
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			a := load(t, aliasesOf(keys), noFilter)
			gotAll, err := a.MatchAll(text)
			if err != nil {
				t.Fatal(err)
			}
			got, err := a.Match(text)
			if err != nil {
				t.Fatal(err)
			}
			total += len(got)
			totalAll += len(gotAll)

			std := ahocorasick.NewAhoCorasickBuilder(ahocorasick.Opts{MatchKind: ahocorasick.StandardMatch})
			ac := std.Build(keys)
			var occ []span
			it := ac.IterOverlapping(text)
			for m := it.Next(); m != nil; m = it.Next() {
				if wordStart(text, m.Start()) && wordEnd(text, m.End()) {
					occ = append(occ, span{m.Start(), m.End(), keys[m.Pattern()]})
				}
			}
			slices.SortFunc(occ, func(x, y span) int { return cmp.Or(cmp.Compare(x.Start, y.Start), cmp.Compare(x.End, y.End)) })
			occ = slices.Compact(occ)
			if diff := gocmp.Diff(occ, spansOf(gotAll)); diff != "" {
				t.Errorf("MatchAll(%q) with keys %q differs from aho-corasick's word-bounded occurrences (-petar +ours):\n%s", text, keys, diff)
			}

			var ll []span
			end := 0
			for i := 0; i < len(occ); {
				j := i
				for j+1 < len(occ) && occ[j+1].Start == occ[i].Start {
					j++
				}
				if occ[i].Start >= end {
					ll = append(ll, occ[j])
					end = occ[j].End
				}
				i = j + 1
			}
			if diff := gocmp.Diff(ll, spansOf(got)); diff != "" {
				t.Errorf("Match(%q) with keys %q differs from leftmost-longest over aho-corasick's occurrences (-petar +ours):\n%s", text, keys, diff)
			}

			if prefixFree {
				lb := ahocorasick.NewAhoCorasickBuilder(ahocorasick.Opts{MatchKind: ahocorasick.LeftMostLongestMatch})
				var pl []span
				end := 0
				it := lb.Build(keys).Iter(text)
				for m := it.Next(); m != nil; m = it.Next() {
					if m.Start() < end || !wordStart(text, m.Start()) {
						continue
					}
					if !wordEnd(text, m.End()) {
						t.Fatalf("prefix-free corpus: %q at %d-%d starts at a word start but ends inside a word", keys[m.Pattern()], m.Start(), m.End())
					}
					pl = append(pl, span{m.Start(), m.End(), keys[m.Pattern()]})
					end = m.End()
				}
				totalPetar += len(pl)
				if diff := gocmp.Diff(pl, spansOf(got)); diff != "" {
					t.Errorf("Match(%q) with keys %q differs from aho-corasick leftmost-longest, post-processed (-petar +ours):\n%s", text, keys, diff)
				}
			}

			ref := newRefDict(aliasesOf(keys), 1, nil)
			if diff := gocmp.Diff(ref.matchAll(text), gotAll); diff != "" {
				t.Errorf("MatchAll(%q) differs from the reference (-ref +got):\n%s", text, diff)
			}
			if diff := gocmp.Diff(ref.match(text), got); diff != "" {
				t.Errorf("Match(%q) differs from the reference (-ref +got):\n%s", text, diff)
			}
		})
	}
}

// TestReferenceRandomUnicode compares Match and MatchAll with the naive
// reference on random dictionaries and texts drawn from an alphabet full of
// the hard cases: case, accents (precomposed and combining), Greek,
// separators, punctuation, expanding runes (ﬁ, ½, ²), format characters,
// invalid bytes.
func TestReferenceRandomUnicode(t *testing.T) {
	total := 0
	pieces := []string{"a", "b", "A", "é", "e\u0301", "\u0301", "α", "Α", "ά", "1", "²", "½", "ﬁ", "-", "_", "/", " ", "  ", "\t", "\n", ",", ".", "(", "'", "\u00ad", "\u200b", "\xff", "日", "Ⅻ"}
	for seed := range uint64(400) {
		r := rand.New(rand.NewPCG(seed, 7))
		word := func(n int) string {
			var b strings.Builder
			for range n {
				b.WriteString(pieces[r.IntN(len(pieces))])
			}
			return b.String()
		}
		var as []nlp.Alias
		for i := range 1 + r.IntN(15) {
			as = append(as, nlp.Alias{Text: word(1 + r.IntN(5)), EntityID: int64(i % 4), EntityType: []string{"x", "y"}[i%2], Type: nlp.AliasType(i % 3)})
		}
		var tb strings.Builder
		for range 10 + r.IntN(30) {
			if r.IntN(3) == 0 {
				tb.WriteString(as[r.IntN(len(as))].Text)
			} else {
				tb.WriteString(word(1 + r.IntN(3)))
			}
		}
		text := tb.String()
		a := load(t, as, noFilter)
		ref := newRefDict(as, 1, nil)
		got, err := a.MatchAll(text)
		if err != nil {
			t.Fatal(err)
		}
		if diff := gocmp.Diff(ref.matchAll(text), got); diff != "" {
			t.Fatalf("seed %d: MatchAll(%q) with aliases %+v differs from the reference (-ref +got):\n%s", seed, text, as, diff)
		}
		total += len(got)
		got, err = a.Match(text)
		if err != nil {
			t.Fatal(err)
		}
		if diff := gocmp.Diff(ref.match(text), got); diff != "" {
			t.Fatalf("seed %d: Match(%q) with aliases %+v differs from the reference (-ref +got):\n%s", seed, text, as, diff)
		}
	}
	t.Logf("compared %d MatchAll mentions", total)
	if total < 1000 {
		t.Errorf("only %d mentions compared", total)
	}
}
