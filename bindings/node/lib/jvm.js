'use strict';
// Loading the bundled jar into java-bridge's JVM, calling Java, and turning Java exceptions into FerrumErrors.

const fs = require('node:fs');
const path = require('node:path');
const errors = require('./errors');

const JAR = path.join(__dirname, '..', 'jars', 'ferrumdb-bindings.jar');

let java = null;
const classes = new Map();

function bridge() {
  if (java === null) {
    if (!fs.existsSync(JAR)) {
      throw new errors.FerrumError(`the FerrumDB jar is missing at ${JAR}; build it with bindings/node/run-tests.sh `
        + '(or mvn -pl ferrumdb-bindings-jar -am package) and copy it there');
    }
    java = require('java-bridge');
    java.appendClasspath(JAR);
  }
  return java;
}

/**
 * The Java class `name` (cached). Async calls through it, and through instances made with its constructor,
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

const BY_JAVA_CLASS = new Map([
  ['io.ferrumdb.DatabaseLockedException', errors.DatabaseLockedError],
  ['io.ferrumdb.DatabaseClosedException', errors.DatabaseClosedError],
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
  const message = throwable.getMessageSync();
  let text = message === null ? javaClass : message;
  let Type = errors.FerrumError;
  let found = false;
  for (let c = throwable.getClassSync(); c !== null; c = c.getSuperclassSync()) {
    const mapped = BY_JAVA_CLASS.get(c.getNameSync());
    if (mapped !== undefined) {
      Type = mapped;
      found = true;
      break;
    }
  }
  if (!found) {
    // Not an engine exception (e.g. an I/O failure the engine let through): keep the Java name visible.
    text = `${javaClass}: ${text}`;
  }
  if (Type === errors.CorruptionError) {
    const file = throwable.fileSync();
    return new errors.CorruptionError(text, javaClass, file === null ? null : file.toStringSync(),
      Number(throwable.offsetSync()));
  }
  return new Type(text, javaClass);
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

/** `value` as a Buffer: a string is encoded as UTF-8; Buffers and Uint8Arrays are taken as they are. */
function toBuffer(value, what) {
  if (Buffer.isBuffer(value)) {
    return value;
  }
  if (typeof value === 'string') {
    return Buffer.from(value, 'utf8');
  }
  if (value instanceof Uint8Array) {
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  }
  const got = value === null ? 'null' : typeof value;
  const err = new TypeError(`${what} must be a string or a Buffer, got ${got}`);
  err.code = 'ERR_INVALID_ARG_TYPE';
  throw err;
}

/** `value` (see toBuffer) as base64, the form in which bytes go into Java (see NodeDatabase.java for why). */
function toBase64(value, what) {
  return toBuffer(value, what).toString('base64');
}

module.exports = { JAR, jclass, callSync, call, translate, toBuffer, toBase64 };
