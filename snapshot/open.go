package snapshot

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/snapdb/snapdb/manifest"
)

// Options configures Open. A nil *Options means defaults.
type Options struct {
	// VerifyOnOpen re-hashes every file before Open (or Load) returns (see
	// Verify); a mismatch makes it fail.
	VerifyOnOpen bool
	// Concurrency bounds the files hashed at once by Verify; 0 means 4.
	Concurrency int
	// Progress, if set, receives progress of long operations (Verify,
	// Save, Restore).
	Progress ProgressFunc
	// Mem allocates Arrow buffers for reads; nil means
	// memory.DefaultAllocator.
	Mem memory.Allocator
	// Logf receives the few notices the library gives (such as an NLP
	// automaton built in memory for want of a stored one); nil means
	// log.Printf.
	Logf func(format string, args ...any)
}

// ProgressFunc receives the progress of a long operation: op names it
// ("verify", "save", "restore"), done and total are in bytes. It may be
// called from several goroutines, about once per MiB, and must be quick.
type ProgressFunc func(op string, done, total int64)

// DB is an open, read-only snapshot: a directory or a .snap container. It
// is safe for concurrent use by many goroutines. Load swaps the snapshot
// it serves for another while readers go on; Close releases it. A record
// reader obtained from a DB keeps the snapshot it reads open until the
// reader is released, even across Load and Close.
type DB struct {
	cur  atomic.Pointer[state] // nil once closed
	opts Options
}

// Open opens the snapshot at path: a snapshot directory, a .snap
// container, or a "parquet:///abs/path" or "snap:///abs/path" URI naming
// one. It reads the manifest and each table's Parquet footer, nothing
// more, so it costs the same whatever the size of the data. A table whose
// file is missing, or whose size or row count disagrees with the manifest,
// is an error naming the table.
func Open(path string, opts *Options) (*DB, error) {
	db := &DB{}
	if opts != nil {
		db.opts = *opts
	}
	if db.opts.Mem == nil {
		db.opts.Mem = memory.DefaultAllocator
	}
	s, err := db.openVerified(path)
	if err != nil {
		return nil, err
	}
	db.cur.Store(s)
	return db, nil
}

// openVerified opens a state and, with VerifyOnOpen, verifies it.
func (db *DB) openVerified(path string) (*state, error) {
	start := time.Now()
	s, err := openState(path)
	if err != nil {
		return nil, err
	}
	if db.opts.VerifyOnOpen {
		if _, err := verifyState(context.Background(), s, &db.opts); err != nil {
			s.release()
			return nil, err
		}
	}
	s.openTime = time.Since(start)
	return s, nil
}

// acquire returns the current state with a reference the caller releases.
func (db *DB) acquire(op string) (*state, error) {
	for {
		s := db.cur.Load()
		if s == nil {
			return nil, &Error{Op: op, Err: ErrClosed}
		}
		// A state whose count reached zero has already been replaced:
		// Load and Close move the pointer before dropping their reference.
		if n := s.refs.Load(); n > 0 && s.refs.CompareAndSwap(n, n+1) {
			return s, nil
		}
	}
}

// current returns the current state for reading values that outlive no
// file (names, manifest, schemas): no reference is needed for those.
func (db *DB) current() *state {
	if s := db.cur.Load(); s != nil {
		return s
	}
	return db.closedState()
}

// closedState keeps the accessors of a closed DB from crashing: it
// describes nothing.
func (db *DB) closedState() *state {
	return &state{m: &manifest.Manifest{}, tables: map[string]*table{}}
}

// Load swaps the snapshot being served for the one at path (a directory,
// a .snap container or a URI), opened (and, with VerifyOnOpen, verified)
// before the swap. Operations already running finish on the old snapshot;
// new ones see the new one; the old files are closed when their last
// reader finishes. A load that fails (a missing, corrupt or unsupported
// snapshot) leaves the old snapshot serving and says why.
func (db *DB) Load(path string) (SnapshotMeta, error) {
	if db.cur.Load() == nil {
		return SnapshotMeta{}, &Error{Op: "load", Path: path, Err: ErrClosed}
	}
	s, err := db.openVerified(path)
	if err != nil {
		return SnapshotMeta{}, &Error{Op: "load", Path: path,
			Err: fmt.Errorf("%w; the snapshot being served is unchanged", err)}
	}
	for {
		old := db.cur.Load()
		if old == nil {
			s.release()
			return SnapshotMeta{}, &Error{Op: "load", Path: path, Err: ErrClosed}
		}
		if db.cur.CompareAndSwap(old, s) {
			old.release()
			return s.meta(), nil
		}
	}
}

