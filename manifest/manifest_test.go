package manifest_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/zeebo/blake3"

	"github.com/snapdb/snapdb/manifest"
)

// Hashes in the fixtures.
const (
	genesSHA    = "024aec0b7d0d7417535ed6fc4aec084b760dd56b5e566a04599e2ecb391519c4"
	genesB3     = "1465d7cc6bd2486601abc49c22255017ade14ae98bca4ae454ebb050e537c224"
	aliasesSHA  = "141b7b0845e79430b83d5f085462c21c90c3c8c39ed87bc1f87397805ee7280e"
	aliasesB3   = "69b98dc26da1b694b2056ef2ca88d50d2ef0d4e9e347220593e7e49b898a3e25"
	diseasesB3  = "61bab572287ce2b71032430a140267996ee01ad2f4a1902ba925b52bfb381a33"
	automSHA    = "52fb7f6bd8198492d9f38a1ff59b66c516ce00f58e5691b9b7141c6862feb691"
	automB3     = "0ae87bfd011513828e4c6efed072210e9a2ee2ac699694c2e19f0fd195af592d"
	metaB3      = "8d6c247cfd215ca6cad0c305ed95e9cadf7553960010f83a14c74757e0e782a8"
	igemGenes   = "e7502e89d92bdb8fe6887da5332fe28d37d9c6d20ad256da4a6445b4b4c2d5bc"
	igemAliases = "652ee0837e41671b0389ff47158833b5bb166b9f5d76662f37c71d4e49523507"
	igemPkl     = "6c7016fb9e6b8b9c44ffa93f21fe2f5e4934187fa9334bfb0f030029dbcc4a37"
)

func raw(s string) json.RawMessage { return json.RawMessage(s) }

// wantFixtures is what Parse must decode from each fixture, with every raw
// unknown field compacted.
var wantFixtures = map[string]*manifest.Manifest{
	"snapdb-v1": {
		Dialect:         manifest.DialectSnapDB,
		FormatVersion:   1,
		SnapshotVersion: "2025-03-01",
		SchemaVersion:   "2.4.0",
		SchemaRevision:  "a1b2c3d4e5f6",
		Producer:        "snapdb",
		ProducerVersion: "0.3.0",
		// 13:34:56+01:00 in the file.
		ExportedAt:      time.Date(2025, 3, 1, 12, 34, 56, 123456000, time.UTC),
		DurationSeconds: 12.5,
		Source: manifest.Source{
			Engine:   "postgresql",
			Database: "igem",
			Extra:    map[string]json.RawMessage{"server_version": raw(`"16.2"`)},
		},
		Compression: "zstd",
		ChunkSize:   100000,
		Tables: []manifest.Table{
			{
				Name: "diseases", File: "diseases.parquet", Rows: 0, Bytes: 512, BLAKE3: diseasesB3,
				Columns: []manifest.Column{
					{Name: "id", Type: "int64", Nullable: false},
					{Name: "first_seen", Type: "date32", Nullable: true},
					{Name: "synonyms", Type: "list<item: utf8, nullable>", Nullable: true},
					{Name: "weight", Type: "decimal(38, 10)", Nullable: true},
				},
			},
			{
				Name: "entity_aliases", File: "entity_aliases.parquet", Rows: 150000, Bytes: 4194304,
				SHA256: aliasesSHA, BLAKE3: aliasesB3,
				Columns: []manifest.Column{
					{Name: "alias_value", Type: "utf8", Nullable: false},
					{Name: "entity_id", Type: "int64", Nullable: false},
					{Name: "alias_type", Type: "dictionary<values=utf8, indices=int32, ordered=false>", Nullable: true},
					{Name: "type_id", Type: "int32", Nullable: true},
				},
			},
			{
				Name: "genes", File: "genes.parquet", Rows: 20000, Bytes: 1048576,
				SHA256: genesSHA, BLAKE3: genesB3,
				Columns: []manifest.Column{
					{Name: "id", Type: "int64", Nullable: false},
					{Name: "symbol", Type: "utf8", Nullable: false,
						Extra: map[string]json.RawMessage{"description": raw(`"HGNC symbol"`)}},
					{Name: "score", Type: "float64", Nullable: true},
					{Name: "is_coding", Type: "bool", Nullable: true}, // nullable absent: true
					{Name: "updated_at", Type: "timestamp[us, tz=UTC]", Nullable: true},
				},
				Extra: map[string]json.RawMessage{"row_groups": raw(`3`)},
			},
		},
		NLP: &manifest.NLP{
			Files: []manifest.File{
				{Path: "nlp/automaton.bin", Bytes: 2097152, SHA256: automSHA, BLAKE3: automB3,
					Extra: map[string]json.RawMessage{"role": raw(`"automaton"`)}},
				{Path: "nlp/meta.json", Bytes: 734, BLAKE3: metaB3},
			},
			SourceTable:  "entity_aliases",
			SourceBLAKE3: aliasesB3,
			Extra:        map[string]json.RawMessage{"builder": raw(`{"normalise":"nfkd-lower","boundaries":"word"}`)},
		},
		Extra: map[string]json.RawMessage{
			"license":    raw(`"CC-BY-4.0"`),
			"x_pipeline": raw(`{"run_id":42,"steps":["export","verify"],"ok":true}`),
		},
	},
	"igem": {
		Dialect:       manifest.DialectIGEM,
		FormatVersion: 1,
		// Python isoformat without a zone, read as UTC.
		ExportedAt: time.Date(2025, 3, 1, 12, 34, 56, 123456000, time.UTC),
		Source:     manifest.Source{Engine: "postgresql"},
		Tables: []manifest.Table{
			{
				Name: "entity_aliases", File: "entity_aliases.parquet", Rows: 150000, Bytes: 4194304, SHA256: igemAliases,
				Columns: []manifest.Column{
					{Name: "alias_value", Nullable: true},
					{Name: "entity_id", Nullable: true},
					{Name: "alias_type", Nullable: true},
					{Name: "type_id", Nullable: true},
				},
			},
			{
				Name: "genes", File: "genes.parquet", Rows: 20000, Bytes: 1048576, SHA256: igemGenes,
				Columns: []manifest.Column{
					{Name: "id", Nullable: true},
					{Name: "symbol", Nullable: true},
					{Name: "name", Nullable: true},
					{Name: "chromosome", Nullable: true},
				},
			},
		},
		NLP: &manifest.NLP{
			Files: []manifest.File{{Path: "nlp/alias_automaton.pkl", Bytes: 2097152, SHA256: igemPkl}},
		},
		Extra: map[string]json.RawMessage{"igem_version": raw(`"0.9.2"`)},
	},
}

