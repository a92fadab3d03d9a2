package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/spf13/cobra"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver

	"github.com/snapdb/snapdb/export"
	"github.com/snapdb/snapdb/internal/demo"
	"github.com/snapdb/snapdb/internal/rowjson"
	"github.com/snapdb/snapdb/manifest"
	"github.com/snapdb/snapdb/nlp"
	"github.com/snapdb/snapdb/snapshot"
)

// demoEngine marks, in a manifest's source, a snapshot made by snapdb demo:
// only such a snapshot is ever overwritten by it.
const demoEngine = "snapdb-demo"

// demoResult is the --json output of demo.
type demoResult struct {
	Meta        snapshot.SnapshotMeta `json:"meta"`
	Info        snapshot.Info         `json:"info"`
	Verify      snapshot.VerifyReport `json:"verify"`
	Kept        bool                  `json:"kept"`
	OpenSeconds float64               `json:"openSeconds"`
	// The SQLite build and the export from it; absent with --keep.
	BuildSeconds float64        `json:"buildSeconds,omitempty"`
	Export       *export.Report `json:"export,omitempty"`
	// The alias automaton built into the snapshot (absent with --keep),
	// and a paragraph matched against it.
	NLP      *snapshot.NLPBuild `json:"nlp,omitempty"`
	Text     string             `json:"text"`
	Mentions []nlp.Mention      `json:"mentions"`
	// A few SQL queries run against the snapshot.
	Queries []demoQuery `json:"queries"`
}

// demoQuery is one query demo runs, with its result.
type demoQuery struct {
	Title   string   `json:"title"`
	SQL     string   `json:"sql"`
	Columns []string `json:"columns"`
	Rows    [][]any  `json:"rows"`
	Seconds float64  `json:"seconds"`
}

// demoQueries are run by demo: a group-by, joins, a left join.
var demoQueries = []struct{ title, sql string }{
	{"genes per chromosome", `SELECT chrom, count(*) AS genes, max("end" - start) AS longest, avg(score) AS mean_score
FROM genes GROUP BY chrom ORDER BY genes DESC, chrom LIMIT 5`},
	{"diseases with the most exposure records", `SELECT d.name AS disease, count(*) AS records, count(DISTINCT x.chemical_id) AS chemicals
FROM exposures x JOIN diseases d ON x.disease_id = d.entity_id
GROUP BY d.name ORDER BY records DESC, disease LIMIT 5`},
	{"heavy chemicals and how often they were observed", `SELECT c.name, c.formula, count(x.id) AS records
FROM chemicals c LEFT JOIN exposures x ON x.chemical_id = c.entity_id
WHERE c.molecular_weight > 600 GROUP BY c.name, c.formula ORDER BY records DESC, c.name LIMIT 5`},
}

// runDemoQueries runs demoQueries against db.
func runDemoQueries(ctx context.Context, db *snapshot.DB) ([]demoQuery, error) {
	var out []demoQuery
	for _, q := range demoQueries {
		start := time.Now()
		rr, err := db.Query(ctx, q.sql)
		if err != nil {
			return nil, fmt.Errorf("demo query %q: %w", q.title, err)
		}
		dq := demoQuery{Title: q.title, SQL: q.sql, Rows: [][]any{}}
		for _, f := range rr.Schema().Fields() {
			dq.Columns = append(dq.Columns, f.Name)
		}
		for rr.Next() {
			rec := rr.RecordBatch()
			for r := 0; r < int(rec.NumRows()); r++ {
				row := make([]any, rec.NumCols())
				for c := range row {
					row[c] = rowjson.Value(rec.Column(c), r)
				}
				dq.Rows = append(dq.Rows, row)
			}
		}
		err = rr.Err()
		rr.Release()
		if err != nil {
			return nil, fmt.Errorf("demo query %q: %w", q.title, err)
		}
		dq.Seconds = time.Since(start).Seconds()
		out = append(out, dq)
	}
	return out, nil
}

