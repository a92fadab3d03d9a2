package snapshot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/zeebo/blake3"

	"github.com/snapdb/snapdb/manifest"
)

// Producer and ProducerVersion are recorded in manifests written by this
// package unless CreateOptions overrides them.
const (
	Producer        = "snapdb"
	ProducerVersion = "0.1.0"
)

// Compression codecs for CreateOptions.Compression.
const (
	CompressionZstd   = "zstd"
	CompressionSnappy = "snappy"
	CompressionNone   = "none"
)

// DefaultRowGroupRows is the default number of rows per Parquet row group:
// small enough that statistics prune well, large enough to compress well.
const DefaultRowGroupRows = 128 * 1024

// CreateOptions configures Create. A nil *CreateOptions means defaults.
type CreateOptions struct {
	// Compression is "zstd" (default), "snappy" or "none".
	Compression string
	// CompressionLevel is the codec's level; 0 means the codec's default.
	CompressionLevel int
	// RowGroupRows is the maximum number of rows per row group; 0 means
	// DefaultRowGroupRows.
	RowGroupRows int64
	// Overwrite allows replacing an existing snapshot at the path. The old
	// snapshot stays complete and valid until the new one commits.
	Overwrite bool

	// Versions and provenance recorded in the manifest.
	SnapshotVersion string // default: today's date, UTC
	SchemaVersion   string
	SchemaRevision  string
	Producer        string // default Producer
	ProducerVersion string // default ProducerVersion
	Source          manifest.Source
	// ChunkSize is recorded in the manifest (the exporter's read chunk).
	ChunkSize int64
	// EncodeWorkers is the number of goroutines that encode and compress
	// the columns of one table at the same time; 0 means GOMAXPROCS, 1
	// one column after another. Tables with a nested column (struct, list,
	// map) are always encoded one column after another. The files written
	// are the same whatever the number.
	EncodeWorkers int

	// Mem allocates Arrow buffers; nil means memory.DefaultAllocator.
	Mem memory.Allocator
}

func (o *CreateOptions) codec() (compress.Compression, error) {
	switch o.Compression {
	case "", CompressionZstd:
		return compress.Codecs.Zstd, nil
	case CompressionSnappy:
		return compress.Codecs.Snappy, nil
	case CompressionNone, "uncompressed":
		return compress.Codecs.Uncompressed, nil
	}
	return 0, fmt.Errorf("unknown compression %q (want zstd, snappy or none)", o.Compression)
}

// Writer writes a new snapshot. Tables are written into a private temporary
// directory next to the target; Commit makes them visible at once. Several
// goroutines may call WriteTable at the same time for different tables.
type Writer struct {
	path  string   // the target
	st    *staging // where the tables are written until Commit
	opts  CreateOptions
	codec compress.Compression
	start time.Time

	mu      sync.Mutex
	tables  map[string]manifest.Table
	writing map[string]bool
	err     error // the first failure; the writer is then aborted
	done    bool  // committed or aborted
}

// Create starts writing a snapshot directory at path. Nothing is visible at
// path until Commit returns; a target that is not empty is refused unless
// opts.Overwrite is set, and only a snapshot (a directory with
// manifest.json) is ever overwritten.
func Create(path string, opts *CreateOptions) (*Writer, error) {
	var o CreateOptions
	if opts != nil {
		o = *opts
	}
	codec, err := o.codec()
	if err != nil {
		return nil, &Error{Op: "create", Path: path, Err: err}
	}
	if o.RowGroupRows <= 0 {
		o.RowGroupRows = DefaultRowGroupRows
	}
	if o.Mem == nil {
		o.Mem = memory.DefaultAllocator
	}
	if o.Producer == "" {
		o.Producer, o.ProducerVersion = Producer, ProducerVersion
	}
	if o.SnapshotVersion == "" {
		o.SnapshotVersion = time.Now().UTC().Format("2006-01-02")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, &Error{Op: "create", Path: path, Err: err}
	}
	st, err := newStaging(abs, o.Overwrite)
	if err != nil {
		return nil, &Error{Op: "create", Path: abs, Err: err}
	}
	return &Writer{
		path:    abs,
		st:      st,
		opts:    o,
		codec:   codec,
		start:   time.Now(),
		tables:  map[string]manifest.Table{},
		writing: map[string]bool{},
	}, nil
}

