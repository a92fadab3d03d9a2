package snapshot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"golang.org/x/sync/errgroup"

	"github.com/snapdb/snapdb/manifest"
)

// Options configures Open. A nil *Options means defaults.
type Options struct {
	// VerifyOnOpen re-hashes every file before Open returns (see Verify);
	// a mismatch makes Open fail.
	VerifyOnOpen bool
	// Concurrency bounds the files hashed at once by Verify; 0 means 4.
	Concurrency int
	// Progress, if set, receives progress of long operations (Verify).
	Progress ProgressFunc
	// Mem allocates Arrow buffers for reads; nil means
	// memory.DefaultAllocator.
	Mem memory.Allocator
}

// ProgressFunc receives the progress of a long operation: op names it
// ("verify"), done and total are in bytes. It is called from several
// goroutines, at most once per MiB or so, and must be quick.
type ProgressFunc func(op string, done, total int64)

// DB is an open, read-only snapshot. It is safe for concurrent use by many
// goroutines. Close releases its files; values obtained from a DB (record
// readers) must be released before Close.
type DB struct {
	path     string // absolute
	backend  string
	m        *manifest.Manifest
	rootOnce sync.Once
	rootHash string // computed on first use: Open does not pay for it
	opts     Options
	tables   map[string]*table
	openTime time.Duration

	mu     sync.RWMutex
	closed bool
}

// table is one open table: its manifest entry, its file and its Parquet
// footer, read once at Open and shared by every reader.
type table struct {
	entry  manifest.Table
	path   string
	f      *os.File
	size   int64
	footer *metadata.FileMetaData
	schema *arrow.Schema
	fix    map[string]bool // columns whose timestamp unit is restored on read
}

// Backends reported by Info.
const (
	BackendDirectory = "directory"
)

// Open opens the snapshot at path: a snapshot directory, or a
// "parquet:///abs/path" or "snap:///abs/path" URI naming one. It reads the
// manifest and each table's Parquet footer, nothing more, so it costs the
// same whatever the size of the data. A table whose file is missing, or
// whose size or row count disagrees with the manifest, is an error naming
// the table.
func Open(path string, opts *Options) (*DB, error) {
	start := time.Now()
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Mem == nil {
		o.Mem = memory.DefaultAllocator
	}
	p, m, err := readManifest(path)
	if err != nil {
		return nil, err
	}
	db := &DB{path: p, backend: BackendDirectory, m: m, opts: o, tables: map[string]*table{}}
	// Footers are independent: read them in parallel.
	opened := make([]*table, len(m.Tables))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, e := range m.Tables {
		g.Go(func() (err error) {
			opened[i], err = openTable(p, e)
			return err
		})
	}
	err = g.Wait()
	for _, t := range opened {
		if t != nil {
			db.tables[t.entry.Name] = t
		}
	}
	if err != nil {
		db.closeFiles()
		return nil, err
	}
	if o.VerifyOnOpen {
		if _, err := db.Verify(context.Background()); err != nil {
			db.closeFiles()
			return nil, err
		}
	}
	db.openTime = time.Since(start)
	return db, nil
}

// readManifest resolves path and reads the snapshot's manifest.
func readManifest(path string) (string, *manifest.Manifest, error) {
	p, err := resolvePath(path)
	if err != nil {
		return "", nil, &Error{Op: "open", Path: path, Err: err}
	}
	fi, err := os.Stat(p)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", nil, &Error{Op: "open", Path: p, Err: fmt.Errorf("%w: %s does not exist", ErrNotSnapshot, p)}
		}
		return "", nil, &Error{Op: "open", Path: p, Err: err}
	}
	if !fi.IsDir() {
		return "", nil, &Error{Op: "open", Path: p, Err: fmt.Errorf("%w: %s is a file, not a snapshot directory", ErrNotSnapshot, p)}
	}
	mf, err := os.Open(filepath.Join(p, manifest.FileName))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil, &Error{Op: "open", Path: p, Err: fmt.Errorf("%w: %s has no %s", ErrNotSnapshot, p, manifest.FileName)}
	}
	if err != nil {
		return "", nil, &Error{Op: "open", Path: p, Err: err}
	}
	defer mf.Close()
	m, err := manifest.Read(mf)
	if err != nil {
		return "", nil, &Error{Op: "open", Path: filepath.Join(p, manifest.FileName), Err: err}
	}
	return p, m, nil
}

