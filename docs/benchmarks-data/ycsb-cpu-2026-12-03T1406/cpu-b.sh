#!/usr/bin/env bash
# CPU seconds (user+sys of the whole JVM, /usr/bin/time) per YCSB B run, run 8 of the YCSB section:
#   cpu-b.sh JAR OUT_TSV        (from the repository root; work files under ferrumdb-bench/target/ycsb-cpu)
# engines: ferrumdb, rocksdb, basic (site.ycsb.BasicDB: YCSB's client with a DB that does nothing).
# The template is 100,000 records (one 100-byte field) loaded through the bindings (YCSB -load, 2 threads), then
# YcsbSettle per engine; every run starts from a fresh copy of it. A 1-operation run gives JVM start, open and
# close; (CPU of the 500,000-operation run - CPU of the 1-operation run) / 500,000 is the CPU per operation.
# Adapted from ycsb-cpu-2026-12-03T0949/cpu.sh (run 6), which measured C and D the same way.
set -euo pipefail
jar=$1 out=$2
W=ferrumdb-bench/ycsb-workloads
work=ferrumdb-bench/target/ycsb-cpu
rm -rf "$work"; mkdir -p "$work/template"
for e in ferrumdb rocksdb; do
  case $e in ferrumdb) cls=io.ferrumdb.bench.ycsb.FerrumDbYcsb;; rocksdb) cls=io.ferrumdb.bench.ycsb.RocksDbYcsb;; esac
  java -Xmx1g -Xms1g -cp "$jar" site.ycsb.Client -load -db $cls -P $W/workloadb -p $e.dir="$work/template/$e" \
    -p recordcount=100000 -p operationcount=100000 -p fieldcount=1 -p fieldlength=100 -threads 2 > "$work/load-$e.txt" 2>&1
  java -Xmx1g -Xms1g -cp "$jar" io.ferrumdb.bench.ycsb.YcsbSettle $e "$work/template/$e" > "$work/settle-$e.txt" 2>&1
done
run() { # rep engine workload ops
  local rep=$1 e=$2 w=$3 ops=$4 cls extra=()
  case $e in ferrumdb) cls=io.ferrumdb.bench.ycsb.FerrumDbYcsb;; rocksdb) cls=io.ferrumdb.bench.ycsb.RocksDbYcsb;; basic) cls=site.ycsb.BasicDB; extra=(-p basicdb.verbose=false);; esac
  rm -rf "$work/data"; cp -r "$work/template" "$work/data"
  local log=$work/cpu-$rep-$e-$w-$ops.txt
  local l; l=$(cut -d' ' -f1 /proc/loadavg)
  /usr/bin/time -f "CPU %U %S" java -Xmx1g -Xms1g -cp "$jar" site.ycsb.Client -t -db $cls -P $W/workload$w \
    -p $e.dir="$work/data/$e" -p recordcount=100000 -p operationcount=$ops -p fieldcount=1 -p fieldlength=100 \
    -threads 2 "${extra[@]}" > "$log" 2>&1
  local cpu rt tp op
  cpu=$(awk '/^CPU/ {print $2 + $3}' "$log"); rt=$(awk -F', ' '/RunTime/ {print $3}' "$log")
  tp=$(awk -F', ' '/OVERALL\], Throughput/ {print $3}' "$log")
  op=$(sed -n 's/.*open_ms=\([0-9.]*\).*/\1/p' "$log" | head -1)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' $rep $e $w $ops "$cpu" "$rt" "$tp" "${op:-0}" "$l" | tee -a "$out"
}
printf 'rep\tengine\tworkload\tops\tcpu_s\truntime_ms\tthroughput\topen_ms\tloadavg_1m_before\n' > "$out"
for rep in 1 2 3; do
  if [ $((rep % 2)) -eq 1 ]; then engines=(ferrumdb rocksdb basic); else engines=(rocksdb ferrumdb basic); fi
  for e in "${engines[@]}"; do
    run $rep $e b 1
    run $rep $e b 500000
  done
done
rm -rf "$work/data"