// checkTarget refuses a target that exists and is not empty, unless
// overwrite is set and the target is a snapshot. Its errors wrap ErrExists
// (or the I/O error) and say what to do; callers add the operation.
func checkTarget(path string, overwrite bool) error {
	fi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		if _, err := os.Stat(filepath.Dir(path)); err != nil {
			return fmt.Errorf("%w (the parent directory must exist)", err)
		}
		return nil
	}
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%w: it is a file", ErrExists)
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return nil
	}
	if !overwrite {
		return fmt.Errorf("%w and is not empty (choose another path, or overwrite: Overwrite, --overwrite)", ErrExists)
	}
	if _, err := os.Stat(filepath.Join(path, manifest.FileName)); err != nil {
		return fmt.Errorf("%w: refusing to overwrite a directory that is not a snapshot (no %s)", ErrExists, manifest.FileName)
	}
	return nil
}

// Path is the target path of the snapshot being written.
func (w *Writer) Path() string { return w.path }

// WriteTable streams every batch of rdr into the table's Parquet file,
// hashing the bytes as they are written. The first batch chooses each
// column's encoding: sorted or clustered integer, date and timestamp
// columns are written DELTA_BINARY_PACKED, strings that are mostly
// distinct without a dictionary (see encodings.go); any Parquet reader
// reads the result. The table's schema is rdr's. On
// any error (including ctx being cancelled) the whole writer is aborted:
// nothing is committed. WriteTable does not release rdr.
func (w *Writer) WriteTable(ctx context.Context, name string, rdr array.RecordReader) error {
	if err := manifest.CheckTableName(name); err != nil {
		return &Error{Op: "write table", Path: w.path, Table: name, Err: err}
	}
	w.mu.Lock()
	switch {
	case w.err != nil:
		w.mu.Unlock()
		return &Error{Op: "write table", Path: w.path, Table: name, Err: fmt.Errorf("writer already failed: %w", w.err)}
	case w.done:
		w.mu.Unlock()
		return &Error{Op: "write table", Path: w.path, Table: name, Err: ErrClosed}
	case w.writing[name]:
		w.mu.Unlock()
		return &Error{Op: "write table", Path: w.path, Table: name, Err: errors.New("table written twice")}
	}
	w.writing[name] = true
	w.mu.Unlock()

	t, err := w.writeTable(ctx, name, rdr)
	if err != nil {
		err = &Error{Op: "write table", Path: w.path, Table: name, Err: err}
		w.fail(err)
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done || w.err != nil {
		return &Error{Op: "write table", Path: w.path, Table: name, Err: ErrClosed}
	}
	w.tables[name] = t
	return nil
}

func (w *Writer) writeTable(ctx context.Context, name string, rdr array.RecordReader) (manifest.Table, error) {
	fileName := name + ".parquet"
	if err := manifest.CheckFileName(fileName); err != nil {
		return manifest.Table{}, err
	}
	f, err := os.OpenFile(w.st.path(fileName), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return manifest.Table{}, err
	}
	defer f.Close()

	hw := newHashingWriter(f)
	defer hw.stop()
	schema := rdr.Schema()
	// The Parquet writer starts with the first batch, whose values choose
	// the columns' encodings (see planEncodings).
	var tw tableWriter
	abort := func() {
		if tw != nil {
			tw.abort()
		}
	}
	start := func(first arrow.RecordBatch) error {
		props := w.writerProps(schema, planEncodings(schema, first))
		arrprops := pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema(), pqarrow.WithAllocator(w.opts.Mem))
		var err error
		if flatColumns(schema) {
			tw, err = newColumnsWriter(schema, hw, props, arrprops, w.opts.EncodeWorkers)
		} else {
			tw, err = newArrowWriter(schema, hw, props, arrprops)
		}
		if err != nil {
			return fmt.Errorf("parquet writer: %w", err)
		}
		return nil
	}
	var rows int64
	nans := newNaNTracker(schema)
	for rdr.Next() {
		if err := ctx.Err(); err != nil {
			abort()
			return manifest.Table{}, err
		}
		rec := rdr.RecordBatch()
		if err := checkNulls(schema, rec, rows); err != nil {
			abort()
			return manifest.Table{}, err
		}
		nans.add(rec)
		if tw == nil {
			if err := start(rec); err != nil {
				return manifest.Table{}, err
			}
		}
		if err := tw.write(rec); err != nil {
			tw.abort()
			return manifest.Table{}, fmt.Errorf("at row %d: %w", rows, err)
		}
		rows += rec.NumRows()
	}
	if err := rdr.Err(); err != nil {
		abort()
		return manifest.Table{}, fmt.Errorf("reading input at row %d: %w", rows, err)
	}
	if err := ctx.Err(); err != nil {
		abort()
		return manifest.Table{}, err
	}
	if tw == nil {
		if err := start(nil); err != nil {
			return manifest.Table{}, err
		}
	}
	if k, v, ok := nans.keyValue(); ok {
		if err := tw.appendKeyValue(k, v); err != nil {
			tw.abort()
			return manifest.Table{}, fmt.Errorf("parquet writer: %w", err)
		}
	}
	if err := tw.close(); err != nil {
		return manifest.Table{}, fmt.Errorf("close parquet writer: %w", err)
	}
	if err := hw.Flush(); err != nil {
		return manifest.Table{}, err
	}
	if err := f.Sync(); err != nil {
		return manifest.Table{}, fmt.Errorf("fsync: %w", err)
	}
	if err := f.Close(); err != nil {
		return manifest.Table{}, err
	}
	return manifest.Table{
		Name:    name,
		File:    fileName,
		Rows:    rows,
		Bytes:   hw.n,
		SHA256:  hex.EncodeToString(hw.sha.Sum(nil)),
		BLAKE3:  hex.EncodeToString(hw.b3.Sum(nil)),
		Columns: columnsOf(schema),
	}, nil
}

