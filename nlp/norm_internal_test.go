package nlp

import (
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// wholeStringNorm normalises one rune with the x/text string API instead of
// the property tables and the Hangul arithmetic that expandRune uses.
func wholeStringNorm(r rune) string {
	s := strings.ToLower(string(r))
	s = strings.ToLower(norm.NFKD.String(s))
	var b strings.Builder
	for _, c := range s {
		switch {
		case c == '/' || unicode.IsSpace(c) || unicode.In(c, unicode.Pd, unicode.Pc, unicode.Cc):
			b.WriteByte(' ')
		case unicode.In(c, unicode.Mn, unicode.Me, unicode.Cf):
		default:
			b.WriteRune(c)
		}
	}
	return strings.Join(strings.FieldsFunc(b.String(), func(c rune) bool { return c == ' ' }), " ")
}

// TestNormalizeEveryRune checks every code point: Normalize agrees with the
// x/text string API, is idempotent, and classifies the first and last rune
// of the expansion as isWordRune does.
func TestNormalizeEveryRune(t *testing.T) {
	errs := 0
	var e expansion
	for r := rune(0); r <= unicode.MaxRune && errs < 20; r++ {
		if r >= 0xD800 && r < 0xE000 {
			continue
		}
		s := string(r)
		got := Normalize(s)
		if want := wholeStringNorm(r); got != want {
			t.Errorf("Normalize(%q) (%U) = %q, want %q", s, r, got, want)
			errs++
		}
		if again := Normalize(got); again != got {
			t.Errorf("Normalize(Normalize(%q)) (%U) = %q, want %q", s, r, again, got)
			errs++
		}
		expandRune(r, len(s), &e)
		if e.n > maxExpansion-4 {
			t.Errorf("expansion of %U is %d bytes, too close to the %d-byte buffer", r, e.n, maxExpansion)
			errs++
		}
		if e.n > 0 {
			out := string(e.b[:e.n])
			first, last := []rune(out)[0], []rune(out)[len([]rune(out))-1]
			if (e.first == clsWord) != isWordRune(first) || (e.last == clsWord) != isWordRune(last) ||
				(e.first == clsSpace) != (first == ' ') || (e.last == clsSpace) != (last == ' ') {
				t.Errorf("expansion of %U = %q: classes %d, %d disagree with its runes", r, out, e.first, e.last)
				errs++
			}
		}
		if e.mark != (e.n == 0 && unicode.In(r, unicode.Mn, unicode.Me)) {
			t.Errorf("expansion of %U: mark = %v", r, e.mark)
			errs++
		}
	}
}

func TestNormalizeExamples(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"TNF-α", "tnf α"},
		{"Sjögren", "sjogren"},
		{"Sjo\u0308gren", "sjogren"},
		{"  IL_2 / IL--2\t\n", "il 2 il 2"},
		{"ＴＮＦ", "tnf"},
		{"ﬁx", "fix"},
		{"x²", "x2"},
		{"µg", "μg"},
		{"Crohn's", "crohn's"},
		{"soft\u00ADhyphen", "softhyphen"},
		{"한국", "\u1112\u1161\u11ab\u1100\u116e\u11a8"},
		{"bad\xffbyte", "bad byte"},
		{"ΣΊΣΥΦΟΣ", "σισυφοσ"},
		{"", ""},
		{"- _ /", ""},
	} {
		if got := Normalize(tc.in); got != tc.want {
			t.Errorf("Normalize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