func TestParseFixtures(t *testing.T) {
	for _, name := range fixtureNames(t) {
		t.Run(name, func(t *testing.T) {
			want, ok := wantFixtures[name]
			if !ok {
				t.Fatalf("no expected value for fixture %q: add one to wantFixtures", name)
			}
			got, err := manifest.Parse(fixture(t, name))
			if err != nil {
				t.Fatalf("Parse(%s) error = %v, want nil", name, err)
			}
			if d := diff(want, got); d != "" {
				t.Errorf("Parse(%s) mismatch (-want +got):\n%s", name, d)
			}
		})
	}
}

// TestParseFixtureDetails spells out the points of each dialect that the
// whole-value comparison above could hide behind a fixture typo.
func TestParseFixtureDetails(t *testing.T) {
	t.Run("snapdb-v1", func(t *testing.T) {
		m := mustParse(t, fixture(t, "snapdb-v1"))
		if got, want := m.Dialect, manifest.DialectSnapDB; got != want {
			t.Errorf("Parse(snapdb-v1).Dialect = %q, want %q", got, want)
		}
		var names []string
		for _, tb := range m.Tables {
			names = append(names, tb.Name)
		}
		if d := diff([]string{"diseases", "entity_aliases", "genes"}, names); d != "" {
			t.Errorf("Parse(snapdb-v1) table names, sorted (-want +got):\n%s", d)
		}
		if got, want := m.ExportedAt.Location(), time.UTC; got != want {
			t.Errorf("Parse(snapdb-v1).ExportedAt.Location() = %v, want %v", got, want)
		}
		if got, want := m.ExportedAt.Format(time.RFC3339Nano), "2025-03-01T12:34:56.123456Z"; got != want {
			t.Errorf("Parse(snapdb-v1).ExportedAt = %s, want %s", got, want)
		}
	})
	t.Run("igem", func(t *testing.T) {
		m := mustParse(t, fixture(t, "igem"))
		if got, want := m.Dialect, manifest.DialectIGEM; got != want {
			t.Errorf("Parse(igem).Dialect = %q, want %q", got, want)
		}
		if got, want := m.FormatVersion, manifest.FormatVersion; got != want {
			t.Errorf("Parse(igem).FormatVersion = %d, want %d", got, want)
		}
		if got, want := string(m.Extra["igem_version"]), `"0.9.2"`; got != want {
			t.Errorf("Parse(igem).Extra[igem_version] = %s, want %s", got, want)
		}
		genes, ok := m.Table("genes")
		if !ok {
			t.Fatalf("Parse(igem).Table(genes) = _, false, want true")
		}
		if got, want := genes.Bytes, int64(1048576); got != want {
			t.Errorf("Parse(igem) genes.Bytes = %d, want %d (from size_bytes)", got, want)
		}
		if got, want := genes.BLAKE3, ""; got != want {
			t.Errorf("Parse(igem) genes.BLAKE3 = %q, want %q", got, want)
		}
		var cols []string
		for _, c := range genes.Columns {
			cols = append(cols, c.Name)
		}
		if d := diff([]string{"id", "symbol", "name", "chromosome"}, cols); d != "" {
			t.Errorf("Parse(igem) genes column names (-want +got):\n%s", d)
		}
		if m.NLP == nil || len(m.NLP.Files) != 1 {
			t.Fatalf("Parse(igem).NLP = %+v, want one file", m.NLP)
		}
		if got, want := m.NLP.Files[0].Path, "nlp/alias_automaton.pkl"; got != want {
			t.Errorf("Parse(igem).NLP.Files[0].Path = %q, want %q", got, want)
		}
		if got, want := m.ExportedAt.Location(), time.UTC; got != want {
			t.Errorf("Parse(igem).ExportedAt.Location() = %v, want %v", got, want)
		}
		if got, want := m.ExportedAt, time.Date(2025, 3, 1, 12, 34, 56, 123456000, time.UTC); !got.Equal(want) {
			t.Errorf("Parse(igem).ExportedAt = %v, want %v", got, want)
		}
		if got, want := m.Source.Engine, "postgresql"; got != want {
			t.Errorf("Parse(igem).Source.Engine = %q, want %q", got, want)
		}
	})
}