// tableWriter writes one table's Parquet file: columnsWriter, or
// arrowWriter for tables with nested columns.
type tableWriter interface {
	write(arrow.RecordBatch) error
	// appendKeyValue adds a key to the file's key-value metadata.
	appendKeyValue(key, value string) error
	close() error
	abort()
}

// arrowWriter is pqarrow's FileWriter, one column after another.
type arrowWriter struct{ fw *pqarrow.FileWriter }

func newArrowWriter(schema *arrow.Schema, sink io.Writer, props *parquet.WriterProperties, arrprops pqarrow.ArrowWriterProperties) (*arrowWriter, error) {
	fw, err := pqarrow.NewFileWriter(schema, sink, props, arrprops)
	if err != nil {
		return nil, err
	}
	return &arrowWriter{fw: fw}, nil
}

func (a *arrowWriter) write(rec arrow.RecordBatch) error { return a.fw.WriteBuffered(rec) }
func (a *arrowWriter) appendKeyValue(k, v string) error  { return a.fw.AppendKeyValueMetadata(k, v) }
func (a *arrowWriter) close() error                      { return a.fw.Close() }
func (a *arrowWriter) abort()                            { a.fw.Close() }

// writerProps: the chosen codec, statistics and page indexes on,
// DELTA_BINARY_PACKED for the columns plan says, and dictionary encoding
// only for string and binary columns plan does not rule out, where the
// writer's cost check drops it again unless it makes the column smaller
// (so only low-cardinality strings keep a dictionary).
func (w *Writer) writerProps(schema *arrow.Schema, plan encodingPlan) *parquet.WriterProperties {
	props := []parquet.WriterProperty{
		parquet.WithAllocator(w.opts.Mem),
		parquet.WithCompression(w.codec),
		parquet.WithMaxRowGroupLength(w.opts.RowGroupRows),
		parquet.WithStats(true),
		parquet.WithPageIndexEnabled(true),
		parquet.WithDictionaryDefault(false),
		parquet.WithCreatedBy(w.opts.Producer + " version " + w.opts.ProducerVersion),
	}
	if w.opts.CompressionLevel != 0 {
		props = append(props, parquet.WithCompressionLevel(w.opts.CompressionLevel))
	}
	for _, f := range schema.Fields() {
		if plan.delta[f.Name] {
			props = append(props, parquet.WithEncodingFor(f.Name, parquet.Encodings.DeltaBinaryPacked))
		}
		switch f.Type.ID() {
		case arrow.STRING, arrow.LARGE_STRING, arrow.BINARY, arrow.LARGE_BINARY:
			if plan.noDict[f.Name] {
				continue
			}
			props = append(props,
				parquet.WithDictionaryFor(f.Name, true),
				parquet.WithDictionaryCostFallbackFor(f.Name, true))
		}
	}
	return parquet.NewWriterProperties(props...)
}

