'use strict';
// Session 19 bad-input sweep of the Node.js binding: one line per case, "name<TAB>outcome" (the error's class,
// code and message, or OK and the result). Requires $BINDINGS/node; the jar from $FERRUMDB_JAR.
const path = require('node:path');
const fs = require('node:fs');
const os = require('node:os');
const { FerrumDB, DocumentStore, AgentMemory } = require(path.join(process.env.BINDINGS, 'node'));

const d = fs.mkdtempSync(path.join(os.tmpdir(), 'sweep19-'));
const shown = (r) => (Buffer.isBuffer(r) ? `Buffer ${r.toString('hex')}` : JSON.stringify(r));
async function c(name, f) {
  let out;
  try {
    out = `OK ${shown(await f())}`;
  } catch (e) {
    out = `${e.constructor.name}${e.code ? `[${e.code}]` : ''}: ${e.message}`;
  }
  console.log(`${name}\t${String(out).slice(0, 200).replace(/\n/g, '|')}`);
}
process.on('unhandledRejection', (e) => console.log(`UNHANDLED-REJECTION\t${e.constructor.name}: ${e.message}`));

(async () => {
  const db = await FerrumDB.open(path.join(d, 'db'));
  await c('put-undefined-key', () => db.put(undefined, 'v'));
  await c('put-number-key', () => db.put(5, 'v'));
  await c('put-object-value', () => db.put('k', { a: 1 }));
  await c('put-lone-surrogate-key', () => db.put('\ud800', 'v1'));
  await c('get-other-lone-surrogate', () => db.get('\udfff'));
  await c('put-key-65536', () => db.put(Buffer.alloc(65536), 'v'));
  await c('put-value-64MiB+1', () => db.put('k', Buffer.alloc((64 << 20) + 1)));
  for (const ttl of [-1, 0, NaN, Infinity, 1e12, 1e300, '10']) {
    await c(`put-ttl-${ttl}`, () => db.put('k', 'v', { ttl }));
    await c(`putSync-ttl-${ttl}`, () => db.putSync('k', 'v', { ttl }));
  }
  await c('writeBatchSync-ttl-1e300', () => db.writeBatchSync([{ type: 'put', key: 'a', value: 'b', ttl: 1e300 }]));
  await c('open-nul-in-path', () => FerrumDB.open(path.join(d, 'a\0b')));
  await c('open-lone-surrogate-path', () => FerrumDB.open(path.join(d, 'x\ud800')));
  await c('open-passphrase-surrogate', () => FerrumDB.open(path.join(d, 'p'), { passphrase: '\ud800' }));
  await c('open-interval-1e300', () => FerrumDB.open(path.join(d, 'f'), { fsync: 'periodic', fsyncIntervalMs: 1e300 }).then((x) => x.close()));
  await c('open-a-file', () => FerrumDB.open('/etc/passwd'));
  await db.writeBatch(Array.from({ length: 5000 }, (_, i) => ({ type: 'put', key: `s${i}`, value: 'v' })));
  const scan = db.iterate()[Symbol.asyncIterator]();
  await scan.next();
  await db.close();
  await c('scan-after-close', async () => { let n = 0; for (let r = await scan.next(); !r.done; r = await scan.next()) n += 1; return n; });
  await c('get-after-close', () => db.get('a'));
  const db3 = await FerrumDB.open(path.join(d, 'cc'));
  const outcomes = [];
  for (let i = 0; i < 200; i++) outcomes.push(db3.put(`k${i}`, 'v').then(() => 'ok', (e) => e.constructor.name));
  const closing = db3.close();
  for (let i = 0; i < 50; i++) outcomes.push(db3.put(`late${i}`, 'v').then(() => 'ok', (e) => e.constructor.name));
  await closing;
  const settled = await Promise.all(outcomes);
  const again = await FerrumDB.open(path.join(d, 'cc'));
  const size = await again.size();
  await again.close();
  await c('concurrent-close', () => `${[...new Set(settled)].join(',')}; acknowledged ${settled.filter((s) => s === 'ok').length}, reopened ${size}`);
  const store = await DocumentStore.open(path.join(d, 'docs'));
  const col = await store.collection('c');
  await col.put('a', { n: 1 });
  await col.put('b', { n: 2 });
  await c('doc-find-limit--1', async () => (await col.find(null, { limit: -1 })).length);
  await c('doc-find-limit-1e300', async () => (await col.find(null, { limit: 1e300 })).length);
  await c('doc-find-offset-1e300', async () => (await col.find(null, { offset: 1e300 })).length);
  await c('doc-put-bigint', () => col.put('x', { n: 10n }));
  await c('doc-id-lone-surrogate', () => col.put('\ud800', {}));
  await store.close();
  const mdb = await FerrumDB.open(path.join(d, 'mem'));
  const memory = AgentMemory.of(mdb);
  await c('memory-text-lone-surrogate', () => memory.remember('tea \ud800'));
  await c('memory-recall-it', async () => (await memory.recall('tea')).map((m) => m.text));
  await c('memory-ttl-nan', () => memory.remember('nan ttl', { ttl: NaN }));
  await c('memory-recall-nan-ttl', async () => (await memory.recall('nan')).map((m) => m.expires_at ?? 'no expiry'));
  await c('memory-metadata-bigint', () => memory.remember('x', { metadata: { a: 1n } }));
  await c('memory-ttl-1e300', () => memory.remember('x', { ttl: 1e300 }));
  await c('memory-recall-limit--1', () => memory.recall('x', { limit: -1 }));
  await mdb.close();
  await c('memory-after-close', () => memory.remember('x'));
})();
