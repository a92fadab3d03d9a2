package nlp

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/text/unicode/norm"
)

// Build reads aliases, normalises them, and writes an automaton file to w.
// It stops at the first error the sequence yields. Aliases that are empty
// after normalisation, shorter than MinLength, stop words, or invalid (see
// BuildStats) are skipped and counted; several aliases of one entity that
// normalise to the same key are folded into one record (the one with the
// smallest AliasType, then the smallest text). An Alias with an AliasType
// other than Preferred, Synonym or Code is an error.
//
// The output depends only on the aliases and options, not on their order:
// the same aliases always give the same bytes. Build holds the whole
// dictionary in memory: 200 to 350 bytes per alias at its peak (under
// 1 GB for 5 million aliases of 20 bytes).
func Build(w io.Writer, aliases iter.Seq2[Alias, error], opts *BuildOptions) (BuildStats, error) {
	stats, err := build(w, aliases, opts)
	if err != nil {
		return stats, &Error{Op: "build", Err: err}
	}
	return stats, nil
}

// BuildFile builds an automaton like Build and writes it to path atomically:
// into a temporary file in the same directory, fsynced, renamed over path,
// and the directory fsynced. An existing file at path is replaced, never
// rewritten in place, so processes that have it open (mapped) keep reading
// the old version. On error, path is left untouched.
func BuildFile(path string, aliases iter.Seq2[Alias, error], opts *BuildOptions) (BuildStats, error) {
	stats, err := buildFile(path, aliases, opts)
	if err != nil {
		return stats, &Error{Op: "build", Path: path, Err: err}
	}
	return stats, nil
}

func buildFile(path string, aliases iter.Seq2[Alias, error], opts *BuildOptions) (BuildStats, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return BuildStats{}, err
	}
	name := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(name)
		}
	}()
	stats, err := build(tmp, aliases, opts)
	if err != nil {
		return stats, err
	}
	if err := tmp.Chmod(0o644); err != nil {
		return stats, err
	}
	if err := tmp.Sync(); err != nil {
		return stats, err
	}
	if err := tmp.Close(); err != nil {
		return stats, err
	}
	if err := os.Rename(name, path); err != nil {
		return stats, err
	}
	ok = true
	d, err := os.Open(dir)
	if err != nil {
		return stats, err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return stats, fmt.Errorf("fsync %s: %w", dir, err)
	}
	return stats, nil
}

// entry is one alias kept after normalisation, before sorting. prefix holds
// the first 8 bytes of the normalised key, big-endian and zero-padded, so
// that most comparisons never leave the entry (keys hold no zero byte, so a
// shorter key sorts first, as it should).
type entry struct {
	prefix  uint64
	id      int64
	keyOff  uint32
	textOff uint32
	keyLen  uint16
	textLen uint16
	etype   uint16
	atype   AliasType
}

type builder struct {
	start    time.Time
	minLen   int
	stop     map[string]struct{}
	stopList []string
	keys     []byte // normalised keys, in input order
	texts    []byte // original alias texts, in input order
	ents     []entry
	split    int // ents[:split] and ents[split:] are each sorted
	typeIdx  map[string]uint16
	types    []string
	stats    BuildStats
}

func build(w io.Writer, aliases iter.Seq2[Alias, error], opts *BuildOptions) (BuildStats, error) {
	b := &builder{start: time.Now(), minLen: DefaultMinLength, typeIdx: map[string]uint16{}}
	stop := DefaultStopWords
	if opts != nil {
		if opts.MinLength < 0 || opts.MinLength > 1<<16 {
			return BuildStats{}, fmt.Errorf("minimum length %d out of range", opts.MinLength)
		}
		if opts.MinLength > 0 {
			b.minLen = opts.MinLength
		}
		if opts.StopWords != nil {
			stop = opts.StopWords
		}
	}
	b.stopList = normalizeStopWords(stop)
	b.stop = make(map[string]struct{}, len(b.stopList))
	for _, s := range b.stopList {
		b.stop[s] = struct{}{}
	}
	if err := b.read(aliases); err != nil {
		return b.stats, err
	}
	b.sortTypes()
	b.sort()
	t := b.dedupe()
	b.keys, b.texts, b.ents = nil, nil, nil
	// The input arenas (about half the peak) are garbage now: collect them
	// before the trie arrays are allocated, so the heap reuses their memory
	// instead of growing to twice the live data.
	runtime.GC()
	if err := t.buildTrie(); err != nil {
		return b.stats, err
	}
	n, err := t.write(w, b)
	b.stats.Bytes = n
	b.stats.Keys = int64(len(t.keyEnds) - 1)
	b.stats.States = int64(len(t.states))
	b.stats.EntityTypes = int64(len(b.types))
	b.stats.Seconds = time.Since(b.start).Seconds()
	return b.stats, err
}

