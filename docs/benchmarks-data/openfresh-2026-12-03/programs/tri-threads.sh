#!/usr/bin/env bash
# tri-threads.sh ROUNDS label=jar[=props] ...: as tri.sh, each JVM listing its threads' CPU ticks after close.
rounds=$1; shift
specs=("$@")
for r in $(seq 1 $rounds); do
  n=${#specs[@]}
  for k in $(seq 0 $((n-1))); do
    s=${specs[$(( (k + r) % n ))]}
    IFS== read -r label jar props <<< "$s"
    rm -rf /tmp/openfresh/data; cp -r /tmp/openfresh/tmpl/ferrumdb /tmp/openfresh/data
    l=$(cut -d' ' -f1 /proc/loadavg)
    out=$( { /usr/bin/time -f "wall %e cpu %U %S" java $props -Xmx1g -Xms1g -cp "$jar:/tmp/openfresh/oc" OpenFresh /tmp/openfresh/data threads ; } 2>&1 | tr '\n' ' ')
    echo "$label load $l $out"
  done
done
