package export

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"golang.org/x/sync/errgroup"

	"github.com/snapdb/snapdb/internal/bufpool"
	"github.com/snapdb/snapdb/manifest"
	"github.com/snapdb/snapdb/snapshot"
)

// DefaultChunkSize is the number of rows read into one Arrow record batch
// when Options.ChunkSize is 0.
const DefaultChunkSize = 50_000

// DefaultZstdLevel is the zstd level an export uses unless told: the
// fastest. Measured on a gene-like table (scripts/bench-export.sh) it
// writes about twice as fast as zstd's default level 3 and keeps pace with
// the server's COPY, for files as small or at most a few percent larger.
const DefaultZstdLevel = 1

// alembicTable is the table Alembic keeps its migration head in. It gives
// the manifest's schema_revision and is not exported unless named.
const alembicTable = "alembic_version"

// Options configures Export. A nil *Options means defaults.
type Options struct {
	// Tables, when not empty, are the only tables exported; Exclude are
	// left out. Names are as the snapshot names them: a PostgreSQL table
	// of schema public by its name, any other as "schema.table" ("public.x"
	// is accepted for "x"). A name the source does not have is an error
	// that lists the tables it has.
	Tables  []string
	Exclude []string
	// ChunkSize is the number of rows per record batch (0 means
	// DefaultChunkSize). Memory grows with it, not with table size.
	ChunkSize int
	// Compression is "zstd" (default), "snappy" or "none";
	// CompressionLevel the codec's level. 0 means DefaultZstdLevel for
	// zstd (the others have no levels); 3 is zstd's own default, higher is
	// smaller and slower.
	Compression      string
	CompressionLevel int
	// Workers is the number of tables read at the same time, each over its
	// own connection inside the same snapshot (0 or 1: one). SQLite always
	// uses one.
	Workers int
	// Overwrite allows replacing a snapshot already at the path.
	Overwrite bool

	// SnapshotVersion (default: today's date, UTC) and SchemaVersion are
	// recorded in the manifest. SchemaRevision, when set, is recorded
	// instead of the head read from an alembic_version table.
	SnapshotVersion string
	SchemaVersion   string
	SchemaRevision  string

	// Source, when its Engine or Database is set, is recorded as the
	// manifest's source instead of the database read; its Extra fields
	// are added either way. It must not hold host names or credentials.
	Source manifest.Source

	// Progress, if set, is called as each table is read: about once per
	// chunk, and once more with Done set when the table is written. It is
	// called from several goroutines at once when Workers > 1, and must be
	// quick.
	Progress func(Progress)

	// Mem allocates Arrow buffers; nil means memory.DefaultAllocator for
	// the snapshot writer and, for the batches read, an allocator of the
	// export's own that reuses the buffers of one batch for the next.
	Mem memory.Allocator
}

// Progress is the state of one table's export.
type Progress struct {
	Table string
	Rows  int64 // rows read so far
	// Estimate is the expected number of rows: PostgreSQL's
	// pg_class.reltuples (from the last ANALYZE or VACUUM), SQLite's
	// count(*); -1 when unknown.
	Estimate int64
	Elapsed  time.Duration // since the table's export began
	Done     bool          // the table is written
}

// RowsPerSecond is the table's read rate so far.
func (p Progress) RowsPerSecond() float64 {
	if p.Elapsed <= 0 {
		return 0
	}
	return float64(p.Rows) / p.Elapsed.Seconds()
}

// ETA estimates the time left from the rate so far and Estimate; ok is
// false when there is no estimate, no rate yet, or the estimate is passed.
func (p Progress) ETA() (d time.Duration, ok bool) {
	rate := p.RowsPerSecond()
	if p.Done || p.Estimate < 0 || rate <= 0 || p.Rows >= p.Estimate {
		return 0, false
	}
	return time.Duration(float64(p.Estimate-p.Rows) / rate * float64(time.Second)), true
}

// Report is the outcome of an export: the snapshot written and what each
// table took. Its JSON form is what `snapdb export --json` prints.
type Report struct {
	Meta           snapshot.SnapshotMeta `json:"meta"`
	Engine         string                `json:"engine"`
	Database       string                `json:"database"`
	SchemaRevision string                `json:"schemaRevision"`
	Workers        int                   `json:"workers"`
	Tables         []TableReport         `json:"tables"`
}

