package io.ferrumdb;

import io.ferrumdb.internal.directory.FileNames;
import io.ferrumdb.internal.io.ForwardingFileIO;
import io.ferrumdb.internal.io.StorageFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * Holds the first creation of a file with a chosen name until the test releases it, so that a background step
 * (a compaction at its first output, a close sealing its segment) is surely in the middle while the test acts, with
 * no rate limit or delay for a loaded machine to outlast. For the other modules' tests too, since the file-system
 * seam itself is internal: {@link #on} gives the options to open the database with.
 */
public final class HeldCreation {
    private final Predicate<String> name;
    private final Gate gate;

    private HeldCreation(Predicate<String> name, String what) {
        this.name = name;
        this.gate = new Gate("the creation of " + what).arm();
    }

    /** Holds a compaction when it creates its first output segment. */
    public static HeldCreation compactionOutput() {
        return new HeldCreation(n -> n.endsWith(FileNames.temporary(".seg")), "a compaction output");
    }

    /** Holds the first creation of a file whose name starts with {@code prefix} (also under a temporary name). */
    public static HeldCreation fileStartingWith(String prefix) {
        return new HeldCreation(n -> n.startsWith(prefix), "a file named " + prefix + "...");
    }

    /** {@code options} whose file layer holds the creation. */
    public Options on(Options options) {
        return options.toBuilder().fileIO(new ForwardingFileIO(options.fileIO()) {
            @Override
            public StorageFile create(Path file) throws IOException {
                if (name.test(file.getFileName().toString())) {
                    gate.pass();
                }
                return delegate.create(file);
            }
        }).build();
    }

    /** Waits until the creation is held; fails after two minutes saying none came. */
    public void awaitHeld() throws InterruptedException {
        gate.awaitHeld();
    }

    /** Lets the held creation go on. */
    public void release() {
        gate.release();
    }

    /**
     * Two closes at once, as a shutdown hook and a main thread make them: runs {@code close} in a first thread
     * until the creation is held, then in a second, lets the first go on once the second has returned or waits,
     * and tells whether {@code done} held when the second close returned (it must, or a JVM halting as its hook
     * returns would cut the first close short). Throws when the first close failed or never got here.
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
        awaitHeld();
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
