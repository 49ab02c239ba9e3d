#!/usr/bin/env python3
"""MCP stdio bad-input sweep. Usage: sweep_mcp.py JAR DBDIR OUT"""
import json, subprocess, sys, threading, time, queue
jar, db, outp = sys.argv[1:4]
out = open(outp, 'w')
p = subprocess.Popen(['java', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-jar', jar, '--db', db, 'mcp'],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
q = queue.Queue()
errlines = []
def reader():
    for line in p.stdout:
        q.put(line.decode('utf-8', 'replace'))
def ereader():
    for line in p.stderr:
        errlines.append(line.decode('utf-8', 'replace'))
threading.Thread(target=reader, daemon=True).start()
threading.Thread(target=ereader, daemon=True).start()
def send(raw):
    p.stdin.write(raw if isinstance(raw, bytes) else raw.encode()); p.stdin.write(b'\n'); p.stdin.flush()
def recv(timeout=5):
    got = []
    try:
        got.append(q.get(timeout=timeout))
        while True:
            got.append(q.get(timeout=0.3))
    except queue.Empty:
        pass
    return got
nid = [0]
def req(method, params=None):
    nid[0] += 1
    m = {"jsonrpc": "2.0", "id": nid[0], "method": method}
    if params is not None: m["params"] = params
    return json.dumps(m)
def case(name, raw, timeout=5):
    e0 = len(errlines)
    send(raw)
    got = recv(timeout)
    shown = ' || '.join(g.strip()[:400] for g in got) or '(no response)'
    err = ' | '.join(l.strip()[:200] for l in errlines[e0:e0+3])
    line = f"{name}\tresp={shown}\tstderr={err}"
    print(line[:600]); out.write(line + '\n'); out.flush()
send(req('initialize', {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "sweep", "version": "1"}}))
print(recv(20)[:1])
send(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}))
def tool(name, args): return req('tools/call', {"name": name, "arguments": args})
case('not-json', '{bad json')
case('alive-after-not-json', req('ping'))
case('json-number', '5')
case('json-array-empty', '[]')
case('no-jsonrpc-field', json.dumps({"id": 99, "method": "ping"}))
case('unknown-method', req('frob/nicate'))
case('tools-call-no-params', req('tools/call'))
case('tools-call-unknown-tool', tool('frob', {}))
case('tools-call-args-not-object', req('tools/call', {"name": "kv_get", "arguments": [1, 2]}))
case('remember-missing-text', tool('remember', {}))
case('remember-text-number', tool('remember', {"text": 5}))
case('remember-text-40k', tool('remember', {"text": "x" * 40000}))
case('remember-tags-string', tool('remember', {"text": "a", "tags": "x"}))
case('remember-tags-100', tool('remember', {"text": "a", "tags": ["t%d" % i for i in range(100)]}))
case('remember-ttl-neg', tool('remember', {"text": "a", "ttl_seconds": -1}))
case('remember-ttl-frac', tool('remember', {"text": "a", "ttl_seconds": 1.5}))
case('remember-ttl-string', tool('remember', {"text": "a", "ttl_seconds": "10"}))
case('remember-ttl-1e300', tool('remember', {"text": "a", "ttl_seconds": 1e300}))
case('remember-ttl-1e15', tool('remember', {"text": "a", "ttl_seconds": 999999999999999}))
case('remember-metadata-array', tool('remember', {"text": "a", "metadata": [1]}))
case('remember-metadata-huge', tool('remember', {"text": "a", "metadata": {"x": "y" * 20000}}))
case('remember-namespace-bad', tool('remember', {"text": "a", "namespace": "a/b"}))
case('remember-namespace-long', tool('remember', {"text": "a", "namespace": "n" * 100}))
case('remember-vector-strings', tool('remember', {"text": "a", "vector": ["x"]}))
case('remember-vector-nan', tool('remember', {"text": "a", "vector": [1e39]}))
case('remember-unknown-arg', tool('remember', {"text": "a", "txet": "b"}))
case('recall-limit-huge', tool('recall', {"limit": 1000000}))
case('recall-since-bad', tool('recall', {"since": "yesterday"}))
case('recall-vector-dim-mismatch', tool('recall', {"query": "a", "vector": [1, 2, 3]}))
case('forget-no-args', tool('forget', {}))
case('forget-id-number', tool('forget', {"id": 5}))
case('kv-put-key-empty', tool('kv_put', {"key": "", "value": "v"}))
case('kv-put-key-control', tool('kv_put', {"key": "\u0001x", "value": "v"}))
case('kv-put-key-70000', tool('kv_put', {"key": "k" * 70000, "value": "v"}))
case('kv-put-value-number', tool('kv_put', {"key": "k", "value": 5}))
case('kv-put-ttl-0', tool('kv_put', {"key": "k", "value": "v", "ttl_seconds": 0}))
case('kv-put-ttl-1e15', tool('kv_put', {"key": "k", "value": "v", "ttl_seconds": 999999999999999}))
case('kv-get-key-missing', tool('kv_get', {}))
case('kv-get-key-null', tool('kv_get', {"key": None}))
case('kv-scan-prefix-control', tool('kv_scan', {"prefix": "\u0001"}))
case('kv-scan-prefix-70000', tool('kv_scan', {"prefix": "p" * 70000}))
case('kv-scan-cursor-garbage', tool('kv_scan', {"cursor": "!!!"}))
case('kv-scan-cursor-past-prefix', tool('kv_scan', {"prefix": "a", "cursor": "eg"}))
case('kv-scan-limit-0', tool('kv_scan', {"limit": 0}))
case('kv-scan-limit-string', tool('kv_scan', {"limit": "5"}))
case('doc-find-kvdb', tool('doc_find', {"collection": "c"}))
case('doc-find-filter-string', tool('doc_find', {"collection": "c", "filter": "{}"}))
case('resources-read-bad-uri', req('resources/read', {"uri": "ferrumdb://memory/../x"}))
case('resources-read-other-scheme', req('resources/read', {"uri": "file:///etc/passwd"}))
case('kv-put-key-surrogate', tool('kv_put', {"key": "x\ud800", "value": "v"}))
case('remember-text-surrogate', tool('remember', {"text": "a\ud800b"}))
case('alive-at-end', req('ping'))
t = time.time()
p.stdin.close()
try:
    rc = p.wait(60)
except subprocess.TimeoutExpired:
    rc = 'HANG'; p.kill()
line = f"stdin-closed\texit={rc}\tafter={time.time()-t:.1f}s\tstderr-tail={' | '.join(l.strip()[:200] for l in errlines[-3:])}"
print(line); out.write(line + '\n')
out.close()
