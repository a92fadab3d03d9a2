package snapshot

import (
	"errors"
	"strings"
)

// Sentinel errors; test with errors.Is.
var (
	// ErrNotSnapshot: the path is not a snapshot (no manifest.json, or not a
	// directory or container at all).
	ErrNotSnapshot = errors.New("snapshot: not a snapshot")
	// ErrIntegrity: a file's size, row count or hash disagrees with the
	// manifest, or a listed file is missing.
	ErrIntegrity = errors.New("snapshot: integrity check failed")
	// ErrReadOnly: the operation would write to an open snapshot, which is
	// immutable.
	ErrReadOnly = errors.New("snapshot: read-only")
	// ErrExists: the target of Create is not empty and Overwrite was not set.
	ErrExists = errors.New("snapshot: target exists")
	// ErrClosed: the DB or Writer was closed.
	ErrClosed = errors.New("snapshot: closed")
	// ErrNoTable: no table of that name.
	ErrNoTable = errors.New("snapshot: no such table")
)

// Error is a failed snapshot operation: what was being done (Op), on which
// path and table, why (Err), and, where there is one, what to do (Hint).
type Error struct {
	Op    string // "open", "create", "write table", "commit", "verify", ...
	Path  string
	Table string
	Err   error
	Hint  string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("snapshot: ")
	b.WriteString(e.Op)
	if e.Path != "" {
		b.WriteString(" ")
		b.WriteString(e.Path)
	}
	if e.Table != "" {
		b.WriteString(": table ")
		b.WriteString(quoteName(e.Table))
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(strings.TrimPrefix(e.Err.Error(), "snapshot: "))
	}
	if e.Hint != "" {
		b.WriteString(" (")
		b.WriteString(e.Hint)
		b.WriteString(")")
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// ReadOnlyError is returned by every operation that would modify an open
// snapshot. It wraps ErrReadOnly.
type ReadOnlyError struct {
	Op string // what was attempted, e.g. "INSERT"
}

func (e *ReadOnlyError) Error() string {
	return "snapshot: " + e.Op + " is not allowed: a snapshot is read-only (export a new one from the source database instead)"
}

func (e *ReadOnlyError) Unwrap() error { return ErrReadOnly }

// Mismatch is one integrity failure found by Verify or Open.
type Mismatch struct {
	Table    string `json:"table,omitempty"` // empty for NLP files
	File     string `json:"file"`
	What     string `json:"what"` // "missing", "bytes", "sha256", "blake3", "rows", "unreadable"
	Expected string `json:"expected,omitempty"`
	Actual   string `json:"actual,omitempty"`
}

func (m Mismatch) String() string {
	var b strings.Builder
	if m.Table != "" {
		b.WriteString("table " + quoteName(m.Table) + " (" + m.File + ")")
	} else {
		b.WriteString(m.File)
	}
	switch m.What {
	case "missing":
		b.WriteString(": file is missing")
	case "unreadable":
		b.WriteString(": unreadable: " + m.Actual)
	default:
		b.WriteString(": " + m.What + " mismatch: expected " + m.Expected + ", actual " + m.Actual)
	}
	return b.String()
}

// IntegrityError lists every mismatch found. It wraps ErrIntegrity.
type IntegrityError struct {
	Path       string
	Mismatches []Mismatch
}

func (e *IntegrityError) Error() string {
	var b strings.Builder
	b.WriteString("snapshot: integrity check failed for ")
	b.WriteString(e.Path)
	for i, m := range e.Mismatches {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(m.String())
	}
	return b.String()
}

func (e *IntegrityError) Unwrap() error { return ErrIntegrity }

func quoteName(s string) string {
	for _, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
		}
	}
	return s
}
