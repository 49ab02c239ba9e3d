#!/bin/bash
cd /tmp/mem29
for round in 5 6 7 8 9 10; do
  for engine in ferrum-hash ferrum; do
    for build in base new; do
      echo "== $build $engine round $round load $(cut -d' ' -f1 /proc/loadavg) $(java -Xmx2g -Dferrumdb.bench.data=/tmp/mem29/data -cp cls:$build.jar io.ferrumdb.bench.GetAfterLoad $engine 1000000 | grep GETCPU)"
    done
  done
done
