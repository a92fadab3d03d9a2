package manifest_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/snapdb/snapdb/manifest"
)

// corruptCase is a bad manifest derived from a good fixture.
type corruptCase struct {
	name    string
	data    []byte
	wantErr error    // the sentinel errors.Is must find
	wantIn  []string // what the message must name
}

// corruptCases derives every rejected input from the fixtures; the fuzz
// target uses them as seeds too.
func corruptCases(tb testing.TB) []corruptCase {
	tb.Helper()
	good := fixture(tb, "snapdb-v1")
	igem := fixture(tb, "igem")
	snap := func(fn func(top map[string]any)) []byte { return edit(tb, good, fn) }
	ig := func(fn func(top map[string]any)) []byte { return edit(tb, igem, fn) }
	genes := func(key string, v any) []byte {
		return snap(func(top map[string]any) { table(top, "genes")[key] = v })
	}
	replace := func(old, new string) []byte {
		tb.Helper()
		if !bytes.Contains(good, []byte(old)) {
			tb.Fatalf("fixture snapdb-v1 has no %q", old)
		}
		return bytes.Replace(good, []byte(old), []byte(new), 1)
	}
	const (
		genesEntry = `"genes": {
      "file": "genes.parquet",`
		hex64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	)

	cases := []corruptCase{
		// Duplicates.
		{
			name: "duplicate table key",
			data: replace(`"tables": {`, `"tables": {
    "genes": {"file": "genes2.parquet", "rows": 1, "bytes": 1, "blake3": "`+hex64+`"},`),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{"tables", `duplicate key "genes"`},
		},
		{
			name: "duplicate table name in list",
			data: snap(func(top map[string]any) {
				list := tablesAsList(top)
				obj(list[0])["name"] = "genes" // diseases → genes
			}),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{`tables["genes"]`, "duplicate table name"},
		},
		{
			name:    "duplicate top-level key",
			data:    replace(`"format": "snapdb",`, `"format": "snapdb", "snapshot_version": "x",`),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{`duplicate key "snapshot_version"`, "top level"},
		},
		{
			name:    "duplicate key in a table",
			data:    replace(genesEntry, genesEntry+` "rows": 1,`),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{`tables["genes"]`, `duplicate key "rows"`},
		},
		{
			name:    "duplicate key in a column",
			data:    replace(`{"name": "score",`, `{"name": "score", "name": "score2",`),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{`tables["genes"].columns[2]`, `duplicate key "name"`},
		},
		{
			name: "two tables share a file",
			data: snap(func(top map[string]any) {
				table(top, "diseases")["file"] = "genes.parquet"
			}),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{`tables["genes"].file`, `"genes.parquet"`, `"diseases"`},
		},
		{
			name: "column duplicate names",
			data: snap(func(top map[string]any) {
				column(top, "genes", 2)["name"] = "symbol"
			}),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{`tables["genes"].columns[2].name`, `duplicate column "symbol"`},
		},
		{
			name:    "igem column duplicate names",
			data:    ig(func(top map[string]any) { table(top, "genes")["columns"] = []any{"id", "id"} }),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{`tables["genes"].columns[1].name`, `"id"`},
		},
		{
			name: "nlp file twice",
			data: snap(func(top map[string]any) {
				nlpFile(top, 1)["path"] = "nlp/automaton.bin"
			}),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{"nlp.files[1].path", "duplicate"},
		},

		// Versions and dialects.
		{
			name:    "format_version 2",
			data:    snap(func(top map[string]any) { top["format_version"] = 2 }),
			wantErr: manifest.ErrNewerVersion,
			wantIn:  []string{"format_version", "format_version 2", "(1)"},
		},
		{
			name:    "format_version 0",
			data:    snap(func(top map[string]any) { top["format_version"] = 0 }),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{"format_version", "0"},
		},
		{
			name:    "format_version missing",
			data:    snap(func(top map[string]any) { delete(top, "format_version") }),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{"format_version", "missing"},
		},
		{
			name:    "format other",
			data:    snap(func(top map[string]any) { top["format"] = "other" }),
			wantErr: manifest.ErrNotManifest,
			wantIn:  []string{"format", `"other"`},
		},
		{
			name: "no format and no igem_version",
			data: snap(func(top map[string]any) {
				delete(top, "format")
				delete(top, "format_version")
			}),
			wantErr: manifest.ErrNotManifest,
			wantIn:  []string{`"format"`, "igem_version"},
		},

		// Not a JSON object, or not only one.
		{
			name:    "not JSON",
			data:    append([]byte("not json: "), good...),
			wantErr: manifest.ErrNotManifest,
			wantIn:  []string{"JSON"},
		},
		{
			name:    "empty input",
			data:    []byte{},
			wantErr: manifest.ErrNotManifest,
			wantIn:  []string{"JSON"},
		},
		{
			name:    "JSON array at top",
			data:    append(append([]byte("["), good...), ']'),
			wantErr: manifest.ErrNotManifest,
			wantIn:  []string{"not a JSON object"},
		},
		{
			name:    "JSON string at top",
			data:    []byte(`"snapdb"`),
			wantErr: manifest.ErrNotManifest,
			wantIn:  []string{"not a JSON object"},
		},
		{
			name:    "trailing garbage",
			data:    append(bytes.Clone(good), "garbage"...),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{"trailing data"},
		},
		{
			name:    "second object",
			data:    append(bytes.Clone(good), "{}"...),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{"trailing data"},
		},
		{
			name:    "stray closing brace",
			data:    append(bytes.Clone(good), "}"...),
			wantErr: manifest.ErrInvalid,
		},
		{
			name:    "truncated",
			data:    good[:len(good)/2],
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{"not valid JSON"},
		},

		// Tables.
		{
			name:    "tables missing",
			data:    snap(func(top map[string]any) { delete(top, "tables") }),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{"tables", "missing"},
		},
		{
			name:    "tables a string",
			data:    snap(func(top map[string]any) { top["tables"] = "genes" }),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{"tables", "object or a list"},
		},
		{
			name: "table name with slash",
			data: snap(func(top map[string]any) {
				tables := obj(top["tables"])
				tables["a/b"] = tables["genes"]
				delete(tables, "genes")
			}),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{`tables["a/b"]`, "path separator"},
		},
		{
			name: "table name empty in list",
			data: snap(func(top map[string]any) {
				delete(obj(tablesAsList(top)[0]), "name")
			}),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{`tables[""]`, "empty table name"},
		},
		{
			name:    "table not an object",
			data:    snap(func(top map[string]any) { obj(top["tables"])["genes"] = []any{1} }),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{`tables["genes"]`, "JSON object"},
		},
		{
			name:    "negative rows",
			data:    genes("rows", -1),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{`tables["genes"].rows`, "-1"},
		},
		{
			name:    "negative bytes",
			data:    genes("bytes", -5),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{`tables["genes"].bytes`, "-5"},
		},
		{
			name:    "igem negative size_bytes",
			data:    ig(func(top map[string]any) { table(top, "genes")["size_bytes"] = -5 }),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{`tables["genes"]`, "-5"},
		},
		{
			name:    "rows a string",
			data:    genes("rows", "ten"),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{`tables["genes"].rows`, `"ten"`, "integer"},
		},
		{
			name:    "rows a fraction",
			data:    genes("rows", 1.5),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{`tables["genes"].rows`, "integer"},
		},
		{
			name:    "rows overflow",
			data:    replace(`"rows": 20000,`, `"rows": 99999999999999999999,`),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{`tables["genes"].rows`},
		},
		{
			name:    "file a number",
			data:    genes("file", 7),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{`tables["genes"].file`, "string"},
		},
		{
			name:    "columns an object",
			data:    genes("columns", map[string]any{"id": "int64"}),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{`tables["genes"].columns`, "list"},
		},
		{
			name:    "column a number",
			data:    genes("columns", []any{1}),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{`tables["genes"].columns[0]`},
		},
		{
			name:    "column nullable a string",
			data:    snap(func(top map[string]any) { column(top, "genes", 0)["nullable"] = "no" }),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{`tables["genes"].columns[0].nullable`, "boolean"},
		},
		{
			name:    "column without name",
			data:    snap(func(top map[string]any) { delete(column(top, "genes", 3), "name") }),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{`tables["genes"].columns[3].name`, "empty"},
		},

		// Hashes.
		{
			name:    "blake3 missing in snapdb dialect",
			data:    snap(func(top map[string]any) { delete(table(top, "genes"), "blake3") }),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{`tables["genes"].blake3`, "missing"},
		},
		{
			name:    "no hash at all",
			data:    ig(func(top map[string]any) { delete(table(top, "genes"), "sha256") }),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{`tables["genes"]`, "neither sha256 nor blake3"},
		},
		{
			name:    "sha256 too short",
			data:    genes("sha256", genesSHA[:63]),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{`tables["genes"].sha256`, "63 characters"},
		},
		{
			name:    "sha256 too long",
			data:    genes("sha256", genesSHA+"00"),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{`tables["genes"].sha256`, "66 characters"},
		},
		{
			name:    "sha256 upper-case",
			data:    genes("sha256", strings.ToUpper(genesSHA)),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{`tables["genes"].sha256`, "lower-case hex"},
		},
		{
			name:    "sha256 not hex",
			data:    genes("sha256", "zz"+genesSHA[2:]),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{`tables["genes"].sha256`, "hex"},
		},
		{
			name:    "blake3 too short",
			data:    genes("blake3", genesB3[:32]),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{`tables["genes"].blake3`, "32 characters"},
		},
		{
			name:    "blake3 upper-case",
			data:    genes("blake3", strings.ToUpper(genesB3)),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{`tables["genes"].blake3`, "lower-case hex"},
		},
		{
			name:    "blake3 not hex",
			data:    genes("blake3", strings.Repeat("g", 64)),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{`tables["genes"].blake3`, "hex"},
		},
		{
			name:    "igem sha256 upper-case",
			data:    ig(func(top map[string]any) { table(top, "genes")["sha256"] = strings.ToUpper(igemGenes) }),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{`tables["genes"].sha256`},
		},
		{
			name:    "nlp source_blake3 not hex",
			data:    snap(func(top map[string]any) { obj(top["nlp"])["source_blake3"] = "xyz" }),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{"nlp.source_blake3"},
		},
		{
			name:    "nlp file blake3 upper-case",
			data:    snap(func(top map[string]any) { nlpFile(top, 0)["blake3"] = strings.ToUpper(automB3) }),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{"nlp.files[0].blake3"},
		},
		{
			name:    "nlp file without blake3",
			data:    snap(func(top map[string]any) { delete(nlpFile(top, 0), "blake3") }),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{"nlp.files[0].blake3", "missing"},
		},

		// Other fields.
		{
			name:    "negative chunksize",
			data:    snap(func(top map[string]any) { top["chunksize"] = -1 }),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{"chunksize", "-1"},
		},
		{
			name:    "negative duration",
			data:    snap(func(top map[string]any) { top["duration_seconds"] = -0.5 }),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{"duration_seconds", "-0.5"},
		},
		{
			name:    "duration a string",
			data:    snap(func(top map[string]any) { top["duration_seconds"] = "12s" }),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{"duration_seconds", "number"},
		},
		{
			name:    "duration out of range",
			data:    replace(`"duration_seconds": 12.5,`, `"duration_seconds": 1e999,`),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{"duration_seconds"},
		},
		{
			name:    "exported_at garbage",
			data:    snap(func(top map[string]any) { top["exported_at"] = "yesterday" }),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{"exported_at", `"yesterday"`},
		},
		{
			name:    "exported_at a number",
			data:    snap(func(top map[string]any) { top["exported_at"] = 1740832496 }),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{"exported_at", "string"},
		},
		{
			name:    "exported_at before year 0 in UTC",
			data:    snap(func(top map[string]any) { top["exported_at"] = "0000-01-01T00:00:00+01:00" }),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{"exported_at", "-1"},
		},
		{
			name:    "exported_at after year 9999 in UTC",
			data:    snap(func(top map[string]any) { top["exported_at"] = "9999-12-31T23:30:00-01:00" }),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{"exported_at", "10000"},
		},
		{
			name:    "format_version a string",
			data:    snap(func(top map[string]any) { top["format_version"] = "1" }),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{"format_version", "integer"},
		},
		{
			name:    "format a number",
			data:    snap(func(top map[string]any) { top["format"] = 1 }),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{"format", "string"},
		},
		{
			name:    "source a number",
			data:    snap(func(top map[string]any) { top["source"] = 5 }),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{"source"},
		},
		{
			name:    "source engine a number",
			data:    snap(func(top map[string]any) { obj(top["source"])["engine"] = 5 }),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{"source.engine", "string"},
		},

		// NLP.
		{
			name:    "nlp path escapes",
			data:    snap(func(top map[string]any) { nlpFile(top, 0)["path"] = "../x" }),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{"nlp.files[0].path", `"../x"`, "nlp/"},
		},
		{
			name:    "nlp path outside nlp/",
			data:    snap(func(top map[string]any) { nlpFile(top, 1)["path"] = "x.bin" }),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{"nlp.files[1].path", `"x.bin"`, "nlp/"},
		},
		{
			name:    "nlp path in a subdirectory",
			data:    snap(func(top map[string]any) { nlpFile(top, 0)["path"] = "nlp/sub/x.bin" }),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{"nlp.files[0].path", "path separator"},
		},
		{
			name:    "nlp path dot-dot inside nlp/",
			data:    snap(func(top map[string]any) { nlpFile(top, 0)["path"] = "nlp/.." }),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{"nlp.files[0].path"},
		},
		{
			name:    "igem nlp file escapes",
			data:    ig(func(top map[string]any) { obj(top["nlp"])["file"] = "../x" }),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{"nlp.files[0].path", "../x"},
		},
		{
			name:    "igem nlp file empty",
			data:    ig(func(top map[string]any) { obj(top["nlp"])["file"] = "" }),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{"nlp.files[0].path", "empty"},
		},
		{
			name:    "nlp files not a list",
			data:    snap(func(top map[string]any) { obj(top["nlp"])["files"] = "nlp/automaton.bin" }),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{"nlp.files", "list"},
		},
		{
			name:    "nlp file bytes a string",
			data:    snap(func(top map[string]any) { nlpFile(top, 0)["bytes"] = "2MB" }),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{"nlp.files[0].bytes", "integer"},
		},
		{
			name:    "nlp file negative bytes",
			data:    snap(func(top map[string]any) { nlpFile(top, 0)["bytes"] = -1 }),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{"nlp.files[0].bytes", "-1"},
		},
		{
			name:    "nlp source_table unknown",
			data:    snap(func(top map[string]any) { obj(top["nlp"])["source_table"] = "aliases" }),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{"nlp.source_table", `"aliases"`},
		},
		{
			name:    "nlp not an object",
			data:    snap(func(top map[string]any) { top["nlp"] = []any{} }),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{"nlp", "JSON object"},
		},
	}

	// File names: each bad name as a table's file.
	for _, bad := range []string{
		"../x.parquet", "a/b.parquet", `a\b.parquet`, "/abs.parquet", "x\x00y.parquet",
		"", ".", "..", "manifest.json", "x\ny.parquet", "C:genes.parquet", "a..b.parquet",
		strings.Repeat("f", 256),
	} {
		cases = append(cases, corruptCase{
			name:    "file name " + strings.ToValidUTF8(strings.ReplaceAll(strings.ReplaceAll(bad, "\x00", "NUL"), "\n", "LF"), "?"),
			data:    genes("file", bad),
			wantErr: manifest.ErrInvalid,
			wantIn:  []string{`tables["genes"].file`},
		})
	}
	return cases
}