func TestParseAccepts(t *testing.T) {
	base := fixture(t, "snapdb-v1")
	igem := fixture(t, "igem")
	tests := []struct {
		name  string
		data  []byte
		check func(t *testing.T, m *manifest.Manifest)
	}{
		{
			name: "tables as a list",
			data: edit(t, base, func(top map[string]any) { tablesAsList(top) }),
			check: func(t *testing.T, m *manifest.Manifest) {
				want := mustParse(t, base)
				if d := diff(want.Tables, m.Tables); d != "" {
					t.Errorf("Tables (-want +got):\n%s", d)
				}
			},
		},
		{
			name: "null nlp",
			data: edit(t, base, func(top map[string]any) { top["nlp"] = nil }),
			check: func(t *testing.T, m *manifest.Manifest) {
				if m.NLP != nil {
					t.Errorf("NLP = %+v, want nil", m.NLP)
				}
			},
		},
		{
			name: "igem table without file",
			data: edit(t, igem, func(top map[string]any) { delete(table(top, "genes"), "file") }),
			check: func(t *testing.T, m *manifest.Manifest) {
				genes, _ := m.Table("genes")
				if got, want := genes.File, "genes.parquet"; got != want {
					t.Errorf("genes.File = %q, want %q", got, want)
				}
			},
		},
		{
			name: "igem nlp file already under nlp/",
			data: edit(t, igem, func(top map[string]any) { obj(top["nlp"])["file"] = "nlp/alias_automaton.pkl" }),
			check: func(t *testing.T, m *manifest.Manifest) {
				if got, want := m.NLP.Files[0].Path, "nlp/alias_automaton.pkl"; got != want {
					t.Errorf("NLP.Files[0].Path = %q, want %q", got, want)
				}
			},
		},
		{
			name: "exported_at with a space and no zone",
			data: edit(t, igem, func(top map[string]any) { top["exported_at"] = "2025-03-01 12:34:56" }),
			check: func(t *testing.T, m *manifest.Manifest) {
				if got, want := m.ExportedAt, time.Date(2025, 3, 1, 12, 34, 56, 0, time.UTC); !got.Equal(want) || got.Location() != time.UTC {
					t.Errorf("ExportedAt = %v, want %v", got, want)
				}
			},
		},
		{
			name: "snapdb manifest written from an igem one",
			data: edit(t, igem, func(top map[string]any) {
				top["format"] = "snapdb"
				top["format_version"] = 1
			}),
			check: func(t *testing.T, m *manifest.Manifest) {
				if got, want := m.Dialect, manifest.DialectIGEM; got != want {
					t.Errorf("Dialect = %q, want %q (igem_version present)", got, want)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := manifest.Parse(tc.data)
			if err != nil {
				t.Fatalf("Parse(%s) error = %v, want nil", tc.name, err)
			}
			tc.check(t, m)
		})
	}
}

func TestMarshalCanonical(t *testing.T) {
	for _, name := range fixtureNames(t) {
		t.Run(name, func(t *testing.T) {
			m := mustParse(t, fixture(t, name))
			first := mustMarshal(t, m)
			if again := mustMarshal(t, m); !bytes.Equal(first, again) {
				t.Errorf("Marshal() twice gave different bytes:\n%s\n----\n%s", first, again)
			}
			m2, err := manifest.Parse(first)
			if err != nil {
				t.Fatalf("Parse(Marshal(%s)) error = %v, want nil\n%s", name, err, first)
			}
			if second := mustMarshal(t, m2); !bytes.Equal(first, second) {
				t.Errorf("Marshal(Parse(Marshal(%s))) != Marshal(%s) (-first +second):\n%s",
					name, name, diff(strings.Split(string(first), "\n"), strings.Split(string(second), "\n")))
			}
			if got, want := m2.Dialect, m.Dialect; got != want {
				t.Errorf("Parse(Marshal(%s)).Dialect = %q, want %q", name, got, want)
			}
			if !bytes.HasSuffix(first, []byte("}\n")) || bytes.HasSuffix(first, []byte("\n\n")) {
				t.Errorf("Marshal(%s) ends with %q, want one final newline", name, first[max(0, len(first)-10):])
			}
			var indented bytes.Buffer
			if err := json.Indent(&indented, first, "", "  "); err != nil {
				t.Fatalf("json.Indent(Marshal(%s)) error = %v", name, err)
			}
			if !bytes.Equal(indented.Bytes(), first) {
				t.Errorf("Marshal(%s) is not two-space indented JSON", name)
			}
			if err := checkSortedKeys(first); err != nil {
				t.Errorf("Marshal(%s): %v", name, err)
			}
			var top map[string]any
			if err := json.Unmarshal(first, &top); err != nil {
				t.Fatal(err)
			}
			if got, want := top["format"], any("snapdb"); got != want {
				t.Errorf("Marshal(%s) format = %v, want %v", name, got, want)
			}
			if got, want := top["format_version"], any(float64(manifest.FormatVersion)); got != want {
				t.Errorf("Marshal(%s) format_version = %v, want %v", name, got, want)
			}
		})
	}
}

// checkSortedKeys reports an object, at any depth, whose keys are not in
// strictly increasing order.
func checkSortedKeys(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	type frame struct {
		object  bool
		lastKey *string
		wantKey bool
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.object && top.wantKey {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:len(stack)-1]
				if len(stack) > 0 && stack[len(stack)-1].object {
					stack[len(stack)-1].wantKey = true
				}
				continue
			}
			key := tok.(string)
			if top.lastKey != nil && key <= *top.lastKey {
				return errors.New("key " + key + " after " + *top.lastKey + ": keys not sorted")
			}
			top.lastKey = &key
			top.wantKey = false
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{object: true, wantKey: true})
			continue
		case json.Delim('['):
			stack = append(stack, &frame{})
			continue
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		// A value ended: the enclosing object wants its next key.
		if len(stack) > 0 && stack[len(stack)-1].object {
			stack[len(stack)-1].wantKey = true
		}
	}
}

