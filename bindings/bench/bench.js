'use strict';
// The Node.js side of the bindings' per-call overhead comparison (see run.sh): the operations of
// CallOverhead.java through the ferrumdb package, sync twins and awaited async calls. Prints one JSON object of
// nanoseconds per call (median of the rounds).

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { FerrumDB } = require('ferrumdb'); // installed from bindings/dist by run.sh

const ROUNDS = 7;

async function median(ops, loop) {
  const perCall = [];
  for (let r = -1; r < ROUNDS; r += 1) {
    const start = process.hrtime.bigint();
    await loop(ops);
    const elapsed = Number(process.hrtime.bigint() - start);
    if (r >= 0) {
      perCall.push(elapsed / ops);
    }
  }
  perCall.sort((a, b) => a - b);
  return Math.round(perCall[Math.floor(ROUNDS / 2)] * 10) / 10;
}

async function main() {
  const ops = Number(process.argv[2]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ferrumdb-overhead-node-'));
  const key = Buffer.from('bench:0000000001');
  const value = Buffer.alloc(100, 7);
  const first = await FerrumDB.open(dir, { fsync: 'never' });
  await first.put(key, value);
  await first.close();
  // Reopened, as in CallOverhead.java: the value sits in a sealed, memory-mapped segment.
  const db = await FerrumDB.open(dir, { fsync: 'never' });
  try {
    const results = {
      get: await median(ops, (n) => { for (let i = 0; i < n; i += 1) db.getSync(key); }),
      contains: await median(ops, (n) => { for (let i = 0; i < n; i += 1) db.hasSync(key); }),
      put: await median(ops, (n) => { for (let i = 0; i < n; i += 1) db.putSync(key, value); }),
      'get (async)': await median(ops, async (n) => { for (let i = 0; i < n; i += 1) await db.get(key); }),
      'contains (async)': await median(ops, async (n) => { for (let i = 0; i < n; i += 1) await db.has(key); }),
      'put (async)': await median(ops, async (n) => { for (let i = 0; i < n; i += 1) await db.put(key, value); }),
    };
    console.log(JSON.stringify(results));
  } finally {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
