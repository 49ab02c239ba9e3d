#!/usr/bin/env python3
"""RESP bad-input sweep against a running `ferrumdb serve`. Usage: sweep_resp.py PORT OUT"""
import socket, sys, time
port, out = int(sys.argv[1]), open(sys.argv[2], 'w')

def exchange(payload, wait=1.5, close_early=False, chunks=None):
    s = socket.create_connection(('127.0.0.1', port))
    s.settimeout(wait)
    data = b''
    closed = False
    try:
        if chunks:
            for ch in chunks:
                s.sendall(ch); time.sleep(0.05)
        else:
            s.sendall(payload)
        if close_early:
            s.close(); return b'', True
        deadline = time.time() + wait
        while time.time() < deadline:
            try:
                b = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                closed = True; break
            if not b:
                closed = True; break
            data += b
    finally:
        try: s.close()
        except Exception: pass
    return data, closed

def alive():
    d, _ = exchange(b'PING\r\n', wait=3)
    return d == b'+PONG\r\n'

def cmd(*args):
    b = b'*%d\r\n' % len(args)
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        b += b'$%d\r\n%s\r\n' % (len(a), a)
    return b

def case(name, payload, **kw):
    t = time.time()
    d, closed = exchange(payload, **kw)
    el = time.time() - t
    shown = d[:300].decode('latin-1').replace('\r\n', '|')
    line = f"{name}\treply={shown}{'...(%d bytes)' % len(d) if len(d) > 300 else ''}\tclosed={closed}\talive={alive()}\t{el:.1f}s"
    print(line); out.write(line + '\n'); out.flush()