// read normalises every alias into b.keys and keeps the ones that pass.
func (b *builder) read(aliases iter.Seq2[Alias, error]) error {
	for a, err := range aliases {
		if err != nil {
			return err
		}
		b.stats.Read++
		if !a.Type.valid() {
			return fmt.Errorf("alias %q of entity %d: invalid alias type %d", a.Text, a.EntityID, a.Type)
		}
		if len(a.Text) > maxAliasBytes || len(a.EntityType) > maxTypeNameLen ||
			!utf8.ValidString(a.Text) || !utf8.ValidString(a.EntityType) {
			b.stats.SkippedInvalid++
			continue
		}
		start := len(b.keys)
		b.keys = appendNormalized(grow(b.keys, len(a.Text)), a.Text)
		key := b.keys[start:]
		switch {
		case len(key) > maxAliasBytes:
			// NFKD can expand a text; the key must fit 16 bits too.
			b.stats.SkippedInvalid++
		case len(key) == 0:
			b.stats.SkippedEmpty++
		case utf8.RuneCount(key) < b.minLen:
			b.stats.SkippedShort++
		default:
			if _, stop := b.stop[string(key)]; stop {
				b.stats.SkippedStopWord++
				break
			}
			if int64(len(b.keys)) > 1<<32-1 || int64(len(b.texts))+int64(len(a.Text)) > 1<<32-1 {
				return errors.New("normalised aliases or alias texts exceed 4 GiB")
			}
			et, ok := b.typeIdx[a.EntityType]
			if !ok {
				if len(b.types) >= maxEntityTypes {
					return fmt.Errorf("more than %d entity types", maxEntityTypes)
				}
				et = uint16(len(b.types))
				b.types = append(b.types, a.EntityType)
				b.typeIdx[a.EntityType] = et
			}
			var p [8]byte
			copy(p[:], key)
			b.ents = append(grow(b.ents, 1), entry{
				prefix:  uint64(p[0])<<56 | uint64(p[1])<<48 | uint64(p[2])<<40 | uint64(p[3])<<32 | uint64(p[4])<<24 | uint64(p[5])<<16 | uint64(p[6])<<8 | uint64(p[7]),
				id:      a.EntityID,
				keyOff:  uint32(start),
				keyLen:  uint16(len(key)),
				textOff: uint32(len(b.texts)),
				textLen: uint16(len(a.Text)),
				etype:   et,
				atype:   a.Type,
			})
			b.texts = append(grow(b.texts, len(a.Text)), a.Text...)
			continue
		}
		b.keys = b.keys[:start]
	}
	if int64(len(b.ents)) > maxStates-1 {
		return fmt.Errorf("%d aliases, at most %d allowed", len(b.ents), int64(maxStates-1))
	}
	return nil
}

// sortTypes renumbers entity types in byte order of their names, so the
// output does not depend on the order types first appeared in.
func (b *builder) sortTypes() {
	order := make([]uint16, len(b.types))
	for i := range order {
		order[i] = uint16(i)
	}
	slices.SortFunc(order, func(x, y uint16) int { return cmp.Compare(b.types[x], b.types[y]) })
	rank := make([]uint16, len(b.types))
	sorted := make([]string, len(b.types))
	for r, old := range order {
		rank[old] = uint16(r)
		sorted[r] = b.types[old]
	}
	b.types = sorted
	for i := range b.ents {
		b.ents[i].etype = rank[b.ents[i].etype]
	}
}

// grow makes room for n more elements, doubling the capacity when it must
// grow (append grows large slices by only a quarter, copying them over and
// over).
func grow[E any](s []E, n int) []E {
	if cap(s)-len(s) >= n {
		return s
	}
	return slices.Grow(s, max(n, cap(s), 1024))
}

func (b *builder) key(e *entry) []byte { return b.keys[e.keyOff : e.keyOff+uint32(e.keyLen)] }

