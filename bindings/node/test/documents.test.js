'use strict';
// The document API of the Node.js binding, through its public names only.

const { test, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const ferrumdb = require('ferrumdb');

const { DocumentStore } = ferrumdb;

let tmp;
let dir;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ferrumdb-node-docs-'));
  dir = path.join(tmp, 'docs');
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('put, get and delete survive a reopen, with text outside ASCII and the BMP intact', async () => {
  const doc = { text: 'café ☕ 😀 \u0000 end', n: 42, x: 0.1, ok: true, none: null, tags: ['a', 'b'],
    nested: { k: [1, { deep: 'v' }] } };
  const store = await DocumentStore.open(dir);
  const notes = store.collection('notes');
  await notes.put('n1', doc);
  await notes.put('ñ2 😀', { text: 'second' });
  assert.equal(await notes.delete('ñ2 😀'), true);
  assert.equal(await notes.delete('ñ2 😀'), false);
  await store.close();

  const again = DocumentStore.openSync(dir);
  assert.deepEqual(again.collectionsSync(), ['notes']);
  const n = again.collection('notes');
  assert.deepEqual(n.getSync('n1'), { _id: 'n1', ...doc });
  assert.deepEqual(await n.get('n1'), { _id: 'n1', ...doc });
  assert.equal(await n.get('ñ2 😀'), null);
  assert.equal(await n.count(), 1);
  again.closeSync();
});

test('find with queries, sort and paging', async () => {
  const store = await DocumentStore.open(dir, { fsync: 'never' });
  const people = store.collection('people');
  await people.createIndex('age');
  await people.put('ann', { age: 31, city: 'Lisbon', tags: ['ai', 'art'] });
  await people.put('bob', { age: 17, city: 'Porto' });
  people.putSync('cid', { age: 45, city: 'Lisbon' });
  const ids = (docs) => docs.map((d) => d._id);
  const adults = await people.find({ city: 'Lisbon', age: { $gte: 18 } }, { sortBy: 'age', descending: true });
  // Session 27: descending was JavaScript truthiness ('false' sorted descending); readOnly too ('no' opened read-only).
  await assert.rejects(people.find({ city: 'Lisbon' }, { sortBy: 'age', descending: 'false' }),
    { name: 'TypeError', message: 'descending must be true or false, got "false"' });
  assert.deepEqual(ids(adults), ['cid', 'ann']);
  assert.deepEqual(adults[1].tags, ['ai', 'art']);
  assert.deepEqual(ids(await people.find()), ['ann', 'bob', 'cid']);
  assert.deepEqual(ids(people.findSync({}, { offset: 1, limit: 1 })), ['bob']);
  assert.deepEqual(ids(await people.find({ $or: [{ tags: 'ai' }, { age: { $lt: 18 } }] })), ['ann', 'bob']);
  assert.equal(await people.count({ age: { $in: [17, 45] } }), 2);
  assert.equal(people.countSync({ tags: { $exists: true } }), 1);
  // The syntax of Filter.parse, which the CLI, Studio and MCP take too: $between was missing before.
  assert.deepEqual(ids(await people.find({ age: { $between: [17, 45] } })), ['ann', 'bob']);
  await assert.rejects(people.find({ address: { city: 'Lisbon' } }),
    { name: 'InvalidArgumentError', message: /dot path \('address\.city'\)/ });
  await store.close();
});

test('a unique index rejects a duplicate with a typed error', async () => {
  const store = await DocumentStore.open(dir);
  const users = store.collection('users');
  await users.createUniqueIndex('email');
  await users.put('u1', { email: 'a@example.com' });
  await assert.rejects(users.put('u2', { email: 'a@example.com' }), (e) => {
    assert.ok(e instanceof ferrumdb.UniqueIndexViolationError);
    assert.ok(e instanceof ferrumdb.FerrumError);
    assert.equal(e.code, 'UNIQUE_INDEX_VIOLATION');
    return true;
  });
  assert.equal(await users.get('u2'), null);
  assert.equal(await users.dropIndex('email'), true);
  await users.put('u2', { email: 'a@example.com' });
  assert.equal(await store.dropCollection('users'), true);
  assert.deepEqual(await store.collections(), []);
  await store.close();
});

test('ttl, and bad input that names the problem', async () => {
  const store = await DocumentStore.open(dir);
  const c = store.collection('c');
  const issued = Date.now();
  await c.put('short', { v: 1 }, { ttl: 0.5 });
  const stored = Date.now(); // the engine took its clock between issued and stored
  const document = await c.get('short');
  if (Date.now() - issued < 500) {
    assert.notEqual(document, null); // read within its life (on a busy machine the put alone may take longer)
  }
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, stored + 700 - Date.now())));
  assert.equal(await c.get('short'), null);
  await assert.rejects(c.put('a', [1]), { name: 'TypeError', message: 'a document must be a plain object, got an array' });
  await assert.rejects(c.put(1, {}), { name: 'TypeError', message: 'id must be a string, got number' });
  await assert.rejects(c.put('a', { _id: 'b' }), { name: 'InvalidArgumentError', message: /differs from its id/ });
  await assert.rejects(c.find({ x: { $regex: 'a' } }), { code: 'INVALID_ARGUMENT', message: /unknown operator '\$regex' on 'x'/ });
  await store.close();
  await assert.rejects(c.get('a'), { name: 'DatabaseClosedError' });
});

