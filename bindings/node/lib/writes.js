'use strict';
// The async writes of one database, in the order issued. Puts and deletes are not one Java call each: they are
// packed, in the order issued, into submissions of at most CALL_BYTES (NodeDatabase.submit, which issues the
// engine's appends without waiting), and one long-polling call (NodeDatabase.completions) at a time collects the
// outcomes of whatever became durable. So concurrent writes share group commits (the engine's flusher fsyncs all
// that are pending at once), and every step on the event loop stays small: java-bridge converts a call's string
// argument on the event loop (about 10-40 ns a character), and runs async calls on a thread pool of one thread per
// CPU, so 10,000 separate calls cost 10,000 hand-offs and at most two fsyncs' worth of writes at a time.
//
// Guarantees: each write's promise settles after that write is durable under the fsync policy (or failed, with its
// own typed error); writes of one database (puts, deletes, writeBatch) and its sync and close apply in the order
// issued; at most SETTLE_PER_TURN promises settle per event-loop turn.

const { call, translateNamed, nextTurn } = require('./jvm');

/** Operation codes and header size of GatheredWrites' layout (see GatheredWrites.java). */
const OP_PUT = 0;
const OP_DELETE = 1;
const OP_HEADER = 17;
/**
 * Packed bytes per submission (more when one operation is larger): small enough that packing them, base64 and
 * java-bridge's copy of the string take well under a millisecond of the event loop.
 */
const CALL_BYTES = 12 << 10;
/** How long one completions call waits in Java before returning empty (it is then repeated while writes wait). */
const POLL_MILLIS = 1000;
/** Promises settled per event-loop turn, so that their continuations do not stall the loop. */
const SETTLE_PER_TURN = 512;

class WriteQueue {
  #javaDb;
  /** Writes and barriers not yet submitted, in order. */
  #items = [];
  #draining = false;
  /** Submitted operations by ticket, until their completion is reported. */
  #submitted = new Map();
  /** Completions reported before their submission's ticket was known here, by ticket. */
  #early = new Map();
  #polling = false;
  /** Called when #submitted becomes empty. */
  #idleWaiters = [];
  /** Settlements run one after the other, spread over event-loop turns. */
  #settling = Promise.resolve();
  #calls = 0;

  /** @param javaDb the NodeDatabase the writes go to */
  constructor(javaDb) {
    this.#javaDb = javaDb;
  }

  /** The number of submissions made so far (each carrying one or more puts and deletes). */
  get calls() {
    return this.#calls;
  }

  /** Queues a put of Buffers `key` and `value`; `ttlMillis` is 0 for none. Resolves to undefined. */
  put(key, value, ttlMillis) {
    return this.#enqueue({ code: OP_PUT, key, value, ttlMillis });
  }

  /** Queues a delete of Buffer `key`; resolves to true when a live key was removed. */
  delete(key) {
    return this.#enqueue({ code: OP_DELETE, key, value: null, ttlMillis: 0 });
  }

  /**
   * Runs `run` (an async Java call) once every write queued before it is durable or failed, and before any write
   * queued after it; resolves or rejects as `run` does.
   */
  barrier(run) {
    return this.#enqueue({ run });
  }

  #enqueue(item) {
    return new Promise((resolve, reject) => {
      item.resolve = resolve;
      item.reject = reject;
      this.#items.push(item);
      if (!this.#draining) {
        this.#draining = true;
        // After the code that is running now, so that everything it issues is packed together.
        queueMicrotask(() => this.#drain());
      }
    });
  }