// compare orders entries by key, then entity type, entity id, alias type and
// text: the order of the records in the file, and the preference among
// duplicates.
func (b *builder) compare(x, y *entry) int {
	if x.prefix != y.prefix {
		return cmp.Compare(x.prefix, y.prefix)
	}
	if x.keyLen > 8 || y.keyLen > 8 {
		kx, ky := b.key(x), b.key(y)
		if c := bytes.Compare(kx[min(8, len(kx)):], ky[min(8, len(ky)):]); c != 0 {
			return c
		}
	}
	if c := cmp.Compare(x.etype, y.etype); c != 0 {
		return c
	}
	if c := cmp.Compare(x.id, y.id); c != 0 {
		return c
	}
	if c := cmp.Compare(x.atype, y.atype); c != 0 {
		return c
	}
	return bytes.Compare(b.texts[x.textOff:x.textOff+uint32(x.textLen)], b.texts[y.textOff:y.textOff+uint32(y.textLen)])
}

// sort sorts the entries; with many of them, the two halves are sorted in
// parallel, and dedupe merges them as it reads them.
func (b *builder) sort() {
	cmpf := func(x, y entry) int { return b.compare(&x, &y) }
	b.split = len(b.ents)
	if len(b.ents) < 1<<16 {
		slices.SortFunc(b.ents, cmpf)
		return
	}
	b.split = len(b.ents) / 2
	left, right := b.ents[:b.split], b.ents[b.split:]
	var wg sync.WaitGroup
	wg.Go(func() { slices.SortFunc(left, cmpf) })
	slices.SortFunc(right, cmpf)
	wg.Wait()
}

// sorted yields the entries in sorted order, merging the two sorted runs
// b.ents[:b.split] and b.ents[b.split:].
func (b *builder) sorted() iter.Seq[*entry] {
	return func(yield func(*entry) bool) {
		left, right := b.ents[:b.split], b.ents[b.split:]
		i, j := 0, 0
		for i < len(left) || j < len(right) {
			var e *entry
			if j == len(right) || i < len(left) && b.compare(&left[i], &right[j]) <= 0 {
				e = &left[i]
				i++
			} else {
				e = &right[j]
				j++
			}
			if !yield(e) {
				return
			}
		}
	}
}

// trie is the automaton being built: its distinct keys (sorted, in one
// arena), its alias records, and then its states.
type trie struct {
	keyArena []byte
	keyEnds  []uint32 // key i is keyArena[keyEnds[i]:keyEnds[i+1]]
	keyAlias []uint32 // CSR: key i's records are records[keyAlias[i]:keyAlias[i+1]]
	records  []byte   // recordSize bytes each
	strs     []byte   // alias texts
	maxKey   int

	states    []uint64 // state records, little-endian: see stateRecord
	filter    []uint64 // first-word filter
	out       []uint32
	dense     []uint32
	denseRows uint32
	hotStates uint32
}

// dedupe walks the sorted entries once: distinct keys go to one sorted
// arena, and one record per (key, entity type, entity id) is kept (the
// first, which the sort order makes the preferred one).
func (b *builder) dedupe() *trie {
	t := &trie{keyEnds: []uint32{0}, keyAlias: []uint32{0}}
	t.records = make([]byte, 0, recordSize*len(b.ents))
	var prev *entry
	var prevKey, prevText []byte
	var prevTextOff uint32
	for e := range b.sorted() {
		key := b.key(e)
		if prev == nil || !bytes.Equal(key, prevKey) {
			if prev != nil {
				t.keyEnds = append(grow(t.keyEnds, 1), uint32(len(t.keyArena)))
				t.keyAlias = append(grow(t.keyAlias, 1), uint32(len(t.records)/recordSize))
			}
			t.keyArena = append(grow(t.keyArena, len(key)), key...)
			t.maxKey = max(t.maxKey, len(key))
			prevKey = key
		} else if prev.etype == e.etype && prev.id == e.id {
			b.stats.Duplicates++
			continue
		}
		prev = e
		b.stats.Kept++
		text := b.texts[e.textOff : e.textOff+uint32(e.textLen)]
		if prevText == nil || !bytes.Equal(text, prevText) {
			prevTextOff = uint32(len(t.strs))
			t.strs = append(grow(t.strs, len(text)), text...)
			prevText = text
		}
		var r [recordSize]byte
		le.PutUint64(r[0:], uint64(e.id))
		le.PutUint32(r[8:], prevTextOff)
		le.PutUint16(r[12:], uint16(len(text)))
		le.PutUint16(r[14:], e.etype<<2|uint16(e.atype))
		t.records = append(t.records, r[:]...)
	}
	if prev != nil {
		t.keyEnds = append(t.keyEnds, uint32(len(t.keyArena)))
		t.keyAlias = append(t.keyAlias, uint32(len(t.records)/recordSize))
	}
	return t
}

