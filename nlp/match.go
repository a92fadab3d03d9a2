package nlp

import (
	"fmt"
	"runtime/debug"
	"unicode/utf8"
	"unsafe"
)

// Match returns the leftmost-longest, non-overlapping, word-bounded
// mentions of the automaton's keys in text, in text order. From each word
// start not inside an earlier mention, the longest key that ends on a word
// boundary wins; see the package documentation for the rules.
//
// The error is non-nil only for a damaged automaton (ErrFormat: an
// inconsistency met while walking; ErrFault: a memory fault on the mapping)
// or after Close (ErrClosed); the text itself cannot cause an error.
func (a *Automaton) Match(text string) ([]Mention, error) {
	return a.AppendMatches(nil, text)
}

// MatchAll returns every word-bounded mention, overlaps included: each key
// that starts at a word start and ends at a word end, ordered by start, then
// end. Errors are as for Match.
func (a *Automaton) MatchAll(text string) ([]Mention, error) {
	return a.AppendAllMatches(nil, text)
}

// AppendMatches appends Match's mentions to dst and returns the extended
// slice. On error it returns dst unchanged.
func (a *Automaton) AppendMatches(dst []Mention, text string) ([]Mention, error) {
	return a.match(dst, text, false)
}

// AppendAllMatches appends MatchAll's mentions to dst and returns the
// extended slice. On error it returns dst unchanged.
func (a *Automaton) AppendAllMatches(dst []Mention, text string) ([]Mention, error) {
	return a.match(dst, text, true)
}

func (a *Automaton) match(dst []Mention, text string, all bool) (ms []Mention, err error) {
	if a.closed.Load() {
		return dst, &Error{Op: "match", Path: a.path, Err: ErrClosed}
	}
	n := len(dst)
	defer func() {
		if err != nil {
			ms = dst[:n]
			err = &Error{Op: "match", Path: a.path, Err: err}
		}
	}()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer a.guard(&err)
	m := matcher{a: a, text: text, out: dst}
	m.scan(all)
	return m.out, m.err
}

// Sentinels of child: noState (0, never a child: the root) means no
// transition; badState (never a valid id, as there are fewer than 2^32-1
// states) means the file is inconsistent.
const (
	noState  uint32 = 0
	badState uint32 = ^uint32(0)
)

// child returns the state reached from s on byte c. Every index is checked
// against the section lengths that Open established, so a damaged file can
// make it return badState but never read out of bounds.
func (a *Automaton) child(s uint32, c byte) uint32 {
	if s < a.denseRows {
		t := le.Uint32(a.dense[uint(s)<<10|uint(c)<<2:])
		if t >= a.nStates {
			return badState
		}
		return t
	}
	if s >= a.nStates {
		return badState
	}
	fc := a.firstChild[uint(s)<<2 : uint(s)<<2+8]
	lo, hi := le.Uint32(fc), le.Uint32(fc[4:])
	if lo > hi || hi > a.nStates || hi-lo > 256 {
		return badState
	}
	labels := a.label[lo:hi]
	if len(labels) <= 8 {
		for i, l := range labels {
			if l == c {
				return lo + uint32(i)
			}
			if l > c {
				break
			}
		}
		return noState
	}
	i, j := 0, len(labels)
	for i < j {
		h := int(uint(i+j) >> 1)
		if labels[h] < c {
			i = h + 1
		} else {
			j = h
		}
	}
	if i < len(labels) && labels[i] == c {
		return lo + uint32(i)
	}
	return noState
}

// output returns the key id + 1 that ends at state s (s < nStates), 0 for
// none, or badState.
func (a *Automaton) output(s uint32) uint32 {
	o := le.Uint32(a.out[uint(s)<<2:])
	if o > a.nKeys {
		return badState
	}
	return o
}

// matcher holds the state of one Match call: nothing in it is shared.
type matcher struct {
	a    *Automaton
	text string
	out  []Mention
	err  error

	// Chunks the result's candidates and strings are carved from, so a
	// call allocates a few blocks instead of one object per string.
	cands []Candidate
	strs  []byte
}

func (m *matcher) corrupt(what string, args ...any) {
	if m.err == nil {
		m.err = fmt.Errorf("%w: "+what+" (run Verify)", append([]any{ErrFormat}, args...)...)
	}
}

// scan finds the word starts of the text and walks the trie from each.
// prevWord is the class of the last normalised rune before i: a word start
// is a rune whose normalisation is not empty and does not begin with a
// space, after a non-word rune or at the start.
func (m *matcher) scan(all bool) {
	text := m.text
	var e expansion
	prevWord := false
	lastEnd := 0 // Match: no mention may start before the previous one's end
	for i, ri := 0, 0; i < len(text) && m.err == nil; {
		c := text[i]
		size := 1
		first, last := clsOther, clsOther
		if c < utf8.RuneSelf {
			first = asciiClass[c]
			last = first
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(text[i:])
			expandRune(r, size, &e)
			if e.n == 0 {
				i += size
				ri++
				continue
			}
			first, last = e.first, e.last
		}
		if !prevWord && first != clsSpace && i >= lastEnd {
			if all {
				m.walk(i, ri, true)
			} else if key, end, endRune, ok := m.walk(i, ri, false); ok {
				m.emit(i, end, ri, endRune, key)
				lastEnd = end
			}
		}
		prevWord = last == clsWord
		i += size
		ri++
	}
}

