package nlp

import (
	"bytes"
	"fmt"
	"runtime/debug"
	"slices"
	"unicode/utf8"
	"unsafe"
)

// Verify checks the whole file: the CRC-32C of every section, then every
// structural invariant (child blocks numbered as the builder numbers them,
// so in bounds and after their parent, labels ascending within a block,
// flags agreeing with the key ids, no dead end, no walk deeper than the
// longest key, key ids in range and each reached exactly once in sorted
// order, dense tables equal to the state records, the first-word filter
// equal to the one the keys give, the key→alias CSR monotone
// and in bounds, alias records in range, sorted and unique per key, alias
// strings valid UTF-8), and finally that every alias, normalised by this
// reader, gives back the key it is filed under, is not shorter than the
// minimum length and is not a stop word. It reads every byte of the file,
// in time linear in its size; run it after building and after installing a
// file, not on every Open.
//
// An automaton that passes Verify cannot make Match or MatchAll fail, except
// with ErrFault if the file is changed under the mapping.
func (a *Automaton) Verify() error {
	if a.closed.Load() {
		return &Error{Op: "verify", Path: a.path, Err: ErrClosed}
	}
	if err := a.verify(); err != nil {
		return &Error{Op: "verify", Path: a.path, Err: err}
	}
	return nil
}

func (a *Automaton) verify() (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer a.guard(&err)
	for _, s := range a.hdr.sections {
		if got := crc32c(a.data[s.offset : s.offset+s.length]); got != s.crc {
			return fmt.Errorf("%w: %s section CRC-32C is %08x, the header says %08x", ErrChecksum, sectionName(s.id), got, s.crc)
		}
	}
	v := verifier{a: a}
	for _, step := range []func() error{v.states, v.dense, v.csr, v.records, v.metadata, v.keys} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

type verifier struct {
	a *Automaton
}

func bad(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrFormat}, args...)...)
}

// rec decodes the record of state s (s < nStates).
func (v *verifier) rec(s uint32) (first, children uint32, label, flags, zero byte) {
	r := v.a.states[uint(s)*stateSize:]
	return le.Uint32(r), uint32(r[4]), r[5], r[6], r[7]
}

// states checks the state records and out: the numbering is the canonical
// one (each state's block of children allocated next, breadth-first down
// to hotDepth, depth-first below), so the blocks partition [1, n) and every
// child comes after its parent; labels are not zero and ascend within a
// block; flags agree with out; every leaf has a key; the levels are no
// deeper than the longest key and hot_states counts the shallow ones.
func (v *verifier) states() error {
	a := v.a
	n := a.nStates
	next := uint32(1) // the first id of the next block
	maxDepth := 0
	// check checks state s at depth d and returns its block.
	check := func(s uint32, d int) (lo, hi uint32, err error) {
		first, cnt, label, flags, zero := v.rec(s)
		if zero != 0 || flags&^stateFlags != 0 {
			return 0, 0, bad("state %d: flags %#x, reserved byte %#x", s, flags, zero)
		}
		if (s == 0) != (label == 0) {
			return 0, 0, bad("state %d has label %d", s, label)
		}
		o := le.Uint32(a.out[uint(s)<<2:])
		if o > a.nKeys {
			return 0, 0, bad("state %d has key id %d, beyond the %d keys", s, o-1, a.nKeys)
		}
		if (o != 0) != (flags&stateKey != 0) {
			return 0, 0, bad("state %d: key flag %d, out %d", s, flags&stateKey, o)
		}
		if s == 0 && o != 0 {
			return 0, 0, bad("the root has a key (the empty key)")
		}
		if cnt == 0 {
			if first != 0 {
				return 0, 0, bad("state %d has no children but first child %d", s, first)
			}
			if s > 0 && o == 0 {
				return 0, 0, bad("state %d is a dead end: no children and no key", s)
			}
			return 0, 0, nil
		}
		if first != next || uint64(first)+uint64(cnt) > uint64(n) {
			return 0, 0, bad("state %d has children [%d, %d), the numbering puts them at %d", s, first, uint64(first)+uint64(cnt), next)
		}
		next += cnt
		if d+1 > maxDepth {
			maxDepth = d + 1
			if maxDepth > a.maxKeyLen {
				return 0, 0, bad("the trie is deeper than the longest key (%d bytes)", a.maxKeyLen)
			}
		}
		prev := byte(0)
		for c := first; c < first+cnt; c++ {
			l := a.states[uint(c)*stateSize+5]
			if l <= prev {
				return 0, 0, bad("state %d: labels of its children do not ascend", s)
			}
			prev = l
		}
		return first, first + cnt, nil
	}
	// Breadth-first down to hotDepth: level d is [lo, hi).
	lo, hi := uint32(0), uint32(1)
	for d := 0; d < hotDepth && lo < hi; d++ {
		for s := lo; s < hi; s++ {
			if _, _, err := check(s, d); err != nil {
				return err
			}
		}
		lo, hi = hi, next
	}
	hot := next
	// Depth-first below.
	type item struct {
		s uint32
		d int
	}
	var stack []item
	for s := lo; s < hi; s++ {
		stack = append(stack[:0], item{s, hotDepth})
		for len(stack) > 0 {
			it := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			clo, chi, err := check(it.s, it.d)
			if err != nil {
				return err
			}
			for c := chi; c > clo; c-- {
				stack = append(stack, item{c - 1, it.d + 1})
			}
		}
	}
	if next != n {
		return bad("the child blocks cover %d states of %d", next, n)
	}
	if maxDepth != a.maxKeyLen {
		return bad("the trie is %d levels deep, the longest key has %d bytes", maxDepth, a.maxKeyLen)
	}
	if hot != a.hdr.hotStates {
		return bad("%d hot states, the levels give %d", a.hdr.hotStates, hot)
	}
	return nil
}

