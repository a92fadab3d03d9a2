package sqlparse

import (
	"errors"
	"fmt"
)

// ErrReadOnly is the sentinel every *ReadOnlyError unwraps to: test for it
// with errors.Is(err, ErrReadOnly).
var ErrReadOnly = errors.New("snapshot is read-only")

// SyntaxError is a statement that is not in the SQL subset.
type SyntaxError struct {
	// Pos is where the offending token starts; at the end of the input, the
	// position just after the last character.
	Pos Pos
	// Near is the offending token as written (cut to 40 runes, with "…"),
	// or "" at the end of the input.
	Near string
	// Msg says what was wrong, usually what was expected.
	Msg string
}

// Error returns `syntax error at LINE:COL near "TOKEN": MSG`, or
// `syntax error at LINE:COL near end of input: MSG`.
func (e *SyntaxError) Error() string {
	if e.Near == "" {
		return fmt.Sprintf("syntax error at %s near end of input: %s", e.Pos, e.Msg)
	}
	return fmt.Sprintf("syntax error at %s near %q: %s", e.Pos, e.Near, e.Msg)
}

// ReadOnlyError is a statement that would write (INSERT, UPDATE, CREATE, …).
// A snapshot is immutable, so such statements are refused before parsing.
type ReadOnlyError struct {
	Pos       Pos    // position of the statement's keyword
	Statement string // the keyword, upper-case: "INSERT", "DROP", …
}

// Error returns "read-only: STATEMENT is not allowed: a snapshot is immutable".
func (e *ReadOnlyError) Error() string {
	return "read-only: " + e.Statement + " is not allowed: a snapshot is immutable"
}

// Unwrap returns ErrReadOnly.
func (e *ReadOnlyError) Unwrap() error { return ErrReadOnly }

// writeKeywords are the first keywords of statements that would change a
// database, its settings or its session.
var writeKeywords = map[string]bool{
	"INSERT": true, "UPDATE": true, "DELETE": true, "MERGE": true, "UPSERT": true,
	"REPLACE": true, "CREATE": true, "DROP": true, "ALTER": true, "TRUNCATE": true,
	"COPY": true, "ATTACH": true, "DETACH": true, "GRANT": true, "REVOKE": true,
	"VACUUM": true, "SET": true, "PRAGMA": true, "BEGIN": true, "COMMIT": true,
	"ROLLBACK": true,
}
