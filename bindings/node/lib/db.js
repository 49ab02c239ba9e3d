'use strict';
// The key-value database: a thin JavaScript layer over the Java engine, called in-process through java-bridge.
// Async methods run their Java call on a java-bridge thread, so an fsync never blocks the event loop, and scans
// come back in bounded chunks, so converting a large result never does either; the `...Sync` twins run on the
// calling thread, for scripts. The one exception is get(), which first reads on the event loop when that needs no
// disk I/O (a value in memory), and only otherwise takes the java-bridge hop.

const nodePath = require('node:path');
const {
  jclass, call, callSync, translate, toBase64, ownBuffer, wellFormed, cursorChunks, nextTurn,
} = require('./jvm');
const { InvalidArgumentError } = require('./errors');
const { WriteQueue } = require('./writes');
const { closeAtExit, closed } = require('./exit');

const NODE_DATABASE = 'io.ferrumdb.bindings.NodeDatabase';
const SCAN_CURSOR = 'io.ferrumdb.bindings.ScanCursor';

function typeError(message) {
  const err = new TypeError(message);
  err.code = 'ERR_INVALID_ARG_TYPE';
  return err;
}

const NO_OPTIONS = Object.freeze({});

/**
 * A true-or-false option: a boolean, or null/undefined for its default. Not JavaScript's truthiness, under which
 * `reverse: 'false'` reversed a scan and `readOnly: 'no'` opened read-only: a TypeError names the option instead.
 */
function flag(value, what) {
  if (typeof value !== 'boolean') {
    throw typeError(`${what} must be true or false, got ${typeof value === 'string' ? JSON.stringify(value) : typeof value}`);
  }
  return value;
}

/**
 * What open() and openSync() pass their class's constructor, so that `new FerrumDB(path)` (as better-sqlite3's
 * `new Database(path)` and classic-level's `new ClassicLevel(path)` are written) is told how to open one instead of
 * failing inside (`nodeDatabase.handleSync is not a function`) or, for a DocumentStore, building a broken handle.
 */
const OPENING = Symbol('opening');

/** Throws unless the constructor of `className` was called by its open() with `token`. */
function checkOpening(token, className) {
  if (token !== OPENING) {
    throw typeError(`${className} is not opened with new: use await ${className}.open(path, options) `
      + `(or ${className}.openSync)`);
  }
}

/**
 * `options` (undefined or null: none), checked to hold only the names `call` takes. A misspelt name would otherwise
 * be dropped without a word: `{ passPhrase }` created an unencrypted database and `{ tll: 60 }` wrote a value that
 * never expires, where Python refuses an unexpected keyword argument with a TypeError.
 */
function optionsOf(options, names, call) {
  if (options === undefined || options === null) {
    return NO_OPTIONS;
  }
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw typeError(`options must be an object, got ${Array.isArray(options) ? 'an array' : typeof options}`);
  }
  for (const name of Object.keys(options)) {
    if (!names.includes(name)) {
      throw typeError(`${call} has no option '${name}' (it takes ${names.join(', ')})`);
    }
  }
  return options;
}

const OPEN_OPTIONS = ['passphrase', 'fsync', 'fsyncIntervalMs', 'readOnly'];
const PUT_OPTIONS = ['ttl'];
const SCAN_OPTIONS = ['prefix', 'start', 'end', 'reverse', 'limit'];
const OP_FIELDS = { put: ['type', 'key', 'value', 'ttl'], delete: ['type', 'key'] };

/** The TTL in `options` of a put (`call` names it in errors), as ttlMillis gives it. */
function putTtl(options, call) {
  return ttlMillis(optionsOf(options, PUT_OPTIONS, call).ttl);
}

