package snapshot

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/google/go-cmp/cmp"
)

// encodingSchema has a column for each case of planEncodings.
func encodingSchema() *arrow.Schema {
	return arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},                                  // ascending: delta
		{Name: "rand64", Type: arrow.PrimitiveTypes.Int64},                              // random: plain
		{Name: "fk", Type: arrow.PrimitiveTypes.Int32, Nullable: true},                  // clustered, with NULLs: delta
		{Name: "rand32", Type: arrow.PrimitiveTypes.Int32},                              // random: plain
		{Name: "u64", Type: arrow.PrimitiveTypes.Uint64},                                // random, beyond int64: plain
		{Name: "day", Type: arrow.FixedWidthTypes.Date32},                               // constant: delta
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: ""}}, // event times: delta
		{Name: "wrap", Type: arrow.PrimitiveTypes.Int64},                                // ascending with int64 extremes: delta
		{Name: "sym", Type: arrow.BinaryTypes.String},                                   // unique: no dictionary
		{Name: "chrom", Type: arrow.BinaryTypes.String, Nullable: true},                 // 25 values: dictionary
		{Name: "blob", Type: arrow.BinaryTypes.Binary},                                  // unique: no dictionary
		{Name: "score", Type: arrow.PrimitiveTypes.Float64},                             // not an integer: plain
	}, nil)
}

// encodingBatch builds n rows of encodingSchema starting at row base.
func encodingBatch(t testing.TB, mem memory.Allocator, base, n int) arrow.RecordBatch {
	t.Helper()
	rng := rand.New(rand.NewPCG(uint64(base), 7))
	b := array.NewRecordBuilder(mem, encodingSchema())
	defer b.Release()
	for i := base; i < base+n; i++ {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		b.Field(1).(*array.Int64Builder).Append(int64(rng.Uint64()))
		if i%7 == 0 {
			b.Field(2).AppendNull()
		} else {
			b.Field(2).(*array.Int32Builder).Append(int32(i / 10))
		}
		b.Field(3).(*array.Int32Builder).Append(int32(rng.Uint32()))
		b.Field(4).(*array.Uint64Builder).Append(rng.Uint64() | 1<<63)
		b.Field(5).(*array.Date32Builder).Append(20000)
		b.Field(6).(*array.TimestampBuilder).Append(arrow.Timestamp(1_700_000_000_000_000 + int64(i)*1_000_003))
		switch i % 1000 {
		case 500:
			b.Field(7).(*array.Int64Builder).Append(math.MinInt64)
		case 501:
			b.Field(7).(*array.Int64Builder).Append(math.MaxInt64)
		default:
			b.Field(7).(*array.Int64Builder).Append(int64(i))
		}
		b.Field(8).(*array.StringBuilder).Append(fmt.Sprintf("G%d", i))
		if i%11 == 0 {
			b.Field(9).AppendNull()
		} else {
			b.Field(9).(*array.StringBuilder).Append(fmt.Sprintf("chr%d", rng.IntN(25)))
		}
		b.Field(10).(*array.BinaryBuilder).Append(fmt.Appendf(nil, "%016x", rng.Uint64()))
		b.Field(11).(*array.Float64Builder).Append(rng.NormFloat64())
	}
	return b.NewRecordBatch()
}

func TestPlanEncodings(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := encodingSchema()
	rec := encodingBatch(t, mem, 0, 20000)
	defer rec.Release()

	p := planEncodings(schema, rec)
	got := map[string][]string{}
	for f := range p.delta {
		got["delta"] = append(got["delta"], f)
	}
	for f := range p.noDict {
		got["noDict"] = append(got["noDict"], f)
	}
	for _, v := range got {
		slices.Sort(v)
	}
	want := map[string][]string{
		"delta":  {"day", "fk", "id", "ts", "wrap"},
		"noDict": {"blob", "sym"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("planEncodings (-want +got):\n%s", diff)
	}

	// Too small a first batch, or none, chooses nothing.
	small := rec.NewSlice(0, minSampleRows-1)
	defer small.Release()
	for name, first := range map[string]arrow.RecordBatch{"small": small, "none": nil} {
		p := planEncodings(schema, first)
		if len(p.delta)+len(p.noDict) != 0 {
			t.Errorf("planEncodings(%s batch) = %v, want no choice", name, p)
		}
	}
}

// TestDeltaSizeMatchesWriter checks the estimate against the bytes
// arrow-go actually writes, for INT32 and INT64 and several shapes of
// data.
func TestDeltaSizeMatchesWriter(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	shapes := map[string]func(i int) int64{
		"ascending": func(i int) int64 { return int64(i) },
		"steps":     func(i int) int64 { return int64(i) * 7919 % 248956422 },
		"constant":  func(int) int64 { return 42 },
		"random":    func(int) int64 { return int64(rng.Uint64()) },
		"small":     func(int) int64 { return int64(rng.IntN(100)) },
		"extremes": func(i int) int64 {
			if i%2 == 0 {
				return math.MinInt64
			}
			return math.MaxInt64
		},
	}
	for name, shape := range shapes {
		for _, width32 := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/int32=%v", name, width32), func(t *testing.T) {
				const n = 10000
				vals := make([]int64, n)
				for i := range vals {
					vals[i] = shape(i)
					if width32 {
						vals[i] = int64(int32(vals[i]))
					}
				}
				est := deltaSize(vals, width32)
				got := deltaPageBytes(t, vals, width32)
				// The page header and the encoding's own header (block
				// size, miniblocks, count, first value) are not estimated.
				if d := got - est; d < 0 || d > 64 {
					t.Errorf("deltaSize = %d, written %d bytes (header and encoding header allowed: 0..64)", est, got)
				}
			})
		}
	}
}