// walk follows the trie from the word start at byte i (rune ri), feeding
// it the normalised text rune by rune. A key reached after a whole rune's
// expansion is accepted once the next normalised rune is known to be a
// non-word one (or the text ends): the boundary rule is applied before the
// longest is chosen. With all set, every accepted key becomes a mention;
// otherwise the longest is returned. The walk never goes deeper than the
// longest key.
func (m *matcher) walk(i, ri int, all bool) (bestKey uint32, bestEnd, bestEndRune int, found bool) {
	a, text := m.a, m.text
	var e expansion
	var one [1]byte
	s := noState
	depth := 0
	lastSpace := false
	// A key that ended at the end of the previous rune, waiting for the
	// next rune's class; extend says combining marks that follow still
	// belong to it.
	//
	// The key id at a state is looked up only then, when the boundary rule
	// can accept it: once per word end instead of once per rune, which
	// spares most reads of out[].
	pending, extend := false, false
	var pState uint32
	var pEnd, pEndRune int
	accept := func() {
		o := a.output(pState)
		switch o {
		case 0:
			return
		case badState:
			m.corrupt("state %d has a key id beyond the %d keys", pState, a.nKeys)
			return
		}
		if all {
			m.emit(i, pEnd, ri, pEndRune, o-1)
		} else {
			bestKey, bestEnd, bestEndRune, found = o-1, pEnd, pEndRune, true
		}
	}
	j, rj := i, ri
	for j < len(text) {
		c := text[j]
		size := 1
		var bs []byte
		var first uint8
		if c < utf8.RuneSelf {
			one[0], first = asciiByte[c], asciiClass[c]
			bs = one[:]
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(text[j:])
			expandRune(r, size, &e)
			if e.n == 0 {
				if pending && extend && e.mark {
					pEnd, pEndRune = j+size, rj+1
				} else {
					extend = false
				}
				j += size
				rj++
				continue
			}
			bs, first = e.b[:e.n], e.first
		}
		if pending {
			if first != clsWord {
				accept()
			}
			pending = false
		}
		fed := false
		for _, b := range bs {
			if b == ' ' {
				if lastSpace {
					continue
				}
				lastSpace = true
			} else {
				lastSpace = false
			}
			depth++
			if depth > a.maxKeyLen {
				return
			}
			t := a.child(s, b)
			if t == noState {
				return
			}
			if t == badState {
				m.corrupt("state %d has a child out of range", s)
				return
			}
			s, fed = t, true
		}
		j += size
		rj++
		if !fed {
			continue
		}
		pending, extend = true, true
		pState, pEnd, pEndRune = s, j, rj
	}
	if pending {
		accept()
	}
	return
}

// emit appends the mention [start, end) of key.
func (m *matcher) emit(start, end, startRune, endRune int, key uint32) {
	a := m.a
	ka := a.keyAlias[uint(key)<<2 : uint(key)<<2+8]
	lo, hi := le.Uint32(ka), le.Uint32(ka[4:])
	if lo >= hi || hi > a.nAliases {
		m.corrupt("key %d has alias records [%d, %d) of %d", key, lo, hi, a.nAliases)
		return
	}
	cands := m.allocCandidates(int(hi - lo))
	for r := lo; r < hi; r++ {
		rec := a.records[uint(r)*recordSize : uint(r)*recordSize+recordSize]
		off, n := le.Uint32(rec[8:]), le.Uint16(rec[12:])
		kind := le.Uint16(rec[14:])
		et, at := int(kind>>2), AliasType(kind&3)
		if et >= len(a.types) || !at.valid() || uint64(off)+uint64(n) > uint64(len(a.strs)) {
			m.corrupt("alias record %d is out of range", r)
			return
		}
		cands[r-lo] = Candidate{
			EntityID:   int64(le.Uint64(rec)),
			EntityType: a.types[et],
			AliasType:  at,
			Alias:      m.copyBytes(a.strs[off : uint64(off)+uint64(n)]),
		}
	}
	m.out = append(m.out, Mention{
		Start: start, End: end, StartRune: startRune, EndRune: endRune,
		Text:       m.copyString(m.text[start:end]),
		Candidates: cands,
	})
}

// allocCandidates carves n candidates from the current chunk.
func (m *matcher) allocCandidates(n int) []Candidate {
	if n > len(m.cands) {
		m.cands = make([]Candidate, max(n, 32))
	}
	c := m.cands[:n:n]
	m.cands = m.cands[n:]
	return c
}

// copyString copies s into the current string chunk and returns the copy.
// The chunk's bytes are never written again once a string points at them.
func (m *matcher) copyString(s string) string {
	if len(s) == 0 {
		return ""
	}
	start := m.reserve(len(s))
	m.strs = append(m.strs, s...)
	return unsafe.String(&m.strs[start], len(s))
}

// copyBytes is copyString for bytes (of the mapping).
func (m *matcher) copyBytes(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	start := m.reserve(len(b))
	m.strs = append(m.strs, b...)
	return unsafe.String(&m.strs[start], len(b))
}

// reserve makes room for n more bytes in the current chunk, starting a new
// chunk if needed, and returns where they will start.
func (m *matcher) reserve(n int) int {
	if n > cap(m.strs)-len(m.strs) {
		m.strs = make([]byte, 0, max(n, 1024))
	}
	return len(m.strs)
}
