'use strict';
// Document collections: JSON documents as plain objects, with persistent indexes and queries, over ferrumdb-doc.
// Everything crosses to Java as ASCII JSON (see DocumentBridge.java for why).

const { jclass, call, callSync, cursorChunks } = require('./jvm');
const { OPENING, checkOpening, flag, openArgs, optionsOf, putTtl, typeError } = require('./db');
const { InvalidArgumentError } = require('./errors');
const { closeAtExit, closed } = require('./exit');

const BRIDGE = 'io.ferrumdb.bindings.DocumentBridge';
const FIND_CURSOR = 'io.ferrumdb.bindings.FindCursor';
/**
 * JSON characters per chunk of a find result: JSON.parse of one chunk, and java-bridge's copy of it, take well
 * under a millisecond of the event loop.
 */
const FIND_CHUNK_CHARS = 32 << 10;

/** `value` as JSON with every character outside ASCII escaped, so that java-bridge passes it intact. */
function asciiJson(value) {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function text(value, what) {
  if (typeof value !== 'string') {
    throw typeError(`${what} must be a string, got ${value === null ? 'null' : typeof value}`);
  }
  return asciiJson(value);
}

function plainObject(value, what) {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || Buffer.isBuffer(value)) {
    const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
    throw typeError(`${what} must be a plain object, got ${got}`);
  }
  return value;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `path` extended by an object's `key`: `.key`, or `["key"]` for a key that is not an identifier. */
function fieldPath(path, key) {
  if (!IDENTIFIER.test(key)) {
    return `${path}[${JSON.stringify(key)}]`;
  }
  return path === '' ? key : `${path}.${key}`;
}

/**
 * Where in `value` JSON.stringify met a NaN or an infinite number (and wrote null): `{ number, path }` with a path
 * like `a.b[2]` ('' for `value` itself), or null. Walks as JSON.stringify does: toJSON first, boxed numbers
 * unboxed, arrays by index, other objects by their own enumerable keys. Only called on values JSON.stringify
 * accepted, so there is no cycle.
 */
function nonFiniteAt(value, path, key = '') {
  let v = value;
  if (v !== null && typeof v === 'object' && typeof v.toJSON === 'function') {
    v = v.toJSON(key);
  }
  if (v instanceof Number) {
    v = v.valueOf();
  }
  if (typeof v === 'number') {
    return Number.isFinite(v) ? null : { number: String(v), path };
  }
  if (v === null || typeof v !== 'object') {
    return null;
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const found = nonFiniteAt(v[i], `${path}[${i}]`, String(i));
      if (found) {
        return found;
      }
    }
    return null;
  }
  for (const k of Object.keys(v)) {
    const found = nonFiniteAt(v[k], fieldPath(path, k), k);
    if (found) {
      return found;
    }
  }
  return null;
}

/**
 * `value` as ASCII JSON, or an error starting with `subject` that says why JSON cannot hold it: InvalidArgumentError
 * naming the path of a NaN or an infinite number (JSON has none, and JSON.stringify would silently write null),
 * TypeError for what JSON.stringify refuses (a BigInt, a cycle), whose own message names no argument.
 */
function jsonOf(value, subject) {
  let json;
  try {
    json = asciiJson(value);
  } catch (e) {
    throw typeError(`${subject} cannot be written as JSON: ${e.message.split('\n')[0]}`);
  }
  // NaN and the infinities come out as null, so text without one holds none (and costs no walk).
  const found = json.includes('null') ? nonFiniteAt(value, '') : null;
  if (found) {
    const where = found.path === '' ? '' : ` at ${found.path}`;
    throw new InvalidArgumentError(`${subject} cannot be written as JSON: ${found.number}${where}; JSON has no `
      + 'NaN or Infinity');
  }
  return json;
}

/** `value` (a document or a query) as ASCII JSON, or an error naming `what` when JSON cannot hold it. */
function objectJson(value, what) {
  plainObject(value, what);
  return jsonOf(value, what);
}

