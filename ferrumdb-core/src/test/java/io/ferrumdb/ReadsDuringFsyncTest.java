package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.io.ForwardingFileIO;
import io.ferrumdb.internal.io.ForwardingStorageFile;
import io.ferrumdb.internal.io.StorageFile;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3: "Reads never take a global lock; readers ... are never blocked by a writer's fsync." A writer's fsync
 * is held (the file layer's {@code force()} waits for the test), and every kind of read must answer meanwhile:
 * point reads from sealed and active segments, {@code contains}, {@code size}, the key stream and an ordered scan.
 * No rate is asserted: the reads either answer while the fsync is held or they wait behind it for good.
 */
class ReadsDuringFsyncTest {
    /** Far longer than any read here takes on a loaded machine; a read blocked behind the fsync never ends. */
    private static final long WAIT_SECONDS = 120;
    private static final int KEYS = 300;

    @TempDir
    Path dir;

    @Test
    void everyKindOfReadAnswersWhileAWritersFsyncIsHeld() throws Exception {
        HeldFsync held = new HeldFsync();
        // Small segments, so that most reads go to sealed segments and some to the active one.
        Options options = Options.builder().fsyncPolicy(FsyncPolicy.always()).segmentSize(8192)
                .autoCompaction(false).fileIO(held).build();
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            for (int i = 0; i < KEYS; i++) {
                db.put(key(i), value(i));
            }
            held.arm();
            Future<?> write = threads.submit(() -> db.put(key(KEYS), value(KEYS)));
            held.awaitHeld();

            Future<Void> reads = threads.submit(() -> {
                for (int i = 0; i < KEYS; i++) {
                    assertThat(db.get(key(i))).isEqualTo(value(i));
                    assertThat(db.contains(key(i))).isTrue();
                }
                assertThat(db.size()).isGreaterThanOrEqualTo(KEYS);
                assertThat(db.keys().count()).isGreaterThanOrEqualTo(KEYS);
                int scanned = 0;
                try (RangeIterator it = db.iterate(KeyRange.all())) {
                    while (it.hasNext()) {
                        it.next();
                        scanned++;
                    }
                }
                assertThat(scanned).isGreaterThanOrEqualTo(KEYS);
                return null;
            });
            try {
                reads.get(WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                held.release();
                fail("reads waited behind a writer's fsync for " + WAIT_SECONDS + " s");
            }
            assertThat(write).as("the write is still waiting for its fsync while the reads answered").isNotDone();
            held.release();
            write.get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(db.get(key(KEYS))).isEqualTo(value(KEYS));
        } finally {
            held.release();
            threads.shutdownNow();
        }
    }

    private static byte[] key(int i) {
        return ("key-" + i).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] value(int i) {
        return ("value-" + i + "-".repeat(40)).getBytes(StandardCharsets.UTF_8);
    }

    /** A file layer whose first segment fsync after {@link #arm()} waits until {@link #release()}. */
    private static final class HeldFsync extends ForwardingFileIO {
        private final AtomicBoolean armed = new AtomicBoolean();
        private final CountDownLatch reached = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        HeldFsync() {
            super(FileIO.nio());
        }

        void arm() {
            armed.set(true);
        }

        void awaitHeld() throws InterruptedException {
            if (!reached.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
                fail("no segment fsync began within " + WAIT_SECONDS + " s of the write");
            }
        }

        void release() {
            released.countDown();
        }

        @Override
        protected StorageFile wrap(StorageFile file) {
            return new ForwardingStorageFile(file) {
                @Override
                public void force() throws IOException {
                    if (isSegment() && armed.compareAndSet(true, false)) {
                        reached.countDown();
                        try {
                            if (!released.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
                                throw new IOException("the test never released the held fsync of " + path());
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new InterruptedIOException("interrupted while the test held the fsync of " + path());
                        }
                    }
                    super.force();
                }
            };
        }
    }
}