// resolvePath turns a path or a parquet:/// or snap:/// URI into a clean
// absolute path.
func resolvePath(path string) (string, error) {
	if scheme, rest, ok := strings.Cut(path, "://"); ok && (scheme == "parquet" || scheme == "snap") {
		u, err := url.Parse(path)
		if err != nil {
			return "", fmt.Errorf("bad URI %q: %w", path, err)
		}
		if u.Host != "" || !strings.HasPrefix(rest, "/") {
			return "", fmt.Errorf("bad URI %q: want %s:///absolute/path", path, scheme)
		}
		return filepath.Clean(u.Path), nil
	}
	if path == "" {
		return "", errors.New("empty path")
	}
	return filepath.Abs(path)
}

func openTable(dir string, e manifest.Table) (*table, error) {
	p := filepath.Join(dir, e.File)
	fail := func(what, expected, actual string) error {
		return &Error{Op: "open", Path: dir, Table: e.Name, Err: &IntegrityError{Path: dir,
			Mismatches: []Mismatch{{Table: e.Name, File: e.File, What: what, Expected: expected, Actual: actual}}}}
	}
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fail("missing", "", "")
	}
	if err != nil {
		return nil, &Error{Op: "open", Path: p, Table: e.Name, Err: err}
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, &Error{Op: "open", Path: p, Table: e.Name, Err: err}
	}
	if e.Bytes != 0 && fi.Size() != e.Bytes {
		f.Close()
		return nil, fail("bytes", strconv.FormatInt(e.Bytes, 10), strconv.FormatInt(fi.Size(), 10))
	}
	footer, schema, fix, err := readFooter(f, fi.Size())
	if err != nil {
		f.Close()
		return nil, fail("unreadable", "", err.Error())
	}
	if footer.NumRows != e.Rows {
		f.Close()
		return nil, fail("rows", strconv.FormatInt(e.Rows, 10), strconv.FormatInt(footer.NumRows, 10))
	}
	return &table{entry: e, path: p, f: f, size: fi.Size(), footer: footer, schema: schema, fix: fix}, nil
}

// readFooter reads a Parquet file's footer and its Arrow schema, and
// names the columns whose stored type must be restored on read.
func readFooter(r io.ReaderAt, size int64) (md *metadata.FileMetaData, schema *arrow.Schema, fix map[string]bool, err error) {
	defer func() {
		// The Parquet footer decoder is not hardened against every hostile
		// input; a panic in it is a corrupt file, not a crash.
		if p := recover(); p != nil {
			md, schema, fix, err = nil, nil, nil, fmt.Errorf("corrupt parquet footer: %v", p)
		}
	}()
	pr, err := file.NewParquetReader(io.NewSectionReader(r, 0, size))
	if err != nil {
		return nil, nil, nil, err
	}
	md = pr.MetaData()
	inferred, err := pqarrow.FromParquet(md.Schema, &pqarrow.ArrowReadProperties{}, md.KeyValueMetadata())
	if err != nil {
		return nil, nil, nil, err
	}
	schema, cols := restoreSchema(inferred, originSchema(md.KeyValueMetadata()))
	if len(cols) > 0 {
		fix = map[string]bool{}
		for _, i := range cols {
			fix[schema.Field(i).Name] = true
		}
	}
	return md, schema, fix, nil
}

// Close closes the snapshot's files. It is safe to call more than once.
func (db *DB) Close() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return nil
	}
	db.closed = true
	return db.closeFiles()
}

