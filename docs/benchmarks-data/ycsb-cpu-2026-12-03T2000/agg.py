# agg.py cpu.tsv: CPU per operation and fixed CPU per engine and workload, medians and values per repeat
import sys, collections, statistics
rows = [l.rstrip('\n').split('\t') for l in open(sys.argv[1])][1:]
d = collections.defaultdict(dict)
for rep, e, w, ops, cpu, rt, tp, load in rows:
    d[(w, e)].setdefault(int(rep), {})[int(ops)] = (float(cpu), float(rt), float(tp), float(load))
loads = [float(r[7]) for r in rows]
print(f"load average (1 min) before the runs: {min(loads)}-{max(loads)}, median {statistics.median(loads)}")
per = {}
for (w, e), reps in sorted(d.items()):
    pl, fl = [], []
    for rep, v in sorted(reps.items()):
        n = max(v); pl.append((v[n][0] - v[1][0]) / n * 1e6); fl.append(v[1][0])
    per[(w, e)] = pl
    print(f"{w} {e:8s} us/op {' / '.join('%.2f' % x for x in pl)} (median {statistics.median(pl):.2f}); fixed s {' / '.join('%.2f' % x for x in fl)}")
for w in 'cbd':
    if (w, 'rocksdb') in per and (w, 'new') in per and (w, 'main') in per:
        r = statistics.median(per[(w, 'rocksdb')]); n = statistics.median(per[(w, 'new')]); m = statistics.median(per[(w, 'main')])
        b = statistics.median(per[(w, 'basic')]) if (w, 'basic') in per else 0
        print(f"{w}: RocksDB/new {r/n:.2f}x (main {r/m:.2f}x); binding+engine new {n-b:.2f} main {m-b:.2f} rocksdb {r-b:.2f} us; new/main {n/m:.2f}")
