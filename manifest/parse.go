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
	top, err := decodeObject(data, "")
	if err != nil {
		if _, ok := err.(*Error); ok {
			return nil, err
		}
		return nil, &Error{Msg: "not valid JSON: " + err.Error(), Err: ErrNotManifest}
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
	if raw, ok := d.take("nlp"); ok && !isNull(raw) {
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

func (s *Source) parse(raw json.RawMessage) error {
	if isNull(raw) {
		return nil
	}
	// IGEM wrote the source as one string, e.g. "postgresql".
	var str string
	if json.Unmarshal(raw, &str) == nil {
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

func parseTables(raw json.RawMessage, dialect Dialect) ([]Table, error) {
	var tables []Table
	switch firstByte(raw) {
	case '{':
		keys, objs, err := decodeObjectOrdered(raw, "tables")
		if err != nil {
			return nil, err
		}
		for i, name := range keys {
			t, err := parseTable(name, objs[i], dialect, fmt.Sprintf("tables[%q]", name))
			if err != nil {
				return nil, err
			}
			tables = append(tables, t)
		}
	case '[':
		// A list of tables, each with a "name" field.
		var list []json.RawMessage
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, invalid("tables", "%v", err)
		}
		for i, item := range list {
			obj, err := decodeObject(item, fmt.Sprintf("tables[%d]", i))
			if err != nil {
				return nil, err
			}
			var name string
			if err := (fields{obj: obj, path: fmt.Sprintf("tables[%d]", i)}).get("name", &name); err != nil {
				return nil, err
			}
			delete(obj, "name")
			item, _ = json.Marshal(obj)
			t, err := parseTable(name, item, dialect, fmt.Sprintf("tables[%d]", i))
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

func parseTable(name string, raw json.RawMessage, dialect Dialect, p string) (Table, error) {
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
	if raw, ok := d.take("columns"); ok && !isNull(raw) {
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

func parseColumns(raw json.RawMessage, p string) ([]Column, error) {
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, invalid(p, "must be a list")
	}
	cols := make([]Column, 0, len(list))
	for i, item := range list {
		cp := fmt.Sprintf("%s[%d]", p, i)
		var name string
		if json.Unmarshal(item, &name) == nil { // IGEM: names only
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

func parseNLP(raw json.RawMessage, dialect Dialect) (*NLP, error) {
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
		var list []json.RawMessage
		if err := json.Unmarshal(raw, &list); err != nil {
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
	if dialect == DialectSnapDB && b3 == "" {
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
	obj  map[string]json.RawMessage
	path string
	kept []string
}

func (f fields) field(key string) string {
	if f.path == "" {
		return key
	}
	return f.path + "." + key
}

// get decodes obj[key] into dst and removes it; a missing key or null
// leaves dst unchanged.
func (f fields) get(key string, dst any) error {
	raw, ok := f.obj[key]
	if !ok {
		return nil
	}
	delete(f.obj, key)
	if isNull(raw) {
		return nil
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return invalid(f.field(key), "%s is not a valid %s", truncate(raw), kind(dst))
	}
	return nil
}

func (f fields) take(key string) (json.RawMessage, bool) {
	raw, ok := f.obj[key]
	delete(f.obj, key)
	return raw, ok
}

func (f fields) rest() map[string]json.RawMessage {
	if len(f.obj) == 0 {
		return nil
	}
	return f.obj
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

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

func firstByte(raw json.RawMessage) byte {
	b := bytes.TrimSpace(raw)
	if len(b) == 0 {
		return 0
	}
	return b[0]
}

// decodeObject decodes a JSON object into its raw members, refusing
// duplicate keys (encoding/json would silently keep the last one).
func decodeObject(data []byte, p string) (map[string]json.RawMessage, error) {
	keys, vals, err := decodeObjectOrdered(data, p)
	if err != nil {
		return nil, err
	}
	obj := make(map[string]json.RawMessage, len(keys))
	for i, k := range keys {
		obj[k] = vals[i]
	}
	return obj, nil
}

func decodeObjectOrdered(data []byte, p string) ([]string, []json.RawMessage, error) {
	where := p
	if where == "" {
		where = "top level"
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		if p == "" {
			return nil, nil, err
		}
		return nil, nil, invalid(p, "not valid JSON: %v", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		if p == "" {
			return nil, nil, &Error{Msg: "not a JSON object", Err: ErrNotManifest}
		}
		return nil, nil, invalid(p, "must be a JSON object")
	}
	var keys []string
	var vals []json.RawMessage
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, invalid(p, "not valid JSON: %v", err)
		}
		key, ok := tok.(string)
		if !ok {
			return nil, nil, invalid(p, "not valid JSON")
		}
		if seen[key] {
			return nil, nil, invalid(p, "duplicate key %q in %s", key, where)
		}
		seen[key] = true
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil, invalid(p, "not valid JSON at key %q: %v", key, err)
		}
		keys = append(keys, key)
		vals = append(vals, v)
	}
	if _, err := dec.Token(); err != nil {
		return nil, nil, invalid(p, "not valid JSON: %v", err)
	}
	if dec.More() {
		return nil, nil, invalid(p, "trailing data after the JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, nil, invalid(p, "trailing data after the JSON object")
	}
	return keys, vals, nil
}
