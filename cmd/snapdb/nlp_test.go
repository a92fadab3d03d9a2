package main

import (
	"strings"
	"testing"
)

func TestNLPBuildAndMatch(t *testing.T) {
	dir, _ := makeDemo(t)
	before := openDB(t, dir).RootHash()
	code, out, errOut := cli(t, "nlp", "build", dir)
	if code != 0 {
		t.Fatalf("nlp build: exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "entity_aliases") || !strings.Contains(out, "gene") {
		t.Errorf("nlp build printed:\n%s", out)
	}
	if after := openDB(t, dir).RootHash(); after == before {
		t.Error("nlp build kept the root hash")
	}
	text := "Raised TNF-α in Sjögren syndrome"
	code, out, _ = cli(t, "nlp", "match", dir, text)
	if code != 0 || !lineWith(out, "TNF-α", "gene:") || !lineWith(out, "Sjögren syndrome", "disease:") {
		t.Errorf("nlp match: exit %d\n%s", code, out)
	}
	code, out, _ = cli(t, "nlp", "match", dir, text, "--json")
	var ms []map[string]any
	decodeJSON(t, "nlp match", out, &ms)
	if code != 0 || len(ms) != 2 {
		t.Errorf("nlp match --json: exit %d, %d mentions\n%s", code, len(ms), out)
	}
	if code, _, errOut := cli(t, "nlp", "build", dir, "--table", "nope"); code != 2 || !strings.Contains(errOut, "entity_aliases") {
		t.Errorf("nlp build --table nope: exit %d, %s (want the tables listed)", code, errOut)
	}
	if code, _, errOut := cli(t, "nlp", "build", dir, "--alias-col", "nope"); code != 2 || !strings.Contains(errOut, "alias_value") {
		t.Errorf("nlp build --alias-col nope: exit %d, %s (want the columns listed)", code, errOut)
	}
}

// lineWith reports whether a line of s contains every part.
func lineWith(s string, parts ...string) bool {
	for _, line := range strings.Split(s, "\n") {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(line, p)
		}
		if ok {
			return true
		}
	}
	return false
}
