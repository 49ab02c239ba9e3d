package io.ferrumdb.cli;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Ctrl-C while a REPL command runs, as psql and sqlite3 treat it: the command's output stops at once and the REPL
 * returns to its prompt, instead of the signal ending the whole session (the JVM's default for SIGINT). Between
 * {@link #request()} (from the terminal's signal handler) and the next {@link #clear()}, the output is dropped, and
 * a long listing stops at its next {@link #check()}. Commands that write complete: the engine's calls are not
 * interruptible, and a write cut in the middle would leave the user unsure of what was applied.
 */
final class ReplInterrupt {
    /** Thrown by {@link #check()}: the command stopped early, at the user's request. */
    static final class Interrupted extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Interrupted() {
            super("interrupted (Ctrl-C)", null, false, false);
        }
    }

    private volatile boolean requested;

    /** Ctrl-C was pressed. Called on the signal's thread. */
    void request() {
        requested = true;
    }

    boolean requested() {
        return requested;
    }

    /** Before a command runs, and before the REPL says what became of an interrupted one. */
    void clear() {
        requested = false;
    }

    /** @throws Interrupted when Ctrl-C was pressed since the command began */
    void check() {
        if (requested) {
            throw new Interrupted();
        }
    }

    /**
     * {@code out}, dropping every write while an interrupt is pending. It never throws for that: a PrintStream above
     * it that met an exception half way through a line would keep that line's bytes and print them later.
     */
    OutputStream dropWhileRequested(OutputStream out) {
        return new FilterOutputStream(out) {
            @Override
            public void write(int b) throws IOException {
                if (!requested) {
                    out.write(b);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (!requested) {
                    out.write(b, off, len);
                }
            }
        };
    }
}
