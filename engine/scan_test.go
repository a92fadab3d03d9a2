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

// TestScanLateMaterialisation checks that columns read only for output
// (seeking past pages) line up with the filter columns, for sparse and
// dense selections over nullable columns.
func TestScanLateMaterialisation(t *testing.T) {
	tbl := ids(t, 50000, 20000, 4<<10)
	for _, f := range []Expr{
		In(Col("id"), Lit(5), Lit(17), Lit(19999), Lit(20000), Lit(31234), Lit(49999)),
		Between(Col("id"), Lit(1000), Lit(1010)),
		Eq(Col("v"), Lit(3)),
		Gt(Col("id"), Lit(100)),
		Or(Lt(Col("id"), Lit(3)), Gt(Col("id"), Lit(49990))),
	} {
		for _, batch := range []int64{1000, 4096, 65536} {
			sr, err := newScan(context.Background(), tbl, ScanSpec{Columns: []string{"s", "v", "id"}, Filter: f, BatchSize: batch}, nil)
			if err != nil {
				t.Fatal(err)
			}
			rows := drain(t, sr)
			for _, r := range rows {
				id := r[2].(int64)
				if r[0].(string) != "k"+itoa(int(id%100)) {
					t.Fatalf("filter %s batch %d: row %v: s does not belong to id %d", f, batch, r, id)
				}
				if id%10 == 0 {
					if r[1] != nil {
						t.Fatalf("filter %s batch %d: row %v: v should be NULL", f, batch, r)
					}
				} else if r[1].(int32) != int32(id%7) {
					t.Fatalf("filter %s batch %d: row %v: v does not belong to id %d", f, batch, r, id)
				}
			}
		}
	}
}