function queryJson(query) {
  return query === undefined || query === null ? 'null' : objectJson(query, 'a query');
}

/** The largest offset and limit: DocumentBridge takes them as Java ints. */
const MAX_PAGE = 2 ** 31 - 1;

function pageBound(value, what) {
  if (!Number.isInteger(value)) {
    throw typeError(`${what} must be an integer, got ${value}`);
  }
  if (value < 0 || value > MAX_PAGE) {
    throw new InvalidArgumentError(`${what} must be 0 to ${MAX_PAGE}, got ${value}`);
  }
  return value;
}

function findArgs(name, query, options) {
  const { sortBy = null, descending = false, offset = 0, limit = null } =
    optionsOf(options, ['sortBy', 'descending', 'offset', 'limit'], 'find()');
  if (sortBy !== null && typeof sortBy !== 'string') {
    throw typeError(`sortBy must be a string, got ${typeof sortBy}`);
  }
  return [name, queryJson(query), asciiJson(sortBy), flag(descending ?? false, 'descending'), pageBound(offset, 'offset'),
    limit === null ? -1 : pageBound(limit, 'limit')];
}

function parse(json) {
  return json === null ? null : JSON.parse(json);
}

/**
 * A named collection of JSON documents. Documents read back carry their id in `_id`. Async methods run on a
 * java-bridge thread; each has a `...Sync` twin.
 */
class Collection {
  #bridge;
  #name;
  #jname;

  /** Use DocumentStore#collection. The collection is created by its first call, off the event loop. */
  constructor(bridge, name) {
    this.#jname = text(name, 'collection name');
    this.#bridge = bridge;
    this.#name = name;
  }

  get name() {
    return this.#name;
  }

  #call(method, args) {
    return call(() => this.#bridge[method](this.#jname, ...args));
  }

  #callSync(method, args) {
    return callSync(() => this.#bridge[`${method}Sync`](this.#jname, ...args));
  }

  /** Inserts or replaces document `id`; an `_id` field is allowed only when it equals `id`. */
  async put(id, document, options) {
    await this.#call('put', [text(id, 'id'), objectJson(document, 'a document'), putTtl(options, 'put()')]);
  }

  putSync(id, document, options) {
    this.#callSync('put', [text(id, 'id'), objectJson(document, 'a document'), putTtl(options, 'putSync()')]);
  }

