package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.FaultFileIO.Op;
import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.io.ForwardingFileIO;
import io.ferrumdb.internal.io.ForwardingStorageFile;
import io.ferrumdb.internal.io.StorageFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write failing while a compaction runs, between the compaction's decisions and its retiring of the inputs. While
 * the writer was healthy the compaction dropped a key's older record because the key directory named a newer write
 * still in the writer's buffer; that write then failed and never reached the file. Retiring the inputs would leave
 * neither record, and the key would be gone after reopen (found by ferrumdb-doc's WriteFailureTest in CI: a
 * document acknowledged long before vanished). The compaction must fail and keep its inputs. And a write (a delete)
 * failing after the scheduler picked a compaction's inputs but before its decisions.
 */
class WriteFailureDuringCompactionTest {
    @TempDir
    Path tmp;

    /**
     * Threads of the test's own: the common pool has one worker on a 2-CPU machine, and on Temurin 25 the
     * asynchronous steps share it, so a step held at a gate would keep the next from ever starting.
     */
    private final ExecutorService threads = Executors.newCachedThreadPool();
    /** The thread that runs db.compact(), whose looks at the clock a {@link GatedClock} holds. */
    private static final String COMPACTION_THREAD = "test-compaction";
    private final ExecutorService compactionThread = Executors.newSingleThreadExecutor(
            r -> new Thread(r, COMPACTION_THREAD));

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
        compactionThread.shutdownNow();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aWriteFailingAfterTheCompactionsDecisionsKeepsTheRecordsTheyDropped() throws Exception {
        FaultFileIO io = new FaultFileIO(1);
        Gate segmentWrite = new Gate("a write to the active segment");
        Gate publish = new Gate("the publish of a compaction output");
        // Before the walk of the key directory and the decisions (an input copied by bitmap reads no hint).
        Gate compactorClock = new Gate("the compaction's expiry purge (its first look at the clock)");
        Gate unused = new Gate("nothing");
        Options plain = Options.builder().segmentSize(4096).fsyncPolicy(FsyncPolicy.never()).autoCompaction(false)
                .build();
        Options options = plain.toBuilder().clock(new GatedClock(compactorClock, COMPACTION_THREAD))
                .fileIO(new GatedFileIO(io.session(), segmentWrite, publish, unused)).build();
        Path dir = tmp.resolve("db");
        byte[] key = bytes("acknowledged-long-ago");
        byte[] before = bytes("v1");
        byte[] after = bytes("v2, the write that fails");
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            db.put(key, before);
            for (int i = 0; i < 200; i++) {
                db.put(bytes("filler-" + i), new byte[100]);
            }
            compactorClock.arm();
            CompletableFuture<CompactionResult> compaction = CompletableFuture.supplyAsync(db::compact,
                    compactionThread);
            // Before the decisions: the key's newest record is a write whose bytes are on their way to the file (a
            // batch with a delete, as the document layer writes: the delete writes the staged put into the table).
            compactorClock.awaitHeld();
            segmentWrite.arm();
            WriteBatch update = new WriteBatch().put(key, after).delete(bytes("filler-0"));
            CompletableFuture<Void> put = CompletableFuture.runAsync(() -> db.write(update), threads);
            segmentWrite.awaitHeld();
            compactorClock.release();
            // After the decisions (the output is complete), before the inputs are retired: that write fails.
            publish.arm();
            publish.awaitHeld();
            io.failOn(Op.WRITE, 1, ".seg");
            segmentWrite.release();
            // The put returned (never() does not wait for the file); a sync waits for the cycle that failed.
            put.get(120, TimeUnit.SECONDS);
            assertThatThrownBy(db::sync).isInstanceOf(FerrumException.class);
            assertThat(io.armed()).as("the injected failure happened").isFalse();
            publish.release();
            assertThatThrownBy(() -> compaction.get(120, TimeUnit.SECONDS)).as("the compaction")
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(FerrumException.class)
                    .hasMessageContaining("a write failed while this compaction ran; its inputs are kept");
        } catch (FerrumException closeReportsTheWriteFailure) {
            assertThat(closeReportsTheWriteFailure).hasMessageContaining("injected failure");
        }
        try (FerrumDB db = FerrumDB.open(dir, plain)) {
            assertThat(db.get(key)).as("the key whose newer write failed").isIn(before, after);
            for (int i = 0; i < 200; i++) {
                assertThat(db.get(bytes("filler-" + i))).as("filler-%d", i).isEqualTo(new byte[100]);
            }
        }
    }

    /**
     * A background compaction that the scheduler started on a healthy writer, whose decisions begin just after a
     * delete failed: the key directory has no entry for the key, as if the delete had happened, but its tombstone
     * never reached the file. The compaction (of the one segment the policy picks) must not drop the key's newest
     * durable value: the value it overwrote lies in a segment outside the compaction and would come back.
     */
    @Test
    void aDeleteFailingJustBeforeABackgroundCompactionDecidesDoesNotBringBackTheValueItsKeyHadBefore()
            throws Exception {
        Options plain = Options.builder().segmentSize(1 << 16).fsyncPolicy(FsyncPolicy.never()).autoCompaction(false)
                .build();
        Path dir = tmp.resolve("db");
        byte[] key = bytes("deleted-by-the-failed-write");
        byte[] overwritten = bytes("v0, overwritten long ago");
        byte[] current = new byte[1000];
        current[0] = 1;
        try (FerrumDB db = FerrumDB.open(dir, plain)) { // the first segment: v0 and values that stay live
            db.put(key, overwritten);
            for (int i = 0; i < 50; i++) {
                db.put(bytes("live-" + i), new byte[100]);
            }
        }
        try (FerrumDB db = FerrumDB.open(dir, plain)) { // the second: v1 and values overwritten below
            db.put(key, current);
            for (int i = 0; i < 20; i++) {
                db.put(bytes("overwritten-" + i), new byte[100]);
            }
        }
        FaultFileIO io = new FaultFileIO(1);
        Gate segmentWrite = new Gate("a write to the active segment");
        Gate compactorClock = new Gate("the compaction's expiry purge (its first look at the clock)");
        Gate retire = new Gate("the compaction's deletion of its input");
        Gate unused = new Gate("nothing");
        // The second segment's dead share passes the threshold only once the delete releases v1; the first one's
        // stays far below it, and the space bound never picks it.
        Options background = plain.toBuilder().autoCompaction(true).compactionThreshold(0.9)
                .maxSpaceAmplification(100).compactionInterval(Duration.ofMillis(5))
                .clock(new GatedClock(compactorClock, "ferrumdb-compactor"))
                .fileIO(new GatedFileIO(io.session(), segmentWrite, unused, retire)).build();
        try (FerrumDB db = FerrumDB.open(dir, background)) {
            for (int i = 0; i < 20; i++) {
                db.put(bytes("overwritten-" + i), new byte[100]);
            }
            db.sync();
            compactorClock.arm();
            segmentWrite.arm();
            CompletableFuture<Void> delete = CompletableFuture.runAsync(() -> db.delete(key), threads);
            segmentWrite.awaitHeld();
            // The scheduler saw a healthy writer and began the run; its decisions come after the purge.
            compactorClock.awaitHeld();
            io.failOn(Op.WRITE, 1, ".seg");
            segmentWrite.release();
            delete.get(120, TimeUnit.SECONDS);
            assertThatThrownBy(db::sync).isInstanceOf(FerrumException.class);
            assertThat(io.armed()).as("the injected failure happened").isFalse();
            retire.arm();
            compactorClock.release();
            // Past its publish the run finishes even when close begins.
            retire.awaitHeld();
            retire.release();
        } catch (FerrumException closeReportsTheWriteFailure) {
            assertThat(closeReportsTheWriteFailure).hasMessageContaining("injected failure");
        }
        try (FerrumDB db = FerrumDB.open(dir, plain)) {
            assertThat(db.get(key)).as("the key whose delete failed: its value then, or none, never the older one")
                    .isIn(current, null);
            for (int i = 0; i < 50; i++) {
                assertThat(db.get(bytes("live-" + i))).as("live-%d", i).isEqualTo(new byte[100]);
            }
        }
    }

    /** The wall clock, holding a compaction's thread (by its name) at its gate. */
    private static final class GatedClock extends Clock {
        private final Gate gate;
        private final String thread;

        GatedClock(Gate gate, String thread) {
            this.gate = gate;
            this.thread = thread;
        }

        /** Clock#millis reads it too. */
        @Override
        public Instant instant() {
            if (Thread.currentThread().getName().equals(thread)) {
                try {
                    gate.pass();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return Instant.now();
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("not needed");
        }
    }

    /** Passes the writes to segments, the renames of compaction outputs and the deletions of segments through gates. */
    private static final class GatedFileIO extends ForwardingFileIO {
        private final Gate segmentWrite;
        private final Gate publish;
        private final Gate retire;

        GatedFileIO(FileIO delegate, Gate segmentWrite, Gate publish, Gate retire) {
            super(delegate);
            this.segmentWrite = segmentWrite;
            this.publish = publish;
            this.retire = retire;
        }

        @Override
        protected StorageFile wrap(StorageFile file) {
            if (!file.path().getFileName().toString().endsWith(".seg")) {
                return file;
            }
            return new ForwardingStorageFile(file) {
                @Override
                public void write(long position, ByteBuffer src) throws IOException {
                    segmentWrite.pass();
                    super.write(position, src);
                }
            };
        }

        @Override
        public void rename(Path source, Path target) throws IOException {
            if (target.getFileName().toString().endsWith(".seg")) {
                publish.pass();
            }
            super.rename(source, target);
        }

        @Override
        public void delete(Path file) throws IOException {
            if (file.getFileName().toString().endsWith(".seg")) {
                retire.pass();
            }
            super.delete(file);
        }
    }
}
