"""DuckDB's half of scripts/bench-engine.sh.

    python bench_duckdb.py TABLE PARQUET QUERIES.json RUNS

Makes TABLE a view over read_parquet(PARQUET) in an in-memory DuckDB with
threads=2, runs each query RUNS times and prints JSON with the best time of
each. A query whose "fetch" is "arrow" is materialised as a pyarrow Table
(con.sql(q).to_arrow_table()); "rows" fetches Python tuples (fetchall).
"""

import json
import sys
import time

import duckdb


def main():
    table, path, qfile, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    with open(qfile, encoding="utf-8") as f:
        queries = json.load(f)
    con = duckdb.connect()
    con.execute("SET threads=2")
    qpath = "'" + path.replace("'", "''") + "'"
    con.execute(f'CREATE VIEW "{table}" AS SELECT * FROM read_parquet({qpath})')
    out = []
    for q in queries:
        times, rows = [], 0
        for _ in range(runs):
            t0 = time.perf_counter()
            if q.get("fetch") == "arrow":
                rows = con.sql(q["sql"]).to_arrow_table().num_rows
            else:
                rows = len(con.execute(q["sql"]).fetchall())
            times.append((time.perf_counter() - t0) * 1000)
        out.append({"name": q["name"], "best_ms": min(times), "all_ms": times, "rows": rows})
    json.dump({"duckdb": duckdb.__version__, "queries": out}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
