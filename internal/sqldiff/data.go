package sqldiff

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"path/filepath"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/snapdb/snapdb/snapshot"
)

// Class is what the query generator may do with a column.
type Class int

const (
	ClassID      Class = iota // int64, unique, not null: a full-order key
	ClassKey                  // small int, for grouping and joins
	ClassIntExt               // signed int with its type's extreme values: compare, min/max, no arithmetic
	ClassIntSafe              // signed int of moderate size: arithmetic cannot overflow its type
	ClassUint                 // unsigned int (table uns only)
	ClassFloat                // float64, finite, no -0
	ClassString               // text with unicode
	ClassCat                  // low-cardinality text
	ClassBool                 // bool
	ClassDate                 // date32
	ClassTS                   // timestamp(us, UTC)
	ClassTSNaive              // timestamp(us), no zone
	ClassDecimal              // decimal128
	ClassAllNull              // every value NULL
)

// Column is one generated column: its Arrow type and its values. Values
// are nil (NULL) or int64 (signed ints), uint64, float64, string, bool,
// int32 days since 1970-01-01 (dates), int64 microseconds since the epoch
// (timestamps) or *big.Int (a decimal's unscaled value).
type Column struct {
	Name   string
	Type   arrow.DataType
	Class  Class
	Values []any
	// Small reports an int column whose values fit int16 with room for one
	// addition or multiplication by a literal up to 100.
	Small bool
}

// Nullable reports whether the column has a NULL.
func (c *Column) Nullable() bool {
	for _, v := range c.Values {
		if v == nil {
			return true
		}
	}
	return c.Class == ClassAllNull
}

// Table is one generated table.
type Table struct {
	Name string
	Cols []*Column
	Rows int
}

