package sqlparse

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// FuzzParse checks that Parse never panics; that what it accepts prints
// back as SQL that parses to the same statement; and that its errors are
// *SyntaxError or *ReadOnlyError at a position inside the input.
func FuzzParse(f *testing.F) {
	var seeds []string
	seeds = append(seeds, allPositive()...)
	for _, tt := range errorTests {
		seeds = append(seeds, tt.sql)
	}
	for _, tt := range readOnlyTests {
		seeds = append(seeds, tt.sql)
	}
	for _, s := range seeds {
		if len(s) <= 4096 {
			f.Add(s)
		}
	}
	f.Fuzz(func(t *testing.T, sql string) {
		s, err := Parse(sql)
		if err != nil {
			if s != nil {
				t.Fatalf("Parse(%q) returned both a statement and %v", sql, err)
			}
			var pos Pos
			switch e := err.(type) {
			case *SyntaxError:
				pos = e.Pos
				if e.Msg == "" {
					t.Fatalf("Parse(%q): empty message", sql)
				}
			case *ReadOnlyError:
				pos = e.Pos
				if !writeKeywords[e.Statement] {
					t.Fatalf("Parse(%q): read-only error for %q", sql, e.Statement)
				}
			default:
				t.Fatalf("Parse(%q): error of type %T: %v", sql, err, err)
			}
			if !inside(sql, pos) {
				t.Fatalf("Parse(%q): error position %v is outside the input: %v", sql, pos, err)
			}
			_ = err.Error()
			return
		}
		text := s.String()
		s2, err := Parse(text)
		if err != nil {
			t.Fatalf("Parse(%q).String() = %q, which does not parse: %v", sql, text, err)
		}
		if text2 := s2.String(); text2 != text {
			t.Fatalf("Parse(%q): String %q reparses as %q", sql, text, text2)
		}
		if d := cmp.Diff(s, s2, ignorePos); d != "" {
			t.Fatalf("Parse(%q) and Parse(%q) differ (-first +second):\n%s", sql, text, d)
		}
	})
}

// inside reports whether pos is a position in sql: on one of its lines, at
// one of its runes or just after the line's last.
func inside(sql string, pos Pos) bool {
	lines := strings.Split(sql, "\n")
	if pos.Line < 1 || pos.Line > len(lines) || pos.Col < 1 {
		return false
	}
	return pos.Col <= utf8.RuneCountInString(lines[pos.Line-1])+1
}