// printDemoQueries prints each query and its rows.
func printDemoQueries(w io.Writer, path string, qs []demoQuery) error {
	for _, q := range qs {
		fmt.Fprintf(w, "\n%s (%s; snapdb query %s \"…\"):\n\n", q.Title, formatDuration(time.Duration(q.Seconds*float64(time.Second))), path)
		for _, l := range strings.Split(q.SQL, "\n") {
			fmt.Fprintf(w, "  %s\n", l)
		}
		fmt.Fprintln(w)
		rows := make([][]string, len(q.Rows))
		align := strings.Repeat("l", len(q.Columns))
		for i, r := range q.Rows {
			rows[i] = make([]string, len(r))
			for c, v := range r {
				switch v := v.(type) {
				case nil:
					rows[i][c] = "NULL"
				case json.Number:
					f, _ := v.Float64()
					rows[i][c] = strconv.FormatFloat(f, 'f', 2, 64)
					align = align[:c] + "r" + align[c+1:]
				case string:
					rows[i][c] = v
				default:
					rows[i][c] = fmt.Sprint(v)
					align = align[:c] + "r" + align[c+1:]
				}
			}
		}
		if err := printTable(w, q.Columns, align, rows); err != nil {
			return err
		}
	}
	return nil
}

type demoFlags struct {
	dir   string
	scale float64
	seed  uint64
	keep  bool
}

func newDemoCmd(a *app) *cobra.Command {
	var f demoFlags
	cmd := &cobra.Command{
		Use:   "demo [--dir D] [--scale F] [--seed N] [--keep]",
		Short: "Build, open and verify a snapshot of synthetic demo data",
		Long: `demo generates a synthetic dataset (entity types, genes, chemicals,
diseases, exposures and about 350,000 entity aliases at scale 1), loads it
into a temporary SQLite database, exports that as a snapshot into --dir
(as 'snapdb export' would), opens it, verifies it, and prints its tables,
totals, root hash, the build, export and open times.

An existing snapshot made by demo at --dir is overwritten (atomically: the
old one stays whole until the new one commits), or with --keep reused as is
when it was made with the same --seed and --scale. Any other non-empty
directory is refused.

With --json it prints {"meta": SnapshotMeta, "info": Info, "verify":
VerifyReport, "kept": bool, "openSeconds": N, "buildSeconds": N, "export":
the export's report (as 'snapdb export --json' prints it)}.`,
		Args: exactArgs(0),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			if !(f.scale > 0) {
				return usagef("--scale must be more than 0, got %g", f.scale)
			}
			return a.demo(cmd, f)
		}),
	}
	cmd.Flags().StringVar(&f.dir, "dir", "demo-snapshot", "the snapshot directory to write")
	cmd.Flags().Float64Var(&f.scale, "scale", 1, "size of the dataset relative to the default")
	cmd.Flags().Uint64Var(&f.seed, "seed", demo.DefaultSeed, "random seed: the same seed and scale give the same data")
	cmd.Flags().BoolVar(&f.keep, "keep", false, "reuse an existing demo snapshot made with the same --seed and --scale instead of rebuilding it")
	return cmd
}

