package manifest_test

import (
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/snapdb/snapdb/manifest"
)

// fixture returns the bytes of testdata/manifest/<name>/manifest.json.
func fixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "manifest", name, manifest.FileName))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// fixtureNames lists the cases under testdata/manifest.
func fixtureNames(tb testing.TB) []string {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "manifest", "*", manifest.FileName))
	if err != nil {
		tb.Fatal(err)
	}
	if len(paths) == 0 {
		tb.Fatal("no fixtures under testdata/manifest")
	}
	var names []string
	for _, p := range paths {
		names = append(names, filepath.Base(filepath.Dir(p)))
	}
	return names
}

func mustParse(tb testing.TB, data []byte) *manifest.Manifest {
	tb.Helper()
	m, err := manifest.Parse(data)
	if err != nil {
		tb.Fatalf("Parse(%.60q) error = %v, want nil", data, err)
	}
	return m
}

func mustMarshal(tb testing.TB, m *manifest.Manifest) []byte {
	tb.Helper()
	b, err := m.Marshal()
	if err != nil {
		tb.Fatalf("Marshal() error = %v, want nil", err)
	}
	return b
}

// edit decodes a JSON object, lets fn change it, and encodes it again: the
// way corrupt inputs are derived from good fixtures.
func edit(tb testing.TB, data []byte, fn func(top map[string]any)) []byte {
	tb.Helper()
	var top map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&top); err != nil {
		tb.Fatal(err)
	}
	fn(top)
	b, err := json.MarshalIndent(top, "", "  ")
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func obj(v any) map[string]any { return v.(map[string]any) }

// table returns tables[name] of a decoded manifest in the object form.
func table(top map[string]any, name string) map[string]any {
	return obj(obj(top["tables"])[name])
}

// column returns tables[name].columns[i].
func column(top map[string]any, name string, i int) map[string]any {
	return obj(table(top, name)["columns"].([]any)[i])
}

// nlpFile returns nlp.files[i].
func nlpFile(top map[string]any, i int) map[string]any {
	return obj(obj(top["nlp"])["files"].([]any)[i])
}

// tablesAsList rewrites the tables object as a list of objects with a
// "name" field, in sorted order.
func tablesAsList(top map[string]any) []any {
	tables := obj(top["tables"])
	var list []any
	for _, name := range slices.Sorted(maps.Keys(tables)) {
		t := obj(tables[name])
		t["name"] = name
		list = append(list, t)
	}
	top["tables"] = list
	return list
}

// canonicalJSON re-encodes a JSON value with sorted keys and no spaces, so
// two encodings of the same value compare equal.
func canonicalJSON(tb testing.TB, raw []byte) string {
	tb.Helper()
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		tb.Fatalf("decoding %q: %v", raw, err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// jsonEqual compares raw JSON values by what they encode, not by their
// bytes (key order and spacing aside).
var jsonEqual = cmp.Comparer(func(a, b json.RawMessage) bool {
	return canonical(a) == canonical(b)
})

func canonical(raw []byte) string {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if dec.Decode(&v) != nil {
		return string(raw)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// diff is cmp.Diff with raw JSON compared by value: "" when equal.
func diff(want, got any) string { return cmp.Diff(want, got, jsonEqual) }
