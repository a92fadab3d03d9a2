package snapshot

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/zeebo/blake3"
)

// flatSchema has a column of every flat type columnsWriter takes, nullable
// and not.
func flatSchema() *arrow.Schema {
	return arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "i8", Type: arrow.PrimitiveTypes.Int8, Nullable: true},
		{Name: "i16", Type: arrow.PrimitiveTypes.Int16, Nullable: true},
		{Name: "i32", Type: arrow.PrimitiveTypes.Int32},
		{Name: "u32", Type: arrow.PrimitiveTypes.Uint32, Nullable: true},
		{Name: "u64", Type: arrow.PrimitiveTypes.Uint64, Nullable: true},
		{Name: "f32", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
		{Name: "f64", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "chrom", Type: arrow.BinaryTypes.String}, // few values: keeps its dictionary
		{Name: "blob", Type: arrow.BinaryTypes.Binary, Nullable: true},
		{Name: "big", Type: arrow.BinaryTypes.LargeString, Nullable: true},
		{Name: "fixed", Type: &arrow.FixedSizeBinaryType{ByteWidth: 4}, Nullable: true},
		{Name: "day", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "t", Type: arrow.FixedWidthTypes.Time64us, Nullable: true},
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
		{Name: "dec", Type: &arrow.Decimal128Type{Precision: 12, Scale: 2}, Nullable: true},
		{Name: "nulls", Type: arrow.PrimitiveTypes.Int64, Nullable: true}, // every value null
	}, nil)
}

// flatBatches builds batches of the given sizes from a seeded generator.
func flatBatches(t testing.TB, mem memory.Allocator, sizes ...int) []arrow.RecordBatch {
	t.Helper()
	rng := rand.New(rand.NewSource(1))
	b := array.NewRecordBuilder(mem, flatSchema())
	defer b.Release()
	var out []arrow.RecordBatch
	id := int64(0)
	for _, n := range sizes {
		for j := 0; j < n; j++ {
			id++
			null := rng.Intn(10) == 0
			for i, f := range b.Fields() {
				if null && b.Schema().Field(i).Nullable && i%2 == 0 || b.Schema().Field(i).Name == "nulls" {
					f.AppendNull()
					continue
				}
				switch f := f.(type) {
				case *array.Int64Builder:
					f.Append(id)
				case *array.BooleanBuilder:
					f.Append(rng.Intn(2) == 0)
				case *array.Int8Builder:
					f.Append(int8(rng.Intn(256)))
				case *array.Int16Builder:
					f.Append(int16(rng.Intn(65536)))
				case *array.Int32Builder:
					f.Append(rng.Int31())
				case *array.Uint32Builder:
					f.Append(rng.Uint32())
				case *array.Uint64Builder:
					f.Append(rng.Uint64())
				case *array.Float32Builder:
					f.Append(rng.Float32())
				case *array.Float64Builder:
					f.Append(rng.NormFloat64())
				case *array.StringBuilder:
					if b.Schema().Field(i).Name == "chrom" {
						f.Append(fmt.Sprintf("chr%d", rng.Intn(25)))
					} else {
						f.Append(fmt.Sprintf("%x gene", rng.Int63()))
					}
				case *array.BinaryBuilder:
					f.Append([]byte(strings.Repeat("x", rng.Intn(20))))
				case *array.LargeStringBuilder:
					f.Append(fmt.Sprintf("G%d", id))
				case *array.FixedSizeBinaryBuilder:
					f.Append([]byte{byte(id), 1, 2, byte(rng.Intn(4))})
				case *array.Date32Builder:
					f.Append(arrow.Date32(rng.Intn(40000)))
				case *array.Time64Builder:
					f.Append(arrow.Time64(rng.Int63n(86_400_000_000)))
				case *array.TimestampBuilder:
					f.Append(arrow.Timestamp(rng.Int63n(2e15)))
				case *array.Decimal128Builder:
					f.Append(decimal128.FromI64(rng.Int63n(1e11)))
				default:
					t.Fatalf("unhandled builder %T", f)
				}
			}
		}
		out = append(out, b.NewRecordBatch())
	}
	return out
}

