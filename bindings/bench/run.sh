#!/usr/bin/env bash
# The bindings' benchmarks, all in one run on one machine, against the packages as users install them
# (bindings/dist, built by bindings/package.sh; FERRUMDB_SKIP_PACKAGE=true reuses them):
#  1. per-call overhead of Python and Node.js against the same calls made from Java (CallOverhead.java);
#  2. FerrumDB beside Python's sqlite3 and lmdb, and Node's better-sqlite3, lmdb and classic-level (peers.py,
#     peers.js): gets, prefix scans, event-loop stalls and group commit of concurrent async puts.
# Prints Markdown tables with ratios; figures are only comparable within one run.
# Usage: bindings/bench/run.sh [operations per round] [keys for the peer comparison]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
ops=${1:-20000}
keys=${2:-100000}
py=/usr/bin/python3
# Debian's packages for Debian's interpreter (see bindings/python/run-tests.sh): JPype for the binding, LMDB to
# compare with, venv to install the wheel into.
missing=()
"$py" -c 'import jpype' 2>/dev/null || missing+=(python3-jpype)
"$py" -c 'import lmdb' 2>/dev/null || missing+=(python3-lmdb)
"$py" -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
  if ! apt-get install -y --no-install-recommends "${missing[@]}"; then
    apt-get update
    apt-get install -y --no-install-recommends "${missing[@]}"
  fi
fi

[ "${FERRUMDB_SKIP_PACKAGE:-false}" = true ] || bash "$root/bindings/package.sh" >/dev/null
version=$(node -p "require('$root/bindings/node/package.json').version")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$py" -m venv --system-site-packages "$work/venv"
"$work/venv/bin/pip" install -q --no-index "$root/bindings/dist/ferrumdb-$version-py3-none-any.whl"
# The peer engines go into bindings/bench/node_modules and stay there: without access to GitHub, better-sqlite3's
# prebuilt binary cannot be downloaded and npm compiles SQLite from source (minutes), so only the first run pays.
# ferrumdb itself is reinstalled from bindings/dist every run.
(cd "$here" && { [ -d node_modules/better-sqlite3 ] || npm install --no-audit --no-fund --loglevel=error; } \
  && npm install --no-audit --no-fund --loglevel=error --no-save "$root/bindings/dist/ferrumdb-$version.tgz")
jar="$here/node_modules/ferrumdb/jars/ferrumdb-bindings.jar"

java_json=$(java -cp "$jar" "$here/CallOverhead.java" "$ops")
python_json=$("$work/venv/bin/python" "$here/bench.py" "$ops")
node_json=$(cd "$here" && node bench.js "$ops")
python_peers=$("$work/venv/bin/python" "$here/peers.py" "$keys")
node_peers=$(cd "$here" && node peers.js "$keys")

"$py" - "$java_json" "$python_json" "$node_json" "$python_peers" "$node_peers" "$keys" <<'PY'
import json, sys
java, python, node, pypeers, nodepeers = (json.loads(a) for a in sys.argv[1:6])
keys = int(sys.argv[6])
print("| call | Java ns | Python ns | Python / Java | Node sync ns | Node sync / Java | Node async ns | Node async / Java |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for op in ("get", "contains", "put"):
    j, p, ns, na = java[op], python[op], node[op], node[op + " (async)"]
    print(f"| {op} | {j:,.0f} | {p:,.0f} | {p / j:,.1f}x | {ns:,.0f} | {ns / j:,.1f}x | {na:,.0f} | {na / j:,.1f}x |")
print()
print(f"Python, {keys:,} keys of 16 bytes with 100-byte values under one prefix:")
print()
print("| measure | value | FerrumDB / this |")
print("|---|---:|---:|")
for name, value in pypeers.items():
    if name.startswith("group commit"):
        continue
    engine, _, what = name.partition(" ")
    what = what.split(" (")[0]
    ours = pypeers[f"ferrumdb {what}"]
    print(f"| {name} | {value:,.2f} {'ns' if 'get' in name else 'ms'} | {ours / value:,.2f}x |")
print()
print(f"Node.js, {keys:,} keys (ns per get, ms per scan, longest event-loop gap in ms, us per durable put):")
print()
print("| measure | value |")
print("|---|---:|")
for name, value in nodepeers.items():
    print(f"| {name} | {value:,.2f} |")
n = nodepeers
ratios = {
    "Node sync get, FerrumDB / better-sqlite3": n["ferrumdb sync get ns"] / n["better-sqlite3 sync get ns"],
    "Node sync get, FerrumDB / lmdb": n["ferrumdb sync get ns"] / n["lmdb sync get ns"],
    "Node awaited get, FerrumDB / classic-level": n["ferrumdb awaited get ns"] / n["classic-level awaited get ns"],
    "Node prefix scan, FerrumDB / better-sqlite3": n["ferrumdb prefix scan ms"] / n["better-sqlite3 prefix scan ms"],
    "Node prefix scan, FerrumDB / classic-level": n["ferrumdb prefix scan ms"] / n["classic-level prefix scan ms"],
    "Node group commit gain (sequential / 10,000 concurrent, per put)":
        n["ferrumdb fsync always: sequential awaited put us"]
        / n["ferrumdb fsync always: 10,000 concurrent puts, per put us"],
    "Python group commit gain (sequential / 8 threads, per put)":
        pypeers["group commit: sequential put us"] / pypeers["group commit: 8 threads, per put us"],
    "Python get, FerrumDB / lmdb (txn per get)": pypeers["ferrumdb get"] / pypeers["lmdb get (one read txn per get)"],
    "Python get, FerrumDB / lmdb (shared txn)": pypeers["ferrumdb get"] / pypeers["lmdb get (one shared read txn)"],
    "Python prefix scan keys, FerrumDB / sqlite3":
        pypeers["ferrumdb prefix scan keys"] / pypeers["sqlite3 prefix scan keys"],
    "Python prefix scan items, FerrumDB / sqlite3":
        pypeers["ferrumdb prefix scan items"] / pypeers["sqlite3 prefix scan items"],
}
print()
print("| ratio (lower is better for FerrumDB, except the group commit gain) | value |")
print("|---|---:|")
for name, value in ratios.items():
    print(f"| {name} | {value:,.2f}x |")
PY
