#!/bin/bash
# pairs.sh N A B : alternating fresh-JVM opens of the template with core jars A and B (probe builds)
n=$1; shift
for r in $(seq 1 $n); do
  if [ $((r % 2)) -eq 1 ]; then order="$1 $2"; else order="$2 $1"; fi
  for v in $order; do
    rm -rf /tmp/s10/oc/d; cp -r /tmp/s10/oc/tmpl/ferrumdb /tmp/s10/oc/d
    l=$(cut -d' ' -f1 /proc/loadavg)
    out=$( /usr/bin/time -f "cpu %U %S" java -Dprobe=true -Xmx1g -Xms1g -cp /tmp/s10/oc/core-$v-probe.jar:/tmp/s10/oc/base.jar:. OC /tmp/s10/oc/d 2>&1)
    echo "$v load=$l $(echo "$out" | grep ^open | cut -c1-60) | $(echo "$out" | grep -o 'waithint=[0-9./]* seal=[0-9./]* loadhint=[0-9./]*') $(echo "$out" | grep ^cpu)"
  done
done
