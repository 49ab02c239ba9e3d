'use strict';
// The key-value database: a thin JavaScript layer over the Java engine, called in-process through java-bridge.
// Async methods run their Java call on a java-bridge thread, so an fsync never blocks the event loop; the
// `...Sync` twins run on the calling thread, for scripts.

const nodePath = require('node:path');
const { jclass, call, callSync, toBase64 } = require('./jvm');
const { InvalidArgumentError } = require('./errors');

const NODE_DATABASE = 'io.ferrumdb.bindings.NodeDatabase';

function typeError(message) {
  const err = new TypeError(message);
  err.code = 'ERR_INVALID_ARG_TYPE';
  return err;
}

/** The BindingSupport.open/options arguments for `path` and the open options shared with DocumentStore. */
function openArgs(path, options) {
  if (typeof path !== 'string' || path === '') {
    throw typeError(`path must be a non-empty string, got ${path === '' ? 'an empty string' : typeof path}`);
  }
  const opts = options ?? {};
  if (typeof opts !== 'object') {
    throw typeError(`options must be an object, got ${typeof opts}`);
  }
  const { passphrase = null, fsync = 'always', fsyncIntervalMs = 1000, readOnly = false } = opts;
  if (passphrase !== null && typeof passphrase !== 'string') {
    throw typeError(`passphrase must be a string, got ${typeof passphrase}`);
  }
  if (typeof fsync !== 'string') {
    throw typeError(`fsync must be "always", "never" or "periodic", got ${typeof fsync}`);
  }
  if (!Number.isInteger(fsyncIntervalMs)) {
    throw typeError(`fsyncIntervalMs must be an integer number of milliseconds, got ${fsyncIntervalMs}`);
  }
  return [nodePath.resolve(path), fsync, fsyncIntervalMs, passphrase, Boolean(readOnly)];
}

/** A TTL in milliseconds for the Java side, where 0 means none. */
function ttlMillis(ttl, what = 'ttl') {
  if (ttl === undefined || ttl === null) {
    return 0;
  }
  if (typeof ttl !== 'number') {
    throw typeError(`${what} must be a number of milliseconds, got ${typeof ttl}`);
  }
  if (!(ttl > 0) || !Number.isFinite(ttl)) {
    throw new InvalidArgumentError(`${what} must be a positive number of milliseconds, got ${ttl}`);
  }
  return Math.ceil(ttl);
}

function putArgs(key, value, options) {
  return [toBase64(key, 'key'), toBase64(value, 'value'), ttlMillis((options ?? {}).ttl)];
}

function prefixArg(options) {
  const prefix = (options ?? {}).prefix;
  return prefix === undefined || prefix === null ? null : toBase64(prefix, 'prefix');
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
  #path;

  /** Use FerrumDB.open or FerrumDB.openSync. */
  constructor(nodeDatabase, path) {
    this.#db = nodeDatabase;
    this.#path = path;
  }

  /**
   * Opens the database in directory `path`, creating it when missing (unless readOnly).
   * @param {string} path
   * @param {{passphrase?: string, fsync?: 'always'|'never'|'periodic', fsyncIntervalMs?: number,
   *          readOnly?: boolean}} [options]
   */
  static async open(path, options) {
    const args = openArgs(path, options);
    return new FerrumDB(await call(() => jclass(NODE_DATABASE).newInstanceAsync(...args)), args[0]);
  }

  static openSync(path, options) {
    const args = openArgs(path, options);
    const NodeDatabase = jclass(NODE_DATABASE);
    return new FerrumDB(callSync(() => new NodeDatabase(...args)), args[0]);
  }

  /** The Java NodeDatabase behind `db`, for the other parts of this binding (lib/memory.js). */
  static javaDatabase(db) {
    return db.#db;
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

  /** Stores `value` under `key`; `options.ttl` is a time to live in milliseconds. */
  async put(key, value, options) {
    await this.#call('put', putArgs(key, value, options));
  }

  putSync(key, value, options) {
    this.#callSync('put', putArgs(key, value, options));
  }

  /** The value of `key` as a Buffer, or null when absent or expired. */
  async get(key) {
    return this.#call('get', [toBase64(key, 'key')]);
  }

  getSync(key) {
    return this.#callSync('get', [toBase64(key, 'key')]);
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

  /** Deletes `key`; true when a live key was removed. */
  async delete(key) {
    return this.#call('delete', [toBase64(key, 'key')]);
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

  /** The live keys in unsigned byte order, optionally only those starting with `options.prefix`. */
  async keys(options) {
    return this.#call('keys', [prefixArg(options)]);
  }

  keysSync(options) {
    return this.#callSync('keys', [prefixArg(options)]);
  }

  /**
   * Applies `ops` all or nothing, also across crashes:
   * `[{ type: 'put', key, value, ttl? }, { type: 'delete', key }]`.
   */
  async writeBatch(ops) {
    await this.#call('write', batchArgs(ops));
  }

  writeBatchSync(ops) {
    this.#callSync('write', batchArgs(ops));
  }

  /** Forces every write so far to stable storage, whatever the fsync policy. */
  async sync() {
    await this.#call('sync', []);
  }

  syncSync() {
    this.#callSync('sync', []);
  }

  /** Flushes, fsyncs and releases the directory lock. Closing twice is harmless. */
  async close() {
    await this.#call('close', []);
  }

  closeSync() {
    this.#callSync('close', []);
  }
}

module.exports = { FerrumDB, openArgs, typeError, ttlMillis };
