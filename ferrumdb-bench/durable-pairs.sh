#!/usr/bin/env bash
# Durable puts of two builds alternated, with RocksDB in the same repeat (issue 23's method, docs/benchmarks.md):
#   ferrumdb-bench/durable-pairs.sh OUT.jsonl SERIES REPEATS SECONDS NAME=JAR NAME=JAR ...
# Each repeat runs every build at 16 and then 64 writers (one JVM per row, `Harness durable ferrum T SECONDS 100`),
# the build order rotating by one per repeat, then RocksDB setSync(true) at 16 and 64 from the first build's jar.
# One JSON line per row: series, repeat, build, start time, one-minute load average, the harness's result.
set -euo pipefail
out=$1; series=$2; repeats=$3; seconds=$4; shift 4
builds=("$@")
data=${FERRUMDB_BENCH_DATA:-/tmp/ferrumdb-durable-pairs}
mkdir -p "$data"
row() { # name jar engine threads
  local at load res
  at=$(date -u +%H:%M:%S); load=$(cut -d' ' -f1 /proc/loadavg)
  res=$(java -Xmx1g -Dferrumdb.bench.data="$data" -cp "$2" io.ferrumdb.bench.Harness durable "$3" "$4" "$seconds" 100 \
        | sed -n 's/^RESULT //p')
  printf '{"series": "%s", "repeat": %d, "build": "%s", "at": "%s", "load1": "%s", "result": %s}\n' \
    "$series" "$r" "$1" "$at" "$load" "${res:-null}" | tee -a "$out"
}
n=${#builds[@]}
for ((r = 1; r <= repeats; r++)); do
  for ((i = 0; i < n; i++)); do
    b=${builds[$(((i + r - 1) % n))]}
    for t in 16 64; do row "${b%%=*}" "${b#*=}" ferrum $t; done
  done
  for t in 16 64; do row rocksdb "${builds[0]#*=}" rocksdb $t; done
done
