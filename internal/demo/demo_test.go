package demo_test

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"math"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/snapdb/snapdb/internal/demo"
)

var tableOrder = []string{"entity_types", "genes", "chemicals", "diseases", "exposures", "entity_aliases"}

func tablesByName(t testing.TB, opts *demo.Options) map[string]demo.Table {
	t.Helper()
	m := map[string]demo.Table{}
	for _, tb := range demo.Tables(opts) {
		m[tb.Name] = tb
	}
	return m
}

// forEach streams a table, calling fn for every batch, and checks the batch
// schema, the batch size bound and the total row count.
func forEach(t testing.TB, tb demo.Table, batchRows int, fn func(rec arrow.RecordBatch)) int64 {
	t.Helper()
	rd := tb.Open()
	defer rd.Release()
	if !rd.Schema().Equal(tb.Schema) {
		t.Fatalf("%s: reader schema %v != table schema %v", tb.Name, rd.Schema(), tb.Schema)
	}
	var n int64
	for rd.Next() {
		rec := rd.RecordBatch()
		if !rec.Schema().Equal(tb.Schema) {
			t.Fatalf("%s: batch schema %v != table schema %v", tb.Name, rec.Schema(), tb.Schema)
		}
		if rec.NumRows() == 0 || (batchRows > 0 && rec.NumRows() > int64(batchRows)) {
			t.Fatalf("%s: batch of %d rows (BatchRows %d)", tb.Name, rec.NumRows(), batchRows)
		}
		if fn != nil {
			fn(rec)
		}
		n += rec.NumRows()
	}
	if err := rd.Err(); err != nil {
		t.Fatalf("%s: %v", tb.Name, err)
	}
	return n
}

// hashRecord feeds a type-aware, row-major encoding of every value into h,
// so the digest does not depend on batch boundaries.
func hashRecord(h hash.Hash, rec arrow.RecordBatch) {
	var buf [8]byte
	cols := rec.Columns()
	for i := 0; i < int(rec.NumRows()); i++ {
		for _, col := range cols {
			if col.IsNull(i) {
				h.Write([]byte{0})
				continue
			}
			h.Write([]byte{1})
			switch c := col.(type) {
			case *array.Int64:
				binary.LittleEndian.PutUint64(buf[:], uint64(c.Value(i)))
				h.Write(buf[:])
			case *array.Int32:
				binary.LittleEndian.PutUint32(buf[:], uint32(c.Value(i)))
				h.Write(buf[:4])
			case *array.Date32:
				binary.LittleEndian.PutUint32(buf[:], uint32(c.Value(i)))
				h.Write(buf[:4])
			case *array.Float64:
				binary.LittleEndian.PutUint64(buf[:], math.Float64bits(c.Value(i)))
				h.Write(buf[:])
			case *array.String:
				v := c.Value(i)
				binary.LittleEndian.PutUint32(buf[:], uint32(len(v)))
				h.Write(buf[:4])
				h.Write([]byte(v))
			default:
				panic(fmt.Sprintf("unexpected column type %T", col))
			}
		}
	}
}

func digest(t testing.TB, tb demo.Table) string {
	h := sha256.New()
	forEach(t, tb, 0, func(rec arrow.RecordBatch) { hashRecord(h, rec) })
	return hex.EncodeToString(h.Sum(nil))
}

func TestTableOrderAndRows(t *testing.T) {
	for _, scale := range []float64{0.01, 0.1} {
		t.Run(fmt.Sprint(scale), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			const batch = 1000
			tabs := demo.Tables(&demo.Options{Scale: scale, BatchRows: batch, Mem: mem})
			if len(tabs) != len(tableOrder) {
				t.Fatalf("got %d tables", len(tabs))
			}
			for i, tb := range tabs {
				if tb.Name != tableOrder[i] {
					t.Fatalf("table %d is %q, want %q", i, tb.Name, tableOrder[i])
				}
				if got := forEach(t, tb, batch, nil); got != tb.Rows {
					t.Errorf("%s: Rows=%d but reader produced %d", tb.Name, tb.Rows, got)
				}
			}
		})
	}
}