// checkNulls refuses a null in a column declared non-nullable: Parquet
// would store it as a zero value, silently.
func checkNulls(schema *arrow.Schema, rec arrow.RecordBatch, base int64) error {
	for i, f := range schema.Fields() {
		col := rec.Column(i)
		if f.Nullable || col.NullN() == 0 {
			continue
		}
		for j := 0; j < col.Len(); j++ {
			if col.IsNull(j) {
				return fmt.Errorf("column %q is not nullable but row %d is null", f.Name, base+int64(j))
			}
		}
	}
	return nil
}

func columnsOf(schema *arrow.Schema) []manifest.Column {
	cols := make([]manifest.Column, len(schema.Fields()))
	for i, f := range schema.Fields() {
		cols[i] = manifest.Column{Name: f.Name, Type: f.Type.String(), Nullable: f.Nullable}
	}
	return cols
}

// Commit makes the snapshot visible at its path: it writes the manifest
// last (temporary file, fsync, rename, directory fsync) and then moves the
// complete directory into place in one rename (or an atomic exchange with
// the snapshot it overwrites). A crash at any moment leaves at the path
// either what was there before or the complete new snapshot.
func (w *Writer) Commit() (SnapshotMeta, error) {
	w.mu.Lock()
	if w.err != nil {
		err := w.err
		w.mu.Unlock()
		return SnapshotMeta{}, &Error{Op: "commit", Path: w.path, Err: fmt.Errorf("a table failed: %w", err)}
	}
	if w.done {
		w.mu.Unlock()
		return SnapshotMeta{}, &Error{Op: "commit", Path: w.path, Err: ErrClosed}
	}
	if len(w.writing) != len(w.tables) {
		w.mu.Unlock()
		return SnapshotMeta{}, &Error{Op: "commit", Path: w.path, Err: errors.New("a table is still being written")}
	}
	w.done = true
	w.mu.Unlock()

	meta, err := w.commit()
	if err != nil {
		w.st.abort()
		return SnapshotMeta{}, &Error{Op: "commit", Path: w.path, Err: err}
	}
	return meta, nil
}

func (w *Writer) commit() (SnapshotMeta, error) {
	m := &manifest.Manifest{
		Dialect:         manifest.DialectSnapDB,
		FormatVersion:   manifest.FormatVersion,
		SnapshotVersion: w.opts.SnapshotVersion,
		SchemaVersion:   w.opts.SchemaVersion,
		SchemaRevision:  w.opts.SchemaRevision,
		Producer:        w.opts.Producer,
		ProducerVersion: w.opts.ProducerVersion,
		ExportedAt:      w.start.UTC(),
		DurationSeconds: time.Since(w.start).Seconds(),
		Source:          w.opts.Source,
		Compression:     codecName(w.codec),
		ChunkSize:       w.opts.ChunkSize,
	}
	for _, t := range w.tables {
		m.Tables = append(m.Tables, t)
	}
	sort.Slice(m.Tables, func(i, j int) bool { return m.Tables[i].Name < m.Tables[j].Name })
	data, err := m.Marshal()
	if err != nil {
		return SnapshotMeta{}, err
	}
	root, err := m.RootHash()
	if err != nil {
		return SnapshotMeta{}, err
	}
	if err := w.st.commit(data); err != nil {
		return SnapshotMeta{}, err
	}
	return metaOf(m, root, w.path, time.Since(w.start)), nil
}

