package io.ferrumdb.cli;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The process's standard output: a PrintStream, which swallows write errors, that remembers the first one, so that a
 * command can tell a full disk under {@code ferrumdb export > dump.jsonl} (exit code 3, naming the error) from a
 * reader that stopped reading, as {@code ferrumdb keys | head} does: that ends the command quietly with 0, since the
 * reader has everything it asked for.
 *
 * <p>A reader that went away also ends the command at once, as SIGPIPE ends {@code cat} (the JVM ignores SIGPIPE):
 * the write that meets the broken pipe throws {@link ReaderGone}, which PrintStream, catching only IOException, passes
 * on to the command and {@link Main} ends it with 0. Without it {@code ferrumdb keys | head} went on walking every key
 * of the database into a pipe nobody read. Later writes (the flushes on the way out) are dropped.
 */
final class StandardOutput extends PrintStream {
    private final Recorder recorder;

    /**
     * Ends a command whose standard output's reader went away (see the class comment): unchecked, so that the
     * PrintStream between the command and the pipe does not swallow it as it swallows IOException.
     */
    static final class ReaderGone extends RuntimeException {
        ReaderGone(IOException brokenPipe) {
            super("standard output's reader went away", brokenPipe);
        }
    }

    private StandardOutput(Recorder recorder) {
        super(new BufferedOutputStream(recorder, 8192), true, StandardCharsets.UTF_8);
        this.recorder = recorder;
    }

    /** Standard output of this process (file descriptor 1), flushed at each line as System.out is. */
    static StandardOutput ofProcess() {
        return over(new FileOutputStream(FileDescriptor.out));
    }

    /** A standard output writing to {@code sink}, for tests that play a pipe. */
    static StandardOutput over(OutputStream sink) {
        return new StandardOutput(new Recorder(sink));
    }

    /** True when {@code out} is a standard output whose reader went away (a write met a broken pipe). */
    static boolean readerWentAway(PrintStream out) {
        return out instanceof StandardOutput s && s.recorder.failure != null && isBrokenPipe(s.recorder.failure);
    }

    /** Why writing {@code out} failed, for a message: the recorded error's text, or a guess when none was kept. */
    static String failureOf(PrintStream out) {
        IOException e = out instanceof StandardOutput s ? s.recorder.failure : null;
        return e == null || e.getMessage() == null ? "a full disk, or the reader went away?" : e.getMessage();
    }

    /** The OS's text for EPIPE, which the JDK puts in the IOException of a write to a pipe nobody reads. */
    private static boolean isBrokenPipe(IOException e) {
        return e.getMessage() != null && e.getMessage().contains("Broken pipe");
    }

    /**
     * Passes writes on and keeps the first IOException before the PrintStream above swallows it; a broken pipe is
     * thrown on as {@link ReaderGone} once, and what is written after it is dropped.
     */
    private static final class Recorder extends FilterOutputStream {
        private volatile IOException failure;

        Recorder(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (readerGone()) {
                return;
            }
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                keep(e);
                throw e;
            }
        }

        @Override
        public void write(int b) throws IOException {
            if (readerGone()) {
                return;
            }
            try {
                out.write(b);
            } catch (IOException e) {
                keep(e);
                throw e;
            }
        }

        @Override
        public void flush() throws IOException {
            if (readerGone()) {
                return;
            }
            try {
                out.flush();
            } catch (IOException e) {
                keep(e);
                throw e;
            }
        }

        private boolean readerGone() {
            return failure != null && isBrokenPipe(failure);
        }

        private void keep(IOException e) {
            if (failure == null) {
                failure = e;
                if (isBrokenPipe(e)) {
                    throw new ReaderGone(e);
                }
            }
        }
    }
}
