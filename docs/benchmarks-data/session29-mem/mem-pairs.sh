#!/bin/bash
# Harness.memory (issue 18's method) in alternating pairs, base (main) then new (mem29), fresh JVM each.
cd /tmp/mem29
for round in 1 2; do
  for engine in ferrum ferrum-hash; do
    for build in base new; do
      echo "== $build $engine round $round load $(cat /proc/loadavg)"
      java -Xms2g -Xmx2g -XX:+AlwaysPreTouch -Dferrumdb.bench.data=/tmp/mem29/data -cp $build.jar \
        io.ferrumdb.bench.Harness memory $engine 1000000 100 2>&1 | grep RESULT
    done
  done
done
