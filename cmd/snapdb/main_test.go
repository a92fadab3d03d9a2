package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/snapdb/snapdb/snapshot"
)

// cli runs snapdb in-process and returns the exit status and both outputs.
func cli(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// makeDemo builds a small demo snapshot in a fresh directory and returns
// the directory and what demo printed.
func makeDemo(t *testing.T, extra ...string) (dir, stdout string) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "snap")
	args := append([]string{"demo", "--dir", dir, "--scale", "0.01"}, extra...)
	code, stdout, stderr := cli(t, args...)
	if code != exitOK {
		t.Fatalf("snapdb %q = exit %d, want 0\nstdout:\n%s\nstderr:\n%s", args, code, stdout, stderr)
	}
	return dir, stdout
}

func openDB(t *testing.T, dir string) *snapshot.DB {
	t.Helper()
	db, err := snapshot.Open(dir, nil)
	if err != nil {
		t.Fatalf("snapshot.Open(%q) = %v", dir, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func decodeJSON(t *testing.T, cmd, stdout string, v any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(stdout))
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: stdout is not JSON: %v\n%s", cmd, err, stdout)
	}
	if dec.More() {
		t.Fatalf("%s: stdout holds more than one JSON document:\n%s", cmd, stdout)
	}
}

func wantKeys(t *testing.T, what string, m map[string]any, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			t.Errorf("%s: no key %q in %v", what, k, m)
		}
	}
}