// dense checks that the dense rows are the root alone, or the root and all
// the level-1 states, and that each row equals the state's children.
func (v *verifier) dense() error {
	a := v.a
	_, rootKids, _, _, _ := v.rec(0)
	if a.denseRows != 1 && a.denseRows != 1+rootKids {
		return bad("%d dense rows, want 1 (the root) or %d (the root and its children)", a.denseRows, 1+rootKids)
	}
	var row [256]uint32
	for s := range a.denseRows {
		row = [256]uint32{}
		first, cnt, _, _, _ := v.rec(s)
		for c := first; c < first+cnt; c++ {
			_, _, label, _, _ := v.rec(c)
			row[label] = c
		}
		for b := range 256 {
			if got := le.Uint32(a.dense[(int(s)*256+b)*4:]); got != row[b] {
				return bad("dense row %d, byte %d: state %d, the child ranges give %d", s, b, got, row[b])
			}
		}
	}
	return nil
}

// csr checks key_alias: starts at 0, strictly increasing (every key has a
// record), ends at the number of records.
func (v *verifier) csr() error {
	a := v.a
	ka := func(i uint32) uint32 { return le.Uint32(a.keyAlias[uint(i)<<2:]) }
	if ka(0) != 0 || ka(a.nKeys) != a.nAliases {
		return bad("key_alias runs from %d to %d, want 0 to %d", ka(0), ka(a.nKeys), a.nAliases)
	}
	for k := range a.nKeys {
		if ka(k) >= ka(k+1) {
			return bad("key %d has alias records [%d, %d)", k, ka(k), ka(k+1))
		}
	}
	return nil
}

// records checks each alias record: entity type in range, alias type valid,
// text inside the string section and valid UTF-8, and within each key the
// records strictly sorted by (entity type, entity id).
func (v *verifier) records() error {
	a := v.a
	for k := range a.nKeys {
		lo, hi := le.Uint32(a.keyAlias[uint(k)<<2:]), le.Uint32(a.keyAlias[uint(k+1)<<2:])
		for r := lo; r < hi; r++ {
			rec := a.records[uint(r)*recordSize:]
			off, n, kind := le.Uint32(rec[8:]), le.Uint16(rec[12:]), le.Uint16(rec[14:])
			if int(kind>>2) >= len(a.types) || !AliasType(kind&3).valid() {
				return bad("alias record %d: entity type %d of %d, alias type %d", r, kind>>2, len(a.types), kind&3)
			}
			if uint64(off)+uint64(n) > uint64(len(a.strs)) {
				return bad("alias record %d: text [%d, +%d) beyond the %d-byte string section", r, off, n, len(a.strs))
			}
			if !utf8.Valid(a.strs[off : off+uint32(n)]) {
				return bad("alias record %d: text is not UTF-8", r)
			}
			if r > lo {
				p := a.records[uint(r-1)*recordSize:]
				pt, pid := le.Uint16(p[14:])>>2, int64(le.Uint64(p))
				t, id := kind>>2, int64(le.Uint64(rec))
				if pt > t || pt == t && pid >= id {
					return bad("alias records %d and %d of key %d are not sorted by entity type and id, or repeat an entity", r-1, r, k)
				}
			}
		}
	}
	return nil
}

