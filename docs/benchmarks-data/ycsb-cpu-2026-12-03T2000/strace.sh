#!/usr/bin/env bash
# strace.sh OUT: system calls (pread64, futex, mmap, munmap) of YCSB D and B, 500,000 operations, main's jar and the branch's
out=$1; W=/work/wt/newest/ferrumdb-bench/ycsb-workloads
: > $out
for j in main:/tmp/s9/main.jar branch:/tmp/newest/branch.jar; do l=${j%%:*}; jar=${j#*:}; for w in d b; do
  rm -rf /tmp/newest/st; cp -r /tmp/newest/tmpl /tmp/newest/st
  strace -f -c -e trace=pread64,futex,mmap,munmap -o /tmp/newest/st.txt java -Xmx1g -Xms1g -cp $jar site.ycsb.Client -t -db io.ferrumdb.bench.ycsb.FerrumDbYcsb -P $W/workload$w -p ferrumdb.dir=/tmp/newest/st/ferrumdb -p recordcount=100000 -p operationcount=500000 -p fieldcount=1 -p fieldlength=100 -threads 2 > /tmp/newest/st.log 2>&1
  { echo "== $l $w (load $(cut -d' ' -f1 /proc/loadavg)) $(grep -E 'OVERALL\], Throughput' /tmp/newest/st.log)"; grep -E "calls|pread64|futex|mmap|munmap" /tmp/newest/st.txt; } >> $out
done; done