// deltaPageBytes writes vals as one DELTA_BINARY_PACKED column, without
// compression, and returns the column chunk's size.
func deltaPageBytes(t *testing.T, vals []int64, width32 bool) int64 {
	t.Helper()
	mem := memory.NewGoAllocator()
	typ := arrow.DataType(arrow.PrimitiveTypes.Int64)
	if width32 {
		typ = arrow.PrimitiveTypes.Int32
	}
	schema := arrow.NewSchema([]arrow.Field{{Name: "v", Type: typ}}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for _, v := range vals {
		if width32 {
			b.Field(0).(*array.Int32Builder).Append(int32(v))
		} else {
			b.Field(0).(*array.Int64Builder).Append(v)
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Uncompressed),
		parquet.WithDictionaryDefault(false), parquet.WithStats(false),
		parquet.WithEncodingFor("v", parquet.Encodings.DeltaBinaryPacked))
	var buf bytes.Buffer
	fw, err := pqarrow.NewFileWriter(schema, &buf, props, pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	if err := fw.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := file.NewParquetReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	cc, err := r.MetaData().RowGroup(0).ColumnChunk(0)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(cc.Encodings(), parquet.Encodings.DeltaBinaryPacked) {
		t.Fatalf("column written with %v, want DELTA_BINARY_PACKED", cc.Encodings())
	}
	return cc.TotalUncompressedSize()
}

// TestWriteTableChoosesEncodings writes a table through the public path
// and checks both the encodings in the file and that every value reads
// back, the int64 extremes of the delta-encoded "wrap" column included.
func TestWriteTableChoosesEncodings(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := encodingSchema()
	var batches []arrow.RecordBatch
	for base := 0; base < 50000; base += 12500 {
		batches = append(batches, encodingBatch(t, mem, base, 12500))
	}
	defer func() {
		for _, b := range batches {
			b.Release()
		}
	}()
	path := filepath.Join(t.TempDir(), "snap")
	w, err := Create(path, &CreateOptions{RowGroupRows: 20000, Mem: mem})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteTable(context.Background(), "t", &sliceReader{schema: schema, batches: batches}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Commit(); err != nil {
		t.Fatal(err)
	}

	r, err := file.OpenParquetFile(filepath.Join(path, "t.parquet"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	md := r.MetaData()
	if md.NumRowGroups() < 2 {
		t.Fatalf("%d row groups, want several", md.NumRowGroups())
	}
	for rg := range md.NumRowGroups() {
		for c := range md.Schema.NumColumns() {
			cc, err := md.RowGroup(rg).ColumnChunk(c)
			if err != nil {
				t.Fatal(err)
			}
			name := md.Schema.Column(c).Name()
			encs := cc.Encodings()
			delta := slices.Contains(encs, parquet.Encodings.DeltaBinaryPacked)
			dict := slices.Contains(encs, parquet.Encodings.RLEDict) || slices.Contains(encs, parquet.Encodings.PlainDict)
			wantDelta := slices.Contains([]string{"id", "fk", "day", "ts", "wrap"}, name)
			if delta != wantDelta {
				t.Errorf("row group %d column %s: encodings %v, delta = %v, want %v", rg, name, encs, delta, wantDelta)
			}
			if name == "sym" || name == "blob" {
				if dict {
					t.Errorf("row group %d column %s: encodings %v, want no dictionary", rg, name, encs)
				}
			}
			if name == "chrom" && !dict {
				t.Errorf("row group %d column chrom: encodings %v, want a dictionary", rg, encs)
			}
		}
	}

	db, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rr, err := db.ReadTable(context.Background(), "t", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Release()
	var read []arrow.RecordBatch
	for rr.Next() {
		b := rr.RecordBatch()
		b.Retain()
		read = append(read, b)
	}
	if err := rr.Err(); err != nil {
		t.Fatal(err)
	}
	got := array.NewTableFromRecords(schema, read)
	defer got.Release()
	for _, b := range read {
		b.Release()
	}
	want := array.NewTableFromRecords(schema, batches)
	defer want.Release()
	if !array.TableEqual(want, got) {
		t.Fatal("the table read back differs from the one written")
	}
}
