'use strict';
// Issue 22's Node.js targets, measured so that load on a shared machine cancels out: FerrumDB and its peer are
// timed in alternating blocks of the same keys in one process (a sync get against better-sqlite3's, an awaited get
// against classic-level's), and each target's figure is the median of the per-pair ratios, of wall-clock time and of
// the process's CPU time (which a process waiting for a core does not accrue; for awaited gets it includes the
// pool threads that run the Java calls, and classic-level's libuv threads). 100,000 keys of 16
// bytes with 100-byte values; blocks of 2,000 random gets, 25 pairs after 5 warm-up pairs. (At commit 6cf2bb9 it
// also timed the previous get and getSync, rebuilt from NodeDatabase.get and getBounded, which are gone since.)
// Prints one JSON object. Usage: node targets.js [keys]

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const Database = require('better-sqlite3');
const { ClassicLevel } = require('classic-level');
const { FerrumDB } = require('ferrumdb');

const PAIRS = 25;
const WARMUP = 5;
const BLOCK = 2000;
const PREFIX = 'user:';

const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

/** Wall-clock and CPU time (of the whole process: the sync calls run Java on this thread) per call of `loop`. */
async function timeNs(loop) {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  await loop();
  const wall = Number(process.hrtime.bigint() - start) / BLOCK;
  const used = process.cpuUsage(cpu);
  return [wall, ((used.user + used.system) * 1000) / BLOCK];
}

/**
 * Alternates `ours` and `theirs` (which goes first alternates too): medians of ns per call and of the per-pair
 * ratios, of wall-clock time and of process CPU time.
 */
async function alternate(ours, theirs) {
  const wall = [[], [], []];
  const cpu = [[], [], []];
  for (let i = 0; i < WARMUP + PAIRS; i += 1) {
    let x;
    let y;
    if (i % 2 === 0) {
      x = await timeNs(ours);
      y = await timeNs(theirs);
    } else {
      y = await timeNs(theirs);
      x = await timeNs(ours);
    }
    if (i >= WARMUP) {
      for (const [series, at] of [[wall, 0], [cpu, 1]]) {
        series[0].push(x[at]);
        series[1].push(y[at]);
        series[2].push(x[at] / y[at]);
      }
    }
  }
  return { wall: wall.map(median), cpu: cpu.map(median) };
}

async function main() {
  const n = Number(process.argv[2] || 100000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ferrumdb-targets-node-'));
  const keys = Array.from({ length: n }, (_, i) => Buffer.from(`${PREFIX}${String(i).padStart(11, '0')}`));
  const value = Buffer.alloc(100, 7);
  let seed = 42;
  const probe = Array.from({ length: BLOCK }, () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return keys[Math.floor((seed / 2147483648) * n)];
  });
  const out = { load: os.loadavg()[0] };
  try {
    const load = await FerrumDB.open(path.join(dir, 'ferrum'), { fsync: 'never' });
    for (let i = 0; i < n; i += 10000) {
      await load.writeBatch(keys.slice(i, i + 10000).map((key) => ({ type: 'put', key, value })));
    }
    await load.close();
    const db = await FerrumDB.open(path.join(dir, 'ferrum'), { fsync: 'never' });

    const sql = new Database(path.join(dir, 'sqlite.db'));
    sql.pragma('journal_mode = WAL');
    sql.exec('CREATE TABLE kv (k BLOB PRIMARY KEY, v BLOB) WITHOUT ROWID');
    const insert = sql.prepare('INSERT INTO kv VALUES (?, ?)');
    sql.transaction(() => { for (const k of keys) insert.run(k, value); })();
    const one = sql.prepare('SELECT v FROM kv WHERE k = ?').pluck();

    const level = new ClassicLevel(path.join(dir, 'level'), { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    await level.open();
    for (let i = 0; i < n; i += 10000) {
      await level.batch(keys.slice(i, i + 10000).map((key) => ({ type: 'put', key, value })));
    }

    for (const k of probe) {
      if (!db.getSync(k).equals(one.get(k))) throw new Error(`values differ at ${k}`);
    }
    const sync = await alternate(() => { for (const k of probe) db.getSync(k); },
      () => { for (const k of probe) one.get(k); });
    [out['sync get: ferrumdb ns'], out['sync get: better-sqlite3 ns'],
      out['sync get: ferrumdb / better-sqlite3']] = sync.wall;
    [out['sync get cpu: ferrumdb ns'], out['sync get cpu: better-sqlite3 ns'],
      out['sync get cpu: ferrumdb / better-sqlite3']] = sync.cpu;
    const awaited = await alternate(async () => { for (const k of probe) await db.get(k); },
      async () => { for (const k of probe) await level.get(k); });
    [out['awaited get: ferrumdb ns'], out['awaited get: classic-level ns'],
      out['awaited get: ferrumdb / classic-level']] = awaited.wall;
    [out['awaited get cpu: ferrumdb ns'], out['awaited get cpu: classic-level ns'],
      out['awaited get cpu: ferrumdb / classic-level']] = awaited.cpu;

    await db.close();
    sql.close();
    await level.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  out['load end'] = os.loadavg()[0];
  console.log(JSON.stringify(Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Math.round(v * 100) / 100]))));
}

main();
