package io.ferrumdb.internal.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.Options;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Under {@code always()} the flusher wakes the first writers of a batch and leaves the rest to the acknowledger
 * thread. Many writers at once (more than the flusher wakes itself) must all be acknowledged, the asynchronous
 * ones by the time close() returns, and every acknowledged write must be there after reopen.
 */
class GroupCommitAcknowledgementTest {
    @TempDir
    Path dir;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void everyWriterOfALargeBatchIsAcknowledgedAndDurable() throws Exception {
        Options options = Options.builder().fsyncPolicy(FsyncPolicy.always()).segmentSize(64 << 10)
                .autoCompaction(false).build();
        int threads = 24;
        int perThread = 60;
        List<CompletableFuture<Void>> async = new CopyOnWriteArrayList<>();
        FerrumDB db = FerrumDB.open(dir, options);
        long fsyncsBefore = db.stats().fsyncs();
        List<Thread> writers = new ArrayList<>();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            writers.add(new Thread(() -> {
                try {
                    for (int n = 0; n < perThread; n++) {
                        if (id % 2 == 0) {
                            db.put(bytes("s" + id + "-" + n), bytes("v" + n));
                        } else {
                            async.add(db.putAsync(bytes("a" + id + "-" + n), bytes("v" + n)));
                        }
                    }
                } catch (RuntimeException | Error e) {
                    failures.add(e);
                }
            }));
        }
        writers.forEach(Thread::start);
        for (Thread w : writers) {
            w.join();
        }
        long records = db.stats().syncedRecords();
        long fsyncs = db.stats().fsyncs() - fsyncsBefore;
        db.close();
        assertThat(failures).isEmpty();
        assertThat(async).hasSize(threads / 2 * perThread);
        // close() returns after the acknowledger completed every future of the last batches.
        assertThat(async).allSatisfy(f -> assertThat(f).isCompleted().isNotCompletedExceptionally());
        // Group commit gathered writers: fewer fsyncs than records.
        assertThat(fsyncs).isLessThan(records);
        try (FerrumDB reopened = FerrumDB.open(dir, options)) {
            for (int t = 0; t < threads; t++) {
                for (int n = 0; n < perThread; n++) {
                    String key = (t % 2 == 0 ? "s" : "a") + t + "-" + n;
                    assertThat(reopened.get(bytes(key))).as(key).isEqualTo(bytes("v" + n));
                }
            }
        }
    }

    /**
     * After each fsync the flusher waits for the writers it acknowledged to append again (GroupGather). Writers
     * that do not come back must not hold the others: here two asynchronous puts share a group and only one
     * writer comes back, so every group waits for a waiter that never registers; the wait is bounded, and every
     * put is acknowledged and durable. (Unbounded, this hangs, and the timeout, a liveness guard, fails it.)
     */
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void writersThatDoNotComeBackDoNotHoldTheNextGroup() throws Exception {
        Options options = Options.builder().fsyncPolicy(FsyncPolicy.always()).autoCompaction(false).build();
        int rounds = 100;
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            for (int n = 0; n < rounds; n++) {
                CompletableFuture<Void> a = db.putAsync(bytes("a-" + n), bytes("v" + n));
                CompletableFuture<Void> b = db.putAsync(bytes("b-" + n), bytes("v" + n));
                a.join();
                b.join();
                db.put(bytes("c-" + n), bytes("v" + n));
            }
        }
        try (FerrumDB reopened = FerrumDB.open(dir, options)) {
            for (int n = 0; n < rounds; n++) {
                for (String k : List.of("a-", "b-", "c-")) {
                    assertThat(reopened.get(bytes(k + n))).as(k + n).isEqualTo(bytes("v" + n));
                }
            }
        }
    }
}
