#!/usr/bin/env bash
set -euo pipefail
cd /tmp/scanwork
W=/work/wt/scan/ferrumdb-bench/ycsb-workloads
out=/tmp/scanwork/results2.tsv
printf 'repeat\tbuild\tbench\twalk\tfirst_ms\twarm_ms\tops_s\tload1\n' > $out
for r in 1 2 3 4; do
  if [ $((r % 2)) -eq 1 ]; then builds="before after"; else builds="after before"; fi
  for b in $builds; do
    rm -rf /tmp/scanwork/y-$b
    java -Xmx1g -Xms1g -cp $b.jar site.ycsb.Client -load -db io.ferrumdb.bench.ycsb.FerrumDbYcsb -P $W/workloade -p ferrumdb.dir=/tmp/scanwork/y-$b -p recordcount=100000 -p operationcount=50000 -p fieldcount=1 -p fieldlength=100 -threads 2 > y-load-$r-$b.txt 2>&1
    l=$(cut -d' ' -f1 /proc/loadavg)
    java -Xmx1g -Xms1g -cp $b.jar site.ycsb.Client -t -db io.ferrumdb.bench.ycsb.FerrumDbYcsb -P $W/workloade -p ferrumdb.dir=/tmp/scanwork/y-$b -p recordcount=100000 -p operationcount=50000 -p fieldcount=1 -p fieldlength=100 -threads 2 > y-run-$r-$b.txt 2>&1
    if grep -Eq 'FAILED\]|Return=ERROR|Return=NOT_FOUND|Return=UNEXPECTED' y-run-$r-$b.txt; then echo "failed ops in y-run-$r-$b.txt" >&2; exit 1; fi
    t=$(awk -F', ' '/^\[OVERALL\], Throughput/ {print $3}' y-run-$r-$b.txt)
    printf '%s\t%s\tycsb-e\t-\t\t\t%s\t%s\n' $r $b $t $l >> $out
    rm -rf /tmp/scanwork/y-$b
  done
done
echo done >> $out
