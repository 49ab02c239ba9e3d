'use strict';
// Scans: async iteration with prefix, bounds, reverse and limit; results streamed in chunks so that the event
// loop keeps turning while a large result is produced; early exit releases the engine's iterator.

const { test, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { FerrumDB, DocumentStore } = require('ferrumdb');

let dir;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ferrumdb-scan-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

async function collect(iterable) {
  const out = [];
  for await (const [key, value] of iterable) {
    out.push(`${key}=${value}`);
  }
  return out;
}

test('iterate with prefix, start, end, reverse and limit', async () => {
  const db = await FerrumDB.open(dir, { fsync: 'never' });
  await db.writeBatch(['mem:a', 'mem:b', 'mem:c', 'other', 'me'].map((key) => ({ type: 'put', key, value: `v${key}` })));
  assert.deepEqual(await collect(db.iterate({ prefix: 'mem:' })), ['mem:a=vmem:a', 'mem:b=vmem:b', 'mem:c=vmem:c']);
  assert.deepEqual(await collect(db.iterate({ start: 'mem:b', end: 'other' })), ['mem:b=vmem:b', 'mem:c=vmem:c']);
  assert.deepEqual(await collect(db.iterate({ reverse: true, limit: 2 })), ['other=vother', 'mem:c=vmem:c']);
  assert.deepEqual(await collect(db.iterate({ limit: 0 })), []);
  assert.deepEqual((await db.keys({ prefix: 'mem:', reverse: true })).map(String), ['mem:c', 'mem:b', 'mem:a']);
  assert.deepEqual(db.keysSync({ start: 'n' }).map(String), ['other']);
  await assert.rejects(collect(db.iterate({ prefix: 'a', start: 'b' })),
    { name: 'InvalidArgumentError', message: /prefix cannot be combined/ });
  // Audit 27c: a negative limit was a TypeError here, where find()'s limit, a negative ttl and Python's
  // iterator(limit=-1) are InvalidArgumentError (a value out of range, not a wrong type).
  const negative = { name: 'InvalidArgumentError', code: 'INVALID_ARGUMENT', message: 'limit must be zero or more, got -1' };
  await assert.rejects(collect(db.iterate({ limit: -1 })), negative);
  assert.throws(() => db.keysSync({ limit: -1 }), negative);
  await assert.rejects(collect(db.iterate({ limit: 1.5 })), { name: 'TypeError', message: 'limit must be an integer, got 1.5' });
  // Session 27: reverse was JavaScript truthiness, so the string 'false' reversed the scan.
  await assert.rejects(collect(db.iterate({ reverse: 'false' })),
    { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: 'reverse must be true or false, got "false"' });
  assert.throws(() => db.keysSync({ reverse: 1 }), { name: 'TypeError', message: 'reverse must be true or false, got number' });
  assert.deepEqual(db.keysSync({ reverse: null, limit: 1 }).map(String), db.keysSync({ limit: 1 }).map(String));
  await db.close();
});

test('a large scan arrives in chunks while the event loop keeps turning', async () => {
  const db = await FerrumDB.open(dir, { fsync: 'never' });
  const total = 20_000;
  for (let i = 0; i < total; i += 2000) {
    const ops = [];
    for (let j = i; j < i + 2000; j++) {
      ops.push({ type: 'put', key: `k${String(j).padStart(6, '0')}`, value: 'v' });
    }
    await db.writeBatch(ops);
  }
  // Count event-loop turns (setImmediate callbacks) while the scan runs: a scan delivered as one result would let
  // the loop turn a handful of times; chunks of at most 1024 entries let it turn at least once per chunk.
  let turns = 0;
  let running = true;
  const spin = () => {
    turns++;
    if (running) {
      setImmediate(spin);
    }
  };
  setImmediate(spin);
  const keys = await db.keys();
  running = false;
  assert.equal(keys.length, total);
  assert.equal(String(keys[total - 1]), 'k019999');
  assert.ok(turns >= Math.floor(total / 1024), `the event loop turned only ${turns} times during the scan`);
  await db.close();
});

test('leaving a loop early releases the iterator; the database closes cleanly', async () => {
  const db = await FerrumDB.open(dir, { fsync: 'never' });
  for (let i = 0; i < 3000; i++) {
    db.putSync(`k${i}`, 'v');
  }
  let seen = 0;
  for await (const [key] of db.iterate()) {
    assert.ok(key.length > 0);
    if (++seen === 5) {
      break;
    }
  }
  assert.equal(seen, 5);
  await db.close();
  await assert.rejects(collect(db.iterate()), { name: 'DatabaseClosedError' });
});

// Node 20 has Symbol.asyncDispose but not yet the `await using` syntax that calls it; this is what it does.
test('Symbol.asyncDispose closes the database', async () => {
  const db = await FerrumDB.open(dir);
  try {
    await db.put('k', 'v');
  } finally {
    await db[Symbol.asyncDispose]();
  }
  const again = await FerrumDB.open(dir); // would be DatabaseLockedError if the block had not closed it
  assert.equal(await again.getString('k'), 'v');
  await again.close();
});

test('Symbol.asyncDispose closes a document store too', async () => {
  const store = await DocumentStore.open(path.join(dir, 'docs'));
  try {
    await store.collection('c').put('d', { n: 1 });
  } finally {
    await store[Symbol.asyncDispose]();
  }
  await assert.rejects(store.collections(), { name: 'DatabaseClosedError' });
  const again = await DocumentStore.open(path.join(dir, 'docs')); // DatabaseLockedError if it were still open
  assert.deepEqual(await again.collection('c').get('d'), { _id: 'd', n: 1 });
  await again.close();
});
