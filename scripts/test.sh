#!/usr/bin/env bash
# Installs what the tests need and runs every test: formatting and vet, the
# Go tests under the race detector (crash loops included), a short run of
# every fuzz target, the CLI end to end on the demo dataset, libsnap.so
# built and installed under a temporary PREFIX, the C, Python and Ruby
# bindings' tests against it, and every program in examples/. The SQL
# engine is checked query by query against DuckDB (internal/sqldiff).
#
#   FUZZTIME=10s           time per fuzz target (the long mode: FUZZTIME=10m)
#   FUZZMINIMIZE=5s        time to minimise each new input the fuzzer finds
#   SNAPDB_CRASH_ITERATIONS=60   SIGKILL iterations of the crash tests
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_go
ensure_apt git postgresql gcc make pkg-config binutils ruby ruby-ffi ruby-minitest
ensure_venv # DuckDB and PyArrow, for the engine's differential tests

FUZZTIME=${FUZZTIME:-10s}
FUZZMINIMIZE=${FUZZMINIMIZE:-5s}
failed=()
step() { # step NAME CMD...: run, remember failures, go on
  local name=$1; shift
  log "$name"
  if ! "$@"; then failed+=("$name"); fi
}

check_gofmt() {
  local out
  out=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.git/*'))
  [ -z "$out" ] || { echo "gofmt wants to reformat:"; echo "$out"; return 1; }
}

fuzz_all() {
  local rc=0 file pkg name
  while IFS=: read -r file name; do
    pkg=./$(dirname "$file")
    name=${name#func }; name=${name%%(*}
    echo "-- $name ($pkg, $FUZZTIME)"
    go test -run='^$' -fuzz="^${name}\$" -fuzztime="$FUZZTIME" -fuzzminimizetime="$FUZZMINIMIZE" "$pkg" || rc=1
  done < <(grep -rHo --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*(' . | sort)
  return $rc
}

cli_end_to_end() {
  local tmp rc=0
  tmp=$(mktemp -d)
  go build -o "$tmp/snapdb" ./cmd/snapdb &&
    "$tmp/snapdb" demo --dir "$tmp/demo" --scale 0.05 &&
    "$tmp/snapdb" verify "$tmp/demo" &&
    "$tmp/snapdb" info --json "$tmp/demo" >/dev/null &&
    "$tmp/snapdb" schema "$tmp/demo" entity_aliases &&
    "$tmp/snapdb" query "$tmp/demo" "SELECT chrom, count(*) FROM genes GROUP BY chrom ORDER BY 2 DESC LIMIT 3" &&
    "$tmp/snapdb" query "$tmp/demo" "SELECT * FROM genes WHERE symbol = ?" --param BRCA2 --format csv &&
    "$tmp/snapdb" pack "$tmp/demo" "$tmp/demo.snap" &&
    "$tmp/snapdb" verify "$tmp/demo.snap" &&
    "$tmp/snapdb" restore "$tmp/demo.snap" --new-root "$tmp/local/demo" --remove-source &&
    "$tmp/snapdb" info "$tmp/local/demo" || rc=1
  rm -rf "$tmp"
  return $rc
}

# libsnap.so and a demo snapshot (with its automaton) for the bindings and
# examples, under one scratch directory.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
build_library() {
  make --no-print-directory lib BUILD="$work/build" &&
    make --no-print-directory install-files BUILD="$work/build" PREFIX="$work/prefix" &&
    go build -o "$work/snapdb" ./cmd/snapdb &&
    "$work/snapdb" demo --quiet --dir "$work/demo" --scale 0.05 &&
    "$work/snapdb" nlp build --quiet "$work/demo"
}
export SNAPDB_LIBRARY="$work/build/libsnap.so" SNAPDB_DEMO="$work/demo" SNAPDB_CLI="$work/snapdb"
export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"

examples() {
  local rc=0
  echo "-- examples/go"
  go run ./examples/go "$SNAPDB_DEMO" "$work/example-go.snap" || rc=1
  echo "-- examples/c (against the installed header and pkg-config snap)"
  make --no-print-directory -B -C examples/c && examples/c/example "$SNAPDB_DEMO" "$work/example-c.snap" || rc=1
  rm -f examples/c/example
  return $rc
}

step "libsnap.so and the demo snapshot" build_library
step "gofmt" check_gofmt
step "go vet" go vet ./...
# Under the race detector the crash loops' children are race-instrumented
# too, and slow: a short loop there, the full loop (60 kills per operation,
# or SNAPDB_CRASH_ITERATIONS) without it.
step "go test -race" env SNAPDB_CRASH_ITERATIONS=10 go test -race -count=1 -timeout 20m ./...
step "crash loops" go test -count=1 -run 'TestCrash' -v ./snapshot/
step "fuzz targets" fuzz_all
step "CLI end to end" cli_end_to_end
step "examples" examples
step "Python binding and examples" bindings/python/test.sh
step "Ruby binding and examples" bindings/ruby/test.sh

if [ ${#failed[@]} -gt 0 ]; then
  log "FAILED: ${failed[*]}"
  exit 1
fi
log "all tests passed"
