'use strict';
// Databases still open when the process exits are closed then, as Python closes them at exit. Under fsync 'never'
// or 'periodic' a write is acknowledged once it is in the engine's buffer, which hands it to the OS within about a
// millisecond; an exit without close ended the engine with the process (the JVM inside it is not shut down first)
// and could drop those last writes. A normal end and process.exit() run 'exit' listeners; a signal's default
// action and kill -9 do not, in any program.

/** The handles (objects with closeSync() and path) not closed yet, in the order opened. */
const open = new Set();
let listening = false;

/**
 * Closes `handle` at process exit unless closed() is called for it first: after the program's own 'exit' listeners,
 * which may still use it (as Python's atexit functions registered later run before its handles are closed).
 */
function closeAtExit(handle) {
  if (!listening) {
    process.on('exit', closeAll);
    process.on('newListener', keepLast);
    listening = true;
  }
  open.add(handle);
}

/**
 * Before another 'exit' listener is added: moves closeAll after it. Node.js adds the listener once this returns,
 * so closeAll is added again in a microtask; an exit in the same synchronous run skips the close, as without it.
 */
function keepLast(event, listener) {
  if (event === 'exit' && listener !== closeAll) {
    process.removeListener('exit', closeAll);
    queueMicrotask(() => {
      process.removeListener('exit', closeAll); // once, however many listeners were added meanwhile
      process.on('exit', closeAll);
    });
  }
}

/** `handle` was closed: nothing to do for it at exit. */
function closed(handle) {
  open.delete(handle);
}

function closeAll() {
  for (const handle of open) {
    try {
      handle.closeSync();
    } catch (e) {
      // An exit listener cannot reject: say what failed instead of losing it.
      process.stderr.write(`ferrumdb: closing ${handle.path} at exit failed: ${e.message}\n`);
    }
  }
  open.clear();
}

module.exports = { closeAtExit, closed };
