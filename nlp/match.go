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
	st := a.states
	off := uint(s) * stateSize
	if off+stateSize > uint(len(st)) {
		return badState
	}
	rec := le.Uint64(st[off:])
	first, cnt := uint32(rec), uint(rec>>32)&0xff
	if cnt == 0 {
		return noState
	}
	if uint64(first)+uint64(cnt) > uint64(a.nStates) {
		return badState
	}
	if cnt == 1 {
		// Most states deep in the trie have one child.
		if st[uint(first)*stateSize+5] == c {
			return first
		}
		return noState
	}
	// The children are the records [first, first+cnt); their labels are
	// byte 5 of each, ascending.
	labels := st[uint(first)*stateSize+5 : (uint(first)+cnt-1)*stateSize+6]
	if cnt <= 8 {
		for k := uint(0); k < uint(len(labels)); k += stateSize {
			l := labels[k]
			if l == c {
				return first + uint32(k/stateSize)
			}
			if l > c {
				break
			}
		}
		return noState
	}
	lo, hi := uint(0), cnt
	for lo < hi {
		h := (lo + hi) >> 1
		if labels[h*stateSize] < c {
			lo = h + 1
		} else {
			hi = h
		}
	}
	if lo < cnt && labels[lo*stateSize] == c {
		return first + uint32(lo)
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

	// Mentions found but not yet emitted: emitting reads out, key_alias,
	// the alias records and their strings, a chain of dependent reads
	// that mostly miss the caches; done for a batch of mentions stage by
	// stage, the reads of different mentions overlap.
	pend  [pendMax]pending
	npend int
	sink  uint32 // keeps the prefetching reads of flush
}

// pending is a mention found at state s, not yet emitted.
type pending struct {
	start, end, startRune, endRune int
	s                              uint32
}

const pendMax = 32

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
			// A word of ASCII letters and digits: [i, j). No word starts
			// inside it, and if an ASCII byte (or the end) follows it, the
			// first-word filter can tell that no key starts with it.
			j, h := i, uint64(0)
			if isAlnum[c] {
				j, h = wordAt(text, i)
			}
			if j == i || j < len(text) && text[j] >= utf8.RuneSelf || m.a.mayStart(h) {
				if all {
					m.walk(i, ri, true)
				} else if p, ok := m.walk(i, ri, false); ok {
					m.push(p)
					lastEnd = p.end
				}
			}
			if j > i {
				ri += j - i
				i = j
				prevWord = true
				continue
			}
		}
		prevWord = last == clsWord
		i += size
		ri++
	}
	m.flush()
}

