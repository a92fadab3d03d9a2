#!/usr/bin/env bash
# Save and Pack throughput beside cp of the same bytes (issue target: ≥ 0.8×
# cp's rate). Builds a snapshot of ROWS uncompressed gene rows (default 3M in
# 3 tables, about 210 MB), then times, best of RUNS (default 5), each followed
# by its own durability step so that the comparison is fair:
#   cp -r + sync        the same bytes copied by coreutils, made durable
#   snapdb save (dir)   copy_file_range + fsync + rename
#   snapdb pack (.snap) copy through memory with CRC-32C + fsync + rename
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_go
ensure_apt bc coreutils
RUNS=${RUNS:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/snapdb" ./cmd/snapdb
go run ./internal/benchdata/cmd/genesnap -rows "${ROWS:-3000000}" -tables 3 -out "$work/src" >/dev/null
bytes=$(du -sb "$work/src" | cut -f1)

best() { # best NAME CMD...: the fastest of RUNS runs, in seconds
  local name=$1; shift
  local best=999999 t0 t1 d
  for _ in $(seq "$RUNS"); do
    rm -rf "$work/dst" "$work/dst.snap"
    t0=$(date +%s.%N); "$@" >/dev/null; t1=$(date +%s.%N)
    d=$(echo "$t1 - $t0" | bc -l)
    best=$(echo "if ($d < $best) $d else $best" | bc -l)
  done
  echo "$best"
}
cp_s=$(best cp sh -c "cp -r '$work/src' '$work/dst' && sync -f '$work/dst'")
save_s=$(best save "$work/snapdb" save -q "$work/src" "$work/dst")
pack_s=$(best pack "$work/snapdb" pack -q "$work/src" "$work/dst.snap")
mbps() { echo "scale=0; $bytes / $1 / 1000000" | bc -l; }
printf '%-22s %10s %10s %8s\n' "operation ($((bytes / 1000000)) MB)" seconds "MB/s" "÷ cp"
printf '%-22s %10.3f %10s %8s\n' "cp -r + sync" "$cp_s" "$(mbps "$cp_s")" "1.00"
printf '%-22s %10.3f %10s %8.2f\n' "snapdb save (dir)" "$save_s" "$(mbps "$save_s")" "$(echo "$cp_s / $save_s" | bc -l)"
printf '%-22s %10.3f %10s %8.2f\n' "snapdb pack (.snap)" "$pack_s" "$(mbps "$pack_s")" "$(echo "$cp_s / $pack_s" | bc -l)"
