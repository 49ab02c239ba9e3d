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
 * reader that stopped reading, as {@code ferrumdb keys | head} does: that ends the command quietly with 0, as it
 * did before standard output was checked, since the reader has everything it asked for.
 */
final class StandardOutput extends PrintStream {
    private final Recorder recorder;

    private StandardOutput(Recorder recorder) {
        super(new BufferedOutputStream(recorder, 8192), true, StandardCharsets.UTF_8);
        this.recorder = recorder;
    }

    /** Standard output of this process (file descriptor 1), flushed at each line as System.out is. */
    static StandardOutput ofProcess() {
        return new StandardOutput(new Recorder(new FileOutputStream(FileDescriptor.out)));
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

    /** Passes writes on and keeps the first IOException before the PrintStream above swallows it. */
    private static final class Recorder extends FilterOutputStream {
        private volatile IOException failure;

        Recorder(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                keep(e);
                throw e;
            }
        }

        @Override
        public void write(int b) throws IOException {
            try {
                out.write(b);
            } catch (IOException e) {
                keep(e);
                throw e;
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                keep(e);
                throw e;
            }
        }

        private void keep(IOException e) {
            if (failure == null) {
                failure = e;
            }
        }
    }
}