func (a *app) demo(cmd *cobra.Command, f demoFlags) error {
	ctx := cmd.Context()
	dir, err := filepath.Abs(f.dir)
	if err != nil {
		return err
	}
	existing, err := demoTarget(dir)
	if err != nil {
		return err
	}
	res := demoResult{}
	var writeTime time.Duration
	if f.keep && existing != nil && existing.seed == f.seed && existing.scale == f.scale {
		res.Kept = true
		if a.progress() {
			fmt.Fprintf(a.stderr, "keeping the demo snapshot at %s\n", dir)
		}
	} else {
		rep, build, err := a.writeDemo(cmd, dir, f, existing != nil)
		if err != nil {
			return err
		}
		writeTime = rep.Meta.Duration
		res.Meta = rep.Meta
		res.Export = rep
		res.BuildSeconds = build.Seconds()
		if a.progress() {
			fmt.Fprintln(a.stderr, "building the alias automaton…")
		}
		nb, err := snapshot.BuildNLP(ctx, dir, nil)
		if err != nil {
			return err
		}
		res.NLP = &nb
		res.Meta = nb.Meta
	}

	pb := a.newProgress("verify")
	db, err := snapshot.Open(dir, &snapshot.Options{Progress: pb.callback()})
	if err != nil {
		return err
	}
	defer db.Close()
	opened := db.Meta()
	if res.Kept {
		res.Meta = opened
	}
	res.OpenSeconds = opened.Duration.Seconds()
	res.Info = db.Info()
	res.Verify, err = db.Verify(ctx)
	pb.done()
	if err != nil {
		if errors.Is(err, snapshot.ErrIntegrity) && !a.json {
			printVerify(a.stdout, res.Verify, a.quiet)
		}
		return withExtra(err, "verify", res.Verify)
	}
	res.Text = demo.SampleText(&demo.Options{Seed: f.seed, Scale: f.scale}, 400)
	if res.Mentions, err = db.Match(res.Text); err != nil {
		return err
	}
	if res.Queries, err = runDemoQueries(ctx, db); err != nil {
		return err
	}
	if a.json {
		return writeJSON(a.stdout, res)
	}
	if a.quiet {
		return nil
	}
	return printDemo(a.stdout, res, f, writeTime, opened.Duration)
}

// demoSnapshot is what demoTarget found: a snapshot made by demo.
type demoSnapshot struct {
	seed  uint64
	scale float64
}

// demoTarget checks that dir may receive the demo: it does not exist, is
// empty, or holds a snapshot made by demo (returned, to be overwritten).
func demoTarget(dir string) (*demoSnapshot, error) {
	fi, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%s is a file, not a directory; choose another --dir", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	if len(entries) == 0 {
		return nil, nil
	}
	mf, err := os.Open(filepath.Join(dir, manifest.FileName))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("refusing to write the demo into %s: the directory is not empty and is not a snapshot (it has no %s); choose another --dir or empty it", dir, manifest.FileName)
	}
	if err != nil {
		return nil, err
	}
	defer mf.Close()
	m, err := manifest.Read(mf)
	if err != nil {
		return nil, fmt.Errorf("refusing to overwrite %s: its %s is unreadable (%v); choose another --dir or remove it", dir, manifest.FileName, err)
	}
	if m.Source.Engine != demoEngine {
		return nil, fmt.Errorf("refusing to overwrite %s: it holds a snapshot that 'snapdb demo' did not make; choose another --dir", dir)
	}
	var d demoSnapshot
	json.Unmarshal(m.Source.Extra["seed"], &d.seed)
	json.Unmarshal(m.Source.Extra["scale"], &d.scale)
	return &d, nil
}

// writeDemo builds the demo tables into a temporary SQLite database and
// exports it into a new snapshot at dir. It returns the export's report
// and the time the SQLite build took.
func (a *app) writeDemo(cmd *cobra.Command, dir string, f demoFlags, overwrite bool) (*export.Report, time.Duration, error) {
	ctx := cmd.Context()
	tmp, err := os.MkdirTemp("", "snapdb-demo-")
	if err != nil {
		return nil, 0, err
	}
	defer os.RemoveAll(tmp)
	dbPath := filepath.Join(tmp, "demo.db")
	start := time.Now()
	tables := demo.Tables(&demo.Options{Seed: f.seed, Scale: f.scale})
	if err := buildDemoSQLite(ctx, dbPath, tables); err != nil {
		return nil, 0, fmt.Errorf("building the demo database: %w", err)
	}
	build := time.Since(start)
	if a.progress() {
		fmt.Fprintf(a.stderr, "built the demo SQLite database (%d tables) in %s\n", len(tables), formatDuration(build))
	}

	seed, _ := json.Marshal(f.seed)
	scale, _ := json.Marshal(f.scale)
	var mu sync.Mutex // serialises the progress lines
	opts := &export.Options{
		Overwrite: overwrite,
		Source: manifest.Source{Engine: demoEngine, Database: "demo",
			Extra: map[string]json.RawMessage{"seed": seed, "scale": scale}},
	}
	if a.progress() {
		opts.Progress = func(p export.Progress) {
			if !p.Done {
				return
			}
			mu.Lock()
			fmt.Fprintf(a.stderr, "wrote %-16s %12s rows in %s\n", p.Table, formatCount(p.Rows), formatDuration(p.Elapsed))
			mu.Unlock()
		}
	}
	rep, err := export.ExportReport(ctx, dbPath, dir, opts)
	if err != nil {
		return nil, 0, err
	}
	return rep, build, nil
}

// buildDemoSQLite writes the demo tables into a new SQLite database at
// path: one table per demo table, declared types that map back to the
// demo's Arrow types (integers become int64), NOT NULL where the demo's
// schema has it.
func buildDemoSQLite(ctx context.Context, path string, tables []demo.Table) error {
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	// A throwaway file: no journal, no syncs.
	if _, err := conn.ExecContext(ctx, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; BEGIN"); err != nil {
		return err
	}
	for _, t := range tables {
		if err := loadDemoTable(ctx, conn, t); err != nil {
			return fmt.Errorf("table %s: %w", t.Name, err)
		}
	}
	_, err = conn.ExecContext(ctx, "COMMIT")
	return err
}

const demoInsertRows = 128 // rows per INSERT statement

func loadDemoTable(ctx context.Context, conn *sql.Conn, t demo.Table) error {
	fields := t.Schema.Fields()
	cols := make([]string, len(fields))
	names := make([]string, len(fields))
	for i, fl := range fields {
		decl := "TEXT"
		switch fl.Type.ID() {
		case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64:
			decl = "INTEGER"
		case arrow.FLOAT32, arrow.FLOAT64:
			decl = "REAL"
		case arrow.DATE32:
			decl = "DATE"
		case arrow.BOOL:
			decl = "BOOLEAN"
		}
		if !fl.Nullable {
			decl += " NOT NULL"
		}
		names[i] = `"` + fl.Name + `"`
		cols[i] = names[i] + " " + decl
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE "`+t.Name+`" (`+strings.Join(cols, ", ")+`)`); err != nil {
		return err
	}
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(fields)), ", ") + ")"
	insert := func(n int) string {
		return `INSERT INTO "` + t.Name + `" (` + strings.Join(names, ", ") + `) VALUES ` +
			strings.TrimSuffix(strings.Repeat(one+", ", n), ", ")
	}
	many, err := conn.PrepareContext(ctx, insert(demoInsertRows))
	if err != nil {
		return err
	}
	defer many.Close()
	rdr := t.Open()
	defer rdr.Release()
	args := make([]any, 0, demoInsertRows*len(fields))
	flush := func(rows int) error {
		if rows == 0 {
			return nil
		}
		var err error
		if rows == demoInsertRows {
			_, err = many.ExecContext(ctx, args...)
		} else {
			_, err = conn.ExecContext(ctx, insert(rows), args...)
		}
		args = args[:0]
		return err
	}
	pending := 0
	for rdr.Next() {
		rec := rdr.RecordBatch()
		for r := 0; r < int(rec.NumRows()); r++ {
			for c := range fields {
				args = append(args, demoValue(rec.Column(c), r))
			}
			if pending++; pending == demoInsertRows {
				if err := flush(pending); err != nil {
					return err
				}
				pending = 0
			}
		}
	}
	if err := rdr.Err(); err != nil {
		return err
	}
	return flush(pending)
}

// demoValue is one Arrow value as a SQLite argument.
func demoValue(a arrow.Array, i int) any {
	if a.IsNull(i) {
		return nil
	}
	switch a := a.(type) {
	case *array.Int8:
		return int64(a.Value(i))
	case *array.Int16:
		return int64(a.Value(i))
	case *array.Int32:
		return int64(a.Value(i))
	case *array.Int64:
		return a.Value(i)
	case *array.Float32:
		return float64(a.Value(i))
	case *array.Float64:
		return a.Value(i)
	case *array.Boolean:
		return a.Value(i)
	case *array.String:
		return a.Value(i)
	case *array.Date32:
		return a.Value(i).ToTime().Format("2006-01-02")
	}
	return a.ValueStr(i)
}

// printDemo prints the outcome of demo.
func printDemo(w io.Writer, res demoResult, f demoFlags, writeTime, openTime time.Duration) error {
	in := res.Info
	fmt.Fprintf(w, "demo snapshot %s (seed %d, scale %g)\n\n", in.Path, f.seed, f.scale)
	rows := make([][]string, len(in.Tables))
	for i, t := range in.Tables {
		rows[i] = []string{t.Name, formatCount(t.Rows), formatBytes(t.Bytes)}
	}
	if err := printTable(w, []string{"TABLE", "ROWS", "BYTES"}, "lrr", rows); err != nil {
		return err
	}
	fmt.Fprintln(w)
	write := "kept (--keep: same seed and scale)"
	build := "-"
	if !res.Kept {
		write = fmt.Sprintf("%s (%s rows/s)", formatDuration(writeTime), formatCount(perSecond(in.Rows, writeTime)))
		build = fmt.Sprintf("SQLite, %s (temporary file)", formatDuration(time.Duration(res.BuildSeconds*float64(time.Second))))
		if res.Export != nil {
			write += fmt.Sprintf(", exported from SQLite with %d worker(s)", res.Export.Workers)
		}
	}
	v := res.Verify
	if err := printKV(w, [][2]string{
		{"tables", fmt.Sprint(len(in.Tables))},
		{"rows", formatCount(in.Rows)},
		{"bytes", fmt.Sprintf("%s (%s)", formatCount(in.Bytes), formatBytes(in.Bytes))},
		{"root hash", in.RootHash},
		{"build", build},
		{"write", write},
		{"open", formatDuration(openTime)},
		{"verify", fmt.Sprintf("OK, %d files, %s in %s (%s)", len(v.Files), formatBytes(v.Bytes), formatDuration(v.Duration), throughput(v.Bytes, v.Duration))},
		{"nlp", nlpLine(res.NLP)},
	}); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nmatching a paragraph against the snapshot (snapdb nlp match %s TEXT):\n\n%s\n\n", in.Path, wrap(res.Text, 78))
	if err := printMentions(w, res.Mentions); err != nil {
		return err
	}
	return printDemoQueries(w, in.Path, res.Queries)
}

func nlpLine(b *snapshot.NLPBuild) string {
	if b == nil {
		return "kept"
	}
	s := b.Stats
	return fmt.Sprintf("%s aliases indexed as %s keys in %s (%.0f bytes per alias)",
		formatCount(s.Kept), formatCount(s.Keys), formatDuration(time.Duration(s.Seconds*float64(time.Second))),
		float64(s.Bytes)/float64(max(s.Kept, 1)))
}

// wrap breaks text into lines of at most width bytes at spaces.
func wrap(text string, width int) string {
	var b strings.Builder
	n := 0
	for i, word := range strings.Fields(text) {
		if i > 0 && n+1+len(word) > width {
			b.WriteByte('\n')
			n = 0
		} else if i > 0 {
			b.WriteByte(' ')
			n++
		}
		b.WriteString(word)
		n += len(word)
	}
	return b.String()
}

func perSecond(n int64, d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return int64(float64(n) / d.Seconds())
}

// formatDuration writes d to a precision that suits its size: "850µs",
// "12.3ms", "4.56s".
func formatDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%dµs", d.Microseconds())
	case d < time.Second:
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.2fs", d.Seconds())
}