/** The BindingSupport.open/options arguments for `path` and the open options shared with DocumentStore. */
function openArgs(path, options) {
  if (typeof path !== 'string') {
    throw typeError(`path must be a non-empty string, got ${typeof path}`);
  }
  if (path === '') {
    // A value out of range, not a type: InvalidArgumentError with the engine's words, as Python raises it.
    throw new InvalidArgumentError('path must be a non-empty directory path');
  }
  if (path.includes('\0')) {
    throw new InvalidArgumentError(`path must not contain a NUL character, got ${JSON.stringify(path)}`);
  }
  wellFormed(path, 'path');
  const { passphrase = null, fsync = 'always', fsyncIntervalMs = 1000, readOnly = false } =
    optionsOf(options, OPEN_OPTIONS, 'open()');
  if (passphrase !== null && typeof passphrase !== 'string') {
    throw typeError(`passphrase must be a string, got ${typeof passphrase}`);
  }
  if (passphrase !== null) {
    wellFormed(passphrase, 'passphrase');
  }
  if (typeof fsync !== 'string') {
    throw typeError(`fsync must be "always", "never" or "periodic", got ${typeof fsync}`);
  }
  if (!Number.isInteger(fsyncIntervalMs)) {
    throw typeError(`fsyncIntervalMs must be an integer number of milliseconds, got ${fsyncIntervalMs}`);
  }
  if (!Number.isSafeInteger(fsyncIntervalMs)) {
    throw new InvalidArgumentError(`fsyncIntervalMs must be at most ${Number.MAX_SAFE_INTEGER}, got ${fsyncIntervalMs}`);
  }
  return [nodePath.resolve(path), fsync, fsyncIntervalMs, passphrase, flag(readOnly ?? false, 'readOnly')];
}

/**
 * The longest TTL, in seconds: 100 years, as Studio, MCP and the CLI accept. Longer is a mistake (a unit mixed up,
 * digits too many), and far longer ones would reach the Java side as a long clamped without a word.
 */
const MAX_TTL_SECONDS = 100 * 365 * 24 * 3600;

/**
 * A TTL given in seconds (as in Python and Redis; fractions allowed) as the milliseconds the Java side takes,
 * where 0 means none. Rounded up, so that a positive TTL stays positive.
 */
function ttlMillis(ttl, what = 'ttl') {
  if (ttl === undefined || ttl === null) {
    return 0;
  }
  if (typeof ttl !== 'number') {
    throw typeError(`${what} must be a number of seconds, got ${typeof ttl}`);
  }
  if (!(ttl > 0) || !Number.isFinite(ttl)) {
    throw new InvalidArgumentError(`${what} must be a positive number of seconds, got ${ttl}`);
  }
  if (ttl > MAX_TTL_SECONDS) {
    throw new InvalidArgumentError(`${what} must be at most ${MAX_TTL_SECONDS} seconds (100 years), got ${ttl}`);
  }
  return Math.ceil(ttl * 1000);
}

function putArgs(key, value, options) {
  return [toBase64(key, 'key'), toBase64(value, 'value'), putTtl(options, 'putSync()')];
}

/**
 * Bytes of a value per Java call of an async get: java-bridge copies a returned byte[] into a Buffer on the event
 * loop, and a part of this size takes well under a millisecond there.
 */
const VALUE_PART = 256 << 10;
/** getBoundedBase64's mark of a large value's handle ('#', which base64 never contains). */
const HASH = 0x23;
/** readIfInMemoryBase64's answer when the value is not in memory or over VALUE_PART: ask a java-bridge thread. */
const NOT_HERE = '#';

/** Entries per chunk of a scan: small enough that slicing one chunk takes well under a millisecond. */
const CHUNK_ENTRIES = 1024;
/** Bytes of keys and values per chunk, so that large values do not make one chunk slow to copy. */
const CHUNK_BYTES = 1 << 20;

/** The ScanCursor constructor's arguments after the database, for iterate()'s options. */
function scanArgs(options, withValues) {
  const { prefix = null, start = null, end = null, reverse = false, limit = null } =
    optionsOf(options, SCAN_OPTIONS, withValues ? 'iterate()' : 'keys()');
  if (limit !== null && !Number.isInteger(limit)) {
    throw typeError(`limit must be an integer, got ${limit}`);
  }
  if (limit !== null && limit < 0) {
    // A value out of range, as find()'s limit and a negative ttl here and Python's iterator(limit=-1): not a type.
    throw new InvalidArgumentError(`limit must be zero or more, got ${limit}`);
  }
  const bound = (value, what) => (value === null ? null : toBase64(value, what));
  return [bound(prefix, 'prefix'), bound(start, 'start'), bound(end, 'end'), flag(reverse ?? false, 'reverse'),
    limit === null ? -1 : limit, withValues];
}