// walk follows the trie from the word start at byte i (rune ri), feeding
// it the normalised text rune by rune. A key reached after a whole rune's
// expansion is accepted once the next normalised rune is known to be a
// non-word one (or the text ends): the boundary rule is applied before the
// longest is chosen. With all set, every accepted key becomes a mention;
// otherwise the longest is returned. The walk never goes deeper than the
// longest key.
func (m *matcher) walk(i, ri int, all bool) (best pending, found bool) {
	a, text := m.a, m.text
	maxDepth := a.maxKeyLen
	dense, states, denseRows, nStates := a.dense, a.states, a.denseRows, a.nStates
	s := noState
	depth := 0
	lastSpace := false
	// A key that ended at the end of the previous rune, waiting for the
	// next rune's class; extend says combining marks that follow still
	// belong to it.
	//
	// Whether a key ends at a state is the state's flag, in the record
	// whose label the walk has just read; the key id (out) is read only
	// when the mention is emitted.
	waiting, extend := false, false
	var p pending
	p.start, p.startRune = i, ri
	j, rj := i, ri
	for j < len(text) {
		c := text[j]
		var b byte
		var fed bool
		if c < utf8.RuneSelf {
			// ASCII: one byte, one normalised byte, never dropped.
			if waiting {
				waiting = false
				if asciiClass[c] != clsWord && a.isKey(p.s) {
					if !all {
						best, found = p, true
					} else {
						m.push(p)
					}
				}
			}
			j++
			rj++
			b = asciiByte[c]
			if b == ' ' {
				if lastSpace {
					continue
				}
				lastSpace = true
			} else {
				lastSpace = false
			}
			depth++
			if depth > maxDepth {
				return
			}
			// The two common cases inline (a call spills every live
			// register): a dense row, and a state with one child.
			var t uint32
			if s < denseRows {
				t = le.Uint32(dense[uint(s)<<10|uint(b)<<2:])
				if t == noState {
					return
				}
				if t >= nStates {
					m.corrupt("state %d has a child out of range", s)
					return
				}
			} else if rec := le.Uint64(states[uint(s)*stateSize:]); rec>>32&0xff == 1 {
				t = uint32(rec)
				if t >= nStates {
					m.corrupt("state %d has a child out of range", s)
					return
				}
				if states[uint(t)*stateSize+5] != b {
					return
				}
			} else {
				t = a.child(s, b)
				if t == noState {
					return
				}
				if t == badState {
					m.corrupt("state %d has a child out of range", s)
					return
				}
			}
			s, fed = t, true
		} else {
			var e expansion
			r, size := utf8.DecodeRuneInString(text[j:])
			expandRune(r, size, &e)
			if e.n == 0 {
				if waiting && extend && e.mark {
					p.end, p.endRune = j+size, rj+1
				} else {
					extend = false
				}
				j += size
				rj++
				continue
			}
			if waiting {
				waiting = false
				if e.first != clsWord && a.isKey(p.s) {
					if !all {
						best, found = p, true
					} else {
						m.push(p)
					}
				}
			}
			for _, b := range e.b[:e.n] {
				if b == ' ' {
					if lastSpace {
						continue
					}
					lastSpace = true
				} else {
					lastSpace = false
				}
				depth++
				if depth > maxDepth {
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
		}
		if fed {
			waiting, extend = true, true
			p.s, p.end, p.endRune = s, j, rj
		}
	}
	if waiting && a.isKey(p.s) {
		if !all {
			best, found = p, true
		} else {
			m.push(p)
		}
	}
	return
}

// isKey reports whether a key ends at state s (s < nStates).
func (a *Automaton) isKey(s uint32) bool {
	return a.states[uint(s)*stateSize+6]&stateKey != 0
}

// push queues a mention.
func (m *matcher) push(p pending) {
	if m.npend == len(m.pend) {
		m.flush()
	}
	m.pend[m.npend] = p
	m.npend++
}

// flush emits the queued mentions, in order. Each stage reads one thing
// for every mention before the next stage needs it: the key ids, then
// their record ranges, then (touching) the first record and its text, and
// only then emits, from cached lines.
func (m *matcher) flush() {
	ps := m.pend[:m.npend]
	m.npend = 0
	if len(ps) == 0 || m.err != nil {
		return
	}
	a := m.a
	var keys, los, his [pendMax]uint32
	for k := range ps {
		o := a.output(ps[k].s)
		if o == 0 || o == badState {
			m.corrupt("state %d is flagged as a key but has key id %d of %d", ps[k].s, int64(o)-1, a.nKeys)
			return
		}
		keys[k] = o - 1
	}
	for k := range ps {
		key := keys[k]
		ka := a.keyAlias[uint(key)<<2 : uint(key)<<2+8]
		lo, hi := le.Uint32(ka), le.Uint32(ka[4:])
		if lo >= hi || hi > a.nAliases {
			m.corrupt("key %d has alias records [%d, %d) of %d", key, lo, hi, a.nAliases)
			return
		}
		los[k], his[k] = lo, hi
	}
	sink := uint32(0)
	for k := range ps {
		rec := a.records[uint(los[k])*recordSize : uint(los[k])*recordSize+recordSize]
		if off := le.Uint32(rec[8:]); uint64(off) < uint64(len(a.strs)) {
			sink += uint32(a.strs[off])
		}
	}
	m.sink += sink
	for k := range ps {
		p := &ps[k]
		if !m.emit(p.start, p.end, p.startRune, p.endRune, los[k], his[k]) {
			return
		}
	}
}

// emit appends the mention [start, end) whose candidates are the alias
// records [lo, hi) (checked: lo < hi ≤ nAliases). It returns false if the
// file is damaged.
func (m *matcher) emit(start, end, startRune, endRune int, lo, hi uint32) bool {
	a := m.a
	cands := m.allocCandidates(int(hi - lo))
	for r := lo; r < hi; r++ {
		rec := a.records[uint(r)*recordSize : uint(r)*recordSize+recordSize]
		off, n := le.Uint32(rec[8:]), le.Uint16(rec[12:])
		kind := le.Uint16(rec[14:])
		et, at := int(kind>>2), AliasType(kind&3)
		if et >= len(a.types) || !at.valid() || uint64(off)+uint64(n) > uint64(len(a.strs)) {
			m.corrupt("alias record %d is out of range", r)
			return false
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
	return true
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
