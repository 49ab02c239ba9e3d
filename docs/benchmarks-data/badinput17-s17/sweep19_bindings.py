"""Session 19 bad-input sweep of the Python binding: one line per case, "name<TAB>outcome" (the exception's type
and message, or OK and the result). Imports ferrumdb from $BINDINGS/python/src; the jar from $FERRUMDB_JAR."""
import datetime
import os
import sys
import tempfile
import threading

sys.path.insert(0, os.path.join(os.environ["BINDINGS"], "python", "src"))
import ferrumdb  # noqa: E402

d = tempfile.mkdtemp()


def case(name, f):
    try:
        out = "OK " + repr(f())
    except BaseException as e:  # the sweep records whatever comes out
        out = f"{type(e).__module__}.{type(e).__name__}: {e}"
    print(f"{name}\t{out[:200]}".replace("\n", "|"))


db = ferrumdb.open(d + "/db")
case("put-none-key", lambda: db.put(None, b"v"))
case("put-int-key", lambda: db.put(5, b"v"))
case("put-dict-value", lambda: db.put(b"k", {"a": 1}))
case("put-non-utf8-bytes", lambda: db.put(b"\xff\xfe", b"\xc3"))
case("put-lone-surrogate-key", lambda: db.put("\ud800", b"v"))
case("get-lone-surrogate-key", lambda: db.get("\udfff"))
case("put-key-65536", lambda: db.put(b"k" * 65536, b"v"))
case("get-key-65536", lambda: db.get(b"k" * 65536))
case("put-value-64MiB+1", lambda: db.put(b"k", b"v" * ((64 << 20) + 1)))
for label, ttl in (("-1", -1), ("0", 0), ("nan", float("nan")), ("inf", float("inf")), ("1e12", 1e12),
                   ("timedelta.max", datetime.timedelta.max), ("str", "10")):
    case(f"put-ttl-{label}", lambda ttl=ttl: db.put(b"k", b"v", ttl=ttl))
case("batch-ttl-1e12", lambda: db.write_batch().put(b"k", b"v", ttl=1e12))
case("scan-limit-10**30", lambda: list(db.iterator(limit=10 ** 30)))
case("open-non-utf8-name", lambda: ferrumdb.open(os.fsencode(d) + b"/\xff"))
case("open-passphrase-surrogate", lambda: ferrumdb.open(d + "/p", passphrase="\ud800"))
case("open-fsync-interval-nan", lambda: ferrumdb.open(d + "/f", fsync="periodic", fsync_interval=float("nan")))
case("open-a-file", lambda: ferrumdb.open("/etc/passwd"))
with db.write_batch() as batch:
    for i in range(10000):
        batch.put(b"s%05d" % i, b"v")
scan = db.iterator()
next(scan)
late = db.write_batch().put(b"a", b"b")
db.close()
case("scan-after-close", lambda: sum(1 for _ in scan))
case("batch-commit-after-close", lambda: late.__exit__(None, None, None))
case("get-after-close", lambda: db.get(b"a"))
db = ferrumdb.open(d + "/cc")
errors = set()


def worker():
    try:
        for _ in range(500):
            db.put(b"x", b"y")
            db.get(b"x")
            list(db.iterator(limit=10))
    except BaseException as e:
        errors.add(f"{type(e).__module__}.{type(e).__name__}")


threads = [threading.Thread(target=worker) for _ in range(4)]
[t.start() for t in threads]
db.close()
[t.join() for t in threads]
case("concurrent-close", lambda: sorted(errors))
store = ferrumdb.open_documents(d + "/docs")
c = store.collection("c")
c.put("a", {"n": 1})
c.put("b", {"n": 2})
case("doc-put-nan", lambda: c.put("x", {"a": float("nan")}))
case("doc-put-set", lambda: c.put("x", {"a": {1}}))
case("doc-find-limit--1", lambda: len(c.find(limit=-1)))
case("doc-find-limit-10**30", lambda: len(c.find(limit=10 ** 30)))
case("doc-id-lone-surrogate", lambda: c.put("\ud800", {}))
store.close()
db = ferrumdb.open(d + "/mem")
memory = ferrumdb.agent_memory(db)
case("memory-text-lone-surrogate", lambda: memory.remember("tea \ud800"))
case("memory-recall-it", lambda: [m["text"] for m in memory.recall("tea")])
case("memory-tags-one-str", lambda: memory.remember("milk", tags="xyz"))
case("memory-recall-tags", lambda: [m["tags"] for m in memory.recall("milk")])
case("memory-ttl-nan", lambda: memory.remember("x", ttl=float("nan")))
case("memory-metadata-set", lambda: memory.remember("x", metadata={"a": {1}}))
case("memory-ttl-1e12", lambda: memory.remember("x", ttl=1e12))
case("memory-recall-limit-10**30", lambda: memory.recall("x", limit=10 ** 30))
db.close()
case("memory-after-close", lambda: memory.remember("x"))
