package nlp

import (
	"slices"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// NormVersion identifies the normalisation algorithm (the rules in the
// package documentation). It is recorded in every automaton file; a file
// built with another NormVersion is refused with ErrVersion, because its
// keys would not match text normalised by this reader.
const NormVersion = 1

// Character classes after normalisation.
const (
	clsOther uint8 = iota // kept, not a word character: punctuation, symbols
	clsWord               // a word character: letter, decimal digit, spacing mark
	clsSpace              // a separator, emitted as one ' '
	clsDrop               // dropped: nonspacing or enclosing mark, format character
)

// asciiByte and asciiClass give, for every ASCII byte, its normalised byte
// and its class. ASCII is never dropped and never expands.
var (
	asciiByte  [128]byte
	asciiClass [128]uint8
)

func init() {
	for c := 0; c < 128; c++ {
		b, cls := byte(c), clsOther
		switch {
		case c >= 'A' && c <= 'Z':
			b, cls = byte(c)+'a'-'A', clsWord
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			cls = clsWord
		case c == '-', c == '_', c == '/', c < 0x20, c == ' ', c == 0x7f:
			// Separators, and every control character (tab, newline, ...).
			b, cls = ' ', clsSpace
		}
		asciiByte[c], asciiClass[c] = b, cls
	}
}

// expansion is what one rune of the original text becomes: zero or more
// normalised runes, as UTF-8 bytes, separators already written as ' '.
// Consecutive spaces are not collapsed here; the consumer collapses them
// across runes.
type expansion struct {
	n     int
	first uint8 // class of the first emitted rune, if n > 0
	last  uint8 // class of the last emitted rune, if n > 0
	mark  bool  // n == 0 because the rune is a combining mark (Mn, Me)
	b     [maxExpansion]byte
}

// maxExpansion bounds the normalised bytes of one rune. The longest NFKD
// decomposition is 33 bytes (U+FDFA); lower-casing can grow a rune from 2 to
// 3 bytes, so 33*3/2 < 64 bytes. expandRune checks the bound anyway.
const maxExpansion = 64

// expandRune normalises the rune r (size is its encoded length in the
// original text, 1 for an invalid byte). See the package documentation for
// the rules.
func expandRune(r rune, size int, e *expansion) {
	e.n, e.mark = 0, false
	if r < utf8.RuneSelf {
		e.b[0], e.first = asciiByte[r], asciiClass[r]
		e.last, e.n = e.first, 1
		return
	}
	if r == utf8.RuneError && size == 1 {
		// An invalid byte separates words.
		e.emit(' ', clsSpace)
		return
	}
	if unicode.IsSpace(r) {
		e.emit(' ', clsSpace)
		return
	}
	lr := unicode.ToLower(r)
	e.decompose(lr, 0)
	if e.n == 0 && unicode.In(r, unicode.Mn, unicode.Me) {
		e.mark = true
	}
}

// Hangul syllables decompose algorithmically (the norm tables leave them
// out); see Unicode §3.12.
const (
	hangulBase  = 0xAC00
	hangulCount = 11172
	jamoLBase   = 0x1100
	jamoVBase   = 0x1161
	jamoTBase   = 0x11A7
	jamoTCount  = 28
	jamoNCount  = 588
)

// decompose emits the NFKD decomposition of r, each rune lower-cased again
// (and, if lower-casing gave a rune with its own decomposition, decomposed
// once more: depth bounds that recursion).
func (e *expansion) decompose(r rune, depth int) {
	if r < utf8.RuneSelf {
		e.emit(rune(asciiByte[r]), asciiClass[r])
		return
	}
	if r >= hangulBase && r < hangulBase+hangulCount {
		s := r - hangulBase
		e.emitRune(jamoLBase + s/jamoNCount)
		e.emitRune(jamoVBase + (s%jamoNCount)/jamoTCount)
		if t := s % jamoTCount; t != 0 {
			e.emitRune(jamoTBase + t)
		}
		return
	}
	var tmp [utf8.UTFMax]byte
	n := utf8.EncodeRune(tmp[:], r)
	d := norm.NFKD.Properties(tmp[:n]).Decomposition()
	if d == nil {
		e.emitRune(r)
		return
	}
	for len(d) > 0 {
		c, sz := utf8.DecodeRune(d)
		d = d[sz:]
		lc := unicode.ToLower(c)
		if lc != c && depth < 2 {
			e.decompose(lc, depth+1)
			continue
		}
		if lc < utf8.RuneSelf {
			e.emit(rune(asciiByte[lc]), asciiClass[lc])
			continue
		}
		e.emitRune(lc)
	}
}

// emitRune classifies a non-ASCII, already lower-cased and decomposed rune
// and emits it.
func (e *expansion) emitRune(c rune) {
	switch {
	case unicode.IsLetter(c), unicode.IsDigit(c), unicode.Is(unicode.Mc, c):
		e.emit(c, clsWord)
	case unicode.In(c, unicode.Mn, unicode.Me, unicode.Cf):
		// Dropped.
	case unicode.IsSpace(c), unicode.In(c, unicode.Pd, unicode.Pc, unicode.Cc):
		e.emit(' ', clsSpace)
	default:
		e.emit(c, clsOther)
	}
}

func (e *expansion) emit(c rune, cls uint8) {
	if e.n+utf8.UTFMax > len(e.b) {
		return // cannot happen with Unicode's decompositions; never overflow
	}
	if e.n == 0 {
		e.first = cls
	}
	e.last = cls
	if c < utf8.RuneSelf {
		e.b[e.n] = byte(c)
		e.n++
		return
	}
	e.n += utf8.EncodeRune(e.b[e.n:], c)
}

// decodeRune decodes the rune at text[i]; invalid bytes decode as
// (utf8.RuneError, 1).
func decodeRune(text string, i int) (rune, int) {
	c := text[i]
	if c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(text[i:])
}

// Normalize returns the normal form of s that the automaton stores as a key
// and matches against: lower-cased, NFKD-decomposed with nonspacing marks and
// format characters dropped, separators written as one space, leading and
// trailing spaces removed. See the package documentation for the exact rules.
// Build applies it to every alias; Match applies the same rules to the text.
func Normalize(s string) string {
	return string(appendNormalized(nil, s))
}

// appendNormalized appends the normal form of s to dst.
func appendNormalized(dst []byte, s string) []byte {
	start := len(dst)
	var e expansion
	space := true // drops leading spaces
	for i := 0; i < len(s); {
		r, size := decodeRune(s, i)
		i += size
		if r < utf8.RuneSelf {
			if asciiClass[r] == clsSpace {
				if !space {
					dst = append(dst, ' ')
					space = true
				}
				continue
			}
			dst = append(dst, asciiByte[r])
			space = false
			continue
		}
		expandRune(r, size, &e)
		for _, c := range e.b[:e.n] {
			if c == ' ' {
				if space {
					continue
				}
				space = true
			} else {
				space = false
			}
			dst = append(dst, c)
		}
	}
	if space && len(dst) > start {
		dst = dst[:len(dst)-1]
	}
	return dst
}

// isWordRune reports whether the normalised rune c is a word character.
func isWordRune(c rune) bool {
	if c < utf8.RuneSelf {
		return asciiClass[c] == clsWord
	}
	return unicode.IsLetter(c) || unicode.IsDigit(c) || unicode.Is(unicode.Mc, c)
}

// runeLen is the number of runes of a normalised (valid UTF-8) string.
func runeLen(s string) int { return utf8.RuneCountInString(s) }

// normalizeStopWords normalises, sorts and de-duplicates a stop-word list,
// dropping words that normalise to nothing.
func normalizeStopWords(words []string) []string {
	out := make([]string, 0, len(words))
	for _, w := range words {
		if n := Normalize(w); n != "" {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
