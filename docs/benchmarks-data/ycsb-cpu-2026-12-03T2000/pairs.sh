#!/usr/bin/env bash
# ab.sh W OPS REPS JAR...: user/sys CPU of YCSB runs from the template, jars alternating
w=$1 ops=$2 reps=$3; shift 3
W=/work/wt/newest/ferrumdb-bench/ycsb-workloads
for r in $(seq 1 $reps); do for jar in "$@"; do
  rm -rf /tmp/newest/ab; cp -r /tmp/newest/tmpl /tmp/newest/ab
  l=$(cut -d' ' -f1 /proc/loadavg)
  /usr/bin/time -f "CPU %U %S" java -Xmx1g -Xms1g -cp $jar site.ycsb.Client -t -db io.ferrumdb.bench.ycsb.FerrumDbYcsb -P $W/workload$w -p ferrumdb.dir=/tmp/newest/ab/ferrumdb -p recordcount=100000 -p operationcount=$ops -p fieldcount=1 -p fieldlength=100 -threads 2 > /tmp/newest/ab.log 2>&1
  echo "$r $(basename $jar) $(grep ^CPU /tmp/newest/ab.log) tp $(awk -F', ' '/OVERALL\], Throughput/ {printf "%d", $3}' /tmp/newest/ab.log) load $l $(grep -o 'fsyncs=[0-9]*\|compactions=[0-9]*' /tmp/newest/ab.log | tr '\n' ' ')"
done; done