// Close closes the snapshot. Readers still open keep its files until they
// are released. It is safe to call more than once.
func (db *DB) Close() error {
	if s := db.cur.Swap(nil); s != nil {
		s.release()
	}
	return nil
}

// Path is the absolute path of the snapshot being served.
func (db *DB) Path() string { return db.current().path }

// Manifest returns a copy of the snapshot's manifest.
func (db *DB) Manifest() manifest.Manifest {
	s := db.current()
	m := *s.m
	m.Tables = append([]manifest.Table(nil), s.m.Tables...)
	return m
}

// RootHash is the snapshot's identity: the BLAKE3 hash of its canonical
// manifest.
func (db *DB) RootHash() string {
	if s := db.cur.Load(); s != nil {
		return s.root()
	}
	return ""
}

// Meta summarises the snapshot being served; Duration is the time its
// Open (or Load) took.
func (db *DB) Meta() SnapshotMeta { return db.current().meta() }

// Info describes an open snapshot.
type Info struct {
	Backend         string       `json:"backend"`
	ReadOnly        bool         `json:"readOnly"`
	Path            string       `json:"path"`
	Dialect         string       `json:"dialect"`
	FormatVersion   int          `json:"formatVersion"`
	SnapshotVersion string       `json:"snapshotVersion"`
	SchemaVersion   string       `json:"schemaVersion"`
	SchemaRevision  string       `json:"schemaRevision"`
	Producer        string       `json:"producer"`
	ProducerVersion string       `json:"producerVersion"`
	ExportedAt      *time.Time   `json:"exportedAt"`
	Source          SourceInfo   `json:"source"`
	Compression     string       `json:"compression"`
	Tables          []TableInfo  `json:"tables"`
	Rows            int64        `json:"rows"`
	Bytes           int64        `json:"bytes"`
	RootHash        string       `json:"rootHash"`
	NLP             *NLPFileInfo `json:"nlp"`
}

// SourceInfo is where the snapshot was exported from.
type SourceInfo struct {
	Engine   string `json:"engine"`
	Database string `json:"database"`
}

// TableInfo describes one table.
type TableInfo struct {
	Name      string `json:"name"`
	File      string `json:"file"`
	Rows      int64  `json:"rows"`
	Bytes     int64  `json:"bytes"`
	Columns   int    `json:"columns"`
	RowGroups int    `json:"rowGroups"`
}

// NLPFileInfo describes the snapshot's NLP section.
type NLPFileInfo struct {
	SourceTable string   `json:"sourceTable"`
	Files       []string `json:"files"`
}

// Info describes the snapshot: backend, versions, tables, totals.
func (db *DB) Info() Info {
	s := db.current()
	m := s.m
	in := Info{
		Backend:         s.backend,
		ReadOnly:        true,
		Path:            s.path,
		Dialect:         string(m.Dialect),
		FormatVersion:   m.FormatVersion,
		SnapshotVersion: m.SnapshotVersion,
		SchemaVersion:   m.SchemaVersion,
		SchemaRevision:  m.SchemaRevision,
		Producer:        m.Producer,
		ProducerVersion: m.ProducerVersion,
		Source:          SourceInfo{Engine: m.Source.Engine, Database: m.Source.Database},
		Compression:     m.Compression,
		Rows:            m.TotalRows(),
		Bytes:           m.TotalBytes(),
		RootHash:        s.root(),
	}
	if !m.ExportedAt.IsZero() {
		t := m.ExportedAt
		in.ExportedAt = &t
	}
	for _, e := range m.Tables {
		t := s.tables[e.Name]
		in.Tables = append(in.Tables, TableInfo{Name: e.Name, File: e.File, Rows: e.Rows, Bytes: t.r.Size(),
			Columns: len(t.schema.Fields()), RowGroups: t.footer.NumRowGroups()})
	}
	if m.NLP != nil {
		n := &NLPFileInfo{SourceTable: m.NLP.SourceTable}
		for _, f := range m.NLP.Files {
			n.Files = append(n.Files, f.Path)
		}
		in.NLP = n
	}
	return in
}