func TestCheckSortedKeys(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{`{"a":1,"b":{"c":[{"d":1,"e":2}],"f":3}}`, true},
		{`{"b":1,"a":2}`, false},
		{`{"a":{"y":1,"x":2}}`, false},
		{`{"a":[{"b":1},{"d":1,"c":2}]}`, false},
		{`{"a":{},"b":[],"c":1}`, true},
	}
	for _, tc := range tests {
		if got := checkSortedKeys([]byte(tc.in)) == nil; got != tc.want {
			t.Errorf("checkSortedKeys(%s) ok = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestMarshalSortsUnknownObjects(t *testing.T) {
	m := mustParse(t, fixture(t, "snapdb-v1"))
	b := mustMarshal(t, m)
	var top map[string]json.RawMessage
	if err := json.Unmarshal(b, &top); err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := json.Compact(&got, top["x_pipeline"]); err != nil {
		t.Fatal(err)
	}
	if want := `{"ok":true,"run_id":42,"steps":["export","verify"]}`; got.String() != want {
		t.Errorf("Marshal() x_pipeline = %s, want %s", got.String(), want)
	}
}

func TestRootHash(t *testing.T) {
	for _, name := range fixtureNames(t) {
		t.Run(name, func(t *testing.T) {
			m := mustParse(t, fixture(t, name))
			got, err := m.RootHash()
			if err != nil {
				t.Fatalf("RootHash() error = %v, want nil", err)
			}
			if len(got) != 64 || strings.ToLower(got) != got {
				t.Errorf("RootHash() = %q, want 64 lower-case hex digits", got)
			}
			if _, err := hex.DecodeString(got); err != nil {
				t.Errorf("RootHash() = %q, not hex: %v", got, err)
			}
			sum := blake3.Sum256(mustMarshal(t, m))
			if want := hex.EncodeToString(sum[:]); got != want {
				t.Errorf("RootHash() = %s, want hex(blake3(Marshal())) = %s", got, want)
			}
			m2 := mustParse(t, mustMarshal(t, m))
			if again, _ := m2.RootHash(); again != got {
				t.Errorf("RootHash() after Parse(Marshal()) = %s, want %s", again, got)
			}
		})
	}
}

func TestRootHashChangesWithEveryField(t *testing.T) {
	data := fixture(t, "snapdb-v1")
	base, err := mustParse(t, data).RootHash()
	if err != nil {
		t.Fatal(err)
	}
	genes := func(m *manifest.Manifest) *manifest.Table { return &m.Tables[2] }
	tests := []struct {
		name   string
		change func(m *manifest.Manifest)
	}{
		{"snapshot_version", func(m *manifest.Manifest) { m.SnapshotVersion = "2025-03-02" }},
		{"schema_version", func(m *manifest.Manifest) { m.SchemaVersion = "2.4.1" }},
		{"schema_revision", func(m *manifest.Manifest) { m.SchemaRevision = "ffffff" }},
		{"producer_version", func(m *manifest.Manifest) { m.ProducerVersion = "0.3.1" }},
		{"exported_at", func(m *manifest.Manifest) { m.ExportedAt = m.ExportedAt.Add(time.Microsecond) }},
		{"duration_seconds", func(m *manifest.Manifest) { m.DurationSeconds = 12.25 }},
		{"source.database", func(m *manifest.Manifest) { m.Source.Database = "igem2" }},
		{"compression", func(m *manifest.Manifest) { m.Compression = "snappy" }},
		{"chunksize", func(m *manifest.Manifest) { m.ChunkSize = 99999 }},
		{"table rows", func(m *manifest.Manifest) { genes(m).Rows++ }},
		{"table bytes", func(m *manifest.Manifest) { genes(m).Bytes++ }},
		{"table sha256", func(m *manifest.Manifest) { genes(m).SHA256 = strings.Repeat("0", 64) }},
		{"table blake3", func(m *manifest.Manifest) { genes(m).BLAKE3 = strings.Repeat("0", 64) }},
		{"table file", func(m *manifest.Manifest) { genes(m).File = "genes2.parquet" }},
		{"table name", func(m *manifest.Manifest) { genes(m).Name = "genez" }},
		{"column type", func(m *manifest.Manifest) { genes(m).Columns[0].Type = "int32" }},
		{"column nullable", func(m *manifest.Manifest) { genes(m).Columns[0].Nullable = true }},
		{"column name", func(m *manifest.Manifest) { genes(m).Columns[0].Name = "gene_id" }},
		{"nlp file blake3", func(m *manifest.Manifest) { m.NLP.Files[0].BLAKE3 = strings.Repeat("1", 64) }},
		{"nlp source_blake3", func(m *manifest.Manifest) { m.NLP.SourceBLAKE3 = strings.Repeat("1", 64) }},
		{"unknown top-level value", func(m *manifest.Manifest) { m.Extra["license"] = raw(`"CC0-1.0"`) }},
		{"unknown nested value", func(m *manifest.Manifest) {
			m.Extra["x_pipeline"] = raw(`{"run_id":43,"steps":["export","verify"],"ok":true}`)
		}},
		{"unknown table value", func(m *manifest.Manifest) { genes(m).Extra["row_groups"] = raw(`4`) }},
		{"unknown column value", func(m *manifest.Manifest) { genes(m).Columns[1].Extra["description"] = raw(`"symbol"`) }},
		{"unknown nlp value", func(m *manifest.Manifest) { m.NLP.Extra["builder"] = raw(`{}`) }},
		{"new unknown field", func(m *manifest.Manifest) { m.Extra["zzz"] = raw(`null`) }},
	}
	seen := map[string]string{base: "unchanged"}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := mustParse(t, data)
			tc.change(m)
			got, err := m.RootHash()
			if err != nil {
				t.Fatalf("RootHash() after changing %s error = %v, want nil", tc.name, err)
			}
			if other, dup := seen[got]; dup {
				t.Errorf("RootHash() after changing %s = %s, the same as %s", tc.name, got, other)
			}
			seen[got] = tc.name
		})
	}
}

