#!/usr/bin/env bash
# Runs FerrumDB's benchmark suite and regenerates docs/benchmarks.md (the generated block) and docs/img/*.png.
#   ferrumdb-bench/run-bench.sh quick   # about 10-15 minutes: one fork, short iterations, 100-byte values only
#   ferrumdb-bench/run-bench.sh full    # hours: 3 forks, longer iterations, 100 B and 1 KiB values
#   ferrumdb-bench/run-bench.sh compaction  # about 2 minutes: only open with hint files, GET p99 during
#                                           # compaction and compaction throughput (1M keys), merged into harness.json
#   ferrumdb-bench/run-bench.sh keydir      # about 10-20 minutes: issue 18's key directory suite against its naive
#                                           # baselines (memory, open, GET, puts, 3M keys in 384 MiB), keydir.json
# Results: docs/benchmarks-data/jmh.json (JMH) and docs/benchmarks-data/harness.json (durable writes, memory,
# open time, disk space). Data sets are built once under ferrumdb-bench/target/bench-data (FERRUMDB_BENCH_DATA).
# Needs redis-server on the PATH for the Redis rows (Debian: apt-get install redis-server); it is started and
# stopped by the harness on a free loopback port.
set -euo pipefail
suite=${1:-}
case "$suite" in
  quick) jmh_opts=(-f 1 -wi 1 -w 1s -i 3 -r 1s) ;;
  full) jmh_opts=(-f 3 -wi 3 -w 3s -i 5 -r 3s -p valueSize=100,1024) ;;
  compaction|keydir) jmh_opts=() ;;
  *) echo "usage: $0 quick|full|compaction|keydir" >&2; exit 2 ;;
esac
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mvn -B -q -ntp -pl ferrumdb-bench -am package -DskipTests
# Run from a copy so that a rebuild during the run does not pull the jar from under the forked JVMs.
run_dir=ferrumdb-bench/target/run
mkdir -p "$run_dir"
cp ferrumdb-bench/target/benchmarks.jar "$run_dir/benchmarks.jar"
jar="$run_dir/benchmarks.jar"
results=docs/benchmarks-data
data=${FERRUMDB_BENCH_DATA:-$root/ferrumdb-bench/target/bench-data}
mkdir -p "$results" "$data"
feature=$(java -XshowSettings:properties -version 2>&1 | awk '/java.specification.version/ {print $3}')
flags="-Xmx2g -Dferrumdb.bench.data=$data"
if [ "${feature%%.*}" -ge 24 ]; then
  flags="$flags --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
fi
if [ "$suite" = keydir ]; then
  echo "== keydir suite: harness (key directory memory, open, GET, puts, small heap)"
  # shellcheck disable=SC2086
  java $flags -cp "$jar" io.ferrumdb.bench.Harness keydir "$results/keydir.json"
  echo "done: $results/keydir.json (quoted by hand in docs/benchmarks.md, section \"Key directory\")"
  exit 0
elif [ "$suite" = compaction ]; then
  echo "== compaction suite: harness (open with hint files, GET p99 during compaction, compaction throughput)"
  # shellcheck disable=SC2086
  java $flags -cp "$jar" io.ferrumdb.bench.Harness compaction "$results/harness.json"
else
  echo "== $suite suite: JMH benchmarks (GET, put, mixed, scan)"
  # shellcheck disable=SC2086
  java $flags -jar "$jar" '^io\.ferrumdb\.bench\.[A-Za-z]+Bench\.' "${jmh_opts[@]}" -jvmArgs "$flags" \
    -rf json -rff "$results/jmh.json" | tee "$run_dir/jmh-$suite.log"
  echo "== $suite suite: harness (durable writes, memory, open time, disk space, compaction)"
  # shellcheck disable=SC2086
  java $flags -cp "$jar" io.ferrumdb.bench.Harness "$suite" "$results/harness.json"
fi
echo "== generating docs/benchmarks.md and docs/img"
java -cp "$jar" io.ferrumdb.bench.ReportGenerator "$results" docs
echo "done: docs/benchmarks.md"