  async #drain() {
    try {
      while (this.#items.length > 0) {
        if (this.#items[0].run !== undefined) {
          const barrier = this.#items.shift();
          await this.#idle();
          let outcome;
          try {
            outcome = { value: await barrier.run() };
          } catch (e) {
            outcome = { error: e };
          }
          this.#settle([barrier], () => outcome);
          continue;
        }
        let count = 0;
        let bytes = 0;
        while (count < this.#items.length && this.#items[count].run === undefined) {
          const op = this.#items[count];
          const size = OP_HEADER + op.key.length + (op.value === null ? 0 : op.value.length);
          if (count > 0 && bytes + size > CALL_BYTES) {
            break;
          }
          bytes += size;
          count += 1;
        }
        await this.#submit(this.#items.splice(0, count), bytes);
      }
    } finally {
      this.#draining = false;
    }
  }

  /** Resolves once every submitted operation has been reported. */
  #idle() {
    return this.#submitted.size === 0 ? Promise.resolve() : new Promise((resolve) => {
      this.#idleWaiters.push(resolve);
    });
  }

  async #submit(ops, bytes) {
    let ticket;
    try {
      const packed = pack(ops, bytes).toString('base64');
      this.#calls += 1;
      ticket = await call(() => this.#javaDb.submit(packed));
    } catch (e) {
      // The submission as a whole was refused (nothing was written): every operation gets its error.
      this.#settle(ops, () => ({ error: e }));
      return;
    }
    this.#submitted.set(Number(ticket), ops);
    this.#settlePack(Number(ticket));
    if (this.#submitted.size > 0 && !this.#polling) {
      this.#polling = true;
      this.#poll();
    }
  }

  /** Collects completions while submitted operations wait for them; never rejects. */
  async #poll() {
    try {
      while (this.#submitted.size > 0) {
        let report;
        try {
          report = await call(() => this.#javaDb.completions(POLL_MILLIS));
        } catch (e) {
          // Not expected (completions only waits); fail what waits rather than leave it pending forever.
          for (const ops of this.#submitted.values()) {
            this.#settle(ops, () => ({ error: e }));
          }
          this.#submitted.clear();
          break;
        }
        this.#settleReport(report);
      }
    } finally {
      this.#polling = false;
      const waiters = this.#idleWaiters.splice(0);
      waiters.forEach((resolve) => resolve());
    }
  }

  /**
   * Settles the operations of each pack in a completions report (format in GatheredWrites.completions). A pack can
   * be reported before its submission's result has reached this thread; it waits in #early until it has.
   */
  #settleReport(report) {
    let at = 0;
    while (at < report.length) {
      const ticketEnd = report.indexOf('\t', at);
      const countEnd = report.indexOf('\t', ticketEnd + 1);
      const ticket = Number(report.slice(at, ticketEnd));
      const count = Number(report.slice(ticketEnd + 1, countEnd));
      const outcome = report.slice(countEnd + 1, countEnd + 1 + count);
      const parsed = parseFailures(report, countEnd + 1 + count);
      at = parsed.at;
      this.#early.set(ticket, { outcome, failures: parsed.failures });
      this.#settlePack(ticket);
    }
  }

  /** Settles the operations of pack `ticket` once both its submission and its completion are known. */
  #settlePack(ticket) {
    const ops = this.#submitted.get(ticket);
    const done = this.#early.get(ticket);
    if (ops === undefined || done === undefined) {
      return;
    }
    this.#submitted.delete(ticket);
    this.#early.delete(ticket);
    const { outcome, failures } = done;
    if (outcome.length !== ops.length) {
      throw new Error(`pack ${ticket} of ${ops.length} operations reported ${outcome.length}`); // a bug
    }
    this.#settle(ops, (i) => {
      switch (outcome[i]) {
        case '0': return { value: ops[i].code === OP_DELETE ? false : undefined };
        case '1': return { value: true };
        case 'E': return { error: failures.get(i) };
        default: return { error: new Error(`completion ${outcome[i]} of operation ${i}`) }; // a bug
      }
    });
  }

  /** Settles `items` in order, outcome(i) giving { value } or { error }, SETTLE_PER_TURN per event-loop turn. */
  #settle(items, outcome) {
    this.#settling = this.#settling.then(async () => {
      for (let i = 0; i < items.length; i += 1) {
        if (i > 0 && i % SETTLE_PER_TURN === 0) {
          await nextTurn();
        }
        const o = outcome(i);
        if ('error' in o) {
          items[i].reject(o.error);
        } else {
          items[i].resolve(o.value);
        }
      }
    });
  }
}

/** The operations in GatheredWrites' layout; `bytes` is their packed size. */
function pack(ops, bytes) {
  const packed = Buffer.allocUnsafe(bytes);
  let at = 0;
  for (const op of ops) {
    const valueLength = op.value === null ? 0 : op.value.length;
    packed.writeUInt8(op.code, at);
    packed.writeInt32LE(op.key.length, at + 1);
    packed.writeInt32LE(valueLength, at + 5);
    packed.writeDoubleLE(op.ttlMillis, at + 9);
    at += OP_HEADER;
    at += op.key.copy(packed, at);
    if (op.value !== null) {
      at += op.value.copy(packed, at);
    }
  }
  if (at !== bytes) {
    throw new Error(`packed ${at} bytes of ${bytes}`); // a bug, not a user error
  }
  return packed;
}

/**
 * The FerrumErrors of the failure lines (`\n<index>\t<classes>\t<length>\t<message>`) that start at `at` in a
 * completions report, by operation index, and where the pack's closing `\n\n` ends.
 */
function parseFailures(report, start) {
  const failures = new Map();
  let at = start;
  const malformed = () => new Error(`completions report is malformed at ${at}`); // a bug, not a user error
  const field = () => {
    const end = report.indexOf('\t', at);
    if (end < 0) {
      throw malformed();
    }
    const text = report.slice(at, end);
    at = end + 1;
    return text;
  };
  for (;;) {
    if (report[at] !== '\n') {
      throw malformed();
    }
    at += 1;
    if (report[at] === '\n') {
      return { failures, at: at + 1 };
    }
    const index = Number(field());
    const classes = field().split(',');
    const length = Number(field());
    failures.set(index, translateNamed(classes, report.slice(at, at + length)));
    at += length;
  }
}

module.exports = { WriteQueue };