func TestScaleOneCounts(t *testing.T) {
	want := map[string]int64{"entity_types": 4, "genes": 60_000, "chemicals": 30_000, "diseases": 10_000, "exposures": 200_000}
	tabs := tablesByName(t, nil)
	for name, n := range want {
		if tabs[name].Rows != n {
			t.Errorf("%s: %d rows, want %d", name, tabs[name].Rows, n)
		}
	}
	if n := tabs["entity_aliases"].Rows; n < 300_000 || n > 400_000 {
		t.Errorf("entity_aliases: %d rows, want ~350,000", n)
	}
	// Scale rounds and never goes below one row; entity_types stays at 4.
	tiny := tablesByName(t, &demo.Options{Scale: 1e-9})
	for _, name := range tableOrder {
		tb := tiny[name]
		want := int64(1)
		switch name {
		case "entity_types":
			want = 4
		case "entity_aliases":
			want = tb.Rows // one gene, chemical and disease: only check exactness
		}
		if tb.Rows != want {
			t.Errorf("tiny %s: Rows=%d want %d", name, tb.Rows, want)
		}
		if got := forEach(t, tb, 0, nil); got != tb.Rows {
			t.Errorf("tiny %s: Rows=%d produced %d", name, tb.Rows, got)
		}
	}
	if s := tablesByName(t, &demo.Options{Scale: 0.5})["genes"].Rows; s != 30_000 {
		t.Errorf("scale 0.5 genes = %d", s)
	}
}

func TestDeterminism(t *testing.T) {
	opts := &demo.Options{Scale: 0.01, BatchRows: 777}
	a, b := demo.Tables(opts), demo.Tables(opts)
	for i := range a {
		// Two readers of the same Table, compared batch by batch.
		r1, r2 := a[i].Open(), a[i].Open()
		for r1.Next() {
			if !r2.Next() {
				t.Fatalf("%s: second reader ended early", a[i].Name)
			}
			x, y := r1.RecordBatch(), r2.RecordBatch()
			if x.NumRows() != y.NumRows() {
				t.Fatalf("%s: batch sizes differ", a[i].Name)
			}
			for c := 0; c < int(x.NumCols()); c++ {
				if !array.Equal(x.Column(c), y.Column(c)) {
					t.Fatalf("%s: column %s differs between readers", a[i].Name, x.ColumnName(c))
				}
			}
		}
		if r2.Next() {
			t.Fatalf("%s: second reader has extra batches", a[i].Name)
		}
		r1.Release()
		r2.Release()

		// A separate Tables call with the same options yields the same data.
		if da, db := digest(t, a[i]), digest(t, b[i]); da != db {
			t.Errorf("%s: digests differ across Tables calls", a[i].Name)
		}
	}
	// The batch size does not change the data.
	c := demo.Tables(&demo.Options{Scale: 0.01, BatchRows: 64})
	for i := range a {
		if digest(t, a[i]) != digest(t, c[i]) {
			t.Errorf("%s: data depends on BatchRows", a[i].Name)
		}
	}
	// Zero options are the documented defaults.
	d0 := demo.Tables(&demo.Options{Scale: 0.01})
	d1 := demo.Tables(&demo.Options{Scale: 0.01, Seed: demo.DefaultSeed, BatchRows: demo.DefaultBatchRows})
	d2 := demo.Tables(&demo.Options{Scale: 0.01, Seed: 7})
	if digest(t, d0[1]) != digest(t, d1[1]) {
		t.Error("zero Seed/BatchRows differ from defaults")
	}
	if digest(t, d0[1]) == digest(t, d2[1]) {
		t.Error("different seeds produced identical genes")
	}
}

