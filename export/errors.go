package export

import (
	"errors"
	"strconv"
	"strings"
)

// Sentinel errors; test with errors.Is.
var (
	// ErrSource: the source string names no database this package reads
	// (see ParseSource), or the SQLite file does not exist.
	ErrSource = errors.New("export: unsupported source")
	// ErrUnknownTable: Options.Tables or Options.Exclude names a table the
	// source does not have. The error lists the tables that exist.
	ErrUnknownTable = errors.New("export: no such table")
	// ErrNoTables: the selection is empty (an empty database, or every
	// table excluded).
	ErrNoTables = errors.New("export: no tables selected")
	// ErrValue: a value does not fit the Arrow type of its column (for
	// example the text 'abc' in a SQLite INTEGER column). The *Error that
	// wraps it names the table, column and row.
	ErrValue = errors.New("export: value does not fit its column")
)

// Error is a failed export step: what was being done (Op), where (Table,
// Column, Row, RowID), why (Err) and, where there is one, what to do
// (Hint). Row is the 1-based position of the row in the order it was read;
// RowID is SQLite's rowid when the table has one. Zero values are omitted.
type Error struct {
	Op     string // "connect", "list tables", "read", "decode", ...
	Table  string
	Column string
	Row    int64
	RowID  *int64
	Err    error
	Hint   string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("export: ")
	b.WriteString(e.Op)
	if e.Table != "" {
		b.WriteString(": table ")
		b.WriteString(quoteName(e.Table))
	}
	if e.Column != "" {
		b.WriteString(" column ")
		b.WriteString(quoteName(e.Column))
	}
	if e.Row > 0 {
		b.WriteString(" row ")
		b.WriteString(strconv.FormatInt(e.Row, 10))
		if e.RowID != nil {
			b.WriteString(" (rowid ")
			b.WriteString(strconv.FormatInt(*e.RowID, 10))
			b.WriteString(")")
		}
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(strings.TrimPrefix(e.Err.Error(), "export: "))
	}
	if e.Hint != "" {
		b.WriteString(" (")
		b.WriteString(e.Hint)
		b.WriteString(")")
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// quoteName quotes a name the way SQL would when it is not a plain
// identifier, so that names with spaces stay readable in messages.
func quoteName(s string) string {
	for _, r := range s {
		if !(r == '_' || r == '.' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
		}
	}
	if s == "" {
		return `""`
	}
	return s
}
