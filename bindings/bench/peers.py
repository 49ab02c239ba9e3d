"""FerrumDB from Python side by side with what Python developers use today, in one run: the standard library's
sqlite3 (WAL, prepared statements) and LMDB (Debian's python3-lmdb). N keys of 16 bytes with 100-byte values under
one prefix; point gets of random keys, and a prefix scan of all N; and the gain of 8 threads' puts under fsync
'always' from group commit. Prints one JSON object: nanoseconds per get, milliseconds per scan, microseconds per
durable put, medians of rounds."""

import json
import random
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import lmdb

import ferrumdb

ROUNDS = 5
PREFIX = b"user:"


def median_ns(loop, ops):
    samples = []
    for r in range(-1, ROUNDS):
        start = time.perf_counter_ns()
        loop()
        if r >= 0:
            samples.append((time.perf_counter_ns() - start) / ops)
    return statistics.median(samples)


def main():
    n = int(sys.argv[1])
    gets = min(n, 20_000)
    keys = [PREFIX + b"%011d" % i for i in range(n)]
    value = b"\x07" * 100
    probe = random.Random(42).sample(keys, gets)
    out = {}
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        # FerrumDB: loaded in one batch, reopened so that reads come from sealed segments.
        with ferrumdb.open(d / "ferrum", fsync="never") as db:
            with db.write_batch() as batch:
                for k in keys:
                    batch.put(k, value)
        db = ferrumdb.open(d / "ferrum", fsync="never")
        out["ferrumdb get"] = median_ns(lambda: [db.get(k) for k in probe], gets)
        out["ferrumdb prefix scan keys"] = median_ns(
            lambda: sum(1 for _ in db.iterator(prefix=PREFIX, include_value=False)), 1) / 1e6
        out["ferrumdb prefix scan items"] = median_ns(lambda: sum(1 for _ in db.iterator(prefix=PREFIX)), 1) / 1e6
        assert sum(1 for _ in db.iterator(prefix=PREFIX, include_value=False)) == n
        db.close()

        sql = sqlite3.connect(d / "sqlite.db")
        sql.execute("PRAGMA journal_mode=WAL")
        sql.execute("CREATE TABLE kv (k BLOB PRIMARY KEY, v BLOB) WITHOUT ROWID")
        with sql:
            sql.executemany("INSERT INTO kv VALUES (?, ?)", ((k, value) for k in keys))
        upper = PREFIX[:-1] + bytes([PREFIX[-1] + 1])
        one = "SELECT v FROM kv WHERE k = ?"
        out["sqlite3 get"] = median_ns(lambda: [sql.execute(one, (k,)).fetchone() for k in probe], gets)
        out["sqlite3 prefix scan keys"] = median_ns(
            lambda: len(sql.execute("SELECT k FROM kv WHERE k >= ? AND k < ?", (PREFIX, upper)).fetchall()), 1) / 1e6
        out["sqlite3 prefix scan items"] = median_ns(
            lambda: len(sql.execute("SELECT k, v FROM kv WHERE k >= ? AND k < ?", (PREFIX, upper)).fetchall()),
            1) / 1e6
        sql.close()

        env = lmdb.open(str(d / "lmdb"), map_size=1 << 30, sync=False)
        with env.begin(write=True) as txn:
            for k in keys:
                txn.put(k, value)

        def lmdb_get_txn_each():
            for k in probe:
                with env.begin() as txn:
                    txn.get(k)

        def lmdb_get_shared():
            with env.begin() as txn:
                for k in probe:
                    txn.get(k)

        def lmdb_scan(values):
            with env.begin() as txn:
                cursor = txn.cursor()
                count = 0
                if cursor.set_range(PREFIX):
                    for k in cursor.iternext(keys=True, values=values):
                        if not (k[0] if values else k).startswith(PREFIX):
                            break
                        count += 1
                return count

        out["lmdb get (one read txn per get)"] = median_ns(lmdb_get_txn_each, gets)
        out["lmdb get (one shared read txn)"] = median_ns(lmdb_get_shared, gets)
        out["lmdb prefix scan keys"] = median_ns(lambda: lmdb_scan(False), 1) / 1e6
        out["lmdb prefix scan items"] = median_ns(lambda: lmdb_scan(True), 1) / 1e6
        env.close()

        # Group commit: 8 threads putting concurrently under fsync 'always' against one thread, per put.
        with ferrumdb.open(d / "durable", fsync="always") as durable:
            sequential = 200
            out["group commit: sequential put us"] = median_ns(
                lambda: [durable.put(b"s%d" % i, value) for i in range(sequential)], sequential) / 1e3

            def threaded(threads=8, each=250):
                def work(t):
                    for i in range(each):
                        durable.put(b"t%d:%d" % (t, i), value)
                workers = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
                for w in workers:
                    w.start()
                for w in workers:
                    w.join()

            out["group commit: 8 threads, per put us"] = median_ns(threaded, 2000) / 1e3
    print(json.dumps({k: round(v, 2) for k, v in out.items()}))


if __name__ == "__main__":
    main()
