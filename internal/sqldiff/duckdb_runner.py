"""Runs a list of SQL queries through DuckDB and writes canonical results.

    python duckdb_runner.py IN.json OUT.json

IN.json: {"tables": {"name": "/path/to/file.parquet", ...},
          "queries": [{"name": "q0001", "sql": "SELECT ..."}, ...]}
OUT.json: {"duckdb": "<version>",
           "results": [{"name": ..., "columns": [...], "rows": [[...], ...], "ms": ...}
                       or {"name": ..., "error": "...", "ms": ...}, ...]}

Each table becomes a view over read_parquet of its file. Values are written
in the canonical form that internal/sqldiff/canon.go documents and
reproduces from our engine's Arrow output: tagged strings ("n:12.34",
"f:0.1", "s:text", "b:true", "D:2024-01-31", "T:<micros>") or null. The
results are canonicalised from DuckDB's Arrow output, so both sides start
from Arrow.

Settings: threads=2; TimeZone=UTC (TIMESTAMP literals against TIMESTAMPTZ
columns, and casts, are then zone-independent); default_null_order NULLS LAST
both ways (DuckDB's own default, set explicitly; the engine does the same).
"""

import decimal
import json
import sys
import time

import duckdb
import pyarrow as pa


def norm_decimal(s):
    neg = s.startswith("-")
    s = s.lstrip("+-")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    s = s.lstrip("0")
    if s == "" or s[0] == ".":
        s = "0" + s
    if neg and s != "0":
        s = "-" + s
    return s


UNIT = {"s": 1_000_000, "ms": 1_000, "us": 1, "ns": None}


def canon_column(col):
    """The canonical values of a pyarrow ChunkedArray, as a list."""
    t = col.type
    if pa.types.is_dictionary(t):
        col = col.cast(t.value_type)
        t = col.type
    if pa.types.is_null(t):
        return [None] * len(col)
    if pa.types.is_timestamp(t):
        ints = col.cast(pa.int64()).to_pylist()
        mul = UNIT[t.unit]
        out = []
        for v in ints:
            if v is None:
                out.append(None)
            elif mul is None:
                out.append("T:%d" % (v // 1000))
            else:
                out.append("T:%d" % (v * mul))
        return out
    vals = col.to_pylist()
    if pa.types.is_boolean(t):
        return [None if v is None else ("b:true" if v else "b:false") for v in vals]
    if pa.types.is_integer(t):
        return [None if v is None else "n:%d" % v for v in vals]
    if pa.types.is_floating(t):
        return [None if v is None else "f:" + repr(float(v)) for v in vals]
    if pa.types.is_decimal(t):
        return [None if v is None else "n:" + norm_decimal(format(v, "f")) for v in vals]
    if pa.types.is_string(t) or pa.types.is_large_string(t) or str(t) == "string_view":
        return [None if v is None else "s:" + v for v in vals]
    if pa.types.is_date(t):
        return [None if v is None else "D:" + v.isoformat() for v in vals]
    if pa.types.is_binary(t) or pa.types.is_large_binary(t):
        return [None if v is None else "x:" + v.hex() for v in vals]
    return [None if v is None else "?:%s:%s" % (t, v) for v in vals]


def canon_table(tbl):
    cols = [canon_column(c) for c in tbl.columns]
    return [list(r) for r in zip(*cols)] if cols else []


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        spec = json.load(f)
    con = duckdb.connect()
    con.execute("SET threads=2")
    con.execute("SET TimeZone='UTC'")
    con.execute("SET default_null_order='nulls_last'")
    for name, path in spec["tables"].items():
        qname = '"' + name.replace('"', '""') + '"'
        qpath = "'" + path.replace("'", "''") + "'"
        con.execute(f"CREATE VIEW {qname} AS SELECT * FROM read_parquet({qpath})")
    results = []
    for q in spec["queries"]:
        t0 = time.perf_counter()
        try:
            rel = con.sql(q["sql"])
            if rel is None:  # a statement that returns nothing
                res = {"name": q["name"], "columns": [], "rows": []}
            else:
                tbl = rel.to_arrow_table()
                res = {"name": q["name"], "columns": tbl.column_names, "rows": canon_table(tbl)}
        except Exception as e:  # every DuckDB error is a result
            res = {"name": q["name"], "error": "%s: %s" % (type(e).__name__, e)}
        res["ms"] = (time.perf_counter() - t0) * 1000
        results.append(res)
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump({"duckdb": duckdb.__version__, "results": results}, f, ensure_ascii=False)


if __name__ == "__main__":
    main()