// TableReport describes one exported table.
type TableReport struct {
	Name          string  `json:"name"`   // in the snapshot
	Source        string  `json:"source"` // in the database, schema-qualified for PostgreSQL
	Rows          int64   `json:"rows"`
	Bytes         int64   `json:"bytes"` // of its Parquet file
	Columns       int     `json:"columns"`
	Seconds       float64 `json:"seconds"`
	RowsPerSecond float64 `json:"rowsPerSecond"`
	// TextColumns are the columns whose type has no Arrow mapping, exported
	// as their text form: column name → source type. The manifest records
	// them too (source.text_columns).
	TextColumns map[string]string `json:"textColumns,omitempty"`
}

// table is one table of the source, as listed and then planned.
type table struct {
	name        string // in the snapshot
	qualified   string // in the source
	estimate    int64  // rows, -1 unknown
	size        int64  // bytes on disk, for ordering the work (0 unknown)
	schema      *arrow.Schema
	textColumns map[string]string
	pg          *pgTable
	sq          *sqliteTable
}

// database is a source opened for reading inside one transaction.
type database interface {
	engine() (engine, database string, extra map[string]any)
	// local reports whether the source's reading runs on this machine (a
	// PostgreSQL server over a Unix socket or loopback, SQLite in this
	// process), competing with the export's encoding for the same cores.
	local() bool
	list(ctx context.Context) ([]*table, error)
	revision(ctx context.Context, t *table) (string, error)
	lock(ctx context.Context, tables []*table) error
	plan(ctx context.Context, t *table) error
	conns(ctx context.Context, n int) ([]reader, error)
	close()
}

// reader reads tables over one connection of the snapshot.
type reader interface {
	read(t *table, chunk int, mem memory.Allocator, progress func(rows int64)) produceFunc
}

// Export reads the tables of a live database at one point in time and
// writes them as a snapshot at path. It is ExportReport without the
// per-table figures.
func Export(ctx context.Context, source, path string, opts *Options) (snapshot.SnapshotMeta, error) {
	rep, err := ExportReport(ctx, source, path, opts)
	if err != nil {
		return snapshot.SnapshotMeta{}, err
	}
	return rep.Meta, nil
}

// ExportReport reads the tables of a live database at one point in time
// and writes them as a snapshot at path (see the package documentation),
// and reports what it wrote. On any error, and when ctx is cancelled,
// nothing is left at path (a snapshot already there is untouched) and no
// temporary directory remains.
func ExportReport(ctx context.Context, source, path string, opts *Options) (*Report, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.ChunkSize == 0 {
		o.ChunkSize = DefaultChunkSize
	}
	if o.ChunkSize < 0 {
		return nil, &Error{Op: "export", Err: fmt.Errorf("chunk size %d is negative", o.ChunkSize)}
	}
	if o.Workers < 1 {
		o.Workers = 1
	}
	readMem := o.Mem
	if readMem == nil {
		// A batch's buffers are freed as soon as the snapshot writer has
		// encoded it, and the next batch needs the same again.
		readMem = &bufpool.Pool{}
	}
	if o.CompressionLevel == 0 && (o.Compression == "" || o.Compression == snapshot.CompressionZstd) {
		o.CompressionLevel = DefaultZstdLevel
	}
	src, err := ParseSource(source)
	if err != nil {
		return nil, &Error{Op: "export", Err: err}
	}
	var db database
	switch src.Engine {
	case EnginePostgres:
		db, err = openPostgres(ctx, src)
	default:
		db, err = openSQLite(ctx, src)
	}
	if err != nil {
		return nil, cancelled(ctx, err)
	}
	defer db.close()
	rep, err := run(ctx, db, path, &o, readMem)
	return rep, cancelled(ctx, err)
}

// cancelled makes the error of a cancelled export say so first.
func cancelled(ctx context.Context, err error) error {
	if err == nil || ctx.Err() == nil || errors.Is(err, ctx.Err()) {
		return err
	}
	return &Error{Op: "export", Err: fmt.Errorf("%w (%v)", ctx.Err(), err)}
}

