package io.ferrumdb;

import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.io.ForwardingFileIO;
import io.ferrumdb.internal.io.StorageFile;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A file layer that holds the creation of any file whose name starts with a given prefix until {@link #release()}d,
 * so that a test can keep a background step (a close sealing its segment, say) in the middle while it acts.
 * Published in the test-jar for the other modules' tests (the file-system seam itself is internal: use
 * {@link #on(Options)}).
 */
public final class GatedFileIO extends ForwardingFileIO {
    private final String prefix;
    private final CountDownLatch reached = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);

    public GatedFileIO(String prefix) {
        super(FileIO.nio());
        this.prefix = prefix;
    }

    /** {@code options} with this file layer. */
    public Options on(Options options) {
        return options.toBuilder().fileIO(this).build();
    }

    @Override
    public StorageFile create(Path file) throws IOException {
        if (file.getFileName().toString().startsWith(prefix)) {
            reached.countDown();
            try {
                released.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("held creation of " + file + " interrupted");
            }
        }
        return super.create(file);
    }

    /** Waits until a creation is held; false after a minute without one. */
    public boolean awaitHeld() throws InterruptedException {
        return reached.await(60, TimeUnit.SECONDS);
    }

    /** Lets the held creation, and every later one, go on. */
    public void release() {
        released.countDown();
    }

    /**
     * Waits until {@code thread} has either ended or is waiting (for a lock or a condition), which is how a close
     * made while another is in progress shows itself without any timing.
     */
    public static void awaitEndedOrWaiting(Thread thread) {
        while (thread.getState() != Thread.State.BLOCKED && thread.getState() != Thread.State.WAITING
                && thread.getState() != Thread.State.TERMINATED) {
            Thread.onSpinWait();
        }
    }
}
