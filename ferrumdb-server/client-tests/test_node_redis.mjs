// node-redis (npm `redis`) against ferrumdb serve: strings, hashes, expiry, transactions (with WATCH), pipelining,
// over RESP2 (the default) and RESP3 (HELLO 3).
import assert from "node:assert/strict";
import { createClient, WatchError } from "redis";

const port = Number(process.argv[2]);
const url = `redis://127.0.0.1:${port}`;
const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

const r = await createClient({ url }).connect();
r.on("error", (e) => { throw e; });

// Strings.
assert.equal(await r.set("nr:s", "hello"), "OK");
assert.equal(await r.get("nr:s"), "hello");
assert.equal(await r.set("nr:s", "x", { condition: "NX" }), null);
assert.equal(await r.append("nr:s", " world"), 11);
assert.equal(await r.getRange("nr:s", 0, 4), "hello");
assert.equal(await r.incrBy("nr:n", 5), 5);
assert.equal(await r.decr("nr:n"), 4);
assert.equal(Number(await r.incrByFloat("nr:n", 0.5)), 4.5);
assert.deepEqual(await r.mGet(["nr:s", "nr:none"]), ["hello world", null]);
assert.equal(await r.getDel("nr:s"), "hello world");
assert.equal(await r.exists("nr:s"), 0);

// Hashes, and the type error between strings and hashes.
assert.equal(await r.hSet("nr:h", { a: "1", b: "2" }), 2);
assert.deepEqual({ ...(await r.hGetAll("nr:h")) }, { a: "1", b: "2" });
assert.equal(await r.hIncrBy("nr:h", "a", 10), 11);
assert.equal(await r.hLen("nr:h"), 2);
assert.deepEqual(await r.hmGet("nr:h", ["a", "zz"]), ["11", null]);
assert.equal(await r.hDel("nr:h", "b"), 1);
assert.equal(await r.type("nr:h"), "hash");
await assert.rejects(r.get("nr:h"), /WRONGTYPE/);

// Expiry, on a string and on a whole hash.
assert.equal(await r.set("nr:ttl", "v", { expiration: { type: "PX", value: 200 } }), "OK");
const pttl = await r.pTTL("nr:ttl");
assert.ok(pttl > 0 && pttl <= 200, `PTTL ${pttl}`);
await r.hSet("nr:hx", "f", "v");
assert.equal(await r.pExpire("nr:hx", 200), 1);
assert.equal(await r.ttl("nr:h"), -1);
assert.equal(await r.persist("nr:hx"), 1);
assert.equal(await r.pExpire("nr:hx", 200), 1);
await sleep(400);
assert.equal(await r.get("nr:ttl"), null);
assert.deepEqual({ ...(await r.hGetAll("nr:hx")) }, {});
assert.equal(await r.ttl("nr:ttl"), -2);

// Transactions: MULTI/EXEC applies everything; WATCH makes EXEC fail after another client's write.
const results = await r.multi().set("nr:t", "1").incr("nr:t").hSet("nr:th", "f", "v").exec();
assert.deepEqual(results, ["OK", 2, 1]);
const other = await createClient({ url }).connect();
await r.watch("nr:t");
await other.set("nr:t", "changed");
await assert.rejects(r.multi().set("nr:t", "mine").exec(), WatchError);
assert.equal(await r.get("nr:t"), "changed");
await r.watch("nr:t");
assert.deepEqual(await r.multi().set("nr:t", "mine").exec(), ["OK"]);
assert.equal(await other.get("nr:t"), "mine");

// Pipelining: commands issued in one tick go out together, and replies come back in order.
const sets = [];
for (let i = 0; i < 1000; i++) {
  sets.push(r.set(`nr:p${i}`, String(i)));
  sets.push(r.incr("nr:pc"));
}
const out = await Promise.all(sets);
out.filter((_, i) => i % 2 === 1).forEach((n, i) => assert.equal(n, i + 1));
const piped = await r.multi().get("nr:p7").incr("nr:pc").hGet("nr:th", "f").execAsPipeline();
assert.deepEqual(piped, ["7", 1001, "v"]);

// RESP3 (HELLO 3): maps come back as maps, nulls as nulls.
const r3 = await createClient({ url, RESP: 3 }).connect();
assert.equal(await r3.get("nr:p7"), "7");
assert.deepEqual({ ...(await r3.hGetAll("nr:th")) }, { f: "v" });
assert.equal(await r3.get("nr:none"), null);
assert.deepEqual(await r3.multi().incr("nr:pc").get("nr:none").exec(), [1002, null]);

await r3.quit();
await other.quit();
await r.quit();
console.log("node-redis: ok");
