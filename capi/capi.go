// Package capi is the C API of snapdb in pure Go: the handle table, the
// status codes, panic containment and every verb of snap.h, over Go types.
// The cgo glue in ffi/ only converts C arguments and results; everything
// that can be tested without cgo is here and tested here.
//
// Handles are integers in a table: 0 is never valid, IDs are never reused,
// and an unknown, closed or stale handle is an error (ErrBadHandle), never
// a crash. Every call holds its handle while it runs, so a concurrent
// Close either waits for it or makes it fail with ErrBadHandle: a call
// never sees a half-closed database. A panic in any verb is recovered by Guard, reported as
// ErrInternal, and makes every later call fail with ErrInternal: after a
// panic the process's state is not trusted.
package capi

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/snapdb/snapdb/engine"
	"github.com/snapdb/snapdb/engine/sqlparse"
	"github.com/snapdb/snapdb/nlp"
	"github.com/snapdb/snapdb/snapshot"
)

// Code is a status code of the C API. The values are part of the ABI
// (snap.h's SNAP_* constants): never renumber them.
type Code int32

// Status codes, as in snap.h.
const (
	OK                 Code = 0
	ErrInvalidArgument Code = 1  // a NULL or malformed argument
	ErrBadHandle       Code = 2  // a handle that is 0, unknown or closed
	ErrNotFound        Code = 3  // no snapshot at the path: nothing there, or not a snapshot
	ErrIO              Code = 4  // reading or writing files failed (an operating-system error)
	ErrIntegrity       Code = 5  // sizes, row counts or hashes disagree with the manifest, a missing file; a corrupt file or page
	ErrQuery           Code = 6  // SQL that does not parse or bind, or fails while it runs (a CAST, an overflow)
	ErrReadOnly        Code = 7  // a statement that would write
	ErrNoNLP           Code = 8  // the snapshot has no usable NLP automaton
	ErrUnsupported     Code = 9  // a format or struct version this library does not know
	ErrExists          Code = 10 // the target exists and is not a snapshot to replace
	ErrInternal        Code = 11 // a bug: a recovered panic; the library refuses further calls
)

var codeNames = map[Code]string{
	OK: "ok", ErrInvalidArgument: "invalid argument", ErrBadHandle: "bad handle",
	ErrNotFound: "not found", ErrIO: "I/O error", ErrIntegrity: "integrity error",
	ErrQuery: "query error", ErrReadOnly: "read-only", ErrNoNLP: "no NLP automaton",
	ErrUnsupported: "unsupported", ErrExists: "exists", ErrInternal: "internal error",
}

var codeMacros = map[Code]string{
	OK: "SNAP_OK", ErrInvalidArgument: "SNAP_ERR_INVALID_ARGUMENT", ErrBadHandle: "SNAP_ERR_BAD_HANDLE",
	ErrNotFound: "SNAP_ERR_NOT_FOUND", ErrIO: "SNAP_ERR_IO", ErrIntegrity: "SNAP_ERR_INTEGRITY",
	ErrQuery: "SNAP_ERR_QUERY", ErrReadOnly: "SNAP_ERR_READ_ONLY", ErrNoNLP: "SNAP_ERR_NO_NLP",
	ErrUnsupported: "SNAP_ERR_UNSUPPORTED", ErrExists: "SNAP_ERR_EXISTS", ErrInternal: "SNAP_ERR_INTERNAL",
}

// Macro is the code's name in snap.h, such as "SNAP_ERR_QUERY".
func (c Code) Macro() string {
	if s, ok := codeMacros[c]; ok {
		return s
	}
	return fmt.Sprintf("SNAP_STATUS_%d", int32(c))
}

func (c Code) String() string {
	if s, ok := codeNames[c]; ok {
		return s
	}
	return fmt.Sprintf("status %d", int32(c))
}

// Error is an error with its C API status code.
type Error struct {
	Code Code
	Msg  string
	Err  error // the cause, if any
}

func (e *Error) Error() string { return e.Msg }
func (e *Error) Unwrap() error { return e.Err }

// Errorf is an *Error of code c.
func Errorf(c Code, format string, args ...any) *Error {
	return &Error{Code: c, Msg: fmt.Sprintf(format, args...)}
}

