'use strict';
// The key-value API of the Node.js binding, through its public names only.

const { test, describe, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const ferrumdb = require('ferrumdb');

const { FerrumDB } = ferrumdb;

let tmp;
let dir;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ferrumdb-node-'));
  dir = path.join(tmp, 'db');
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('basic operations', () => {
  test('put, get and delete survive a reopen', async () => {
    const db = await FerrumDB.open(dir);
    await db.put('user:1', 'Ada');
    await db.put(Buffer.from('user:2'), Buffer.from([0, 255, 1]));
    await db.put('naïve-ключ', 'värde ✓');
    await db.put('user:1', 'Ada Lovelace');
    assert.equal(await db.delete('user:2'), true);
    assert.equal(await db.delete('user:2'), false);
    assert.equal(await db.delete('never'), false);
    await db.close();

    const again = await FerrumDB.open(dir);
    assert.deepEqual(await again.get('user:1'), Buffer.from('Ada Lovelace'));
    assert.equal(await again.getString(Buffer.from('user:1')), 'Ada Lovelace');
    assert.equal(await again.get('user:2'), null);
    assert.equal(await again.getString('user:2'), null);
    assert.equal(await again.getString('naïve-ключ'), 'värde ✓');
    assert.equal(await again.size(), 2);
    await again.close();
  });

  test('sync twins do the same on the calling thread', () => {
    const db = FerrumDB.openSync(dir, { fsync: 'never' });
    db.putSync('a', '1');
    db.putSync('b', new Uint8Array([50]));
    assert.equal(db.getStringSync('a'), '1');
    assert.deepEqual(db.getSync('b'), Buffer.from('2'));
    assert.equal(db.hasSync('a'), true);
    assert.equal(db.deleteSync('a'), true);
    assert.equal(db.hasSync('a'), false);
    assert.equal(db.sizeSync(), 1);
    assert.deepEqual(db.keysSync(), [Buffer.from('b')]);
    db.writeBatchSync([{ type: 'put', key: 'c', value: '3' }, { type: 'delete', key: 'b' }]);
    assert.deepEqual(db.keysSync().map(String), ['c']);
    db.syncSync();
    db.closeSync();
    db.closeSync();
  });

  test('has, size and sorted keys with a prefix', async () => {
    const db = await FerrumDB.open(dir, { fsync: 'never' });
    for (const k of ['mem:b', 'other', 'mem:a', 'mem:c', 'me']) {
      await db.put(k, 'x');
    }
    await db.delete('mem:c');
    assert.equal(await db.has('mem:a'), true);
    assert.equal(await db.has('mem:c'), false);
    assert.equal(await db.size(), 4);
    assert.equal(typeof (await db.size()), 'number');
    assert.deepEqual((await db.keys()).map(String), ['me', 'mem:a', 'mem:b', 'other']);
    assert.deepEqual((await db.keys({ prefix: 'mem:' })).map(String), ['mem:a', 'mem:b']);
    assert.deepEqual(await db.keys({ prefix: Buffer.from('zzz') }), []);
    await db.close();
  });

  test('a large value round-trips', async () => {
    const value = Buffer.alloc(3 << 20, 7);
    value[12345] = 9;
    const db = await FerrumDB.open(dir);
    await db.put('big', value);
    await db.close();
    const again = await FerrumDB.open(dir);
    assert.ok(value.equals(await again.get('big')));
    await again.close();
  });

  test('read-only open reads and refuses writes', async () => {
    const db = await FerrumDB.open(dir);
    await db.put('k', 'v');
    await db.close();
    const ro = await FerrumDB.open(dir, { readOnly: true });
    assert.equal(await ro.getString('k'), 'v');
    await assert.rejects(ro.put('k', 'w'), { name: 'ReadOnlyDatabaseError', code: 'READ_ONLY' });
    await ro.close();
  });

  test('periodic fsync', async () => {
    const db = await FerrumDB.open(dir, { fsync: 'periodic', fsyncIntervalMs: 50 });
    await db.put('k', 'v');
    await db.sync();
    assert.equal(await db.getString('k'), 'v');
    await db.close();
  });

  test('many concurrent async writes all land', async () => {
    const db = await FerrumDB.open(dir);
    await Promise.all(Array.from({ length: 100 }, (_, i) => db.put(`k${i}`, String(i))));
    assert.equal(await db.size(), 100);
    assert.equal(await db.getString('k99'), '99');
    await db.close();
  });
});

describe('event loop', () => {
  test('an async put does not block the event loop while the engine writes and fsyncs', async () => {
    const db = await FerrumDB.open(dir, { fsync: 'always' });
    // A blocking call would resolve before any macrotask runs; a call on another thread lets the loop turn.
    let turned = false;
    setImmediate(() => {
      turned = true;
    });
    await db.put('big', Buffer.alloc(16 << 20, 1));
    assert.equal(turned, true);

    let ticks = 0;
    const timer = setInterval(() => {
      ticks += 1;
    }, 1);
    for (let i = 0; i < 5; i += 1) {
      await db.put(`v${i}`, Buffer.alloc(8 << 20, i));
    }
    clearInterval(timer);
    assert.ok(ticks > 0, 'timers ran while the writes were in flight');
    await db.close();
  });

  test('a sync put blocks the loop (the contrast that makes the test above meaningful)', async () => {
    const db = FerrumDB.openSync(dir);
    let turned = false;
    setImmediate(() => {
      turned = true;
    });
    db.putSync('big', Buffer.alloc(16 << 20, 1));
    await Promise.resolve();
    assert.equal(turned, false);
    db.closeSync();
  });
});

describe('ttl', () => {
  test('a value expires after its ttl', async () => {
    const db = await FerrumDB.open(dir);
    const issued = Date.now();
    await db.put('short', 'v', { ttl: 0.5 });
    const stored = Date.now(); // the engine took its clock between issued and stored
    await db.put('long', 'v', { ttl: 3600 });
    const value = await db.getString('short');
    if (Date.now() - issued < 500) {
      assert.equal(value, 'v'); // read within its life (on a busy machine the puts alone may take longer)
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, stored + 700 - Date.now())));
    assert.equal(await db.get('short'), null);
    assert.equal(await db.has('short'), false);
    assert.equal(await db.getString('long'), 'v');
    await db.close();
  });

  test('a bad ttl is rejected', async () => {
    const db = await FerrumDB.open(dir);
    await assert.rejects(db.put('k', 'v', { ttl: 0 }), { code: 'INVALID_ARGUMENT', message: /positive/ });
    await assert.rejects(db.put('k', 'v', { ttl: -3 }), { code: 'INVALID_ARGUMENT' });
    await assert.rejects(db.put('k', 'v', { ttl: '5' }), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
    assert.equal(await db.has('k'), false);
    await db.close();
  });
});

