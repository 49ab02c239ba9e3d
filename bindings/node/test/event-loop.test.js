'use strict';
// Async writes gathered into few Java calls sharing group commits, and results handed to the event loop in
// bounded steps. Asserted through structure (Java calls, fsyncs, chunk sizes, settlements per turn), not through
// timings, which a busy machine would make flaky.

const { test, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { FerrumDB, DocumentStore, InvalidArgumentError, DatabaseClosedError } = require('ferrumdb');

let tmp;
let dir;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ferrumdb-node-loop-'));
  dir = path.join(tmp, 'db');
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

const VALUE = Buffer.alloc(100, 7);

test('concurrent puts under fsync always become few Java calls and share fsyncs', async () => {
  const db = await FerrumDB.open(dir, { fsync: 'always' });
  const n = 2000;
  const before = await db.stats();
  await Promise.all(Array.from({ length: n }, (_, i) => db.put(`k${i}`, VALUE)));
  const after = await db.stats();
  const calls = after.writeCalls - before.writeCalls;
  const fsyncs = after.fsyncs - before.fsyncs;
  // About 120 bytes packed per put, 12 KB per call: 2,000 puts take about 20 calls, not 2,000.
  assert.ok(calls >= 1 && calls <= 40, `${n} puts took ${calls} Java calls`);
  assert.ok(fsyncs < n / 10, `${n} concurrent puts took ${fsyncs} fsyncs`);
  // Every put was durable when Promise.all resolved.
  assert.ok(after.syncedRecords - before.syncedRecords >= n);
  assert.equal(after.liveKeys, n);
  assert.deepEqual(await db.get(`k${n - 1}`), VALUE);
  await db.close();
});

test('each awaited put resolves only once it is durable under fsync always', async () => {
  const db = await FerrumDB.open(dir, { fsync: 'always' });
  const start = await db.stats();
  for (let i = 1; i <= 20; i += 1) {
    await db.put(`s${i}`, VALUE);
    const stats = await db.stats();
    assert.ok(stats.syncedRecords - start.syncedRecords >= i, `put ${i} resolved before its fsync`);
  }
  await db.close();
});

test('writes of one key apply in the order issued, across calls and with deletes between', async () => {
  const db = await FerrumDB.open(dir, { fsync: 'never' });
  const writes = [];
  // 3,000 puts of ~1 KB need many 12 KB calls; the last write of each key must win.
  for (let i = 0; i < 3000; i += 1) {
    writes.push(db.put('same', `${i}:${'x'.repeat(1000)}`));
    if (i % 7 === 0) {
      writes.push(db.delete('gone'));
      writes.push(db.put('gone', String(i)));
    }
  }
  writes.push(db.delete('gone'));
  const results = await Promise.all(writes);
  assert.equal((await db.getString('same')).split(':')[0], '2999');
  assert.equal(await db.has('gone'), false);
  assert.equal(results.at(-1), true, 'the last delete removed the put before it');
  assert.equal(results[1], false, 'the first delete found nothing');
  assert.ok((await db.stats()).writeCalls > 10);
  await db.close();
});

test('a rejected write fails alone; the others in the same call succeed', async () => {
  const db = await FerrumDB.open(dir, { fsync: 'always' });
  const outcomes = await Promise.allSettled([
    db.put('a', '1'),
    db.put('k'.repeat(70000), '2'),
    db.put('c', '3', { ttl: 60 }),
    db.delete(Buffer.alloc(70000)),
    db.put('d', '4'),
  ]);
  assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
  assert.ok(outcomes[1].reason instanceof InvalidArgumentError);
  assert.match(outcomes[1].reason.message, /key of 70000 bytes/);
  assert.ok(outcomes[3].reason instanceof InvalidArgumentError);
  assert.equal(await db.size(), 3);
  await db.close();
  await assert.rejects(db.put('late', '1'), DatabaseClosedError);
});

test('a large value and a large batch cross to Java in bounded parts', async () => {
  const db = await FerrumDB.open(dir, { fsync: 'never' });
  const big = Buffer.alloc(1 << 20);
  for (let i = 0; i < big.length; i += 1) big[i] = i % 251;
  let before = (await db.stats()).writeCalls;
  await db.put('big', big);
  let calls = (await db.stats()).writeCalls - before;
  // 1 MB in parts of 16 KB: no single call carries (and no single step converts) the whole value.
  assert.ok(calls >= 64 && calls <= 70, `a 1 MB put took ${calls} calls`);
  assert.deepEqual(await db.get('big'), big);

  before = (await db.stats()).writeCalls;
  const ops = Array.from({ length: 5000 }, (_, i) => ({ type: 'put', key: `b${i}`, value: VALUE }));
  ops.push({ type: 'delete', key: 'big' });
  await db.writeBatch(ops);
  calls = (await db.stats()).writeCalls - before;
  assert.ok(calls >= 30, `a 600 KB batch took ${calls} calls`);
  assert.equal(await db.size(), 5000);
  // Still all or nothing: one bad operation and none is written.
  await assert.rejects(db.writeBatch([{ type: 'put', key: 'x', value: 'y' }, { type: 'put', key: 'k'.repeat(70000),
    value: 'v' }]), { name: 'InvalidArgumentError', message: /batch operation 1: key of 70000 bytes/ });
  assert.equal(await db.has('x'), false);
  await db.close();
});

test('a large get crosses to the event loop in bounded parts, one per turn', async () => {
  const db = await FerrumDB.open(dir, { fsync: 'never' });
  const big = Buffer.alloc((4 << 20) + 5);
  for (let i = 0; i < big.length; i += 1) big[i] = i % 253;
  const part = 256 << 10;
  const small = Buffer.alloc(part, 3); // the largest value that comes back in one step
  await db.put('big', big);
  await db.put('small', small);
  let turn = 0;
  let running = true;
  const tick = () => {
    turn += 1;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  // Buffer copies made while the parts come in: each must be one part, never the whole value.
  const copy = Buffer.prototype.copy;
  const copied = [];
  Buffer.prototype.copy = function patched(...args) {
    copied.push(this.length);
    return copy.apply(this, args);
  };
  let got;
  let turns;
  try {
    const start = turn;
    got = await db.get('big');
    turns = turn - start;
  } finally {
    Buffer.prototype.copy = copy;
    running = false;
  }
  assert.ok(got.equals(big), 'the value came back whole');
  const parts = Math.ceil(big.length / part);
  assert.equal(copied.length, parts, `${copied.length} copies for ${parts} parts`);
  assert.ok(Math.max(...copied) <= part, `a copy of ${Math.max(...copied)} bytes`);
  assert.ok(turns >= parts, `a ${big.length}-byte get took ${turns} event-loop turns`);
  assert.ok((await db.get('small')).equals(small));
  assert.equal(await db.get('absent'), null);
  await db.close();
});

test('a queued write stores the bytes its Buffer had when it was issued', async () => {
  const db = await FerrumDB.open(dir, { fsync: 'never' });
  const key = Buffer.from('key');
  const value = Buffer.from('before');
  const put = db.put(key, value);
  value.write('AFTER!');
  key.write('KEY');
  await put;
  assert.equal(await db.getString('key'), 'before');
  assert.equal(await db.has('KEY'), false);
  await db.close();
});

test('close and sync wait for the writes issued before them', async () => {
  const db = await FerrumDB.open(dir, { fsync: 'never' });
  const puts = Array.from({ length: 500 }, (_, i) => db.put(`p${i}`, VALUE));
  const batch = db.writeBatch([{ type: 'put', key: 'batch', value: 'b' }]);
  await db.close(); // not awaiting the puts first
  await Promise.all([...puts, batch]);
  const again = await FerrumDB.open(dir);
  assert.equal(await again.size(), 501);
  await again.close();
});

test('settlements are spread over event-loop turns', async () => {
  const db = await FerrumDB.open(dir, { fsync: 'never' });
  let turn = 0;
  let running = true;
  const tick = () => {
    turn += 1;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  const perTurn = new Map();
  await Promise.all(Array.from({ length: 5000 }, (_, i) => db.put(`t${i}`, 'v').then(() => {
    perTurn.set(turn, (perTurn.get(turn) ?? 0) + 1);
  })));
  running = false;
  // At most 512 settle per step; a step that ends one call's settlements and starts the next may share a turn.
  assert.ok(Math.max(...perTurn.values()) <= 1024, `${Math.max(...perTurn.values())} settled in one turn`);
  assert.ok(perTurn.size >= 5, `5,000 puts settled in ${perTurn.size} turns`);
  await db.close();
});

test('acknowledged puts survive kill -9 of the process right after', () => {
  const script = `
    const { FerrumDB } = require('ferrumdb');
    (async () => {
      const db = await FerrumDB.open(${JSON.stringify(dir)}, { fsync: 'always' });
      await Promise.all(Array.from({ length: 3000 }, (_, i) => db.put('k' + i, 'v' + i)));
      process.kill(process.pid, 'SIGKILL');
    })();`;
  const child = spawnSync(process.execPath, ['-e', script], { cwd: __dirname, encoding: 'utf8' });
  assert.equal(child.signal, 'SIGKILL', child.stderr);
  const db = FerrumDB.openSync(dir);
  assert.equal(db.sizeSync(), 3000);
  assert.equal(db.getStringSync('k2999'), 'v2999');
  db.closeSync();
});

test('a large find result is parsed in bounded chunks, one per turn', async () => {
  const store = await DocumentStore.open(dir, { fsync: 'never' });
  const docs = store.collection('docs');
  await Promise.all(Array.from({ length: 1500 }, (_, i) => docs.put(`d${String(i).padStart(5, '0')}`,
    { n: i, text: 'x'.repeat(200) })));
  const parse = JSON.parse;
  const parsed = [];
  JSON.parse = (text, ...rest) => {
    parsed.push(text.length);
    return parse(text, ...rest);
  };
  let found;
  try {
    found = await docs.find({ n: { $gte: 0 } }, { sortBy: 'n' });
  } finally {
    JSON.parse = parse;
  }
  assert.equal(found.length, 1500);
  assert.deepEqual(found[1499], { _id: 'd01499', n: 1499, text: 'x'.repeat(200) });
  // About 340 KB of JSON: at least ten chunks, none much over 32 KB (a chunk ends after the document crossing it).
  assert.ok(parsed.length >= 10, `parsed in ${parsed.length} pieces`);
  assert.ok(Math.max(...parsed) < (32 << 10) + 300, `a piece of ${Math.max(...parsed)} characters`);

  let seen = 0;
  for await (const doc of docs.iterateFind({ n: { $lt: 1000 } })) {
    assert.equal(doc._id, `d${String(seen).padStart(5, '0')}`);
    seen += 1;
    if (seen === 3) break; // releases the rest
  }
  assert.equal(seen, 3);
  await assert.rejects(async () => {
    for await (const doc of docs.iterateFind({ n: { $between: 1 } })) assert.fail(doc);
  }, InvalidArgumentError);
  await store.close();
});
