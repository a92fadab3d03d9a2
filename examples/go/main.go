// Command example uses snapdb from Go: it opens a snapshot, runs a SQL
// query with a parameter, finds entity names in a sentence, and saves the
// snapshot as one .snap file.
//
//	go run ./examples/go <snapshot> <output.snap>
package main

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/snapdb/snapdb/snapshot"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: example <snapshot> <output.snap>")
		os.Exit(2)
	}
	ctx := context.Background()
	db, err := snapshot.Open(os.Args[1], nil)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	info := db.Info()
	fmt.Printf("%s: %d tables, %d rows, root %.16s...\n", info.Path, len(info.Tables), info.Rows, info.RootHash)

	// A query with a parameter; the result is an Arrow record reader.
	rr, err := db.Query(ctx, `SELECT chrom, count(*) AS genes, avg(score) AS mean_score
		FROM genes WHERE chrom IN ($1, $2) GROUP BY chrom ORDER BY chrom`, "X", "Y")
	if err != nil {
		log.Fatal(err)
	}
	for rr.Next() {
		rec := rr.RecordBatch()
		chrom := rec.Column(0).(*array.String)
		n := rec.Column(1).(*array.Int64)
		for i := 0; i < int(rec.NumRows()); i++ {
			fmt.Printf("chromosome %s: %d genes, mean score %s\n", chrom.Value(i), n.Value(i), rec.Column(2).ValueStr(i))
		}
	}
	if err := rr.Err(); err != nil {
		log.Fatal(err)
	}
	rr.Release()

	// Entity names in text, with every entity each name may mean.
	mentions, err := db.Match("Elevated TNF and BRCA2 variants in breast cancer patients exposed to benzene.")
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range mentions {
		c := m.Candidates[0]
		fmt.Printf("%q at bytes %d-%d: %s %d (%d candidate(s))\n", m.Text, m.Start, m.End, c.EntityType, c.EntityID, len(m.Candidates))
	}

	meta, err := db.Save(os.Args[2], &snapshot.SaveOptions{Overwrite: true})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("saved %s: %d tables, %d rows, %d bytes\n", meta.Path, meta.Tables, meta.Rows, meta.Bytes)
}
