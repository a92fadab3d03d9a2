package snapshot_test

import (
	"context"
	"fmt"
	"math"
	"math/big"
	mrand "math/rand"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/snapdb/snapdb/snapshot"
)

// allTypes is every Arrow type the exporter produces, each nullable.
func allTypes() *arrow.Schema {
	ts := func(u arrow.TimeUnit, tz string) arrow.DataType { return &arrow.TimestampType{Unit: u, TimeZone: tz} }
	fields := []arrow.Field{
		{Name: "i8", Type: arrow.PrimitiveTypes.Int8},
		{Name: "i16", Type: arrow.PrimitiveTypes.Int16},
		{Name: "i32", Type: arrow.PrimitiveTypes.Int32},
		{Name: "i64", Type: arrow.PrimitiveTypes.Int64},
		{Name: "u8", Type: arrow.PrimitiveTypes.Uint8},
		{Name: "u16", Type: arrow.PrimitiveTypes.Uint16},
		{Name: "u32", Type: arrow.PrimitiveTypes.Uint32},
		{Name: "u64", Type: arrow.PrimitiveTypes.Uint64},
		{Name: "f32", Type: arrow.PrimitiveTypes.Float32},
		{Name: "f64", Type: arrow.PrimitiveTypes.Float64},
		{Name: "b", Type: arrow.FixedWidthTypes.Boolean},
		{Name: "s", Type: arrow.BinaryTypes.String},
		{Name: "ls", Type: arrow.BinaryTypes.LargeString},
		{Name: "bin", Type: arrow.BinaryTypes.Binary},
		{Name: "d32", Type: arrow.FixedWidthTypes.Date32},
		{Name: "ts_s", Type: ts(arrow.Second, "")},
		{Name: "ts_ms", Type: ts(arrow.Millisecond, "")},
		{Name: "ts_us", Type: ts(arrow.Microsecond, "")},
		{Name: "ts_ns", Type: ts(arrow.Nanosecond, "")},
		{Name: "tsz_s", Type: ts(arrow.Second, "UTC")},
		{Name: "tsz_ms", Type: ts(arrow.Millisecond, "Europe/Berlin")},
		{Name: "tsz_us", Type: ts(arrow.Microsecond, "UTC")},
		{Name: "tsz_ns", Type: ts(arrow.Nanosecond, "UTC")},
		{Name: "dec9", Type: &arrow.Decimal128Type{Precision: 9, Scale: 2}},
		{Name: "dec18", Type: &arrow.Decimal128Type{Precision: 18, Scale: 6}},
		{Name: "dec38", Type: &arrow.Decimal128Type{Precision: 38, Scale: 10}},
		{Name: "list_i64", Type: arrow.ListOf(arrow.PrimitiveTypes.Int64)},
		{Name: "list_f32", Type: arrow.ListOf(arrow.PrimitiveTypes.Float32)},
		{Name: "list_s", Type: arrow.ListOf(arrow.BinaryTypes.String)},
		{Name: "st", Type: arrow.StructOf(
			arrow.Field{Name: "x", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
			arrow.Field{Name: "y", Type: arrow.BinaryTypes.String, Nullable: true})},
	}
	for i := range fields {
		fields[i].Nullable = true
	}
	return arrow.NewSchema(fields, nil)
}

var unicodeWords = []string{"", "a", "BRCA1", "TNF-α", "Sjögren", "🧬 gene", "x\"y'z", "日本語", "line\nbreak"}

// appendRandom appends one value (or, one time in five, a null if
// nullable) to b.
func appendRandom(b array.Builder, r *rand.Rand, row int) {
	appendValue(b, r, row, true)
}

func appendValue(b array.Builder, r *rand.Rand, row int, nullable bool) {
	if nullable && r.IntN(5) == 0 {
		b.AppendNull()
		return
	}
	edge := row%7 == 0 // extremes now and then
	switch b := b.(type) {
	case *array.Int8Builder:
		b.Append(pick(edge, r, math.MinInt8, math.MaxInt8, int8(r.IntN(256)-128)))
	case *array.Int16Builder:
		b.Append(pick(edge, r, math.MinInt16, math.MaxInt16, int16(r.IntN(65536)-32768)))
	case *array.Int32Builder:
		b.Append(pick(edge, r, math.MinInt32, math.MaxInt32, r.Int32()-r.Int32()))
	case *array.Int64Builder:
		b.Append(pick(edge, r, math.MinInt64, math.MaxInt64, r.Int64()-r.Int64()))
	case *array.Uint8Builder:
		b.Append(pick(edge, r, 0, math.MaxUint8, uint8(r.Uint32())))
	case *array.Uint16Builder:
		b.Append(pick(edge, r, 0, math.MaxUint16, uint16(r.Uint32())))
	case *array.Uint32Builder:
		b.Append(pick(edge, r, 0, math.MaxUint32, r.Uint32()))
	case *array.Uint64Builder:
		b.Append(pick(edge, r, 0, math.MaxUint64, r.Uint64()))
	case *array.Float32Builder:
		b.Append(pick(edge, r, -math.MaxFloat32, float32(math.Inf(1)), float32(r.NormFloat64()*1e6)))
	case *array.Float64Builder:
		b.Append(pick(edge, r, -math.MaxFloat64, math.SmallestNonzeroFloat64, r.NormFloat64()*1e12))
	case *array.BooleanBuilder:
		b.Append(r.IntN(2) == 0)
	case *array.StringBuilder:
		b.Append(unicodeWords[r.IntN(len(unicodeWords))] + fmt.Sprint(r.IntN(100)))
	case *array.LargeStringBuilder:
		b.Append(unicodeWords[r.IntN(len(unicodeWords))])
	case *array.BinaryBuilder:
		v := make([]byte, r.IntN(20))
		for i := range v {
			v[i] = byte(r.Uint32())
		}
		b.Append(v)
	case *array.Date32Builder:
		b.Append(arrow.Date32(r.IntN(200000) - 100000))
	case *array.TimestampBuilder:
		unit := b.Type().(*arrow.TimestampType).Unit
		// Stay within the range every unit can hold as nanoseconds.
		secs := r.Int64N(4e9) - 2e9
		b.Append(arrow.Timestamp(secs*unitsPerSecond(unit) + r.Int64N(unitsPerSecond(unit))))
	case *array.Decimal128Builder:
		typ := b.Type().(*arrow.Decimal128Type)
		max := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(typ.Precision)), nil)
		max.Sub(max, big.NewInt(1))
		v := new(big.Int).Rand(mrand.New(mrand.NewSource(r.Int64())), max)
		if edge {
			v.Set(max)
		}
		if r.IntN(2) == 0 {
			v.Neg(v)
		}
		b.Append(decimal128.FromBigInt(v))
	case *array.ListBuilder:
		b.Append(true)
		n := r.IntN(4)
		for i := 0; i < n; i++ {
			appendRandom(b.ValueBuilder(), r, row+i+1)
		}
	case *array.StructBuilder:
		b.Append(true)
		for i := 0; i < b.NumField(); i++ {
			appendRandom(b.FieldBuilder(i), r, row)
		}
	default:
		panic(fmt.Sprintf("no generator for %T", b))
	}
}