func TestDemoThenInspect(t *testing.T) {
	dir, demoOut := makeDemo(t)
	db := openDB(t, dir)
	info := db.Info()
	if len(info.Tables) == 0 {
		t.Fatalf("demo snapshot has no tables")
	}

	t.Run("demo output", func(t *testing.T) {
		stdout := demoOut
		for _, want := range []string{"root hash", info.RootHash, "rows/s", "open", "verify", "OK", formatCount(info.Rows)} {
			if !strings.Contains(stdout, want) {
				t.Errorf("demo output lacks %q:\n%s", want, stdout)
			}
		}
		for _, tb := range info.Tables {
			if !strings.Contains(stdout, tb.Name) {
				t.Errorf("demo output lacks table %q:\n%s", tb.Name, stdout)
			}
		}
	})

	t.Run("info", func(t *testing.T) {
		code, stdout, stderr := cli(t, "info", dir)
		if code != exitOK {
			t.Fatalf("info = exit %d, want 0; stderr: %s", code, stderr)
		}
		for _, want := range []string{"path:", "backend:", "read-only:", "format version:", "snapshot version:",
			"schema version:", "schema revision:", "producer:", "exported at:", "source:", "compression:",
			"root hash:", info.RootHash, db.Path(), "snapdb-demo", formatCount(info.Rows)} {
			if !strings.Contains(stdout, want) {
				t.Errorf("info output lacks %q:\n%s", want, stdout)
			}
		}
		for _, tb := range info.Tables {
			if !containsLine(stdout, tb.Name, formatCount(tb.Rows), formatBytes(tb.Bytes)) {
				t.Errorf("info output has no line with table %s, %d rows:\n%s", tb.Name, tb.Rows, stdout)
			}
		}
	})

	t.Run("tables", func(t *testing.T) {
		code, stdout, _ := cli(t, "tables", dir)
		if code != exitOK {
			t.Fatalf("tables = exit %d, want 0", code)
		}
		for _, tb := range info.Tables {
			if !containsLine(stdout, tb.Name, formatCount(tb.Rows), formatBytes(tb.Bytes)) {
				t.Errorf("tables output has no line with %s, %d rows:\n%s", tb.Name, tb.Rows, stdout)
			}
		}
	})

	t.Run("schema", func(t *testing.T) {
		for _, name := range db.Tables() {
			sc, err := db.Schema(name)
			if err != nil {
				t.Fatal(err)
			}
			code, stdout, _ := cli(t, "schema", dir, name)
			if code != exitOK {
				t.Fatalf("schema %s = exit %d, want 0", name, code)
			}
			for _, f := range sc.Fields() {
				if !containsLine(stdout, f.Name, f.Type.String(), yesNo(f.Nullable)) {
					t.Errorf("schema %s: no line for column %s %s:\n%s", name, f.Name, f.Type, stdout)
				}
			}
		}
	})

	t.Run("verify", func(t *testing.T) {
		code, stdout, stderr := cli(t, "verify", "--concurrency", "2", dir)
		if code != exitOK {
			t.Fatalf("verify = exit %d, want 0; stderr: %s", code, stderr)
		}
		if !strings.HasPrefix(stdout, "OK") || !strings.Contains(stdout, "MB/s") {
			t.Errorf("verify output = %q, want OK with a rate", stdout)
		}
		if stderr != "" {
			t.Errorf("verify wrote to stderr when it is not a terminal: %q", stderr)
		}
	})

	t.Run("quiet", func(t *testing.T) {
		code, stdout, stderr := cli(t, "verify", "-q", dir)
		if code != exitOK || stdout != "" || stderr != "" {
			t.Errorf("verify -q = exit %d, stdout %q, stderr %q; want 0 and no output", code, stdout, stderr)
		}
	})

	t.Run("json", func(t *testing.T) {
		var in map[string]any
		code, stdout, _ := cli(t, "info", "--json", dir)
		if code != exitOK {
			t.Fatalf("info --json = exit %d", code)
		}
		decodeJSON(t, "info --json", stdout, &in)
		wantKeys(t, "info --json", in, "backend", "readOnly", "path", "formatVersion", "snapshotVersion",
			"producer", "exportedAt", "source", "compression", "tables", "rows", "bytes", "rootHash")
		if in["rootHash"] != info.RootHash {
			t.Errorf("info --json rootHash = %v, want %s", in["rootHash"], info.RootHash)
		}

		var tables []snapshot.TableInfo
		_, stdout, _ = cli(t, "--json", "tables", dir)
		decodeJSON(t, "tables --json", stdout, &tables)
		if len(tables) != len(info.Tables) {
			t.Fatalf("tables --json: %d tables, want %d", len(tables), len(info.Tables))
		}
		for i, tb := range tables {
			if tb.Name != info.Tables[i].Name || tb.Rows != info.Tables[i].Rows {
				t.Errorf("tables --json [%d] = %s/%d, want %s/%d", i, tb.Name, tb.Rows, info.Tables[i].Name, info.Tables[i].Rows)
			}
		}

		var sc schemaJSON
		name := db.Tables()[0]
		_, stdout, _ = cli(t, "schema", dir, name, "--json")
		decodeJSON(t, "schema --json", stdout, &sc)
		want, _ := db.Schema(name)
		if sc.Table != name || len(sc.Columns) != len(want.Fields()) {
			t.Errorf("schema --json = %+v, want table %s with %d columns", sc, name, len(want.Fields()))
		}

		var rep map[string]any
		_, stdout, _ = cli(t, "verify", "--json", dir)
		decodeJSON(t, "verify --json", stdout, &rep)
		wantKeys(t, "verify --json", rep, "path", "rootHash", "files", "bytes", "seconds", "ok", "problems")
		if rep["ok"] != true {
			t.Errorf("verify --json ok = %v, want true", rep["ok"])
		}

		var d map[string]map[string]any
		_, stdout = makeDemo(t, "--json")
		decodeJSON(t, "demo --json", stdout, &map[string]any{})
		json.Unmarshal([]byte(stdout), &d)
		wantKeys(t, "demo --json meta", d["meta"], "rootHash", "rows", "bytes", "tables", "durationSeconds")
		wantKeys(t, "demo --json info", d["info"], "rootHash", "tables")
		wantKeys(t, "demo --json verify", d["verify"], "ok", "files")

		var v map[string]any
		_, stdout, _ = cli(t, "--version", "--json")
		decodeJSON(t, "--version --json", stdout, &v)
		wantKeys(t, "--version --json", v, "version", "formatVersion")
	})
}

