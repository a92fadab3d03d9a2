#!/usr/bin/env bash
# The Python binding's tests: installs the package (with the given
# libsnap.so) into the given virtualenv, runs the pytest suite, and runs
# the examples against the demo snapshot.
#
#   SNAPDB_LIBRARY  a built libsnap.so (make lib: build/libsnap.so)
#   SNAPDB_PYTHON   a virtualenv's python with pyarrow, pandas and pytest
#                   (scripts/lib.sh ensure_venv makes one)
#   SNAPDB_DEMO     a demo snapshot with a stored NLP automaton:
#                   snapdb demo --dir D --scale 0.05 && snapdb nlp build D
#   SNAPDB_CLI      optional: the snapdb command the results are compared
#                   with (default: built here with go build ./cmd/snapdb)
#   PYTEST_ARGS     optional: more pytest arguments (e.g. -x -k query)
#
# The package is reinstalled on every run (pip --force-reinstall, offline:
# --no-index, no build requirements), so a rebuilt library is picked up.
# The tests then run with SNAPDB_LIBRARY unset, against the copy the
# package bundles.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
: "${SNAPDB_LIBRARY:?set SNAPDB_LIBRARY to a built libsnap.so (make lib)}"
: "${SNAPDB_PYTHON:?set SNAPDB_PYTHON to a virtualenv python with pyarrow, pandas and pytest}"
: "${SNAPDB_DEMO:?set SNAPDB_DEMO to a demo snapshot with an NLP automaton}"
# abs PATH: PATH made absolute (a bare name that is no file here is looked
# up on PATH); symlinks are kept, as a virtualenv's python needs.
abs() {
  case $1 in
  /*) echo "$1" ;;
  *) if [ -e "$1" ]; then echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; else command -v "$1"; fi ;;
  esac
}
lib=$(abs "$SNAPDB_LIBRARY")
demo=$(cd "$SNAPDB_DEMO" && pwd)
SNAPDB_PYTHON=$(abs "$SNAPDB_PYTHON")

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== pip install ./bindings/python (libsnap.so from $lib)" >&2
SNAPDB_LIBRARY=$lib "$SNAPDB_PYTHON" -m pip install --quiet --disable-pip-version-check \
  --no-index --no-deps --no-build-isolation --force-reinstall "$here" >&2

cli=${SNAPDB_CLI:+$(abs "$SNAPDB_CLI")}
if [ -z "$cli" ] && command -v go >/dev/null 2>&1; then
  (cd "$repo" && go build -o "$tmp/snapdb" ./cmd/snapdb)
  cli=$tmp/snapdb
fi

# From a directory outside the source tree, so that `import snapdb` is the
# installed package.
cd "$tmp"
rc=0
echo "== pytest bindings/python/tests" >&2
env -u SNAPDB_LIBRARY SNAPDB_DEMO="$demo" SNAPDB_CLI="$cli" SNAPDB_HEADER="$repo/include/snap.h" \
  "$SNAPDB_PYTHON" -m pytest -q -p no:cacheprovider ${PYTEST_ARGS:-} "$here/tests" || rc=1

for ex in "$repo"/examples/python/*.py; do
  echo "== $(basename "$ex")" >&2
  env -u SNAPDB_LIBRARY "$SNAPDB_PYTHON" "$ex" "$demo" || { echo "FAILED: $ex" >&2; rc=1; }
done
[ $rc -eq 0 ] && echo "== Python binding: all passed" >&2
exit $rc
