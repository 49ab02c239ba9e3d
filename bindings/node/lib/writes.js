'use strict';
// The async writes of one database, in the order issued. Puts and deletes are not one Java call each: the ones
// waiting are packed, in the order issued, into packs of about PACK_BYTES (NodeDatabase.submit, which issues the
// engine's appends without waiting), and one long-polling call at a time (NodeDatabase.completions) collects the
// outcomes of whatever became durable. So concurrent writes share group commits (the engine's flusher fsyncs all
// that are pending at once), and every step on the event loop stays small: java-bridge converts a call's string
// argument on the event loop (10-40 ns a character on a busy machine), so a larger pack (a large value, a large
// writeBatch) crosses in parts of PACK_BYTES (NodeDatabase.stage); and it runs async calls on a thread pool of one
// thread per CPU, so 10,000 separate calls would cost 10,000 hand-offs and at most two fsyncs' worth of writes at
// a time.
//
// Guarantees: each write's promise settles after that write is durable under the fsync policy (or failed, with its
// own typed error); writes of one database (puts, deletes, writeBatch, agent memory's remember and forget) and its
// sync and close apply in the order issued; at most SETTLE_PER_TURN promises settle per event-loop turn; applied()
// tells a read when every write issued before it is applied in Java (visible to reads, not yet durable), so that
// get() sees the writes issued before it.

const { call, translateNamed, nextTurn } = require('./jvm');

/** Operation codes and header size of GatheredWrites' layout (see GatheredWrites.java). */
const OP_PUT = 0;
const OP_DELETE = 1;
const OP_HEADER = 17;
/**
 * Packed bytes per Java call: small enough that packing them, base64 and java-bridge's copy of the string take
 * well under a millisecond of the event loop. Writes are gathered into packs of up to this size; a single larger
 * write (or writeBatch) makes a pack that crosses in parts of this size.
 */
