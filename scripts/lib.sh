# shellcheck shell=bash
# Shared helpers for scripts/*.sh: idempotent installation of what snapdb
# needs, from the registries this project may use (Debian, the Go module
# proxy, PyPI). Source it; do not run it.

GO_WANT=1.26.8 # the Go toolchain go.mod asks for (go 1.26)

log() { printf '\n== %s\n' "$*" >&2; }

apt_updated=""
# ensure_apt PKG...: install the Debian packages that are not installed yet.
ensure_apt() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  if [ -z "$apt_updated" ]; then
    $sudo apt-get update -qq
    apt_updated=1
  fi
  log "installing Debian packages: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# go_ok: a go command new enough to switch to the toolchain go.mod asks for
# by itself (Go >= 1.21 fetches it from the module proxy).
go_ok() {
  command -v go >/dev/null 2>&1 || return 1
  local v
  v=$(go env GOVERSION 2>/dev/null | sed 's/^go//')
  [ -n "$v" ] || return 1
  local major minor
  major=${v%%.*}; minor=${v#*.}; minor=${minor%%.*}
  [ "$major" -gt 1 ] || [ "$minor" -ge 21 ]
}

# ensure_go: a Go toolchain on PATH. Without one, Debian's golang-go is
# installed and used only to fetch the real toolchain from the module proxy.
ensure_go() {
  if go_ok; then return 0; fi
  local cached
  cached=$(ls -d "${GOMODCACHE:-$HOME/go/pkg/mod}"/golang.org/toolchain@v0.0.1-go${GO_WANT}.linux-amd64 2>/dev/null || true)
  if [ -z "$cached" ]; then
    command -v go >/dev/null 2>&1 || ensure_apt golang-go ca-certificates
    log "fetching Go ${GO_WANT} from the Go module proxy"
    local tmp
    tmp=$(mktemp -d)
    (cd "$tmp" && go mod init bootstrap >/dev/null 2>&1 &&
      GOFLAGS=-mod=mod go mod download golang.org/toolchain@v0.0.1-go${GO_WANT}.linux-amd64)
    rm -rf "$tmp"
    cached=$(go env GOMODCACHE)/golang.org/toolchain@v0.0.1-go${GO_WANT}.linux-amd64
  fi
  chmod -R u+x "$cached/bin" "$cached/pkg/tool" 2>/dev/null || true
  export PATH="$cached/bin:$PATH"
  export GOROOT="$cached"
  go_ok || { echo "cannot set up Go ${GO_WANT}" >&2; exit 1; }
}

# Versions ensure_venv installs into the virtualenv (exact pins from PyPI).
DUCKDB_WANT=2.0.0
PYARROW_WANT=26.0.1
PYTEST_WANT=9.2.0  # the Python binding's tests (bindings/python)
PANDAS_WANT=3.1.1  # the Python binding's to_pandas tests and examples

# ensure_venv: a Python virtualenv with DuckDB and PyArrow, for the DuckDB
# differential tests (internal/sqldiff) and scripts/bench-engine.sh, and
# pytest and pandas for the Python binding (bindings/python). Made
# once at ${SNAPDB_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/snapdb/venv}; pip
# runs only when the pinned versions are not the ones importable there.
# Exports SNAPDB_PYTHON (the venv's python).
ensure_venv() {
  local venv=${SNAPDB_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/snapdb/venv}
  if [ ! -x "$venv/bin/python" ]; then
    command -v python3 >/dev/null 2>&1 || ensure_apt python3
    log "creating a Python virtualenv at $venv"
    mkdir -p "$(dirname "$venv")"
    if ! python3 -m venv "$venv" >/dev/null 2>&1; then
      # Debian's python3 keeps venv and ensurepip in python3-venv.
      rm -rf "$venv"
      ensure_apt python3-venv
      python3 -m venv "$venv" || { echo "cannot create a virtualenv at $venv" >&2; exit 1; }
    fi
  fi
  local want="$DUCKDB_WANT $PYARROW_WANT $PYTEST_WANT $PANDAS_WANT" have
  have=$("$venv/bin/python" -c 'import duckdb, pyarrow, pytest, pandas; print(duckdb.__version__, pyarrow.__version__, pytest.__version__, pandas.__version__)' 2>/dev/null || true)
  if [ "$have" != "$want" ]; then
    log "installing duckdb==$DUCKDB_WANT pyarrow==$PYARROW_WANT pytest==$PYTEST_WANT pandas==$PANDAS_WANT into $venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
      "duckdb==$DUCKDB_WANT" "pyarrow==$PYARROW_WANT" "pytest==$PYTEST_WANT" "pandas==$PANDAS_WANT" ||
      { echo "cannot install duckdb, pyarrow, pytest and pandas from PyPI into $venv" >&2; exit 1; }
  fi
  export SNAPDB_PYTHON="$venv/bin/python"
}
