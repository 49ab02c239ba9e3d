"""An agent that keeps its memory in FerrumDB through `ferrumdb serve` (README, "Two agents, one memory").

Usage: memory_agent.py PORT NAME PEER — writes facts under NAME, then waits until PEER's facts are visible.
"""
import sys
import time

import redis

port, name, peer = int(sys.argv[1]), sys.argv[2], sys.argv[3]
memory = redis.Redis(host="127.0.0.1", port=port, decode_responses=True)

for i in range(10):
    # One atomic transaction per fact: the fact and the shared version counter change together.
    with memory.pipeline(transaction=True) as tx:
        tx.hset("memory:facts", f"{name}:{i}", f"{name} learned fact {i}")
        tx.incr("memory:version")
        tx.execute()

deadline = time.time() + 60
while time.time() < deadline:
    facts = memory.hgetall("memory:facts")
    if sum(1 for k in facts if k.startswith(peer + ":")) == 10:
        print(f"{name}: sees {len(facts)} facts, version {memory.get('memory:version')}")
        sys.exit(0)
    time.sleep(0.1)
sys.exit(f"{name}: {peer}'s facts never arrived")