func pick[T any](edge bool, r *rand.Rand, lo, hi, v T) T {
	if !edge {
		return v
	}
	if r.IntN(2) == 0 {
		return lo
	}
	return hi
}

func unitsPerSecond(u arrow.TimeUnit) int64 {
	return int64(time1e9 / u.Multiplier())
}

const time1e9 = 1_000_000_000

// makeRecords builds n rows of schema sc in batches of batch rows.
func makeRecords(t testing.TB, mem memory.Allocator, sc *arrow.Schema, n, batch int, seed uint64) []arrow.RecordBatch {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 7))
	var recs []arrow.RecordBatch
	for done := 0; done < n || (n == 0 && len(recs) == 0); {
		k := min(batch, n-done)
		b := array.NewRecordBuilder(mem, sc)
		for i := 0; i < k; i++ {
			for j, fb := range b.Fields() {
				appendValue(fb, r, done+i, sc.Field(j).Nullable)
			}
		}
		recs = append(recs, b.NewRecordBatch())
		b.Release()
		done += k
		if n == 0 {
			break
		}
	}
	return recs
}

func TestRoundTripAllTypes(t *testing.T) {
	for _, comp := range []string{"zstd", "snappy", "none"} {
		for _, rows := range []int{0, 1, 2500} {
			t.Run(fmt.Sprintf("%s/%d", comp, rows), func(t *testing.T) {
				mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
				defer mem.AssertSize(t, 0)
				sc := allTypes()
				recs := makeRecords(t, mem, sc, rows, 1000, uint64(rows))
				defer release(recs)

				dir := t.TempDir() + "/snap"
				w, err := snapshot.Create(dir, &snapshot.CreateOptions{Compression: comp, RowGroupRows: 1024, Mem: mem})
				if err != nil {
					t.Fatal(err)
				}
				rr, err := array.NewRecordReader(sc, recs)
				if err != nil {
					t.Fatal(err)
				}
				if err := w.WriteTable(context.Background(), "all_types", rr); err != nil {
					t.Fatal(err)
				}
				rr.Release()
				meta, err := w.Commit()
				if err != nil {
					t.Fatal(err)
				}
				if got, want := meta.Rows, int64(rows); got != want {
					t.Errorf("meta.Rows = %d, want %d", got, want)
				}

				db, err := snapshot.Open(dir, &snapshot.Options{Mem: mem})
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				if _, err := db.Verify(context.Background()); err != nil {
					t.Fatalf("Verify: %v", err)
				}
				got, err := db.Schema("all_types")
				if err != nil {
					t.Fatal(err)
				}
				for i, f := range sc.Fields() {
					g := got.Field(i)
					if g.Name != f.Name || !arrow.TypeEqual(g.Type, f.Type) || g.Nullable != f.Nullable {
						t.Errorf("Schema field %d = %s %s nullable=%v, want %s %s nullable=%v",
							i, g.Name, g.Type, g.Nullable, f.Name, f.Type, f.Nullable)
					}
				}
				for _, mc := range db.Manifest().Tables[0].Columns {
					f, _ := sc.FieldsByName(mc.Name)
					if len(f) != 1 || mc.Type != f[0].Type.String() {
						t.Errorf("manifest column %q type %q, want %v", mc.Name, mc.Type, f)
					}
				}
				assertTableEquals(t, db, "all_types", nil, recs)
			})
		}
	}
}