func (t *trie) key(i int) []byte { return t.keyArena[t.keyEnds[i]:t.keyEnds[i+1]] }

// denseLevel1Min is the number of states from which the level-1 states get
// dense rows too.
const denseLevel1Min = 4096

// hotDepth is the deepest level numbered breadth-first, whose states Open
// prefetches.
const hotDepth = 3

// State record flags.
const (
	stateKey   = 1 << 0 // a key ends at this state: out[s] holds its id + 1
	stateFlags = stateKey
)

// stateRecord packs a state record as the 8 little-endian bytes of a
// uint64: first child (u32), number of children (u8), the label of the edge
// into the state (u8), flags (u8), zero (u8).
func stateRecord(first uint32, children int, label byte, flags byte) uint64 {
	return uint64(first) | uint64(children)<<32 | uint64(label)<<40 | uint64(flags)<<48
}

// span is a state under construction: the range of keys [lo, hi) that
// share its path, and its depth.
type span struct {
	lo, hi uint32
	depth  uint32
}

// buildTrie numbers the states from the sorted keys: each state is a range
// of keys sharing a prefix, and its children split that range by the next
// byte, so they are contiguous and their labels ascend. The children of
// each state are one block of consecutive ids, allocated when the state is
// expanded. States are expanded breadth-first down to depth hotDepth (so
// the shallow, hot states are the first ids), then depth-first below: a
// state's block comes right after its parent's subtree started, so a chain
// of single children (the unshared end of most keys) is a run of
// consecutive records, read from one or two cache lines.
func (t *trie) buildTrie() error {
	k := len(t.keyEnds) - 1
	n := 1
	for i := range k {
		key := t.key(i)
		lcp := 0
		if i > 0 {
			prev := t.key(i - 1)
			for lcp < len(prev) && lcp < len(key) && prev[lcp] == key[lcp] {
				lcp++
			}
		}
		n += len(key) - lcp
	}
	if int64(n) > maxStates {
		return fmt.Errorf("the trie needs %d states, at most %d allowed", n, int64(maxStates))
	}
	t.states = make([]uint64, n)
	t.out = make([]uint32, n)

	nextID := uint32(1)
	// expand sets the record of state s of the given span and allocates
	// its children's block, calling child for each child in label order.
	expand := func(s uint32, sp span, child func(c uint32, sp span)) {
		lo, hi := sp.lo, sp.hi
		var flags byte
		if lo < hi && t.keyEnds[lo+1]-t.keyEnds[lo] == sp.depth {
			t.out[s] = lo + 1
			flags |= stateKey
			lo++
		}
		label := byte(0)
		if s != 0 {
			label = t.keyArena[t.keyEnds[sp.lo]+sp.depth-1]
		}
		// Count the children first: the block is allocated at once.
		children := 0
		for i := lo; i < hi; {
			c := t.keyArena[t.keyEnds[i]+sp.depth]
			i++
			for i < hi && t.keyArena[t.keyEnds[i]+sp.depth] == c {
				i++
			}
			children++
		}
		first := uint32(0)
		if children > 0 {
			first = nextID
			nextID += uint32(children)
		}
		t.states[s] = stateRecord(first, children, label, flags)
		c := first
		for i := lo; i < hi; {
			b := t.keyArena[t.keyEnds[i]+sp.depth]
			j := i + 1
			for j < hi && t.keyArena[t.keyEnds[j]+sp.depth] == b {
				j++
			}
			child(c, span{i, j, sp.depth + 1})
			c++
			i = j
		}
	}

	// Breadth-first down to hotDepth.
	cur := []span{{0, uint32(k), 0}}
	var next []span
	base := uint32(0)
	for depth := 0; depth < hotDepth && len(cur) > 0; depth++ {
		for si, sp := range cur {
			expand(base+uint32(si), sp, func(_ uint32, sp span) { next = append(next, sp) })
		}
		base += uint32(len(cur))
		cur, next = next, cur[:0]
	}
	t.hotStates = nextID
	// Depth-first below: a stack of states still to expand, the next one
	// on top.
	type item struct {
		s  uint32
		sp span
	}
	var stack []item
	var kids []item
	for si, sp := range cur {
		stack = append(stack[:0], item{base + uint32(si), sp})
		for len(stack) > 0 {
			it := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			kids = kids[:0]
			expand(it.s, it.sp, func(c uint32, sp span) { kids = append(kids, item{c, sp}) })
			for i := len(kids) - 1; i >= 0; i-- {
				stack = append(stack, kids[i])
			}
		}
	}
	if nextID != uint32(n) {
		return fmt.Errorf("internal error: %d states numbered of %d", nextID, n)
	}
	t.filter = make([]uint64, filterBytes(uint32(k))/8)
	for i := range k {
		if w, ok := keyFirstWord(t.key(i)); ok {
			addToFilter(t.filter, w)
		}
	}
	t.keyArena, t.keyEnds = nil, t.keyEnds[:len(t.keyEnds):len(t.keyEnds)]

	// Dense rows: the root, and every level-1 state (the root's children)
	// when the trie is big enough for a second lookup table to pay for
	// its 1 KiB per row.
	t.denseRows = 1
	if n >= denseLevel1Min {
		t.denseRows = 1 + uint32(t.states[0]>>32&0xff)
	}
	t.dense = make([]uint32, int(t.denseRows)*256)
	for s := range t.denseRows {
		first, cnt := uint32(t.states[s]), uint32(t.states[s]>>32&0xff)
		for c := first; c < first+cnt; c++ {
			t.dense[int(s)*256+int(t.states[c]>>40&0xff)] = c
		}
	}
	return nil
}

