package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/snapdb/snapdb/internal/demo"
	"github.com/snapdb/snapdb/manifest"
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
diseases, exposures and about 350,000 entity aliases at scale 1), writes it
as a snapshot into --dir (two tables at a time), commits it, opens it,
verifies it, and prints its tables, totals, root hash, the write time and
rate, and the open time.

An existing snapshot made by demo at --dir is overwritten (atomically: the
old one stays whole until the new one commits), or with --keep reused as is
when it was made with the same --seed and --scale. Any other non-empty
directory is refused.

With --json it prints {"meta": SnapshotMeta, "info": Info, "verify":
VerifyReport, "kept": bool, "openSeconds": N}.`,
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
		start := time.Now()
		meta, err := a.writeDemo(cmd, dir, f, existing != nil)
		if err != nil {
			return err
		}
		writeTime = time.Since(start)
		res.Meta = meta
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

// writeDemo writes the demo tables into a new snapshot at dir, two at a
// time, and commits it.
func (a *app) writeDemo(cmd *cobra.Command, dir string, f demoFlags, overwrite bool) (snapshot.SnapshotMeta, error) {
	seed, _ := json.Marshal(f.seed)
	scale, _ := json.Marshal(f.scale)
	w, err := snapshot.Create(dir, &snapshot.CreateOptions{
		Overwrite: overwrite,
		Source: manifest.Source{Engine: demoEngine, Database: "demo",
			Extra: map[string]json.RawMessage{"seed": seed, "scale": scale}},
	})
	if err != nil {
		return snapshot.SnapshotMeta{}, err
	}
	defer w.Abort()

	tables := demo.Tables(&demo.Options{Seed: f.seed, Scale: f.scale})
	var mu sync.Mutex // serialises the progress lines
	g, ctx := errgroup.WithContext(cmd.Context())
	g.SetLimit(2)
	for _, t := range tables {
		g.Go(func() error {
			start := time.Now()
			rdr := t.Open()
			defer rdr.Release()
			if err := w.WriteTable(ctx, t.Name, rdr); err != nil {
				return err
			}
			if a.progress() {
				mu.Lock()
				fmt.Fprintf(a.stderr, "wrote %-16s %12s rows in %s\n", t.Name, formatCount(t.Rows), formatDuration(time.Since(start)))
				mu.Unlock()
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return snapshot.SnapshotMeta{}, err
	}
	return w.Commit()
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
	if !res.Kept {
		write = fmt.Sprintf("%s (%s rows/s)", formatDuration(writeTime), formatCount(perSecond(in.Rows, writeTime)))
	}
	v := res.Verify
	return printKV(w, [][2]string{
		{"tables", fmt.Sprint(len(in.Tables))},
		{"rows", formatCount(in.Rows)},
		{"bytes", fmt.Sprintf("%s (%s)", formatCount(in.Bytes), formatBytes(in.Bytes))},
		{"root hash", in.RootHash},
		{"write", write},
		{"open", formatDuration(openTime)},
		{"verify", fmt.Sprintf("OK, %d files, %s in %s (%s)", len(v.Files), formatBytes(v.Bytes), formatDuration(v.Duration), throughput(v.Bytes, v.Duration))},
	})
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