describe('write batches', () => {
  test('all operations apply together', async () => {
    const db = await FerrumDB.open(dir);
    await db.put('old', 'x');
    await db.writeBatch([
      { type: 'put', key: 'a', value: '1' },
      { type: 'put', key: Buffer.from('b'), value: Buffer.from('2'), ttl: 3600 },
      { type: 'delete', key: 'old' },
    ]);
    assert.equal(await db.getString('a'), '1');
    assert.equal(await db.getString('b'), '2');
    assert.equal(await db.get('old'), null);
    await db.writeBatch([]);
    await db.close();
    const again = await FerrumDB.open(dir);
    assert.deepEqual((await again.keys()).map(String), ['a', 'b']);
    await again.close();
  });

  test('one bad operation fails the whole batch and names it', async () => {
    const db = await FerrumDB.open(dir);
    await assert.rejects(db.writeBatch([
      { type: 'put', key: 'ok', value: '1' },
      { type: 'put', key: 'k'.repeat(70_000), value: 'v' },
    ]), { name: 'InvalidArgumentError', message: /65535/ });
    await assert.rejects(db.writeBatch([{ type: 'put', key: 'ok', value: '1' }, { type: 'upsert', key: 'x' }]),
      { name: 'TypeError', message: /ops\[1\]\.type/ });
    await assert.rejects(db.writeBatch([{ type: 'put', key: 'ok' }]), { message: /ops\[0\]\.value/ });
    assert.equal(await db.has('ok'), false);
    await db.close();
  });
});

describe('encryption', () => {
  test('a passphrase encrypts the files and must match on open', async () => {
    const db = await FerrumDB.open(dir, { passphrase: 'correct horse' });
    await db.put('secret-key', 'secret value');
    await db.close();
    const stored = Buffer.concat(fs.readdirSync(dir).map((f) => path.join(dir, f))
      .filter((f) => fs.statSync(f).isFile()).map((f) => fs.readFileSync(f)));
    assert.equal(stored.includes('secret value'), false);
    await assert.rejects(FerrumDB.open(dir, { passphrase: 'wrong' }),
      { name: 'EncryptionKeyError', code: 'ENCRYPTION_KEY', javaClass: 'io.ferrumdb.EncryptionKeyException' });
    assert.throws(() => FerrumDB.openSync(dir), { name: 'EncryptionKeyError' });
    await assert.rejects(FerrumDB.open(dir, { passphrase: 42 }), { name: 'TypeError', message: /passphrase/ });
    const again = await FerrumDB.open(dir, { passphrase: 'correct horse' });
    assert.equal(await again.getString('secret-key'), 'secret value');
    await again.close();
  });
});

