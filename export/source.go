package export

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
)

// Engines, as recorded in a manifest's source.
const (
	EnginePostgres = "postgresql"
	EngineSQLite   = "sqlite"
)

// Source is a parsed source string: which engine, and how to reach it.
type Source struct {
	Engine string // EnginePostgres or EngineSQLite
	// DSN is the PostgreSQL connection string as given (it may hold a
	// password: never print or record it).
	DSN string
	// Path is the SQLite database file.
	Path string
}

const sourceForms = "postgres://user@host/db, postgresql://…, sqlite:///abs/path.db, sqlite:rel/path.db, or a path ending in .db, .sqlite or .sqlite3"

// ParseSource tells which database a source string names:
//
//   - "postgres://…" or "postgresql://…": PostgreSQL, the string handed
//     to the driver as is (a libpq URL: host, port, user, password,
//     database, sslmode and other parameters).
//   - "sqlite:///abs/path.db" (like file:///; four slashes work too) or
//     "sqlite:rel/path.db": SQLite; the path is percent-decoded, and a
//     query part ("?…") is refused.
//   - a bare path ending in .db, .sqlite or .sqlite3: SQLite.
//
// It does no I/O; errors wrap ErrSource.
func ParseSource(s string) (Source, error) {
	lower := strings.ToLower(s)
	switch {
	case strings.HasPrefix(lower, "postgres://"), strings.HasPrefix(lower, "postgresql://"):
		return Source{Engine: EnginePostgres, DSN: s}, nil
	case strings.HasPrefix(lower, "sqlite:"):
		rest := s[len("sqlite:"):]
		rest = strings.TrimPrefix(rest, "//")
		if i := strings.IndexAny(rest, "?#"); i >= 0 {
			return Source{}, fmt.Errorf("%w: %q: a sqlite: source takes no query or fragment (%q); percent-encode a '?' or '#' in the file name", ErrSource, s, rest[i:])
		}
		p, err := url.PathUnescape(rest)
		if err != nil {
			return Source{}, fmt.Errorf("%w: %q: bad percent-encoding in the path: %v", ErrSource, s, err)
		}
		if p == "" {
			return Source{}, fmt.Errorf("%w: %q names no file (forms: %s)", ErrSource, s, sourceForms)
		}
		if strings.ContainsRune(p, 0) {
			return Source{}, fmt.Errorf("%w: %q: the path holds a NUL byte", ErrSource, s)
		}
		return Source{Engine: EngineSQLite, Path: filepath.Clean(p)}, nil
	}
	switch strings.ToLower(filepath.Ext(s)) {
	case ".db", ".sqlite", ".sqlite3":
		if strings.ContainsRune(s, 0) {
			return Source{}, fmt.Errorf("%w: %q: the path holds a NUL byte", ErrSource, s)
		}
		if strings.Contains(s, "://") {
			break
		}
		return Source{Engine: EngineSQLite, Path: filepath.Clean(s)}, nil
	}
	return Source{}, fmt.Errorf("%w: %q (forms: %s)", ErrSource, redactURL(s), sourceForms)
}

// redactURL hides the password of something that parses as a URL with
// user information, for error messages.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		if i := strings.Index(s, "@"); i >= 0 && strings.Contains(s[:i], ":") {
			return "…@" + s[i+1:]
		}
		return s
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}
