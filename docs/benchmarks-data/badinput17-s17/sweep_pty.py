#!/usr/bin/env python3
"""Interactive REPL on a pty: Ctrl-D and Ctrl-C in awkward places. Usage: sweep_pty.py JAR WORKDIR OUT"""
import os, pty, sys, time, select, re, subprocess
jar, work, outp = sys.argv[1:4]
out = open(outp, 'w')
def run(name, db, keys, env=None):
    pid, fd = pty.fork()
    if pid == 0:
        e = dict(os.environ, TERM='xterm', FERRUMDB_HISTORY=os.path.join(work, 'hist'))
        e.update(env or {})
        os.execvpe('java', ['java', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-jar', jar, '--db', db], e)
    buf = b''
    def pump(t):
        nonlocal buf
        end = time.time() + t
        while time.time() < end:
            r, _, _ = select.select([fd], [], [], 0.1)
            if r:
                try:
                    d = os.read(fd, 65536)
                except OSError:
                    return
                if not d:
                    return
                buf += d
    pump(8)
    for k in keys:
        os.write(fd, k); pump(1.5)
    status = None
    end = time.time() + 15
    while time.time() < end:
        p, st = os.waitpid(pid, os.WNOHANG)
        if p:
            status = os.waitstatus_to_exitcode(st); break
        pump(0.2)
    if status is None:
        os.kill(pid, 9); os.waitpid(pid, 0); status = 'HANG'
    text = re.sub(rb'\x1b\[[0-9;?]*[a-zA-Z]', b'', buf).decode('utf-8', 'replace').replace('\r', '').replace('\n', '|')
    trace = ' [TRACE]' if re.search(r'Exception|\tat |\bat io\.', text) else ''
    l = f"pty-{name}\texit={status}{trace}\t{text[-400:]}"
    print(l); out.write(l + '\n'); out.flush()
run('ctrl-d-empty', os.path.join(work, 'p1'), [b'\x04'])
run('ctrl-d-in-json', os.path.join(work, 'p1'), [b'SET k {"a":\r', b'\x04'])
run('ctrl-d-in-multi', os.path.join(work, 'p1'), [b'MULTI\r', b'SET a 1\r', b'\x04'])
run('ctrl-c-then-exit', os.path.join(work, 'p1'), [b'GET', b'\x03', b'EXIT\r'])
run('ctrl-c-in-json', os.path.join(work, 'p1'), [b'SET k {"a":\r', b'\x03', b'GET k\r', b'EXIT\r'])
subprocess.run(['java', '-jar', jar, '--db', os.path.join(work, 'penc'), 'put', 'k', 'v'], env=dict(os.environ, FERRUMDB_PASSPHRASE='s3cret'), capture_output=True)
run('enc-ctrl-d-at-passphrase', os.path.join(work, 'penc'), [b'\x04'])
run('enc-empty-passphrase', os.path.join(work, 'penc'), [b'\r'])
run('enc-wrong-passphrase', os.path.join(work, 'penc'), [b'nope\r'])
out.close()