func (db *DB) closeFiles() error {
	var first error
	for _, t := range db.tables {
		if err := t.f.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Path is the absolute path of the snapshot.
func (db *DB) Path() string { return db.path }

// Manifest returns a copy of the snapshot's manifest.
func (db *DB) Manifest() manifest.Manifest {
	m := *db.m
	m.Tables = append([]manifest.Table(nil), db.m.Tables...)
	return m
}

// RootHash is the snapshot's identity: the BLAKE3 hash of its canonical
// manifest.
func (db *DB) RootHash() string {
	db.rootOnce.Do(func() {
		// Parse validated the manifest, so Marshal cannot fail.
		db.rootHash, _ = db.m.RootHash()
	})
	return db.rootHash
}

// Meta summarises the open snapshot; Duration is the time Open took.
func (db *DB) Meta() SnapshotMeta { return metaOf(db.m, db.RootHash(), db.path, db.openTime) }

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
	in := Info{
		Backend:         db.backend,
		ReadOnly:        true,
		Path:            db.path,
		Dialect:         string(db.m.Dialect),
		FormatVersion:   db.m.FormatVersion,
		SnapshotVersion: db.m.SnapshotVersion,
		SchemaVersion:   db.m.SchemaVersion,
		SchemaRevision:  db.m.SchemaRevision,
		Producer:        db.m.Producer,
		ProducerVersion: db.m.ProducerVersion,
		Source:          SourceInfo{Engine: db.m.Source.Engine, Database: db.m.Source.Database},
		Compression:     db.m.Compression,
		Rows:            db.m.TotalRows(),
		Bytes:           db.m.TotalBytes(),
		RootHash:        db.RootHash(),
	}
	if !db.m.ExportedAt.IsZero() {
		t := db.m.ExportedAt
		in.ExportedAt = &t
	}
	for _, e := range db.m.Tables {
		t := db.tables[e.Name]
		in.Tables = append(in.Tables, TableInfo{Name: e.Name, File: e.File, Rows: e.Rows, Bytes: t.size,
			Columns: len(t.schema.Fields()), RowGroups: t.footer.NumRowGroups()})
	}
	if db.m.NLP != nil {
		n := &NLPFileInfo{SourceTable: db.m.NLP.SourceTable}
		for _, f := range db.m.NLP.Files {
			n.Files = append(n.Files, f.Path)
		}
		in.NLP = n
	}
	return in
}

// Tables returns the table names, sorted.
func (db *DB) Tables() []string {
	names := make([]string, len(db.m.Tables))
	for i, t := range db.m.Tables {
		names[i] = t.Name
	}
	return names
}

// Schema returns the Arrow schema of a table.
func (db *DB) Schema(name string) (*arrow.Schema, error) {
	t, err := db.table("schema", name)
	if err != nil {
		return nil, err
	}
	return t.schema, nil
}

func (db *DB) table(op, name string) (*table, error) {
	t, ok := db.tables[name]
	if !ok {
		return nil, &Error{Op: op, Path: db.path, Table: name, Err: ErrNoTable,
			Hint: "tables: " + strings.Join(db.Tables(), ", ")}
	}
	return t, nil
}

// ReadTable returns a reader over every row of a table, in file order, as
// record batches of up to batchRows rows (0 means 64 Ki). Only the named
// columns are decoded (nil means all). The reader is for one goroutine; the
// caller releases it, before closing db.
func (db *DB) ReadTable(ctx context.Context, name string, columns []string, batchRows int64) (array.RecordReader, error) {
	db.mu.RLock()
	defer db.mu.RUnlock()
	if db.closed {
		return nil, &Error{Op: "read table", Path: db.path, Table: name, Err: ErrClosed}
	}
	t, err := db.table("read table", name)
	if err != nil {
		return nil, err
	}
	cols, err := t.leaves(columns)
	if err != nil {
		return nil, &Error{Op: "read table", Path: db.path, Table: name, Err: err}
	}
	if batchRows <= 0 {
		batchRows = 64 * 1024
	}
	pr, err := file.NewParquetReader(io.NewSectionReader(t.f, 0, t.size), file.WithMetadata(t.footer))
	if err != nil {
		return nil, &Error{Op: "read table", Path: t.path, Table: name, Err: err}
	}
	fr, err := pqarrow.NewFileReader(pr, pqarrow.ArrowReadProperties{BatchSize: batchRows, Parallel: false}, db.opts.Mem)
	if err != nil {
		return nil, &Error{Op: "read table", Path: t.path, Table: name, Err: err}
	}
	rr, err := fr.GetRecordReader(ctx, cols, nil)
	if err != nil {
		return nil, &Error{Op: "read table", Path: t.path, Table: name, Err: err}
	}
	if t.fix != nil {
		return newRestoringReader(rr, t.schema, t.fix, db.opts.Mem), nil
	}
	return rr, nil
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