func TestUnknownFieldsKept(t *testing.T) {
	data := fixture(t, "snapdb-v1")
	var file map[string]any
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	m1 := mustParse(t, data)
	m2 := mustParse(t, mustMarshal(t, m1))
	genes := func(m *manifest.Manifest) manifest.Table { tb, _ := m.Table("genes"); return tb }
	tests := []struct {
		name   string
		inFile any // the value in the fixture
		get    func(m *manifest.Manifest) json.RawMessage
	}{
		{"license", file["license"], func(m *manifest.Manifest) json.RawMessage { return m.Extra["license"] }},
		{"x_pipeline", file["x_pipeline"], func(m *manifest.Manifest) json.RawMessage { return m.Extra["x_pipeline"] }},
		{"source.server_version", obj(file["source"])["server_version"],
			func(m *manifest.Manifest) json.RawMessage { return m.Source.Extra["server_version"] }},
		{`tables["genes"].row_groups`, table(file, "genes")["row_groups"],
			func(m *manifest.Manifest) json.RawMessage { return genes(m).Extra["row_groups"] }},
		{`tables["genes"].columns[1].description`, column(file, "genes", 1)["description"],
			func(m *manifest.Manifest) json.RawMessage { return genes(m).Columns[1].Extra["description"] }},
		{"nlp.builder", obj(file["nlp"])["builder"],
			func(m *manifest.Manifest) json.RawMessage { return m.NLP.Extra["builder"] }},
		{"nlp.files[0].role", nlpFile(file, 0)["role"],
			func(m *manifest.Manifest) json.RawMessage { return m.NLP.Files[0].Extra["role"] }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.inFile == nil {
				t.Fatalf("fixture has no %s", tc.name)
			}
			wantRaw, err := json.Marshal(tc.inFile)
			if err != nil {
				t.Fatal(err)
			}
			want := canonicalJSON(t, wantRaw)
			r1, r2 := tc.get(m1), tc.get(m2)
			if r1 == nil {
				t.Fatalf("Parse(snapdb-v1): %s not kept", tc.name)
			}
			if r2 == nil {
				t.Fatalf("Parse(Marshal(Parse(snapdb-v1))): %s not kept", tc.name)
			}
			if got := canonicalJSON(t, r1); got != want {
				t.Errorf("Parse(snapdb-v1) %s = %s, want %s", tc.name, got, want)
			}
			if got := canonicalJSON(t, r2); got != want {
				t.Errorf("Parse(Marshal(Parse(snapdb-v1))) %s = %s, want %s", tc.name, got, want)
			}
		})
	}
	// No unknown field appears, none is dropped: the Extra maps hold
	// exactly the fixture's unknown keys.
	if got, want := len(m2.Extra), 2; got != want {
		t.Errorf("Parse(Marshal(Parse(snapdb-v1))).Extra has %d keys, want %d: %v", got, want, m2.Extra)
	}
}

