package nlp_test

import (
	"bytes"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/snapdb/snapdb/nlp"
)

func Example() {
	dir, err := os.MkdirTemp("", "nlp-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "automaton.bin")

	aliases := []nlp.Alias{
		{Text: "TNF-α", EntityID: 7124, EntityType: "gene", Type: nlp.Preferred},
		{Text: "tumor necrosis factor", EntityID: 7124, EntityType: "gene", Type: nlp.Synonym},
		{Text: "Sjögren syndrome", EntityID: 35, EntityType: "disease", Type: nlp.Preferred},
		{Text: "ACE", EntityID: 1636, EntityType: "gene", Type: nlp.Preferred},
		{Text: "ACE", EntityID: 12, EntityType: "chemical", Type: nlp.Synonym},
		{Text: "CAT", EntityID: 847, EntityType: "gene", Type: nlp.Preferred}, // a default stop word
	}
	// Build reads an iter.Seq2[Alias, error]: a database cursor, a file
	// reader, or here a slice.
	source := func(yield func(nlp.Alias, error) bool) {
		for _, a := range aliases {
			if !yield(a, nil) {
				return
			}
		}
	}
	stats, err := nlp.BuildFile(path, source, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("kept", stats.Kept, "of", stats.Read, "aliases;", stats.SkippedStopWord, "stop word")

	a, err := nlp.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer a.Close()
	if err := a.Verify(); err != nil {
		log.Fatal(err)
	}
	mentions, err := a.Match("High TNF‐α, ACE and CAT levels in SJÖGREN syndrome.")
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range mentions {
		fmt.Printf("%d-%d %q:", m.Start, m.End, m.Text)
		for _, c := range m.Candidates {
			fmt.Printf(" %s %d (%s %q)", c.EntityType, c.EntityID, c.AliasType, c.Alias)
		}
		fmt.Println()
	}
	// Output:
	// kept 5 of 6 aliases; 1 stop word
	// 5-13 "TNF‐α": gene 7124 (preferred "TNF-α")
	// 15-18 "ACE": chemical 12 (synonym "ACE") gene 1636 (preferred "ACE")
	// 37-54 "SJÖGREN syndrome": disease 35 (preferred "Sjögren syndrome")
}

func ExampleAutomaton_MatchAll() {
	var buf bytes.Buffer
	_, err := nlp.Build(&buf, seq([]nlp.Alias{
		{Text: "new york", EntityID: 1, EntityType: "city"},
		{Text: "york", EntityID: 2, EntityType: "city"},
		{Text: "new york times", EntityID: 3, EntityType: "newspaper"},
	}), nil)
	if err != nil {
		log.Fatal(err)
	}
	a, err := nlp.Load(buf.Bytes())
	if err != nil {
		log.Fatal(err)
	}
	all, _ := a.MatchAll("the new york times")
	for _, m := range all {
		fmt.Println(m.Start, m.End, m.Text, m.Candidates[0].EntityType)
	}
	longest, _ := a.Match("the new york times")
	fmt.Println("Match:", longest[0].Text)
	// Output:
	// 4 12 new york city
	// 4 18 new york times newspaper
	// 8 12 york city
	// Match: new york times
}

func ExampleNormalize() {
	fmt.Printf("%q\n", nlp.Normalize("  TNF-α / Sjögren_Syndrome  "))
	// Output: "tnf α sjogren syndrome"
}
