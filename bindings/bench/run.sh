#!/usr/bin/env bash
# Per-call overhead of the Python and Node.js bindings against the same calls made from Java, in one run on one
# machine: get (16-byte key, 100-byte value), contains and put (fsync never, so the engine's own work is small and
# the crossing dominates). Prints a Markdown table of nanoseconds per call and ratios to Java.
# Usage: bindings/bench/run.sh [operations per round]   (run bindings/*/run-tests.sh once first)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
ops=${1:-20000}
jar="$root/ferrumdb-bindings-jar/target/ferrumdb-bindings.jar"
(cd "$root" && mvn -B -q -ntp -pl ferrumdb-bindings-jar -am package -DskipTests)
cp "$jar" "$root/bindings/python/src/ferrumdb/jars/"
cp "$jar" "$root/bindings/node/jars/"

java_json=$(java -cp "$jar" "$here/CallOverhead.java" "$ops")
python_json=$(PYTHONPATH="$root/bindings/python/src" /usr/bin/python3 "$here/bench.py" "$ops")
node_json=$(node "$here/bench.js" "$ops")

/usr/bin/python3 - "$java_json" "$python_json" "$node_json" <<'PY'
import json, sys
java, python, node = (json.loads(a) for a in sys.argv[1:])
print("| call | Java ns | Python ns | Python / Java | Node sync ns | Node sync / Java | Node async ns | Node async / Java |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for op in ("get", "contains", "put"):
    j, p, ns, na = java[op], python[op], node[op], node[op + " (async)"]
    print(f"| {op} | {j:,.0f} | {p:,.0f} | {p / j:,.1f}x | {ns:,.0f} | {ns / j:,.1f}x | {na:,.0f} | {na / j:,.1f}x |")
PY
