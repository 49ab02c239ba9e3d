import time, tempfile, sys, statistics
from pathlib import Path
import ferrumdb
from ferrumdb import _db
n=100_000
keys=[b"user:%011d" % i for i in range(n)]
with tempfile.TemporaryDirectory() as d:
    with ferrumdb.open(Path(d)/"f", fsync="never") as db:
        with db.write_batch() as b:
            for k in keys: b.put(k, b"\x07"*100)
    db = ferrumdb.open(Path(d)/"f", fsync="never")
    for include in (False, True):
        res={"fill":[], "unpack":[], "iter":[], "total":[]}
        for r in range(30):
            s = db.iterator(prefix=b"user:", include_value=include)
            fill=unpack=it=0
            t0=time.thread_time_ns()
            s._buffer = buf = bytearray(_db._CHUNK_BUFFER_BYTES)
            s._direct = _db.jpype.nio.convertToDirectBuffer(buf)
            while True:
                a=time.thread_time_ns()
                c = s._cursor.fill(s._direct, _db._CHUNK_ENTRIES)
                b_=time.thread_time_ns()
                if c == 0: fill += b_-a; break
                chunk=_db._unpack_filled(buf, c, include)
                c_=time.thread_time_ns()
                for _ in chunk: pass
                e=time.thread_time_ns()
                fill+=b_-a; unpack+=c_-b_; it+=e-c_
            tot=time.thread_time_ns()-t0
            for k,v in (("fill",fill),("unpack",unpack),("iter",it),("total",tot)): res[k].append(v/1e6)
        print("values" if include else "keys", {k: round(statistics.median(v[10:]),1) for k,v in res.items()})
