package nlp_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/snapdb/snapdb/nlp"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the expected output of testdata/match/*.txt")

// TestDataDriven runs the cases under testdata/match. A file is a sequence
// of blocks separated by blank lines; lines starting with '#' are comments.
// Each block is a command, its input lines (build only), "----", and the
// expected output:
//
//	build [min-length=N] [stop-words=default|none|w1,w2,...]
//	<alias text> | <entity id> | <entity type> | <preferred|synonym|code>
//	...
//	----
//	<build statistics>
//
//	match <text>
//	----
//	<one mention per line, or "(none)">
//
// match-all is like match for MatchAll. A text (or alias text) that starts
// with '"' is a Go quoted string, for tabs, newlines, and leading or trailing
// spaces. A mention prints as
//
//	start-end (runes start-end) "original text" -> id:type:aliastype="alias" ...
//
// Each match is also checked against the naive reference matcher, so the
// expected output cannot drift from the documented rules. Run with -rewrite
// to regenerate the expected output.
func TestDataDriven(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "match", "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no files under testdata/match")
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) { runDataDriven(t, path) })
	}
}

type ddBlock struct {
	pre      string   // comments and blank lines before the block, verbatim
	cmd      string   // the command line
	input    []string // input lines (build)
	expected string
	line     int
}

func parseDataDriven(t *testing.T, path string) ([]ddBlock, string) {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	var blocks []ddBlock
	var pre strings.Builder
	for i := 0; i < len(lines); {
		l := lines[i]
		if l == "" || strings.HasPrefix(l, "#") {
			pre.WriteString(l + "\n")
			i++
			continue
		}
		b := ddBlock{pre: pre.String(), cmd: l, line: i + 1}
		pre.Reset()
		i++
		for i < len(lines) && lines[i] != "----" {
			b.input = append(b.input, lines[i])
			i++
		}
		if i == len(lines) {
			t.Fatalf("%s:%d: no ---- after %q", path, b.line, b.cmd)
		}
		i++
		var exp []string
		for i < len(lines) && lines[i] != "" {
			exp = append(exp, lines[i])
			i++
		}
		b.expected = strings.Join(exp, "\n")
		blocks = append(blocks, b)
	}
	return blocks, pre.String()
}

func runDataDriven(t *testing.T, path string) {
	blocks, trailer := parseDataDriven(t, path)
	var a *nlp.Automaton
	var ref *refDict
	var out strings.Builder
	for i := range blocks {
		b := &blocks[i]
		where := fmt.Sprintf("%s:%d", path, b.line)
		cmd, arg, _ := strings.Cut(b.cmd, " ")
		var got string
		switch cmd {
		case "build":
			as, opts := parseBuild(t, where, arg, b.input)
			data := build(t, as, opts)
			var err error
			if a, err = nlp.Load(data); err != nil {
				t.Fatalf("%s: Load() error = %v", where, err)
			}
			if err := a.Verify(); err != nil {
				t.Fatalf("%s: Verify() error = %v", where, err)
			}
			stop := nlp.DefaultStopWords
			if opts.StopWords != nil {
				stop = opts.StopWords
			}
			minLen := opts.MinLength
			if minLen == 0 {
				minLen = nlp.DefaultMinLength
			}
			ref = newRefDict(as, minLen, stop)
			st, _ := nlp.Build(discard{}, seq(as), opts)
			got = fmt.Sprintf("read=%d kept=%d duplicates=%d empty=%d short=%d stop=%d invalid=%d keys=%d",
				st.Read, st.Kept, st.Duplicates, st.SkippedEmpty, st.SkippedShort, st.SkippedStopWord, st.SkippedInvalid, st.Keys)
		case "match", "match-all":
			if a == nil {
				t.Fatalf("%s: %s before build", where, cmd)
			}
			text := unquote(t, where, arg)
			var ms, want []nlp.Mention
			var err error
			if cmd == "match" {
				ms, err = a.Match(text)
				want = ref.match(text)
			} else {
				ms, err = a.MatchAll(text)
				want = ref.matchAll(text)
			}
			if err != nil {
				t.Fatalf("%s: %s(%q) error = %v", where, cmd, text, err)
			}
			if diff := cmp.Diff(want, ms); diff != "" {
				t.Errorf("%s: %s(%q) disagrees with the reference matcher (-reference +got):\n%s", where, cmd, text, diff)
			}
			for _, m := range ms {
				if text[m.Start:m.End] != m.Text {
					t.Errorf("%s: mention %+v: text[%d:%d] = %q", where, m, m.Start, m.End, text[m.Start:m.End])
				}
			}
			got = formatMentions(ms)
		default:
			t.Fatalf("%s: unknown command %q", where, cmd)
		}
		if !*rewrite && got != b.expected {
			t.Errorf("%s: %s\ngot:\n%s\nwant:\n%s", where, b.cmd, got, b.expected)
		}
		out.WriteString(b.pre)
		out.WriteString(b.cmd + "\n")
		for _, l := range b.input {
			out.WriteString(l + "\n")
		}
		out.WriteString("----\n" + got + "\n")
	}
	out.WriteString(trailer)
	if *rewrite {
		if err := os.WriteFile(path, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func unquote(t *testing.T, where, s string) string {
	if !strings.HasPrefix(s, `"`) {
		return s
	}
	u, err := strconv.Unquote(s)
	if err != nil {
		t.Fatalf("%s: bad quoted string %s: %v", where, s, err)
	}
	return u
}

func parseBuild(t *testing.T, where, args string, lines []string) ([]nlp.Alias, *nlp.BuildOptions) {
	opts := &nlp.BuildOptions{}
	for _, f := range strings.Fields(args) {
		k, v, _ := strings.Cut(f, "=")
		switch k {
		case "min-length":
			n, err := strconv.Atoi(v)
			if err != nil {
				t.Fatalf("%s: %s: %v", where, f, err)
			}
			opts.MinLength = n
		case "stop-words":
			switch v {
			case "default":
				opts.StopWords = nil
			case "none":
				opts.StopWords = []string{}
			default:
				opts.StopWords = strings.Split(v, ",")
			}
		default:
			t.Fatalf("%s: unknown build option %q", where, f)
		}
	}
	var as []nlp.Alias
	for _, l := range lines {
		parts := strings.Split(l, " | ")
		if len(parts) != 4 {
			t.Fatalf("%s: alias line %q: want text | id | type | alias type", where, l)
		}
		id, err := strconv.ParseInt(parts[1], 10, 64)
		if err != nil {
			t.Fatalf("%s: alias line %q: %v", where, l, err)
		}
		at, err := nlp.ParseAliasType(parts[3])
		if err != nil {
			t.Fatalf("%s: alias line %q: %v", where, l, err)
		}
		as = append(as, nlp.Alias{Text: unquote(t, where, parts[0]), EntityID: id, EntityType: parts[2], Type: at})
	}
	return as, opts
}