func TestMarshalParseRoundTrip(t *testing.T) {
	zone := time.FixedZone("CET", 3600)
	m := &manifest.Manifest{
		Dialect:         manifest.DialectSnapDB,
		FormatVersion:   manifest.FormatVersion,
		SnapshotVersion: "2025-03-01",
		Producer:        "snapdb",
		ExportedAt:      time.Date(2025, 3, 1, 13, 0, 0, 5, zone),
		DurationSeconds: 0.5,
		Source:          manifest.Source{Engine: "sqlite", Database: "main"},
		Compression:     "zstd",
		ChunkSize:       1000,
		Tables: []manifest.Table{
			{Name: "a", File: "a.parquet", Rows: 1, Bytes: 10, BLAKE3: genesB3,
				Columns: []manifest.Column{{Name: "x", Type: "int64"}, {Name: "y <&>", Type: "utf8", Nullable: true}}},
			{Name: "b c", File: "b c.parquet", BLAKE3: diseasesB3, SHA256: genesSHA, Columns: []manifest.Column{}},
		},
		NLP: &manifest.NLP{
			Files:       []manifest.File{{Path: "nlp/automaton.bin", Bytes: 3, BLAKE3: automB3}},
			SourceTable: "a",
		},
		Extra: map[string]json.RawMessage{"x": raw(`[1,2.50,"<"]`)},
	}
	got := mustParse(t, mustMarshal(t, m))
	want := *m
	want.ExportedAt = m.ExportedAt.UTC()
	want.Extra = map[string]json.RawMessage{"x": raw(`[1,2.50,"\u003c"]`)} // numbers as written, HTML-safe strings
	if d := diff(&want, got); d != "" {
		t.Errorf("Parse(Marshal(m)) mismatch (-want +got):\n%s", d)
	}
}

func TestMarshalRefusesInvalid(t *testing.T) {
	valid := func() *manifest.Manifest {
		return &manifest.Manifest{
			Dialect:       manifest.DialectSnapDB,
			FormatVersion: 1,
			Tables:        []manifest.Table{{Name: "a", File: "a.parquet", BLAKE3: genesB3}},
		}
	}
	if _, err := valid().Marshal(); err != nil {
		t.Fatalf("Marshal(valid) error = %v, want nil", err)
	}
	tests := []struct {
		name    string
		change  func(m *manifest.Manifest)
		wantErr error
		wantIn  string
	}{
		{"NaN duration", func(m *manifest.Manifest) { m.DurationSeconds = math.NaN() }, manifest.ErrInvalid, "duration_seconds"},
		{"infinite duration", func(m *manifest.Manifest) { m.DurationSeconds = math.Inf(1) }, manifest.ErrInvalid, "duration_seconds"},
		{"newer format", func(m *manifest.Manifest) { m.FormatVersion = 2 }, manifest.ErrNewerVersion, "format_version"},
		{"no blake3, zero dialect", func(m *manifest.Manifest) {
			m.Dialect = ""
			m.Tables[0].BLAKE3 = ""
			m.Tables[0].SHA256 = genesSHA
		}, manifest.ErrInvalid, `tables["a"].blake3`},
		{"year 10000", func(m *manifest.Manifest) { m.ExportedAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, manifest.ErrInvalid, "exported_at"},
		{"negative year", func(m *manifest.Manifest) { m.ExportedAt = time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC) }, manifest.ErrInvalid, "exported_at"},
		{"duplicate table", func(m *manifest.Manifest) { m.Tables = append(m.Tables, m.Tables[0]) }, manifest.ErrInvalid, `tables["a"]`},
		{"nlp file twice", func(m *manifest.Manifest) {
			f := manifest.File{Path: "nlp/a.bin", BLAKE3: automB3}
			m.NLP = &manifest.NLP{Files: []manifest.File{f, f}}
		}, manifest.ErrInvalid, "nlp.files[1].path"},
		{"nlp file without hash", func(m *manifest.Manifest) {
			m.NLP = &manifest.NLP{Files: []manifest.File{{Path: "nlp/a.bin"}}}
		}, manifest.ErrInvalid, "nlp.files[0]"},
		{"empty column name", func(m *manifest.Manifest) { m.Tables[0].Columns = []manifest.Column{{}} }, manifest.ErrInvalid, `tables["a"].columns[0].name`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := valid()
			tc.change(m)
			for _, call := range []struct {
				name string
				f    func() error
			}{
				{"Marshal", func() error { _, err := m.Marshal(); return err }},
				{"Write", func() error { return m.Write(io.Discard) }},
				{"RootHash", func() error { _, err := m.RootHash(); return err }},
			} {
				err := call.f()
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("%s() error = %v, want %v", call.name, err, tc.wantErr)
				}
				if !strings.Contains(err.Error(), tc.wantIn) {
					t.Errorf("%s() error = %q, want it to name %s", call.name, err, tc.wantIn)
				}
			}
		})
	}
}

