"""The Python side of the bindings' per-call overhead comparison (see run.sh): the operations of
CallOverhead.java through the ferrumdb package. Prints one JSON object of nanoseconds per call (median of rounds)."""

import json
import statistics
import sys
import tempfile
import time

import ferrumdb

ROUNDS = 7


def median(ops, loop):
    per_call = []
    for r in range(-1, ROUNDS):
        start = time.perf_counter_ns()
        loop(ops)
        elapsed = time.perf_counter_ns() - start
        if r >= 0:
            per_call.append(elapsed / ops)
    return statistics.median(per_call)


def main():
    ops = int(sys.argv[1])
    key = b"bench:0000000001"
    value = b"\x07" * 100
    with tempfile.TemporaryDirectory() as d:
        with ferrumdb.open(d, fsync="never") as db:
            db.put(key, value)
        # Reopened, as in CallOverhead.java: the value sits in a sealed, memory-mapped segment.
        with ferrumdb.open(d, fsync="never") as db:
            def get(n):
                for _ in range(n):
                    db.get(key)

            def contains(n):
                for _ in range(n):
                    key in db

            def put(n):
                for _ in range(n):
                    db.put(key, value)

            print(json.dumps({name: round(median(ops, f), 1) for name, f in
                              (("get", get), ("contains", contains), ("put", put))}))

if __name__ == "__main__":
    main()