// CodeOf classifies err: an *Error keeps its code; errors of the snapshot,
// engine and nlp packages map to the code that names them; anything else
// is ErrIO.
func CodeOf(err error) Code {
	var ce *Error
	var pe *snapshot.Error
	switch {
	case err == nil:
		return OK
	case errors.As(err, &ce):
		return ce.Code
	case errors.Is(err, snapshot.ErrReadOnly), errors.Is(err, sqlparse.ErrReadOnly):
		return ErrReadOnly
	case errors.As(err, new(*sqlparse.SyntaxError)), errors.As(err, new(*engine.Error)):
		return ErrQuery
	case errors.Is(err, snapshot.ErrNLPStale), errors.Is(err, nlp.ErrFormat),
		errors.As(err, &pe) && strings.HasPrefix(pe.Op, "nlp"):
		// Matching needs the automaton: a missing alias table, a stale or
		// damaged cache all mean there is none to use.
		return ErrNoNLP
	case errors.Is(err, snapshot.ErrNoTable):
		return ErrNotFound
	case errors.Is(err, snapshot.ErrIntegrity), errors.Is(err, snapshot.ErrChecksum),
		errors.Is(err, snapshot.ErrTruncated), errors.Is(err, snapshot.ErrCorrupt):
		return ErrIntegrity
	case errors.Is(err, snapshot.ErrUnsupportedVersion):
		return ErrUnsupported
	case errors.Is(err, snapshot.ErrNotSnapshot), errors.Is(err, snapshot.ErrBadMagic):
		return ErrNotFound
	case errors.Is(err, snapshot.ErrExists):
		return ErrExists
	case errors.Is(err, snapshot.ErrClosed):
		return ErrBadHandle
	}
	return ErrIO
}

// ReadError classifies an error of running a query: one that Query
// returns, or one that surfaces while its rows are read (a record
// reader's Err). Errors CodeOf knows keep their code. Of the rest, which
// carry no type of their own, an operating-system error (a *fs.PathError,
// a syscall.Errno) is ErrIO; a page the Parquet decoder rejects (its
// "parquet: ..." errors: a failed checksum or decompression, a bad page
// header) or a file shorter than its metadata says is ErrIntegrity; and
// anything else is an error of evaluating the query (a CAST that fails, a
// value out of range, an overflow): ErrQuery.
func ReadError(err error) *Error {
	if err == nil {
		return nil
	}
	var ce *Error
	if errors.As(err, &ce) {
		if ce == err {
			return ce
		}
		return &Error{Code: ce.Code, Msg: err.Error(), Err: err}
	}
	return &Error{Code: readCode(err), Msg: err.Error(), Err: err}
}

func readCode(err error) Code {
	if c := CodeOf(err); c != ErrIO {
		return c
	}
	switch {
	case errors.As(err, new(*fs.PathError)), errors.As(err, new(syscall.Errno)),
		errors.Is(err, os.ErrClosed), errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrPermission):
		return ErrIO
	case errors.Is(err, io.ErrUnexpectedEOF), anyInChain(err, func(e error) bool {
		return strings.HasPrefix(e.Error(), "parquet: ")
	}):
		return ErrIntegrity
	}
	return ErrQuery
}

// anyInChain reports whether f holds for err or any error it wraps.
func anyInChain(err error, f func(error) bool) bool {
	for err != nil {
		if f(err) {
			return true
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				if anyInChain(e, f) {
					return true
				}
			}
			return false
		default:
			return false
		}
	}
	return false
}

// Errno is the errno an Arrow C stream's get_next (or get_schema) returns
// for an error of code c: EINVAL for an error of the query or its
// arguments (SNAP_ERR_QUERY, SNAP_ERR_INVALID_ARGUMENT,
// SNAP_ERR_READ_ONLY), ENOSYS for SNAP_ERR_UNSUPPORTED, EIO for the rest
// (I/O, integrity, internal). Arrow's importers map these to their own
// errors (pyarrow: ArrowInvalid, ArrowNotImplementedError, OSError).
func Errno(c Code) int {
	switch c {
	case OK:
		return 0
	case ErrQuery, ErrInvalidArgument, ErrReadOnly:
		return int(syscall.EINVAL)
	case ErrUnsupported:
		return int(syscall.ENOSYS)
	}
	return int(syscall.EIO)
}

// StreamMessage is the text an Arrow C stream's get_last_error returns
// for e: the status code's snap.h name and number, a colon, and the
// message, as in "SNAP_ERR_QUERY (6): CAST(symbol AS BIGINT): could not
// convert "TNF" to BIGINT". The errno alone cannot say which of the
// status codes it was; this prefix is stable, so that bindings can
// recover the code (ParseStreamMessage).
func StreamMessage(e *Error) string {
	return fmt.Sprintf("%s (%d): %s", e.Code.Macro(), int32(e.Code), e.Msg)
}