// assertTableEquals reads table (columns cols, nil for all) and compares it
// value by value with want.
func assertTableEquals(t *testing.T, db *snapshot.DB, table string, cols []string, want []arrow.RecordBatch) {
	t.Helper()
	rdr, err := db.ReadTable(context.Background(), table, cols, 333)
	if err != nil {
		t.Fatal(err)
	}
	defer rdr.Release()
	var got []arrow.RecordBatch
	for rdr.Next() {
		rec := rdr.RecordBatch()
		rec.Retain()
		got = append(got, rec)
	}
	defer release(got)
	if err := rdr.Err(); err != nil {
		t.Fatalf("ReadTable(%q) err = %v", table, err)
	}
	sc := want[0].Schema()
	wantTbl := array.NewTableFromRecords(sc, want)
	defer wantTbl.Release()
	gotTbl := array.NewTableFromRecords(rdr.Schema(), got)
	defer gotTbl.Release()
	if gotTbl.NumRows() != wantTbl.NumRows() {
		t.Fatalf("ReadTable(%q) rows = %d, want %d", table, gotTbl.NumRows(), wantTbl.NumRows())
	}
	for i := 0; i < int(gotTbl.NumCols()); i++ {
		name := gotTbl.Schema().Field(i).Name
		wi := sc.FieldIndices(name)
		if len(wi) != 1 {
			t.Fatalf("column %q not in the written schema", name)
		}
		g, w := gotTbl.Column(i).Data(), wantTbl.Column(wi[0]).Data()
		if !array.ChunkedEqual(g, w) {
			gc, _ := array.Concatenate(g.Chunks(), memory.DefaultAllocator)
			wc, _ := array.Concatenate(w.Chunks(), memory.DefaultAllocator)
			t.Errorf("column %q differs after the round trip:\n got %v\nwant %v", name, gc, wc)
			if gc != nil {
				gc.Release()
			}
			if wc != nil {
				wc.Release()
			}
		}
	}
}

func release(recs []arrow.RecordBatch) {
	for _, r := range recs {
		r.Release()
	}
}

func TestReadTableProjection(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	sc := allTypes()
	recs := makeRecords(t, mem, sc, 500, 200, 3)
	defer release(recs)
	dir := writeSnapshot(t, map[string][]arrow.RecordBatch{"t": recs}, nil)
	db, err := snapshot.Open(dir, &snapshot.Options{Mem: mem})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cols := []string{"st", "s", "list_s", "dec38"}
	rdr, err := db.ReadTable(context.Background(), "t", cols, 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range rdr.Schema().Fields() {
		names = append(names, f.Name)
	}
	rdr.Release()
	// The projected columns come in the order asked for.
	if got, want := fmt.Sprint(names), "[st s list_s dec38]"; got != want {
		t.Errorf("ReadTable columns = %s, want %s", got, want)
	}
	assertTableEquals(t, db, "t", cols, recs)

	if _, err := db.ReadTable(context.Background(), "t", []string{"nope"}, 0); err == nil {
		t.Error(`ReadTable(column "nope") succeeded, want an error`)
	}
}

// writeSnapshot writes tables into a new snapshot and returns its path.
func writeSnapshot(t testing.TB, tables map[string][]arrow.RecordBatch, opts *snapshot.CreateOptions) string {
	t.Helper()
	dir := t.TempDir() + "/snap"
	w, err := snapshot.Create(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	for name, recs := range tables {
		rr, err := array.NewRecordReader(recs[0].Schema(), recs)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WriteTable(context.Background(), name, rr); err != nil {
			t.Fatal(err)
		}
		rr.Release()
	}
	if _, err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	return dir
}