const PACK_BYTES = 16 << 10;
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
  /**
   * Writes enqueued so far (not barriers), and how many of them (the first ones: #drain goes in order) Java has
   * applied or refused.
   */
  #issued = 0;
  #applied = 0;
  /** Resolvers of applied() calls, with the #issued count each waits for, in that order. */
  #appliedWaiters = [];

  /** @param javaDb the NodeDatabase the writes go to */
  constructor(javaDb) {
    this.#javaDb = javaDb;
  }

  /** The Java calls that carried writes so far (stage, submit and writePacked; a submit carries many writes). */
  get calls() {
    return this.#calls;
  }

  /** Queues a put of Buffers `key` and `value`; `ttlMillis` is 0 for none. Resolves to undefined. */
  put(key, value, ttlMillis) {
    return this.#enqueue({ code: OP_PUT, key, value, ttlMillis, single: true });
  }

  /** Queues a delete of Buffer `key`; resolves to true when a live key was removed. */
  delete(key) {
    return this.#enqueue({ code: OP_DELETE, key, value: null, ttlMillis: 0, single: true });
  }

  /**
   * Queues `ops` ({ code, key, value, ttlMillis } as put and delete take them) as one batch, applied all or nothing
   * after the writes queued before it; resolves once it is durable.
   */
  batch(ops) {
    return this.#enqueue({ batch: ops });
  }

  /**
   * Queues `request`, an ASCII JSON text that `submit(requestsJson)` (an async Java call: MemoryBridge.submit)
   * issues as a write of its own; consecutive requests with the same `submit` go to Java as one JSON array, in
   * about PACK_BYTES per call. They are issued after the writes queued before them are submitted (not durable:
   * they share those writes' group commits) and before the writes queued after them. Resolves to the request's
   * answer (parsed JSON) once its write is durable; a refused request rejects alone.
   */
  request(request, submit) {
    return this.#enqueue({ request, submit });
  }

  /**
   * null when every write issued so far has been applied in Java (a read now sees them all); else a promise that
   * resolves once they have been (submitted: applied to the key directory, perhaps not yet durable) or refused.
   * Never rejects.
   */
  applied() {
    if (this.#applied === this.#issued) {
      return null;
    }
    const mark = this.#issued;
    return new Promise((resolve) => { this.#appliedWaiters.push({ mark, resolve }); });
  }

  /** Counts the next `count` items as applied (or refused) and wakes the applied() calls that waited for them. */
  #passed(count) {
    this.#applied += count;
    while (this.#appliedWaiters.length > 0 && this.#appliedWaiters[0].mark <= this.#applied) {
      this.#appliedWaiters.shift().resolve();
    }
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
      if (item.run === undefined) {
        this.#issued += 1; // a barrier (sync, close) writes nothing for a read to wait for
      }
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
        const head = this.#items[0];
        if (head.run !== undefined) {
          this.#items.shift();
          await this.#idle();
          const outcome = await outcomeOf(head.run);
          this.#settle([head], () => outcome);
          continue;
        }
        if (head.request !== undefined) {
          let count = 0;
          let length = 0;
          while (count < this.#items.length && this.#items[count].submit === head.submit
            && (count === 0 || length + this.#items[count].request.length <= PACK_BYTES)) {
            length += this.#items[count].request.length;
            count += 1;
          }
          await this.#submitRequests(this.#items.splice(0, count));
          this.#passed(count);
          continue;
        }
        if (head.batch !== undefined) {
          this.#items.shift();
          const ops = head.batch;
          const bytes = ops.reduce((sum, op) => sum + packedSize(op), 0);
          const outcome = await outcomeOf(() => this.#cross(ops, bytes,
            (last, partsBefore) => call(() => this.#javaDb.writePacked(last, partsBefore))));
          this.#passed(1);
          this.#settle([head], () => outcome);
          continue;
        }
        let count = 0;
        let bytes = 0;
        while (count < this.#items.length && this.#items[count].single) {
          const size = packedSize(this.#items[count]);
          if (count > 0 && bytes + size > PACK_BYTES) {
            break;
          }
          bytes += size;
          count += 1;
        }
        await this.#submit(this.#items.splice(0, count), bytes);
        this.#passed(count);
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

  /**
   * Sends the pack of `ops` (`bytes` long) to Java, in parts of PACK_BYTES when larger, and resolves to what
   * `last(lastPart, partsBefore)` (the Java call that takes the last part) resolves to.
   */
  async #cross(ops, bytes, last) {
    let partsBefore = 0;
    let previous = null;
    for (const part of packedParts(ops, bytes)) {
      if (previous !== null) {
        const text = previous.toString('base64');
        const first = partsBefore === 0;
        this.#calls += 1;
        await call(() => this.#javaDb.stage(text, first));
        partsBefore += 1;
      }
      previous = part;
    }
    const text = previous === null ? '' : previous.toString('base64');
    this.#calls += 1;
    return last(text, partsBefore);
  }

  async #submit(ops, bytes) {
    let ticket;
    try {
      ticket = Number(await this.#cross(ops, bytes,
        (lastPart, partsBefore) => call(() => this.#javaDb.submit(lastPart, partsBefore))));
    } catch (e) {
      // The pack as a whole was refused (nothing of it was written): every operation gets its error.
      this.#settle(ops, () => ({ error: e }));
      return;
    }
    this.#await(ticket, ops);
  }

  async #submitRequests(requests) {
    let reply;
    try {
      this.#calls += 1;
      reply = await requests[0].submit(`[${requests.map((r) => r.request).join(',')}]`);
    } catch (e) {
      this.#settle(requests, () => ({ error: e })); // refused as a whole: nothing of it was written
      return;
    }
    const tab = reply.indexOf('\t');
    const answers = JSON.parse(reply.slice(tab + 1));
    requests.forEach((r, i) => { r.answer = answers[i]; });
    this.#await(Number(reply.slice(0, tab)), requests);
  }

  /** Settles `ops` when completions reports `ticket`, polling for completions unless that already runs. */
  #await(ticket, ops) {
    this.#submitted.set(ticket, ops);
    this.#settlePack(ticket);
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
        case '0': return { value: ops[i].request !== undefined ? ops[i].answer
          : (ops[i].code === OP_DELETE ? false : undefined) };
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

/** The bytes `op` takes in GatheredWrites' layout. */
function packedSize(op) {
  return OP_HEADER + op.key.length + (op.value === null ? 0 : op.value.length);
}

/** `{ value }` or `{ error }`, as `run()` (async) resolves or rejects. */
async function outcomeOf(run) {
  try {
    return { value: await run() };
  } catch (e) {
    return { error: e };
  }
}

/**
 * The operations in GatheredWrites' layout (`bytes` long in all), as consecutive parts of at most PACK_BYTES, each
 * a Buffer of its own. A large value is copied part by part, never into one large Buffer.
 */
function* packedParts(ops, bytes) {
  const header = Buffer.allocUnsafe(OP_HEADER);
  let remaining = bytes;
  let part = null;
  let used = 0;
  for (const op of ops) {
    header.writeUInt8(op.code, 0);
    header.writeInt32LE(op.key.length, 1);
    header.writeInt32LE(op.value === null ? 0 : op.value.length, 5);
    header.writeDoubleLE(op.ttlMillis, 9);
    for (const piece of [header, op.key, op.value]) {
      for (let from = 0; piece !== null && from < piece.length;) {
        if (part === null) {
          part = Buffer.allocUnsafe(Math.min(PACK_BYTES, remaining));
          used = 0;
        }
        const copied = piece.copy(part, used, from, Math.min(piece.length, from + part.length - used));
        used += copied;
        from += copied;
        remaining -= copied;
        if (used === part.length) {
          yield part;
          part = null;
        }
      }
    }
  }
  if (remaining !== 0 || part !== null) {
    throw new Error(`packed ${bytes - remaining} bytes of ${bytes}`); // a bug, not a user error
  }
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