func TestParseErrors(t *testing.T) {
	for _, tc := range corruptCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			m, err := manifest.Parse(tc.data)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Parse(%s) = %v, error = %v, want %v", tc.name, m, err, tc.wantErr)
			}
			if m != nil {
				t.Errorf("Parse(%s) = %+v, want nil with the error", tc.name, m)
			}
			var merr *manifest.Error
			if !errors.As(err, &merr) {
				t.Errorf("Parse(%s) error = %T, want a *manifest.Error", tc.name, err)
			}
			for _, s := range tc.wantIn {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("Parse(%s) error = %q, want it to contain %q", tc.name, err, s)
				}
			}
			for _, other := range []error{manifest.ErrInvalid, manifest.ErrNewerVersion, manifest.ErrNotManifest} {
				if other != tc.wantErr && errors.Is(err, other) {
					t.Errorf("Parse(%s) error = %v, also matches %v", tc.name, err, other)
				}
			}
		})
	}
}

func TestFieldErrorNamesField(t *testing.T) {
	_, err := manifest.Parse(edit(t, fixture(t, "snapdb-v1"), func(top map[string]any) {
		table(top, "genes")["rows"] = -1
	}))
	var merr *manifest.Error
	if !errors.As(err, &merr) {
		t.Fatalf("Parse(negative rows) error = %v, want a *manifest.Error", err)
	}
	if got, want := merr.Field, `tables["genes"].rows`; got != want {
		t.Errorf("Parse(negative rows) error Field = %q, want %q", got, want)
	}
	if got, want := merr.Err, manifest.ErrInvalid; got != want {
		t.Errorf("Parse(negative rows) error Err = %v, want %v", got, want)
	}
}