// metadata checks the entity type names and the stop words: sorted, unique,
// and (stop words) normalised.
func (v *verifier) metadata() error {
	a := v.a
	for i := 1; i < len(a.types); i++ {
		if a.types[i-1] >= a.types[i] {
			return bad("entity types %q and %q are not sorted and unique", a.types[i-1], a.types[i])
		}
	}
	sw := a.opts.stopWords
	for i, w := range sw {
		if i > 0 && sw[i-1] >= w {
			return bad("stop words %q and %q are not sorted and unique", sw[i-1], w)
		}
		if Normalize(w) != w {
			return bad("stop word %q is not normalised", w)
		}
	}
	return nil
}

// keys walks the trie depth first, in label order, which visits the keys in
// sorted order: key ids must come 0, 1, 2, ... and each key's aliases must
// normalise to it. The depth is bounded by the level check in states.
func (v *verifier) keys() error {
	a := v.a
	type frame struct{ next, end uint32 }
	stack := make([]frame, 1, a.maxKeyLen+1)
	first, cnt, _, _, _ := v.rec(0)
	stack[0] = frame{first, first + cnt}
	path := make([]byte, 0, a.maxKeyLen)
	var buf []byte
	nextKey := uint32(0)
	filter := make([]uint64, len(a.firstWords)/8)
	if uint64(len(a.firstWords)) != filterBytes(a.nKeys) {
		return bad("first-word filter of %d bytes, %d keys need %d", len(a.firstWords), a.nKeys, filterBytes(a.nKeys))
	}
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		if top.next == top.end {
			stack = stack[:len(stack)-1]
			if len(path) > 0 {
				path = path[:len(path)-1]
			}
			continue
		}
		s := top.next
		top.next++
		if len(path) >= a.maxKeyLen {
			return bad("a path is longer than the longest key (%d bytes)", a.maxKeyLen)
		}
		first, cnt, label, _, _ := v.rec(s)
		path = append(path, label)
		stack = append(stack, frame{first, first + cnt})
		o := le.Uint32(a.out[uint(s)<<2:])
		if o == 0 {
			continue
		}
		key := o - 1
		if key != nextKey {
			return bad("state %d has key %d where sorted order puts key %d", s, key, nextKey)
		}
		nextKey++
		if !utf8.Valid(path) {
			return bad("key %d is not UTF-8", key)
		}
		if n := utf8.RuneCount(path); n < a.opts.minLength {
			return bad("key %d %q has %d runes, fewer than the minimum length %d", key, path, n, a.opts.minLength)
		}
		if _, stop := slices.BinarySearch(a.opts.stopWords, unsafe.String(unsafe.SliceData(path), len(path))); stop {
			return bad("key %d %q is a stop word", key, path)
		}
		if w, ok := keyFirstWord(path); ok {
			addToFilter(filter, w)
		}
		lo, hi := le.Uint32(a.keyAlias[uint(key)<<2:]), le.Uint32(a.keyAlias[uint(key+1)<<2:])
		for r := lo; r < hi; r++ {
			rec := a.records[uint(r)*recordSize:]
			off, n := le.Uint32(rec[8:]), le.Uint16(rec[12:])
			text := a.strs[off : off+uint32(n)]
			// The text is only read during the call: no copy needed.
			buf = appendNormalized(buf[:0], unsafe.String(unsafe.SliceData(text), len(text)))
			if !bytes.Equal(buf, path) {
				return bad("alias record %d %q normalises to %q, but is filed under key %d %q", r, text, buf, key, path)
			}
		}
	}
	if nextKey != a.nKeys {
		return bad("the trie holds %d keys, the header says %d", nextKey, a.nKeys)
	}
	for i, w := range filter {
		if got := le.Uint64(a.firstWords[i*8:]); got != w {
			return bad("first-word filter word %d is %#x, the keys give %#x", i, got, w)
		}
	}
	return nil
}
