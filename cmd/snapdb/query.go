package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/spf13/cobra"

	"github.com/snapdb/snapdb/internal/fsutil"
	"github.com/snapdb/snapdb/internal/rowjson"
	"github.com/snapdb/snapdb/snapshot"
)

type queryFlags struct {
	format  string
	output  string
	maxRows int
	params  []string
}

func newQueryCmd(a *app) *cobra.Command {
	var f queryFlags
	cmd := &cobra.Command{
		Use:   "query <snapshot> <sql>",
		Short: "Run a read-only SQL query against a snapshot",
		Long: `query runs one SELECT statement against a snapshot and prints the rows.

The SQL subset: SELECT [DISTINCT] columns, *, t.*, aliases, arithmetic, CAST,
CASE, COALESCE, LOWER/UPPER/LENGTH/SUBSTR/ABS; FROM one table or
[INNER|LEFT] JOIN … ON a = b; WHERE (=, <>, <, <=, >, >=, IN, BETWEEN,
IS [NOT] NULL, LIKE, AND/OR/NOT); GROUP BY with COUNT(*), COUNT(col),
COUNT(DISTINCT col), SUM, MIN, MAX, AVG; HAVING; ORDER BY … ASC|DESC
NULLS FIRST|LAST; LIMIT; OFFSET; parameters $1… or ? bound with --param.
Statements that would write are refused: a snapshot is read-only.

Formats: table (aligned text, at most --max-rows rows), csv (a header row,
NULL as an empty field), json (one JSON object per line), arrow (an Arrow IPC
stream) and parquet (a zstd Parquet file). arrow and parquet need --output or
a stdout that is not a terminal. With --json the result is one document:
{"columns": [{"name", "type"}], "rows": [{…}], "row_count": N}.

A --param is bound as an integer, a float, true/false or null when it reads
as one, and as text otherwise; a text parameter compared with a DATE,
TIMESTAMP or DECIMAL column is converted to that type.`,
		Example: `  snapdb query ./snap "SELECT chrom, count(*) FROM genes GROUP BY chrom ORDER BY 2 DESC"
  snapdb query ./snap "SELECT * FROM genes WHERE symbol = ?" --param BRCA2 --format csv
  snapdb query ./snap "SELECT id, score FROM genes" --format parquet --output scores.parquet`,
		Args: exactArgs(2),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			switch f.format {
			case "table", "csv", "json", "arrow", "parquet":
			default:
				return usagef("--format %q: want table, csv, json, arrow or parquet", f.format)
			}
			if a.json && f.format != "table" && f.format != "json" {
				return usagef("--json prints one JSON document; it cannot be combined with --format %s", f.format)
			}
			db, err := snapshot.Open(args[0], nil)
			if err != nil {
				return err
			}
			defer db.Close()
			params := make([]any, len(f.params))
			for i, p := range f.params {
				params[i] = parseParam(p)
			}
			rr, err := db.Query(cmd.Context(), args[1], params...)
			if err != nil {
				return err
			}
			defer rr.Release()
			return a.writeResult(rr, f)
		}),
	}
	cmd.Flags().StringVar(&f.format, "format", "table", "output format: table, csv, json, arrow or parquet")
	cmd.Flags().StringVarP(&f.output, "output", "o", "", "write the result to this file (atomically) instead of stdout")
	cmd.Flags().IntVar(&f.maxRows, "max-rows", 100, "rows shown by --format table (0: all); the total is still counted")
	cmd.Flags().StringArrayVar(&f.params, "param", nil, "a value for the next parameter ($1, $2, … or ?); repeat in order. Numbers, true, false and null are typed; in single quotes ('42') a value is always text")
	return cmd
}

// parseParam reads a --param value: integer, float, boolean, null or text.
func parseParam(s string) any {
	if len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'' { // SQL quoting: always text
		return strings.ReplaceAll(s[1:len(s)-1], "''", "'")
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
		return f
	}
	switch strings.ToLower(s) {
	case "true":
		return true
	case "false":
		return false
	case "null":
		return nil
	}
	return s
}

func (a *app) writeResult(rr array.RecordReader, f queryFlags) error {
	if f.output == "" {
		if (f.format == "arrow" || f.format == "parquet") && isTerminal(a.stdout) {
			return usagef("--format %s writes binary data: give --output FILE or redirect stdout", f.format)
		}
		return a.render(a.stdout, rr, f)
	}
	// Write beside the target and rename, so a failed query leaves no
	// half-written file and an existing one untouched.
	tmp := fsutil.TempSibling(f.output)
	file, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	err = a.render(file, rr, f)
	if err == nil {
		err = file.Sync()
	}
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, f.output)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

