package manifest

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxSize is the largest manifest Read accepts.
const MaxSize = 64 << 20

// Sentinel errors; test with errors.Is.
var (
	// ErrNotManifest: the bytes are not a snapdb or IGEM manifest at all.
	ErrNotManifest = errors.New("manifest: not a snapdb manifest")
	// ErrNewerVersion: the manifest's format_version is newer than this
	// reader supports.
	ErrNewerVersion = errors.New("manifest: newer format version")
	// ErrInvalid: the manifest is a manifest but breaks a rule.
	ErrInvalid = errors.New("manifest: invalid")
)

// Error is a manifest that could not be decoded or broke a rule. Field is
// a JSON path such as `tables["genes"].file`.
type Error struct {
	Field string
	Msg   string
	Err   error // one of the sentinel errors
}

func (e *Error) Error() string {
	if e.Field == "" {
		return "manifest: " + e.Msg
	}
	return "manifest: " + e.Field + ": " + e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

func invalid(field, format string, args ...any) error {
	return &Error{Field: field, Msg: fmt.Sprintf(format, args...), Err: ErrInvalid}
}

// Read reads at most MaxSize bytes from r and parses them.
func Read(r io.Reader) (*Manifest, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("manifest: read: %w", err)
	}
	if len(data) > MaxSize {
		return nil, invalid("", "larger than %d bytes", MaxSize)
	}
	return Parse(data)
}

// Parse decodes and validates a manifest in either dialect.
func Parse(data []byte) (*Manifest, error) {
	top, err := decodeTop(data)
	if err != nil {
		return nil, err
	}
	m := &Manifest{}
	d := fields{obj: top}

	var format string
	if err := d.get("format", &format); err != nil {
		return nil, err
	}
	_, isIGEM := top["igem_version"]
	switch {
	case format == Format:
		m.Dialect = DialectSnapDB
		if _, ok := top["format_version"]; !ok {
			return nil, invalid("format_version", "missing")
		}
		if err := d.get("format_version", &m.FormatVersion); err != nil {
			return nil, err
		}
		if m.FormatVersion > FormatVersion {
			return nil, &Error{Field: "format_version",
				Msg: fmt.Sprintf("format_version %d is newer than this reader supports (%d); upgrade snapdb to read it",
					m.FormatVersion, FormatVersion),
				Err: ErrNewerVersion}
		}
		if m.FormatVersion < 1 {
			return nil, invalid("format_version", "%d is not a valid version", m.FormatVersion)
		}
		if isIGEM {
			// An IGEM manifest rewritten by Write: it keeps igem_version
			// and IGEM's rules (sha256 only), so it reads back the same.
			m.Dialect = DialectIGEM
		}
	case format == "" && isIGEM:
		m.Dialect = DialectIGEM
		m.FormatVersion = FormatVersion
		// igem_version is left in the object, so it lands in Extra and is
		// written back: it is the IGEM producer's version.
	case format == "":
		return nil, &Error{Msg: `no "format" field (and no "igem_version"): not a snapshot manifest`, Err: ErrNotManifest}
	default:
		return nil, &Error{Field: "format", Msg: fmt.Sprintf("%q is not %q", format, Format), Err: ErrNotManifest}
	}

	for _, f := range []struct {
		key string
		dst *string
	}{
		{"snapshot_version", &m.SnapshotVersion},
		{"schema_version", &m.SchemaVersion},
		{"schema_revision", &m.SchemaRevision},
		{"producer", &m.Producer},
		{"producer_version", &m.ProducerVersion},
		{"compression", &m.Compression},
	} {
		if err := d.get(f.key, f.dst); err != nil {
			return nil, err
		}
	}
	if err := d.get("duration_seconds", &m.DurationSeconds); err != nil {
		return nil, err
	}
	if m.DurationSeconds < 0 || math.IsNaN(m.DurationSeconds) || math.IsInf(m.DurationSeconds, 0) {
		return nil, invalid("duration_seconds", "%v is not a non-negative duration", m.DurationSeconds)
	}
	if err := d.get("chunksize", &m.ChunkSize); err != nil {
		return nil, err
	}
	if m.ChunkSize < 0 {
		return nil, invalid("chunksize", "%d is negative", m.ChunkSize)
	}
	var exported string
	if err := d.get("exported_at", &exported); err != nil {
		return nil, err
	}
	if exported != "" {
		t, err := parseTime(exported)
		if err != nil {
			return nil, invalid("exported_at", "%q is not an RFC 3339 time", exported)
		}
		m.ExportedAt = t
	}
	if raw, ok := d.take("source"); ok {
		if err := m.Source.parse(raw); err != nil {
			return nil, err
		}
	}
	raw, ok := d.take("tables")
	if !ok {
		return nil, invalid("tables", "missing")
	}
	if m.Tables, err = parseTables(raw, m.Dialect); err != nil {
		return nil, err
	}
	if raw, ok := d.take("nlp"); ok && raw != nil {
		if m.NLP, err = parseNLP(raw, m.Dialect); err != nil {
			return nil, err
		}
	}
	m.Extra = d.rest()
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return m, nil
}

