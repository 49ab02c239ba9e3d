#!/usr/bin/env bash
set -euo pipefail
cd /tmp/scanwork
out=/tmp/scanwork/results4.tsv
: > $out
for r in 1 2 3; do
  if [ $((r % 2)) -eq 1 ]; then builds="before after"; else builds="after before"; fi
  for b in $builds; do
    l=$(cut -d' ' -f1 /proc/loadavg)
    if [ $b = after ]; then java -Xmx1g -Xms1g -cp after2.jar:cls io.ferrumdb.bench.ShortScanHarness /tmp/scanwork/s-$b 100000 30000 5 > s.txt
    else java -Xmx1g -Xms1g -cp before.jar ShortScanHarness.java /tmp/scanwork/s-$b 100000 30000 5 > s.txt; fi
    while IFS=$'\t' read round ops n; do printf '%s\t%s\tshortscan\t%s\t%s\t%s\t%s\n' $r $b $round $ops $n $l >> $out; done < s.txt
    l=$(cut -d' ' -f1 /proc/loadavg)
    if [ $b = after ]; then java -Xmx1g -Xms1g -cp after2.jar io.ferrumdb.bench.PrefixScanHarness /tmp/scanwork/p-$b > h.txt
    else java -Xmx1g -Xms1g -cp before.jar PrefixScanHarness.java /tmp/scanwork/p-$b > h.txt; fi
    while IFS=$'\t' read walk first warm n; do printf '%s\t%s\tprefix100k\t%s\t%s\t%s\t%s\n' $r $b $walk $first $warm $l >> $out; done < h.txt
  done
done
echo done >> $out