/**
 * The entries of one ScanCursor chunk (layout in ScanCursor.java): keys, or [key, value] pairs. Keys and values
 * are views into the chunk's Buffer, not copies.
 */
function unpack(chunk, withValues) {
  const count = chunk.readInt32LE(0);
  const per = withValues ? 2 : 1;
  let position = 4 + 4 * count * per;
  const entries = new Array(count);
  for (let i = 0; i < count; i++) {
    const keyLength = chunk.readInt32LE(4 + 4 * i * per);
    const key = chunk.subarray(position, position + keyLength);
    position += keyLength;
    if (withValues) {
      const valueLength = chunk.readInt32LE(8 + 4 * i * per);
      entries[i] = [key, chunk.subarray(position, position + valueLength)];
      position += valueLength;
    } else {
      entries[i] = key;
    }
  }
  if (position !== chunk.length) {
    throw new Error(`scan chunk of ${chunk.length} bytes holds ${position}`); // a bug, not a user error
  }
  return entries;
}

/** `ops` checked, as the { code, key, value, ttlMillis } operations of WriteQueue (Buffers copied). */
function batchOps(ops) {
  checkBatch(ops);
  return ops.map((op, i) => {
    if (op.type === 'put') {
      return { code: 0, key: ownBuffer(op.key, `ops[${i}].key`), value: ownBuffer(op.value, `ops[${i}].value`),
        ttlMillis: ttlMillis(op.ttl, `ops[${i}].ttl`) };
    }
    return { code: 1, key: ownBuffer(op.key, `ops[${i}].key`), value: null, ttlMillis: 0 };
  });
}

/** Throws a TypeError naming the first operation of `ops` that is not a put or a delete. */
function checkBatch(ops) {
  if (!Array.isArray(ops)) {
    throw typeError(`writeBatch takes an array of operations, got ${typeof ops}`);
  }
  ops.forEach((op, i) => {
    if (op === null || typeof op !== 'object') {
      throw typeError(`ops[${i}] must be an object like { type: 'put', key, value }, got ${op}`);
    }
    if (op.type !== 'put' && op.type !== 'delete') {
      throw typeError(`ops[${i}].type must be 'put' or 'delete', got ${op.type}`);
    }
    checkOpFields(op, i);
  });
}

/** Throws naming a field of batch operation `op` (at index `i`) that its type does not take (a misspelt ttl). */
function checkOpFields(op, i) {
  const fields = OP_FIELDS[op.type];
  for (const name of Object.keys(op)) {
    if (!fields.includes(name)) {
      throw typeError(`ops[${i}] has no field '${name}' (a ${op.type} takes ${fields.join(', ')})`);
    }
  }
}

/** NodeDatabase.write's arguments for `ops`: keys, values, TTLs and delete flags, index by index. */
function batchArgs(ops) {
  if (!Array.isArray(ops)) {
    throw typeError(`writeBatch takes an array of operations, got ${typeof ops}`);
  }
  const keys = [];
  const values = [];
  const ttls = [];
  const deletes = [];
  ops.forEach((op, i) => {
    if (op === null || typeof op !== 'object') {
      throw typeError(`ops[${i}] must be an object like { type: 'put', key, value }, got ${op}`);
    }
    if (op.type === 'put' || op.type === 'delete') {
      checkOpFields(op, i);
    }
    if (op.type === 'put') {
      keys.push(toBase64(op.key, `ops[${i}].key`));
      values.push(toBase64(op.value, `ops[${i}].value`));
      ttls.push(ttlMillis(op.ttl, `ops[${i}].ttl`));
      deletes.push(false);
    } else if (op.type === 'delete') {
      keys.push(toBase64(op.key, `ops[${i}].key`));
      values.push('');
      ttls.push(0);
      deletes.push(true);
    } else {
      throw typeError(`ops[${i}].type must be 'put' or 'delete', got ${op.type}`);
    }
  });
  return [keys, values, ttls, deletes];
}

/**
 * An open FerrumDB database. Get one with `await FerrumDB.open(path, options)` and close it with `close()`.
 * Keys and values are strings (stored as UTF-8) or Buffers; reads return Buffers (or strings from getString).
 */
class FerrumDB {
  #db;
  #nodeDatabaseClass;
  #handle;
  #path;
  #writes;

  /** Use FerrumDB.open or FerrumDB.openSync. */
  constructor(nodeDatabase, path, token) {
    checkOpening(token, 'FerrumDB');
    this.#db = nodeDatabase;
    // The number getSync passes to NodeDatabase.readBase64, a static method: java-bridge calls a static method
    // with an int argument for about a microsecond less than an instance method (see NodeHandles.java).
    this.#nodeDatabaseClass = jclass(NODE_DATABASE);
    this.#handle = nodeDatabase.handleSync();
    this.#path = path;
    this.#writes = new WriteQueue(nodeDatabase);
    closeAtExit(this);
  }

  /**
   * Opens the database in directory `path`, creating it when missing (unless readOnly).
   * @param {string} path
   * @param {{passphrase?: string, fsync?: 'always'|'never'|'periodic', fsyncIntervalMs?: number,
   *          readOnly?: boolean}} [options]
   */
  static async open(path, options) {
    const args = openArgs(path, options);
    return new FerrumDB(await call(() => jclass(NODE_DATABASE).newInstanceAsync(...args)), args[0], OPENING);
  }

  static openSync(path, options) {
    const args = openArgs(path, options);
    const NodeDatabase = jclass(NODE_DATABASE);
    return new FerrumDB(callSync(() => new NodeDatabase(...args)), args[0], OPENING);
  }

  /** The Java NodeDatabase behind `db`, for the other parts of this binding (lib/memory.js). */
  static javaDatabase(db) {
    return db.#db;
  }

  /** The WriteQueue of `db`'s async writes, which lib/memory.js's writes join. */
  static writeQueue(db) {
    return db.#writes;
  }

  /** The database directory (absolute). */
  get path() {
    return this.#path;
  }

  #call(method, args) {
    return call(() => this.#db[method](...args));
  }

  #callSync(method, args) {
    return callSync(() => this.#db[`${method}Sync`](...args));
  }

  /**
   * Stores `value` under `key`; `options.ttl` is a time to live in seconds (fractions allowed). Resolves once the
   * put is durable under the fsync policy. The puts and deletes issued together (in one event-loop turn, or while
   * earlier ones are being written) go to Java as one call and share group commits; each still settles on its own.
   */
  put(key, value, options) {
    // Not an async function: one promise per put, not two (a Promise.all of 10,000 puts makes 10,000 of them).
    let args;
    try {
      args = [ownBuffer(key, 'key'), ownBuffer(value, 'value'), putTtl(options, 'put()')];
    } catch (e) {
      return Promise.reject(e);
    }
    return this.#writes.put(...args);
  }

  putSync(key, value, options) {
    this.#callSync('put', putArgs(key, value, options));
  }

  /**
   * The value of `key` as a Buffer, or null when absent or expired. Sees every write of this handle issued before
   * it, even one not yet awaited. A value larger than VALUE_PART comes over in parts of that size, one per
   * event-loop turn, copied into the Buffer as they arrive (all parts are of one read).
   */
  get(key) {
    // Not an async function: one promise for a value in memory (measured: the awaited get's own JavaScript steps
    // cost a quarter of its time when they were async layers).
    let k;
    try {
      k = toBase64(key, 'key');
    } catch (e) {
      return Promise.reject(e);
    }
    // Writes issued before this get may not have reached Java yet (WriteQueue packs them in a later microtask):
    // wait until they are applied, so that the read sees them.
    const applied = this.#writes.applied();
    return applied === null ? this.#get(k) : applied.then(() => this.#get(k));
  }

  /**
   * get() of base64 key `k`: first on this thread, with no disk I/O (NodeDatabase.readIfInMemoryBase64: the
   * writer's buffers, or resident pages of a segment's map); only a value not in memory, or over VALUE_PART, costs
   * a java-bridge call, whose thread may wait for the disk. The event loop never does.
   */
  #get(k) {
    let head;
    try {
      head = this.#nodeDatabaseClass.readIfInMemoryBase64Sync(this.#handle, k, VALUE_PART);
    } catch (e) {
      return Promise.reject(translate(e));
    }
    if (head !== NOT_HERE) {
      return Promise.resolve(head === null ? null : Buffer.from(head, 'base64'));
    }
    let pending;
    try {
      pending = this.#db.getBoundedBase64(k, VALUE_PART);
    } catch (e) {
      return Promise.reject(translate(e));
    }
    return pending.then((bounded) => {
      if (bounded === null) {
        return null;
      }
      return bounded.charCodeAt(0) === HASH ? this.#largeValue(bounded) : Buffer.from(bounded, 'base64');
    }, (e) => {
      throw translate(e);
    });
  }

  /** The rest of get() for a value over VALUE_PART: `head` is getBoundedBase64's "#<handle>,<length>". */
  async #largeValue(head) {
    const comma = head.indexOf(',');
    const handle = Number(head.slice(1, comma));
    const value = Buffer.allocUnsafe(Number(head.slice(comma + 1)));
    let at = 0;
    try {
      while (at < value.length) {
        await nextTurn();
        const part = await this.#call('readPart', [handle, VALUE_PART]);
        at += part.copy(value, at);
      }
    } finally {
      if (at < value.length) {
        await this.#call('dropPart', [handle]); // a part failed: release the rest
      }
    }
    return value;
  }

  getSync(key) {
    // Straight to Java, without #callSync's method-name lookup, and through a static method: this is the call the
    // sync get target measures.
    const k = toBase64(key, 'key');
    let value;
    try {
      value = this.#nodeDatabaseClass.readBase64Sync(this.#handle, k);
    } catch (e) {
      throw translate(e);
    }
    return value === null ? null : Buffer.from(value, 'base64');
  }

  /** The value of `key` decoded as UTF-8, or null when absent or expired. */
  async getString(key) {
    const value = await this.get(key);
    return value === null ? null : value.toString('utf8');
  }

  getStringSync(key) {
    const value = this.getSync(key);
    return value === null ? null : value.toString('utf8');
  }

  /** Deletes `key`; true when a live key was removed. Gathered with other writes as put is. */
  delete(key) {
    let buffer;
    try {
      buffer = ownBuffer(key, 'key');
    } catch (e) {
      return Promise.reject(e);
    }
    return this.#writes.delete(buffer);
  }

  deleteSync(key) {
    return this.#callSync('delete', [toBase64(key, 'key')]);
  }

  /** True when `key` is present and not expired. */
  async has(key) {
    return this.#call('contains', [toBase64(key, 'key')]);
  }

  hasSync(key) {
    return this.#callSync('contains', [toBase64(key, 'key')]);
  }

  /** The number of live keys. */
  async size() {
    return this.#call('size', []);
  }

  sizeSync() {
    return this.#callSync('size', []);
  }

  /**
   * Scans in unsigned byte order of the keys: `for await (const [key, value] of db.iterate({ prefix, start, end,
   * reverse, limit })) ...`. `start` is inclusive, `end` exclusive; `prefix` is not combined with them. Entries
   * arrive from a Java thread in chunks of up to 1024 (the next chunk is fetched while this one is consumed), so
   * the event loop never waits for a whole scan. Leaving the loop early releases the engine's iterator.
   * Weakly consistent: each key comes at most once; keys written meanwhile may or may not appear.
   */
  iterate(options) {
    // #scan itself, not an async generator delegating to it: every layer of async generator costs each entry a round
    // of promises (a JavaScript-only loop over 100,000 entries: 48.6 ms with two layers and yield*, 22.0 ms with one
    // and a plain yield per entry). The options are still checked when the loop starts, inside #scan.
    return this.#scan(options, true);
  }

  /** The live keys in unsigned byte order, as iterate's options select them (streamed in chunks, as iterate). */
  async keys(options) {
    const keys = [];
    for await (const key of this.#scan(options, false)) {
      keys.push(key);
    }
    return keys;
  }

  async* #scan(options, withValues) {
    const args = scanArgs(options, withValues);
    const ScanCursor = jclass(SCAN_CURSOR);
    const cursor = await call(() => ScanCursor.newInstanceAsync(this.#db, ...args));
    // Chunks cross as base64: java-bridge converts a returned string for about half what a byte[] costs it.
    const fetch = () => call(() => cursor.nextBase64(CHUNK_ENTRIES, CHUNK_BYTES));
    for await (const chunk of cursorChunks(cursor, fetch)) {
      // A plain yield per entry, not yield* over the array, which wraps it in an async iterator of its own.
      for (const entry of unpack(Buffer.from(chunk, 'base64'), withValues)) {
        yield entry;
      }
    }
  }

  /** keys(), run on the calling thread: for scripts. */
  keysSync(options) {
    const ScanCursor = jclass(SCAN_CURSOR);
    const args = scanArgs(options, false);
    const cursor = callSync(() => new ScanCursor(this.#db, ...args));
    const keys = [];
    for (let chunk = callSync(() => cursor.nextBase64Sync(CHUNK_ENTRIES, CHUNK_BYTES)); chunk !== null;
      chunk = callSync(() => cursor.nextBase64Sync(CHUNK_ENTRIES, CHUNK_BYTES))) {
      keys.push(...unpack(Buffer.from(chunk, 'base64'), false));
    }
    return keys;
  }

  /**
   * Applies `ops` all or nothing, also across crashes:
   * `[{ type: 'put', key, value, ttl? }, { type: 'delete', key }]`.
   */
  async writeBatch(ops) {
    await this.#writes.batch(batchOps(ops));
  }

  writeBatchSync(ops) {
    this.#callSync('write', batchArgs(ops));
  }

  /** Forces every write so far (async writes issued before it too) to stable storage, whatever the fsync policy. */
  async sync() {
    await this.#writes.barrier(() => this.#call('sync', []));
  }

  syncSync() {
    this.#callSync('sync', []);
  }

  /**
   * The engine's counters since open: `{ liveKeys, puts, deletes, gets, fsyncs, syncedRecords, totalBytes,
   * liveBytes, compactions, reclaimedBytes, writeCalls }`; `syncedRecords / fsyncs` is the group-commit batch size,
   * and `writeCalls` the Java calls that carried this handle's async writes (puts, deletes, batches, agent memory).
   */
  async stats() {
    return this.#statsOf(await this.#call('stats', []));
  }

  statsSync() {
    return this.#statsOf(this.#callSync('stats', []));
  }

  #statsOf(values) {
    const names = ['liveKeys', 'puts', 'deletes', 'gets', 'fsyncs', 'syncedRecords', 'totalBytes', 'liveBytes',
      'compactions', 'reclaimedBytes'];
    const stats = Object.fromEntries(names.map((name, i) => [name, Number(values[i])]));
    stats.writeCalls = this.#writes.calls;
    return stats;
  }

  /**
   * Flushes, fsyncs and releases the directory lock, after the async writes issued before it. Closing twice is
   * harmless. A database still open when the process exits is closed then (lib/exit.js).
   */
  async close() {
    await this.#writes.barrier(() => this.#call('close', []));
    closed(this);
  }

  closeSync() {
    this.#callSync('close', []);
    closed(this);
  }

  /** `await using db = await FerrumDB.open(...)` closes it at the end of the block. */
  async [Symbol.asyncDispose]() {
    await this.close();
  }
}

module.exports = { FerrumDB, OPENING, checkOpening, flag, openArgs, optionsOf, putTtl, typeError, ttlMillis, unpack };
