'use strict';
// java-bridge loads the engine once per process, in one JavaScript thread: a worker thread that tries after
// another thread did gets a FerrumError saying so, not a raw loader error.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Worker } = require('node:worker_threads');
const { FerrumDB } = require('ferrumdb');

const workerCode = `
  const { parentPort, workerData } = require('node:worker_threads');
  const { FerrumDB, FerrumError } = require(workerData.module);
  try {
    const db = FerrumDB.openSync(workerData.dir);
    db.closeSync();
    parentPort.postMessage({ ok: true });
  } catch (e) {
    parentPort.postMessage({ ok: false, isFerrumError: e instanceof FerrumError, message: e.message });
  }`;

test('a worker thread after the main thread gets a clear FerrumError', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ferrumdb-worker-'));
  try {
    const db = await FerrumDB.open(path.join(dir, 'main')); // the main thread loads the engine
    await db.close();
    const reply = await new Promise((resolve, reject) => {
      const worker = new Worker(workerCode, { eval: true,
        workerData: { module: require.resolve('ferrumdb'), dir: path.join(dir, 'worker') } });
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    assert.equal(reply.ok, false);
    assert.equal(reply.isFerrumError, true);
    assert.match(reply.message, /only one JavaScript thread/);
    assert.match(reply.message, /postMessage/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