func (a *app) render(w io.Writer, rr array.RecordReader, f queryFlags) error {
	switch {
	case a.json:
		return writeJSONResult(w, rr)
	case f.format == "table":
		return writeTableResult(w, rr, f.maxRows)
	case f.format == "csv":
		return writeCSV(w, rr)
	case f.format == "json":
		return writeJSONLines(w, rr)
	case f.format == "arrow":
		iw := ipc.NewWriter(w, ipc.WithSchema(rr.Schema()))
		for rr.Next() {
			if err := iw.Write(rr.RecordBatch()); err != nil {
				iw.Close()
				return err
			}
		}
		if err := rr.Err(); err != nil {
			iw.Close()
			return err
		}
		return iw.Close()
	default: // parquet
		props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Zstd), parquet.WithStats(true))
		// The Parquet writer closes a writer that can be closed; the
		// caller owns w.
		pw, err := pqarrow.NewFileWriter(rr.Schema(), struct{ io.Writer }{w}, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
		if err != nil {
			return err
		}
		for rr.Next() {
			if err := pw.WriteBuffered(rr.RecordBatch()); err != nil {
				pw.Close()
				return err
			}
		}
		if err := rr.Err(); err != nil {
			pw.Close()
			return err
		}
		return pw.Close()
	}
}

func writeTableResult(w io.Writer, rr array.RecordReader, maxRows int) error {
	fields := rr.Schema().Fields()
	headers := make([]string, len(fields))
	align := make([]byte, len(fields))
	for i, f := range fields {
		headers[i] = f.Name
		align[i] = 'l'
		switch f.Type.ID() {
		case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
			arrow.FLOAT32, arrow.FLOAT64, arrow.DECIMAL128:
			align[i] = 'r'
		}
	}
	var rows [][]string
	total := int64(0)
	for rr.Next() {
		rec := rr.RecordBatch()
		for r := 0; r < int(rec.NumRows()); r++ {
			total++
			if maxRows > 0 && len(rows) >= maxRows {
				continue
			}
			row := make([]string, len(fields))
			for c := range row {
				col := rec.Column(c)
				if rowjson.IsNull(col, r) {
					row[c] = "NULL"
				} else {
					row[c] = strings.ReplaceAll(rowjson.Text(col, r), "\n", `\n`)
				}
			}
			rows = append(rows, row)
		}
	}
	if err := rr.Err(); err != nil {
		return err
	}
	if err := printTable(w, headers, string(align), rows); err != nil {
		return err
	}
	switch {
	case int64(len(rows)) < total:
		_, err := fmt.Fprintf(w, "(%s of %s rows shown; --max-rows 0 shows all)\n", formatCount(int64(len(rows))), formatCount(total))
		return err
	case total == 1:
		_, err := fmt.Fprintln(w, "(1 row)")
		return err
	}
	_, err := fmt.Fprintf(w, "(%s rows)\n", formatCount(total))
	return err
}

func writeCSV(w io.Writer, rr array.RecordReader) error {
	cw := csv.NewWriter(w)
	fields := rr.Schema().Fields()
	row := make([]string, len(fields))
	for i, f := range fields {
		row[i] = f.Name
	}
	if err := cw.Write(row); err != nil {
		return err
	}
	for rr.Next() {
		rec := rr.RecordBatch()
		for r := 0; r < int(rec.NumRows()); r++ {
			for c := range row {
				col := rec.Column(c)
				if rowjson.IsNull(col, r) {
					row[c] = ""
				} else {
					row[c] = rowjson.Text(col, r)
				}
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	if err := rr.Err(); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

func writeJSONLines(w io.Writer, rr array.RecordReader) error {
	enc := json.NewEncoder(w)
	return rowjson.EachRow(rr, func(o rowjson.Row) error { return enc.Encode(o) })
}

func writeJSONResult(w io.Writer, rr array.RecordReader) error {
	type col struct {
		Name string `json:"name"`
		Type string `json:"type"`
	}
	doc := struct {
		Columns  []col         `json:"columns"`
		Rows     []rowjson.Row `json:"rows"`
		RowCount int           `json:"row_count"`
	}{Columns: []col{}, Rows: []rowjson.Row{}}
	for _, f := range rr.Schema().Fields() {
		doc.Columns = append(doc.Columns, col{Name: f.Name, Type: f.Type.String()})
	}
	if err := rowjson.EachRow(rr, func(o rowjson.Row) error {
		doc.Rows = append(doc.Rows, o)
		return nil
	}); err != nil {
		return err
	}
	doc.RowCount = len(doc.Rows)
	return writeJSON(w, doc)
}