// Col returns the named column, or nil.
func (t *Table) Col(name string) *Column {
	for _, c := range t.Cols {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Dataset is the set of tables the differential tests query.
type Dataset struct {
	Tables []*Table
}

// Table returns the named table, or nil.
func (d *Dataset) Table(name string) *Table {
	for _, t := range d.Tables {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// Strings used by the string columns: unicode (Greek, accents, CJK, emoji),
// the empty string, mixed case, and characters LIKE treats specially in
// other dialects. No ß or final sigma: DuckDB's UPPER maps ß to ẞ, which
// is nobody's intended behaviour to test.
var words = []string{
	"", "a", "A", "abc", "abc_def", "Hello World", "hello world", "HELLO",
	"alpha", "beta", "gamma", "Ωμέγα", "αβγ δέλτα", "ÉCOLE", "école", "café",
	"café au lait", "naïve", "Zürich", "Ærø", "日本語テキスト", "🧬 DNA", "emoji 🎉 party",
	"x", "xyz", "O'Brien", "The quick brown fox", "50% off", "tab\there", "line\nbreak", "  spaces  ",
}

var cats = []string{"alpha", "beta", "gamma", "delta", "Ωμέγα", "café"}

// NewDataset generates the tables; the same seed gives the same data.
//
//   - allt: every type: id (unique), k (0..7), cat (6 values), i8/i16/i32/i64
//     with their types' extremes, a16/a32/a64 small enough for arithmetic,
//     f64 (with NaN and ±Inf), s (unicode), b, d (date), ts (timestamp UTC), tsn (naive),
//     dec1 decimal(18,4), dec2 decimal(38,10), nul (every value NULL).
//     Nullable columns are about 10–20% NULL. Rows are stored shuffled.
//   - left_t, right_t: join on key (int32) and skey (text), with duplicate
//     and NULL keys and keys found on one side only.
//   - empty_t: no rows.
//   - uns: unsigned ints up to their types' maxima.
func NewDataset(seed uint64) *Dataset {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	return &Dataset{Tables: []*Table{
		genAllTypes(r, 240),
		genJoinSide(r, "left_t", 60, 1, 15, "lv"),
		genJoinSide(r, "right_t", 50, 5, 25, "rv"),
		{Name: "empty_t", Cols: []*Column{
			{Name: "id", Type: arrow.PrimitiveTypes.Int64, Class: ClassID},
			{Name: "v", Type: arrow.PrimitiveTypes.Float64, Class: ClassFloat},
			{Name: "s", Type: arrow.BinaryTypes.String, Class: ClassString},
		}},
		genUnsigned(r, 40),
	}}
}

func nullable(r *rand.Rand, pct int, v any) any {
	if r.IntN(100) < pct {
		return nil
	}
	return v
}

func genAllTypes(r *rand.Rand, n int) *Table {
	t := &Table{Name: "allt", Rows: n}
	perm := r.Perm(n)
	add := func(name string, typ arrow.DataType, class Class, f func(i int) any) *Column {
		c := &Column{Name: name, Type: typ, Class: class, Values: make([]any, n)}
		for i := range n {
			c.Values[i] = f(i)
		}
		t.Cols = append(t.Cols, c)
		return c
	}
	ext := func(pct int, lo, hi int64, special ...int64) func(int) any {
		return func(i int) any {
			if i < len(special) {
				return special[i]
			}
			return nullable(r, pct, lo+r.Int64N(hi-lo+1))
		}
	}
	add("id", arrow.PrimitiveTypes.Int64, ClassID, func(i int) any { return int64(perm[i] + 1) })
	add("k", arrow.PrimitiveTypes.Int32, ClassKey, func(int) any { return nullable(r, 10, int64(r.IntN(8))) })
	add("cat", arrow.BinaryTypes.String, ClassCat, func(int) any { return nullable(r, 10, cats[r.IntN(len(cats))]) })
	add("i8", arrow.PrimitiveTypes.Int8, ClassIntExt, ext(15, -100, 100, math.MinInt8, math.MaxInt8, 0, -1))
	add("i16", arrow.PrimitiveTypes.Int16, ClassIntExt, ext(15, -20000, 20000, math.MaxInt16, math.MinInt16, 0, 1))
	add("i32", arrow.PrimitiveTypes.Int32, ClassIntExt, ext(15, -2_000_000_000, 2_000_000_000, 0, math.MinInt32, math.MaxInt32, -1))
	add("i64", arrow.PrimitiveTypes.Int64, ClassIntExt, ext(15, -1<<60, 1<<60, 1, -1, math.MaxInt64, math.MinInt64, 0, math.MaxInt64-1))
	c := add("a16", arrow.PrimitiveTypes.Int16, ClassIntSafe, ext(12, -100, 100))
	c.Small = true
	add("a32", arrow.PrimitiveTypes.Int32, ClassIntSafe, ext(12, -30000, 30000, 0))
	add("a64", arrow.PrimitiveTypes.Int64, ClassIntSafe, ext(12, -1_000_000_000, 1_000_000_000, 0))
	add("f64", arrow.PrimitiveTypes.Float64, ClassFloat, func(i int) any {
		switch i {
		case 0:
			return 0.0
		case 1:
			return 1e15
		case 2:
			return 1e-7
		case 3:
			return -0.5
		case 4:
			return 2.5
		case 5:
			return math.NaN() // above every number, equal to itself
		case 6:
			return math.Inf(1)
		case 7:
			return math.Inf(-1)
		}
		// Thousandths, as a decimal literal would give them.
		return nullable(r, 12, float64(r.Int64N(2_000_001)-1_000_000)/1000)
	})
	add("s", arrow.BinaryTypes.String, ClassString, func(int) any {
		if r.IntN(3) == 0 {
			return nullable(r, 12, randWord(r))
		}
		return nullable(r, 12, words[r.IntN(len(words))])
	})
	add("b", arrow.FixedWidthTypes.Boolean, ClassBool, func(int) any { return nullable(r, 15, r.IntN(2) == 0) })
	add("d", arrow.FixedWidthTypes.Date32, ClassDate, func(i int) any {
		switch i {
		case 0:
			return int32(0) // 1970-01-01
		case 1:
			return int32(-1) // 1969-12-31
		case 2:
			return days(2000, 2, 29)
		case 3:
			return days(1700, 1, 1)
		case 4:
			return days(2999, 12, 31)
		}
		return nullable(r, 12, days(1900, 1, 1)+int32(r.IntN(200*365)))
	})
	tsFn := func(i int) any {
		if i == 0 {
			return int64(0)
		}
		if i == 1 {
			return int64(-1) // 1969-12-31 23:59:59.999999
		}
		lo := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
		hi := time.Date(2050, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
		v := lo + r.Int64N(hi-lo)
		if r.IntN(3) == 0 {
			v -= v % 1_000_000 // whole seconds too
		}
		return nullable(r, 12, v)
	}
	add("ts", &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, ClassTS, tsFn)
	add("tsn", &arrow.TimestampType{Unit: arrow.Microsecond}, ClassTSNaive, tsFn)
	add("dec1", &arrow.Decimal128Type{Precision: 18, Scale: 4}, ClassDecimal, func(i int) any {
		switch i {
		case 0:
			return big.NewInt(0)
		case 1:
			return big.NewInt(123400) // 12.3400
		case 2:
			return big.NewInt(-5) // -0.0005
		}
		return nullable(r, 12, big.NewInt(r.Int64N(2_000_000_000_000)-1_000_000_000_000))
	})
	add("dec2", &arrow.Decimal128Type{Precision: 38, Scale: 10}, ClassDecimal, func(i int) any {
		switch i {
		case 0:
			v, _ := new(big.Int).SetString("12345678901234567890123456789", 10) // 1234567890123456789.0123456789
			return v
		case 1:
			return big.NewInt(1) // 0.0000000001
		case 2:
			return big.NewInt(-10_000_000_000) // -1
		}
		// Up to ±1e20, with 10 decimals: sums of 240 of them fit.
		v := new(big.Int).Mul(big.NewInt(r.Int64N(2_000_000_000)-1_000_000_000), big.NewInt(1e11))
		v.Add(v, big.NewInt(r.Int64N(1e11)))
		return nullable(r, 12, new(big.Int).Mul(v, big.NewInt(int64(1+r.IntN(1000)))))
	})
	add("nul", arrow.PrimitiveTypes.Int64, ClassAllNull, func(int) any { return nil })
	return t
}

func randWord(r *rand.Rand) string {
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ éüΩ"
	rs := []rune(letters)
	n := 1 + r.IntN(12)
	out := make([]rune, n)
	for i := range out {
		out[i] = rs[r.IntN(len(rs))]
	}
	return string(out)
}

func days(y int, m time.Month, d int) int32 {
	return int32(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// genJoinSide is one side of the join tables: id unique; key in lo..hi
// with duplicates, about 15% NULL and a few keys (100+) found nowhere else;
// skey the key as text ('k7'), NULL where key is.
func genJoinSide(r *rand.Rand, name string, n int, lo, hi int64, valName string) *Table {
	t := &Table{Name: name, Rows: n}
	id := &Column{Name: "id", Type: arrow.PrimitiveTypes.Int64, Class: ClassID}
	key := &Column{Name: "key", Type: arrow.PrimitiveTypes.Int32, Class: ClassKey}
	skey := &Column{Name: "skey", Type: arrow.BinaryTypes.String, Class: ClassCat}
	val := &Column{Name: valName, Type: arrow.PrimitiveTypes.Int64, Class: ClassIntSafe}
	if valName == "lv" {
		val.Type, val.Class = arrow.PrimitiveTypes.Float64, ClassFloat
	}
	txt := &Column{Name: string(name[0]) + "s", Type: arrow.BinaryTypes.String, Class: ClassString}
	perm := r.Perm(n)
	for i := range n {
		id.Values = append(id.Values, int64(perm[i]+1))
		var k any = lo + r.Int64N(hi-lo+1)
		switch x := r.IntN(100); {
		case x < 15:
			k = nil
		case x < 20:
			k = 100 + int64(r.IntN(1000))
		}
		key.Values = append(key.Values, k)
		if k == nil {
			skey.Values = append(skey.Values, nil)
		} else {
			skey.Values = append(skey.Values, fmt.Sprint("k", k))
		}
		if valName == "lv" {
			val.Values = append(val.Values, nullable(r, 10, float64(r.IntN(20001)-10000)/100))
		} else {
			val.Values = append(val.Values, nullable(r, 10, r.Int64N(2_000_001)-1_000_000))
		}
		txt.Values = append(txt.Values, nullable(r, 10, words[r.IntN(len(words))]))
	}
	t.Cols = []*Column{id, key, skey, val, txt}
	return t
}

func genUnsigned(r *rand.Rand, n int) *Table {
	t := &Table{Name: "uns", Rows: n}
	mk := func(name string, typ arrow.DataType, max uint64) *Column {
		c := &Column{Name: name, Type: typ, Class: ClassUint}
		for i := range n {
			switch i {
			case 0:
				c.Values = append(c.Values, max)
			case 1:
				c.Values = append(c.Values, uint64(0))
			default:
				c.Values = append(c.Values, nullable(r, 15, r.Uint64()%max))
			}
		}
		return c
	}
	id := &Column{Name: "id", Type: arrow.PrimitiveTypes.Int64, Class: ClassID}
	for i := range n {
		id.Values = append(id.Values, int64(i+1))
	}
	t.Cols = []*Column{id,
		mk("u8", arrow.PrimitiveTypes.Uint8, math.MaxUint8),
		mk("u16", arrow.PrimitiveTypes.Uint16, math.MaxUint16),
		mk("u32", arrow.PrimitiveTypes.Uint32, math.MaxUint32),
		mk("u64", arrow.PrimitiveTypes.Uint64, math.MaxUint64),
	}
	return t
}

// Schema is the table's Arrow schema.
func (t *Table) Schema() *arrow.Schema {
	fields := make([]arrow.Field, len(t.Cols))
	for i, c := range t.Cols {
		fields[i] = arrow.Field{Name: c.Name, Type: c.Type, Nullable: c.Nullable()}
	}
	return arrow.NewSchema(fields, nil)
}

// Record builds the table as one record batch.
func (t *Table) Record(mem memory.Allocator) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, t.Schema())
	defer b.Release()
	for i, c := range t.Cols {
		fb := b.Field(i)
		for _, v := range c.Values {
			if v == nil {
				fb.AppendNull()
				continue
			}
			switch fb := fb.(type) {
			case *array.Int8Builder:
				fb.Append(int8(v.(int64)))
			case *array.Int16Builder:
				fb.Append(int16(v.(int64)))
			case *array.Int32Builder:
				fb.Append(int32(v.(int64)))
			case *array.Int64Builder:
				fb.Append(v.(int64))
			case *array.Uint8Builder:
				fb.Append(uint8(v.(uint64)))
			case *array.Uint16Builder:
				fb.Append(uint16(v.(uint64)))
			case *array.Uint32Builder:
				fb.Append(uint32(v.(uint64)))
			case *array.Uint64Builder:
				fb.Append(v.(uint64))
			case *array.Float64Builder:
				fb.Append(v.(float64))
			case *array.StringBuilder:
				fb.Append(v.(string))
			case *array.BooleanBuilder:
				fb.Append(v.(bool))
			case *array.Date32Builder:
				fb.Append(arrow.Date32(v.(int32)))
			case *array.TimestampBuilder:
				fb.Append(arrow.Timestamp(v.(int64)))
			case *array.Decimal128Builder:
				fb.Append(decimal128.FromBigInt(v.(*big.Int)))
			default:
				panic(fmt.Sprintf("sqldiff: no builder for %T", fb))
			}
		}
	}
	return b.NewRecordBatch()
}

// WriteSnapshot writes the dataset as a snapshot at path (which must not
// exist) with snapshot.Create, each table in row groups of 64 rows so that
// multi-row-group reads are exercised, and returns each table's Parquet
// file path.
func (d *Dataset) WriteSnapshot(ctx context.Context, path string) (map[string]string, error) {
	w, err := snapshot.Create(path, &snapshot.CreateOptions{SnapshotVersion: "sqldiff", RowGroupRows: 64})
	if err != nil {
		return nil, err
	}
	for _, t := range d.Tables {
		var recs []arrow.RecordBatch
		if t.Rows > 0 {
			rec := t.Record(memory.DefaultAllocator)
			defer rec.Release()
			recs = append(recs, rec)
		}
		rr, err := array.NewRecordReader(t.Schema(), recs)
		if err != nil {
			return nil, err
		}
		err = w.WriteTable(ctx, t.Name, rr)
		rr.Release()
		if err != nil {
			return nil, err
		}
	}
	if _, err := w.Commit(); err != nil {
		return nil, err
	}
	db, err := snapshot.Open(path, nil)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	files := map[string]string{}
	for _, t := range db.Manifest().Tables {
		files[t.Name] = filepath.Join(path, t.File)
	}
	return files, nil
}
