// Command enginebench times snapdb's SQL engine on a snapshot, for
// scripts/bench-engine.sh: it opens the snapshot once, then runs each
// query -runs times (db.Query and draining the reader, every batch kept
// until the end so that the result is fully materialised in Arrow, as
// DuckDB's to_arrow_table does) and prints the best time per query as
// JSON.
//
//	enginebench -snapshot DIR -queries queries.json [-runs 5] [-cpuprofile FILE]
//
// queries.json is [{"name": "...", "sql": "..."}, ...]. Exit status 3
// means snapshot.DB has no Query method yet.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/snapdb/snapdb/internal/sqldiff"
	"github.com/snapdb/snapdb/snapshot"
)

type query struct {
	Name string `json:"name"`
	SQL  string `json:"sql"`
}

type result struct {
	Name   string    `json:"name"`
	BestMs float64   `json:"best_ms"`
	AllMs  []float64 `json:"all_ms"`
	Rows   int64     `json:"rows"`
	Error  string    `json:"error,omitempty"`
}

func main() {
	path := flag.String("snapshot", "", "snapshot to open (required)")
	qfile := flag.String("queries", "", "JSON list of {name, sql} (required)")
	runs := flag.Int("runs", 5, "runs per query; the best is reported")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the query runs to this file")
	flag.Parse()
	if *path == "" || *qfile == "" || *runs < 1 {
		flag.Usage()
		os.Exit(2)
	}
	data, err := os.ReadFile(*qfile)
	check(err)
	var qs []query
	check(json.Unmarshal(data, &qs))

	t0 := time.Now()
	db, err := snapshot.Open(*path, nil)
	check(err)
	defer db.Close()
	openMs := ms(time.Since(t0))
	engine, err := sqldiff.AsQuerier(db)
	if errors.Is(err, sqldiff.ErrNoQuery) {
		fmt.Fprintln(os.Stderr, "enginebench:", err)
		os.Exit(3)
	}
	check(err)

	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		check(err)
		check(pprof.StartCPUProfile(f))
		defer func() {
			pprof.StopCPUProfile()
			check(f.Close())
		}()
	}
	ctx := context.Background()
	var out []result
	for _, q := range qs {
		r := result{Name: q.Name}
		for range *runs {
			runtime.GC() // the previous run's garbage is not this run's cost
			start := time.Now()
			rows, err := run(ctx, engine, q.SQL)
			d := ms(time.Since(start))
			if err != nil {
				r.Error = err.Error()
				break
			}
			r.Rows = rows
			r.AllMs = append(r.AllMs, d)
			if r.BestMs == 0 || d < r.BestMs {
				r.BestMs = d
			}
		}
		out = append(out, r)
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	check(json.NewEncoder(os.Stdout).Encode(map[string]any{
		"open_ms": openMs, "gomaxprocs": runtime.GOMAXPROCS(0), "heap_sys_mb": m.HeapSys >> 20, "queries": out,
	}))
}

// run executes sql and drains the result, holding every batch until the
// end.
func run(ctx context.Context, engine sqldiff.Querier, sql string) (int64, error) {
	rdr, err := engine.Query(ctx, sql)
	if err != nil {
		return 0, err
	}
	defer rdr.Release()
	var held []arrow.RecordBatch
	defer func() {
		for _, b := range held {
			b.Release()
		}
	}()
	var rows int64
	for rdr.Next() {
		b := rdr.RecordBatch()
		b.Retain()
		held = append(held, b)
		rows += b.NumRows()
	}
	return rows, rdr.Err()
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "enginebench:", err)
		os.Exit(1)
	}
}
