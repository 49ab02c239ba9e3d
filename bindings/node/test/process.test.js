'use strict';
// A database and the processes around it: a second process is refused naming the holder, and a program that ends
// with its database still open exits (no hang) and keeps its acknowledged writes.

const { test, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');
const { once } = require('node:events');
const { FerrumDB, DatabaseLockedError } = require('ferrumdb');

let tmp;
let dir;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ferrumdb-node-process-'));
  dir = path.join(tmp, 'db');
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A child node process running `script`, which finds the installed ferrumdb from this test's folder. */
function childArgs(script) {
  return [process.execPath, ['-e', script], { cwd: __dirname, encoding: 'utf8', timeout: 120_000 }];
}

test('JVM options the JVM refuses are a FerrumError naming the setting, not java-bridge\'s bare Error', () => {
  // Audit 27c: an Error with code 'GenericFailure', "Failed to create JavaVM: Invalid arguments", reached the caller.
  const script = `
    const { FerrumDB, FerrumError } = require('ferrumdb');
    FerrumDB.open(${JSON.stringify(dir)}).then(() => console.log('opened'),
      (e) => console.log(e instanceof FerrumError, e.code, e.message));`;
  const [command, args, options] = childArgs(script);
  const result = spawnSync(command, args, { ...options, env: { ...process.env, FERRUMDB_JVM_OPTIONS: '-Xmxbad' } });
  assert.match(result.stdout, /^true FERRUM_ERROR could not start the Java VM \(java-bridge said: .*\); check /,
    result.stderr);
  assert.match(result.stdout, /\$FERRUMDB_JVM_OPTIONS \("-Xmxbad"\)/);
});

test("a second process is refused with a DatabaseLockedError naming the holder's pid", async () => {
  const script = `
    const { FerrumDB } = require('ferrumdb');
    const db = FerrumDB.openSync(${JSON.stringify(dir)});
    db.putSync('k', 'v');
    console.log('open');
    process.stdin.once('data', () => { db.closeSync(); process.exit(0); });`;
  const [command, args, options] = childArgs(script);
  const child = spawn(command, args, { ...options, stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const [line] = await once(child.stdout, 'data');
    assert.equal(String(line).trim(), 'open');
    for (const readOnly of [false, true]) {
      await assert.rejects(FerrumDB.open(dir, { readOnly }), (e) => {
        assert.ok(e instanceof DatabaseLockedError);
        assert.equal(e.code, 'DATABASE_LOCKED');
        assert.match(e.message, new RegExp(`is locked by process ${child.pid} \\(`));
        assert.match(e.message, /ferrumdb serve/); // where to go for sharing
        return true;
      });
    }
    child.stdin.end('\n');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
  } finally {
    child.kill('SIGKILL');
  }
  const db = await FerrumDB.open(dir); // the child's close released the lock
  assert.equal(await db.getString('k'), 'v');
  await db.close();
});

test('a program that ends with its database open exits, closing it, and keeps its acknowledged writes', () => {
  // A natural end and process.exit() run 'exit' listeners, which close the databases left open (a close seals the
  // active segment: its hint file is there after). kill -9 closes nothing: under "periodic" with its fsync an hour
  // away, the child first waits until its last value is in a segment file (the OS has it); before, such writes sat
  // in the process until the periodic fsync, and a crash lost them.
  const script = (fsync, end) => `
    const fs = require('node:fs');
    const path = require('node:path');
    const { FerrumDB } = require('ferrumdb');
    const dir = ${JSON.stringify(path.join(tmp, `${fsync}-${end}`))};
    (async () => {
      const db = await FerrumDB.open(dir, { fsync: '${fsync}', fsyncIntervalMs: 3_600_000 });
      await Promise.all(Array.from({ length: 200 }, (_, i) => db.put('k' + i, 'value-' + i)));
      db.putSync('last', 'value-last');
      if ('${end}' === 'exit') {
        process.exit(0);
      }
      if ('${end}' === 'kill') {
        const deadline = Date.now() + 60_000;
        const handedOver = () => fs.readdirSync(dir).filter((f) => f.endsWith('.seg'))
          .some((f) => fs.readFileSync(path.join(dir, f)).includes('value-last'));
        while (Date.now() < deadline && !handedOver()) {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        process.kill(process.pid, 'SIGKILL');
      }
    })();`;
  const cases = [['always', 'end'], ['never', 'end'], ['periodic', 'end'], ['never', 'exit'], ['periodic', 'kill']];
  for (const [fsync, end] of cases) {
    const child = spawnSync(...childArgs(script(fsync, end)));
    const killed = end === 'kill';
    assert.equal(child.signal, killed ? 'SIGKILL' : null, `${fsync}/${end}: ${child.signal} ${child.stderr}`);
    assert.equal(child.status, killed ? null : 0, child.stderr);
    const childDir = path.join(tmp, `${fsync}-${end}`);
    const sealed = fs.readdirSync(childDir).some((f) => f.endsWith('.hint'));
    assert.equal(sealed, !killed, `${fsync}/${end}: closed at exit`);
    const db = FerrumDB.openSync(childDir);
    assert.equal(db.sizeSync(), 201, `${fsync}/${end}`);
    assert.equal(db.getStringSync('last'), 'value-last', `${fsync}/${end}`);
    db.closeSync();
  }
});

test("the program's own exit listeners may still use a database; it is closed after them", () => {
  const childDir = path.join(tmp, 'listener');
  const script = `
    const { FerrumDB } = require('ferrumdb');
    (async () => {
      const db = await FerrumDB.open(${JSON.stringify(childDir)}, { fsync: 'never' });
      await db.put('k', 'v');
      process.on('exit', () => {
        db.putSync('from-exit-listener', db.getStringSync('k'));
        console.log('listener wrote');
      });
      setTimeout(() => process.exit(0), 10);
    })();`;
  const child = spawnSync(...childArgs(script));
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stdout.trim(), 'listener wrote', child.stderr);
  assert.equal(child.stderr, '');
  assert.ok(fs.readdirSync(childDir).some((f) => f.endsWith('.hint')), 'closed at exit, after the listener');
  const db = FerrumDB.openSync(childDir);
  assert.equal(db.getStringSync('from-exit-listener'), 'v');
  db.closeSync();
});