  /** Document `id` with its `_id`, or null when absent or expired. */
  async get(id) {
    return parse(await this.#call('get', [text(id, 'id')]));
  }

  getSync(id) {
    return parse(this.#callSync('get', [text(id, 'id')]));
  }

  /** Deletes document `id` and its index entries; true when it existed. */
  async delete(id) {
    return this.#call('delete', [text(id, 'id')]);
  }

  deleteSync(id) {
    return this.#callSync('delete', [text(id, 'id')]);
  }

  /** Creates a persistent index on dot path `path`, filled from the existing documents. Idempotent. */
  async createIndex(path) {
    await this.#call('createIndex', [text(path, 'index path')]);
  }

  createIndexSync(path) {
    this.#callSync('createIndex', [text(path, 'index path')]);
  }

  /** Like createIndex; a put giving two documents the same value at `path` fails with UniqueIndexViolationError. */
  async createUniqueIndex(path) {
    await this.#call('createUniqueIndex', [text(path, 'index path')]);
  }

  createUniqueIndexSync(path) {
    this.#callSync('createUniqueIndex', [text(path, 'index path')]);
  }

  /** Removes the index on `path`; true when there was one. */
  async dropIndex(path) {
    return this.#call('dropIndex', [text(path, 'index path')]);
  }

  dropIndexSync(path) {
    return this.#callSync('dropIndex', [text(path, 'index path')]);
  }

  /**
   * The documents matching `query` (MongoDB style: `{ path: value }`, `{ path: { $gt: v } }` with $eq $ne $gt
   * $gte $lt $lte $in $between ([fromInclusive, toExclusive]) $exists $startsWith, `{ $or: [...] }`,
   * `{ $and: [...] }`, `{ $not: {...} }`: Filter.parse's syntax), in id order
   * or sorted by `options.sortBy`, then paged by `options.offset` and `options.limit`.
   */
  async find(query, options) {
    const found = [];
    for await (const document of this.iterateFind(query, options)) {
      found.push(document);
    }
    return found;
  }

  /**
   * find's documents one by one: `for await (const doc of collection.iterateFind(query, options))`. The query
   * runs on a Java thread; its result arrives in chunks of about 32 KB of JSON, each parsed in its own event-loop
   * turn (the next is fetched meanwhile), so a large result never blocks the event loop. Leaving the loop early
   * releases the rest.
   */
  async* iterateFind(query, options) {
    const args = findArgs(this.#jname, query, options);
    const FindCursor = jclass(FIND_CURSOR);
    const cursor = await call(() => FindCursor.newInstanceAsync(this.#bridge, ...args));
    for await (const chunk of cursorChunks(cursor, () => call(() => cursor.next(FIND_CHUNK_CHARS)))) {
      yield* JSON.parse(chunk);
    }
  }

  findSync(query, options) {
    return JSON.parse(callSync(() => this.#bridge.findSync(...findArgs(this.#jname, query, options))));
  }

  /** The number of documents matching `query` (see find). */
  async count(query) {
    return this.#call('count', [queryJson(query)]);
  }

  countSync(query) {
    return this.#callSync('count', [queryJson(query)]);
  }
}

/** An open document store: named collections of JSON documents in one FerrumDB directory. */
class DocumentStore {
  #bridge;
  #path;

  /** Use DocumentStore.open or DocumentStore.openSync. */
  constructor(bridge, path, token) {
    checkOpening(token, 'DocumentStore');
    this.#bridge = bridge;
    this.#path = path;
    closeAtExit(this);
  }

  /** Opens the store in directory `path` (created when missing); the options are FerrumDB.open's. */
  static async open(path, options) {
    const args = openArgs(path, options);
    return new DocumentStore(await call(() => jclass(BRIDGE).newInstanceAsync(...args)), args[0], OPENING);
  }

  static openSync(path, options) {
    const args = openArgs(path, options);
    const Bridge = jclass(BRIDGE);
    return new DocumentStore(callSync(() => new Bridge(...args)), args[0], OPENING);
  }

  get path() {
    return this.#path;
  }

  /** The collection `name`, created (empty, without indexes) on first use. */
  collection(name) {
    return new Collection(this.#bridge, name);
  }

  /** The collection names, sorted. */
  async collections() {
    return JSON.parse(await call(() => this.#bridge.collections()));
  }

  collectionsSync() {
    return JSON.parse(callSync(() => this.#bridge.collectionsSync()));
  }

  /** Deletes collection `name` with its documents and indexes; true when it existed. */
  async dropCollection(name) {
    const jname = text(name, 'collection name');
    return call(() => this.#bridge.dropCollection(jname));
  }

  dropCollectionSync(name) {
    const jname = text(name, 'collection name');
    return callSync(() => this.#bridge.dropCollectionSync(jname));
  }

  async sync() {
    await call(() => this.#bridge.sync());
  }

  syncSync() {
    callSync(() => this.#bridge.syncSync());
  }

  /** Flushes, fsyncs and releases the directory lock. Closing twice is harmless. */
  async close() {
    await call(() => this.#bridge.close());
    closed(this);
  }

  closeSync() {
    callSync(() => this.#bridge.closeSync());
    closed(this);
  }

  /** `await using store = await DocumentStore.open(...)` closes it at the end of the block. */
  async [Symbol.asyncDispose]() {
    await this.close();
  }
}

module.exports = { DocumentStore, Collection, asciiJson, jsonOf };