// run exports the tables of db; the batches read are allocated from mem.
func run(ctx context.Context, db database, path string, o *Options, mem memory.Allocator) (*Report, error) {
	all, err := db.list(ctx)
	if err != nil {
		return nil, err
	}
	tables, err := selectTables(all, o.Tables, o.Exclude)
	if err != nil {
		return nil, err
	}
	revision := o.SchemaRevision
	if revision == "" {
		for _, t := range all {
			if t.name == alembicTable {
				if revision, err = db.revision(ctx, t); err != nil {
					return nil, err
				}
			}
		}
	}
	if err := db.lock(ctx, tables); err != nil {
		return nil, err
	}
	for _, t := range tables {
		if err := db.plan(ctx, t); err != nil {
			return nil, err
		}
	}

	engine, dbName, extra := db.engine()
	source, err := sourceFor(engine, dbName, extra, tables, o.Source)
	if err != nil {
		return nil, err
	}
	w, err := snapshot.Create(path, &snapshot.CreateOptions{
		EncodeWorkers:    encodeWorkers(db.local(), min(o.Workers, len(tables)), runtime.GOMAXPROCS(0)),
		Compression:      o.Compression,
		CompressionLevel: o.CompressionLevel,
		Overwrite:        o.Overwrite,
		SnapshotVersion:  o.SnapshotVersion,
		SchemaVersion:    o.SchemaVersion,
		SchemaRevision:   revision,
		Source:           source,
		ChunkSize:        int64(o.ChunkSize),
		Mem:              o.Mem,
	})
	if err != nil {
		return nil, err
	}
	defer w.Abort()

	readers, err := db.conns(ctx, min(o.Workers, len(tables)))
	if err != nil {
		return nil, err
	}
	// Largest first, so that the last table to finish is a small one.
	work := append([]*table(nil), tables...)
	sort.SliceStable(work, func(i, j int) bool { return work[i].size > work[j].size })
	queue := make(chan *table, len(work))
	for _, t := range work {
		queue <- t
	}
	close(queue)

	var mu sync.Mutex
	reports := map[string]*TableReport{}
	g, gctx := errgroup.WithContext(ctx)
	for _, r := range readers {
		g.Go(func() error {
			for t := range queue {
				tr, err := writeOne(gctx, w, r, t, o, mem)
				if err != nil {
					return err
				}
				mu.Lock()
				reports[t.name] = tr
				mu.Unlock()
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	meta, err := w.Commit()
	if err != nil {
		return nil, err
	}
	rep := &Report{Meta: meta, Engine: engine, Database: dbName, SchemaRevision: revision, Workers: len(readers)}
	written := writtenTables(meta.Path)
	for _, t := range tables {
		tr := reports[t.name]
		if m, ok := written[t.name]; ok {
			tr.Rows, tr.Bytes = m.Rows, m.Bytes
		}
		rep.Tables = append(rep.Tables, *tr)
	}
	sort.Slice(rep.Tables, func(i, j int) bool { return rep.Tables[i].Name < rep.Tables[j].Name })
	return rep, nil
}

// encodeWorkers is the number of goroutines that encode a table's
// columns. A source on this machine needs a core per table being read
// (the server's backend, or SQLite in this process), and encoding more
// columns at once than the cores left would only take time from it: on a
// 2-core machine with the server local, one encoder keeps pace with the
// server best. A remote source leaves every core to the encoding.
func encodeWorkers(local bool, readers, procs int) int {
	if !local {
		return procs
	}
	return max(1, procs-readers)
}

// writeOne reads one table through r into the writer.
func writeOne(ctx context.Context, w *snapshot.Writer, r reader, t *table, o *Options, mem memory.Allocator) (*TableReport, error) {
	start := time.Now()
	if e, ok := r.(interface {
		estimate(context.Context, *table) int64
	}); ok {
		t.estimate = e.estimate(ctx, t)
	}
	report := func(rows int64, done bool) {
		if o.Progress != nil {
			o.Progress(Progress{Table: t.name, Rows: rows, Estimate: t.estimate, Elapsed: time.Since(start), Done: done})
		}
	}
	report(0, false)
	var read atomic.Int64
	rdr := newBatchReader(ctx, t.schema, r.read(t, o.ChunkSize, mem, func(rows int64) {
		read.Store(rows)
		report(rows, false)
	}))
	err := w.WriteTable(ctx, t.name, rdr)
	rdr.Release()
	if rerr := rdr.Err(); rerr != nil && !errors.Is(rerr, context.Canceled) {
		return nil, rerr // the cause, without the writer's wrapping
	}
	if err != nil {
		return nil, err
	}
	d := time.Since(start)
	rows := read.Load()
	report(rows, true)
	tr := &TableReport{Name: t.name, Source: t.qualified, Rows: rows, Columns: len(t.schema.Fields()),
		Seconds: d.Seconds(), TextColumns: t.textColumns}
	if d > 0 {
		tr.RowsPerSecond = float64(rows) / d.Seconds()
	}
	return tr, nil
}

// sourceFor builds the manifest's source: engine and database name only,
// plus the server's version and the columns exported as text.
func sourceFor(engine, dbName string, extra map[string]any, tables []*table, override manifest.Source) (manifest.Source, error) {
	src := manifest.Source{Engine: engine, Database: dbName, Extra: map[string]json.RawMessage{}}
	text := map[string]map[string]string{}
	for _, t := range tables {
		if len(t.textColumns) > 0 {
			text[t.name] = t.textColumns
		}
	}
	if len(text) > 0 {
		extra["text_columns"] = text
	}
	for k, v := range extra {
		b, err := json.Marshal(v)
		if err != nil {
			return src, err
		}
		src.Extra[k] = b
	}
	if override.Engine != "" || override.Database != "" {
		src.Engine, src.Database = override.Engine, override.Database
	}
	for k, v := range override.Extra {
		src.Extra[k] = v
	}
	return src, nil
}

// selectTables applies Tables and Exclude to the tables of the source.
func selectTables(all []*table, include, exclude []string) ([]*table, error) {
	byName := map[string]*table{}
	var names []string
	for _, t := range all {
		if _, dup := byName[t.name]; dup {
			return nil, &Error{Op: "select tables", Table: t.name, Err: errors.New("two tables have this name in the snapshot")}
		}
		byName[t.name] = t
		names = append(names, t.name)
	}
	sort.Strings(names)
	find := func(name string) (*table, error) {
		if t, ok := byName[name]; ok {
			return t, nil
		}
		if rest, ok := strings.CutPrefix(name, "public."); ok {
			if t, ok := byName[rest]; ok && t.pg != nil {
				return t, nil
			}
		}
		hint := "the source has no tables"
		if len(names) > 0 {
			hint = "tables: " + strings.Join(names, ", ")
		}
		return nil, &Error{Op: "select tables", Err: fmt.Errorf("%w: %s", ErrUnknownTable, quoteName(name)), Hint: hint}
	}
	chosen := map[*table]bool{}
	if len(include) > 0 {
		for _, n := range include {
			t, err := find(strings.TrimSpace(n))
			if err != nil {
				return nil, err
			}
			chosen[t] = true
		}
	} else {
		for _, t := range all {
			if t.name != alembicTable {
				chosen[t] = true
			}
		}
	}
	for _, n := range exclude {
		t, err := find(strings.TrimSpace(n))
		if err != nil {
			return nil, err
		}
		delete(chosen, t)
	}
	var out []*table
	for _, t := range all {
		if chosen[t] {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		hint := "the source has no tables"
		if len(names) > 0 {
			hint = "tables: " + strings.Join(names, ", ")
		}
		return nil, &Error{Op: "select tables", Err: ErrNoTables, Hint: hint}
	}
	return out, nil
}

// writtenTables reads the committed manifest for each table's rows and
// file size.
func writtenTables(path string) map[string]manifest.Table {
	out := map[string]manifest.Table{}
	f, err := os.Open(filepath.Join(path, manifest.FileName))
	if err != nil {
		return out
	}
	defer f.Close()
	m, err := manifest.Read(f)
	if err != nil {
		return out
	}
	for _, t := range m.Tables {
		out[t.Name] = t
	}
	return out
}
