'use strict';
// Loading the bundled jar into java-bridge's JVM, calling Java, and turning Java exceptions into FerrumErrors.

const fs = require('node:fs');
const path = require('node:path');
const { isMainThread } = require('node:worker_threads');
const errors = require('./errors');

const BUNDLED_JAR = path.join(__dirname, '..', 'jars', 'ferrumdb-bindings.jar');
/** Environment variable: a FerrumDB bindings jar to use instead of the bundled one (e.g. a fresh engine build). */
const JAR_VARIABLE = 'FERRUMDB_JAR';
/** Environment variable: JVM options separated by spaces (e.g. "-Xmx2g"), read when the JVM starts. */
const JVM_OPTIONS_VARIABLE = 'FERRUMDB_JVM_OPTIONS';

let java = null;
const classes = new Map();

/** The jar the JVM loads: $FERRUMDB_JAR when set, else the one bundled in this package. */
function jarPath() {
  return process.env[JAR_VARIABLE] || BUNDLED_JAR;
}

function bridge() {
  if (java === null) {
    const jar = jarPath();
    if (!fs.existsSync(jar)) {
      const source = process.env[JAR_VARIABLE] ? `$${JAR_VARIABLE}` : 'this package';
      throw new errors.FerrumError(`the FerrumDB jar is missing at ${jar} (from ${source}); reinstall the package `
        + `built by bindings/package.sh, or point $${JAR_VARIABLE} at a ferrumdb-bindings.jar`);
    }
    let loaded;
    const opts = (process.env[JVM_OPTIONS_VARIABLE] || '').split(/\s+/).filter((o) => o !== '');
    try {
      loaded = require('java-bridge');
      loaded.ensureJvm({ opts, classpath: [jar] });
    } catch (e) {
      if (!isMainThread || /already (loaded|created)/i.test(String(e && e.message))) {
        throw new errors.FerrumError('FerrumDB can run in only one JavaScript thread of a process: java-bridge '
          + 'loads the Java engine once, and it is already loaded in another thread (the main thread or '
          + 'another worker). Use FerrumDB from that one thread and send it the other threads\' requests with '
          + `postMessage, or share the database through \`ferrumdb serve\`. (java-bridge said: ${e.message})`);
      }
      // Else java-bridge's own Error (code 'GenericFailure', "Failed to create JavaVM: Invalid arguments") reached
      // the caller: say what to check, as a FerrumError like every other failure of the binding.
      throw new errors.FerrumError(`could not start the Java VM (java-bridge said: ${e && e.message}); check `
        + `$${JVM_OPTIONS_VARIABLE} (${opts.length === 0 ? 'not set' : JSON.stringify(opts.join(' '))}) and that `
        + 'a Java 17+ runtime is installed');
    }
    java = loaded;
  }
  return java;
}

/**
 * The Java class `name` (cached); every Java class the package uses is looked up here. Async calls through it, and through instances made with its constructor,
 * report the Java exception object; instances returned from Java calls do not, so the binding only makes its
 * own objects.
 */
function jclass(name) {
  let cls = classes.get(name);
  if (cls === undefined) {
    cls = bridge().importClass(name, { asyncJavaExceptionObjects: true });
    classes.set(name, cls);
  }
  return cls;
}

const PROBLEM_WORDING = 'io.ferrumdb.ProblemWording';

const BY_JAVA_CLASS = new Map([
  ['io.ferrumdb.DatabaseLockedException', errors.DatabaseLockedError],
  ['io.ferrumdb.DatabaseClosedException', errors.DatabaseClosedError],
  ['io.ferrumdb.DatabaseNotFoundException', errors.DatabaseNotFoundError],
  ['io.ferrumdb.NotADatabaseException', errors.NotADatabaseError],
  ['io.ferrumdb.CorruptionException', errors.CorruptionError],
  ['io.ferrumdb.EncryptionKeyException', errors.EncryptionKeyError],
  ['io.ferrumdb.ReadOnlyDatabaseException', errors.ReadOnlyDatabaseError],
  ['io.ferrumdb.FormatVersionException', errors.FormatVersionError],
  ['io.ferrumdb.doc.UniqueIndexViolationException', errors.UniqueIndexViolationError],
  ['io.ferrumdb.FerrumException', errors.FerrumError],
  ['java.lang.IllegalArgumentException', errors.InvalidArgumentError],
]);

/**
 * The FerrumError for an error from java-bridge: the nearest mapped class up the Java exception's class
 * hierarchy, matched by name so that exception classes this jar does not have yet need no import. Errors that
 * did not come from Java (e.g. a TypeError from argument checks) are returned as they are.
 */
