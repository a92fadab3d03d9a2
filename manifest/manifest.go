// Package manifest defines manifest.json, the file that describes and pins a
// snapdb snapshot: its versions, its tables with their row counts, sizes,
// hashes and columns, and the optional NLP automaton files.
//
// # Basics
//
// Parse (or Read) decodes and validates a manifest; Write produces its
// canonical bytes (stable key order and formatting, so the same manifest
// always gives the same bytes); RootHash is the BLAKE3 hash of those bytes,
// the identity of the whole snapshot, since the manifest holds the hash of
// every file.
//
// Parse accepts two dialects: snapdb's own (format "snapdb", format_version
// 1) and manifests written by IGEM-style exporters (igem_version,
// size_bytes, sha256 only, columns as a list of names, an nlp section with a
// single file). Both are normalised into the same Manifest value.
//
// # Caveats
//
// Fields this version does not know are kept in the Extra maps and written
// back unchanged, so an older reader never drops what a newer writer added.
// A manifest with a format_version newer than FormatVersion is refused.
// The package does no file I/O beyond the io.Reader and io.Writer it is given.
package manifest

import (
	"encoding/json"
	"time"
)

// Format is the value of the "format" field of every snapdb manifest.
const Format = "snapdb"

// FormatVersion is the newest manifest format version this package reads and
// the one it writes.
const FormatVersion = 1

// FileName is the name of the manifest inside a snapshot directory.
const FileName = "manifest.json"

// NLPDir is the directory, inside a snapshot, that holds the NLP files.
const NLPDir = "nlp"

// Dialect names the kind of producer that wrote a manifest.
type Dialect string

// Dialects that Parse recognises.
const (
	DialectSnapDB Dialect = "snapdb"
	DialectIGEM   Dialect = "igem"
)

// Manifest is the decoded manifest.json of one snapshot.
type Manifest struct {
	// Dialect tells which kind of producer wrote the manifest. It is not
	// itself written: Write always writes the snapdb dialect, and an IGEM
	// manifest keeps its igem_version (in Extra), so Parse reads the
	// written bytes back as DialectIGEM.
	Dialect Dialect

	FormatVersion   int
	SnapshotVersion string // the export, usually a date
	SchemaVersion   string // semver label of the schema
	SchemaRevision  string // migration head of the source (e.g. alembic)
	Producer        string
	ProducerVersion string
	ExportedAt      time.Time // zero if unknown
	DurationSeconds float64
	Source          Source
	Compression     string
	ChunkSize       int64

	// Tables, sorted by name.
	Tables []Table

	// NLP is nil when the snapshot has no automaton.
	NLP *NLP

	// Extra holds top-level fields this version does not know.
	Extra map[string]json.RawMessage
}

// Source says where a snapshot was exported from. It never holds host
// names, users or passwords.
type Source struct {
	Engine   string // "postgresql", "sqlite", ...
	Database string
	Extra    map[string]json.RawMessage
}

// Table describes one table and its Parquet file.
type Table struct {
	Name    string
	File    string // a plain file name inside the snapshot
	Rows    int64
	Bytes   int64
	SHA256  string // lower-case hex; may be empty in IGEM manifests
	BLAKE3  string // lower-case hex; empty in IGEM manifests
	Columns []Column
	Extra   map[string]json.RawMessage
}

// Column describes one column of a table.
type Column struct {
	Name string
	// Type is the Arrow type as text (arrow.DataType.String()), or empty
	// when the producer did not record it (IGEM manifests).
	Type     string
	Nullable bool
	Extra    map[string]json.RawMessage
}

// NLP describes the alias automaton stored in the snapshot's nlp/ directory.
type NLP struct {
	// Files, each a path "nlp/<plain name>".
	Files []File
	// SourceTable is the table the automaton was built from, and
	// SourceBLAKE3 that table's BLAKE3 at build time.
	SourceTable  string
	SourceBLAKE3 string
	Extra        map[string]json.RawMessage
}

// File is one file of the NLP section.
type File struct {
	Path   string // "nlp/<plain name>"
	Bytes  int64
	SHA256 string
	BLAKE3 string
	Extra  map[string]json.RawMessage
}

// Table returns the table called name, or false.
func (m *Manifest) Table(name string) (Table, bool) {
	for _, t := range m.Tables {
		if t.Name == name {
			return t, true
		}
	}
	return Table{}, false
}

// TotalRows is the sum of every table's row count.
func (m *Manifest) TotalRows() int64 {
	var n int64
	for _, t := range m.Tables {
		n += t.Rows
	}
	return n
}

// TotalBytes is the sum of every table's and NLP file's size.
func (m *Manifest) TotalBytes() int64 {
	var n int64
	for _, t := range m.Tables {
		n += t.Bytes
	}
	if m.NLP != nil {
		for _, f := range m.NLP.Files {
			n += f.Bytes
		}
	}
	return n
}
