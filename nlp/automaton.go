package nlp

import (
	"fmt"
	"os"
	"runtime/debug"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// Automaton is an open alias automaton. It is immutable and safe for
// concurrent use by many goroutines, except Close, which must not run
// concurrently with any other method.
type Automaton struct {
	path   string
	data   []byte // the whole file: a read-only mapping, or the caller's bytes
	mapped bool
	closed atomic.Bool

	hdr *header
	// Sections, each a slice of exactly the length the counts require.
	dense, states, firstWords, out, keyAlias, records, strs []byte
	nStates, nKeys, nAliases, denseRows                     uint32
	maxKeyLen                                               int

	types []string // entity type names, copied out of the file at open
	opts  *fileOptions
}

// Open maps the automaton file at path read-only and checks its header:
// magic number, version, header CRC, and that every section lies inside the
// file, aligned, without overlap, with the size its counts require. It also
// reads the two small metadata sections (entity type names and build
// options, at most a few MiB, CRC-checked). It reads nothing else, so its
// cost does not depend on the number of aliases; run Verify for the full
// check. The shallow levels of the trie are prefetched with
// madvise(MADV_WILLNEED).
//
// The file must not be modified while it is open: replace it by renaming a
// new file over it (BuildFile does), never by rewriting it in place.
func Open(path string) (*Automaton, error) {
	a, err := open(path)
	if err != nil {
		return nil, &Error{Op: "open", Path: path, Err: err}
	}
	return a, nil
}

func open(path string) (*Automaton, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: not a regular file", ErrFormat)
	}
	size := fi.Size()
	if size == 0 {
		return nil, fmt.Errorf("%w: empty file", ErrTruncated)
	}
	if size != int64(int(size)) || size > 1<<62 {
		return nil, fmt.Errorf("%w: %d bytes is too large to map", ErrFormat, size)
	}
	data, err := unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("mmap: %w", err)
	}
	a := &Automaton{path: path, data: data, mapped: true}
	if err := a.init(); err != nil {
		unix.Munmap(data)
		return nil, err
	}
	a.prefetch()
	return a, nil
}

// Load is Open over an automaton file already in memory. The Automaton uses
// b in place: b must not be modified while the Automaton is in use.
func Load(b []byte) (*Automaton, error) {
	a := &Automaton{data: b}
	if err := a.init(); err != nil {
		return nil, &Error{Op: "load", Err: err}
	}
	return a, nil
}

// init decodes the header and slices the sections. A memory fault while
// reading the mapping (the file shrank after Stat) is reported as ErrFault.
func (a *Automaton) init() (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer a.guard(&err)
	h, err := decodeHeader(a.data)
	if err != nil {
		return err
	}
	a.hdr = h
	a.nStates, a.nKeys, a.nAliases = h.states, h.keys, h.aliases
	a.denseRows, a.maxKeyLen = h.denseRows, int(h.maxKeyLen)
	for _, s := range h.sections {
		b := a.data[s.offset : s.offset+s.length : s.offset+s.length]
		switch s.id {
		case secDense:
			a.dense = b
		case secStates:
			a.states = b
		case secFirstWords:
			a.firstWords = b
		case secOut:
			a.out = b
		case secKeyAlias:
			a.keyAlias = b
		case secRecords:
			a.records = b
		case secStrings:
			a.strs = b
		case secTypes, secOptions:
			if got := crc32c(b); got != s.crc {
				return fmt.Errorf("%w: %s section CRC-32C is %08x, the header says %08x", ErrChecksum, sectionName(s.id), got, s.crc)
			}
			if s.id == secOptions {
				if a.opts, err = decodeOptions(b); err != nil {
					return err
				}
				continue
			}
			if a.types, err = decodeStringList(b, maxTypeNameLen); err != nil {
				return fmt.Errorf("entity types: %w", err)
			}
			if uint64(len(a.types)) != uint64(h.types) {
				return fmt.Errorf("%w: %d entity type names, the header says %d", ErrFormat, len(a.types), h.types)
			}
		}
	}
	return nil
}