// timeLayouts are the forms of exported_at that Parse accepts; the first is
// the one Write produces. IGEM exporters wrote Python's isoformat(), which
// may lack a zone (read as UTC).
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999"}

func parseTime(s string) (time.Time, error) {
	var err error
	for _, l := range timeLayouts {
		var t time.Time
		if t, err = time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, err
}

func (s *Source) parse(raw any) error {
	if raw == nil {
		return nil
	}
	// IGEM wrote the source as one string, e.g. "postgresql".
	if str, ok := raw.(string); ok {
		s.Engine = str
		return nil
	}
	obj, err := decodeObject(raw, "source")
	if err != nil {
		return err
	}
	d := fields{obj: obj, path: "source"}
	if err := d.get("engine", &s.Engine); err != nil {
		return err
	}
	if err := d.get("database", &s.Database); err != nil {
		return err
	}
	s.Extra = d.rest()
	return nil
}

func parseTables(raw any, dialect Dialect) ([]Table, error) {
	var tables []Table
	switch v := raw.(type) {
	case map[string]any:
		objs := v
		names := make([]string, 0, len(objs))
		for name := range objs {
			names = append(names, name)
		}
		sort.Strings(names) // errors name the same table every time
		for _, name := range names {
			t, err := parseTable(name, objs[name], dialect, fmt.Sprintf("tables[%q]", name))
			if err != nil {
				return nil, err
			}
			tables = append(tables, t)
		}
	case []any:
		// A list of tables, each with a "name" field.
		for i, item := range v {
			obj, err := decodeObject(item, fmt.Sprintf("tables[%d]", i))
			if err != nil {
				return nil, err
			}
			var name string
			if err := (fields{obj: obj, path: fmt.Sprintf("tables[%d]", i)}).get("name", &name); err != nil {
				return nil, err
			}
			delete(obj, "name")
			t, err := parseTable(name, obj, dialect, fmt.Sprintf("tables[%d]", i))
			if err != nil {
				return nil, err
			}
			tables = append(tables, t)
		}
	default:
		return nil, invalid("tables", "must be an object or a list")
	}
	sort.Slice(tables, func(i, j int) bool { return tables[i].Name < tables[j].Name })
	return tables, nil
}

func parseTable(name string, raw any, dialect Dialect, p string) (Table, error) {
	t := Table{Name: name}
	obj, err := decodeObject(raw, p)
	if err != nil {
		return t, err
	}
	d := fields{obj: obj, path: p}
	if err := d.get("file", &t.File); err != nil {
		return t, err
	}
	if err := d.get("rows", &t.Rows); err != nil {
		return t, err
	}
	if _, ok := obj["bytes"]; ok {
		err = d.get("bytes", &t.Bytes)
	} else {
		err = d.get("size_bytes", &t.Bytes) // IGEM
	}
	if err != nil {
		return t, err
	}
	if err := d.get("sha256", &t.SHA256); err != nil {
		return t, err
	}
	if err := d.get("blake3", &t.BLAKE3); err != nil {
		return t, err
	}
	if raw, ok := d.take("columns"); ok && raw != nil {
		cols, err := parseColumns(raw, p+".columns")
		if err != nil {
			return t, err
		}
		t.Columns = cols
	}
	t.Extra = d.rest()
	if t.File == "" && dialect == DialectIGEM {
		t.File = name + ".parquet"
	}
	return t, nil
}

func parseColumns(raw any, p string) ([]Column, error) {
	list, ok := raw.([]any)
	if !ok {
		return nil, invalid(p, "must be a list")
	}
	cols := make([]Column, 0, len(list))
	for i, item := range list {
		cp := fmt.Sprintf("%s[%d]", p, i)
		if name, ok := item.(string); ok { // IGEM: names only
			cols = append(cols, Column{Name: name, Nullable: true})
			continue
		}
		obj, err := decodeObject(item, cp)
		if err != nil {
			return nil, err
		}
		d := fields{obj: obj, path: cp}
		c := Column{Nullable: true}
		if err := d.get("name", &c.Name); err != nil {
			return nil, err
		}
		if err := d.get("type", &c.Type); err != nil {
			return nil, err
		}
		if err := d.get("nullable", &c.Nullable); err != nil {
			return nil, err
		}
		c.Extra = d.rest()
		cols = append(cols, c)
	}
	return cols, nil
}

func parseNLP(raw any, dialect Dialect) (*NLP, error) {
	obj, err := decodeObject(raw, "nlp")
	if err != nil {
		return nil, err
	}
	n := &NLP{}
	d := fields{obj: obj, path: "nlp"}
	if err := d.get("source_table", &n.SourceTable); err != nil {
		return nil, err
	}
	if err := d.get("source_blake3", &n.SourceBLAKE3); err != nil {
		return nil, err
	}
	if _, single := obj["file"]; single {
		// IGEM: {"file": "...", "sha256": "...", "size_bytes": N}
		f := File{}
		if err := d.get("file", &f.Path); err != nil {
			return nil, err
		}
		if err := d.get("sha256", &f.SHA256); err != nil {
			return nil, err
		}
		if err := d.get("blake3", &f.BLAKE3); err != nil {
			return nil, err
		}
		key := "bytes"
		if _, ok := obj[key]; !ok {
			key = "size_bytes"
		}
		if err := d.get(key, &f.Bytes); err != nil {
			return nil, err
		}
		if !strings.HasPrefix(f.Path, NLPDir+"/") {
			f.Path = NLPDir + "/" + f.Path
		}
		n.Files = []File{f}
	} else if raw, ok := d.take("files"); ok {
		list, ok := raw.([]any)
		if !ok {
			return nil, invalid("nlp.files", "must be a list")
		}
		for i, item := range list {
			fp := fmt.Sprintf("nlp.files[%d]", i)
			fo, err := decodeObject(item, fp)
			if err != nil {
				return nil, err
			}
			fd := fields{obj: fo, path: fp}
			f := File{}
			if err := fd.get("path", &f.Path); err != nil {
				return nil, err
			}
			if err := fd.get("bytes", &f.Bytes); err != nil {
				return nil, err
			}
			if err := fd.get("sha256", &f.SHA256); err != nil {
				return nil, err
			}
			if err := fd.get("blake3", &f.BLAKE3); err != nil {
				return nil, err
			}
			f.Extra = fd.rest()
			n.Files = append(n.Files, f)
		}
	}
	n.Extra = d.rest()
	return n, nil
}

// Validate checks the rules every manifest obeys; Parse calls it, and Write
// refuses a manifest that breaks them.
func (m *Manifest) Validate() error {
	if m.FormatVersion > FormatVersion {
		return &Error{Field: "format_version",
			Msg: fmt.Sprintf("format_version %d is newer than this reader supports (%d)", m.FormatVersion, FormatVersion),
			Err: ErrNewerVersion}
	}
	if m.ChunkSize < 0 {
		return invalid("chunksize", "%d is negative", m.ChunkSize)
	}
	if m.DurationSeconds < 0 || math.IsNaN(m.DurationSeconds) || math.IsInf(m.DurationSeconds, 0) {
		return invalid("duration_seconds", "%v is not a non-negative duration", m.DurationSeconds)
	}
	// Write gives exported_at in UTC as RFC 3339, which has four-digit years.
	if y := m.ExportedAt.UTC().Year(); !m.ExportedAt.IsZero() && (y < 0 || y > 9999) {
		return invalid("exported_at", "year %d in UTC is outside 0000-9999", y)
	}
	names := map[string]bool{}
	files := map[string]string{}
	for _, t := range m.Tables {
		p := fmt.Sprintf("tables[%q]", t.Name)
		if err := CheckTableName(t.Name); err != nil {
			return invalid(p, "%v", err)
		}
		if names[t.Name] {
			return invalid(p, "duplicate table name")
		}
		names[t.Name] = true
		if err := CheckFileName(t.File); err != nil {
			return invalid(p+".file", "%v", err)
		}
		if other, dup := files[t.File]; dup {
			return invalid(p+".file", "%q is also the file of table %q", t.File, other)
		}
		files[t.File] = t.Name
		if t.Rows < 0 {
			return invalid(p+".rows", "%d is negative", t.Rows)
		}
		if t.Bytes < 0 {
			return invalid(p+".bytes", "%d is negative", t.Bytes)
		}
		if err := checkHashes(p, t.SHA256, t.BLAKE3, m.Dialect); err != nil {
			return err
		}
		cols := map[string]bool{}
		for i, c := range t.Columns {
			if c.Name == "" {
				return invalid(fmt.Sprintf("%s.columns[%d].name", p, i), "empty")
			}
			if cols[c.Name] {
				return invalid(fmt.Sprintf("%s.columns[%d].name", p, i), "duplicate column %q", c.Name)
			}
			cols[c.Name] = true
		}
	}
	if m.NLP != nil {
		seen := map[string]bool{}
		for i, f := range m.NLP.Files {
			p := fmt.Sprintf("nlp.files[%d]", i)
			if err := CheckNLPPath(f.Path); err != nil {
				return invalid(p+".path", "%v", err)
			}
			if seen[f.Path] {
				return invalid(p+".path", "duplicate file %q", f.Path)
			}
			seen[f.Path] = true
			if f.Bytes < 0 {
				return invalid(p+".bytes", "%d is negative", f.Bytes)
			}
			if err := checkHashes(p, f.SHA256, f.BLAKE3, m.Dialect); err != nil {
				return err
			}
		}
		if m.NLP.SourceBLAKE3 != "" {
			if err := checkHex(m.NLP.SourceBLAKE3); err != nil {
				return invalid("nlp.source_blake3", "%v", err)
			}
		}
		if m.NLP.SourceTable != "" && !names[m.NLP.SourceTable] {
			return invalid("nlp.source_table", "no table %q in the manifest", m.NLP.SourceTable)
		}
	}
	return nil
}

// CheckTableName reports whether name can name a table: non-empty valid
// UTF-8 of at most 200 bytes with no control characters and no path
// separators. Names that need quoting in SQL are allowed.
func CheckTableName(name string) error {
	switch {
	case name == "":
		return errors.New("empty table name")
	case len(name) > 200:
		return fmt.Errorf("table name of %d bytes is longer than 200", len(name))
	case !utf8.ValidString(name):
		return errors.New("table name is not valid UTF-8")
	case strings.ContainsAny(name, `/\`):
		return fmt.Errorf("table name %q contains a path separator", name)
	case name == "." || name == "..":
		return fmt.Errorf("table name %q is not allowed", name)
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("table name %q contains a control character", name)
		}
	}
	return nil
}

// CheckFileName reports whether name is a plain file name inside the
// snapshot: not empty, no '/', '\', NUL or control characters, not "." or
// "..", and not the manifest's own name.
func CheckFileName(name string) error {
	switch {
	case name == "":
		return errors.New("empty file name")
	case strings.HasPrefix(name, "/"), path.IsAbs(name), len(name) > 1 && name[1] == ':':
		return fmt.Errorf("file name %q is an absolute path", name)
	case strings.ContainsAny(name, `/\`):
		return fmt.Errorf("file name %q is not a plain name (contains a path separator)", name)
	case name == "." || name == "..":
		return fmt.Errorf("file name %q is not a plain name", name)
	case strings.Contains(name, ".."):
		return fmt.Errorf("file name %q contains \"..\"", name)
	case name == FileName:
		return fmt.Errorf("file name %q is reserved for the manifest", name)
	case name == NLPDir:
		return fmt.Errorf("file name %q is reserved for the NLP directory", name)
	case len(name) > 255:
		return fmt.Errorf("file name of %d bytes is longer than 255", len(name))
	case !utf8.ValidString(name):
		return errors.New("file name is not valid UTF-8")
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("file name %q contains a control character", name)
		}
	}
	return nil
}

// CheckNLPPath reports whether p is "nlp/<plain file name>".
func CheckNLPPath(p string) error {
	rest, ok := strings.CutPrefix(p, NLPDir+"/")
	if !ok {
		return fmt.Errorf("path %q is not inside %s/", p, NLPDir)
	}
	return CheckFileName(rest)
}

func checkHashes(p, sha, b3 string, dialect Dialect) error {
	if sha == "" && b3 == "" {
		return invalid(p, "has neither sha256 nor blake3")
	}
	if dialect != DialectIGEM && b3 == "" {
		return invalid(p+".blake3", "missing")
	}
	if sha != "" {
		if err := checkHex(sha); err != nil {
			return invalid(p+".sha256", "%v", err)
		}
	}
	if b3 != "" {
		if err := checkHex(b3); err != nil {
			return invalid(p+".blake3", "%v", err)
		}
	}
	return nil
}

func checkHex(s string) error {
	if len(s) != 64 {
		return fmt.Errorf("hash %q is %d characters, want 64 hex digits", s, len(s))
	}
	if _, err := hex.DecodeString(s); err != nil || strings.ToLower(s) != s {
		return fmt.Errorf("hash %q is not lower-case hex", s)
	}
	return nil
}

// fields takes known keys out of a decoded JSON object; what is left is the
// object's Extra.
type fields struct {
	obj  map[string]any
	path string
}

func (f fields) field(key string) string {
	if f.path == "" {
		return key
	}
	return f.path + "." + key
}

// get converts obj[key] into dst and removes it; a missing key or null
// leaves dst unchanged.
func (f fields) get(key string, dst any) error {
	v, ok := f.obj[key]
	if !ok {
		return nil
	}
	delete(f.obj, key)
	if v == nil {
		return nil
	}
	bad := func() error {
		b, _ := json.Marshal(v)
		return invalid(f.field(key), "%s is not a valid %s", truncate(b), kind(dst))
	}
	switch d := dst.(type) {
	case *string:
		s, ok := v.(string)
		if !ok {
			return bad()
		}
		*d = s
	case *bool:
		b, ok := v.(bool)
		if !ok {
			return bad()
		}
		*d = b
	case *int64, *int:
		n, ok := v.(json.Number)
		if !ok {
			return bad()
		}
		i, err := strconv.ParseInt(string(n), 10, 64)
		if err != nil {
			return bad()
		}
		if p, ok := d.(*int); ok {
			if int64(int(i)) != i {
				return bad()
			}
			*p = int(i)
		} else {
			*d.(*int64) = i
		}
	case *float64:
		n, ok := v.(json.Number)
		if !ok {
			return bad()
		}
		x, err := strconv.ParseFloat(string(n), 64)
		if err != nil {
			return bad()
		}
		*d = x
	default:
		panic("manifest: get into unsupported type")
	}
	return nil
}

func (f fields) take(key string) (any, bool) {
	v, ok := f.obj[key]
	delete(f.obj, key)
	return v, ok
}

// rest returns the members not taken, each encoded as JSON (numbers keep
// the text they were written with).
func (f fields) rest() map[string]json.RawMessage {
	if len(f.obj) == 0 {
		return nil
	}
	out := make(map[string]json.RawMessage, len(f.obj))
	for k, v := range f.obj {
		b, err := json.Marshal(v)
		if err == nil {
			out[k] = b
		}
	}
	return out
}

func kind(dst any) string {
	switch dst.(type) {
	case *string:
		return "string"
	case *int, *int64:
		return "integer"
	case *float64:
		return "number"
	case *bool:
		return "boolean"
	}
	return "value"
}

func truncate(raw []byte) string {
	if len(raw) > 40 {
		return string(raw[:40]) + "…"
	}
	return string(raw)
}

func firstByte(raw json.RawMessage) byte {
	b := bytes.TrimSpace(raw)
	if len(b) == 0 {
		return 0
	}
	return b[0]
}

// decodeTop checks that data is exactly one JSON object with no key
// repeated at any depth (encoding/json would silently keep the last one),
// and decodes it.
func decodeTop(data []byte) (map[string]any, error) {
	if firstByte(data) != '{' {
		if json.Valid(data) {
			return nil, &Error{Msg: "not a JSON object", Err: ErrNotManifest}
		}
		var v any
		err := json.Unmarshal(data, &v)
		return nil, &Error{Msg: fmt.Sprintf("not valid JSON: %v", err), Err: ErrNotManifest}
	}
	if !json.Valid(data) {
		dec := json.NewDecoder(bytes.NewReader(data))
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, invalid("", "not valid JSON: %v", err)
		}
		return nil, invalid("", "trailing data after the JSON object at byte %d", dec.InputOffset())
	}
	if err := checkDuplicateKeys(data); err != nil {
		return nil, err
	}
	// One pass into a generic tree; numbers stay as their text.
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return nil, invalid("", "not valid JSON: %v", err)
	}
	return obj, nil
}

// decodeObject returns v as a JSON object, or an error naming p.
func decodeObject(v any, p string) (map[string]any, error) {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, invalid(p, "must be a JSON object")
	}
	return obj, nil
}

// maxDepth bounds the nesting checkDuplicateKeys follows.
const maxDepth = 256

// checkDuplicateKeys walks valid JSON once and refuses an object that has
// the same key twice, naming the object by its field path (as the rest of
// the parser does: tables["genes"].columns[2]).
func checkDuplicateKeys(data []byte) error {
	s := keyScanner{data: data}
	s.value("", 0)
	return s.err
}

type keyScanner struct {
	data []byte
	pos  int
	err  error
}

func (s *keyScanner) ws() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// value skips one value at s.pos, checking the objects inside it.
func (s *keyScanner) value(path string, depth int) {
	s.ws()
	if s.err != nil || s.pos >= len(s.data) {
		return
	}
	if depth > maxDepth {
		s.err = invalid(path, "nested deeper than %d levels", maxDepth)
		return
	}
	switch s.data[s.pos] {
	case '{':
		s.pos++
		seen := map[string]bool{}
		for s.err == nil {
			s.ws()
			if s.pos >= len(s.data) || s.data[s.pos] == '}' {
				s.pos++
				return
			}
			if s.data[s.pos] == ',' {
				s.pos++
				continue
			}
			key := s.str()
			if seen[key] {
				where := path
				if where == "" {
					where = "top level"
				}
				s.err = invalid(path, "duplicate key %q in %s", key, where)
				return
			}
			seen[key] = true
			s.ws()
			s.pos++ // ':'
			s.value(childPath(path, key), depth+1)
		}
	case '[':
		s.pos++
		for i := 0; s.err == nil; {
			s.ws()
			if s.pos >= len(s.data) || s.data[s.pos] == ']' {
				s.pos++
				return
			}
			if s.data[s.pos] == ',' {
				s.pos++
				i++
				continue
			}
			s.value(fmt.Sprintf("%s[%d]", path, i), depth+1)
		}
	case '"':
		s.str()
	default:
		for s.pos < len(s.data) && !strings.ContainsRune(",]} \t\n\r", rune(s.data[s.pos])) {
			s.pos++
		}
	}
}

// str consumes a string literal and returns its value.
func (s *keyScanner) str() string {
	start := s.pos
	s.pos++ // opening quote
	escaped := false
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case '\\':
			escaped = true
			s.pos += 2
			continue
		case '"':
			s.pos++
			lit := s.data[start:min(s.pos, len(s.data))]
			if !escaped {
				return string(lit[1 : len(lit)-1])
			}
			var v string
			json.Unmarshal(lit, &v)
			return v
		}
		s.pos++
	}
	return string(s.data[start:])
}

func childPath(parent, key string) string {
	switch parent {
	case "":
		return key
	case "tables":
		return fmt.Sprintf("tables[%q]", key)
	}
	return parent + "." + key
}
