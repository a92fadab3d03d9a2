// Package rowjson renders Arrow values as text and as JSON, the same way
// for the CLI and the C API: numbers and booleans as JSON numbers and
// booleans, NULL as null, everything else (strings, decimals, dates,
// timestamps) as its text.
package rowjson

import (
	"encoding/json"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Text is the value at row i of a as text. Timestamps are printed in UTC
// as "2006-01-02 15:04:05.999999999"; NULL is not handled here (the
// caller decides how to show it).
func Text(a arrow.Array, i int) string {
	switch a := a.(type) {
	case *array.String:
		return a.Value(i)
	case *array.LargeString:
		return a.Value(i)
	case *array.Float64:
		return strconv.FormatFloat(a.Value(i), 'g', -1, 64)
	case *array.Float32:
		return strconv.FormatFloat(float64(a.Value(i)), 'g', -1, 32)
	case *array.Timestamp:
		unit := a.DataType().(*arrow.TimestampType).Unit
		return a.Value(i).ToTime(unit).UTC().Format("2006-01-02 15:04:05.999999999")
	case *array.Decimal128:
		// Every digit of the scale, as SQL prints a DECIMAL ("1.00").
		return a.Value(i).ToString(a.DataType().(*arrow.Decimal128Type).Scale)
	}
	return a.ValueStr(i)
}

// IsNull reports whether row i of a is NULL. Unlike a.IsNull it is true
// for every row of an array of Arrow type null (SELECT NULL), which has
// no validity bitmap.
func IsNull(a arrow.Array, i int) bool {
	return a.DataType().ID() == arrow.NULL || a.IsNull(i)
}

// Value is the value at row i of a for json.Marshal: nil for NULL,
// integers and booleans as such, finite floats as json.Number, NaN and
// infinities and everything else as text.
func Value(a arrow.Array, i int) any {
	if IsNull(a, i) {
		return nil
	}
	switch a := a.(type) {
	case *array.Int8:
		return a.Value(i)
	case *array.Int16:
		return a.Value(i)
	case *array.Int32:
		return a.Value(i)
	case *array.Int64:
		return a.Value(i)
	case *array.Uint8:
		return a.Value(i)
	case *array.Uint16:
		return a.Value(i)
	case *array.Uint32:
		return a.Value(i)
	case *array.Uint64:
		return a.Value(i)
	case *array.Float32, *array.Float64:
		v := Text(a, i)
		f, _ := strconv.ParseFloat(v, 64)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return v
		}
		return json.Number(v)
	case *array.Boolean:
		return a.Value(i)
	}
	return Text(a, i)
}

// Row is one row as a JSON object whose keys keep the column order.
type Row struct {
	Names []string
	Vals  []any
}

// MarshalJSON writes the row as an object in column order.
func (o Row) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, n := range o.Names {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(n)
		v, err := json.Marshal(o.Vals[i])
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return []byte(b.String()), nil
}

// EachRow calls f with every row of rr, then returns rr's error.
func EachRow(rr array.RecordReader, f func(Row) error) error {
	fields := rr.Schema().Fields()
	names := make([]string, len(fields))
	for i, fl := range fields {
		names[i] = fl.Name
	}
	for rr.Next() {
		rec := rr.RecordBatch()
		for r := 0; r < int(rec.NumRows()); r++ {
			vals := make([]any, len(names))
			for c := range vals {
				vals[c] = Value(rec.Column(c), r)
			}
			if err := f(Row{Names: names, Vals: vals}); err != nil {
				return err
			}
		}
	}
	return rr.Err()
}

// WriteArray writes every row of rr to w as one JSON array of objects,
// streaming: rows are not held in memory.
func WriteArray(w io.Writer, rr array.RecordReader) error {
	if _, err := io.WriteString(w, "["); err != nil {
		return err
	}
	first := true
	err := EachRow(rr, func(r Row) error {
		b, err := r.MarshalJSON()
		if err != nil {
			return err
		}
		if !first {
			b = append([]byte{','}, b...)
		}
		first = false
		_, err = w.Write(b)
		return err
	})
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, "]")
	return err
}
