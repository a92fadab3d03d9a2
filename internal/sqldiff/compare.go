package sqldiff

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Mismatch is one query on which the engines disagree.
type Mismatch struct {
	Query      Query
	Ours, Duck Result
	Why        string
}

// Report is the outcome of Compare.
type Report struct {
	Queries    []Query
	Mismatches []Mismatch
	// BothFailed are queries not marked ExpectError that fail on both
	// sides: generator bugs, reported but not counted as mismatches.
	BothFailed     []Mismatch
	OursMs, DuckMs float64
}

// Compare runs every query through engine and compares each result with
// DuckDB's (duck[i] is qs[i]'s).
func Compare(ctx context.Context, engine Querier, qs []Query, duck []Result, timeout time.Duration) *Report {
	rep := &Report{Queries: qs}
	for i, q := range qs {
		d := duck[i]
		o := RunOurs(ctx, engine, q, timeout)
		rep.OursMs += o.Millis
		rep.DuckMs += d.Millis
		why := ""
		switch {
		case q.ExpectError && o.Error == "":
			why = "we accept a statement that must be refused"
		case q.ExpectError && d.Error == "":
			why = "DuckDB accepts a statement the generator marks as an error (generator bug)"
		case q.ExpectError:
		case o.Error != "" && d.Error != "":
			rep.BothFailed = append(rep.BothFailed, Mismatch{q, o, d, "both fail"})
		case o.Error != "":
			why = "we fail: " + o.Error
		case d.Error != "":
			why = "DuckDB fails: " + d.Error
		default:
			why = Diff(&o, &d, q.Ordered, q.CountOnly)
		}
		if why != "" {
			rep.Mismatches = append(rep.Mismatches, Mismatch{q, o, d, why})
		}
	}
	return rep
}

// Summary counts the mismatches, by kind and by tag beside the totals.
func (r *Report) Summary() string {
	kinds, kindsAll := map[string]int{}, map[string]int{}
	tags, tagsAll := map[string]int{}, map[string]int{}
	for _, q := range r.Queries {
		kindsAll[q.Kind]++
		for _, tg := range q.Tags {
			tagsAll[tg]++
		}
	}
	for _, m := range r.Mismatches {
		kinds[m.Query.Kind]++
		for _, tg := range m.Query.Tags {
			tags[tg]++
		}
	}
	return fmt.Sprintf("%d queries: %d agree, %d mismatches, %d fail on both; our engine %.0f ms, DuckDB %.0f ms (in-process, 2 threads)\n  mismatches by kind: %s\n  mismatches by tag:  %s",
		len(r.Queries), len(r.Queries)-len(r.Mismatches)-len(r.BothFailed), len(r.Mismatches), len(r.BothFailed),
		r.OursMs, r.DuckMs, ratios(kinds, kindsAll), ratios(tags, tagsAll))
}

// Describe is a mismatch in full: the SQL, the arguments, what differs
// and both results, truncated.
func (m *Mismatch) Describe() string {
	q := m.Query
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s (ordered=%v countOnly=%v tags=%v): %s\n", q.Name, q.Ordered, q.CountOnly, q.Tags, truncate(m.Why, 600))
	fmt.Fprintf(&sb, "  SQL:    %s\n", q.SQL)
	if len(q.Args) > 0 {
		fmt.Fprintf(&sb, "  args:   %#v\n  DuckDB: %s\n", q.Args, q.DuckSQL)
	}
	for _, side := range []struct {
		name string
		r    *Result
	}{{"ours", &m.Ours}, {"DuckDB", &m.Duck}} {
		if side.r.Error != "" {
			fmt.Fprintf(&sb, "  %s: error %s\n", side.name, truncate(side.r.Error, 400))
			continue
		}
		fmt.Fprintf(&sb, "  %s: %d rows %v\n%s", side.name, len(side.r.Rows), side.r.Columns, FormatRows(side.r.Rows, 8))
	}
	return sb.String()
}

// Short is a mismatch on one line.
func (m *Mismatch) Short() string {
	return fmt.Sprintf("%s: %s\n  %s", m.Query.Name, truncate(firstLine(m.Why), 300), truncate(strings.ReplaceAll(m.Query.SQL, "\n", " "), 300))
}

func ratios(n, all map[string]int) string {
	var keys []string
	for k := range n {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return n[keys[i]] > n[keys[j]] || n[keys[i]] == n[keys[j]] && keys[i] < keys[j] })
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d/%d", k, n[k], all[k]))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
