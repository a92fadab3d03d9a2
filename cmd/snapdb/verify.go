package main

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/snapdb/snapdb/snapshot"
)

func newVerifyCmd(a *app) *cobra.Command {
	var concurrency int
	cmd := &cobra.Command{
		Use:   "verify <snapshot>",
		Short: "Re-hash every file of a snapshot and compare with its manifest",
		Long: `verify re-reads every file of a snapshot, several at a time, and compares
its size and hashes (SHA-256 and BLAKE3) with the manifest. It prints OK with
the files, bytes and throughput, or every mismatch, and exits with status 3
if anything disagrees (also when the snapshot is too damaged to open: a
missing file, a wrong size or row count). With --json it prints snapshot.VerifyReport (on a
failure, the error document carries the report under "verify").`,
		Args: exactArgs(1),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			if concurrency < 0 {
				return usagef("--concurrency must be 0 (default) or more, got %d", concurrency)
			}
			pb := a.newProgress("verify")
			// VerifyPath rather than Open + Verify: a snapshot Open would
			// refuse is still checked in full, every problem reported.
			rep, err := snapshot.VerifyPath(cmd.Context(), args[0],
				&snapshot.Options{Concurrency: concurrency, Progress: pb.callback()})
			pb.done()
			if err != nil && !errors.Is(err, snapshot.ErrIntegrity) {
				return err
			}
			switch {
			case a.json && err != nil:
				return withExtra(err, "verify", rep)
			case a.json:
				return writeJSON(a.stdout, rep)
			}
			if perr := printVerify(a.stdout, rep, a.quiet); perr != nil {
				return perr
			}
			return err
		}),
	}
	cmd.Flags().IntVar(&concurrency, "concurrency", 0, "files hashed at once (0 = the library default)")
	return cmd
}

// printVerify prints the outcome of Verify: a one-line OK, or a table of
// every mismatch. With quiet, a success prints nothing.
func printVerify(w io.Writer, rep snapshot.VerifyReport, quiet bool) error {
	if rep.OK {
		if quiet {
			return nil
		}
		_, err := fmt.Fprintf(w, "OK  %d files, %s in %s (%s)\nroot hash %s\n",
			len(rep.Files), formatBytes(rep.Bytes), formatDuration(rep.Duration), throughput(rep.Bytes, rep.Duration), rep.RootHash)
		return err
	}
	bad := map[string]bool{}
	for _, m := range rep.Problems {
		bad[m.File] = true
	}
	fmt.Fprintf(w, "FAILED  %d of %d files disagree with the manifest\n\n", len(bad), len(rep.Files))
	rows := make([][]string, len(rep.Problems))
	for i, m := range rep.Problems {
		rows[i] = []string{orDash(m.Table), m.File, m.What, orDash(m.Expected), orDash(m.Actual)}
	}
	return printTable(w, []string{"TABLE", "FILE", "WHAT", "EXPECTED", "ACTUAL"}, "lllll", rows)
}

// throughput is bytes per second in MB/s.
func throughput(bytes int64, d time.Duration) string {
	if d <= 0 {
		return "- MB/s"
	}
	return fmt.Sprintf("%.1f MB/s", float64(bytes)/1e6/d.Seconds())
}

// progress is a progress bar on stderr, shown only when a.progress()
// allows; a nil *progress does nothing.
type progress struct {
	a    *app
	desc string

	mu   sync.Mutex
	bar  *progressbar.ProgressBar
	last int64
}

// newProgress returns a progress bar for an operation, or nil when
// progress output is off.
func (a *app) newProgress(desc string) *progress {
	if !a.progress() {
		return nil
	}
	return &progress{a: a, desc: desc}
}

// callback returns the snapshot.ProgressFunc that drives the bar, or nil (no
// callback at all) on a nil *progress.
func (p *progress) callback() snapshot.ProgressFunc {
	if p == nil {
		return nil
	}
	return p.report
}

// report is a snapshot.ProgressFunc.
func (p *progress) report(op string, done, total int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar == nil {
		p.bar = progressbar.NewOptions64(total,
			progressbar.OptionSetWriter(p.a.stderr),
			progressbar.OptionSetDescription(p.desc),
			progressbar.OptionShowBytes(true),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
	}
	// Calls arrive from several goroutines; never move backwards.
	if done > p.last {
		p.last = done
		p.bar.Set64(done)
	}
}

// done clears the bar.
func (p *progress) done() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		p.bar.Finish()
		p.bar.Clear()
	}
}
