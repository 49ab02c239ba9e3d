package io.ferrumdb;

import io.ferrumdb.internal.directory.FileNames;
import io.ferrumdb.internal.io.ForwardingFileIO;
import io.ferrumdb.internal.io.StorageFile;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Holds a compaction when it creates its first output, until the test releases it: a compaction that is surely
 * running, for tests of what happens meanwhile, with no rate limit or delay to outlast (a loaded machine overran
 * them). For tests of other modules too, since the file-system seam itself is internal: {@link #on} gives the
 * options to open the database with.
 */
public final class HeldCompaction {
    private static final long WAIT_SECONDS = 120;

    private final CountDownLatch reached = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);

    /** {@code options} whose file layer holds the first compaction output's creation. */
    public Options on(Options options) {
        return options.toBuilder().fileIO(new ForwardingFileIO(options.fileIO()) {
            @Override
            public StorageFile create(Path file) throws IOException {
                if (file.getFileName().toString().endsWith(FileNames.temporary(".seg")) && reached.getCount() > 0) {
                    reached.countDown();
                    try {
                        if (!released.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
                            throw new IOException("the test never released the held compaction");
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted while the test held the compaction");
                    }
                }
                return delegate.create(file);
            }
        }).build();
    }

    /** Waits until a compaction is held at its first output; fails after two minutes saying none began. */
    public void awaitHeld() throws InterruptedException {
        if (!reached.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
            throw new AssertionError("no compaction created an output within " + WAIT_SECONDS + " s");
        }
    }

    /** Lets the held compaction go on. */
    public void release() {
        released.countDown();
    }
}
