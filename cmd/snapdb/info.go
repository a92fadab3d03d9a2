package main

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/snapdb/snapdb/snapshot"
)

func newInfoCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "info <snapshot>",
		Short: "Describe a snapshot: versions, provenance, root hash, tables",
		Long: `info opens a snapshot (reading only its manifest and Parquet footers) and
prints its versions, provenance, root hash, totals and tables. With --json it
prints snapshot.Info.`,
		Args: exactArgs(1),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			db, err := snapshot.Open(args[0], nil)
			if err != nil {
				return err
			}
			defer db.Close()
			in := db.Info()
			if a.json {
				return writeJSON(a.stdout, in)
			}
			return printInfo(a.stdout, in)
		}),
	}
}

func newTablesCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "tables <snapshot>",
		Short: "List a snapshot's tables with their rows and bytes",
		Long:  `tables lists a snapshot's tables, sorted by name. With --json it prints a list of snapshot.TableInfo.`,
		Args:  exactArgs(1),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			db, err := snapshot.Open(args[0], nil)
			if err != nil {
				return err
			}
			defer db.Close()
			tables := db.Info().Tables
			if a.json {
				if tables == nil {
					tables = []snapshot.TableInfo{}
				}
				return writeJSON(a.stdout, tables)
			}
			rows := make([][]string, len(tables))
			for i, t := range tables {
				rows[i] = []string{t.Name, formatCount(t.Rows), formatBytes(t.Bytes)}
			}
			return printTable(a.stdout, []string{"TABLE", "ROWS", "BYTES"}, "lrr", rows)
		}),
	}
}

// schemaJSON is the --json output of schema.
type schemaJSON struct {
	Table   string       `json:"table"`
	Columns []columnJSON `json:"columns"`
}

type columnJSON struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Nullable bool   `json:"nullable"`
}

func newSchemaCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "schema <snapshot> <table>",
		Short: "Print a table's columns: name, Arrow type, nullable",
		Long:  `schema prints the Arrow schema of one table of a snapshot. With --json it prints {"table", "columns": [{"name", "type", "nullable"}]}.`,
		Args:  exactArgs(2),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			db, err := snapshot.Open(args[0], nil)
			if err != nil {
				return err
			}
			defer db.Close()
			sc, err := db.Schema(args[1])
			if err != nil {
				return err
			}
			out := schemaJSON{Table: args[1], Columns: []columnJSON{}}
			for _, f := range sc.Fields() {
				out.Columns = append(out.Columns, columnJSON{Name: f.Name, Type: f.Type.String(), Nullable: f.Nullable})
			}
			if a.json {
				return writeJSON(a.stdout, out)
			}
			rows := make([][]string, len(out.Columns))
			for i, c := range out.Columns {
				rows[i] = []string{c.Name, c.Type, yesNo(c.Nullable)}
			}
			return printTable(a.stdout, []string{"COLUMN", "TYPE", "NULLABLE"}, "lll", rows)
		}),
	}
}

// exactArgs is cobra.ExactArgs with a message that names the arguments.
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("%s: want %d argument(s), got %d (usage: %s)", cmd.Name(), n, len(args), cmd.UseLine())
		}
		return nil
	}
}

// printInfo prints in as aligned "key: value" lines, then its tables.
func printInfo(w io.Writer, in snapshot.Info) error {
	exported := "-"
	if in.ExportedAt != nil {
		exported = in.ExportedAt.UTC().Format(time.RFC3339)
	}
	source := orDash(in.Source.Engine)
	if in.Source.Database != "" {
		source += ", database " + in.Source.Database
	}
	producer := strings.TrimSpace(in.Producer + " " + in.ProducerVersion)
	format := fmt.Sprint(in.FormatVersion)
	if in.Dialect != "" {
		format += " (" + in.Dialect + ")"
	}
	kv := [][2]string{
		{"path", in.Path},
		{"backend", in.Backend},
		{"read-only", fmt.Sprint(in.ReadOnly)},
		{"format version", format},
		{"snapshot version", orDash(in.SnapshotVersion)},
		{"schema version", orDash(in.SchemaVersion)},
		{"schema revision", orDash(in.SchemaRevision)},
		{"producer", orDash(producer)},
		{"exported at", exported},
		{"source", source},
		{"compression", orDash(in.Compression)},
		{"root hash", in.RootHash},
		{"tables", fmt.Sprint(len(in.Tables))},
		{"rows", formatCount(in.Rows)},
		{"bytes", fmt.Sprintf("%s (%s)", formatCount(in.Bytes), formatBytes(in.Bytes))},
	}
	if in.NLP != nil {
		kv = append(kv, [2]string{"nlp", fmt.Sprintf("%s from table %s", strings.Join(in.NLP.Files, ", "), orDash(in.NLP.SourceTable))})
	}
	if err := printKV(w, kv); err != nil {
		return err
	}
	if len(in.Tables) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	rows := make([][]string, len(in.Tables))
	for i, t := range in.Tables {
		rows[i] = []string{t.Name, formatCount(t.Rows), formatBytes(t.Bytes), fmt.Sprint(t.RowGroups), fmt.Sprint(t.Columns)}
	}
	return printTable(w, []string{"TABLE", "ROWS", "BYTES", "ROW GROUPS", "COLUMNS"}, "lrrrr", rows)
}

// printKV prints "key:" padded to the longest key, then the value.
func printKV(w io.Writer, kv [][2]string) error {
	width := 0
	for _, p := range kv {
		width = max(width, len(p[0])+1)
	}
	var b strings.Builder
	for _, p := range kv {
		fmt.Fprintf(&b, "%-*s %s\n", width, p[0]+":", p[1])
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// printTable prints rows under headers in aligned columns; align holds one
// letter per column, 'l' (left) or 'r' (right).
func printTable(w io.Writer, headers []string, align string, rows [][]string) error {
	widths := make([]int, len(headers))
	for i, h := range headers {
		widths[i] = utf8.RuneCountInString(h)
	}
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	line := func(cells []string) {
		var l strings.Builder
		for i, c := range cells {
			if i > 0 {
				l.WriteString("  ")
			}
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if align[i] == 'r' {
				l.WriteString(pad + c)
			} else {
				l.WriteString(c + pad)
			}
		}
		b.WriteString(strings.TrimRight(l.String(), " ") + "\n")
	}
	line(headers)
	for _, r := range rows {
		line(r)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