describe('errors', () => {
  test('a missing database and a directory that is not one have their own errors and codes', async () => {
    // Both were a bare FerrumError (code FERRUM_ERROR) before.
    await assert.rejects(FerrumDB.open(dir, { readOnly: 'no' }), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE',
      message: 'readOnly must be true or false, got "no"' });
    await assert.rejects(FerrumDB.open(dir, { readOnly: true }), { name: 'DatabaseNotFoundError',
      code: 'DATABASE_NOT_FOUND', message: `no FerrumDB database at ${dir}` });
    assert.equal(fs.existsSync(dir), false);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    await assert.rejects(FerrumDB.open(dir), { name: 'NotADatabaseError', code: 'NOT_A_DATABASE',
      message: /holds no database \(found notes.txt\)/ });
    assert.throws(() => ferrumdb.DocumentStore.openSync(dir), ferrumdb.NotADatabaseError);
    assert.deepEqual(fs.readdirSync(dir), ['notes.txt']);
    assert.ok(new ferrumdb.DatabaseNotFoundError('x') instanceof ferrumdb.FerrumError);
  });

  test('a second open is locked', async () => {
    const db = await FerrumDB.open(dir);
    await assert.rejects(FerrumDB.open(dir), (e) => {
      assert.ok(e instanceof ferrumdb.DatabaseLockedError);
      assert.ok(e instanceof ferrumdb.FerrumError);
      assert.equal(e.code, 'DATABASE_LOCKED');
      // The engine's exception names the holder: here the handle this program has not closed.
      assert.equal(e.javaClass, 'io.ferrumdb.DatabaseLockedException');
      assert.match(e.message, /locked by an exclusive open handle in this process/);
      return true;
    });
    assert.throws(() => FerrumDB.openSync(dir), { name: 'DatabaseLockedError' });
    await db.close();
  });

  test('use after close', async () => {
    const db = await FerrumDB.open(dir);
    await db.close();
    await db.close();
    await assert.rejects(db.get('k'), { name: 'DatabaseClosedError', code: 'DATABASE_CLOSED' });
    await assert.rejects(db.put('k', 'v'), { name: 'DatabaseClosedError' });
    assert.throws(() => db.putSync('k', 'v'), { name: 'DatabaseClosedError' });
    assert.throws(() => db.getSync('k'), { name: 'DatabaseClosedError', code: 'DATABASE_CLOSED' });
    // Every other method: async ones reject (never throw), with an Error subclass carrying the code.
    const closed = (e) => e instanceof ferrumdb.DatabaseClosedError && e instanceof Error
      && e.code === 'DATABASE_CLOSED' && e.message === `database ${db.path} is closed`;
    const asyncCalls = {
      getString: () => db.getString('k'), delete: () => db.delete('k'), has: () => db.has('k'), size: () => db.size(),
      keys: () => db.keys(), iterate: () => db.iterate().next(), writeBatch: () => db.writeBatch([]),
      sync: () => db.sync(), stats: () => db.stats(), putTtl: () => db.put('k', 'v', { ttl: 5 }),
    };
    for (const [name, call] of Object.entries(asyncCalls)) {
      const result = call();
      assert.ok(result instanceof Promise, name);
      await assert.rejects(result, closed, name);
    }
    const syncCalls = {
      getStringSync: () => db.getStringSync('k'), deleteSync: () => db.deleteSync('k'), hasSync: () => db.hasSync('k'),
      sizeSync: () => db.sizeSync(), keysSync: () => db.keysSync(), writeBatchSync: () => db.writeBatchSync([]),
      syncSync: () => db.syncSync(), statsSync: () => db.statsSync(),
    };
    for (const [name, call] of Object.entries(syncCalls)) {
      assert.throws(call, closed, name);
    }
    db.closeSync(); // harmless after close
  });

  test('getSync reads its own database when several are open', async () => {
    const a = await FerrumDB.open(path.join(dir, 'a'));
    const b = FerrumDB.openSync(path.join(dir, 'b'));
    await a.put('k', 'in a');
    b.putSync('k', 'in b');
    assert.equal(a.getStringSync('k'), 'in a');
    assert.equal(b.getStringSync('k'), 'in b');
    await a.close();
    assert.throws(() => a.getSync('k'), { name: 'DatabaseClosedError' });
    assert.equal(b.getStringSync('k'), 'in b');
    b.closeSync();
  });

  test('corruption names the file and offset', async () => {
    const db = await FerrumDB.open(dir);
    await db.put('key', 'v'.repeat(100));
    await db.close();
    const segment = path.join(dir, fs.readdirSync(dir).find((f) => f.endsWith('.seg')));
    const data = fs.readFileSync(segment);
    data[data.length - 10] ^= 0xff; // inside the only record's value
    fs.writeFileSync(segment, data);
    const again = await FerrumDB.open(dir);
    await assert.rejects(again.get('key'), (e) => {
      assert.ok(e instanceof ferrumdb.CorruptionError);
      assert.equal(e.code, 'CORRUPTION');
      assert.equal(e.file, fs.realpathSync(segment));
      assert.equal(e.offset, 64);
      return true;
    });
    await again.close();
  });

  test('bad arguments name the problem', async () => {
    await assert.rejects(FerrumDB.open(dir, { fsync: 'sometimes' }),
      { name: 'InvalidArgumentError', code: 'INVALID_ARGUMENT', message: /"sometimes"/ });
    await assert.rejects(FerrumDB.open(dir, { fsync: 'periodic', fsyncIntervalMs: 0 }),
      { message: /positive interval/ });
    await assert.rejects(FerrumDB.open(42), { name: 'TypeError', message: /path must be a non-empty string/ });
    // Audit 27c: the empty path was a TypeError here and InvalidArgumentError in Python; the same class now.
    await assert.rejects(FerrumDB.open(''),
      { name: 'InvalidArgumentError', code: 'INVALID_ARGUMENT', message: 'path must be a non-empty directory path' });
    const db = await FerrumDB.open(dir);
    await assert.rejects(db.put(1, 'v'), { name: 'TypeError', message: 'key must be a string or a Buffer, got number' });
    await assert.rejects(db.put('k', null), { message: 'value must be a string or a Buffer, got null' });
    assert.throws(() => db.getSync('k'.repeat(70_000)), { name: 'InvalidArgumentError', message: /65535/ });
    await db.close();
  });

  test('a misspelt option is refused naming it, as Python refuses an unexpected keyword', async () => {
    // Before, unknown names were dropped: { passPhrase } created an unencrypted database, { tll } a value that
    // never expires, { ttlMs } (the other unit) likewise.
    const refused = (call, name) => ({ name: 'TypeError', message: new RegExp(`^${call} has no option '${name}'`) });
    await assert.rejects(FerrumDB.open(dir, { passPhrase: 'secret' }), refused('open\\(\\)', 'passPhrase'));
    assert.throws(() => FerrumDB.openSync(dir, { readonly: true }), refused('open\\(\\)', 'readonly'));
    assert.equal(fs.existsSync(dir), false);
    const db = await FerrumDB.open(dir, { passphrase: 'secret', fsync: 'never' });
    await assert.rejects(db.put('k', 'v', { tll: 60 }), refused('put\\(\\)', 'tll'));
    assert.throws(() => db.putSync('k', 'v', { ttlMs: 60_000 }), refused('putSync\\(\\)', 'ttlMs'));
    await assert.rejects(db.writeBatch([{ type: 'put', key: 'k', value: 'v', ttlMs: 5 }]),
      { name: 'TypeError', message: "ops[0] has no field 'ttlMs' (a put takes type, key, value, ttl)" });
    assert.throws(() => db.writeBatchSync([{ type: 'delete', key: 'k', value: 'v' }]),
      { name: 'TypeError', message: /^ops\[0\] has no field 'value'/ });
    await assert.rejects(db.keys({ prefx: 'a' }), refused('keys\\(\\)', 'prefx'));
    await assert.rejects(db.iterate({ stop: 'a' }).next(), refused('iterate\\(\\)', 'stop'));
    assert.equal(await db.has('k'), false);
    await db.put('k', 'v', { ttl: 60 });
    assert.deepEqual(await db.keys({ prefix: 'k', limit: 1 }), [Buffer.from('k')]);
    await db.close();
  });

  test('new FerrumDB(path) and new DocumentStore(path) say how to open one', () => {
    // As better-sqlite3 and classic-level are opened; before, a raw "nodeDatabase.handleSync is not a function",
    // and a DocumentStore handle that failed at its first call.
    assert.throws(() => new FerrumDB(dir), { name: 'TypeError',
      message: 'FerrumDB is not opened with new: use await FerrumDB.open(path, options) (or FerrumDB.openSync)' });
    assert.throws(() => new ferrumdb.DocumentStore(dir), { name: 'TypeError',
      message: /^DocumentStore is not opened with new: use await DocumentStore.open\(path, options\)/ });
    assert.equal(fs.existsSync(dir), false);
  });

  test('an unhandled error shows no Java stack trace', () => {
    const script = `
      const { FerrumDB } = require(${JSON.stringify(require.resolve('ferrumdb'))});
      (async () => { await FerrumDB.open(process.argv[1]); await FerrumDB.open(process.argv[1]); })();`;
    let stderr = '';
    assert.throws(() => {
      try {
        execFileSync(process.execPath, ['-e', script, dir], { stdio: 'pipe', timeout: 60_000 });
      } catch (e) {
        stderr = e.stderr.toString();
        throw e;
      }
    });
    assert.match(stderr, /DatabaseLockedError: database directory/);
    assert.match(stderr, /code: 'DATABASE_LOCKED'/);
    assert.doesNotMatch(stderr, /\bat io\.ferrumdb\.|at java\./);
  });
});

