// ioredis (npm) against ferrumdb serve: strings, hashes, expiry, transactions, pipelining.
import assert from "node:assert/strict";
import Redis from "ioredis";

const port = Number(process.argv[2]);
const r = new Redis({ host: "127.0.0.1", port, lazyConnect: false });
const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

assert.equal(await r.set("js:s", "hello"), "OK");
assert.equal(await r.get("js:s"), "hello");
assert.equal(await r.incrby("js:n", 5), 5);
assert.equal(await r.incrbyfloat("js:n", "0.25"), "5.25");
assert.deepEqual(await r.mget("js:s", "js:none"), ["hello", null]);
assert.equal(await r.set("js:s", "x", "NX"), null);

assert.equal(await r.hset("js:h", { a: "1", b: "2" }), 2);
assert.deepEqual(await r.hgetall("js:h"), { a: "1", b: "2" });
assert.equal(await r.hincrby("js:h", "a", 10), 11);
await assert.rejects(r.get("js:h"), /WRONGTYPE/);

await r.set("js:ttl", "v", "PX", 200);
assert.ok((await r.pttl("js:ttl")) > 0);
await r.hset("js:hx", "f", "v");
assert.equal(await r.pexpire("js:hx", 200), 1);
await sleep(400);
assert.equal(await r.get("js:ttl"), null);
assert.deepEqual(await r.hgetall("js:hx"), {});

const results = await r.multi().set("js:t", "1").incr("js:t").hset("js:th", "f", "v").exec();
assert.deepEqual(results, [[null, "OK"], [null, 2], [null, 1]]);
await r.watch("js:t");
const other = new Redis({ host: "127.0.0.1", port });
await other.set("js:t", "changed");
assert.equal(await r.multi().set("js:t", "mine").exec(), null);
assert.equal(await r.get("js:t"), "changed");

const p = r.pipeline();
for (let i = 0; i < 1000; i++) p.set(`js:p${i}`, String(i)).incr("js:pc");
const out = await p.exec();
out.filter((_, i) => i % 2 === 1).forEach(([err, n], i) => { assert.equal(err, null); assert.equal(n, i + 1); });

await other.quit();
await r.quit();
console.log("ioredis: ok");