function translate(e) {
  const throwable = e && e.cause;
  if (!throwable || typeof throwable.getClassSync !== 'function') {
    return e;
  }
  const javaClass = throwable.getClassSync().getNameSync();
  // Worded as every FerrumDB front end words it: the file and what happened to it, no Java class names (javaClass
  // keeps the class for bug reports).
  const text = jclass(PROBLEM_WORDING).describeSync(throwable);
  let Type = errors.FerrumError;
  for (let c = throwable.getClassSync(); c !== null; c = c.getSuperclassSync()) {
    const mapped = BY_JAVA_CLASS.get(c.getNameSync());
    if (mapped !== undefined) {
      Type = mapped;
      break;
    }
  }
  if (Type === errors.CorruptionError) {
    const file = throwable.fileSync();
    return new errors.CorruptionError(text, javaClass, file === null ? null : file.toStringSync(),
      Number(throwable.offsetSync()));
  }
  return new Type(text, javaClass);
}

/**
 * The FerrumError for a Java exception reported by name rather than as an object (NodeDatabase.writeEach's
 * per-operation failures): `classes` is its class and superclasses, nearest first.
 */
function translateNamed(classes, message) {
  const Type = classes.map((c) => BY_JAVA_CLASS.get(c)).find((t) => t !== undefined) ?? errors.FerrumError;
  if (Type === errors.CorruptionError) {
    return new errors.CorruptionError(message, classes[0], null, null);
  }
  return new Type(message, classes[0]);
}

/** Runs a synchronous Java call, translating its exception. */
function callSync(fn) {
  try {
    return fn();
  } catch (e) {
    throw translate(e);
  }
}

/** Awaits an asynchronous Java call (run on a java-bridge thread), translating its exception. */
async function call(fn) {
  try {
    return await fn();
  } catch (e) {
    throw translate(e);
  }
}

/**
 * Resolves in a later event-loop turn (after pending I/O and timers). Steps that follow already-resolved Java
 * results would otherwise run as one unbroken chain of microtasks.
 */
function nextTurn() {
  return new Promise((resolve) => { setImmediate(resolve); });
}

/**
 * The chunks a Java cursor hands over, one per event-loop turn (even when the next is already here): the next
 * chunk is fetched on a Java thread while the caller consumes this one. `fetch()` promises the next chunk, or null
 * at the end, where the cursor has released itself. A consumer that leaves early (or a failed fetch) closes the
 * cursor, after waiting for a fetch in flight so that close() does not race it; nobody asked for its result.
 */
async function* cursorChunks(cursor, fetch) {
  let finished = false;
  let pending = null;
  // A chunk fetched ahead may fail (the database closed meanwhile) long before the consumer asks for it: its error
  // is thrown by that next step, and must not count as an unhandled rejection until then (Node.js ends the process
  // on one).
  const fetchAhead = () => {
    const next = fetch();
    next.catch(() => null);
    return next;
  };
  try {
    pending = fetchAhead();
    for (;;) {
      const chunk = await pending;
      pending = null;
      if (chunk === null) {
        finished = true;
        return;
      }
      pending = fetchAhead();
      yield chunk;
      await nextTurn();
    }
  } finally {
    if (!finished) {
      if (pending !== null) {
        await pending.catch(() => null);
      }
      await call(() => cursor.close());
    }
  }
}

/** `value` as a Buffer: a string is encoded as UTF-8; Buffers and Uint8Arrays are taken as they are. */
function toBuffer(value, what) {
  if (Buffer.isBuffer(value)) {
    return value;
  }
  if (typeof value === 'string') {
    return Buffer.from(wellFormed(value, what), 'utf8');
  }
  if (value instanceof Uint8Array) {
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  }
  const got = value === null ? 'null' : typeof value;
  const err = new TypeError(`${what} must be a string or a Buffer, got ${got}`);
  err.code = 'ERR_INVALID_ARG_TYPE';
  throw err;
}

/**
 * `text` after checking that it has no lone surrogate: UTF-8 cannot encode one, and Buffer.from would store U+FFFD
 * in its place, so that two different keys would become the same stored key.
 */
function wellFormed(text, what) {
  if (text.isWellFormed()) {
    return text;
  }
  for (let i = 0; i < text.length; i += 1) {
    const point = text.codePointAt(i); // a lone surrogate's own code unit; a pair's code point
    if (point > 0xffff) {
      i += 1;
    } else if (point >= 0xd800 && point <= 0xdfff) {
      throw new errors.InvalidArgumentError(`${what} is not well-formed text: the lone surrogate `
        + `\\u${point.toString(16)} at index ${i} has no UTF-8 encoding`);
    }
  }
  return text;
}

/**
 * `value` (see toBuffer) in a Buffer of its own: a Buffer or Uint8Array is copied, so that a write queued with it
 * stores the bytes it had when the write was issued, whatever the caller does with it afterwards.
 */
function ownBuffer(value, what) {
  return typeof value === 'string' ? Buffer.from(wellFormed(value, what), 'utf8') : Buffer.from(toBuffer(value, what));
}

/** `value` (see toBuffer) as base64, the form in which bytes go into Java (see NodeDatabase.java for why). */
function toBase64(value, what) {
  return toBuffer(value, what).toString('base64');
}

module.exports = {
  jarPath, jclass, callSync, call, translate, translateNamed, toBuffer, ownBuffer, toBase64, wellFormed, nextTurn,
  cursorChunks,
};
