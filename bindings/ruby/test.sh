#!/usr/bin/env bash
# Tests the Ruby binding (gem snapdb): gem build and install with the
# library bundled, the minitest suite under test/, and every example under
# examples/ruby/, against a built library and a demo snapshot. About 10 s
# (plus one `go build` of the CLI without SNAPDB_CLI).
#
#   SNAPDB_LIBRARY=/abs/build/libsnap.so   a built libsnap.so (make lib); required
#   SNAPDB_DEMO=/abs/demo                  a demo snapshot with a stored NLP automaton; required
#                                          (snapdb demo --dir D --scale 0.05 && snapdb nlp build D)
#   SNAPDB_CLI=/abs/snapdb                 optional: the snapdb CLI the results are compared
#                                          with (default: built here from ./cmd/snapdb)
#   TESTOPTS="-v -n /pattern/"             optional: minitest options
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

say() { printf '\n== %s\n' "$*" >&2; }
die() { echo "bindings/ruby/test.sh: $*" >&2; exit 2; }

if [ -f "$root/scripts/lib.sh" ]; then
  # shellcheck source=../../scripts/lib.sh
  . "$root/scripts/lib.sh"
  ensure_apt ruby ruby-ffi ruby-minitest
fi

[ -n "${SNAPDB_LIBRARY:-}" ] || die "set SNAPDB_LIBRARY to a built libsnap.so (make lib)"
[ -f "$SNAPDB_LIBRARY" ] || die "SNAPDB_LIBRARY=$SNAPDB_LIBRARY: no such file"
[ -n "${SNAPDB_DEMO:-}" ] || die "set SNAPDB_DEMO to a demo snapshot directory"
[ -f "$SNAPDB_DEMO/manifest.json" ] || die "SNAPDB_DEMO=$SNAPDB_DEMO: no manifest.json there"
grep -q '"nlp"' "$SNAPDB_DEMO/manifest.json" ||
  die "SNAPDB_DEMO=$SNAPDB_DEMO has no stored NLP automaton (snapdb nlp build $SNAPDB_DEMO)"
SNAPDB_LIBRARY=$(cd "$(dirname "$SNAPDB_LIBRARY")" && pwd)/$(basename "$SNAPDB_LIBRARY")
SNAPDB_DEMO=$(cd "$SNAPDB_DEMO" && pwd)
export SNAPDB_LIBRARY SNAPDB_DEMO

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ -z "${SNAPDB_CLI:-}" ]; then
  say "building the snapdb CLI to compare with"
  command -v go >/dev/null 2>&1 || { declare -F ensure_go >/dev/null && ensure_go; }
  (cd "$root" && nice go build -o "$tmp/snapdb" ./cmd/snapdb)
  SNAPDB_CLI=$tmp/snapdb
fi
case $SNAPDB_CLI in
  */*) ;;
  *) SNAPDB_CLI=$(command -v "$SNAPDB_CLI") || die "SNAPDB_CLI: no $SNAPDB_CLI on PATH" ;;
esac
[ -x "$SNAPDB_CLI" ] || die "SNAPDB_CLI=$SNAPDB_CLI is not executable"
SNAPDB_CLI=$(cd "$(dirname "$SNAPDB_CLI")" && pwd)/$(basename "$SNAPDB_CLI")
export SNAPDB_CLI

cd "$here"
failed=()

say "gemspec"
ruby -e 'spec = Gem::Specification.load("snapdb.gemspec") or abort "snapdb.gemspec does not load"
         missing = spec.files.reject { |f| File.file?(f) }
         abort "gemspec lists missing files: #{missing}" unless missing.empty?
         abort "gemspec has no lib/snapdb.rb" unless spec.files.include?("lib/snapdb.rb")
         puts "#{spec.name} #{spec.version}: #{spec.files.size} files"' || failed+=(gemspec)

say "gem build and install (libsnap.so bundled, SNAPDB_LIBRARY unset)"
gem_smoke() {
  local src=$tmp/gem-src gems=$tmp/gems
  mkdir -p "$src" "$gems"
  cp -r snapdb.gemspec README.md lib "$src/"
  cp "$SNAPDB_LIBRARY" "$src/lib/libsnap.so"
  (cd "$src" && gem build --silent snapdb.gemspec -o "$tmp/snapdb.gem") &&
    gem install --silent --local --ignore-dependencies --no-document --install-dir "$gems" "$tmp/snapdb.gem" &&
    env -u SNAPDB_LIBRARY GEM_PATH="$gems:$(gem env gempath)" ruby -e '
      require "snapdb"
      n = SnapDB.open(ARGV[0]) { |db| db.query("SELECT count(*) AS n FROM genes").first["n"] }
      path = SnapDB::Native.loaded_path
      abort "loaded #{path}, not the gem'"'"'s copy" unless path.start_with?(ARGV[1]) && path.end_with?("/lib/libsnap.so")
      puts "installed gem #{Gem.loaded_specs["snapdb"].version}: #{n} genes via #{path}"' "$SNAPDB_DEMO" "$gems"
}
gem_smoke || failed+=(gem)

say "minitest (libsnap: $SNAPDB_LIBRARY, demo: $SNAPDB_DEMO)"
# shellcheck disable=SC2086
ruby -w -Ilib -Itest -e 'Dir["test/test_*.rb"].sort.each { |f| require File.expand_path(f) }' \
  -- ${TESTOPTS:-} || failed+=(minitest)

for ex in "$root"/examples/ruby/*.rb; do
  say "example ${ex#"$root"/}"
  ruby -w -Ilib "$ex" "$SNAPDB_DEMO" "$tmp/example-$(basename "$ex" .rb).snap" || failed+=("$(basename "$ex")")
done

if [ ${#failed[@]} -gt 0 ]; then
  say "FAILED: ${failed[*]}"
  exit 1
fi
say "ruby binding: all tests passed"
