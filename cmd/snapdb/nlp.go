package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/snapdb/snapdb/nlp"
	"github.com/snapdb/snapdb/snapshot"
)

func newNLPCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "nlp",
		Short: "Build and use a snapshot's alias automaton (entity names in text)",
	}
	cmd.AddCommand(newNLPBuildCmd(a), newNLPMatchCmd(a))
	return cmd
}

func newNLPBuildCmd(a *app) *cobra.Command {
	var o snapshot.NLPOptions
	var noStop bool
	cmd := &cobra.Command{
		Use:   "build <snapshot>",
		Short: "Build the alias automaton from the alias table and store it in the snapshot",
		Long: `build reads the alias table (by default entity_aliases with alias_value,
entity_id, type_id and alias_type; entity type names from entity_types), builds
the memory-mappable alias automaton, and stores it in the snapshot as
nlp/automaton.bin and nlp/meta.json with a new manifest, atomically (the root
hash changes). Works on a directory and on a .snap file. With --json it prints
the build report.`,
		Args: exactArgs(1),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			if noStop {
				o.StopWords = []string{}
			}
			if a.progress() {
				fmt.Fprintf(a.stderr, "building the alias automaton of %s from %s…\n", args[0], orDefault(o.Table, "entity_aliases"))
			}
			res, err := snapshot.BuildNLP(cmd.Context(), args[0], &o)
			if err != nil {
				return err
			}
			if a.json {
				return writeJSON(a.stdout, res)
			}
			if a.quiet {
				return nil
			}
			s := res.Stats
			return printKV(a.stdout, [][2]string{
				{"snapshot", res.Meta.Path},
				{"source table", res.SourceTable},
				{"aliases read", formatCount(s.Read)},
				{"indexed", fmt.Sprintf("%s (%s distinct keys, %s states)", formatCount(s.Kept), formatCount(s.Keys), formatCount(s.States))},
				{"skipped", fmt.Sprintf("%s short, %s stop words, %s empty, %s invalid, %s duplicates",
					formatCount(s.SkippedShort), formatCount(s.SkippedStopWord), formatCount(s.SkippedEmpty), formatCount(s.SkippedInvalid), formatCount(s.Duplicates))},
				{"entity types", strings.Join(res.Automaton.EntityTypes, ", ")},
				{"file", fmt.Sprintf("%s (%.0f bytes per alias)", formatBytes(s.Bytes), float64(s.Bytes)/float64(max(s.Kept, 1)))},
				{"build time", formatDuration(time.Duration(s.Seconds * float64(time.Second)))},
				{"root hash", res.Meta.RootHash},
			})
		}),
	}
	f := cmd.Flags()
	f.StringVar(&o.Table, "table", "", "alias table (default entity_aliases)")
	f.StringVar(&o.AliasCol, "alias-col", "", "column of alias text (default alias_value)")
	f.StringVar(&o.EntityCol, "entity-col", "", "column of entity ids (default entity_id)")
	f.StringVar(&o.TypeCol, "type-col", "", "column of entity types (default type_id)")
	f.StringVar(&o.AliasTypeCol, "alias-type-col", "", "column of alias types: preferred, synonym, code (default alias_type)")
	f.StringVar(&o.TypesTable, "types-table", "", "table mapping type ids to names, columns id and name (default entity_types)")
	f.IntVar(&o.MinLength, "min-length", 0, fmt.Sprintf("shortest alias indexed, in characters (default %d)", nlp.DefaultMinLength))
	f.StringSliceVar(&o.StopWords, "stop-words", nil, "aliases never to index (default: the built-in English list)")
	f.BoolVar(&noStop, "no-stop-words", false, "index every alias, stop words included")
	return cmd
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func newNLPMatchCmd(a *app) *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "match <snapshot> [TEXT | -]",
		Short: "Find entity names in text",
		Long: `match finds the snapshot's aliases in TEXT (or standard input, with - or no
TEXT): word-bounded, leftmost-longest and non-overlapping, or every candidate
with --all. Each mention lists every entity it may mean. Offsets are byte
offsets in the text as given. With --json it prints the mentions.`,
		Args: cobra.RangeArgs(1, 2),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			text := ""
			if len(args) == 1 || args[1] == "-" {
				b, err := io.ReadAll(cmd.InOrStdin())
				if err != nil {
					return err
				}
				text = string(b)
			} else {
				text = args[1]
			}
			db, err := snapshot.Open(args[0], &snapshot.Options{Logf: func(format string, args ...any) {
				if !a.quiet && !a.json {
					fmt.Fprintf(a.stderr, format+"\n", args...)
				}
			}})
			if err != nil {
				return err
			}
			defer db.Close()
			match := db.Match
			if all {
				match = db.MatchAll
			}
			ms, err := match(text)
			if err != nil {
				return err
			}
			if a.json {
				if ms == nil {
					ms = []nlp.Mention{}
				}
				return writeJSON(a.stdout, ms)
			}
			return printMentions(a.stdout, ms)
		}),
	}
	cmd.Flags().BoolVar(&all, "all", false, "every word-bounded candidate, overlaps included")
	return cmd
}

func printMentions(w io.Writer, ms []nlp.Mention) error {
	rows := make([][]string, len(ms))
	for i, m := range ms {
		var cands []string
		for _, c := range m.Candidates {
			cands = append(cands, fmt.Sprintf("%s:%d (%s %q)", c.EntityType, c.EntityID, c.AliasType, c.Alias))
		}
		rows[i] = []string{fmt.Sprintf("%d-%d", m.Start, m.End), m.Text, strings.Join(cands, "; ")}
	}
	return printTable(w, []string{"SPAN", "TEXT", "ENTITIES"}, "lll", rows)
}
