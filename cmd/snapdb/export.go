package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/snapdb/snapdb/export"
	"github.com/snapdb/snapdb/snapshot"
)

type exportFlags struct {
	from, output    string
	tables, exclude []string
	chunkSize       int
	compression     string
	level           int
	snapshotVersion string
	schemaVersion   string
	schemaRevision  string
	workers         int
	overwrite       bool
}

func newExportCmd(a *app) *cobra.Command {
	var f exportFlags
	cmd := &cobra.Command{
		Use:   "export --from <dsn> --output <dir> [flags]",
		Short: "Export a live PostgreSQL or SQLite database as a snapshot",
		Long: `export reads every table of a live database at one point in time (one
read-only, repeatable-read transaction, shared by all --workers connections)
and writes them as a snapshot directory at --output, streaming chunk by chunk
into Parquet. Writers to the database are never blocked.

--from is one of:
  postgres://user[:password]@host[:port]/database[?sslmode=…]  (or postgresql://)
  sqlite:///absolute/path.db, sqlite:relative/path.db, or a path ending in
  .db, .sqlite or .sqlite3

PostgreSQL tables of schema public are named by their name, others as
schema.table. A table alembic_version gives the schema revision and is not
exported unless named in --tables. The manifest records the engine and the
database name, never the host, user or password. docs/export.md lists how
each column type is stored.

Progress (rows, rows/s, ETA) goes to stderr on a terminal. Ctrl-C stops the
export and leaves nothing at --output. With --json it prints
{"meta": SnapshotMeta, "engine", "database", "schemaRevision", "workers",
"tables": [{"name", "source", "rows", "bytes", "columns", "seconds",
"rowsPerSecond", "textColumns"}]}.`,
		Args: exactArgs(0),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			if err := f.check(); err != nil {
				return err
			}
			return a.export(cmd, f)
		}),
	}
	fl := cmd.Flags()
	fl.StringVar(&f.from, "from", "", "the database to export (required; see above)")
	fl.StringVarP(&f.output, "output", "o", "", "the snapshot directory to write (required)")
	fl.StringSliceVar(&f.tables, "tables", nil, "export only these tables (comma-separated)")
	fl.StringSliceVar(&f.exclude, "exclude", nil, "leave these tables out (comma-separated)")
	fl.IntVar(&f.chunkSize, "chunksize", export.DefaultChunkSize, "rows read per batch (memory grows with it)")
	fl.StringVar(&f.compression, "compression", snapshot.CompressionZstd, "zstd, snappy or none")
	fl.IntVar(&f.level, "compression-level", 0, "the codec's level (0: zstd level 1, the fastest; 3 is zstd's default, higher is smaller and slower)")
	fl.StringVar(&f.snapshotVersion, "snapshot-version", "", "the snapshot's version label (default: today's date, UTC)")
	fl.StringVar(&f.schemaVersion, "schema-version", "", "the schema's version label (e.g. semver)")
	fl.StringVar(&f.schemaRevision, "schema-revision", "", "the schema's migration head (default: read from alembic_version)")
	fl.IntVar(&f.workers, "workers", 1, "tables read at the same time, one connection each (PostgreSQL)")
	fl.BoolVar(&f.overwrite, "overwrite", false, "replace a snapshot already at --output")
	return cmd
}

func (f *exportFlags) check() error {
	switch {
	case f.from == "":
		return usagef("--from is required (a postgres:// URL or a SQLite file)")
	case f.output == "":
		return usagef("--output is required (the snapshot directory to write)")
	case f.chunkSize < 1:
		return usagef("--chunksize must be at least 1, got %d", f.chunkSize)
	case f.workers < 1:
		return usagef("--workers must be at least 1, got %d", f.workers)
	}
	switch f.compression {
	case snapshot.CompressionZstd, snapshot.CompressionSnappy, snapshot.CompressionNone:
	default:
		return usagef("--compression must be zstd, snappy or none, got %q", f.compression)
	}
	if _, err := export.ParseSource(f.from); err != nil {
		return &usageError{err}
	}
	return nil
}

func (a *app) export(cmd *cobra.Command, f exportFlags) error {
	pr := a.newExportProgress()
	opts := &export.Options{
		Tables:           f.tables,
		Exclude:          f.exclude,
		ChunkSize:        f.chunkSize,
		Compression:      f.compression,
		CompressionLevel: f.level,
		Workers:          f.workers,
		Overwrite:        f.overwrite,
		SnapshotVersion:  f.snapshotVersion,
		SchemaVersion:    f.schemaVersion,
		SchemaRevision:   f.schemaRevision,
	}
	if pr != nil {
		opts.Progress = pr.update
	}
	rep, err := export.ExportReport(cmd.Context(), f.from, f.output, opts)
	pr.finish()
	if err != nil {
		if errors.Is(err, export.ErrUnknownTable) || errors.Is(err, export.ErrNoTables) || errors.Is(err, export.ErrSource) {
			return &usageError{err}
		}
		return err
	}
	if a.json {
		return writeJSON(a.stdout, rep)
	}
	if a.quiet {
		return nil
	}
	return printExport(a.stdout, rep)
}

