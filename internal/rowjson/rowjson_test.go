package rowjson_test

import (
	"bytes"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/snapdb/snapdb/internal/rowjson"
)

func TestWriteArray(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "n", Type: arrow.Null, Nullable: true},
		{Name: "i", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "f", Type: arrow.PrimitiveTypes.Float64},
		{Name: "s", Type: arrow.BinaryTypes.String},
		{Name: "b", Type: arrow.FixedWidthTypes.Boolean},
	}, nil)
	b := array.NewRecordBuilder(mem, sc)
	defer b.Release()
	b.Field(0).AppendNulls(2)
	b.Field(1).(*array.Int64Builder).AppendValues([]int64{-1 << 63, 0}, []bool{true, false})
	b.Field(2).(*array.Float64Builder).AppendValues([]float64{0.5, 1e300}, nil)
	b.Field(3).(*array.StringBuilder).AppendValues([]string{"ü\"", ""}, nil)
	b.Field(4).(*array.BooleanBuilder).AppendValues([]bool{true, false}, nil)
	rec := b.NewRecordBatch()
	defer rec.Release()
	rr, err := array.NewRecordReader(sc, []arrow.RecordBatch{rec})
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Release()
	var buf bytes.Buffer
	if err := rowjson.WriteArray(&buf, rr); err != nil {
		t.Fatal(err)
	}
	want := `[{"n":null,"i":-9223372036854775808,"f":0.5,"s":"ü\"","b":true},{"n":null,"i":null,"f":1e+300,"s":"","b":false}]`
	if got := buf.String(); got != want {
		t.Errorf("WriteArray =\n%s\nwant\n%s", got, want)
	}
	if !rowjson.IsNull(rec.Column(0), 0) || rowjson.IsNull(rec.Column(2), 0) {
		t.Error("IsNull: want true for a null-typed column and false for a value")
	}
}

func TestDecimalText(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	for _, tc := range []struct {
		unscaled string
		scale    int32
		want     string
	}{
		{"100", 2, "1.00"},
		{"6490", 2, "64.90"},
		{"-5", 2, "-0.05"},
		{"0", 2, "0.00"},
		{"5", 0, "5"},
		{"-12345678901234567890123456789012345678", 10, "-1234567890123456789012345678.9012345678"},
		{"7", 38, "0.00000000000000000000000000000000000007"},
	} {
		n, err := decimal128.FromString(tc.unscaled, 38, 0)
		if err != nil {
			t.Fatal(err)
		}
		b := array.NewDecimal128Builder(mem, &arrow.Decimal128Type{Precision: 38, Scale: tc.scale})
		b.Append(n)
		a := b.NewArray()
		b.Release()
		if got := rowjson.Text(a, 0); got != tc.want {
			t.Errorf("Text(%s at scale %d) = %q, want %q", tc.unscaled, tc.scale, got, tc.want)
		}
		a.Release()
	}
}