// TestGolden pins the generated data (scale 0.01, default seed) so that
// accidental changes to the generator, which would silently change demo
// snapshots, are noticed. The generator uses integer arithmetic only, so the
// digests are the same on every platform. Update the constants when a change
// is intended.
func TestGolden(t *testing.T) {
	want := map[string]string{
		"entity_types":   "ffd668f54aa4e1a9",
		"genes":          "68912f5d90fcb1db",
		"chemicals":      "f51b872e21263869",
		"diseases":       "777d618e0bca20d4",
		"exposures":      "642e4c330a6adf81",
		"entity_aliases": "a71f5cf29f877360",
	}
	got := map[string]string{}
	for _, tb := range demo.Tables(&demo.Options{Scale: 0.01}) {
		got[tb.Name] = digest(t, tb)[:16]
		if got[tb.Name] != want[tb.Name] {
			t.Errorf("%s: digest %s, golden %s", tb.Name, got[tb.Name], want[tb.Name])
		}
	}
	if t.Failed() {
		t.Logf("current digests: %#v", got)
	}
}

func TestConcurrentReaders(t *testing.T) {
	tabs := demo.Tables(&demo.Options{Scale: 0.01, BatchRows: 500})
	want := make([]string, len(tabs))
	for i, tb := range tabs {
		want[i] = digest(t, tb)
	}
	var wg sync.WaitGroup
	got := make([][]string, 4)
	for g := range got {
		got[g] = make([]string, len(tabs))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := len(tabs) - 1; i >= 0; i-- {
				h := sha256.New()
				rd := tabs[i].Open()
				for rd.Next() {
					hashRecord(h, rd.RecordBatch())
				}
				rd.Release()
				got[g][i] = hex.EncodeToString(h.Sum(nil))
			}
		}()
	}
	wg.Wait()
	for g := range got {
		for i := range tabs {
			if got[g][i] != want[i] {
				t.Errorf("goroutine %d: %s differs", g, tabs[i].Name)
			}
		}
	}
}

type entity struct {
	typ  int32
	name string // symbol for genes
}

// loadEntities reads genes, chemicals and diseases.
func loadEntities(t *testing.T, tabs map[string]demo.Table) map[int64]entity {
	ents := map[int64]entity{}
	add := func(table string, typ int32, nameCol int) {
		forEach(t, tabs[table], 0, func(rec arrow.RecordBatch) {
			ids := rec.Column(0).(*array.Int64)
			names := rec.Column(nameCol).(*array.String)
			for i := 0; i < ids.Len(); i++ {
				id := ids.Value(i)
				if _, dup := ents[id]; dup {
					t.Fatalf("%s: entity_id %d is not globally unique", table, id)
				}
				ents[id] = entity{typ, names.Value(i)}
			}
		})
	}
	add("genes", demo.TypeGene, 1)
	add("chemicals", demo.TypeChemical, 1)
	add("diseases", demo.TypeDisease, 1)
	return ents
}

func TestAliases(t *testing.T) {
	for _, scale := range []float64{0.01, 0.1} {
		t.Run(fmt.Sprint(scale), func(t *testing.T) { checkAliases(t, scale) })
	}
}

