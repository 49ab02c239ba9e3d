#!/usr/bin/env bash
# Runs Redis's own test suite (external-server mode) against a running server, for the units FerrumDB serves.
# Fetches nothing: give it a Redis source checkout (any 7.0.x tag matches the server's compatibility level).
#
#   run-redis-suite.sh REDIS_SRC PORT [HOST]          e.g. run-redis-suite.sh ~/redis 6390
#
# Prints Redis's own per-test lines, then one summary line: "<passed> ok, <failed> err, <exceptions> exception".
# Tests tagged needs:debug (DEBUG command), needs:repl (replication), needs:config-maxmemory and
# external:skip are skipped: those features are out of FerrumDB's scope (README, "Redis server").
set -euo pipefail
src=${1:?usage: run-redis-suite.sh REDIS_SRC PORT [HOST]}
port=${2:?usage: run-redis-suite.sh REDIS_SRC PORT [HOST]}
host=${3:-127.0.0.1}
skipfile="$(cd "$(dirname "$0")" && pwd)/out-of-scope.txt"
units=${REDIS_SUITE_UNITS:-"unit/type/string unit/type/incr unit/type/hash unit/keyspace unit/expire unit/multi"}
command -v tclsh >/dev/null || { echo "tclsh is needed (apt-get install -y tcl)" >&2; exit 2; }
[ -x "$src/runtest" ] || { echo "$src is not a Redis source checkout (no runtest)" >&2; exit 2; }
log=$(mktemp)
work=$(mktemp -d)
trap 'rm -rf "$log" "$work"' EXIT
# The suite runs from a copy, in which two helpers that file-level setup code (outside any test) calls are
# neutralised: assert_encoding (Redis's internal encodings, which FerrumDB does not have) and memory_usage
# (MEMORY USAGE). Without this, the first such call aborts a whole unit. Tests that check encodings themselves
# are in out-of-scope.txt and skipped, so no test passes because of this.
cp -r "$src/tests" "$src/runtest" "$work/"
cat >> "$work/tests/support/util.tcl" <<'TCL'
# FerrumDB compatibility run (ferrumdb-server/compat/run-redis-suite.sh): no Redis encodings, no MEMORY USAGE.
proc assert_encoding {enc key} {}
proc memory_usage {key} { return 1 }
TCL
src=$work
# Each unit runs in its own invocation: in external mode an exception ends the whole run, and one failing unit
# must not hide the results of the others.
for u in $units; do
  (cd "$src" && ./runtest --host "$host" --port "$port" --single "$u" --clients 1 --timeout 120 \
      --tags -needs:debug --tags -needs:repl --tags -needs:config-maxmemory \
      --skipfile "$skipfile" 2>&1) \
      | sed -u 's/\x1b\[[0-9;]*m//g' | tee -a "$log" \
      | grep -E '^\[(ok|err|exception|skip)\]|^\[[a-z]+\]: ' || true
done
ok=$(grep -c '^\[ok\]' "$log" || true)
err=$(grep -c '^\[err\]' "$log" || true)
exc=$(grep -c '^\[exception\]' "$log" || true)
echo "SUMMARY port=$port: $ok ok, $err err, $exc exception"
