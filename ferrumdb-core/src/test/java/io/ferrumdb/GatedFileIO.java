package io.ferrumdb;

import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.io.ForwardingFileIO;
import io.ferrumdb.internal.io.StorageFile;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

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
     * Two closes at once, as a shutdown hook and a main thread make them: runs {@code close} in a first thread
     * until this layer holds its creation, then in a second, lets the first go on once the second has returned or
     * waits, and tells whether {@code done} held when the second close returned (it must, or a JVM halting as its
     * hook returns would cut the first close short). Throws when the first close failed or never got here.
     */
    public boolean secondCloseReturnsDone(Runnable close, BooleanSupplier done) throws InterruptedException {
        AtomicReference<Throwable> firstFailure = new AtomicReference<>();
        Thread first = new Thread(() -> {
            try {
                close.run();
            } catch (Throwable t) {
                firstFailure.set(t);
            }
        }, "first-close");
        first.start();
        if (!awaitHeld()) {
            throw new AssertionError("the first close never created a file named " + prefix + "...");
        }
        AtomicBoolean doneWhenSecondReturned = new AtomicBoolean();
        Thread second = new Thread(() -> {
            close.run();
            doneWhenSecondReturned.set(done.getAsBoolean());
        }, "second-close");
        second.start();
        // No timing: the second close has either returned (the bug) or waits for the first (the fix).
        while (second.getState() != Thread.State.BLOCKED && second.getState() != Thread.State.WAITING
                && second.getState() != Thread.State.TERMINATED) {
            Thread.onSpinWait();
        }
        release();
        first.join();
        second.join();
        if (firstFailure.get() != null) {
            throw new AssertionError("the first close failed", firstFailure.get());
        }
        return doneWhenSecondReturned.get();
    }
}
