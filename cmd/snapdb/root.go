package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/snapdb/snapdb/manifest"
	"github.com/snapdb/snapdb/snapshot"
)

// app holds the global flags and the output streams of one run.
type app struct {
	stdout, stderr io.Writer
	json           bool
	quiet          bool
}

// progress reports whether progress output belongs on stderr: a terminal,
// and neither --json nor --quiet.
func (a *app) progress() bool {
	return !a.json && !a.quiet && isTerminal(a.stderr)
}

// run runs the snapdb command line args and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	// Ctrl-C, and the SIGTERM a batch scheduler or service manager sends,
	// cancel the command: writers clean up and leave nothing behind.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	a := &app{stdout: stdout, stderr: stderr}
	root := newRootCmd(a)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	path := "snapdb"
	if cmd != nil {
		path = cmd.CommandPath()
	}
	return reportError(err, path, a.json || jsonRequested(args), stdout, stderr)
}

func newRootCmd(a *app) *cobra.Command {
	var showVersion bool
	root := &cobra.Command{
		Use:   "snapdb",
		Short: "Inspect, verify and build immutable database snapshots",
		Long: `snapdb inspects, verifies and builds snapdb snapshots: a directory of
Parquet tables and a manifest.json that pins every file by its hash.

` + exitStatusDoc,
		SilenceErrors: true,
		SilenceUsage:  true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if showVersion {
				return a.printVersion()
			}
			var names []string
			for _, c := range cmd.Commands() {
				if c.IsAvailableCommand() && c.Name() != "help" && c.Name() != "completion" {
					names = append(names, c.Name())
				}
			}
			return usagef("no command given (commands: %s)", strings.Join(names, ", "))
		},
	}
	root.PersistentFlags().BoolVar(&a.json, "json", false, "print one machine-readable JSON document on stdout, and nothing else")
	root.PersistentFlags().BoolVarP(&a.quiet, "quiet", "q", false, "no progress output and no success summaries")
	root.Flags().BoolVar(&showVersion, "version", false, "print the version and exit")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err} })

	root.AddCommand(
		newInfoCmd(a),
		newTablesCmd(a),
		newSchemaCmd(a),
		newVerifyCmd(a),
		newDemoCmd(a),
		newSaveCmd(a),
		newPackCmd(a),
		newUnpackCmd(a),
		newRestoreCmd(a),
		newExportCmd(a),
		newNLPCmd(a),
		newQueryCmd(a),
	)
	return root
}

// runE wraps a command's body so that its errors are told apart from
// cobra's parse errors (see classify).
func runE(f func(cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if err := f(cmd, args); err != nil {
			if _, ok := err.(*cmdError); ok {
				return err
			}
			return &cmdError{err: err}
		}
		return nil
	}
}

// versionInfo is the --version --json document.
type versionInfo struct {
	Version       string `json:"version"`
	FormatVersion int    `json:"formatVersion"`
	Go            string `json:"go"`
}

func (a *app) printVersion() error {
	v := versionInfo{Version: snapshot.ProducerVersion, FormatVersion: manifest.FormatVersion, Go: runtime.Version()}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v.Version = bi.Main.Version
	}
	if a.json {
		return writeJSON(a.stdout, v)
	}
	_, err := fmt.Fprintf(a.stdout, "snapdb %s (manifest format %d, %s)\n", v.Version, v.FormatVersion, v.Go)
	return err
}
