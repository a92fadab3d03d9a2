package export_test

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	_ "modernc.org/sqlite"

	"github.com/snapdb/snapdb/internal/pgtest"
	"github.com/snapdb/snapdb/manifest"
	"github.com/snapdb/snapdb/snapshot"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// readTable reads a table of the snapshot at dir back through
// snapshot.Open and ReadTable: its schema and its rows as Go values (see
// cell).
func readTable(t *testing.T, dir, name string) (*arrow.Schema, [][]any) {
	t.Helper()
	db, err := snapshot.Open(dir, nil)
	if err != nil {
		t.Fatalf("snapshot.Open(%q) = %v", dir, err)
	}
	defer db.Close()
	rdr, err := db.ReadTable(context.Background(), name, nil, 1000)
	if err != nil {
		t.Fatalf("ReadTable(%q) = %v", name, err)
	}
	defer rdr.Release()
	var rows [][]any
	for rdr.Next() {
		rec := rdr.RecordBatch()
		for i := 0; i < int(rec.NumRows()); i++ {
			row := make([]any, rec.NumCols())
			for j := range row {
				row[j] = cell(rec.Column(j), i)
			}
			rows = append(rows, row)
		}
	}
	if err := rdr.Err(); err != nil {
		t.Fatalf("reading %q: %v", name, err)
	}
	return rdr.Schema(), rows
}

// interval is the Go form of an exported interval.
type interval struct {
	Months, Days int32
	Micros       int64
}

// cell is the Go form of one Arrow value: nil for null; int16, int32,
// int64, float32, float64, bool, string; []byte for binary; dates as
// "2006-01-02"; times and timestamps as their raw microseconds (int64);
// decimals as text at their scale; intervals as interval; lists as []any.
func cell(a arrow.Array, i int) any {
	if a.IsNull(i) {
		return nil
	}
	switch a := a.(type) {
	case *array.Int16:
		return a.Value(i)
	case *array.Int32:
		return a.Value(i)
	case *array.Int64:
		return a.Value(i)
	case *array.Float32:
		return a.Value(i)
	case *array.Float64:
		return a.Value(i)
	case *array.Boolean:
		return a.Value(i)
	case *array.String:
		return a.Value(i)
	case *array.Binary:
		return append([]byte{}, a.Value(i)...)
	case *array.Date32:
		return a.Value(i).ToTime().Format("2006-01-02")
	case *array.Time64:
		return int64(a.Value(i))
	case *array.Timestamp:
		return int64(a.Value(i))
	case *array.Decimal128:
		return a.Value(i).ToString(a.DataType().(*arrow.Decimal128Type).Scale)
	case *array.Struct:
		return interval{
			Months: a.Field(0).(*array.Int32).Value(i),
			Days:   a.Field(1).(*array.Int32).Value(i),
			Micros: a.Field(2).(*array.Int64).Value(i),
		}
	case *array.List:
		start, end := a.ValueOffsets(i)
		out := []any{}
		for j := start; j < end; j++ {
			out = append(out, cell(a.ListValues(), int(j)))
		}
		return out
	}
	return fmt.Sprintf("unhandled %s", a.DataType())
}

// rowSum is an order-independent checksum of rows: the sum of a hash of
// each row's values.
func rowSum(rows [][]any) uint64 {
	var sum uint64
	for _, r := range rows {
		sum += rowHash(r)
	}
	return sum
}

func rowHash(r []any) uint64 {
	h := fnv.New64a()
	for _, v := range r {
		fmt.Fprintf(h, "%T:%v|", v, v)
	}
	return h.Sum64()
}

// typeStrings lists a schema as "name type" lines.
func typeStrings(s *arrow.Schema) []string {
	var out []string
	for _, f := range s.Fields() {
		n := ""
		if !f.Nullable {
			n = " not null"
		}
		out = append(out, f.Name+" "+f.Type.String()+n)
	}
	return out
}

// readManifest reads the manifest of the snapshot at dir, and its bytes.
func readManifest(t *testing.T, dir string) (*manifest.Manifest, []byte) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, manifest.FileName))
	if err != nil {
		t.Fatal(err)
	}
	m, err := manifest.Parse(b)
	if err != nil {
		t.Fatalf("manifest.Parse: %v", err)
	}
	return m, b
}

// leftovers lists what is in dir besides the names in keep: after a
// failed export, the parent directory holds nothing new.
func leftovers(t *testing.T, dir string, keep ...string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		found := false
		for _, k := range keep {
			found = found || e.Name() == k
		}
		if !found {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out
}

// newSQLite creates a SQLite database file from statements and returns its
// path.
func newSQLite(t *testing.T, stmts ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "src.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", firstLine(s), err)
		}
	}
	return path
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

func be64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }
