// Command goscan is the Go side of scripts/bench-bindings.sh: it opens a
// snapshot with snapshot.Open, runs one query -runs times (db.Query, then
// every batch read and held until the end, as a pyarrow.Table holds them)
// and prints the best time as JSON.
//
//	goscan -snapshot DIR -sql "SELECT id, score FROM genes" [-runs 5]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/snapdb/snapdb/snapshot"
)

func main() {
	path := flag.String("snapshot", "", "snapshot to open (required)")
	sql := flag.String("sql", "", "the query (required)")
	runs := flag.Int("runs", 5, "runs; the best is reported")
	flag.Parse()
	if *path == "" || *sql == "" || *runs < 1 {
		flag.Usage()
		os.Exit(2)
	}
	db, err := snapshot.Open(*path, nil)
	check(err)
	defer db.Close()
	var best time.Duration
	var rows int64
	for range *runs {
		runtime.GC() // the previous run's garbage is not this run's cost
		start := time.Now()
		rows, err = scan(db, *sql)
		d := time.Since(start)
		check(err)
		if best == 0 || d < best {
			best = d
		}
	}
	check(json.NewEncoder(os.Stdout).Encode(map[string]any{
		"best_ms": float64(best.Microseconds()) / 1000, "rows": rows, "gomaxprocs": runtime.GOMAXPROCS(0),
	}))
}

func scan(db *snapshot.DB, sql string) (int64, error) {
	rr, err := db.Query(context.Background(), sql)
	if err != nil {
		return 0, err
	}
	defer rr.Release()
	var held []arrow.RecordBatch
	defer func() {
		for _, b := range held {
			b.Release()
		}
	}()
	var rows int64
	for rr.Next() {
		b := rr.RecordBatch()
		b.Retain()
		held = append(held, b)
		rows += b.NumRows()
	}
	return rows, rr.Err()
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "goscan:", err)
		os.Exit(1)
	}
}
