package sqldiff

// The canonical form of a result value, written by duckdb_runner.py from
// DuckDB's Arrow output and by this file from ours, so that the two sides
// are compared value by value whatever types each chose:
//
//	NULL                    JSON null
//	integers of any width,  "n:<decimal>"  exact: no exponent, no '+', no
//	signed or unsigned,                     leading zeros, no trailing zeros
//	decimals, HUGEINT                       after the point, no point when
//	                                        nothing follows it, "0" never "-0"
//	                                        ("n:12.34" for DECIMAL 12.3400)
//	floats (32 or 64 bits)  "f:<float>"    any spelling strconv.ParseFloat
//	                                        reads (Python's repr, "inf", "nan")
//	text                    "s:<text>"     as is
//	booleans                "b:true" / "b:false"
//	dates                   "D:YYYY-MM-DD"
//	timestamps              "T:<micros>"   microseconds since 1970-01-01
//	                                        00:00 UTC; a zone-less timestamp
//	                                        is read as UTC
//	binary                  "x:<hex>"
//	anything else           "?:<type>:<text>"
//
// Two values are equal when both are NULL; or both are exact numbers with
// the same string; or both are numbers, one of them a float, and they agree
// within a relative tolerance of 1e-9 or an absolute one of 1e-9 (AVG and
// float sums are computed in different orders on the two sides); or they
// have the same tag and the same string. An exact number never equals a
// float of another value, so SUM as HUGEINT, DECIMAL or BIGINT compares
// numerically and AVG as DOUBLE or DECIMAL too; the column's type is not
// itself compared.

