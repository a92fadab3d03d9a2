package snapshot_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/snapdb/snapdb/internal/demo"
	"github.com/snapdb/snapdb/nlp"
	"github.com/snapdb/snapdb/snapshot"
)

// demoSnapshot writes the demo dataset at a small scale.
func demoSnapshot(t *testing.T, seed uint64) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "demo")
	w, err := snapshot.Create(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tbl := range demo.Tables(&demo.Options{Scale: 0.02, Seed: seed}) {
		rr := tbl.Open()
		if err := w.WriteTable(context.Background(), tbl.Name, rr); err != nil {
			t.Fatal(err)
		}
		rr.Release()
	}
	if _, err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// mentionsOf renders mentions as "text=type:id,type:id" lines.
func mentionsOf(ms []nlp.Mention) string {
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "%d-%d %s=", m.Start, m.End, m.Text)
		for i, c := range m.Candidates {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "%s:%d", c.EntityType, c.EntityID)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func TestBuildNLPAndMatch(t *testing.T) {
	dir := demoSnapshot(t, 0)
	before, _ := snapshot.Open(dir, nil)
	oldRoot := before.RootHash()
	before.Close()

	res, err := snapshot.BuildNLP(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Stats.Kept == 0 || res.Meta.RootHash == oldRoot || res.SourceTable != "entity_aliases" {
		t.Fatalf("BuildNLP = %+v", res)
	}
	text := "Patients with Sjögren syndrome had raised TNF-α and IL-6; interferon γ did not change."
	var want string
	for _, form := range []string{"dir", "snap"} {
		path := dir
		if form == "snap" {
			path = dir + ".snap"
			if _, err := snapshot.Pack(dir, path, nil); err != nil {
				t.Fatal(err)
			}
		}
		db, err := snapshot.Open(path, &snapshot.Options{VerifyOnOpen: true})
		if err != nil {
			t.Fatal(err)
		}
		ms, err := db.Match(text)
		if err != nil {
			t.Fatalf("%s: Match: %v", form, err)
		}
		got := mentionsOf(ms)
		for _, w := range []string{"Sjögren syndrome=disease:", "TNF-α=gene:", "IL-6=gene:", "interferon γ=gene:"} {
			if !strings.Contains(got, w) {
				t.Errorf("%s: Match(%q) = \n%s\nlacks %q", form, text, got, w)
			}
		}
		if want == "" {
			want = got
		} else if got != want {
			t.Errorf("the container matched differently:\n%s\nwant\n%s", got, want)
		}
		all, err := db.MatchAll(text)
		if err != nil || len(all) < len(ms) {
			t.Errorf("%s: MatchAll = %d mentions, %v; Match found %d", form, len(all), err, len(ms))
		}
		if in := db.Info(); in.NLP == nil || in.NLP.SourceTable != "entity_aliases" {
			t.Errorf("%s: Info().NLP = %+v", form, in.NLP)
		}
		db.Close()
	}
}

func TestNLPBuiltInMemoryOnce(t *testing.T) {
	dir := demoSnapshot(t, 0)
	var notices atomic.Int32
	db, err := snapshot.Open(dir, &snapshot.Options{Logf: func(format string, args ...any) {
		if strings.Contains(fmt.Sprintf(format, args...), "no NLP cache") {
			notices.Add(1)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for range 3 {
		ms, err := db.Match("TNF-α rises")
		if err != nil || len(ms) != 1 {
			t.Fatalf("Match without a cache = %v, %v", ms, err)
		}
	}
	if got := notices.Load(); got != 1 {
		t.Errorf("the in-memory build was announced %d times, want once", got)
	}
}

func TestNLPStaleAndDamagedCachesRefused(t *testing.T) {
	a := demoSnapshot(t, 0)
	if _, err := snapshot.BuildNLP(context.Background(), a, nil); err != nil {
		t.Fatal(err)
	}
	// A foreign cache: a's NLP files attached to b, whose aliases differ.
	b := demoSnapshot(t, 99)
	for _, f := range []string{"automaton.bin", "meta.json"} {
		os.MkdirAll(filepath.Join(b, "nlp"), 0o755)
		data, _ := os.ReadFile(filepath.Join(a, "nlp", f))
		os.WriteFile(filepath.Join(b, "nlp", f), data, 0o644)
	}
	adb, _ := snapshot.Open(a, nil)
	am := adb.Manifest()
	adb.Close()
	bdb, _ := snapshot.Open(b, nil)
	bm := bdb.Manifest()
	bdb.Close()
	bm.NLP = am.NLP
	data, err := bm.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(b, "manifest.json"), data, 0o644)
	db, err := snapshot.Open(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Match("TNF-α")
	db.Close()
	if !errors.Is(err, snapshot.ErrNLPStale) || !strings.Contains(err.Error(), "snapdb nlp build") {
		t.Errorf("Match with a foreign cache: %v, want ErrNLPStale with a rebuild hint", err)
	}

	// A damaged automaton: refused (Open checks the header), and Verify
	// names the file.
	p := filepath.Join(a, "nlp", "automaton.bin")
	raw, _ := os.ReadFile(p)
	raw[9] ^= 0xff
	os.WriteFile(p, raw, 0o644)
	db, err = snapshot.Open(a, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Match("TNF-α"); err == nil || !strings.Contains(err.Error(), "rebuild it") {
		t.Errorf("Match with a damaged automaton: %v", err)
	}
	if _, err := db.Verify(context.Background()); err == nil || !strings.Contains(err.Error(), "nlp/automaton.bin") {
		t.Errorf("Verify with a damaged automaton: %v", err)
	}
	// Truncated.
	os.WriteFile(p, raw[:len(raw)/2], 0o644)
	db2, _ := snapshot.Open(a, nil)
	defer db2.Close()
	if _, err := db2.Match("TNF-α"); err == nil {
		t.Error("Match with a truncated automaton succeeded")
	}
}

func TestMatcherOutlivesLoad(t *testing.T) {
	a := demoSnapshot(t, 0)
	if _, err := snapshot.BuildNLP(context.Background(), a, nil); err != nil {
		t.Fatal(err)
	}
	file := a + ".snap"
	snapshot.Pack(a, file, nil)
	db, err := snapshot.Open(file, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := db.NLP()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Load(versioned(t, 10, 0)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	// The matcher's snapshot (and its mapped section) is still there.
	if ms, err := m.Match("TNF-α"); err != nil || len(ms) != 1 {
		t.Errorf("Match after Load and Close = %v, %v", ms, err)
	}
	m.Close()
	m.Close()
}