// ParseStreamMessage recovers the status code and the message from the
// text of StreamMessage, found anywhere in s (an Arrow library may put
// words of its own before it). ok is false when s has no such prefix.
func ParseStreamMessage(s string) (c Code, msg string, ok bool) {
	for _, m := range streamPrefix.FindAllStringSubmatchIndex(s, -1) {
		n, err := strconv.Atoi(s[m[4]:m[5]])
		if err == nil && codeMacros[Code(n)] == s[m[2]:m[3]] {
			return Code(n), s[m[1]:], true
		}
	}
	return 0, s, false
}

var streamPrefix = regexp.MustCompile(`(SNAP_[A-Z_]+) \((\d+)\): `)

// Handle names an open snapshot in the table. 0 is never a valid handle.
type Handle uint64

// firstHandle is where handle numbers start, so that small integers (0, 1,
// a file descriptor, an uninitialised variable) are never valid handles.
const firstHandle = 1 << 20

var (
	mu       sync.RWMutex
	handles  = map[Handle]*entry{}
	lastID   = Handle(firstHandle)
	poisoned atomic.Pointer[string] // the panic that made the library unusable
)

// entry is an open database in the table. Every call on it holds mu for
// reading while it runs (acquire, release); Close takes it for writing,
// so it waits for the calls in flight, and the calls that come after find
// closed set.
type entry struct {
	mu      sync.RWMutex
	closed  bool
	db      *snapshot.DB
	threads int
}

func register(e *entry) Handle {
	mu.Lock()
	defer mu.Unlock()
	lastID++
	handles[lastID] = e
	return lastID
}

func lookup(h Handle) (*entry, error) {
	if h == 0 {
		return nil, Errorf(ErrBadHandle, "handle 0 is not a database (0 is never a valid handle)")
	}
	mu.RLock()
	e := handles[h]
	mu.RUnlock()
	if e == nil {
		if h > firstHandle && h <= lastHandle() {
			return nil, Errorf(ErrBadHandle, "database handle %d is closed", uint64(h))
		}
		return nil, Errorf(ErrBadHandle, "%d is not a database handle this library gave out", uint64(h))
	}
	return e, nil
}

// acquire looks up h and holds its database open for one call: Close
// waits until the call's release. A handle closed meanwhile is
// ErrBadHandle.
func acquire(h Handle) (*entry, error) {
	e, err := lookup(h)
	if err != nil {
		return nil, err
	}
	e.mu.RLock()
	if e.closed {
		e.mu.RUnlock()
		return nil, Errorf(ErrBadHandle, "database handle %d is closed", uint64(h))
	}
	return e, nil
}

func (e *entry) release() { e.mu.RUnlock() }

func lastHandle() Handle {
	mu.RLock()
	defer mu.RUnlock()
	return lastID
}

// LiveHandles is the number of open database handles.
func LiveHandles() int {
	mu.RLock()
	defer mu.RUnlock()
	return len(handles)
}

// Guard runs f as one C API call: it refuses to run once the library is
// poisoned, turns a panic into ErrInternal (and poisons the library), and
// returns f's error as an *Error with its status code.
func Guard(f func() error) (err *Error) {
	if p := poisoned.Load(); p != nil {
		return Errorf(ErrInternal, "snapdb: the library is unusable after an internal error (%s); restart the process", *p)
	}
	return Contain(f)
}

// Contain is Guard for the callbacks that release what the caller holds
// (an Arrow stream's release): it runs f even once the library is
// poisoned, so that what the caller hands back is freed whatever happened
// before; a panic in f is contained and poisons the library as in Guard.
func Contain(f func() error) (err *Error) {
	defer func() {
		if r := recover(); r != nil {
			msg := fmt.Sprint(r)
			poisoned.CompareAndSwap(nil, &msg)
			err = Errorf(ErrInternal, "snapdb: internal error: %s; the library refuses further calls", msg)
		}
	}()
	if e := f(); e != nil {
		return toError(e)
	}
	return nil
}

func toError(e error) *Error {
	var ce *Error
	if errors.As(e, &ce) && ce == e {
		return ce
	}
	return &Error{Code: CodeOf(e), Msg: e.Error(), Err: e}
}

// Poisoned reports whether a panic made the library unusable.
func Poisoned() bool { return poisoned.Load() != nil }

// Panic panics, for tests of panic containment (snap_debug_panic).
func Panic(msg string) error {
	panic("snap_debug_panic: " + msg)
}