// containsLine reports whether some line of s holds every one of the
// fields, as whitespace-separated words or phrases.
func containsLine(s string, fields ...string) bool {
	for _, line := range strings.Split(s, "\n") {
		words := " " + strings.Join(strings.Fields(line), " ") + " "
		ok := true
		for _, f := range fields {
			if !strings.Contains(words, " "+f+" ") {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func TestDemoKeepAndRefuse(t *testing.T) {
	dir, _ := makeDemo(t)
	before := openDB(t, dir).RootHash()

	var res demoResult
	code, stdout, _ := cli(t, "demo", "--json", "--keep", "--dir", dir, "--scale", "0.01")
	if code != exitOK {
		t.Fatalf("demo --keep = exit %d", code)
	}
	decodeJSON(t, "demo --keep --json", stdout, &res)
	if !res.Kept || res.Info.RootHash != before {
		t.Errorf("demo --keep: kept %v, root hash %s; want kept, %s", res.Kept, res.Info.RootHash, before)
	}

	// A different scale is rebuilt even with --keep.
	code, stdout, _ = cli(t, "demo", "--json", "--keep", "--dir", dir, "--scale", "0.02")
	if code != exitOK {
		t.Fatalf("demo --keep --scale 0.02 = exit %d", code)
	}
	res = demoResult{}
	decodeJSON(t, "demo --keep --json", stdout, &res)
	if res.Kept {
		t.Errorf("demo --keep with another scale kept the old snapshot")
	}

	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "precious.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := cli(t, "demo", "--dir", other, "--scale", "0.01")
	if code != exitIO || !strings.Contains(stderr, "not a snapshot") {
		t.Errorf("demo into a non-empty non-snapshot dir = exit %d, stderr %q; want 2, refused", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(other, "precious.txt")); err != nil {
		t.Errorf("demo clobbered a non-snapshot dir: %v", err)
	}

	code, _, _ = cli(t, "demo", "--dir", dir, "--scale", "-1")
	if code != exitUsage {
		t.Errorf("demo --scale -1 = exit %d, want %d", code, exitUsage)
	}
}

func TestExitCodes(t *testing.T) {
	empty := t.TempDir()
	tests := []struct {
		args      []string
		code      int
		inStderr  string
		jsonKind  string
		emptyJSON bool
	}{
		{args: nil, code: exitUsage, inStderr: "no command"},
		{args: []string{"frobnicate"}, code: exitUsage, inStderr: "unknown command"},
		{args: []string{"info", "--no-such-flag", empty}, code: exitUsage, inStderr: "unknown flag"},
		{args: []string{"info"}, code: exitUsage, inStderr: "want 1 argument"},
		{args: []string{"schema", empty}, code: exitUsage, inStderr: "want 2 argument"},
		{args: []string{"verify", "--concurrency", "x", empty}, code: exitUsage, inStderr: "invalid argument"},
		{args: []string{"info", empty}, code: exitIO, inStderr: "has no manifest.json"},
		{args: []string{"verify", empty}, code: exitIO, inStderr: "has no manifest.json"},
		{args: []string{"info", filepath.Join(empty, "missing")}, code: exitIO, inStderr: "does not exist"},
		{args: []string{"--json", "info", empty}, code: exitIO, inStderr: "has no manifest.json", jsonKind: kindIO},
		{args: []string{"--json", "frobnicate"}, code: exitUsage, inStderr: "unknown command", jsonKind: kindUsage},
		{args: []string{"info", "--json", "--bogus"}, code: exitUsage, inStderr: "unknown flag", jsonKind: kindUsage},
	}
	for _, tt := range tests {
		code, stdout, stderr := cli(t, tt.args...)
		if code != tt.code {
			t.Errorf("snapdb %q = exit %d, want %d (stderr %q)", tt.args, code, tt.code, stderr)
		}
		if !strings.Contains(stderr, tt.inStderr) || !strings.HasPrefix(stderr, "snapdb: ") {
			t.Errorf("snapdb %q: stderr = %q, want \"snapdb: ...%s...\"", tt.args, stderr, tt.inStderr)
		}
		if tt.jsonKind == "" {
			if stdout != "" {
				t.Errorf("snapdb %q: stdout = %q, want nothing", tt.args, stdout)
			}
			continue
		}
		var doc struct {
			Error struct {
				Code    int    `json:"code"`
				Kind    string `json:"kind"`
				Message string `json:"message"`
			} `json:"error"`
		}
		decodeJSON(t, strings.Join(tt.args, " "), stdout, &doc)
		if doc.Error.Code != tt.code || doc.Error.Kind != tt.jsonKind || !strings.Contains(doc.Error.Message, tt.inStderr) {
			t.Errorf("snapdb %q: JSON error = %+v, want code %d kind %s", tt.args, doc.Error, tt.code, tt.jsonKind)
		}
	}
}

func TestSchemaUnknownTable(t *testing.T) {
	dir, _ := makeDemo(t)
	db := openDB(t, dir)
	code, _, stderr := cli(t, "schema", dir, "no_such_table")
	if code != exitIO {
		t.Errorf("schema of an unknown table = exit %d, want %d", code, exitIO)
	}
	if !strings.Contains(stderr, "no_such_table") {
		t.Errorf("stderr %q does not name the table asked for", stderr)
	}
	for _, name := range db.Tables() {
		if !strings.Contains(stderr, name) {
			t.Errorf("stderr %q does not list table %s", stderr, name)
		}
	}
}

func TestVerifyCorrupt(t *testing.T) {
	dir, _ := makeDemo(t)
	db := openDB(t, dir)
	info := db.Info()
	victim := info.Tables[len(info.Tables)-1]
	db.Close()

	// Flip one byte near the start of the file: in the first column chunk,
	// far from the footer, so Open still succeeds and only the hash differs.
	p := filepath.Join(dir, victim.File)
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	data[8] ^= 0xff
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}

	code, stdout, stderr := cli(t, "verify", dir)
	if code != exitIntegrity {
		t.Fatalf("verify of a corrupt snapshot = exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitIntegrity, stdout, stderr)
	}
	if !strings.Contains(stdout, "FAILED") || !containsLine(stdout, victim.Name, victim.File, "sha256") {
		t.Errorf("verify output does not name table %s:\n%s", victim.Name, stdout)
	}
	if !strings.Contains(stderr, victim.Name) {
		t.Errorf("verify stderr does not name table %s: %s", victim.Name, stderr)
	}

	code, stdout, _ = cli(t, "verify", "--json", dir)
	if code != exitIntegrity {
		t.Fatalf("verify --json of a corrupt snapshot = exit %d, want %d", code, exitIntegrity)
	}
	var doc struct {
		Error struct {
			Code       int                 `json:"code"`
			Kind       string              `json:"kind"`
			Mismatches []snapshot.Mismatch `json:"mismatches"`
		} `json:"error"`
		Verify snapshot.VerifyReport `json:"verify"`
	}
	decodeJSON(t, "verify --json", stdout, &doc)
	if doc.Error.Code != exitIntegrity || doc.Error.Kind != kindIntegrity || doc.Verify.OK {
		t.Errorf("verify --json error = %+v, verify ok %v; want code 3, kind integrity, not ok", doc.Error, doc.Verify.OK)
	}
	if len(doc.Error.Mismatches) == 0 || doc.Error.Mismatches[0].Table != victim.Name {
		t.Errorf("verify --json mismatches = %+v, want table %s", doc.Error.Mismatches, victim.Name)
	}
}

func TestBinaryHelp(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "snapdb")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	out, err := exec.Command(bin, "--help").Output()
	if err != nil {
		t.Fatalf("snapdb --help: %v", err)
	}
	for _, want := range []string{"Exit status", "0  success", "1  usage error", "2  not a snapshot", "3  integrity failure", `"kind"`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("snapdb --help lacks %q:\n%s", want, out)
		}
	}

	for _, tt := range []struct {
		args []string
		code int
	}{
		{nil, exitUsage},
		{[]string{"info", t.TempDir()}, exitIO},
	} {
		err := exec.Command(bin, tt.args...).Run()
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != tt.code {
			t.Errorf("snapdb %q: %v, want exit status %d", tt.args, err, tt.code)
		}
	}
}
