package io.ferrumdb.cli;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A standard output for tests: takes {@code capacity} bytes, then fails every write with the OS's text for the
 * failure it plays ({@link #FULL_DISK}, {@link #BROKEN_PIPE}, as the JDK words them), counting the failed writes.
 */
final class FailingOutput extends OutputStream {
    static final String FULL_DISK = "No space left on device";
    static final String BROKEN_PIPE = "Broken pipe";

    private final int capacity;
    private final String failure;
    private int taken;
    private int failedWrites;

    FailingOutput(int capacity, String failure) {
        this.capacity = capacity;
        this.failure = failure;
    }

    /** How many writes failed: the first that did not fit, and every one tried after it. */
    int failedWrites() {
        return failedWrites;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (taken + len > capacity) {
            failedWrites++;
            throw new IOException(failure);
        }
        taken += len;
    }
}
