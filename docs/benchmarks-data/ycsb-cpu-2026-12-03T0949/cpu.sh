#!/usr/bin/env bash
# CPU seconds (user+sys of the whole JVM) per YCSB run: cpu.sh JAR DATA_TEMPLATE OUT
# engines: ferrumdb, rocksdb, basic (site.ycsb.BasicDB: YCSB's client with a DB that does nothing)
# DATA_TEMPLATE: 100,000 records (one 100-byte field) loaded through the bindings (YCSB -load, 2 threads),
# then YcsbSettle per engine; every run starts from a fresh copy of it.
jar=$1 tmpl=$2 out=$3
W=/work/wt/ycsb2/ferrumdb-bench/ycsb-workloads
run() { # rep engine workload ops
  local rep=$1 e=$2 w=$3 ops=$4 cls extra=()
  case $e in ferrumdb) cls=io.ferrumdb.bench.ycsb.FerrumDbYcsb;; rocksdb) cls=io.ferrumdb.bench.ycsb.RocksDbYcsb;; basic) cls=site.ycsb.BasicDB; extra=(-p basicdb.verbose=false);; esac
  rm -rf /tmp/ycsb2/cpudata; cp -r "$tmpl" /tmp/ycsb2/cpudata
  local log=/tmp/ycsb2/cpu-$rep-$e-$w-$ops.txt
  local l=$(cut -d' ' -f1 /proc/loadavg)
  /usr/bin/time -f "CPU %U %S" java -Xmx1g -Xms1g -cp "$jar" site.ycsb.Client -t -db $cls -P $W/workload$w \
    -p $e.dir=/tmp/ycsb2/cpudata/$e -p recordcount=100000 -p operationcount=$ops -p fieldcount=1 -p fieldlength=100 \
    -threads ${THREADS:-2} "${extra[@]}" > $log 2>&1
  local cpu=$(awk '/^CPU/ {print $2 + $3}' $log) rt=$(awk -F', ' '/RunTime/ {print $3}' $log)
  local tp=$(awk -F', ' '/OVERALL\], Throughput/ {print $3}' $log)
  local op=$(sed -n 's/.*open_ms=\([0-9.]*\).*/\1/p' $log | head -1)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' $rep $e $w $ops $cpu $rt $tp "${op:-0}" | tee -a $out
}
printf 'rep\tengine\tworkload\tops\tcpu_s\truntime_ms\tthroughput\topen_ms\n' > $out
for rep in 1 2; do
  for e in ferrumdb rocksdb basic; do
    run $rep $e c 1
    run $rep $e c 1000000
    run $rep $e d 1000000
  done
done
