#!/usr/bin/env bash
# JFR settings: the JDK's profile.jfc with jdk.ExecutionSample at 1 ms (method-sampling-java-interval); aggregated with jfr-agg.py (run 6's agg.py, 400 inclusive frames)
# prof.sh JAR LABEL WORKLOAD OPS: one YCSB run from a fresh copy of the template, JFR at 1 ms sampling
set -euo pipefail
jar=$1 label=$2 w=$3 ops=$4
W=/work/wt/newest/ferrumdb-bench/ycsb-workloads
d=$(mktemp -d /tmp/newest/prof.XXXX); cp -r /tmp/newest/tmpl/ferrumdb $d/ferrumdb
l=$(cut -d' ' -f1 /proc/loadavg)
/usr/bin/time -f "CPU %U %S" java -Xmx1g -Xms1g -XX:StartFlightRecording=filename=/tmp/newest/jfr/$label-$w.jfr,settings=/tmp/newest/jfr/p1ms.jfc -cp $jar site.ycsb.Client -t -db io.ferrumdb.bench.ycsb.FerrumDbYcsb -P $W/workload$w -p ferrumdb.dir=$d/ferrumdb -p recordcount=100000 -p operationcount=$ops -p fieldcount=1 -p fieldlength=100 -threads 2 > /tmp/newest/jfr/$label-$w.log 2>&1
echo "load before $l" >> /tmp/newest/jfr/$label-$w.log
rm -rf $d