// encodeWith writes batches into one Parquet file in memory with the
// writer the test names: "arrow" (pqarrow's FileWriter) or "columns/N".
func encodeWith(t testing.TB, kind string, rowGroup int64, codec compress.Compression, batches []arrow.RecordBatch) []byte {
	t.Helper()
	mem := memory.NewGoAllocator()
	w := &Writer{opts: CreateOptions{RowGroupRows: rowGroup, Producer: Producer, ProducerVersion: ProducerVersion, CompressionLevel: 1, Mem: mem}, codec: codec}
	schema := flatSchema()
	var first arrow.RecordBatch // chooses the encodings, as in writeTable
	if len(batches) > 0 {
		first = batches[0]
	}
	props := w.writerProps(schema, planEncodings(schema, first))
	arrprops := pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema(), pqarrow.WithAllocator(mem))
	var buf bytes.Buffer
	var tw tableWriter
	var err error
	switch kind {
	case "arrow":
		tw, err = newArrowWriter(schema, &buf, props, arrprops)
	case "columns/1":
		tw, err = newColumnsWriter(schema, &buf, props, arrprops, 1)
	case "columns/4":
		tw, err = newColumnsWriter(schema, &buf, props, arrprops, 4)
	default:
		t.Fatalf("unknown writer %q", kind)
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range batches {
		if err := tw.write(b); err != nil {
			t.Fatalf("%s: write: %v", kind, err)
		}
	}
	if err := tw.close(); err != nil {
		t.Fatalf("%s: close: %v", kind, err)
	}
	return buf.Bytes()
}

// TestColumnsWriterSameBytes checks that encoding columns concurrently
// writes exactly the file pqarrow's FileWriter writes: batches that fit a
// row group, that cross one or several boundaries, that end exactly on one,
// empty ones, and the three codecs.
func TestColumnsWriterSameBytes(t *testing.T) {
	cases := []struct {
		name     string
		rowGroup int64
		sizes    []int
	}{
		{"one batch", 1000, []int{700}},
		{"crossing", 1000, []int{700, 700, 700, 10}},
		{"exact boundary", 500, []int{500, 500, 250}},
		{"batch of several groups", 300, []int{50, 1000, 3}},
		{"empty first", 1000, []int{0, 20}},
		{"empty between", 100, []int{100, 0, 7}},
		{"big pages", 20000, []int{15000, 15000}},
	}
	codecs := map[string]compress.Compression{"zstd": compress.Codecs.Zstd, "snappy": compress.Codecs.Snappy, "none": compress.Codecs.Uncompressed}
	for _, c := range cases {
		for cname, codec := range codecs {
			t.Run(c.name+"/"+cname, func(t *testing.T) {
				mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
				batches := flatBatches(t, mem, c.sizes...)
				defer func() {
					for _, b := range batches {
						b.Release()
					}
					mem.AssertSize(t, 0)
				}()
				want := encodeWith(t, "arrow", c.rowGroup, codec, batches)
				for _, kind := range []string{"columns/1", "columns/4"} {
					got := encodeWith(t, kind, c.rowGroup, codec, batches)
					if !bytes.Equal(got, want) {
						t.Errorf("%s wrote %d bytes differing from pqarrow's %d (first difference at %d)", kind, len(got), len(want), firstDiff(got, want))
					}
				}
			})
		}
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func TestFlatColumns(t *testing.T) {
	if !flatColumns(flatSchema()) {
		t.Errorf("flatColumns(flatSchema()) = false, want true")
	}
	nested := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int64}, {Name: "l", Type: arrow.ListOf(arrow.PrimitiveTypes.Int32)}}, nil)
	if flatColumns(nested) {
		t.Errorf("flatColumns(%s) = true, want false", nested)
	}
}

// sliceReader is an array.RecordReader over batches, or, with endless
// set, the same batch forever.
type sliceReader struct {
	schema  *arrow.Schema
	batches []arrow.RecordBatch
	i       int
	endless bool
	cur     arrow.RecordBatch
}

func (r *sliceReader) Schema() *arrow.Schema { return r.schema }
func (r *sliceReader) Next() bool {
	if r.endless {
		r.cur = r.batches[0]
		return true
	}
	if r.i >= len(r.batches) {
		r.cur = nil
		return false
	}
	r.cur = r.batches[r.i]
	r.i++
	return true
}
func (r *sliceReader) RecordBatch() arrow.RecordBatch { return r.cur }
func (r *sliceReader) Record() arrow.RecordBatch      { return r.cur }
func (r *sliceReader) Err() error                     { return nil }
func (r *sliceReader) Retain()                        {}
func (r *sliceReader) Release()                       {}

// TestColumnsWriterError: a value one encoder goroutine refuses (a
// timestamp in seconds that overflows when Parquet's writer scales it to
// milliseconds) fails WriteTable with that column's error, and nothing is
// left at the target.
func TestColumnsWriterError(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "name", Type: arrow.BinaryTypes.String},
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Second}},
	}, nil)
	mem := memory.NewGoAllocator()
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for i := range 5000 {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		b.Field(1).(*array.StringBuilder).Append(fmt.Sprint("name ", i))
		v := int64(i)
		if i == 4321 {
			v = math.MaxInt64 / 100 // overflows in milliseconds
		}
		b.Field(2).(*array.TimestampBuilder).Append(arrow.Timestamp(v))
	}
	rec := b.NewRecordBatch()
	defer rec.Release()

	dir := t.TempDir()
	target := filepath.Join(dir, "snap")
	w, err := Create(target, &CreateOptions{EncodeWorkers: 3})
	if err != nil {
		t.Fatal(err)
	}
	err = w.WriteTable(context.Background(), "t", &sliceReader{schema: schema, batches: []arrow.RecordBatch{rec}})
	if err == nil || !strings.Contains(err.Error(), `column "ts"`) {
		t.Fatalf("WriteTable = %v, want an error naming column \"ts\"", err)
	}
	if _, err := w.Commit(); err == nil {
		t.Errorf("Commit after a failed table = nil error, want one")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("after the failure %s holds %v, want nothing", dir, entries)
	}
}

// TestColumnsWriterCancel: cancelling the context stops a table that would
// never end, promptly, and leaves nothing at the target.
func TestColumnsWriterCancel(t *testing.T) {
	mem := memory.NewGoAllocator()
	batches := flatBatches(t, mem, 5000)
	defer batches[0].Release()
	dir := t.TempDir()
	w, err := Create(filepath.Join(dir, "snap"), &CreateOptions{EncodeWorkers: 2})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- w.WriteTable(ctx, "t", &sliceReader{schema: flatSchema(), batches: batches, endless: true})
	}()
	time.Sleep(200 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("WriteTable after cancel = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("WriteTable still running 10s after cancel")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("after cancel %s holds %v, want nothing", dir, entries)
	}
}

// BenchmarkColumnsWriter encodes 8 batches of 50 000 rows of flatSchema
// with zstd level 1: pqarrow's FileWriter, and columnsWriter with one
// goroutine and with GOMAXPROCS.
func BenchmarkColumnsWriter(b *testing.B) {
	mem := memory.NewGoAllocator()
	batches := flatBatches(b, mem, 50_000, 50_000, 50_000, 50_000, 50_000, 50_000, 50_000, 50_000)
	defer func() {
		for _, r := range batches {
			r.Release()
		}
	}()
	for _, kind := range []string{"arrow", "columns/1", "columns/4"} {
		b.Run(kind, func(b *testing.B) {
			for b.Loop() {
				encodeWith(b, kind, DefaultRowGroupRows, compress.Codecs.Zstd, batches)
			}
			b.ReportMetric(float64(8*50_000*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// TestHashingWriter: the bytes reach the file in order and the hashes are
// those of the bytes, for writes smaller and larger than the buffer; a
// failing file surfaces its error.
func TestHashingWriter(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	data := make([]byte, 3*hashBufferSize+12345)
	rng.Read(data)
	for _, step := range []int{1000, hashBufferSize, hashBufferSize + 1, len(data)} {
		var out bytes.Buffer
		hw := newHashingWriter(&out)
		for p := data; len(p) > 0; {
			k := min(step, len(p))
			if n, err := hw.Write(p[:k]); n != k || err != nil {
				t.Fatalf("Write = %d, %v; want %d, nil", n, err, k)
			}
			p = p[k:]
		}
		if err := hw.Flush(); err != nil {
			t.Fatal(err)
		}
		hw.stop()
		if !bytes.Equal(out.Bytes(), data) || hw.n != int64(len(data)) {
			t.Errorf("step %d: %d bytes written (n %d), want the %d given", step, out.Len(), hw.n, len(data))
		}
		sha := sha256.Sum256(data)
		b3 := blake3.Sum256(data)
		if got, want := hex.EncodeToString(hw.sha.Sum(nil)), hex.EncodeToString(sha[:]); got != want {
			t.Errorf("step %d: sha256 %s, want %s", step, got, want)
		}
		if got, want := hex.EncodeToString(hw.b3.Sum(nil)), hex.EncodeToString(b3[:]); got != want {
			t.Errorf("step %d: blake3 %s, want %s", step, got, want)
		}
	}

	hw := newHashingWriter(failWriter{})
	var err error
	for i := 0; i < 4 && err == nil; i++ {
		_, err = hw.Write(data)
	}
	if err == nil {
		err = hw.Flush()
	}
	hw.stop()
	if !errors.Is(err, errDiskFull) {
		t.Errorf("writing to a failing file: %v, want %v", err, errDiskFull)
	}
}

var errDiskFull = errors.New("disk full")

type failWriter struct{}

func (failWriter) Write(p []byte) (int, error) { return 0, errDiskFull }