// write lays the sections out after the header, 64-byte aligned, and writes
// the file.
func (t *trie) write(w io.Writer, b *builder) (int64, error) {
	types := encodeStringList(nil, b.types)
	opts := encodeOptions(b.minLen, norm.Version+"/"+unicode.Version, b.stopList)
	data := [numKnown + 1][]byte{
		secDense:      u32Bytes(t.dense),
		secStates:     u64Bytes(t.states),
		secFirstWords: u64Bytes(t.filter),
		secOut:        u32Bytes(t.out),
		secKeyAlias:   u32Bytes(t.keyAlias),
		secRecords:    t.records,
		secStrings:    t.strs,
		secTypes:      types,
		secOptions:    opts,
	}
	// The two small sections Open reads come first, next to the header, so
	// that a cold open touches the first pages of the file only.
	order := []uint32{secTypes, secOptions, secFirstWords, secDense, secStates, secOut, secKeyAlias, secRecords, secStrings}
	h := &header{
		major: VersionMajor, minor: VersionMinor,
		states:    uint32(len(t.states)),
		keys:      uint32(len(t.keyEnds) - 1),
		aliases:   uint32(len(t.records) / recordSize),
		types:     uint32(len(b.types)),
		maxKeyLen: uint32(t.maxKey),
		denseRows: t.denseRows,
		hotStates: t.hotStates,
	}
	off := uint64(headerSizeFor(len(order)))
	for _, id := range order {
		off = alignUp(off)
		h.sections = append(h.sections, section{id: id, crc: crc32c(data[id]), offset: off, length: uint64(len(data[id]))})
		off += uint64(len(data[id]))
	}
	h.fileSize = off
	cw := &countWriter{w: w}
	if _, err := cw.Write(h.encode()); err != nil {
		return cw.n, err
	}
	var zeros [sectionAlign]byte
	for _, s := range h.sections {
		if pad := s.offset - uint64(cw.n); pad > 0 {
			if _, err := cw.Write(zeros[:pad]); err != nil {
				return cw.n, err
			}
		}
		if _, err := cw.Write(data[s.id]); err != nil {
			return cw.n, err
		}
	}
	return cw.n, nil
}

func alignUp(off uint64) uint64 { return (off + sectionAlign - 1) &^ (sectionAlign - 1) }

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// hostLittleEndian is true on little-endian machines, where a []uint32 is
// already in file order.
var hostLittleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// u32Bytes returns v as little-endian bytes: v's own memory on a
// little-endian machine, a copy otherwise.
func u32Bytes(v []uint32) []byte {
	if len(v) == 0 {
		return nil
	}
	if hostLittleEndian {
		return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(v))), 4*len(v))
	}
	out := make([]byte, 0, 4*len(v))
	for _, x := range v {
		out = le.AppendUint32(out, x)
	}
	return out
}

// u64Bytes is u32Bytes for uint64s.
func u64Bytes(v []uint64) []byte {
	if len(v) == 0 {
		return nil
	}
	if hostLittleEndian {
		return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(v))), 8*len(v))
	}
	out := make([]byte, 0, 8*len(v))
	for _, x := range v {
		out = le.AppendUint64(out, x)
	}
	return out
}