// checkAliases verifies referential integrity, the one-preferred-alias rule
// and the presence of ambiguous alias values at the given scale.
func checkAliases(t *testing.T, scale float64) {
	tabs := tablesByName(t, &demo.Options{Scale: scale})
	ents := loadEntities(t, tabs)
	preferred := map[int64]int{}
	byValue := map[string]map[int64]bool{}
	types := map[string]int{}
	var lastID int64
	greek, accent := false, false
	forEach(t, tabs["entity_aliases"], 0, func(rec arrow.RecordBatch) {
		ids := rec.Column(0).(*array.Int64)
		eids := rec.Column(1).(*array.Int64)
		tids := rec.Column(2).(*array.Int32)
		vals := rec.Column(3).(*array.String)
		kinds := rec.Column(4).(*array.String)
		for i := 0; i < ids.Len(); i++ {
			if ids.Value(i) != lastID+1 {
				t.Fatalf("alias ids not sequential: %d after %d", ids.Value(i), lastID)
			}
			lastID = ids.Value(i)
			eid, v, kind := eids.Value(i), vals.Value(i), kinds.Value(i)
			e, ok := ents[eid]
			if !ok {
				t.Fatalf("alias %q references missing entity %d", v, eid)
			}
			if e.typ != tids.Value(i) {
				t.Fatalf("alias %q: type_id %d, entity type %d", v, tids.Value(i), e.typ)
			}
			if v == "" || !utf8.ValidString(v) || strings.TrimSpace(v) != v {
				t.Fatalf("bad alias value %q", v)
			}
			types[kind]++
			switch kind {
			case "preferred":
				preferred[eid]++
				if v != e.name {
					t.Fatalf("preferred alias %q != entity name %q", v, e.name)
				}
			case "synonym", "code":
			default:
				t.Fatalf("bad alias_type %q", kind)
			}
			if byValue[v] == nil {
				byValue[v] = map[int64]bool{}
			}
			byValue[v][eid] = true
			greek = greek || strings.ContainsAny(v, "αβγδεκ")
			accent = accent || strings.ContainsAny(v, "éèöüç")
		}
	})
	if int64(len(preferred)) != int64(len(ents)) {
		t.Errorf("%d entities have a preferred alias, want %d", len(preferred), len(ents))
	}
	for id, n := range preferred {
		if n != 1 {
			t.Fatalf("entity %d has %d preferred aliases", id, n)
		}
	}
	ambiguous := 0
	crossType := 0
	for _, ids := range byValue {
		if len(ids) > 1 {
			ambiguous++
			seen := map[int32]bool{}
			for id := range ids {
				seen[ents[id].typ] = true
			}
			if len(seen) > 1 {
				crossType++
			}
		}
	}
	if ambiguous == 0 || crossType == 0 {
		t.Errorf("ambiguous alias values: %d (cross-type %d), want some", ambiguous, crossType)
	}
	if types["synonym"] == 0 || types["code"] == 0 {
		t.Errorf("alias types: %v", types)
	}
	if !greek || !accent {
		t.Errorf("greek=%v accent=%v", greek, accent)
	}
	// The well-known ambiguous symbols from the brief.
	for _, v := range []string{"TNF-α", "interferon γ", "IL-6", "HLA-B/C", "Sjögren syndrome", "familial hypertrophic cardiomyopathy 3"} {
		if len(byValue[v]) == 0 {
			t.Errorf("alias %q missing", v)
		}
	}
	if len(byValue["DES"]) < 2 || len(byValue["SDS"]) < 2 {
		t.Errorf("DES/SDS should be ambiguous (gene and chemical)")
	}
	t.Logf("scale %v: %d aliases %v, %d ambiguous values (%d across entity types)", scale, lastID, types, ambiguous, crossType)
}

var (
	casRe  = regexp.MustCompile(`^\d{6}-\d{2}-\d$`)
	meshRe = regexp.MustCompile(`^D\d{6}$`)
)

func casValid(s string) bool {
	digits := strings.ReplaceAll(s[:len(s)-2], "-", "")
	sum := 0
	for i := range digits {
		sum += int(digits[len(digits)-1-i]-'0') * (i + 1)
	}
	return sum%10 == int(s[len(s)-1]-'0')
}