// prefetch asks the kernel to read the hot part of the mapping: the header,
// the dense tables and the shallow levels of the state arrays, which every
// walk touches.
func (a *Automaton) prefetch() {
	hot := uint64(a.hdr.hotStates)
	for _, s := range a.hdr.sections {
		var n uint64
		switch s.id {
		case secDense, secFirstWords:
			n = s.length
		case secStates:
			n = stateSize * hot
		case secOut:
			n = 4 * hot
		default:
			continue
		}
		a.willNeed(s.offset, min(n, s.length))
	}
	a.willNeed(0, uint64(a.hdr.headerSize))
}

func (a *Automaton) willNeed(off, n uint64) {
	if n == 0 {
		return
	}
	page := uint64(os.Getpagesize())
	start := off &^ (page - 1)
	end := min(off+n, uint64(len(a.data)))
	// Advice only: an error changes nothing.
	_ = unix.Madvise(a.data[start:end], unix.MADV_WILLNEED)
}

// Close unmaps the file. Values returned earlier (Mentions, Options, Info)
// stay valid: they are copies. After Close, Match, MatchAll and Verify
// return ErrClosed. Close is idempotent.
func (a *Automaton) Close() error {
	if a.closed.Swap(true) {
		return nil
	}
	if a.mapped {
		if err := unix.Munmap(a.data); err != nil {
			return &Error{Op: "close", Path: a.path, Err: err}
		}
	}
	return nil
}

// Path returns the path given to Open ("" for Load).
func (a *Automaton) Path() string { return a.path }

// Options returns the options the automaton was built with: MinLength and
// the normalised, sorted stop words (an empty, non-nil slice if none).
// Passing them to Build again reproduces the same filtering.
func (a *Automaton) Options() BuildOptions {
	stop := make([]string, len(a.opts.stopWords))
	copy(stop, a.opts.stopWords)
	return BuildOptions{MinLength: a.opts.minLength, StopWords: stop}
}

// Info describes an open automaton. Everything in it comes from the header
// and the metadata sections Open reads.
type Info struct {
	VersionMajor   int      `json:"versionMajor"` // file format version
	VersionMinor   int      `json:"versionMinor"`
	NormVersion    int      `json:"normVersion"`    // normalisation algorithm, see NormVersion
	UnicodeVersion string   `json:"unicodeVersion"` // "<x/text norm tables>/<Go unicode tables>" used at build
	Size           int64    `json:"size"`           // bytes
	States         int64    `json:"states"`         // trie states, the root included
	Keys           int64    `json:"keys"`           // distinct normalised aliases
	Aliases        int64    `json:"aliases"`        // alias records
	MaxKeyLen      int      `json:"maxKeyLen"`      // bytes of the longest normalised key
	EntityTypes    []string `json:"entityTypes"`    // sorted
}

// Info returns what the header says about the automaton.
func (a *Automaton) Info() Info {
	return Info{
		VersionMajor:   int(a.hdr.major),
		VersionMinor:   int(a.hdr.minor),
		NormVersion:    int(a.opts.normVersion),
		UnicodeVersion: a.opts.unicodeVersion,
		Size:           int64(len(a.data)),
		States:         int64(a.nStates),
		Keys:           int64(a.nKeys),
		Aliases:        int64(a.nAliases),
		MaxKeyLen:      a.maxKeyLen,
		EntityTypes:    append([]string(nil), a.types...),
	}
}

// guard turns a memory fault on the mapping into ErrFault. Every method that
// reads the mapping defers it right after
// defer debug.SetPanicOnFault(debug.SetPanicOnFault(true)). Other panics are
// not swallowed: they would be bugs, not damage.
func (a *Automaton) guard(err *error) {
	r := recover()
	if r == nil {
		return
	}
	if f, ok := r.(interface{ Addr() uintptr }); ok {
		*err = fmt.Errorf("%w at address %#x (was the file truncated or rewritten while open?)", ErrFault, f.Addr())
		return
	}
	panic(r)
}