K70 = b'k' * 65534
case('ping', cmd('PING'))
case('mbulk-count-abc', b'*abc\r\n')
case('mbulk-count-neg', b'*-5\r\nPING\r\n')
case('mbulk-count-huge', b'*99999999999\r\n')
case('mbulk-count-maxint-then-close', b'*2147483647\r\n$3\r\nGET\r\n', close_early=True)
case('expected-dollar', b'*2\r\n$3\r\nGET\r\n:5\r\n')
case('bulk-len-neg', b'*1\r\n$-5\r\n')
case('bulk-len-abc', b'*1\r\n$abc\r\n')
case('bulk-len-huge', b'*1\r\n$99999999999\r\n')
case('bulk-len-512M-then-close', b'*1\r\n$536870912\r\nabc', close_early=True)
case('bulk-len-512M-partial', b'*1\r\n$536870912\r\n' + b'x' * 100000, wait=2)
case('bulk-no-crlf', b'*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n')
case('header-no-lf', b'*1\rX$4\r\nPING\r\n')
case('inline-unbalanced', b'SET k "v\r\n')
case('inline-too-big', b'A' * 70000)
case('inline-dollar', b'$5\r\nhello\r\n')
case('inline-only-spaces', b'   \r\n')
case('unknown-command', cmd('FROB', 'x'))
case('empty-command-name', cmd(''))
case('arity-get', cmd('GET'))
case('arity-set', cmd('SET', 'k'))
case('arity-mset-odd', cmd('MSET', 'a', '1', 'b'))
case('wrongtype-get-hash', cmd('HSET', 'h', 'f', 'v') + cmd('GET', 'h') + cmd('INCR', 'h') + cmd('APPEND', 'h', 'x'))
case('wrongtype-hget-string', cmd('SET', 's', 'v') + cmd('HGET', 's', 'f') + cmd('HSET', 's', 'f', 'v'))
case('binary-key', cmd('SET', b'\x00\xff\r\n', b'\x00v\r\n') + cmd('GET', b'\x00\xff\r\n'))
case('key-65533', cmd('SET', b'k' * 65533, 'v') + cmd('STRLEN', b'k' * 65533))
case('key-65534', cmd('SET', K70, 'v'))
case('key-70000', cmd('SET', b'k' * 70000, 'v'))
case('hash-long-key-and-field', cmd('HSET', b'h' * 40000, b'f' * 30000, 'v'))
case('value-64M', cmd('SET', 'bigv', b'x' * (64 << 20)), wait=20)
case('setrange-huge', cmd('SETRANGE', 'sr', '536870911', 'x'))
case('setrange-maxlong', cmd('SETRANGE', 'sr', '9223372036854775807', 'x'))
case('setrange-64M', cmd('SETRANGE', 'sr', str(64 << 20), 'x'))
case('setrange-neg', cmd('SETRANGE', 'sr', '-1', 'x'))
case('getrange-extreme', cmd('SET', 'g', 'hello') + cmd('GETRANGE', 'g', '-9223372036854775808', '9223372036854775807'))
case('expire-neg', cmd('SET', 'e', 'v') + cmd('EXPIRE', 'e', '-1') + cmd('EXISTS', 'e'))
case('expire-maxlong', cmd('SET', 'e', 'v') + cmd('EXPIRE', 'e', '9223372036854775807'))
case('expire-overflow', cmd('EXPIRE', 'e', '99999999999999999999'))
case('pexpire-maxlong', cmd('SET', 'e', 'v') + cmd('PEXPIRE', 'e', '9223372036854775807'))
case('expireat-maxlong', cmd('SET', 'e', 'v') + cmd('EXPIREAT', 'e', '9223372036854775807'))
case('pexpireat-maxlong', cmd('SET', 'e', 'v') + cmd('PEXPIREAT', 'e', '9223372036854775807') + cmd('PTTL', 'e'))
case('set-ex-0', cmd('SET', 'k', 'v', 'EX', '0'))
case('set-ex-neg', cmd('SET', 'k', 'v', 'EX', '-1'))
case('set-ex-maxlong', cmd('SET', 'k', 'v', 'EX', '9223372036854775807'))
case('set-px-maxlong', cmd('SET', 'k', 'v', 'PX', '9223372036854775807') + cmd('PTTL', 'k'))
case('set-exat-maxlong', cmd('SET', 'k', 'v', 'EXAT', '9223372036854775807'))
case('set-ex-float', cmd('SET', 'k', 'v', 'EX', '1.5'))
case('setex-0', cmd('SETEX', 'k', '0', 'v'))
case('getex-ex-maxlong', cmd('SET', 'k', 'v') + cmd('GETEX', 'k', 'EX', '9223372036854775807'))
case('incrby-overflow', cmd('SET', 'n', '9223372036854775807') + cmd('INCRBY', 'n', '1') + cmd('DECRBY', 'n', '-9223372036854775808'))
case('incrbyfloat-inf', cmd('INCRBYFLOAT', 'f', 'inf') + cmd('INCRBYFLOAT', 'f', 'nan') + cmd('INCRBYFLOAT', 'f', '1e400'))
case('hincrby-overflow', cmd('HSET', 'hh', 'n', '9223372036854775807') + cmd('HINCRBY', 'hh', 'n', '1'))
case('scan-count-neg', cmd('SCAN', '0', 'COUNT', '-1') + cmd('SCAN', '0', 'COUNT', '0') + cmd('SCAN', 'abc'))
case('scan-count-huge', cmd('SCAN', '0', 'COUNT', '9223372036854775807'))
case('scan-cursor-huge', cmd('SCAN', '99999999999999999999'))
case('hrandfield-minlong', cmd('HSET', 'hr', 'a', '1') + cmd('HRANDFIELD', 'hr', '-9223372036854775808'))
case('hrandfield-huge-neg', cmd('HRANDFIELD', 'hr', '-2000000000'), wait=5)
case('select-bad', cmd('SELECT', '16') + cmd('SELECT', '-1') + cmd('SELECT', 'abc'))
case('move-bad', cmd('SET', 'm', 'v') + cmd('MOVE', 'm', '99'))
case('hello-4', cmd('HELLO', '4') + cmd('HELLO', 'abc'))
case('client-kill-bogus', cmd('CLIENT', 'KILL', 'bogus') + cmd('CLIENT', 'FROB'))
case('config-set-bogus', cmd('CONFIG', 'SET', 'maxmemory', '1') + cmd('CONFIG', 'GET'))
case('command-info-bogus', cmd('COMMAND', 'INFO', 'nope') + cmd('COMMAND', 'FROB'))
case('keys-glob-hostile', cmd('SET', 'a' * 60, 'v') + cmd('KEYS', 'a*' * 30 + 'b'), wait=5)
case('pipelined-garbage', b'PING\r\nPING\r\n*x\r\nPING\r\n')
case('pipelined-many', b'PING\r\n' * 20000, wait=3)
case('multi-errors', cmd('MULTI') + cmd('SET', 'k') + cmd('EXEC'))
case('multi-nested', cmd('MULTI') + cmd('MULTI') + cmd('EXEC'))
case('watch-in-multi', cmd('MULTI') + cmd('WATCH', 'k') + cmd('EXEC'))
case('exec-wrongtype-inside', cmd('HSET', 'wh', 'f', 'v') + cmd('MULTI') + cmd('SET', 'z', '1') + cmd('INCR', 'wh') + cmd('EXEC') + cmd('GET', 'z'))
case('close-mid-command', b'*3\r\n$3\r\nSET\r\n$1\r\nk', close_early=True)
case('close-mid-multi', cmd('MULTI') + cmd('SET', 'mm', '1'), close_early=True)
case('after-close-mid-multi', cmd('EXISTS', 'mm'))
case('http-get', b'GET / HTTP/1.1\r\nHost: x\r\n\r\n')
case('resp3-attr-type', b'|1\r\n+a\r\n+b\r\n')
case('null-bulk-arg', b'*2\r\n$3\r\nGET\r\n$-1\r\n')
case('auth-no-pass', cmd('AUTH', 'x') + cmd('AUTH', 'a', 'b', 'c'))
case('echo-binary', cmd('ECHO', bytes(range(256))))
case('slow-drip', None, chunks=[b'*1\r', b'\n$4', b'\r\nPI', b'NG\r', b'\n'])
case('flushall-args', cmd('FLUSHALL', 'FROB'))
case('object-unknown', cmd('OBJECT', 'ENCODING', 'k'))
case('debug-unknown', cmd('DEBUG', 'SLEEP', '0'))
out.close()
