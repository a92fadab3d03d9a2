#!/usr/bin/env bash
# The SQL engine benchmark: snapdb's engine (db.Query) beside DuckDB, both
# reading the same zstd Parquet file of a generated gene table (sorted
# int64 id, symbol, name, chrom, start, score) on 2 threads.
#
#   ROWS=10000000   rows in the table
#   RUNS=5          runs per query; the best is reported
#   WORK=DIR        keep the snapshot (and reuse it on the next run) in DIR
#
# Prints, per query, our best time, DuckDB's, the ratio ours÷DuckDB and
# its target, then each side's peak RSS over the whole run and the load
# average right after our runs. Ours opens the snapshot once and times
# db.Query plus draining the reader, holding every batch (enginebench);
# DuckDB materialises a pyarrow Table for the three row-returning queries
# and fetchall()s the two aggregates (bench_duckdb.py), over read_parquet
# of the snapshot's file.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_go
ensure_apt time
ensure_venv
ROWS=${ROWS:-10000000}
RUNS=${RUNS:-5}
work=${WORK:-$(mktemp -d)}
[ -n "${WORK:-}" ] || trap 'rm -rf "$work"' EXIT
mkdir -p "$work"

snap="$work/genes-$ROWS"
if [ ! -f "$snap/manifest.json" ]; then
  log "generating $ROWS gene rows (zstd)"
  go run ./internal/benchdata/cmd/genesnap -rows "$ROWS" -tables 1 -compression zstd -out "$snap" >/dev/null
fi
parquet="$snap/$("$SNAPDB_PYTHON" -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["tables"]["genes"]["file"])' "$snap/manifest.json")"

x=$((ROWS / 2))
cat >"$work/queries.json" <<EOF
[
 {"name": "id BETWEEN x AND x+1000, *", "target": 1.0, "fetch": "arrow",
  "sql": "SELECT * FROM genes WHERE id BETWEEN $x AND $((x + 1000))"},
 {"name": "SELECT id, score", "target": 1.0, "fetch": "arrow",
  "sql": "SELECT id, score FROM genes"},
 {"name": "SELECT *", "target": 1.0, "fetch": "arrow",
  "sql": "SELECT * FROM genes"},
 {"name": "GROUP BY chrom, 8 aggregates", "target": 1.5, "fetch": "rows",
  "sql": "SELECT chrom, count(*), count(symbol), min(id), max(start), sum(start), avg(score), min(name), max(symbol) FROM genes GROUP BY chrom"},
 {"name": "count(*)", "target": 1.0, "fetch": "rows",
  "sql": "SELECT count(*) FROM genes"}
]
EOF

go build -o "$work/enginebench" ./internal/sqldiff/cmd/enginebench
log "ours: $RUNS runs per query"
ours_rc=0
GOMAXPROCS=2 /usr/bin/time -v -o "$work/ours.time" "$work/enginebench" -snapshot "$snap" \
  -queries "$work/queries.json" -runs "$RUNS" >"$work/ours.json" || ours_rc=$?
case $ours_rc in
0) ;;
3) log "snapshot.DB has no Query method yet: DuckDB only"; echo '{}' >"$work/ours.json" ;;
*) echo "enginebench failed (exit $ours_rc)" >&2; exit 1 ;;
esac
load=$(cut -d' ' -f1-3 /proc/loadavg)
log "DuckDB: $RUNS runs per query"
/usr/bin/time -v -o "$work/duck.time" "$SNAPDB_PYTHON" scripts/bench_duckdb.py genes "$parquet" \
  "$work/queries.json" "$RUNS" >"$work/duck.json"

"$SNAPDB_PYTHON" - "$work" "$ROWS" "$(du -sm "$snap" | cut -f1)" "$load" <<'PY'
import json, os, sys
work, rows, mb, load = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
qs = json.load(open(os.path.join(work, "queries.json")))
ours = {q["name"]: q for q in json.load(open(os.path.join(work, "ours.json"))).get("queries", [])}
duck_run = json.load(open(os.path.join(work, "duck.json")))
duck = {q["name"]: q for q in duck_run["queries"]}
def fmt(v):
    return f"{v:.0f}" if v >= 100 else f"{v:.1f}" if v >= 1 else f"{v:.3f}"
def rss(name):
    for line in open(os.path.join(work, name)):
        if "Maximum resident set size" in line:
            return "%d MB" % (int(line.split()[-1]) // 1024)
    return "-"
print(f"\nsnapdb engine vs DuckDB {duck_run['duckdb']}: {rows:,} rows, {mb} MB zstd Parquet, 2 threads, best of runs\n")
print(f"{'query':<32} {'ours ms':>10} {'duckdb ms':>10} {'ours/duck':>10} {'target':>8}  rows")
misses = 0
for q in qs:
    o, d = ours.get(q["name"]), duck[q["name"]]
    note = ""
    if o is None:
        om, ratio, verdict = "n/a", "", ""
    elif o.get("error"):
        om, ratio, verdict = "error", "", ""
        note = o["error"][:80]
    else:
        om = fmt(o["best_ms"])
        r = o["best_ms"] / max(d["best_ms"], 1e-6)
        ratio = f"{r:.2f}"
        verdict = "ok" if r <= q["target"] else "MISS"
        misses += verdict == "MISS"
        if o["rows"] != d["rows"]:
            note = f"ROW COUNTS DIFFER: ours {o['rows']}, DuckDB {d['rows']}"
    print(f"{q['name']:<32} {om:>10} {fmt(d['best_ms']):>10} {ratio:>10} {'≤ %.1f' % q['target']:>8}  {d['rows']:,} {verdict} {note}")
print(f"\npeak RSS over the run: ours {rss('ours.time') if ours else '-'}, DuckDB {rss('duck.time')}")
print(f"load average after our runs: {load} (others' work on the machine skews both sides)")
if misses:
    print(f"{misses} ratio(s) above target")
PY
