package engine

import (
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// ids builds a table of n rows: id 0..n-1 (sorted), v = id%7 (NULL when
// id%10 == 0), s = "k<id%100>".
func ids(t testing.TB, n int, rgRows, pageBytes int64) *Table {
	mem := memory.DefaultAllocator
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "v", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String},
	}, nil)
	b := array.NewRecordBuilder(mem, sc)
	defer b.Release()
	for i := 0; i < n; i++ {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		if i%10 == 0 {
			b.Field(1).AppendNull()
		} else {
			b.Field(1).(*array.Int32Builder).Append(int32(i % 7))
		}
		b.Field(2).(*array.StringBuilder).Append("k" + itoa(i%100))
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	return writeTable(t, "t", rec, rgRows, pageBytes)
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

func TestScanBetweenUsesStatistics(t *testing.T) {
	tbl := ids(t, 100000, 10000, 8<<10)
	sr, err := newScan(context.Background(), tbl, ScanSpec{Columns: []string{"id", "s"}, Filter: Between(Col("id"), Lit(52345), Lit(52355)), BatchSize: 4096}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rows := drain(t, sr)
	if len(rows) != 11 {
		t.Fatalf("got %d rows, want 11: %v", len(rows), rows)
	}
	for i, r := range rows {
		if r[0].(int64) != int64(52345+i) || r[1].(string) != "k"+itoa((52345+i)%100) {
			t.Fatalf("row %d = %v", i, r)
		}
	}
	st := sr.p.stats
	if st.RowGroupsPruned != 9 || st.RowGroupsNarrow != 1 {
		t.Fatalf("stats = %+v, want 9 row groups pruned and 1 narrowed by the page index", st)
	}
	if got := sr.p.readRow.Load(); got >= 5000 {
		t.Fatalf("filter column decoded for %d rows, want a page or two (< 5000)", got)
	}
}
