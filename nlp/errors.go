package nlp

import (
	"errors"
	"strings"
)

// Sentinel errors; test with errors.Is. Every error returned by this package
// for a bad automaton file is an *Error wrapping exactly one of ErrFormat,
// ErrVersion, ErrChecksum or ErrTruncated.
var (
	// ErrFormat: the bytes are not an automaton file, or its layout is
	// inconsistent (bad magic, a section out of place, counts that disagree,
	// a structural invariant broken).
	ErrFormat = errors.New("nlp: not a valid automaton file")
	// ErrVersion: the file was written by a newer, incompatible version of
	// this package (a newer major version, an unknown required feature flag,
	// or another normalisation algorithm).
	ErrVersion = errors.New("nlp: unsupported automaton version")
	// ErrChecksum: a CRC-32C (of the header, or of a section) does not match
	// the bytes.
	ErrChecksum = errors.New("nlp: checksum mismatch")
	// ErrTruncated: the file ends before the header or a section does.
	ErrTruncated = errors.New("nlp: truncated automaton file")
	// ErrFault: reading the memory-mapped file raised a memory fault, which
	// happens when the file is truncated or rewritten in place by someone
	// else while it is open, or on an I/O error of the underlying storage.
	ErrFault = errors.New("nlp: memory fault reading the automaton file")
	// ErrClosed: the Automaton was closed.
	ErrClosed = errors.New("nlp: automaton is closed")
)

// Error is a failed operation on an automaton: what was being done (Op:
// "build", "open", "load", "verify", "match"), on which file (Path; empty
// for Load, Build to an io.Writer and in-memory automata) and why (Err,
// which wraps one of the sentinel errors above, or an I/O error).
type Error struct {
	Op   string
	Path string
	Err  error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("nlp: ")
	b.WriteString(e.Op)
	if e.Path != "" {
		b.WriteString(" ")
		b.WriteString(e.Path)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(strings.TrimPrefix(e.Err.Error(), "nlp: "))
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }
