package engine

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Expressions are evaluated over vecs: a column of one of a few normalised
// types held in plain Go slices. Every signed and small unsigned integer
// widens to int64, float32 to float64, and string kinds to Go strings that
// point into the Arrow buffers (no copy). A bare column that is only
// projected never becomes a vec: its Arrow array passes through untouched.

type kind uint8

const (
	kNull  kind = iota // the type of a bare NULL literal
	kBool              // b
	kInt               // i: int64
	kFloat             // f: float64
	kDec               // d: decimal128 with prec and scale
	kStr               // s
	kDate              // i: days since the epoch
	kTs                // i: ticks of unit since the epoch
	kOther             // arr: any other Arrow type; only passed through
)

// typ is a normalised type.
type typ struct {
	k           kind
	prec, scale int32          // kDec
	unit        arrow.TimeUnit // kTs
	tz          string         // kTs
	other       arrow.DataType // kOther
}

var (
	tNull  = typ{k: kNull}
	tBool  = typ{k: kBool}
	tInt   = typ{k: kInt}
	tFloat = typ{k: kFloat}
	tStr   = typ{k: kStr}
	tDate  = typ{k: kDate}
)

func (t typ) numeric() bool { return t.k == kInt || t.k == kFloat || t.k == kDec }

func (t typ) String() string {
	switch t.k {
	case kNull:
		return "NULL"
	case kBool:
		return "BOOLEAN"
	case kInt:
		return "BIGINT"
	case kFloat:
		return "DOUBLE"
	case kDec:
		return fmt.Sprintf("DECIMAL(%d,%d)", t.prec, t.scale)
	case kStr:
		return "VARCHAR"
	case kDate:
		return "DATE"
	case kTs:
		if t.tz != "" {
			return "TIMESTAMP WITH TIME ZONE"
		}
		return "TIMESTAMP"
	}
	return t.other.String()
}

func (t typ) arrow() arrow.DataType {
	switch t.k {
	case kNull:
		return arrow.Null
	case kBool:
		return arrow.FixedWidthTypes.Boolean
	case kInt:
		return arrow.PrimitiveTypes.Int64
	case kFloat:
		return arrow.PrimitiveTypes.Float64
	case kDec:
		return &arrow.Decimal128Type{Precision: t.prec, Scale: t.scale}
	case kStr:
		return arrow.BinaryTypes.String
	case kDate:
		return arrow.FixedWidthTypes.Date32
	case kTs:
		return &arrow.TimestampType{Unit: t.unit, TimeZone: t.tz}
	}
	return t.other
}

// typeOf maps an Arrow type to its normalised type.
func typeOf(dt arrow.DataType) typ {
	switch dt := dt.(type) {
	case *arrow.NullType:
		return tNull
	case *arrow.BooleanType:
		return tBool
	case *arrow.Int8Type, *arrow.Int16Type, *arrow.Int32Type, *arrow.Int64Type,
		*arrow.Uint8Type, *arrow.Uint16Type, *arrow.Uint32Type:
		return tInt
	case *arrow.Uint64Type: // UBIGINT exceeds BIGINT: an exact DECIMAL(20,0)
		return typ{k: kDec, prec: 20}
	case *arrow.Float16Type, *arrow.Float32Type, *arrow.Float64Type:
		return tFloat
	case *arrow.Decimal128Type:
		return typ{k: kDec, prec: dt.Precision, scale: dt.Scale}
	case *arrow.StringType, *arrow.LargeStringType:
		return tStr
	case *arrow.Date32Type:
		return tDate
	case *arrow.TimestampType:
		return typ{k: kTs, unit: dt.Unit, tz: dt.TimeZone}
	}
	return typ{k: kOther, other: dt}
}

// vec is one evaluated column. A constant vec (konst) holds one value that
// stands for every row.
type vec struct {
	t     typ
	n     int
	konst bool
	null  []bool // nil when no value is NULL
	b     []bool
	i     []int64
	f     []float64
	d     []decimal128.Num
	s     []string
	arr   arrow.Array // kOther
}

// at maps a row to the index that holds its value.
func (v *vec) at(r int) int {
	if v.konst {
		return 0
	}
	return r
}

func (v *vec) isNull(r int) bool {
	if v.null == nil {
		return false
	}
	return v.null[v.at(r)]
}

// newVec returns a vec of n rows of type t with room for values and, when
// nullable, a null mask.
func newVec(t typ, n int, nullable bool) *vec {
	v := &vec{t: t, n: n}
	if nullable {
		v.null = make([]bool, n)
	}
	switch t.k {
	case kBool:
		v.b = make([]bool, n)
	case kInt, kDate, kTs:
		v.i = make([]int64, n)
	case kFloat:
		v.f = make([]float64, n)
	case kDec:
		v.d = make([]decimal128.Num, n)
	case kStr:
		v.s = make([]string, n)
	case kNull:
		v.null = make([]bool, n)
		for r := range v.null {
			v.null[r] = true
		}
	}
	return v
}

func nullVec(t typ, n int) *vec {
	v := newVec(t, 1, true)
	v.null[0] = true
	v.konst = true
	v.n = n
	return v
}

// fromArrow converts an Arrow array to a vec. Strings are not copied: they
// point into the array's buffers, which the caller keeps alive.
func fromArrow(a arrow.Array) (*vec, error) {
	n := a.Len()
	v := &vec{t: typeOf(a.DataType()), n: n}
	if a.NullN() > 0 {
		v.null = make([]bool, n)
		for r := 0; r < n; r++ {
			v.null[r] = a.IsNull(r)
		}
	}
	switch a := a.(type) {
	case *array.Null:
		v.null = make([]bool, n)
		for r := range v.null {
			v.null[r] = true
		}
	case *array.Boolean:
		v.b = make([]bool, n)
		for r := 0; r < n; r++ {
			v.b[r] = a.Value(r)
		}
	case *array.Int64:
		v.i = a.Int64Values()
	case *array.Int32:
		v.i = widen(a.Int32Values())
	case *array.Int16:
		v.i = widen(a.Int16Values())
	case *array.Int8:
		v.i = widen(a.Int8Values())
	case *array.Uint32:
		v.i = widen(a.Uint32Values())
	case *array.Uint16:
		v.i = widen(a.Uint16Values())
	case *array.Uint8:
		v.i = widen(a.Uint8Values())
	case *array.Uint64:
		v.d = make([]decimal128.Num, n)
		for r, x := range a.Uint64Values() {
			v.d[r] = decimal128.FromU64(x)
		}
	case *array.Float64:
		v.f = a.Float64Values()
	case *array.Float32:
		v.f = make([]float64, n)
		for r, x := range a.Float32Values() {
			v.f[r] = float64(x)
		}
	case *array.Float16:
		v.f = make([]float64, n)
		for r := 0; r < n; r++ {
			v.f[r] = float64(a.Value(r).Float32())
		}
	case *array.Decimal128:
		v.d = a.Values()
	case *array.String:
		v.s = make([]string, n)
		for r := 0; r < n; r++ {
			v.s[r] = a.Value(r)
		}
	case *array.LargeString:
		v.s = make([]string, n)
		for r := 0; r < n; r++ {
			v.s[r] = a.Value(r)
		}
	case *array.Date32:
		v.i = widen(a.Date32Values())
	case *array.Timestamp:
		src := a.TimestampValues()
		v.i = make([]int64, n)
		for r, x := range src {
			v.i[r] = int64(x)
		}
	default:
		a.Retain()
		v.arr = a
	}
	return v, nil
}

func widen[T ~int8 | ~int16 | ~int32 | ~uint8 | ~uint16 | ~uint32](src []T) []int64 {
	out := make([]int64, len(src))
	for r, x := range src {
		out[r] = int64(x)
	}
	return out
}

// toArrow builds an Arrow array of v's rows.
func (v *vec) toArrow(mem memory.Allocator) arrow.Array {
	if v.t.k == kOther {
		v.arr.Retain()
		return v.arr
	}
	if v.t.k == kNull {
		return array.NewNull(v.n)
	}
	bld := array.NewBuilder(mem, v.t.arrow())
	defer bld.Release()
	bld.Reserve(v.n)
	for r := 0; r < v.n; r++ {
		v.appendTo(bld, r)
	}
	return bld.NewArray()
}

// appendTo appends row r of v to a builder of v's Arrow type.
func (v *vec) appendTo(bld array.Builder, r int) {
	if v.isNull(r) {
		bld.AppendNull()
		return
	}
	x := v.at(r)
	switch b := bld.(type) {
	case *array.BooleanBuilder:
		b.Append(v.b[x])
	case *array.Int64Builder:
		b.Append(v.i[x])
	case *array.Float64Builder:
		b.Append(v.f[x])
	case *array.Decimal128Builder:
		b.Append(v.d[x])
	case *array.StringBuilder:
		b.Append(v.s[x])
	case *array.Date32Builder:
		b.Append(arrow.Date32(v.i[x]))
	case *array.TimestampBuilder:
		b.Append(arrow.Timestamp(v.i[x]))
	}
}

// take returns the rows idx of v, in that order; -1 gives NULL.
func (v *vec) take(idx []int) *vec {
	nullable := v.null != nil
	for _, x := range idx {
		if x < 0 {
			nullable = true
			break
		}
	}
	out := newVec(v.t, len(idx), nullable)
	if v.t.k == kNull {
		return out
	}
	for o, r := range idx {
		if r < 0 {
			out.null[o] = true
			continue
		}
		out.set(o, v, r)
	}
	return out
}

// set copies row r of src (of the same type) into row o of v.
func (v *vec) set(o int, src *vec, r int) {
	if src.isNull(r) {
		v.null[o] = true
		return
	}
	x := src.at(r)
	switch v.t.k {
	case kBool:
		v.b[o] = src.b[x]
	case kInt, kDate, kTs:
		v.i[o] = src.i[x]
	case kFloat:
		v.f[o] = src.f[x]
	case kDec:
		v.d[o] = src.d[x]
	case kStr:
		v.s[o] = src.s[x]
	}
}
