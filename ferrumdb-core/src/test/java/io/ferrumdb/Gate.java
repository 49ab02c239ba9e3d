package io.ferrumdb;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Holds the first thread that passes it, once armed, until the test releases it: so that a background step (a
 * compaction between two of its steps, a flush in the middle of its write) is surely there while the test acts,
 * with no delay for a loaded machine to outlast. The file-layer and clock hooks of the tests call {@link #pass}.
 */
public final class Gate {
    private static final long WAIT_SECONDS = 120;

    private final String what;
    private final CountDownLatch reached = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile boolean armed;

    /** A gate that holds nothing until {@link #arm}ed; {@code what} names the step it holds, in failures. */
    public Gate(String what) {
        this.what = what;
    }

    /** From now on the first thread that passes is held. */
    public Gate arm() {
        armed = true;
        return this;
    }

    /**
     * Holds the calling thread if the gate is armed and has held none yet, until {@link #release}; fails after two
     * minutes saying the test never released it.
     */
    public void pass() throws IOException {
        if (!armed || reached.getCount() == 0) {
            return;
        }
        reached.countDown();
        try {
            if (!released.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
                throw new IOException("the test never released " + what);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while the test held " + what);
        }
    }

    /** Waits until a thread is held; fails after two minutes saying none came. */
    public void awaitHeld() throws InterruptedException {
        if (!reached.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
            throw new AssertionError("nothing reached " + what + " within " + WAIT_SECONDS + " s");
        }
    }

    /** Lets the held thread (and any later one) go on. */
    public void release() {
        released.countDown();
    }
}
