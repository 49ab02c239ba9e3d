"""redis-py (Debian's python3-redis) against ferrumdb serve: strings, hashes, expiry, transactions, pipelining."""
import sys
import time

import redis

port = int(sys.argv[1])
r = redis.Redis(host="127.0.0.1", port=port, decode_responses=True, socket_timeout=60)

# strings
assert r.set("py:s", "hello") is True
assert r.get("py:s") == "hello"
assert r.append("py:s", " world") == 11
assert r.incr("py:n") == 1 and r.incrby("py:n", 9) == 10
assert r.incrbyfloat("py:n", 0.5) == 10.5
assert r.mset({"py:a": "1", "py:b": "2"}) and r.mget("py:a", "py:b", "py:none") == ["1", "2", None]
assert r.set("py:s", "x", nx=True) is None
assert r.getdel("py:a") == "1" and r.exists("py:a") == 0

# hashes
assert r.hset("py:h", mapping={"name": "ada", "lang": "py"}) == 2
assert r.hgetall("py:h") == {"name": "ada", "lang": "py"}
assert r.hincrby("py:h", "visits", 3) == 3
assert r.hlen("py:h") == 3 and r.hexists("py:h", "name")
try:
    r.get("py:h")
    raise AssertionError("GET on a hash must fail")
except redis.ResponseError as e:
    assert str(e).startswith("WRONGTYPE"), e

# expiry
r.set("py:ttl", "v", px=200)
assert 0 < r.pttl("py:ttl") <= 200
r.hset("py:hx", "f", "v")
assert r.expire("py:hx", 1)
time.sleep(1.3)
assert r.get("py:ttl") is None and r.hgetall("py:hx") == {}
assert r.ttl("py:missing") == -2

# transactions: MULTI/EXEC, and WATCH aborting on a concurrent change
with r.pipeline(transaction=True) as p:
    p.set("py:t", "1").incr("py:t").hset("py:th", "f", "v")
    assert p.execute() == [True, 2, 1]
other = redis.Redis(host="127.0.0.1", port=port, decode_responses=True)
with r.pipeline() as p:
    p.watch("py:t")
    other.set("py:t", "changed")
    p.multi()
    p.set("py:t", "mine")
    try:
        p.execute()
        raise AssertionError("EXEC must fail after a watched key changed")
    except redis.WatchError:
        pass
assert r.get("py:t") == "changed"

# pipelining: replies in order
with r.pipeline(transaction=False) as p:
    for i in range(1000):
        p.set(f"py:p{i}", i)
        p.incr("py:pc")
    out = p.execute()
assert out[1::2] == list(range(1, 1001))

# SCAN and databases
assert sorted(r.scan_iter(match="py:p99*")) == sorted([f"py:p99{i}" for i in range(10)] + ["py:p99"])
r1 = redis.Redis(host="127.0.0.1", port=port, db=1, decode_responses=True)
assert r1.get("py:s") is None
print("redis-py: ok")