func TestColumns(t *testing.T) {
	tabs := tablesByName(t, &demo.Options{Scale: 0.1})

	names := map[string]bool{}
	forEach(t, tabs["entity_types"], 0, func(rec arrow.RecordBatch) {
		for i := 0; i < int(rec.NumRows()); i++ {
			names[rec.Column(1).(*array.String).Value(i)] = true
		}
	})
	for _, n := range []string{"gene", "chemical", "disease", "exposure"} {
		if !names[n] {
			t.Errorf("entity type %q missing", n)
		}
	}

	chromSet := map[string]bool{"X": true, "Y": true, "MT": true}
	for i := 1; i <= 22; i++ {
		chromSet[fmt.Sprint(i)] = true
	}
	var last int64
	nullScores := 0
	seenChrom := map[string]bool{}
	symbols := map[string]bool{}
	forEach(t, tabs["genes"], 0, func(rec arrow.RecordBatch) {
		ids := rec.Column(0).(*array.Int64)
		sym := rec.Column(1).(*array.String)
		chrom := rec.Column(3).(*array.String)
		start, end := rec.Column(4).(*array.Int64), rec.Column(5).(*array.Int64)
		strand := rec.Column(6).(*array.String)
		score := rec.Column(7).(*array.Float64)
		for i := 0; i < ids.Len(); i++ {
			if ids.Value(i) <= last {
				t.Fatalf("gene ids not ascending at %d", ids.Value(i))
			}
			last = ids.Value(i)
			if symbols[sym.Value(i)] {
				t.Fatalf("duplicate gene symbol %q", sym.Value(i))
			}
			symbols[sym.Value(i)] = true
			if !chromSet[chrom.Value(i)] {
				t.Fatalf("bad chrom %q", chrom.Value(i))
			}
			seenChrom[chrom.Value(i)] = true
			if start.Value(i) <= 0 || end.Value(i) <= start.Value(i) {
				t.Fatalf("bad coordinates %d-%d", start.Value(i), end.Value(i))
			}
			if s := strand.Value(i); s != "+" && s != "-" {
				t.Fatalf("bad strand %q", s)
			}
			if score.IsNull(i) {
				nullScores++
			}
		}
	})
	if nullScores == 0 || len(seenChrom) != 25 {
		t.Errorf("genes: %d null scores, %d chromosomes", nullScores, len(seenChrom))
	}

	nullCAS, nullMW := 0, 0
	chemNames := map[string]bool{}
	forEach(t, tabs["chemicals"], 0, func(rec arrow.RecordBatch) {
		name := rec.Column(1).(*array.String)
		cas := rec.Column(2).(*array.String)
		mw := rec.Column(4).(*array.Float64)
		for i := 0; i < cas.Len(); i++ {
			if chemNames[name.Value(i)] {
				t.Fatalf("duplicate chemical name %q", name.Value(i))
			}
			chemNames[name.Value(i)] = true
			if cas.IsNull(i) {
				nullCAS++
			} else if v := cas.Value(i); !casRe.MatchString(v) || !casValid(v) {
				t.Fatalf("bad CAS number %q", v)
			}
			if mw.IsNull(i) {
				nullMW++
			} else if mw.Value(i) <= 0 {
				t.Fatalf("bad molecular weight %v", mw.Value(i))
			}
		}
	})
	if nullCAS == 0 || nullMW == 0 {
		t.Errorf("chemicals: %d null CAS, %d null weights", nullCAS, nullMW)
	}

	disNames, meshIDs := map[string]bool{}, map[string]bool{}
	forEach(t, tabs["diseases"], 0, func(rec arrow.RecordBatch) {
		name := rec.Column(1).(*array.String)
		mesh := rec.Column(2).(*array.String)
		for i := 0; i < mesh.Len(); i++ {
			if disNames[name.Value(i)] || meshIDs[mesh.Value(i)] {
				t.Fatalf("duplicate disease %q / %q", name.Value(i), mesh.Value(i))
			}
			disNames[name.Value(i)], meshIDs[mesh.Value(i)] = true, true
			if !meshRe.MatchString(mesh.Value(i)) {
				t.Fatalf("bad MeSH id %q", mesh.Value(i))
			}
		}
	})

	ents := loadEntities(t, tabs)
	effects := map[string]int{}
	nullDis := 0
	lo := arrow.Date32FromTime(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC))
	hi := arrow.Date32FromTime(time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC))
	forEach(t, tabs["exposures"], 0, func(rec arrow.RecordBatch) {
		chem := rec.Column(1).(*array.Int64)
		gene := rec.Column(2).(*array.Int64)
		dis := rec.Column(3).(*array.Int64)
		eff := rec.Column(4).(*array.String)
		score := rec.Column(5).(*array.Float64)
		pmid := rec.Column(6).(*array.Int64)
		day := rec.Column(7).(*array.Date32)
		for i := 0; i < chem.Len(); i++ {
			if ents[chem.Value(i)].typ != demo.TypeChemical || ents[gene.Value(i)].typ != demo.TypeGene {
				t.Fatalf("exposure references bad chemical/gene %d/%d", chem.Value(i), gene.Value(i))
			}
			if dis.IsNull(i) {
				nullDis++
			} else if ents[dis.Value(i)].typ != demo.TypeDisease {
				t.Fatalf("exposure references bad disease %d", dis.Value(i))
			}
			effects[eff.Value(i)]++
			if s := score.Value(i); s <= 0 || s > 1 {
				t.Fatalf("bad score %v", s)
			}
			if pmid.Value(i) < 1_000_000 {
				t.Fatalf("bad pmid %d", pmid.Value(i))
			}
			if d := day.Value(i); d < lo || d > hi {
				t.Fatalf("bad date %v", d)
			}
		}
	})
	if len(effects) != 4 || effects["increases"] == 0 || effects["binds"] == 0 || nullDis == 0 {
		t.Errorf("exposures: effects %v, %d null diseases", effects, nullDis)
	}
}