describe('hostile input', () => {
  test('a string with a lone surrogate is refused, not stored as U+FFFD', async () => {
    const db = await FerrumDB.open(dir);
    const lone = { name: 'InvalidArgumentError', code: 'INVALID_ARGUMENT' };
    await assert.rejects(db.put('\ud800', 'v'),
      { ...lone, message: 'key is not well-formed text: the lone surrogate \\ud800 at index 0 has no UTF-8 encoding' });
    assert.throws(() => db.putSync('k', 'a\u{1F600}\udfff'), { ...lone, message: /value .* \\udfff at index 3/ });
    await assert.rejects(db.get('\udfff'), lone);
    await assert.rejects(db.writeBatch([{ type: 'put', key: 'x\udc00', value: 'v' }]), { message: /ops\[0\]\.key/ });
    await assert.rejects(db.keys({ prefix: '\ud800' }), lone);
    assert.equal(await db.size(), 0);
    await db.close();
    await assert.rejects(FerrumDB.open(path.join(tmp, 'p'), { passphrase: 'pass\ud800' }), { message: /passphrase/ });
    await assert.rejects(FerrumDB.open(path.join(tmp, 'x\ud800')), { ...lone, message: /^path / });
    await assert.rejects(FerrumDB.open(path.join(tmp, 'a\0b')), { ...lone, message: /NUL/ });
  });

  test('a ttl beyond 100 years is refused naming the limit, by async, sync and batch writes', async () => {
    const db = await FerrumDB.open(dir);
    const limit = { name: 'InvalidArgumentError', message: /at most 3153600000 seconds \(100 years\), got 1e\+300/ };
    await assert.rejects(db.put('k', 'v', { ttl: 1e300 }), limit);
    assert.throws(() => db.putSync('k', 'v', { ttl: 1e300 }), limit);
    assert.throws(() => db.writeBatchSync([{ type: 'put', key: 'k', value: 'v', ttl: 1e300 }]), limit);
    await assert.rejects(db.put('k', 'v', { ttl: 3153600001 }), { message: /at most 3153600000/ });
    await db.put('k', 'v', { ttl: 3153600000 });
    assert.equal(await db.getString('k'), 'v');
    await assert.rejects(FerrumDB.open(path.join(tmp, 'f'), { fsync: 'periodic', fsyncIntervalMs: 1e300 }),
      { name: 'InvalidArgumentError', message: /fsyncIntervalMs must be at most/ });
    await db.close();
  });

  test('an I/O failure is worded without Java class names', async () => {
    const file = path.join(tmp, 'a-file');
    fs.writeFileSync(file, 'not a database');
    await assert.rejects(FerrumDB.open(file), {
      name: 'FerrumError', message: `could not open database ${file}: not a directory: ${file}`,
      javaClass: 'io.ferrumdb.FerrumException',
    });
  });

  test('a scan used after close rejects with DatabaseClosedError, not an unhandled rejection', async () => {
    const unhandled = [];
    const onUnhandled = (e) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const db = await FerrumDB.open(dir);
      await db.writeBatch(Array.from({ length: 5000 }, (_, i) => ({ type: 'put', key: `k${i}`, value: 'v' })));
      const scan = db.iterate()[Symbol.asyncIterator]();
      await scan.next();
      await db.close();
      let seen = 1;
      await assert.rejects(async () => {
        for (let r = await scan.next(); !r.done; r = await scan.next()) {
          seen += 1;
        }
      }, { name: 'DatabaseClosedError' });
      assert.ok(seen < 5000, `${seen} entries after close`);
      await new Promise((resolve) => { setTimeout(resolve, 100); });
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