import (
	"encoding/hex"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Value is a canonical value; nil is NULL.
type Value = *string

// Row is one canonical result row.
type Row []Value

// Result is one query's canonical result, or its error.
type Result struct {
	Name    string   `json:"name"`
	Columns []string `json:"columns,omitempty"`
	Rows    []Row    `json:"rows"`
	Error   string   `json:"error,omitempty"`
	// Millis is how long the query took (DuckDB side: execute and fetch).
	Millis float64 `json:"ms,omitempty"`
}

func val(s string) Value { return &s }

// NormDecimal normalises an exact decimal string: see the package comment.
func NormDecimal(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimLeft(s, "+-")
	if i := strings.IndexByte(s, '.'); i >= 0 {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	s = strings.TrimLeft(s, "0")
	if s == "" || s[0] == '.' {
		s = "0" + s
	}
	if neg && s != "0" {
		s = "-" + s
	}
	return s
}

// CanonInt and the functions below build canonical values from Go values.
func CanonInt(v int64) Value   { return val("n:" + strconv.FormatInt(v, 10)) }
func CanonUint(v uint64) Value { return val("n:" + strconv.FormatUint(v, 10)) }
func CanonFloat(v float64) Value {
	return val("f:" + strconv.FormatFloat(v, 'g', -1, 64))
}
func CanonString(v string) Value { return val("s:" + v) }
func CanonBool(v bool) Value     { return val("b:" + strconv.FormatBool(v)) }

// CanonDate is a date given as days since 1970-01-01.
func CanonDate(days int64) Value {
	return val("D:" + time.Unix(days*86400, 0).UTC().Format("2006-01-02"))
}

// CanonTimestamp is microseconds since the epoch.
func CanonTimestamp(micros int64) Value { return val("T:" + strconv.FormatInt(micros, 10)) }

// CanonDecimal is unscaled × 10^-scale.
func CanonDecimal(unscaled *big.Int, scale int32) Value {
	s := unscaled.String()
	if scale > 0 {
		neg := strings.HasPrefix(s, "-")
		s = strings.TrimPrefix(s, "-")
		for len(s) <= int(scale) {
			s = "0" + s
		}
		s = s[:len(s)-int(scale)] + "." + s[len(s)-int(scale):]
		if neg {
			s = "-" + s
		}
	} else if scale < 0 {
		s += strings.Repeat("0", int(-scale))
	}
	return val("n:" + NormDecimal(s))
}

// CanonArrow is the canonical value of row i of a.
func CanonArrow(a arrow.Array, i int) Value {
	if a.IsNull(i) {
		return nil
	}
	switch a := a.(type) {
	case *array.Int8:
		return CanonInt(int64(a.Value(i)))
	case *array.Int16:
		return CanonInt(int64(a.Value(i)))
	case *array.Int32:
		return CanonInt(int64(a.Value(i)))
	case *array.Int64:
		return CanonInt(a.Value(i))
	case *array.Uint8:
		return CanonUint(uint64(a.Value(i)))
	case *array.Uint16:
		return CanonUint(uint64(a.Value(i)))
	case *array.Uint32:
		return CanonUint(uint64(a.Value(i)))
	case *array.Uint64:
		return CanonUint(a.Value(i))
	case *array.Float16:
		return CanonFloat(float64(a.Value(i).Float32()))
	case *array.Float32:
		return CanonFloat(float64(a.Value(i)))
	case *array.Float64:
		return CanonFloat(a.Value(i))
	case *array.Decimal128:
		return CanonDecimal(a.Value(i).BigInt(), a.DataType().(*arrow.Decimal128Type).Scale)
	case *array.Decimal256:
		return CanonDecimal(a.Value(i).BigInt(), a.DataType().(*arrow.Decimal256Type).Scale)
	case *array.String:
		return CanonString(a.Value(i))
	case *array.LargeString:
		return CanonString(a.Value(i))
	case *array.StringView:
		return CanonString(a.Value(i))
	case *array.Boolean:
		return CanonBool(a.Value(i))
	case *array.Date32:
		return CanonDate(int64(a.Value(i)))
	case *array.Date64:
		return CanonDate(int64(a.Value(i)) / 86_400_000)
	case *array.Timestamp:
		v := int64(a.Value(i))
		switch a.DataType().(*arrow.TimestampType).Unit {
		case arrow.Second:
			v *= 1_000_000
		case arrow.Millisecond:
			v *= 1_000
		case arrow.Nanosecond:
			v = floorDiv(v, 1_000)
		}
		return CanonTimestamp(v)
	case *array.Binary:
		return val("x:" + hex.EncodeToString(a.Value(i)))
	case *array.LargeBinary:
		return val("x:" + hex.EncodeToString(a.Value(i)))
	case *array.Dictionary:
		return CanonArrow(a.Dictionary(), a.GetValueIndex(i))
	case *array.RunEndEncoded:
		return CanonArrow(a.Values(), a.GetPhysicalIndex(i))
	}
	return val(fmt.Sprintf("?:%s:%s", a.DataType(), a.ValueStr(i)))
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// CanonRecord appends the canonical rows of rec to rows.
func CanonRecord(rows []Row, rec arrow.RecordBatch) []Row {
	n := int(rec.NumRows())
	cols := rec.Columns()
	for i := 0; i < n; i++ {
		row := make(Row, len(cols))
		for j, c := range cols {
			row[j] = CanonArrow(c, i)
		}
		rows = append(rows, row)
	}
	return rows
}

// Tolerances for comparisons involving a float.
const (
	RelTol = 1e-9
	AbsTol = 1e-9
)

func tagOf(v Value) (byte, string) {
	if len(*v) < 2 || (*v)[1] != ':' {
		return '?', *v
	}
	return (*v)[0], (*v)[2:]
}

// Equal reports whether two canonical values are equal (see the package
// comment).
func Equal(a, b Value) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if *a == *b {
		return true
	}
	ta, sa := tagOf(a)
	tb, sb := tagOf(b)
	numeric := func(t byte) bool { return t == 'n' || t == 'f' }
	if !numeric(ta) || !numeric(tb) || (ta == 'n' && tb == 'n') {
		return false
	}
	fa, err1 := strconv.ParseFloat(sa, 64)
	fb, err2 := strconv.ParseFloat(sb, 64)
	if err1 != nil && !isRange(err1) || err2 != nil && !isRange(err2) {
		return false
	}
	if math.IsNaN(fa) || math.IsNaN(fb) {
		return math.IsNaN(fa) && math.IsNaN(fb)
	}
	if fa == fb {
		return true
	}
	if math.IsInf(fa, 0) || math.IsInf(fb, 0) {
		return false
	}
	d := math.Abs(fa - fb)
	return d <= AbsTol || d <= RelTol*math.Max(math.Abs(fa), math.Abs(fb))
}

func isRange(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// Identical reports whether two canonical values are the same value of
// the same kind: equal strings, or floats that parse to the same float
// (the two sides spell floats differently: Go "1e+15", Python
// "1000000000000000.0").
func Identical(a, b Value) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	ta, sa := tagOf(a)
	tb, sb := tagOf(b)
	if ta == 'f' && tb == 'f' {
		fa, err1 := strconv.ParseFloat(sa, 64)
		fb, err2 := strconv.ParseFloat(sb, 64)
		return err1 == nil && err2 == nil && (fa == fb || math.IsNaN(fa) && math.IsNaN(fb))
	}
	return *a == *b
}

// RowsEqual compares two rows value by value.
func RowsEqual(a, b Row) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// sortKey orders rows so that equal rows (in the sense of Equal) almost
// always sort together: numbers by their float value to 8 digits.
func sortKey(r Row) string {
	var sb strings.Builder
	for _, v := range r {
		if v == nil {
			sb.WriteString("\x00|")
			continue
		}
		t, s := tagOf(v)
		if t == 'n' || t == 'f' {
			if f, err := strconv.ParseFloat(s, 64); err == nil || isRange(err) {
				if f == 0 {
					f = 0 // -0
				}
				sb.WriteString("#" + strconv.FormatFloat(f, 'e', 7, 64) + "|")
				continue
			}
		}
		sb.WriteString(*v + "|")
	}
	return sb.String()
}

// Diff compares two successful results: the number of columns, then the
// rows. ordered compares rows in order; else as multisets (sorted, then
// matched pairwise, then, if that fails because floats near a rounding
// boundary sorted apart, by a search). countOnly compares only the number
// of rows. It returns "" when they agree, else what differs.
func Diff(ours, duck *Result, ordered, countOnly bool) string {
	if len(ours.Columns) != len(duck.Columns) {
		return fmt.Sprintf("%d columns, DuckDB %d", len(ours.Columns), len(duck.Columns))
	}
	return DiffRows(ours.Rows, duck.Rows, ordered, countOnly)
}

// DiffRows is Diff on rows alone.
func DiffRows(ours, theirs []Row, ordered, countOnly bool) string {
	if len(ours) != len(theirs) {
		return fmt.Sprintf("%d rows, DuckDB %d", len(ours), len(theirs))
	}
	for i := range ours {
		if len(ours[i]) != len(theirs[i]) {
			return fmt.Sprintf("row %d has %d values, DuckDB's %d", i, len(ours[i]), len(theirs[i]))
		}
	}
	if countOnly {
		return ""
	}
	if ordered {
		for i := range ours {
			if !RowsEqual(ours[i], theirs[i]) {
				return fmt.Sprintf("row %d: %s, DuckDB %s", i, FormatRow(ours[i]), FormatRow(theirs[i]))
			}
		}
		return ""
	}
	a, b := sortedRows(ours), sortedRows(theirs)
	ok := true
	for i := range a {
		if !RowsEqual(a[i], b[i]) {
			ok = false
			break
		}
	}
	if ok {
		return ""
	}
	// Match each of our rows with an unused equal DuckDB row.
	used := make([]bool, len(b))
	for _, r := range a {
		found := false
		for j, s := range b {
			if !used[j] && RowsEqual(r, s) {
				used[j], found = true, true
				break
			}
		}
		if !found {
			for j, s := range b {
				if !used[j] {
					return fmt.Sprintf("row %s not in DuckDB's result (e.g. DuckDB has %s)", FormatRow(r), FormatRow(s))
				}
			}
			return fmt.Sprintf("row %s not in DuckDB's result", FormatRow(r))
		}
	}
	return ""
}

func sortedRows(rows []Row) []Row {
	keys := make([]string, len(rows))
	idx := make([]int, len(rows))
	for i, r := range rows {
		keys[i] = sortKey(r)
		idx[i] = i
	}
	sort.SliceStable(idx, func(x, y int) bool { return keys[idx[x]] < keys[idx[y]] })
	out := make([]Row, len(rows))
	for i, j := range idx {
		out[i] = rows[j]
	}
	return out
}

// FormatRow prints a canonical row.
func FormatRow(r Row) string {
	parts := make([]string, len(r))
	for i, v := range r {
		if v == nil {
			parts[i] = "NULL"
		} else {
			parts[i] = strconv.Quote(*v)
		}
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// FormatRows prints up to max rows, then how many more there are.
func FormatRows(rows []Row, max int) string {
	var sb strings.Builder
	for i, r := range rows {
		if i == max {
			fmt.Fprintf(&sb, "      … %d more rows\n", len(rows)-max)
			break
		}
		sb.WriteString("      " + FormatRow(r) + "\n")
	}
	if len(rows) == 0 {
		sb.WriteString("      (no rows)\n")
	}
	return sb.String()
}
