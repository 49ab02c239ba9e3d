'use strict';
// Agent memory: remember, recall and forget over io.ferrumdb.memory.AgentMemory, the implementation the MCP
// server (`ferrumdb mcp`) uses, so that in-process agents get the same ranking, limits and errors. Requests and
// results cross to Java as one ASCII JSON object each, shaped like the MCP tools' arguments and results.

const { jclass, call, callSync } = require('./jvm');
const { FerrumDB, optionsOf, typeError } = require('./db');
const { jsonOf } = require('./documents');
const { InvalidArgumentError } = require('./errors');

const BRIDGE = 'io.ferrumdb.bindings.MemoryBridge';

/**
 * The tool-shaped request: options renamed to the tools' fields, absent ones left out. A field JSON cannot hold is
 * refused by name (and path, inside metadata): JSON.stringify would write NaN and Infinity as null (a ttl of NaN
 * became no ttl at all) and throws a TypeError naming no field for a BigInt or a cycle.
 */
function request(fields) {
  const members = [];
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined || value === null) {
      continue;
    }
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new InvalidArgumentError(`${name}: must be a finite number, got ${value}`);
    }
    members.push(`${JSON.stringify(name)}:${jsonOf(value, `${name}:`)}`);
  }
  return `{${members.join(',')}}`;
}

function rememberRequest(text, opts) {
  const { namespace, tags, ttl, metadata, vector } =
    optionsOf(opts, ['namespace', 'tags', 'ttl', 'metadata', 'vector'], 'remember()');
  // Seconds, as every TTL of the binding (and of Python, Redis and the MCP tools).
  return request({ text, namespace, tags, ttl_seconds: ttl, metadata, vector });
}

function recallRequest(query, opts) {
  const { namespace, tags, limit, since, vector } =
    optionsOf(opts, ['namespace', 'tags', 'limit', 'since', 'vector'], 'recall()');
  return request({ query, namespace, tags, limit, since: since instanceof Date ? since.toISOString() : since,
    vector });
}

function forgetRequest(id, opts) {
  const { namespace, tags } = optionsOf(opts, ['namespace', 'tags'], 'forget()');
  return request({ id, namespace, tags });
}

/**
 * Durable agent memory in an open FerrumDB. Invalid arguments (blank text, a namespace with other characters
 * than A-Z a-z 0-9 . _ -, a limit above 100, ...) throw InvalidArgumentError naming the argument.
 */
class AgentMemory {
  #bridge;
  #writes;
  /** Issues the queued remember and forget requests, as one JSON array (one function, so they are gathered). */
  #submit;

  /** Use AgentMemory.of(db). */
  constructor(bridge, writes) {
    this.#bridge = bridge;
    this.#writes = writes;
    this.#submit = (requestsJson) => call(() => bridge.submit(requestsJson));
  }

  /** Agent memory kept in `db`, next to its other keys. */
  static of(db) {
    if (!(db instanceof FerrumDB)) {
      throw typeError('AgentMemory.of needs an open FerrumDB');
    }
    const MemoryBridge = jclass(BRIDGE);
    return new AgentMemory(callSync(() => new MemoryBridge(FerrumDB.javaDatabase(db))), FerrumDB.writeQueue(db));
  }

  /**
   * Stores a memory durably: {id, namespace, created_at, expires_at?}. options: namespace, tags, ttl (seconds),
   * metadata, vector. Queued with the database's async puts and deletes (in the order issued; remembers and
   * forgets issued together cross to Java in one call), so concurrent remembers and writes share group commits;
   * resolves once the memory is durable under the fsync policy.
   */
  async remember(text, opts) {
    return this.#writes.request(`{"remember":${rememberRequest(text, opts)}}`, this.#submit);
  }

  rememberSync(text, opts) {
    return JSON.parse(callSync(() => this.#bridge.rememberSync(rememberRequest(text, opts))));
  }

  /** The best matches for `query` (or the newest without one). options: namespace, tags, limit, since, vector. */
  async recall(query, opts) {
    return JSON.parse(await call(() => this.#bridge.recall(recallRequest(query, opts)))).memories;
  }

  recallSync(query, opts) {
    return JSON.parse(callSync(() => this.#bridge.recallSync(recallRequest(query, opts)))).memories;
  }

  /**
   * Forgets the memory `id`, or all carrying every one of options.tags; resolves to how many were forgotten, once
   * that is durable. Queued with the database's async writes, as remember is.
   */
  async forget(id, opts) {
    return (await this.#writes.request(`{"forget":${forgetRequest(id, opts)}}`, this.#submit)).forgotten;
  }

  forgetSync(id, opts) {
    return JSON.parse(callSync(() => this.#bridge.forgetSync(forgetRequest(id, opts)))).forgotten;
  }
}

module.exports = { AgentMemory };
