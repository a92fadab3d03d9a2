// Command genesnap writes a snapshot of generated gene tables, for the
// benchmark scripts: the same bytes for every tool measured.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/snapdb/snapdb/internal/benchdata"
	"github.com/snapdb/snapdb/snapshot"
)

func main() {
	rows := flag.Int64("rows", 3_000_000, "rows in all")
	tables := flag.Int("tables", 1, "tables to spread the rows over")
	compression := flag.String("compression", "none", "zstd, snappy or none")
	out := flag.String("out", "", "snapshot directory to write (required)")
	flag.Parse()
	if *out == "" || *tables < 1 {
		flag.Usage()
		os.Exit(1)
	}
	w, err := snapshot.Create(*out, &snapshot.CreateOptions{Compression: *compression, Overwrite: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for i := range *tables {
		rr := benchdata.Genes(memory.DefaultAllocator, *rows/int64(*tables), 0, uint64(i))
		name := "genes"
		if *tables > 1 {
			name = fmt.Sprint("genes", i)
		}
		if err := w.WriteTable(context.Background(), name, rr); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		rr.Release()
	}
	meta, err := w.Commit()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	json.NewEncoder(os.Stdout).Encode(meta)
}
