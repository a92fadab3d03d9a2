// Package engine is snapdb's read-only query engine: columnar scans of
// Parquet tables with projection, predicate and limit pushdown, and the
// SQL subset on top (see Query). It knows nothing of snapshots: a Table is
// a Parquet file's bytes, its parsed footer and the Arrow schema to
// present, and a Catalog names tables.
//
// Parquet metadata is read once per Table and shared by every scan:
// statistics and page indexes are decoded on first use and kept.
//
// A GROUP BY (or a global aggregate) over one table runs inside the
// scan's workers: each folds the row groups it decodes into its own hash
// table, and the tables are merged at the end, groups in the order they
// first appear in the file. When every aggregate is a count, sum, avg,
// min or max of a bare BIGINT, DOUBLE or VARCHAR column, a worker
// computes each row's group from the key (and WHERE) columns of a row
// group and then folds the aggregated columns straight from the
// decompressed Parquet pages, without building Arrow arrays; without a
// WHERE, a dictionary-encoded VARCHAR key is read as dictionary indices
// and grouped once per dictionary entry.
package engine

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// Table is one Parquet table. It is safe for concurrent scans.
type Table struct {
	name   string
	src    parquet.ReaderAtSeeker
	meta   *metadata.FileMetaData
	schema *arrow.Schema // presented
	stored *arrow.Schema // as arrow-go infers it from the file
	leaves [][]int       // per field: its Parquet leaf columns

	mu      sync.Mutex
	rdr     *file.Reader // for page indexes
	stats   map[[2]int]*colStats
	pages   map[[2]int]*pageStats
	noPages bool // the file has no page index
	// nanFree marks the float fields the file says hold no NaN
	// (NaNFreeKey).
	nanFree []bool
}

// NewTable describes a Parquet file whose footer has already been parsed.
// schema is the Arrow schema to present; it may differ from the one
// inferred from the file only where a stored timestamp unit is restored
// (timestamp[s] stored as milliseconds).
func NewTable(name string, src parquet.ReaderAtSeeker, meta *metadata.FileMetaData, schema *arrow.Schema) (*Table, error) {
	stored, err := pqarrow.FromParquet(meta.Schema, &pqarrow.ArrowReadProperties{}, meta.KeyValueMetadata())
	if err != nil {
		return nil, fmt.Errorf("table %s: %w", name, err)
	}
	if schema == nil {
		schema = stored
	}
	if schema.NumFields() != stored.NumFields() {
		return nil, fmt.Errorf("table %s: schema has %d columns, file has %d", name, schema.NumFields(), stored.NumFields())
	}
	t := &Table{name: name, src: src, meta: meta, schema: schema, stored: stored,
		stats: map[[2]int]*colStats{}, pages: map[[2]int]*pageStats{}}
	t.nanFree = make([]bool, schema.NumFields())
	if v := meta.KeyValueMetadata().FindValue(NaNFreeKey); v != nil {
		var names []string
		if json.Unmarshal([]byte(*v), &names) == nil { // unreadable: assume NaN anywhere
			for _, n := range names {
				if i := schema.FieldIndices(n); len(i) == 1 {
					t.nanFree[i[0]] = true
				}
			}
		}
	}
	root := meta.Schema.Root()
	t.leaves = make([][]int, schema.NumFields())
	for j := 0; j < meta.Schema.NumColumns(); j++ {
		r := meta.Schema.ColumnRoot(j)
		for i := 0; i < root.NumFields(); i++ {
			if root.Field(i) == r {
				t.leaves[i] = append(t.leaves[i], j)
			}
		}
	}
	for i, l := range t.leaves {
		if len(l) == 0 {
			return nil, fmt.Errorf("table %s: column %s has no data in the file", name, schema.Field(i).Name)
		}
	}
	return t, nil
}

// Name is the table's name.
func (t *Table) Name() string { return t.name }

// Schema is the table's Arrow schema.
func (t *Table) Schema() *arrow.Schema { return t.schema }

// NumRows is the table's row count, from the footer.
func (t *Table) NumRows() int64 { return t.meta.NumRows }

// columnIndex finds a column by name: exactly, else case-insensitively
// when that is unambiguous.
func (t *Table) columnIndex(name string) (int, error) {
	if idx := t.schema.FieldIndices(name); len(idx) > 0 {
		return idx[0], nil
	}
	found := -1
	for i, f := range t.schema.Fields() {
		if strings.EqualFold(f.Name, name) {
			if found >= 0 {
				return 0, fmt.Errorf("column name %q is ambiguous in table %s", name, t.name)
			}
			found = i
		}
	}
	if found < 0 {
		return 0, fmt.Errorf("table %s has no column %q (columns: %s)", t.name, name, strings.Join(t.columnNames(), ", "))
	}
	return found, nil
}

func (t *Table) columnNames() []string {
	names := make([]string, t.schema.NumFields())
	for i, f := range t.schema.Fields() {
		names[i] = f.Name
	}
	return names
}

// scope is the table's columns as expressions see them.
func (t *Table) scope(qual string) *scope {
	s := &scope{}
	for _, f := range t.schema.Fields() {
		s.cols = append(s.cols, column{qual: qual, name: f.Name, t: typeOf(f.Type)})
	}
	return s
}

// Catalog names the tables a query can read.
type Catalog interface {
	// Table returns the named table, or false.
	Table(name string) (*Table, bool)
	// TableNames lists every table, sorted.
	TableNames() []string
}

// MapCatalog is a Catalog over a map.
type MapCatalog map[string]*Table

// Table implements Catalog.
func (m MapCatalog) Table(name string) (*Table, bool) {
	t, ok := m[name]
	return t, ok
}

// TableNames implements Catalog.
func (m MapCatalog) TableNames() []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sortStrings(names)
	return names
}

func sortStrings(s []string) { sort.Strings(s) }
