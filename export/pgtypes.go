package export

import (
	"encoding/binary"
	"fmt"
	"math"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// pgKind is how one PostgreSQL column (or array element) is read: the
// Arrow type it becomes and the binary decoder that fills it.
type pgKind struct {
	id    pgKindID
	prec  int32   // numeric
	scale int32   // numeric
	elem  *pgKind // arrays
}

type pgKindID int

const (
	pgText pgKindID = iota // text, varchar, bpchar, name, json, enums, anything cast to text
	pgInt16
	pgInt32
	pgInt64
	pgFloat32
	pgFloat64
	pgBool
	pgJSONB
	pgBytea
	pgDate
	pgTime
	pgTimestamp
	pgTimestampTZ
	pgInterval
	pgUUID
	pgDecimal
	pgNumericText
	pgList
	pgVector
)

// intervalType is the Arrow form of an interval. Parquet (and so the
// snapshot writer) cannot store Arrow's month_day_nano_interval, so the
// three parts PostgreSQL keeps are kept as they are, without folding one
// into another (a month is not a fixed number of days).
var intervalType = arrow.StructOf(
	arrow.Field{Name: "months", Type: arrow.PrimitiveTypes.Int32},
	arrow.Field{Name: "days", Type: arrow.PrimitiveTypes.Int32},
	arrow.Field{Name: "microseconds", Type: arrow.PrimitiveTypes.Int64},
)

// listOf is a list type whose element is named "element", as Parquet names
// it, so that the type written and the type read back are the same.
func listOf(t arrow.DataType) arrow.DataType {
	return arrow.ListOfField(arrow.Field{Name: "element", Type: t, Nullable: true})
}

func (k pgKind) arrowType() arrow.DataType {
	switch k.id {
	case pgInt16:
		return arrow.PrimitiveTypes.Int16
	case pgInt32:
		return arrow.PrimitiveTypes.Int32
	case pgInt64:
		return arrow.PrimitiveTypes.Int64
	case pgFloat32:
		return arrow.PrimitiveTypes.Float32
	case pgFloat64:
		return arrow.PrimitiveTypes.Float64
	case pgBool:
		return arrow.FixedWidthTypes.Boolean
	case pgBytea:
		return arrow.BinaryTypes.Binary
	case pgDate:
		return arrow.FixedWidthTypes.Date32
	case pgTime:
		return arrow.FixedWidthTypes.Time64us
	case pgTimestamp:
		return &arrow.TimestampType{Unit: arrow.Microsecond}
	case pgTimestampTZ:
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	case pgInterval:
		return intervalType
	case pgDecimal:
		return &arrow.Decimal128Type{Precision: k.prec, Scale: k.scale}
	case pgList:
		return listOf(k.elem.arrowType())
	case pgVector:
		return listOf(arrow.PrimitiveTypes.Float32)
	}
	return arrow.BinaryTypes.String // text, jsonb, uuid, numeric text
}

// pgBuiltin maps the pg_catalog types with a native Arrow form.
var pgBuiltin = map[string]pgKindID{
	"int2": pgInt16, "int4": pgInt32, "int8": pgInt64,
	"float4": pgFloat32, "float8": pgFloat64, "bool": pgBool,
	"text": pgText, "varchar": pgText, "bpchar": pgText, "name": pgText,
	"json": pgText, "jsonb": pgJSONB, "bytea": pgBytea,
	"date": pgDate, "time": pgTime, "timestamp": pgTimestamp, "timestamptz": pgTimestampTZ,
	"interval": pgInterval, "uuid": pgUUID, "numeric": pgDecimal,
}

// numericKind picks decimal128(p, s) for a numeric whose type modifier
// fits Arrow and Parquet (1 ≤ p ≤ 38, 0 ≤ s ≤ p), text otherwise
// (unconstrained numeric, p > 38, and PostgreSQL 15's negative or
// larger-than-precision scales).
func numericKind(typmod int32) pgKind {
	if typmod < 4 {
		return pgKind{id: pgNumericText}
	}
	m := typmod - 4
	p := (m >> 16) & 0xffff
	s := int32(int16(uint16(m&0x7ff)<<5) >> 5) // 11-bit signed scale
	if p < 1 || p > 38 || s < 0 || s > p {
		return pgKind{id: pgNumericText}
	}
	return pgKind{id: pgDecimal, prec: p, scale: s}
}

// pgDecoder appends one non-null binary value to its builder.
type pgDecoder func(v []byte) error

func lengthError(what string, got, want int) error {
	return fmt.Errorf("%s: %d bytes, want %d", what, got, want)
}

// newPGDecoder returns the decoder of kind k appending to b, a builder of
// k.arrowType(). checkUTF8 validates text (needed only when the server's
// encoding is SQL_ASCII, which does no conversion).
func newPGDecoder(k pgKind, b array.Builder, checkUTF8 bool) pgDecoder {
	be := binary.BigEndian
	switch k.id {
	case pgInt16:
		bb := b.(*array.Int16Builder)
		return func(v []byte) error {
			if len(v) != 2 {
				return lengthError("int2", len(v), 2)
			}
			bb.Append(int16(be.Uint16(v)))
			return nil
		}
	case pgInt32:
		bb := b.(*array.Int32Builder)
		return func(v []byte) error {
			if len(v) != 4 {
				return lengthError("int4", len(v), 4)
			}
			bb.Append(int32(be.Uint32(v)))
			return nil
		}
	case pgInt64:
		bb := b.(*array.Int64Builder)
		return func(v []byte) error {
			if len(v) != 8 {
				return lengthError("int8", len(v), 8)
			}
			bb.Append(int64(be.Uint64(v)))
			return nil
		}
	case pgFloat32:
		bb := b.(*array.Float32Builder)
		return func(v []byte) error {
			if len(v) != 4 {
				return lengthError("float4", len(v), 4)
			}
			bb.Append(math.Float32frombits(be.Uint32(v)))
			return nil
		}
	case pgFloat64:
		bb := b.(*array.Float64Builder)
		return func(v []byte) error {
			if len(v) != 8 {
				return lengthError("float8", len(v), 8)
			}
			bb.Append(math.Float64frombits(be.Uint64(v)))
			return nil
		}
	case pgBool:
		bb := b.(*array.BooleanBuilder)
		return func(v []byte) error {
			if len(v) != 1 {
				return lengthError("bool", len(v), 1)
			}
			bb.Append(v[0] != 0)
			return nil
		}
	case pgBytea:
		bb := b.(*array.BinaryBuilder)
		return func(v []byte) error {
			bb.Append(v)
			return nil
		}
	case pgDate:
		bb := b.(*array.Date32Builder)
		return func(v []byte) error {
			if len(v) != 4 {
				return lengthError("date", len(v), 4)
			}
			d := int32(be.Uint32(v))
			if d != math.MaxInt32 && d != math.MinInt32 { // ±infinity stay the extremes
				d += pgEpochDays
			}
			bb.Append(arrow.Date32(d))
			return nil
		}
	case pgTime:
		bb := b.(*array.Time64Builder)
		return func(v []byte) error {
			if len(v) != 8 {
				return lengthError("time", len(v), 8)
			}
			bb.Append(arrow.Time64(be.Uint64(v)))
			return nil
		}
	case pgTimestamp, pgTimestampTZ:
		bb := b.(*array.TimestampBuilder)
		return func(v []byte) error {
			if len(v) != 8 {
				return lengthError("timestamp", len(v), 8)
			}
			t := int64(be.Uint64(v))
			if t != math.MaxInt64 && t != math.MinInt64 { // ±infinity stay the extremes
				t += pgEpochMicros
			}
			bb.Append(arrow.Timestamp(t))
			return nil
		}
	case pgInterval:
		sb := b.(*array.StructBuilder)
		mb := sb.FieldBuilder(0).(*array.Int32Builder)
		db := sb.FieldBuilder(1).(*array.Int32Builder)
		ub := sb.FieldBuilder(2).(*array.Int64Builder)
		return func(v []byte) error {
			iv, err := decodeInterval(v)
			if err != nil {
				return err
			}
			sb.Append(true)
			mb.Append(iv.Months)
			db.Append(iv.Days)
			ub.Append(iv.Micros)
			return nil
		}
	case pgUUID:
		sb := b.(*array.StringBuilder)
		var buf []byte
		return func(v []byte) error {
			var err error
			buf, err = appendUUID(buf[:0], v)
			if err != nil {
				return err
			}
			sb.BinaryBuilder.Append(buf)
			return nil
		}
	case pgDecimal:
		db := b.(*array.Decimal128Builder)
		var scratch []int16
		return func(v []byte) error {
			n, err := numericDecimal(v, k.prec, k.scale, scratch)
			if err != nil {
				return err
			}
			db.Append(n)
			return nil
		}
	case pgNumericText:
		sb := b.(*array.StringBuilder)
		var buf []byte
		var scratch []int16
		return func(v []byte) error {
			var err error
			buf, err = numericText(buf[:0], v, scratch)
			if err != nil {
				return err
			}
			sb.BinaryBuilder.Append(buf)
			return nil
		}
	case pgJSONB:
		sb := b.(*array.StringBuilder)
		return func(v []byte) error {
			if len(v) == 0 || v[0] != 1 {
				return fmt.Errorf("jsonb: unknown binary format version")
			}
			if checkUTF8 && !utf8.Valid(v[1:]) {
				return errNotUTF8
			}
			sb.BinaryBuilder.Append(v[1:])
			return nil
		}
	case pgList:
		lb := b.(*array.ListBuilder)
		vb := lb.ValueBuilder()
		elem := newPGDecoder(*k.elem, vb, checkUTF8)
		return func(v []byte) error {
			a, err := decodeArray(v)
			if err != nil {
				return err
			}
			lb.Append(true)
			for {
				e, ok, err := a.next()
				if err != nil {
					return err
				}
				if !ok {
					return nil
				}
				if e == nil {
					vb.AppendNull()
					continue
				}
				if err := elem(e); err != nil {
					return fmt.Errorf("array element: %w", err)
				}
			}
		}
	case pgVector:
		lb := b.(*array.ListBuilder)
		vb := lb.ValueBuilder().(*array.Float32Builder)
		return func(v []byte) error {
			lb.Append(true)
			return decodeVector(v, vb.Append)
		}
	}
	sb := b.(*array.StringBuilder)
	return func(v []byte) error {
		if checkUTF8 && !utf8.Valid(v) {
			return errNotUTF8
		}
		sb.BinaryBuilder.Append(v)
		return nil
	}
}

var errNotUTF8 = fmt.Errorf("text is not valid UTF-8 (the server's encoding is SQL_ASCII)")
