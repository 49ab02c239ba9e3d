"""Issue 22's Python targets, measured so that load on a shared machine cancels out: FerrumDB and its peer are
timed in alternating blocks in one process, and each target's figure is the median of the per-pair ratios.

- get: 2,000 random gets of 100,000 keys (16 bytes, 100-byte values) against lmdb's (Debian's python3-lmdb, a read
  transaction per get); 25 block pairs after 5 warm-up pairs. Wall time, and the calling thread's CPU time (which a
  process waiting for a core does not accrue). Also the previous get (DirectReader.get(int), an object's
  attributes; rebuilt here as it was) against the current one, the same way.
- prefix scan of all 100,000 keys (keys only, and keys with values) against sqlite3 (WAL, WITHOUT ROWID table),
  each consumed by the same Python loop: the first scan right after open (what a user who opens and scans sees;
  FerrumDB's ordered key index is still being built then, and the JIT has not compiled the scan path), in wall
  time and in the CPU time of the whole process; then 8 alternating pairs (steady state), per-pair ratios of wall
  time and of the calling thread's CPU time.

Prints one JSON object. Usage: python targets.py [keys]
"""

import json
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import jpype
import jpype.nio
import lmdb

import ferrumdb
from ferrumdb import _db

PREFIX = b"user:"
BLOCK = 2000
PAIRS = 25
WARMUP = 5
SCAN_PAIRS = 8


def alternate(ours, theirs, pairs=PAIRS, warmup=WARMUP, per=BLOCK):
    """Medians of ns per operation (wall and thread CPU) of each side, and of the per-pair ratios."""
    wall = ([], [], [])
    cpu = ([], [], [])
    for i in range(warmup + pairs):
        timed = {}
        for name, fn in ((("ours", ours), ("theirs", theirs)) if i % 2 == 0 else (("theirs", theirs), ("ours", ours))):
            w, c = time.perf_counter_ns(), time.thread_time_ns()
            fn()
            timed[name] = ((time.perf_counter_ns() - w) / per, (time.thread_time_ns() - c) / per)
        if i >= warmup:
            for series, at in ((wall, 0), (cpu, 1)):
                series[0].append(timed["ours"][at])
                series[1].append(timed["theirs"][at])
                series[2].append(timed["ours"][at] / timed["theirs"][at])
    med = statistics.median
    return {"wall": [med(s) for s in wall], "cpu": [med(s) for s in cpu]}


