#!/usr/bin/env bash
# pair.sh N JAR_A LABEL_A JAR_B LABEL_B [extra]: N alternating pairs of a fresh-JVM open+close; order flips each pair.
n=$1; ja=$2; la=$3; jb=$4; lb=$5; shift 5
one() { local jar=$1 label=$2; shift 2; rm -rf /tmp/openfresh/data; cp -r /tmp/openfresh/tmpl/ferrumdb /tmp/openfresh/data; sync /tmp/openfresh/data 2>/dev/null
  local l; l=$(cut -d' ' -f1 /proc/loadavg)
  local out; out=$( { /usr/bin/time -f "wall %e cpu %U %S" java -Xmx1g -Xms1g -cp "$jar:/tmp/openfresh/oc" OpenFresh /tmp/openfresh/data "$@" ; } 2>&1 | tr '\n' ' ')
  echo "$label load $l $out"; }
for i in $(seq 1 $n); do
  if [ $((i % 2)) -eq 1 ]; then one $ja $la; one $jb $lb; else one $jb $lb; one $ja $la; fi
done
