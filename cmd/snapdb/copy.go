package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/snapdb/snapdb/snapshot"
)

// newSaveCmd, newPackCmd, newUnpackCmd and newRestoreCmd copy snapshots:
// all atomic (nothing at the target until it is complete) and lossless
// (a full copy has the source's root hash).

func newSaveCmd(a *app) *cobra.Command {
	var (
		format    string
		tables    []string
		overwrite bool
	)
	cmd := &cobra.Command{
		Use:   "save <snapshot> <dest>",
		Short: "Write a snapshot (or some of its tables) elsewhere, as a directory or a .snap file",
		Long: `save writes the snapshot to dest atomically: a directory, or a single .snap
container when dest ends in .snap (or --format snap). With --tables only those
tables go along (and the NLP files only with the table they were built from);
a subset has its own manifest and root hash. A target that exists is refused
unless --overwrite, and only a snapshot is ever overwritten. With --json it
prints snapshot.SnapshotMeta.`,
		Args: exactArgs(2),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			pb := a.newProgress("save")
			db, err := snapshot.Open(args[0], &snapshot.Options{Progress: pb.callback()})
			if err != nil {
				return err
			}
			defer db.Close()
			opts := &snapshot.SaveOptions{Format: format, Overwrite: overwrite}
			if cmd.Flags().Changed("tables") {
				opts.Tables = tables
			}
			meta, err := db.Save(args[1], opts)
			pb.done()
			if err != nil {
				return err
			}
			return a.printMeta("saved", meta)
		}),
	}
	cmd.Flags().StringVar(&format, "format", "", "dir or snap (default: by the extension of dest)")
	cmd.Flags().StringSliceVar(&tables, "tables", nil, "save only these tables (comma-separated)")
	cmd.Flags().BoolVar(&overwrite, "overwrite", false, "replace an existing snapshot at dest")
	return cmd
}

func newPackCmd(a *app) *cobra.Command {
	var overwrite bool
	cmd := &cobra.Command{
		Use:   "pack <snapshot-dir> <file.snap>",
		Short: "Convert a snapshot directory into one .snap file (same root hash)",
		Long: `pack writes the snapshot directory as a single-file container: each table's
Parquet bytes, the NLP files and the manifest at 4 KiB-aligned offsets, with an
index and CRC-32C checksums (docs/container.md). The container opens in place,
nothing unpacked. With --json it prints snapshot.SnapshotMeta.`,
		Args: exactArgs(2),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			meta, err := snapshot.Pack(args[0], args[1], &snapshot.SaveOptions{Overwrite: overwrite})
			if err != nil {
				return err
			}
			return a.printMeta("packed", meta)
		}),
	}
	cmd.Flags().BoolVar(&overwrite, "overwrite", false, "replace an existing .snap file")
	return cmd
}

func newUnpackCmd(a *app) *cobra.Command {
	var overwrite bool
	cmd := &cobra.Command{
		Use:   "unpack <file.snap> <dir>",
		Short: "Convert a .snap file into a snapshot directory (same root hash)",
		Args:  exactArgs(2),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			meta, err := snapshot.Unpack(args[0], args[1], &snapshot.SaveOptions{Overwrite: overwrite})
			if err != nil {
				return err
			}
			return a.printMeta("unpacked", meta)
		}),
	}
	cmd.Flags().BoolVar(&overwrite, "overwrite", false, "replace an existing snapshot directory")
	return cmd
}

func newRestoreCmd(a *app) *cobra.Command {
	var (
		newRoot      string
		removeSource bool
		overwrite    bool
	)
	cmd := &cobra.Command{
		Use:   "restore <src> --new-root DIR",
		Short: "Copy a snapshot onto local storage, verifying every file as it is copied",
		Long: `restore copies the snapshot src (a directory or a .snap file, e.g. on a shared
file system) into DIR (e.g. a node's local SSD) as a snapshot directory,
checking every file's size and hashes against the manifest as it is copied,
and opens it there. Nothing appears at DIR until the copy is complete and
verified; a failed restore leaves no half-copied snapshot and the source
untouched. --remove-source deletes the source only after that. With --json it
prints snapshot.SnapshotMeta of the restored snapshot.`,
		Args: exactArgs(1),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			if newRoot == "" {
				return usagef("--new-root DIR is required: the directory to restore the snapshot into")
			}
			pb := a.newProgress("restore")
			start := time.Now()
			db, err := snapshot.Restore(cmd.Context(), args[0], &snapshot.RestoreOptions{
				NewRoot: newRoot, RemoveSource: removeSource, Overwrite: overwrite,
				Overrides: &snapshot.Options{Progress: pb.callback()},
			})
			pb.done()
			if err != nil {
				return err
			}
			defer db.Close()
			meta := db.Meta()
			meta.Duration = time.Since(start) // the whole restore, not just its open
			return a.printMeta("restored", meta)
		}),
	}
	cmd.Flags().StringVar(&newRoot, "new-root", "", "directory to restore into (required)")
	cmd.Flags().BoolVar(&removeSource, "remove-source", false, "delete the source once the copy is verified")
	cmd.Flags().BoolVar(&overwrite, "overwrite", false, "replace an existing snapshot at --new-root")
	return cmd
}

// printMeta prints the outcome of a copy: SnapshotMeta with --json, a
// summary otherwise (nothing with --quiet).
func (a *app) printMeta(verb string, meta snapshot.SnapshotMeta) error {
	if a.json {
		return writeJSON(a.stdout, meta)
	}
	if a.quiet {
		return nil
	}
	return printMetaText(a.stdout, verb, meta)
}

func printMetaText(w io.Writer, verb string, m snapshot.SnapshotMeta) error {
	_, err := fmt.Fprintf(w, "%s %s\n%s", verb, m.Path, strings.Join([]string{
		fmt.Sprintf("tables:    %d", m.Tables),
		fmt.Sprintf("rows:      %s", formatCount(m.Rows)),
		fmt.Sprintf("bytes:     %s", formatBytes(m.Bytes)),
		fmt.Sprintf("root hash: %s", m.RootHash),
		fmt.Sprintf("time:      %s (%s)", formatDuration(m.Duration), throughput(m.Bytes, m.Duration)),
	}, "\n")+"\n")
	return err
}
