#!/usr/bin/env bash
# Sets everything up and runs the demo: builds the snapdb CLI, generates the
# embedded IGEM-like dataset, writes it as a snapshot, opens, verifies and
# describes it. Extra arguments go to `snapdb demo` (e.g. --dir D, --json).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_go
mkdir -p bin
log "building bin/snapdb"
go build -o bin/snapdb ./cmd/snapdb
log "snapdb demo $*"
exec bin/snapdb demo "$@"