func codecName(c compress.Compression) string {
	switch c {
	case compress.Codecs.Zstd:
		return CompressionZstd
	case compress.Codecs.Snappy:
		return CompressionSnappy
	}
	return CompressionNone
}

// Abort discards everything written so far. It is safe to call after
// Commit (it then does nothing) and more than once.
func (w *Writer) Abort() error {
	w.mu.Lock()
	if w.done {
		w.mu.Unlock()
		return nil
	}
	w.done = true
	w.mu.Unlock()
	return w.st.abort()
}

// fail records the first error and discards the staging directory: a
// failed writer leaves nothing behind, whether or not Abort is called.
func (w *Writer) fail(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil {
		w.err = err
	}
	if !w.done {
		w.done = true
		w.st.abort()
	}
}

// hashingWriter buffers writes to a file and hashes every byte on its way
// out, so no second read is needed. The hashing and the file writes run in
// a goroutine of their own, a 1 MB buffer behind the encoder that fills
// the next one: on a busy table they are off its path. Flush waits for
// them; stop ends the goroutine (after Flush, or on failure).
type hashingWriter struct {
	f    io.Writer
	sha  hash.Hash
	b3   *blake3.Hasher
	n    int64
	cur  []byte
	full chan []byte // filled buffers, to the goroutine
	free chan []byte // written buffers, back
	done chan struct{}
	err  error // the goroutine's first error, read once done is closed
	errc chan error
	once sync.Once
}

const hashBufferSize = 1 << 20

func newHashingWriter(f io.Writer) *hashingWriter {
	hw := &hashingWriter{
		f:    f,
		sha:  sha256.New(),
		b3:   blake3.New(),
		cur:  make([]byte, 0, hashBufferSize),
		full: make(chan []byte, 1),
		free: make(chan []byte, 1),
		done: make(chan struct{}),
		errc: make(chan error, 1),
	}
	hw.free <- make([]byte, 0, hashBufferSize)
	go hw.run()
	return hw
}

func (h *hashingWriter) run() {
	defer close(h.done)
	var err error
	for b := range h.full {
		if err == nil {
			if _, err = h.f.Write(b); err != nil {
				h.errc <- err
			}
			h.sha.Write(b)
			h.b3.Write(b)
		}
		h.free <- b[:0]
	}
	h.err = err
}

func (h *hashingWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		k := copy(h.cur[len(h.cur):cap(h.cur)], p)
		h.cur = h.cur[:len(h.cur)+k]
		p = p[k:]
		if len(h.cur) == cap(h.cur) {
			if err := h.send(); err != nil {
				return n - len(p), err
			}
		}
	}
	h.n += int64(n)
	return n, nil
}

// send hands the current buffer to the goroutine and takes the other.
func (h *hashingWriter) send() error {
	select {
	case err := <-h.errc:
		h.errc <- err
		return err
	default:
	}
	h.full <- h.cur
	h.cur = <-h.free
	return nil
}

// Flush writes what is buffered and waits until every byte is in the file
// and hashed; the writer is then finished.
func (h *hashingWriter) Flush() error {
	if len(h.cur) > 0 {
		if err := h.send(); err != nil {
			h.stop()
			return err
		}
	}
	h.stop()
	return h.err
}

// stop ends the goroutine and waits for it. It is safe to call more than
// once.
func (h *hashingWriter) stop() {
	h.once.Do(func() { close(h.full) })
	<-h.done
}