def before_get(db):
    """db.get as it was before this change: a per-thread object, DirectReader.get(int), an int result."""
    key_buffer, value_buffer = bytearray(4 << 10), bytearray(64 << 10)
    reader = jpype.JClass(_db._DIRECT_READER)(db._db, jpype.nio.convertToDirectBuffer(key_buffer),
                                              jpype.nio.convertToDirectBuffer(value_buffer))

    class Reader:
        __slots__ = ("key", "value", "get", "busy", "buffers")

    r = Reader()
    r.buffers = (key_buffer, value_buffer)
    r.key, r.value, r.get, r.busy = memoryview(key_buffer), memoryview(value_buffer), reader.get, False
    holder = type("Holder", (), {})()
    holder.reader = r
    forked = ferrumdb._jvm

    def get(key, default=None):
        if forked._forked:
            raise RuntimeError("forked")
        k = key if type(key) is bytes else bytes(key)
        n = len(k)
        try:
            if n <= 4096:
                try:
                    reader = holder.reader
                except AttributeError:
                    raise
                if not reader.busy:
                    reader.busy = True
                    try:
                        reader.key[:n] = k
                        length = reader.get(n)
                        if length <= 65536:
                            return default if length < 0 else reader.value[:length].tobytes()
                    finally:
                        reader.busy = False
            value = db._get(k)
        except jpype.JException as e:
            raise _db.translate(e) from None
        return default if value is None else bytes(value)

    return get


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    keys = [PREFIX + b"%011d" % i for i in range(n)]
    value = b"\x07" * 100
    probe = random.Random(42).sample(keys, BLOCK)
    out = {"load": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        with ferrumdb.open(d / "ferrum", fsync="never") as db:
            with db.write_batch() as batch:
                for k in keys:
                    batch.put(k, value)
        sql = sqlite3.connect(d / "sqlite.db")
        sql.execute("PRAGMA journal_mode=WAL")
        sql.execute("CREATE TABLE kv (k BLOB PRIMARY KEY, v BLOB) WITHOUT ROWID")
        with sql:
            sql.executemany("INSERT INTO kv VALUES (?, ?)", ((k, value) for k in keys))
        sql.close()
        env = lmdb.open(str(d / "lmdb"), map_size=1 << 30, sync=False)
        with env.begin(write=True) as txn:
            for k in keys:
                txn.put(k, value)

        # Scans first, so that FerrumDB's first scan is the first after open, JIT cold for the scan path.
        upper = PREFIX[:-1] + bytes([PREFIX[-1] + 1])
        db = ferrumdb.open(d / "ferrum", fsync="never")
        sql = sqlite3.connect(d / "sqlite.db")

        def ours(include_value):
            return lambda: sum(1 for _ in db.iterator(prefix=PREFIX, include_value=include_value))

        def theirs(include_value):
            query = f"SELECT {'k, v' if include_value else 'k'} FROM kv WHERE k >= ? AND k < ?"
            return lambda: sum(1 for _ in sql.execute(query, (PREFIX, upper)))

        for include_value, name in ((False, "keys"), (True, "items")):
            first = {}
            for side, fn in (("ferrumdb", ours(include_value)), ("sqlite3", theirs(include_value))):
                # Wall time, and the CPU time of the whole process (for FerrumDB that includes the JIT compiler
                # threads and the ordered index's build, which a cold first scan also pays for).
                start, cpu = time.perf_counter_ns(), time.process_time_ns()
                assert fn() == n
                first[side] = ((time.perf_counter_ns() - start) / 1e6, (time.process_time_ns() - cpu) / 1e6)
            out[f"first scan {name}: ferrumdb ms"], out[f"first scan {name}: ferrumdb cpu ms"] = first["ferrumdb"]
            out[f"first scan {name}: sqlite3 ms"], out[f"first scan {name}: sqlite3 cpu ms"] = first["sqlite3"]
            out[f"first scan {name}: ferrumdb / sqlite3"] = first["ferrumdb"][0] / first["sqlite3"][0]
            out[f"first scan {name}: ferrumdb / sqlite3, cpu"] = first["ferrumdb"][1] / first["sqlite3"][1]
        for include_value, name in ((False, "keys"), (True, "items")):
            steady = alternate(ours(include_value), theirs(include_value), pairs=SCAN_PAIRS, warmup=0, per=1e6)
            out[f"scans 2-9 {name}: ferrumdb ms"], out[f"scans 2-9 {name}: sqlite3 ms"], \
                out[f"scans 2-9 {name}: ferrumdb / sqlite3"] = steady["wall"]
            out[f"scans 2-9 {name}: ferrumdb / sqlite3, thread cpu"] = steady["cpu"][2]
        sql.close()

        def lmdb_gets():
            for k in probe:
                with env.begin() as txn:
                    txn.get(k)

        get = db.get
        for k in probe[:100]:
            with env.begin() as txn:
                assert get(k) == txn.get(k)
        result = alternate(lambda: [get(k) for k in probe], lmdb_gets)
        out["get: ferrumdb ns"], out["get: lmdb ns"], out["get: ferrumdb / lmdb"] = result["wall"]
        out["get cpu: ferrumdb ns"], out["get cpu: lmdb ns"], out["get cpu: ferrumdb / lmdb"] = result["cpu"]
        old = before_get(db)
        assert all(old(k) == get(k) for k in probe[:100])
        change = alternate(lambda: [get(k) for k in probe], lambda: [old(k) for k in probe])
        out["get: after / before"] = change["wall"][2]
        out["get cpu: after / before"] = change["cpu"][2]
        db.close()
        env.close()
    out["load end"] = os.getloadavg()[0]
    print(json.dumps({k: round(v, 2) for k, v in out.items()}))


if __name__ == "__main__":
    main()
