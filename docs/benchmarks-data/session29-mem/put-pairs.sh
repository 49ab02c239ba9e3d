#!/bin/bash
cd /tmp/mem29
for round in ${ROUNDS:-1 2 3}; do
  for build in base new; do
    echo "== $build round $round load $(cat /proc/loadavg)"
    /usr/bin/time -f "cpu user %U sys %S wall %e" java -Xmx2g -Dferrumdb.bench.data=/tmp/mem29/data -cp $build.jar \
      io.ferrumdb.bench.Harness keydir-put 1000000 2>&1 | grep -E "RESULT|cpu"
  done
done