func TestReaderLifecycle(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for _, tb := range demo.Tables(&demo.Options{Scale: 0.01, BatchRows: 100, Mem: mem}) {
		rd := tb.Open()
		rd.Retain()
		if !rd.Next() {
			t.Fatalf("%s: no batch", tb.Name)
		}
		if rd.Record() != rd.RecordBatch() {
			t.Fatalf("%s: Record() != RecordBatch()", tb.Name)
		}
		kept := rd.RecordBatch()
		kept.Retain() // outlives the reader
		rd.Release()  // still referenced once
		for rd.Next() {
		}
		if rd.RecordBatch() != nil || rd.Next() || rd.Err() != nil {
			t.Fatalf("%s: reader not exhausted cleanly", tb.Name)
		}
		rd.Release()
		if kept.NumRows() == 0 || kept.Column(0).Len() != int(kept.NumRows()) {
			t.Fatalf("%s: retained batch damaged", tb.Name)
		}
		kept.Release()

		// Releasing mid-stream frees everything too.
		rd = tb.Open()
		rd.Next()
		rd.Release()
	}
}

func TestSampleText(t *testing.T) {
	opts := &demo.Options{Scale: 0.01}
	for _, n := range []int{1, 200, 1000, 5000} {
		s := demo.SampleText(opts, n)
		if s != demo.SampleText(opts, n) {
			t.Fatalf("SampleText(%d) not deterministic", n)
		}
		if !utf8.ValidString(s) || !strings.Contains(s, "TNF-α") || !strings.Contains(s, "Sjögren syndrome") {
			t.Fatalf("SampleText(%d) = %q", n, s)
		}
		first := strings.Index(s, ".") + 1
		if len(s) > max(n, first) || (n >= 1000 && len(s) < n*8/10) {
			t.Errorf("SampleText(%d) has %d bytes", n, len(s))
		}
	}
	if demo.SampleText(opts, 0) != "" {
		t.Error("SampleText(0) should be empty")
	}
	if demo.SampleText(opts, 2000) == demo.SampleText(&demo.Options{Scale: 0.01, Seed: 3}, 2000) {
		t.Error("SampleText ignores the seed")
	}

	// Mentioned entities are real alias values.
	tabs := tablesByName(t, opts)
	aliases := map[string]bool{}
	forEach(t, tabs["entity_aliases"], 0, func(rec arrow.RecordBatch) {
		v := rec.Column(3).(*array.String)
		for i := 0; i < v.Len(); i++ {
			if len(v.Value(i)) >= 5 {
				aliases[v.Value(i)] = true
			}
		}
	})
	text := demo.SampleText(opts, 4000)
	found := 0
	for a := range aliases {
		if strings.Contains(text, a) {
			found++
		}
	}
	if found < 20 {
		t.Errorf("only %d alias values mentioned in %q", found, text)
	}
}

func BenchmarkTables(b *testing.B) {
	var rows int64
	for b.Loop() {
		rows = 0
		for _, tb := range demo.Tables(nil) {
			rows += forEach(b, tb, 0, nil)
		}
	}
	b.ReportMetric(float64(rows), "rows/op")
}
