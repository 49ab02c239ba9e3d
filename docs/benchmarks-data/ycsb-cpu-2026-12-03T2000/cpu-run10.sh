#!/usr/bin/env bash
# CPU seconds (user+sys of the whole JVM, /usr/bin/time) per YCSB run, run 10 of the YCSB section (session 9: B and D only):
#   cpu-run10.sh MAIN_JAR NEW_JAR TEMPLATE OUT_TSV [REPEATS]
# TEMPLATE: 100,000 records (one 100-byte field) loaded through the bindings (YCSB -load, 2 threads), then YcsbSettle
# per engine (TEMPLATE/ferrumdb, TEMPLATE/rocksdb); every run starts from a fresh copy of it. Engines: FerrumDB
# built at main's commit (main), FerrumDB of this branch (new), RocksDB, and site.ycsb.BasicDB (YCSB's client with a
# DB that does nothing). Per repeat and workload, a 1-operation run (JVM start, open, close) and an N-operation run
# of each (B and D 500,000; C 1,000,000 if asked; YCSB_CPU_OPS overrides both), the order of the four reversed every repeat. CPU per operation =
# (CPU of N ops - CPU of 1 op) / N. Adapted from ycsb-cpu-2026-12-03T1750/cpu-run9.sh (run 9): workloads from YCSB_CPU_WORKLOADS (default "d b").
set -euo pipefail
main=$1 new=$2 tmpl=$3 out=$4 reps=${5:-3}
W=${YCSB_WORKLOAD_DIR:-ferrumdb-bench/ycsb-workloads}   # run from the repository root
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run() { # rep label jar engine workload ops
  local rep=$1 label=$2 jar=$3 e=$4 w=$5 ops=$6 cls extra=()
  case $e in ferrumdb) cls=io.ferrumdb.bench.ycsb.FerrumDbYcsb;; rocksdb) cls=io.ferrumdb.bench.ycsb.RocksDbYcsb;;
    basic) cls=site.ycsb.BasicDB; extra=(-p basicdb.verbose=false);; esac
  rm -rf "$work/data"; cp -r "$tmpl" "$work/data"
  local log=$work/log.txt l; l=$(cut -d' ' -f1 /proc/loadavg)
  /usr/bin/time -f "CPU %U %S" java -Xmx1g -Xms1g -cp "$jar" site.ycsb.Client -t -db $cls -P "$W/workload$w" \
    -p $e.dir="$work/data/$e" -p recordcount=100000 -p operationcount=$ops -p fieldcount=1 -p fieldlength=100 \
    -threads 2 "${extra[@]}" > "$log" 2>&1
  if grep -Eq 'FAILED\]|Return=ERROR|Return=NOT_FOUND' "$log" || ! grep -q 'OVERALL\], Throughput' "$log"; then
    echo "run failed: $label $w $ops" >&2; cat "$log" >&2; exit 1
  fi
  local cpu rt tp
  cpu=$(awk '/^CPU/ {print $2 + $3}' "$log"); rt=$(awk -F', ' '/RunTime/ {print $3}' "$log")
  tp=$(awk -F', ' '/OVERALL\], Throughput/ {print $3}' "$log")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' $rep $label $w $ops "$cpu" "$rt" "$tp" "$l" | tee -a "$out"
}
printf 'rep\tengine\tworkload\tops\tcpu_s\truntime_ms\tthroughput\tloadavg_1m_before\n' > "$out"
for rep in $(seq 1 $reps); do
  specs=("main=$main=ferrumdb" "new=$new=ferrumdb" "rocksdb=$new=rocksdb" "basic=$new=basic")
  if [ $((rep % 2)) -eq 0 ]; then specs=("basic=$new=basic" "rocksdb=$new=rocksdb" "new=$new=ferrumdb" "main=$main=ferrumdb"); fi
  for w in ${YCSB_CPU_WORKLOADS:-d b}; do
    ops=${YCSB_CPU_OPS:-500000}; [ $w = c ] && ops=${YCSB_CPU_OPS:-1000000}
    for s in "${specs[@]}"; do
      IFS== read -r label jar e <<< "$s"
      run $rep $label "$jar" $e $w 1
      run $rep $label "$jar" $e $w $ops
    done
  done
done
