#!/usr/bin/env python3
"""Studio HTTP bad-input sweep. Usage: sweep_studio.py JAR DBDIR OUT"""
import json, subprocess, sys, time, socket, re, base64
jar, db, outp = sys.argv[1:4]
out = open(outp, 'w')
p = subprocess.Popen(['java', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-jar', jar, '--db', db, 'studio', '--port', '0'],
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
m = None
while m is None:
    line = p.stdout.readline().decode()
    if not line:
        sys.exit('studio did not start: ' + p.stderr.read().decode())
    m = re.search(r'http://127\.0\.0\.1:(\d+)/\?token=(\S+)', line)
port, token = int(m.group(1)), m.group(2)
def raw(data, wait=5):
    s = socket.create_connection(('127.0.0.1', port)); s.settimeout(wait)
    try:
        s.sendall(data)
        buf = b''
        while True:
            try:
                b = s.recv(65536)
            except (socket.timeout, ConnectionResetError):
                break
            if not b: break
            buf += b
            if b'\r\n\r\n' in buf:
                head, _, body = buf.partition(b'\r\n\r\n')
                cl = re.search(rb'content-length: (\d+)', head, re.I)
                if cl and len(body) >= int(cl.group(1)): break
    except (BrokenPipeError, ConnectionResetError):
        pass
    finally:
        s.close()
    return buf
def http(method, path, body=None, headers=None, tok=True, host=None):
    h = {'Host': host or f'127.0.0.1:{port}', 'Connection': 'close'}
    if tok: h['X-FerrumDB-Token'] = token if tok is True else tok
    if body is not None:
        body = body if isinstance(body, bytes) else body.encode()
        h['Content-Length'] = str(len(body))
    h.update(headers or {})
    req = f'{method} {path} HTTP/1.1\r\n' + ''.join(f'{k}: {v}\r\n' for k, v in h.items()) + '\r\n'
    return raw(req.encode() + (body or b''))
def case(name, resp):
    head, _, body = resp.partition(b'\r\n\r\n')
    status = head.split(b'\r\n')[0].decode('latin-1') if head else '(nothing)'
    shown = body[:300].decode('utf-8', 'replace').replace('\n', '|')
    l = f"{name}\t{status}\t{shown}"
    print(l[:500]); out.write(l + '\n'); out.flush()
case('no-token', http('GET', '/api/info', tok=False))
case('wrong-token', http('GET', '/api/info', tok='x' * 64))
case('wrong-host', http('GET', '/api/info', host='evil.example:80'))
case('kv-put-badjson', http('PUT', '/api/kv', '{bad'))
case('kv-put-array', http('PUT', '/api/kv', '[1]'))
case('kv-put-empty', http('PUT', '/api/kv', ''))
case('kv-put-no-key', http('PUT', '/api/kv', '{"value":"v"}'))
case('kv-put-key-and-hex', http('PUT', '/api/kv', '{"key":"a","hex":"00","value":"v"}'))
case('kv-put-hex-odd', http('PUT', '/api/kv', '{"hex":"abc","value":"v"}'))
case('kv-put-b64-bad', http('PUT', '/api/kv', '{"key":"a","valueBase64":"!!"}'))
case('kv-put-value-number', http('PUT', '/api/kv', '{"key":"a","value":5}'))
case('kv-put-ttl-neg', http('PUT', '/api/kv', '{"key":"a","value":"v","ttlSeconds":-1}'))
case('kv-put-ttl-frac', http('PUT', '/api/kv', '{"key":"a","value":"v","ttlSeconds":1.5}'))
case('kv-put-ttl-string', http('PUT', '/api/kv', '{"key":"a","value":"v","ttlSeconds":"10"}'))
case('kv-put-ttl-huge', http('PUT', '/api/kv', '{"key":"a","value":"v","ttlSeconds":1e20}'))
case('kv-put-ttl-over100y', http('PUT', '/api/kv', '{"key":"a","value":"v","ttlSeconds":3155760001}'))
case('kv-put-key-70000', http('PUT', '/api/kv', json.dumps({"key": "k" * 70000, "value": "v"})))
case('kv-put-value-64M+1', http('PUT', '/api/kv', json.dumps({"key": "big", "valueBase64": base64.b64encode(b'\0' * (64 * 1024 * 1024 + 1)).decode()})))
case('kv-ttl-missing-key', http('POST', '/api/kv/ttl', '{"key":"nokey","ttlSeconds":5}'))
case('kv-ttl-bad', http('POST', '/api/kv/ttl', '{"key":"a","ttlSeconds":"x"}'))
case('keys-limit-0', http('GET', '/api/keys?limit=0'))
case('keys-limit-abc', http('GET', '/api/keys?limit=abc'))
case('keys-limit-huge', http('GET', '/api/keys?limit=99999999999'))
case('keys-after-garbage', http('GET', '/api/keys?after=%21%21'))
case('keys-prefixhex-bad', http('GET', '/api/keys?prefixHex=zz'))
case('kv-pct-bad', http('GET', '/api/kv/%zz'))
case('kv-no-key', http('GET', '/api/kv'))
case('kv-bad-utf8', http('GET', '/api/kv?key=%ff'))
case('traversal', http('GET', '/../../etc/passwd'))
case('traversal-enc', http('GET', '/%2e%2e/%2e%2e/etc/passwd'))
case('body-413-declared', raw(f'PUT /api/kv HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-FerrumDB-Token: {token}\r\nContent-Length: 200000000\r\n\r\n{{'.encode()))
case('content-length-neg', raw(f'PUT /api/kv HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-FerrumDB-Token: {token}\r\nContent-Length: -5\r\n\r\n'.encode()))
case('content-length-abc', raw(f'PUT /api/kv HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-FerrumDB-Token: {token}\r\nContent-Length: abc\r\n\r\n'.encode()))
case('request-line-300k', raw(f'GET /api/keys?prefix={"a" * 300000} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n'.encode()))
case('header-70k', raw(f'GET /api/info HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Big: {"a" * 70000}\r\n\r\n'.encode()))
case('not-http', raw(b'\x16\x03\x01\x00\xa5garbage\r\n\r\n'))
case('import-key-70000', http('POST', '/api/import', '{"key":"a","value":"1"}\n' * 3 + json.dumps({"key": "k" * 70000, "value": "v"}) + '\n'))
case('import-value-30M-text', http('POST', '/api/import', '{"key":"a","value":"1"}\n' * 3 + json.dumps({"key": "v30", "value": "x" * (30 * 1024 * 1024)}) + '\n'))
case('import-expires-huge', http('POST', '/api/import', '{"key":"b","value":"2","expiresAt":99999999999999999999}\n'))
case('query-badfilter', http('GET', '/api/query?collection=c&filter=%7Bbad'))
case('query-limit-neg', http('GET', '/api/query?collection=c&limit=-1'))
case('query-no-collection', http('GET', '/api/query'))
case('document-put-badjson', http('PUT', '/api/document', '{"collection":"c","id":"1","document":"{bad"}'))
case('document-put-no-id', http('PUT', '/api/document', '{"collection":"c","document":{}}'))
case('index-put-bad', http('POST', '/api/index', '{"collection":"c"}'))
case('backup-relative', http('POST', '/api/backup', '{"target":"rel/dir"}'))
case('backup-missing', http('POST', '/api/backup', '{}'))
case('backup-nonempty', http('POST', '/api/backup', '{"target":"/etc"}'))
case('delete-prefix-no-count', http('POST', '/api/kv/delete-prefix', '{"prefix":"a"}'))
case('delete-prefix-count-string', http('POST', '/api/kv/delete-prefix', '{"prefix":"a","expectedCount":"5"}'))
case('kv-put-hex-object', http('PUT', '/api/kv', '{"hex":{},"value":"v"}'))
case('kv-get-empty-key-after-hex-object', http('GET', '/api/kv?hex='))
case('kv-put-hex-number', http('PUT', '/api/kv', '{"hex":1234,"value":"v"}'))
case('kv-put-b64-object', http('PUT', '/api/kv', '{"key":"b64obj","valueBase64":{}}'))
case('kv-get-b64obj', http('GET', '/api/kv?key=b64obj'))
case('kv-put-key-array', http('PUT', '/api/kv', '{"key":["a"],"value":"v"}'))
case('delete-prefix-object', http('POST', '/api/kv/delete-prefix', '{"prefix":{},"expectedCount":0}'))
case('document-ttl-wrap', http('PUT', '/api/document', '{"collection":"c","id":"t1","document":{"a":1},"ttlSeconds":18446744073709551617}'))
case('document-get-ttl-wrap', http('GET', '/api/document?collection=c&id=t1'))
case('method-bad', http('PATCH', '/api/kv', '{}'))
case('info-alive', http('GET', '/api/info'))
p.terminate(); p.wait(30)
out.close()