func TestWrite(t *testing.T) {
	m := mustParse(t, fixture(t, "snapdb-v1"))
	var buf bytes.Buffer
	if err := m.Write(&buf); err != nil {
		t.Fatalf("Write() error = %v, want nil", err)
	}
	if got, want := buf.Bytes(), mustMarshal(t, m); !bytes.Equal(got, want) {
		t.Errorf("Write() wrote %d bytes that differ from Marshal()'s %d", len(got), len(want))
	}
	wantErr := errors.New("disk full")
	if err := m.Write(failWriter{wantErr}); !errors.Is(err, wantErr) {
		t.Errorf("Write(failing writer) error = %v, want %v", err, wantErr)
	}
}

type failWriter struct{ err error }

func (w failWriter) Write([]byte) (int, error) { return 0, w.err }

func TestAccessors(t *testing.T) {
	m := mustParse(t, fixture(t, "snapdb-v1"))
	if got, ok := m.Table("entity_aliases"); !ok || got.Rows != 150000 {
		t.Errorf("Table(entity_aliases) = %+v, %v, want rows 150000, true", got, ok)
	}
	if got, ok := m.Table("nope"); ok {
		t.Errorf("Table(nope) = %+v, true, want false", got)
	}
	if got, want := m.TotalRows(), int64(0+150000+20000); got != want {
		t.Errorf("TotalRows() = %d, want %d", got, want)
	}
	if got, want := m.TotalBytes(), int64(512+4194304+1048576+2097152+734); got != want {
		t.Errorf("TotalBytes() = %d, want %d", got, want)
	}
	empty := &manifest.Manifest{}
	if got := empty.TotalBytes(); got != 0 {
		t.Errorf("Manifest{}.TotalBytes() = %d, want 0", got)
	}
}

func TestRead(t *testing.T) {
	data := fixture(t, "snapdb-v1")
	t.Run("fixture", func(t *testing.T) {
		got, err := manifest.Read(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("Read(snapdb-v1) error = %v, want nil", err)
		}
		if d := diff(mustParse(t, data), got); d != "" {
			t.Errorf("Read(snapdb-v1) != Parse(snapdb-v1) (-want +got):\n%s", d)
		}
	})
	t.Run("exactly MaxSize", func(t *testing.T) {
		if testing.Short() {
			t.Skip("parses 64 MiB")
		}
		r := io.MultiReader(bytes.NewReader(data), &spaces{n: manifest.MaxSize - int64(len(data))})
		if _, err := manifest.Read(r); err != nil {
			t.Errorf("Read(%d bytes) error = %v, want nil", manifest.MaxSize, err)
		}
	})
	t.Run("MaxSize+1", func(t *testing.T) {
		r := io.MultiReader(bytes.NewReader(data), &spaces{n: manifest.MaxSize + 1 - int64(len(data))})
		_, err := manifest.Read(r)
		if !errors.Is(err, manifest.ErrInvalid) {
			t.Fatalf("Read(%d bytes) error = %v, want %v", manifest.MaxSize+1, err, manifest.ErrInvalid)
		}
		if !strings.Contains(err.Error(), "larger than") {
			t.Errorf("Read(%d bytes) error = %q, want it to say the manifest is too large", manifest.MaxSize+1, err)
		}
	})
	t.Run("endless", func(t *testing.T) {
		s := &spaces{n: math.MaxInt64}
		if _, err := manifest.Read(s); !errors.Is(err, manifest.ErrInvalid) {
			t.Fatalf("Read(endless) error = %v, want %v", err, manifest.ErrInvalid)
		}
		if got, limit := math.MaxInt64-s.n, int64(manifest.MaxSize+1); got > limit {
			t.Errorf("Read(endless) consumed %d bytes, want at most %d", got, limit)
		}
	})
	t.Run("reader error", func(t *testing.T) {
		wantErr := errors.New("connection reset")
		r := io.MultiReader(bytes.NewReader(data[:10]), failReader{wantErr})
		if _, err := manifest.Read(r); !errors.Is(err, wantErr) {
			t.Errorf("Read(failing reader) error = %v, want %v", err, wantErr)
		}
	})
}

// spaces yields n spaces without holding them in memory.
type spaces struct{ n int64 }

