'use strict';
// FerrumDB from Node.js side by side with what Node.js developers use today, in one run: better-sqlite3 12 (WAL,
// prepared statements; synchronous), lmdb (synchronous gets) and classic-level (LevelDB; asynchronous). N keys of 16
// bytes with 100-byte values under one prefix. Also: the longest event-loop stall (a 1 ms interval's largest gap)
// while a scan, 10,000 concurrent puts (FerrumDB and classic-level) or a large document query run, and how much
// 10,000 concurrent async puts with fsync 'always' gain from group commit. Prints one JSON object (medians of
// rounds).

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const Database = require('better-sqlite3');
const { open: openLmdb } = require('lmdb');
const { ClassicLevel } = require('classic-level');
const { FerrumDB, DocumentStore } = require('ferrumdb');

const ROUNDS = 5;
const PREFIX = 'user:';

async function medianNs(loop, ops) {
  const samples = [];
  for (let r = -1; r < ROUNDS; r += 1) {
    const start = process.hrtime.bigint();
    await loop();
    if (r >= 0) {
      samples.push(Number(process.hrtime.bigint() - start) / ops);
    }
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(ROUNDS / 2)];
}

/**
 * The largest gap, in ms, between ticks of a 1 ms interval while `work` runs; `before` (if any) runs first,
 * synchronously and unmeasured, after the interval started.
 */
async function maxLoopGapMs(work, before = () => {}) {
  let last = process.hrtime.bigint();
  let worst = 0n;
  const timer = setInterval(() => {
    const now = process.hrtime.bigint();
    if (now - last > worst) {
      worst = now - last;
    }
    last = now;
  }, 1);
  await new Promise((resolve) => setTimeout(resolve, 5));
  before();
  last = process.hrtime.bigint();
  await work();
  const now = process.hrtime.bigint();
  if (now - last > worst) {
    worst = now - last;
  }
  clearInterval(timer);
  return Number(worst) / 1e6;
}

function shuffledSample(keys, count) {
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  return Array.from({ length: count }, () => keys[Math.floor(random() * keys.length)]);
}

