package export_test

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/snapdb/snapdb/export"
)

// peakAllocator tracks the most Arrow memory held at once.
type peakAllocator struct {
	*memory.CheckedAllocator
	now, peak atomic.Int64
}

func (a *peakAllocator) Allocate(n int) []byte {
	if v := a.now.Add(int64(n)); v > a.peak.Load() {
		a.peak.Store(v)
	}
	return a.CheckedAllocator.Allocate(n)
}

func (a *peakAllocator) Reallocate(n int, b []byte) []byte {
	if v := a.now.Add(int64(n - len(b))); v > a.peak.Load() {
		a.peak.Store(v)
	}
	return a.CheckedAllocator.Reallocate(n, b)
}

func (a *peakAllocator) Free(b []byte) {
	a.now.Add(-int64(len(b)))
	a.CheckedAllocator.Free(b)
}

// TestMemoryBoundedByChunkSize exports a table of about 15 MB of Arrow
// data with small chunks: the Arrow memory held at once stays under a
// quarter of the table (it does not grow with the table), and every
// buffer is released at the end.
func TestMemoryBoundedByChunkSize(t *testing.T) {
	src := newSQLite(t, "CREATE TABLE big (id INTEGER PRIMARY KEY, name TEXT, score REAL)",
		`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM s WHERE i < 150000)
		 INSERT INTO big SELECT i, printf('%080d', i), i / 7.0 FROM s`)
	mem := &peakAllocator{CheckedAllocator: memory.NewCheckedAllocator(memory.NewGoAllocator())}
	dir := filepath.Join(t.TempDir(), "snap")
	rep, err := export.ExportReport(context.Background(), src, dir, &export.Options{ChunkSize: 1000, Mem: mem})
	if err != nil {
		t.Fatal(err)
	}
	mem.AssertSize(t, 0)
	const tableBytes = 150000 * (8 + 80 + 4 + 8)
	peak := mem.peak.Load()
	t.Logf("peak Arrow memory %d bytes for a table of %d bytes (%d rows)", peak, tableBytes, rep.Tables[0].Rows)
	if peak > tableBytes/4 {
		t.Errorf("peak Arrow memory %d bytes, want under a quarter of the table's %d", peak, tableBytes)
	}
}
