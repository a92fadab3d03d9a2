// Package arrowunits puts back the timestamp[s] unit that Parquet cannot
// store: the writer stores timestamp[s] as milliseconds and arrow-go's
// reader does not restore the unit from the stored Arrow schema (Arrow C++
// does). Division by 1000 is exact, since the writer multiplied.
package arrowunits

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Restorable reports whether from and to differ only in timestamp[ms] where
// to has timestamp[s], at any depth.
func Restorable(from, to arrow.DataType) bool {
	if from.ID() != to.ID() {
		return false
	}
	if ft, ok := from.(*arrow.TimestampType); ok {
		tt := to.(*arrow.TimestampType)
		return ft.TimeZone == tt.TimeZone && (ft.Unit == tt.Unit || ft.Unit == arrow.Millisecond && tt.Unit == arrow.Second)
	}
	fn, ok1 := from.(arrow.NestedType)
	tn, ok2 := to.(arrow.NestedType)
	if !ok1 || !ok2 {
		return arrow.TypeEqual(from, to)
	}
	ff, tf := fn.Fields(), tn.Fields()
	if len(ff) != len(tf) {
		return false
	}
	for i := range ff {
		if !Restorable(ff[i].Type, tf[i].Type) {
			return false
		}
	}
	return true
}

// RestoreData converts data (of a type restorable to to) into to.
func RestoreData(mem memory.Allocator, data arrow.ArrayData, to arrow.DataType) arrow.ArrayData {
	if tt, ok := to.(*arrow.TimestampType); ok {
		if data.DataType().(*arrow.TimestampType).Unit == tt.Unit {
			data.Retain()
			return data
		}
		n := data.Offset() + data.Len()
		buf := memory.NewResizableBuffer(mem)
		buf.Resize(n * arrow.Int64SizeBytes)
		src := arrow.Int64Traits.CastFromBytes(data.Buffers()[1].Bytes())
		dst := arrow.Int64Traits.CastFromBytes(buf.Bytes())
		for i := data.Offset(); i < n; i++ {
			dst[i] = src[i] / 1000
		}
		out := array.NewData(to, data.Len(), []*memory.Buffer{data.Buffers()[0], buf}, nil, data.NullN(), data.Offset())
		buf.Release()
		return out
	}
	nt := to.(arrow.NestedType)
	children := make([]arrow.ArrayData, len(data.Children()))
	for i, c := range data.Children() {
		children[i] = RestoreData(mem, c, nt.Fields()[i].Type)
	}
	out := array.NewData(to, data.Len(), data.Buffers(), children, data.NullN(), data.Offset())
	for _, c := range children {
		c.Release()
	}
	return out
}