async function main() {
  const n = Number(process.argv[2]);
  const gets = Math.min(n, 20000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ferrumdb-peers-node-'));
  const keys = Array.from({ length: n }, (_, i) => Buffer.from(`${PREFIX}${String(i).padStart(11, '0')}`));
  const value = Buffer.alloc(100, 7);
  const probe = shuffledSample(keys, gets);
  const out = {};
  try {
    // FerrumDB: loaded in batches, reopened so that reads come from sealed segments.
    const load = await FerrumDB.open(path.join(dir, 'ferrum'), { fsync: 'never' });
    for (let i = 0; i < n; i += 10000) {
      await load.writeBatch(keys.slice(i, i + 10000).map((key) => ({ type: 'put', key, value })));
    }
    await load.close();
    const db = await FerrumDB.open(path.join(dir, 'ferrum'), { fsync: 'never' });
    out['ferrumdb sync get ns'] = await medianNs(() => { for (const k of probe) db.getSync(k); }, gets);
    out['ferrumdb awaited get ns'] = await medianNs(async () => { for (const k of probe) await db.get(k); }, gets);
    const scan = async () => {
      let count = 0;
      for await (const entry of db.iterate({ prefix: PREFIX })) {
        count += entry.length - 1;
      }
      if (count !== n) throw new Error(`scan saw ${count} of ${n}`);
    };
    out['ferrumdb prefix scan ms'] = (await medianNs(scan, 1)) / 1e6;
    out['ferrumdb prefix scan: longest event-loop gap ms'] = await maxLoopGapMs(scan);
    out['ferrumdb keys() of all: longest event-loop gap ms'] = await maxLoopGapMs(() => db.keys());
    await db.close();

    const sql = new Database(path.join(dir, 'sqlite.db'));
    sql.pragma('journal_mode = WAL');
    sql.exec('CREATE TABLE kv (k BLOB PRIMARY KEY, v BLOB) WITHOUT ROWID');
    const insert = sql.prepare('INSERT INTO kv VALUES (?, ?)');
    sql.transaction(() => { for (const k of keys) insert.run(k, value); })();
    const one = sql.prepare('SELECT v FROM kv WHERE k = ?').pluck();
    out['better-sqlite3 sync get ns'] = await medianNs(() => { for (const k of probe) one.get(k); }, gets);
    const range = sql.prepare('SELECT k, v FROM kv WHERE k >= ? AND k < ?').raw();
    const upper = Buffer.from(PREFIX.slice(0, -1) + String.fromCharCode(PREFIX.charCodeAt(PREFIX.length - 1) + 1));
    const sqlScan = () => {
      let count = 0;
      for (const row of range.iterate(Buffer.from(PREFIX), upper)) count += row.length - 1;
      if (count !== n) throw new Error(`sqlite scan saw ${count}`);
    };
    out['better-sqlite3 prefix scan ms'] = (await medianNs(sqlScan, 1)) / 1e6;
    out['better-sqlite3 prefix scan: longest event-loop gap ms'] = await maxLoopGapMs(sqlScan);
    sql.close();

    const lmdb = openLmdb({ path: path.join(dir, 'lmdb'), keyEncoding: 'binary', encoding: 'binary', noSync: true });
    await lmdb.transaction(() => { for (const k of keys) lmdb.put(k, value); });
    out['lmdb sync get ns'] = await medianNs(() => { for (const k of probe) lmdb.getBinary(k); }, gets);
    const lmdbScan = () => {
      let count = 0;
      for (const entry of lmdb.getRange({ start: Buffer.from(PREFIX), end: upper })) count += entry.key ? 1 : 0;
      if (count !== n) throw new Error(`lmdb scan saw ${count}`);
    };
    out['lmdb prefix scan ms'] = (await medianNs(lmdbScan, 1)) / 1e6;
    await lmdb.close();

    const level = new ClassicLevel(path.join(dir, 'level'), { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    await level.open();
    for (let i = 0; i < n; i += 10000) {
      await level.batch(keys.slice(i, i + 10000).map((key) => ({ type: 'put', key, value })));
    }
    out['classic-level awaited get ns'] = await medianNs(async () => { for (const k of probe) await level.get(k); },
      gets);
    const levelScan = async () => {
      let count = 0;
      for await (const entry of level.iterator({ gte: Buffer.from(PREFIX), lt: upper })) count += entry.length - 1;
      if (count !== n) throw new Error(`level scan saw ${count}`);
    };
    out['classic-level prefix scan ms'] = (await medianNs(levelScan, 1)) / 1e6;
    out['classic-level prefix scan: longest event-loop gap ms'] = await maxLoopGapMs(levelScan);
    await level.close();

    // Group commit: concurrent awaited puts under fsync 'always' against one at a time, per put.
    const durable = await FerrumDB.open(path.join(dir, 'durable'), { fsync: 'always' });
    const sequential = 200;
    const concurrent = 10000;
    out['ferrumdb fsync always: sequential awaited put us'] = (await medianNs(async () => {
      for (let i = 0; i < sequential; i += 1) await durable.put(`s${i}`, value);
    }, sequential)) / 1e3;
    const before = await durable.stats();
    out['ferrumdb fsync always: 10,000 concurrent puts, per put us'] = (await medianNs(
      () => Promise.all(Array.from({ length: concurrent }, (_, i) => durable.put(`c${i}`, value))), concurrent)) / 1e3;
    const after = await durable.stats();
    out['ferrumdb fsync always: 10,000 concurrent puts, puts per fsync'] = (after.puts - before.puts)
      / (after.fsyncs - before.fsyncs);
    await durable.close();

    // Event-loop stalls of a Promise.all of 10,000 puts (fsync 'never'): in all, and after the caller's own
    // synchronous loop that issues them (which costs what 10,000 promises cost, whatever the engine).
    const fast = await FerrumDB.open(path.join(dir, 'fast'), { fsync: 'never' });
    const level2 = new ClassicLevel(path.join(dir, 'level2'), { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    await level2.open();
    for (const [name, put] of [['ferrumdb', (k) => fast.put(k, value)], ['classic-level', (k) => level2.put(k, value)]]) {
      const gaps = [];
      const issuedGaps = [];
      for (let r = 0; r < ROUNDS; r += 1) {
        gaps.push(await maxLoopGapMs(() => Promise.all(Array.from({ length: 10000 }, (_, i) => put(`p${r}:${i}`)))));
        let issued;
        issuedGaps.push(await maxLoopGapMs(() => Promise.all(issued), () => {
          issued = Array.from({ length: 10000 }, (_, i) => put(`q${r}:${i}`));
        }));
      }
      const median = (a) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
      out[`${name} Promise.all of 10,000 puts: longest event-loop gap ms`] = median(gaps);
      out[`${name} Promise.all of 10,000 puts, after issuing: longest event-loop gap ms`] = median(issuedGaps);
    }
    await fast.close();
    await level2.close();

    // A document query returning 20,000 documents of about 150 bytes (3 MB of JSON).
    const store = await DocumentStore.open(path.join(dir, 'docs'), { fsync: 'never' });
    const docs = store.collection('docs');
    await Promise.all(Array.from({ length: 20000 }, (_, i) => docs.put(`d${i}`, { n: i, text: 'x'.repeat(120) })));
    out['ferrumdb find of 20,000 documents ms'] = (await medianNs(() => docs.find({}), 1)) / 1e6;
    out['ferrumdb find of 20,000 documents: longest event-loop gap ms'] = await maxLoopGapMs(() => docs.find({}));
    await store.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const rounded = Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Math.round(v * 100) / 100]));
  console.log(JSON.stringify(rounded));
}

main();
