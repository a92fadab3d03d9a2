package snapshot

import (
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// A table's column encodings are chosen from its first batch, the way a
// database chooses a plan from statistics:
//
//   - An integer, date, time or timestamp column whose values are sorted or
//     clustered (ids, foreign keys in order, event times) is written
//     DELTA_BINARY_PACKED when that takes at most half the bytes of PLAIN:
//     an ascending id then costs almost nothing before compression, instead
//     of eight bytes a row for zstd to work through. Other integer columns
//     stay PLAIN.
//   - A string or binary column is dictionary-encoded (with arrow-go's cost
//     fallback) unless most values of the sample are distinct, where a
//     dictionary would only be built to be thrown away in every row group.
//
// Every Parquet reader reads both encodings; the choice changes the file's
// size and the time to write and read it, never its values.
const (
	// sampleRows is the most rows of the first batch looked at.
	sampleRows = 64 * 1024
	// minSampleRows is the fewest rows a choice is made from; a smaller
	// first batch leaves every column to the defaults.
	minSampleRows = 1024
)

// encodingPlan is the choice for one table, by top-level column name.
type encodingPlan struct {
	delta  map[string]bool // written DELTA_BINARY_PACKED
	noDict map[string]bool // written without a dictionary
}

// planEncodings chooses from rec, the table's first batch (nil when the
// table has none).
func planEncodings(schema *arrow.Schema, rec arrow.RecordBatch) encodingPlan {
	p := encodingPlan{delta: map[string]bool{}, noDict: map[string]bool{}}
	if rec == nil || rec.NumRows() < minSampleRows {
		return p
	}
	n := int(min(rec.NumRows(), sampleRows))
	for i, f := range schema.Fields() {
		col := rec.Column(i)
		if int64(col.Len()) < int64(n) {
			continue
		}
		if vals, width32, ok := physicalInts(col, n); ok {
			if len(vals) >= minSampleRows {
				plain := int64(len(vals)) * 8
				if width32 {
					plain = int64(len(vals)) * 4
				}
				if 2*deltaSize(vals, width32) <= plain {
					p.delta[f.Name] = true
				}
			}
			continue
		}
		if distinct, total, ok := distinctStrings(col, n); ok && total >= minSampleRows && 2*distinct > total {
			p.noDict[f.Name] = true
		}
	}
	return p
}

// physicalInts returns the first n values of an integer-like column as
// Parquet stores them (INT32 or INT64, unsigned values reinterpreted),
// nulls left out, and whether the physical type is INT32. ok is false for
// any other column.
func physicalInts(a arrow.Array, n int) (vals []int64, width32, ok bool) {
	switch a := a.(type) {
	case *array.Int8:
		return collect(a, n, a.Int8Values(), func(v int8) int64 { return int64(v) }), true, true
	case *array.Int16:
		return collect(a, n, a.Int16Values(), func(v int16) int64 { return int64(v) }), true, true
	case *array.Int32:
		return collect(a, n, a.Int32Values(), func(v int32) int64 { return int64(v) }), true, true
	case *array.Uint8:
		return collect(a, n, a.Uint8Values(), func(v uint8) int64 { return int64(v) }), true, true
	case *array.Uint16:
		return collect(a, n, a.Uint16Values(), func(v uint16) int64 { return int64(v) }), true, true
	case *array.Uint32:
		return collect(a, n, a.Uint32Values(), func(v uint32) int64 { return int64(int32(v)) }), true, true
	case *array.Date32:
		return collect(a, n, a.Date32Values(), func(v arrow.Date32) int64 { return int64(v) }), true, true
	case *array.Time32:
		return collect(a, n, a.Time32Values(), func(v arrow.Time32) int64 { return int64(v) }), true, true
	case *array.Int64:
		return collect(a, n, a.Int64Values(), func(v int64) int64 { return v }), false, true
	case *array.Uint64:
		return collect(a, n, a.Uint64Values(), func(v uint64) int64 { return int64(v) }), false, true
	case *array.Timestamp:
		return collect(a, n, a.TimestampValues(), func(v arrow.Timestamp) int64 { return int64(v) }), false, true
	case *array.Time64:
		return collect(a, n, a.Time64Values(), func(v arrow.Time64) int64 { return int64(v) }), false, true
	}
	return nil, false, false
}

func collect[T any](a arrow.Array, n int, vs []T, conv func(T) int64) []int64 {
	out := make([]int64, 0, n)
	for i := range n {
		if a.IsValid(i) {
			out = append(out, conv(vs[i]))
		}
	}
	return out
}

// deltaSize is the bytes DELTA_BINARY_PACKED takes for vals as arrow-go
// writes it: deltas taken at the physical width (wrapping), in blocks of
// 128, each block with its least delta as a zig-zag varint and four
// miniblocks of 32 deltas bit-packed at the width of their largest excess
// over that least delta. The page header (a few varints) is left out.
func deltaSize(vals []int64, width32 bool) int64 {
	const block, mini = 128, 32
	deltas := make([]int64, 0, block)
	var size int64
	flush := func() {
		if len(deltas) == 0 {
			return
		}
		least := deltas[0]
		for _, d := range deltas {
			least = min(least, d)
		}
		size += int64(zigzagLen(least)) + 4 // least delta, four widths
		for m := 0; m < len(deltas); m += mini {
			var most uint64
			for _, d := range deltas[m:min(m+mini, len(deltas))] {
				most = max(most, uint64(d-least))
			}
			size += int64(mini * bits.Len64(most) / 8)
		}
		deltas = deltas[:0]
	}
	for i := 1; i < len(vals); i++ {
		var d int64
		if width32 {
			d = int64(int32(vals[i]) - int32(vals[i-1]))
		} else {
			d = vals[i] - vals[i-1]
		}
		deltas = append(deltas, d)
		if len(deltas) == block {
			flush()
		}
	}
	flush()
	return size
}

// zigzagLen is the length of v as a zig-zag varint.
func zigzagLen(v int64) int {
	u := uint64(v<<1) ^ uint64(v>>63)
	return max(1, (bits.Len64(u)+6)/7)
}

// distinctStrings counts the distinct values among the first n of a
// string or binary column, nulls left out. ok is false for any other
// column.
func distinctStrings(a arrow.Array, n int) (distinct, total int, ok bool) {
	var value func(int) string
	switch a := a.(type) {
	case *array.String:
		value = a.Value
	case *array.LargeString:
		value = a.Value
	case *array.Binary:
		value = a.ValueString
	case *array.LargeBinary:
		value = func(i int) string { return string(a.Value(i)) }
	default:
		return 0, 0, false
	}
	seen := make(map[string]struct{}, n)
	for i := range n {
		if a.IsValid(i) {
			seen[value(i)] = struct{}{}
			total++
		}
	}
	return len(seen), total, true
}