func (s *spaces) Read(p []byte) (int, error) {
	if s.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > s.n {
		p = p[:s.n]
	}
	for i := range p {
		p[i] = ' '
	}
	s.n -= int64(len(p))
	return len(p), nil
}

type failReader struct{ err error }

func (r failReader) Read([]byte) (int, error) { return 0, r.err }

func TestCheckNames(t *testing.T) {
	tests := []struct {
		fn   string
		f    func(string) error
		name string
		ok   bool
	}{
		{"CheckFileName", manifest.CheckFileName, "genes.parquet", true},
		{"CheckFileName", manifest.CheckFileName, "genes v2.parquet", true},
		{"CheckFileName", manifest.CheckFileName, "gènes.parquet", true},
		{"CheckFileName", manifest.CheckFileName, "", false},
		{"CheckFileName", manifest.CheckFileName, ".", false},
		{"CheckFileName", manifest.CheckFileName, "..", false},
		{"CheckFileName", manifest.CheckFileName, "../x.parquet", false},
		{"CheckFileName", manifest.CheckFileName, "a/b.parquet", false},
		{"CheckFileName", manifest.CheckFileName, `a\b.parquet`, false},
		{"CheckFileName", manifest.CheckFileName, "/abs.parquet", false},
		{"CheckFileName", manifest.CheckFileName, `C:x.parquet`, false},
		{"CheckFileName", manifest.CheckFileName, "x\x00y.parquet", false},
		{"CheckFileName", manifest.CheckFileName, "x\ny.parquet", false},
		{"CheckFileName", manifest.CheckFileName, "x\x7f.parquet", false},
		{"CheckFileName", manifest.CheckFileName, "\xff.parquet", false},
		{"CheckFileName", manifest.CheckFileName, "manifest.json", false},
		{"CheckFileName", manifest.CheckFileName, strings.Repeat("a", 255), true},
		{"CheckFileName", manifest.CheckFileName, strings.Repeat("a", 256), false},
		{"CheckTableName", manifest.CheckTableName, "genes", true},
		{"CheckTableName", manifest.CheckTableName, `select "x"`, true},
		{"CheckTableName", manifest.CheckTableName, "", false},
		{"CheckTableName", manifest.CheckTableName, ".", false},
		{"CheckTableName", manifest.CheckTableName, "..", false},
		{"CheckTableName", manifest.CheckTableName, "a/b", false},
		{"CheckTableName", manifest.CheckTableName, `a\b`, false},
		{"CheckTableName", manifest.CheckTableName, "a\tb", false},
		{"CheckTableName", manifest.CheckTableName, "\xff", false},
		{"CheckTableName", manifest.CheckTableName, strings.Repeat("a", 200), true},
		{"CheckTableName", manifest.CheckTableName, strings.Repeat("a", 201), false},
		{"CheckNLPPath", manifest.CheckNLPPath, "nlp/automaton.bin", true},
		{"CheckNLPPath", manifest.CheckNLPPath, "automaton.bin", false},
		{"CheckNLPPath", manifest.CheckNLPPath, "nlp/", false},
		{"CheckNLPPath", manifest.CheckNLPPath, "nlp/../x", false},
		{"CheckNLPPath", manifest.CheckNLPPath, "nlp/a/b", false},
		{"CheckNLPPath", manifest.CheckNLPPath, "../x", false},
		{"CheckNLPPath", manifest.CheckNLPPath, "/nlp/x", false},
	}
	for _, tc := range tests {
		t.Run(tc.fn+"/"+tc.name, func(t *testing.T) {
			err := tc.f(tc.name)
			if got := err == nil; got != tc.ok {
				t.Errorf("%s(%q) error = %v, want ok = %v", tc.fn, tc.name, err, tc.ok)
			}
		})
	}
}

func TestMarshalWritesCurrentFormat(t *testing.T) {
	m := &manifest.Manifest{ // FormatVersion and Dialect left zero
		Tables: []manifest.Table{{Name: "a", File: "a.parquet", BLAKE3: genesB3}},
	}
	b := mustMarshal(t, m)
	var top struct {
		Format        *string `json:"format"`
		FormatVersion *int    `json:"format_version"`
	}
	if err := json.Unmarshal(b, &top); err != nil {
		t.Fatal(err)
	}
	if top.Format == nil || *top.Format != manifest.Format {
		t.Errorf("Marshal() format = %v, want %q", top.Format, manifest.Format)
	}
	if top.FormatVersion == nil || *top.FormatVersion != manifest.FormatVersion {
		t.Errorf("Marshal() format_version = %v, want %d", top.FormatVersion, manifest.FormatVersion)
	}
	got := mustParse(t, b)
	if got.Dialect != manifest.DialectSnapDB || got.FormatVersion != manifest.FormatVersion {
		t.Errorf("Parse(Marshal()) = dialect %q version %d, want %q %d", got.Dialect, got.FormatVersion, manifest.DialectSnapDB, manifest.FormatVersion)
	}
}