test('find pages only by offsets and limits a Java int holds; a document JSON cannot hold is named', async () => {
  const store = await DocumentStore.open(dir);
  const c = await store.collection('users');
  await c.put('a', { n: 1 });
  await c.put('b', { n: 2 });
  const range = { name: 'InvalidArgumentError', code: 'INVALID_ARGUMENT' };
  // -1 read as "no limit", 1e300 as a limit of 0 and offset 1e300 as offset 0, before.
  await assert.rejects(c.find(null, { limit: -1 }), { ...range, message: 'limit must be 0 to 2147483647, got -1' });
  await assert.rejects(c.find(null, { limit: 1e300 }), { ...range, message: /^limit .* got 1e\+300$/ });
  await assert.rejects(c.find(null, { limit: 2 ** 31 }), { ...range, message: /^limit .* got 2147483648$/ });
  await assert.rejects(c.find(null, { offset: 1e300 }), { ...range, message: /^offset / });
  assert.throws(() => c.findSync(null, { limit: 1.5 }), { name: 'TypeError', message: 'limit must be an integer, got 1.5' });
  assert.deepEqual((await c.find(null, { offset: 1, limit: 2 ** 31 - 1 })).map((d) => d._id), ['b']);
  await assert.rejects(c.put('x', { n: 10n }),
    { name: 'TypeError', message: /^a document cannot be written as JSON: Do not know how to serialize a BigInt$/ });
  const cyclic = {};
  cyclic.self = cyclic;
  await assert.rejects(c.put('x', cyclic), { name: 'TypeError', message: /^a document cannot be written as JSON/ });
  await assert.rejects(c.find({ n: 10n }), { name: 'TypeError', message: /^a query cannot be written as JSON/ });
  // JSON.stringify writes NaN and the infinities as null: they were stored (and queried) as null.
  const nonFinite = (text) => ({ name: 'InvalidArgumentError', code: 'INVALID_ARGUMENT', message: text });
  await assert.rejects(c.put('x', { n: NaN }),
    nonFinite('a document cannot be written as JSON: NaN at n; JSON has no NaN or Infinity'));
  await assert.rejects(c.put('x', { a: { b: [1, null, Infinity] } }), nonFinite(/: Infinity at a\.b\[2\];/));
  assert.throws(() => c.putSync('x', { 'x.y': [{ z: -Infinity }] }), nonFinite(/: -Infinity at \["x\.y"\]\[0\]\.z;/));
  await assert.rejects(c.put('x', { n: new Number(NaN) }), nonFinite(/: NaN at n;/));
  await assert.rejects(c.put('x', { t: { toJSON: () => Infinity } }), nonFinite(/: Infinity at t;/));
  await assert.rejects(c.find({ n: { $gt: NaN } }),
    nonFinite('a query cannot be written as JSON: NaN at n.$gt; JSON has no NaN or Infinity'));
  assert.throws(() => c.countSync({ $or: [{ n: -Infinity }] }), nonFinite(/^a query .*: -Infinity at \$or\[0\]\.n;/));
  assert.equal(await c.get('x'), null);
  await c.put('nulls', { n: null, s: 'null', a: [null] });
  assert.deepEqual(await c.get('nulls'), { _id: 'nulls', n: null, s: 'null', a: [null] });
  assert.equal(await c.delete('nulls'), true);
  assert.equal(await c.count(), 2);
  await store.close();
});

test('a closed store rejects every call with DatabaseClosedError, its collection list too', async () => {
  const store = await DocumentStore.open(dir);
  const notes = store.collection('notes');
  await notes.put('n1', { text: 'x' });
  await store.close();
  const closed = { name: 'DatabaseClosedError', code: 'DATABASE_CLOSED' };
  // collections() was answered from the store's in-memory catalog: ['notes'].
  await assert.rejects(store.collections(), closed);
  assert.throws(() => store.collectionsSync(), closed);
  for (const call of [() => notes.get('n1'), () => notes.put('n2', {}), () => notes.find({}), () => notes.count(),
    () => notes.delete('n1'), () => notes.createIndex('text'), () => store.dropCollection('notes'),
    () => store.sync(), () => store.collection('other').get('x')]) {
    await assert.rejects(call(), closed);
  }
  await store.close(); // harmless twice
});
