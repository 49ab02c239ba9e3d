'use strict';
// Agent memory through the Node.js binding: the same Java implementation as `ferrumdb mcp`.

const { test, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { FerrumDB, AgentMemory, InvalidArgumentError, DatabaseClosedError } = require('ferrumdb');

let tmp;
beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ferrumdb-memory-')); });
afterEach(() => { fs.rmSync(tmp, { recursive: true, force: true }); });

test('remember, recall, forget', async () => {
  const dir = path.join(tmp, 'db');
  const db = await FerrumDB.open(dir);
  const memory = AgentMemory.of(db);
  const kept = await memory.remember('Ingrid approves production deploys — always', {
    tags: ['process'], metadata: { src: 'chat' } });
  memory.rememberSync('Staging runs in Frankfurt', { namespace: 'ops', ttl: 3600 });
  assert.equal(kept.namespace, 'default');
  const found = await memory.recall('who approves deploys');
  assert.deepEqual(found.map(m => m.id), [kept.id]);
  assert.equal(found[0].text, 'Ingrid approves production deploys — always');
  assert.deepEqual(found[0].metadata, { src: 'chat' });
  assert.ok(memory.recallSync(null, { namespace: 'ops' })[0].expires_at);
  assert.equal(await memory.forget(kept.id), 1);
  assert.deepEqual(await memory.recall('deploys'), []);
  await db.close();
  const again = await FerrumDB.open(dir);
  assert.equal(AgentMemory.of(again).recallSync('frankfurt', { namespace: 'ops' })[0].text,
    'Staging runs in Frankfurt');
  await again.close();
});

test('invalid arguments name the field', async () => {
  const db = await FerrumDB.open(path.join(tmp, 'db'));
  const memory = AgentMemory.of(db);
  await assert.rejects(memory.remember(' '), e => e instanceof InvalidArgumentError && /^text:/.test(e.message));
  assert.throws(() => memory.rememberSync('x', { namespace: 'a/b' }), /^InvalidArgumentError.*namespace:|namespace:/);
  await assert.rejects(memory.recall('x', { limit: 1000000 }), /limit:/);
  await assert.rejects(memory.forget(), /id:/);
  await db.close();
});

test('remember and forget are queued with the async writes and share their group commits', async () => {
  const dir = path.join(tmp, 'db');
  const db = await FerrumDB.open(dir, { fsync: 'always' });
  const memory = AgentMemory.of(db);
  const before = await db.stats();
  const n = 60;
  const kept = await Promise.all(Array.from({ length: n }, (_, i) => memory.remember(`note ${i} about tea`,
    { tags: ['t'] })));
  const after = await db.stats();
  assert.equal(new Set(kept.map((m) => m.id)).size, n);
  // Gathered by the database's write queue (counted with its puts; before, remembers bypassed it) into one Java
  // call that issues them all without waiting for fsyncs. How many share one fsync depends on how fast the disk
  // is against the issuing (30 of 60 on one run here, under load), so only "some were shared" is asserted.
  const calls = after.writeCalls - before.writeCalls;
  assert.ok(calls >= 1 && calls <= 3, `${n} remembers took ${calls} write calls`);
  const fsyncs = after.fsyncs - before.fsyncs;
  assert.ok(fsyncs < n, `${n} concurrent remembers took ${fsyncs} fsyncs`);
  assert.ok(after.syncedRecords - before.syncedRecords >= n, 'every remember was durable when it resolved');

  // In the order issued with puts and deletes, and waited for by close (nothing here is awaited before it).
  const writes = [db.put('k', '1'), memory.forget(null, { tags: ['t'] }), db.delete('k'),
    memory.remember('Staging runs in Frankfurt', { namespace: 'ops' }), db.put('k', '2')];
  await db.close();
  const settled = await Promise.all(writes);
  assert.equal(settled[1], n);
  assert.equal(settled[2], true);
  const again = await FerrumDB.open(dir);
  const memories = AgentMemory.of(again);
  assert.deepEqual(await memories.recall('tea'), []);
  assert.equal((await memories.recall('frankfurt', { namespace: 'ops' }))[0].id, settled[3].id);
  assert.equal(await again.getString('k'), '2');
  // A refused request fails alone, with its typed error, and the queue goes on.
  const [bad, good] = await Promise.allSettled([memories.remember(' '), again.put('after', 'x')]);
  assert.ok(bad.reason instanceof InvalidArgumentError && /^text:/.test(bad.reason.message));
  assert.equal(good.status, 'fulfilled');
  await again.close();
  await assert.rejects(memories.remember('late'), DatabaseClosedError);
});

test('hostile input is refused naming the field', async () => {
  const db = await FerrumDB.open(path.join(tmp, 'db'));
  const memory = AgentMemory.of(db);
  // A lone surrogate was stored as '?', and a ttl of NaN became no ttl (JSON.stringify writes null).
  await assert.rejects(memory.remember('tea \ud800'), { name: 'InvalidArgumentError', message: /^text: is not valid Unicode text/ });
  await assert.rejects(memory.remember('tea', { tags: ['\udfff'] }), { message: /^tags\[0\]: is not valid Unicode text/ });
  await assert.rejects(memory.recall('tea \udc00'), { message: /^query: is not valid Unicode text/ });
  await assert.rejects(memory.remember('tea', { ttl: NaN }),
    { name: 'InvalidArgumentError', message: 'ttl_seconds: must be a finite number, got NaN' });
  assert.throws(() => memory.rememberSync('tea', { metadata: { a: 1n } }),
    { name: 'TypeError', message: /^metadata: cannot be written as JSON/ });
  // Inside metadata, JSON.stringify wrote NaN as null.
  await assert.rejects(memory.remember('tea', { metadata: { scores: [1, NaN] } }), { name: 'InvalidArgumentError',
    message: 'metadata: cannot be written as JSON: NaN at scores[1]; JSON has no NaN or Infinity' });
  assert.deepEqual(await memory.recall(), []);
  await db.close();
});
