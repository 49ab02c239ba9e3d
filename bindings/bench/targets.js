'use strict';
// Issue 22's Node.js targets, measured so that load on a shared machine cancels out: FerrumDB and its peer are
// timed in alternating blocks of the same keys in one process (a sync get against better-sqlite3's, an awaited get
// against classic-level's), and each target's figure is the median of the per-pair ratios, of wall-clock time and of
// the process's CPU time (which a process waiting for a core does not accrue; for awaited gets it includes the
// pool threads that run the Java calls, and classic-level's libuv threads). 100,000 keys of 16
// bytes with 100-byte values; blocks of 2,000 random gets, 25 pairs after 5 warm-up pairs. (At commit 6cf2bb9 it
// also timed the previous get and getSync, rebuilt from NodeDatabase.get and getBounded, which are gone since.)
// Also the previous getSync (the instance method NodeDatabase.getBase64, as getSync called it before session 6)
// against the current one, the same way, and prefix scans of all keys with values (`for await` over iterate()
// against better-sqlite3's `iterate()` of `SELECT k, v ... WHERE k >= ? AND k < ?`): the first right after open,
// then 8 alternating pairs (scans 2 to 9), wall and process CPU time.
// Prints one JSON object. Usage: node targets.js [keys]

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const Database = require('better-sqlite3');
const { ClassicLevel } = require('classic-level');
const { FerrumDB } = require('ferrumdb');
// The package's own error translation, for the previous getSync rebuilt below (lib/ is not among its exports).
const { translate } = require(path.join(path.dirname(require.resolve('ferrumdb')), 'lib', 'jvm.js'));

const PAIRS = 25;
const WARMUP = 5;
const BLOCK = 2000;
const PREFIX = 'user:';

const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

/**
 * Wall-clock and CPU time (of the whole process: the sync calls run Java on this thread) per call of `loop`, which
 * makes `per` calls.
 */
async function timeNs(loop, per = BLOCK) {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  await loop();
  const wall = Number(process.hrtime.bigint() - start) / per;
  const used = process.cpuUsage(cpu);
  return [wall, ((used.user + used.system) * 1000) / per];
}

/**
 * Alternates `ours` and `theirs` (which goes first alternates too): medians of ns per call and of the per-pair
 * ratios, of wall-clock time and of process CPU time.
 */
async function alternate(ours, theirs, pairs = PAIRS, warmup = WARMUP, per = BLOCK) {
  const wall = [[], [], []];
  const cpu = [[], [], []];
  for (let i = 0; i < warmup + pairs; i += 1) {
    let x;
    let y;
    if (i % 2 === 0) {
      x = await timeNs(ours, per);
      y = await timeNs(theirs, per);
    } else {
      y = await timeNs(theirs, per);
      x = await timeNs(ours, per);
    }
    if (i >= warmup) {
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
    const range = sql.prepare('SELECT k, v FROM kv WHERE k >= ? AND k < ?').raw();
    const upper = Buffer.from(PREFIX.slice(0, -1) + String.fromCharCode(PREFIX.charCodeAt(PREFIX.length - 1) + 1));

    const level = new ClassicLevel(path.join(dir, 'level'), { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    await level.open();
    for (let i = 0; i < n; i += 10000) {
      await level.batch(keys.slice(i, i + 10000).map((key) => ({ type: 'put', key, value })));
    }

    // Scans first, so that FerrumDB's first scan is the first after open (the ordered key index may still be being
    // built, and the JIT has compiled nothing of the scan path).
    const ours = async () => {
      let count = 0;
      for await (const entry of db.iterate({ prefix: PREFIX })) count += entry.length - 1;
      if (count !== n) throw new Error(`scan saw ${count} of ${n}`);
    };
    const theirs = () => {
      let count = 0;
      for (const row of range.iterate(Buffer.from(PREFIX), upper)) count += row.length - 1;
      if (count !== n) throw new Error(`sqlite scan saw ${count} of ${n}`);
    };
    [out['first scan: ferrumdb ms'], out['first scan: ferrumdb cpu ms']] = (await timeNs(ours, 1e6));
    [out['first scan: better-sqlite3 ms'], out['first scan: better-sqlite3 cpu ms']] = (await timeNs(theirs, 1e6));
    out['first scan: ferrumdb / better-sqlite3'] = out['first scan: ferrumdb ms'] / out['first scan: better-sqlite3 ms'];
    out['first scan: ferrumdb / better-sqlite3, cpu'] = out['first scan: ferrumdb cpu ms']
      / out['first scan: better-sqlite3 cpu ms'];
    const scans = await alternate(ours, theirs, 8, 0, 1e6);
    [out['scans 2-9: ferrumdb ms'], out['scans 2-9: better-sqlite3 ms'],
      out['scans 2-9: ferrumdb / better-sqlite3']] = scans.wall;
    out['scans 2-9: ferrumdb / better-sqlite3, cpu'] = scans.cpu[2];

    for (const k of probe) {
      if (!db.getSync(k).equals(one.get(k))) throw new Error(`values differ at ${k}`);
    }
    const sync = await alternate(() => { for (const k of probe) db.getSync(k); },
      () => { for (const k of probe) one.get(k); });
    [out['sync get: ferrumdb ns'], out['sync get: better-sqlite3 ns'],
      out['sync get: ferrumdb / better-sqlite3']] = sync.wall;
    [out['sync get cpu: ferrumdb ns'], out['sync get cpu: better-sqlite3 ns'],
      out['sync get cpu: ferrumdb / better-sqlite3']] = sync.cpu;
    // getSync as it was before session 6: the same steps, through the instance method.
    const nodeDatabase = FerrumDB.javaDatabase(db);
    const before = (key) => {
      const k = key.toString('base64');
      let value;
      try {
        value = nodeDatabase.getBase64Sync(k);
      } catch (e) {
        throw translate(e);
      }
      return value === null ? null : Buffer.from(value, 'base64');
    };
    for (const k of probe.slice(0, 100)) {
      if (!before(k).equals(db.getSync(k))) throw new Error(`the previous getSync differs at ${k}`);
    }
    const change = await alternate(() => { for (const k of probe) db.getSync(k); },
      () => { for (const k of probe) before(k); });
    out['sync get: after / before'] = change.wall[2];
    out['sync get cpu: after / before'] = change.cpu[2];
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
