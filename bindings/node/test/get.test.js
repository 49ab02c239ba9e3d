'use strict';
// The async get: answered on the event loop when the value is in memory (no disk I/O), through a java-bridge
// thread otherwise, and in either case after the writes issued before it.

const { test, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { FerrumDB, DatabaseClosedError } = require('ferrumdb');

let tmp;
let dir;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ferrumdb-node-get-'));
  dir = path.join(tmp, 'db');
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Counts the get's java-bridge calls (NodeDatabase.getBoundedBase64, its hop to a Java thread) on `db`. */
function countHops(db) {
  const javaDb = FerrumDB.javaDatabase(db);
  const original = javaDb.getBoundedBase64;
  const counter = { hops: 0 };
  javaDb.getBoundedBase64 = (...args) => {
    counter.hops += 1;
    return original.apply(javaDb, args);
  };
  return counter;
}

test('a get sees the writes issued before it, awaited or not', async () => {
  const db = await FerrumDB.open(dir, { fsync: 'always' });
  const writes = [];
  writes.push(db.put('a', '1'));
  assert.equal(await db.getString('a'), '1');
  writes.push(db.put('a', '2'));
  writes.push(db.delete('a'));
  assert.equal(await db.get('a'), null);
  writes.push(db.writeBatch([{ type: 'put', key: 'b', value: 'x' }, { type: 'put', key: 'c', value: 'y' }]));
  const reads = [db.getString('b'), db.getString('c')];
  const big = Buffer.alloc(100 << 10, 3); // crosses to Java in several 16 KB parts
  writes.push(db.put('big', big));
  reads.push(db.get('big'));
  for (let i = 0; i < 1000; i += 1) {
    writes.push(db.put(`k${i}`, `v${i}`));
  }
  reads.push(db.getString('k999'));
  const [b, c, gotBig, last] = await Promise.all(reads);
  assert.deepEqual([b, c, last], ['x', 'y', 'v999']);
  assert.ok(gotBig.equals(big));
  await Promise.all(writes);
  await db.close();
});

test('a get does not wait for a sync issued before it, which writes nothing', async () => {
  const db = await FerrumDB.open(dir, { fsync: 'always' });
  await db.put('k', 'v');
  let synced = false;
  const sync = db.sync().then(() => { synced = true; });
  // The sync needs a Java call on a java-bridge thread (an event-loop turn at least); the get of a value in memory
  // resolves before any turn.
  assert.equal(await db.getString('k'), 'v');
  assert.equal(synced, false);
  await sync;
  await db.close();
});

test('a value in memory is answered without a java-bridge call; one not in memory, or large, takes one',
  async () => {
    const db = await FerrumDB.open(dir, { fsync: 'never' });
    const counter = countHops(db);
    await db.put('small', 'v');
    await db.put('empty', '');
    assert.equal(await db.getString('small'), 'v');
    assert.deepEqual(await db.get('empty'), Buffer.alloc(0));
    assert.equal(await db.get('absent'), null);
    assert.equal(counter.hops, 0, 'gets of values in the writer\'s buffers');

    const large = Buffer.alloc((256 << 10) + 1, 9); // over VALUE_PART: comes in parts from a Java thread
    await db.put('large', large);
    assert.ok((await db.get('large')).equals(large));
    assert.equal(counter.hops, 1);

    // More than the engine's writer keeps in memory (1 MiB), synced in several chunks: the first record is only in
    // the active segment's file, which takes a positional read, so a Java thread reads it.
    const kilobyte = Buffer.alloc(1000, 5);
    for (let i = 0; i < 3000; i += 1) {
      await db.put(`k${i}`, kilobyte);
      if (i % 500 === 499) {
        await db.sync();
      }
    }
    await db.sync();
    const before = counter.hops;
    assert.ok((await db.get('k0')).equals(kilobyte));
    assert.equal(counter.hops, before + 1, 'a get of a record only on disk');
    assert.ok((await db.get('k2999')).equals(kilobyte));
    assert.equal(counter.hops, before + 1, 'a get of the newest record');
    await db.close();
  });

test('after a reopen, values of the sealed segments read from its map are answered on the event loop',
  async () => {
    const load = await FerrumDB.open(dir, { fsync: 'never' });
    await load.writeBatch(Array.from({ length: 1000 }, (_, i) => ({ type: 'put', key: `k${i}`, value: `v${i}` })));
    await load.close();
    const db = await FerrumDB.open(dir);
    db.getSync('k500'); // faults the segment's pages in, as any read would
    const counter = countHops(db);
    for (let i = 0; i < 1000; i += 1) {
      assert.equal(await db.getString(`k${i}`), `v${i}`);
    }
    // Pages were just read; the kernel may evict some meanwhile (a loaded machine), and those gets then take the
    // hop: most must not have.
    assert.ok(counter.hops < 100, `${counter.hops} of 1000 gets took a java-bridge call`);
    await db.close();
  });

test('a get of a closed database rejects with DatabaseClosedError, as before', async () => {
  const db = await FerrumDB.open(dir);
  await db.put('k', 'v');
  await db.close();
  await assert.rejects(db.get('k'), DatabaseClosedError);
  await assert.rejects(db.get(42), { code: 'ERR_INVALID_ARG_TYPE' });
});
