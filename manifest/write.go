package manifest

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"io"
	"sort"
	"time"

	"github.com/zeebo/blake3"
)

// Marshal returns the canonical bytes of m: the snapdb dialect, keys in
// sorted order, two-space indentation, a final newline. The same manifest
// always gives the same bytes, so they can be hashed (see RootHash).
func (m *Manifest) Marshal() ([]byte, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	top := object{}
	top.merge(m.Extra)
	top.set("format", Format)
	top.set("format_version", FormatVersion)
	top.setNonZero("snapshot_version", m.SnapshotVersion)
	top.setNonZero("schema_version", m.SchemaVersion)
	top.setNonZero("schema_revision", m.SchemaRevision)
	top.setNonZero("producer", m.Producer)
	top.setNonZero("producer_version", m.ProducerVersion)
	if !m.ExportedAt.IsZero() {
		top.set("exported_at", m.ExportedAt.UTC().Format(time.RFC3339Nano))
	}
	top.set("duration_seconds", m.DurationSeconds)
	if src := m.Source.object(); len(src) > 0 {
		top["source"] = src.raw()
	}
	top.setNonZero("compression", m.Compression)
	top.setNonZero("chunksize", m.ChunkSize)

	tables := object{}
	for _, t := range m.Tables {
		o := object{}
		o.merge(t.Extra)
		o.set("file", t.File)
		o.set("rows", t.Rows)
		o.set("bytes", t.Bytes)
		o.setNonZero("sha256", t.SHA256)
		o.setNonZero("blake3", t.BLAKE3)
		cols := make([]json.RawMessage, len(t.Columns))
		for i, c := range t.Columns {
			co := object{}
			co.merge(c.Extra)
			co.set("name", c.Name)
			co.setNonZero("type", c.Type)
			co.set("nullable", c.Nullable)
			cols[i] = co.raw()
		}
		o.set("columns", cols)
		tables[t.Name] = o.raw()
	}
	top["tables"] = tables.raw()

	if m.NLP != nil {
		o := object{}
		o.merge(m.NLP.Extra)
		o.setNonZero("source_table", m.NLP.SourceTable)
		o.setNonZero("source_blake3", m.NLP.SourceBLAKE3)
		files := make([]json.RawMessage, len(m.NLP.Files))
		for i, f := range m.NLP.Files {
			fo := object{}
			fo.merge(f.Extra)
			fo.set("path", f.Path)
			fo.set("bytes", f.Bytes)
			fo.setNonZero("sha256", f.SHA256)
			fo.setNonZero("blake3", f.BLAKE3)
			files[i] = fo.raw()
		}
		o.set("files", files)
		top["nlp"] = o.raw()
	}

	var buf bytes.Buffer
	if err := json.Indent(&buf, top.raw(), "", "  "); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// Write writes the canonical bytes of m to w.
func (m *Manifest) Write(w io.Writer) error {
	b, err := m.Marshal()
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// RootHash is the BLAKE3 hash, in lower-case hex, of the canonical bytes of
// m: the identity of the snapshot it describes.
func (m *Manifest) RootHash() (string, error) {
	b, err := m.Marshal()
	if err != nil {
		return "", err
	}
	sum := blake3.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

func (s Source) object() object {
	o := object{}
	o.merge(s.Extra)
	o.setNonZero("engine", s.Engine)
	o.setNonZero("database", s.Database)
	return o
}

// object is a JSON object under construction; encoding/json writes map keys
// in sorted order, which makes the output canonical.
type object map[string]json.RawMessage

// merge adds the unknown fields in extra, each re-encoded in canonical form
// (object keys sorted at every depth; numbers kept as written).
func (o object) merge(extra map[string]json.RawMessage) {
	for k, v := range extra {
		dec := json.NewDecoder(bytes.NewReader(v))
		dec.UseNumber()
		var x any
		if dec.Decode(&x) != nil {
			continue
		}
		if b, err := json.Marshal(x); err == nil {
			o[k] = b
		}
	}
}

func (o object) set(key string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Only values of the types used above are set; they always marshal.
		panic("manifest: marshal " + key + ": " + err.Error())
	}
	o[key] = b
}

func (o object) setNonZero(key string, v any) {
	switch x := v.(type) {
	case string:
		if x == "" {
			return
		}
	case int64:
		if x == 0 {
			return
		}
	}
	o.set(key, v)
}

func (o object) raw() json.RawMessage {
	keys := make([]string, 0, len(o))
	for k := range o {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(o[k])
	}
	buf.WriteByte('}')
	return buf.Bytes()
}
