// Package sqldiff tests snapdb's SQL engine against DuckDB: the same
// generated tables, written once with snapshot.Create, are queried through
// (*snapshot.DB).Query and through DuckDB's read_parquet over the same
// Parquet files, and the results are compared value by value.
//
// NewDataset generates the tables (every column type snapdb stores, with
// extremes, unicode, NULLs, an empty table, an all-NULL column, and two
// tables to join with duplicate, NULL and unmatched keys). Generate makes
// a deterministic list of queries over them, each marked with whether its
// order is fully determined. RunDuckDB runs the whole list in one Python
// process (duckdb_runner.py, embedded); RunOurs runs one query through
// our engine; both produce Results in the canonical form documented in
// canon.go, and Compare matches them up.
//
// Python with duckdb and pyarrow comes from scripts/lib.sh's ensure_venv
// (SNAPDB_PYTHON); the tests fail with how to install it when it is
// missing, or skip with SNAPDB_SKIP_DUCKDB=1.
package sqldiff
