'use strict';
// Agent memory through the Node.js binding: the same Java implementation as `ferrumdb mcp`.

const { test, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { FerrumDB, AgentMemory, InvalidArgumentError } = require('ferrumdb');

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