// printExport prints the outcome of export: the tables, then the totals.
func printExport(w io.Writer, rep *export.Report) error {
	m := rep.Meta
	source := rep.Engine
	if rep.Database != "" {
		source += ", database " + rep.Database
	}
	fmt.Fprintf(w, "exported %s to %s\n\n", source, m.Path)
	rows := make([][]string, len(rep.Tables))
	var text []string
	for i, t := range rep.Tables {
		rows[i] = []string{t.Name, formatCount(t.Rows), formatBytes(t.Bytes), fmt.Sprint(t.Columns),
			formatDuration(time.Duration(t.Seconds * float64(time.Second))), formatCount(int64(t.RowsPerSecond))}
		for col, typ := range t.TextColumns {
			text = append(text, fmt.Sprintf("%s.%s (%s)", t.Name, col, typ))
		}
	}
	if err := printTable(w, []string{"TABLE", "ROWS", "BYTES", "COLUMNS", "TIME", "ROWS/S"}, "lrrrrr", rows); err != nil {
		return err
	}
	fmt.Fprintln(w)
	kv := [][2]string{
		{"tables", fmt.Sprint(m.Tables)},
		{"rows", formatCount(m.Rows)},
		{"bytes", fmt.Sprintf("%s (%s)", formatCount(m.Bytes), formatBytes(m.Bytes))},
		{"snapshot version", m.SnapshotVersion},
		{"schema revision", orDash(rep.SchemaRevision)},
		{"root hash", m.RootHash},
		{"time", fmt.Sprintf("%s (%s rows/s, %s, %d workers)", formatDuration(m.Duration),
			formatCount(perSecond(m.Rows, m.Duration)), throughput(m.Bytes, m.Duration), rep.Workers)},
	}
	if len(text) > 0 {
		sort.Strings(text)
		kv = append(kv, [2]string{"as text", strings.Join(text, ", ")})
	}
	return printKV(w, kv)
}

// exportProgress draws one status line on stderr for the tables being
// read (rows, rows/s, ETA), and a line for each table when it is written.
// A nil *exportProgress does nothing.
type exportProgress struct {
	w      io.Writer
	width  int
	mu     sync.Mutex
	active map[string]export.Progress
	last   time.Time
	drawn  bool
}

// newExportProgress returns the progress display, or nil when progress
// output is off (not a terminal, --json or --quiet).
func (a *app) newExportProgress() *exportProgress {
	if !a.progress() {
		return nil
	}
	width := 100
	if f, ok := a.stderr.(*os.File); ok {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 20 {
			width = w
		}
	}
	return &exportProgress{w: a.stderr, width: width, active: map[string]export.Progress{}}
}

// update is the export.ProgressFunc: quick, and safe from several
// goroutines.
func (p *exportProgress) update(e export.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e.Done {
		delete(p.active, e.Table)
		p.clear()
		fmt.Fprintf(p.w, "exported %-20s %12s rows in %s (%s rows/s)\n", e.Table, formatCount(e.Rows),
			formatDuration(e.Elapsed), formatCount(int64(e.RowsPerSecond())))
		p.draw()
		return
	}
	p.active[e.Table] = e
	if time.Since(p.last) >= 100*time.Millisecond {
		p.draw()
	}
}

func (p *exportProgress) clear() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
		p.drawn = false
	}
}

func (p *exportProgress) draw() {
	p.last = time.Now()
	if len(p.active) == 0 {
		p.clear()
		return
	}
	names := make([]string, 0, len(p.active))
	for n := range p.active {
		names = append(names, n)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, n := range names {
		e := p.active[n]
		s := fmt.Sprintf("%s %s", n, compactCount(e.Rows))
		if e.Estimate >= 0 {
			s += "/" + compactCount(e.Estimate)
		}
		s += fmt.Sprintf(" rows %s/s", compactCount(int64(e.RowsPerSecond())))
		if eta, ok := e.ETA(); ok {
			s += " ETA " + eta.Round(time.Second).String()
		}
		parts[i] = s
	}
	line := strings.Join(parts, " | ")
	if r := []rune(line); len(r) > p.width-1 {
		line = string(r[:p.width-2]) + "…"
	}
	fmt.Fprint(p.w, "\r\033[K"+line)
	p.drawn = true
}

// finish clears the status line.
func (p *exportProgress) finish() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
}

// compactCount writes a count briefly: 950, 12.3k, 4.5M.
func compactCount(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprint(n)
	case n < 1_000_000:
		return fmt.Sprintf("%.1fk", float64(n)/1e3)
	case n < 1_000_000_000:
		return fmt.Sprintf("%.1fM", float64(n)/1e6)
	}
	return fmt.Sprintf("%.1fG", float64(n)/1e9)
}
