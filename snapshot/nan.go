package snapshot

import (
	"encoding/json"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/snapdb/snapdb/engine"
)

// nanTracker notes which float columns of a table have held a NaN, for
// the file's engine.NaNFreeKey entry: with it, the engine can prune a
// float column on "x > c" from statistics that leave NaN out.
type nanTracker struct {
	names []string // float columns, by field index; "" for others
	seen  []bool   // a NaN was written in the column
	any   bool     // the schema has a float column
}

func newNaNTracker(schema *arrow.Schema) *nanTracker {
	t := &nanTracker{names: make([]string, schema.NumFields()), seen: make([]bool, schema.NumFields())}
	for i, f := range schema.Fields() {
		switch f.Type.ID() {
		case arrow.FLOAT32, arrow.FLOAT64:
			t.names[i], t.any = f.Name, true
		}
	}
	return t
}

func (t *nanTracker) add(rec arrow.RecordBatch) {
	if !t.any {
		return
	}
	for i, name := range t.names {
		if name == "" || t.seen[i] {
			continue
		}
		switch a := rec.Column(i).(type) {
		case *array.Float64:
			for _, v := range a.Float64Values() {
				if math.IsNaN(v) {
					t.seen[i] = true
					break
				}
			}
		case *array.Float32:
			for _, v := range a.Float32Values() {
				if v != v {
					t.seen[i] = true
					break
				}
			}
		}
	}
}

// keyValue is the NaNFreeKey entry for the file, or false when the table
// has no float column.
func (t *nanTracker) keyValue() (key, value string, ok bool) {
	if !t.any {
		return "", "", false
	}
	free := []string{}
	for i, name := range t.names {
		if name != "" && !t.seen[i] {
			free = append(free, name)
		}
	}
	b, _ := json.Marshal(free)
	return engine.NaNFreeKey, string(b), true
}