// Tables returns the table names, sorted.
func (db *DB) Tables() []string { return db.current().tableNames() }

func (s *state) tableNames() []string {
	names := make([]string, len(s.m.Tables))
	for i, t := range s.m.Tables {
		names[i] = t.Name
	}
	return names
}

// Schema returns the Arrow schema of a table.
func (db *DB) Schema(name string) (*arrow.Schema, error) {
	t, err := db.current().table("schema", name)
	if err != nil {
		return nil, err
	}
	return t.schema, nil
}

func (s *state) table(op, name string) (*table, error) {
	t, ok := s.tables[name]
	if !ok {
		return nil, &Error{Op: op, Path: s.path, Table: name, Err: ErrNoTable,
			Hint: "tables: " + strings.Join(s.tableNames(), ", ")}
	}
	return t, nil
}

// ReadTable returns a reader over every row of a table, in file order, as
// record batches of up to batchRows rows (0 means 64 Ki). Only the named
// columns are decoded (nil means all), in the order named. The reader is
// for one goroutine; it holds the snapshot it reads open until the caller
// releases it.
func (db *DB) ReadTable(ctx context.Context, name string, columns []string, batchRows int64) (array.RecordReader, error) {
	s, err := db.acquire("read table")
	if err != nil {
		return nil, err
	}
	rr, err := s.readTable(ctx, name, columns, batchRows, db.opts.Mem)
	if err != nil {
		s.release()
		return nil, err
	}
	return &pinnedReader{RecordReader: rr, s: s}, nil
}

func (s *state) readTable(ctx context.Context, name string, columns []string, batchRows int64, mem memory.Allocator) (array.RecordReader, error) {
	t, err := s.table("read table", name)
	if err != nil {
		return nil, err
	}
	cols, err := t.leaves(columns)
	if err != nil {
		return nil, &Error{Op: "read table", Path: s.path, Table: name, Err: err}
	}
	if batchRows <= 0 {
		batchRows = 64 * 1024
	}
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	pr, err := file.NewParquetReader(t.r, file.WithMetadata(t.footer))
	if err != nil {
		return nil, &Error{Op: "read table", Path: s.path, Table: name, Err: err}
	}
	fr, err := pqarrow.NewFileReader(pr, pqarrow.ArrowReadProperties{BatchSize: batchRows}, mem)
	if err != nil {
		return nil, &Error{Op: "read table", Path: s.path, Table: name, Err: err}
	}
	rr, err := fr.GetRecordReader(ctx, cols, nil)
	if err != nil {
		return nil, &Error{Op: "read table", Path: s.path, Table: name, Err: err}
	}
	if t.fix != nil {
		return newRestoringReader(rr, t.schema, t.fix, mem), nil
	}
	return rr, nil
}

// pinnedReader holds a reference to the state it reads from until its
// last Release.
type pinnedReader struct {
	array.RecordReader
	s    *state
	refs atomic.Int64 // extra Retains
	done atomic.Bool
}

func (p *pinnedReader) Retain() {
	p.refs.Add(1)
	p.RecordReader.Retain()
}

func (p *pinnedReader) Release() {
	p.RecordReader.Release()
	if p.refs.Add(-1) < 0 && p.done.CompareAndSwap(false, true) {
		p.s.release()
	}
}

// leaves maps top-level column names to the Parquet leaf-column indices
// that hold them (a list or struct column has one leaf or more). nil means
// every column.
func (t *table) leaves(columns []string) ([]int, error) {
	if columns == nil {
		return nil, nil
	}
	sc := t.footer.Schema
	var out []int
	for _, c := range columns {
		if len(t.schema.FieldIndices(c)) == 0 {
			names := make([]string, len(t.schema.Fields()))
			for i, f := range t.schema.Fields() {
				names[i] = f.Name
			}
			return nil, fmt.Errorf("no column %q (columns: %s)", c, strings.Join(names, ", "))
		}
		for j := 0; j < sc.NumColumns(); j++ {
			if sc.ColumnRoot(j).Name() == c {
				out = append(out, j)
			}
		}
	}
	return out, nil
}
