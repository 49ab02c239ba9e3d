#!/usr/bin/env python3
"""Latency of a small Studio API call (GET /api/info), on fresh and on reused (keep-alive) connections.

Usage: python3 ferrumdb-studio/latency-probe.py 'http://127.0.0.1:PORT/?token=...' [requests]
(the URL Studio printed at start). Prints median and p90 per mode, twice each. Results: docs/benchmarks.md.
"""
import http.client, socket, statistics, sys, time, re
url = sys.argv[1]; n = int(sys.argv[2]) if len(sys.argv) > 2 else 300
m = re.match(r'http://([0-9.]+):(\d+)/\?token=(.*)', url)
host, port, token = m.group(1), int(m.group(2)), m.group(3)
hdr = {"X-FerrumDB-Token": token}
def run(reuse):
    times = []
    conn = http.client.HTTPConnection(host, port) if reuse else None
    for i in range(n):
        c = conn or http.client.HTTPConnection(host, port)
        t = time.perf_counter()
        c.request("GET", "/api/info", headers=hdr)
        r = c.getresponse(); r.read()
        times.append((time.perf_counter() - t) * 1000)
        assert r.status == 200, r.status
        if not reuse: c.close()
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.9)]
for label, reuse in (("fresh", False), ("reused", True), ("fresh", False), ("reused", True)):
    med, p90 = run(reuse)
    print(f"{label:7s} connection: median {med:.2f} ms, p90 {p90:.2f} ms over {n} GET /api/info")
