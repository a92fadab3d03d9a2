package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/term"

	"github.com/snapdb/snapdb/engine"
	"github.com/snapdb/snapdb/engine/sqlparse"
	"github.com/snapdb/snapdb/snapshot"
)

// Exit status: stable, documented in the root command's help (exitStatusDoc).
const (
	exitOK        = 0
	exitUsage     = 1 // bad flags or arguments, unknown command
	exitIO        = 2 // not a snapshot, I/O error, any other failed operation
	exitIntegrity = 3 // errors.Is(err, snapshot.ErrIntegrity)
)

// Error kinds in the "kind" field of a --json error document.
const (
	kindUsage     = "usage"
	kindIO        = "io"
	kindIntegrity = "integrity"
	kindReadOnly  = "read-only"
	kindQuery     = "query"
)

const exitStatusDoc = `Exit status:
  0  success
  1  usage error: bad flags or arguments, unknown command, or a query that
     cannot run as written (syntax, unknown table or column, types)
  2  not a snapshot, I/O error, or any other failed operation
     (including a write refused by a read-only snapshot)
  3  integrity failure: a file is missing, or its size, row count or hash
     disagrees with the manifest

With --json, stdout holds exactly one JSON document: the command's result,
or on failure
  {"error": {"code": N, "kind": "usage|query|io|integrity|read-only", "message": "..."}}
(an integrity failure adds "mismatches"); the message is also written to
stderr. Without --json, errors go to stderr as "snapdb: <message>".`

// usageError marks an error as the caller's mistake (exit status 1).
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// cmdError is an error returned by a command's RunE (as opposed to one
// cobra raises while parsing, which is a usage error). Extra holds
// additional top-level fields of the --json error document.
type cmdError struct {
	err   error
	extra map[string]any
}

func (e *cmdError) Error() string { return e.err.Error() }
func (e *cmdError) Unwrap() error { return e.err }

// withExtra attaches a field to the --json error document of err.
func withExtra(err error, key string, v any) error {
	return &cmdError{err: err, extra: map[string]any{key: v}}
}

// classify maps an error to its exit status and kind. Errors that did not
// come out of a command's RunE come from cobra's parsing: usage errors.
func classify(err error) (code int, kind string) {
	var ue *usageError
	var ce *cmdError
	switch {
	case errors.As(err, &ue):
		return exitUsage, kindUsage
	case errors.Is(err, snapshot.ErrIntegrity):
		return exitIntegrity, kindIntegrity
	case errors.Is(err, snapshot.ErrReadOnly):
		return exitIO, kindReadOnly
	case errors.As(err, new(*sqlparse.SyntaxError)) || errors.As(err, new(*engine.Error)):
		return exitUsage, kindQuery
	case errors.As(err, &ce):
		return exitIO, kindIO
	}
	return exitUsage, kindUsage
}

// message is the human form of err: the snapshot package's message (which
// carries its own hint when it has one) without the redundant package
// prefix, plus a hint of ours where the library gives none.
func message(err error) string {
	msg := strings.TrimPrefix(err.Error(), "snapshot: ")
	var se *snapshot.Error
	if errors.As(err, &se) && se.Hint != "" {
		return msg
	}
	switch {
	case errors.Is(err, snapshot.ErrNotSnapshot):
		msg += " (give the path of a snapshot directory, one that holds manifest.json, or of a .snap file; 'snapdb demo' builds one)"
	case errors.Is(err, snapshot.ErrIntegrity):
		msg += " (the files changed since the snapshot was written: download or restore it again)"
	}
	return msg
}

// reportError prints err: as "snapdb: <message>" on stderr and, with
// --json, as an error document on stdout. It returns the exit status.
func reportError(err error, cmdPath string, asJSON bool, stdout, stderr io.Writer) int {
	code, kind := classify(err)
	msg := message(err)
	fmt.Fprintf(stderr, "snapdb: %s\n", msg)
	if kind == kindUsage && cmdPath != "" {
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", cmdPath)
	}
	if !asJSON {
		return code
	}
	e := map[string]any{"code": code, "kind": kind, "message": msg}
	var ie *snapshot.IntegrityError
	if errors.As(err, &ie) {
		e["mismatches"] = ie.Mismatches
	}
	doc := map[string]any{"error": e}
	var ce *cmdError
	if errors.As(err, &ce) {
		for k, v := range ce.extra {
			doc[k] = v
		}
	}
	if werr := writeJSON(stdout, doc); werr != nil {
		fmt.Fprintf(stderr, "snapdb: writing JSON: %v\n", werr)
	}
	return code
}

// writeJSON writes v as one indented JSON document.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// jsonRequested scans raw arguments for --json, for errors raised before
// cobra parsed the flags.
func jsonRequested(args []string) bool {
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "--json" {
			return true
		}
		if v, ok := strings.CutPrefix(a, "--json="); ok {
			b, err := strconv.ParseBool(v)
			return err == nil && b
		}
	}
	return false
}

// formatCount writes n with thousands separators: 1234567 → "1,234,567".
func formatCount(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// formatBytes writes a size in decimal units: 1234567 → "1.2 MB".
func formatBytes(n int64) string {
	const unit = 1000
	if n < unit {
		return strconv.FormatInt(n, 10) + " B"
	}
	v, i := float64(n), -1
	for v >= unit && i < 4 {
		v /= unit
		i++
	}
	return fmt.Sprintf("%.1f %cB", v, "kMGTP"[i])
}

// orDash is s, or "-" when s is empty.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
