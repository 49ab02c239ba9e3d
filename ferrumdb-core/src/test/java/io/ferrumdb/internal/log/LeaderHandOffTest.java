package io.ferrumdb.internal.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.FaultFileIO;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.ReadOnlyDatabaseException;
import io.ferrumdb.internal.format.HintFile;
import io.ferrumdb.internal.format.RecordFormat;
import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.io.ForwardingFileIO;
import io.ferrumdb.internal.io.ForwardingStorageFile;
import io.ferrumdb.internal.io.StorageFile;
import io.ferrumdb.internal.keydir.Key;
import io.ferrumdb.internal.keydir.Location;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit under {@code always()} led by the writers ({@link GroupCommit}): the writer that finds no cycle
 * running writes and fsyncs on its own thread, followers queue for the next leader, and a leader that fails stops the
 * writer for its whole group and every later write. Forces of segment files can be held open by the test, so that
 * who waits where is decided by the test and not by timing.
 */
@Timeout(180) // a hang guard, above the 60 s that a wait below gives a busy machine before it fails by name
class LeaderHandOffTest {
    @TempDir
    Path dir;

    private TestLog log;
    private SegmentSet set;
    private final HeldForces forces = new HeldForces();
    /** Keys in the order the writer applied them, with their locations. */
    private final Map<String, Location> applied = new ConcurrentHashMap<>();
    private final List<String> order = Collections.synchronizedList(new ArrayList<>());

    private LogWriter open(FileIO io) {
        log = new TestLog(dir, forces.wrap(io), FsyncPolicy.always(), 1 << 20, this::sealed);
        set = log.set;
        return log.writer;
    }

    private void sealed(Segment s, HintFile.Builder hint) throws IOException {
        set.seal(s, hint);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (log != null) {
            log.close();
        }
    }

    @Test
    void theNextLeaderIsAWaitingWriterAndALeaderFailingMidFsyncFailsItsWholeGroupAndEveryLaterWrite()
            throws Exception {
        LogWriter w = open(FileIO.nio());
        put(w, "warm"); // creates the segment (its creation forces it), led by this thread
        HeldForce first = forces.holdNext();
        Writer a = Writer.start(w, this, "a");
        first.awaitEntered();
        assertThat(first.thread()).as("the first writer leads its own fsync").isEqualTo("writer-a");

        List<Writer> followers = List.of(Writer.start(w, this, "b"), Writer.start(w, this, "c"),
                Writer.start(w, this, "d"));
        awaitApplied(5);
        CompletableFuture<Void> async = w.append(TestWrites.records(put("async")),
                TestWrites.applier(this::record), false);
        HeldForce second = forces.holdNext();
        first.release(null);
        a.join();
        assertThat(a.failure()).isNull();

        second.awaitEntered();
        assertThat(second.thread()).as("a follower leads the next group, not the flusher")
                .isIn("writer-b", "writer-c", "writer-d");
        Writer late = Writer.start(w, this, "e");
        awaitApplied(7);
        second.release(new IOException("injected fsync failure"));

        for (Writer f : followers) {
            f.join();
            assertThat(f.failure()).as(f.key).isInstanceOf(ReadOnlyDatabaseException.class)
                    .hasRootCauseMessage("injected fsync failure");
        }
        assertThatThrownBy(() -> TestWrites.await(async)).as("an asynchronous future of the group")
                .isInstanceOf(ReadOnlyDatabaseException.class).hasRootCauseMessage("injected fsync failure");
        late.join();
        assertThat(late.failure()).as("a writer queued for the next group").isInstanceOf(ReadOnlyDatabaseException.class)
                .hasRootCauseMessage("injected fsync failure");
        assertThat(w.failure()).isInstanceOf(IOException.class).hasMessage("injected fsync failure");
        assertThatThrownBy(() -> put(w, "after")).isInstanceOf(ReadOnlyDatabaseException.class)
                .hasCause(w.failure());
        assertThatThrownBy(w::sync).isInstanceOf(ReadOnlyDatabaseException.class);

        Segment active = w.active();
        assertThat(w.mayServe(active, applied.get("a").offset())).as("fsynced by the first leader").isTrue();
        for (String key : List.of("b", "c", "d", "async", "e")) {
            assertThat(w.mayServe(active, applied.get(key).offset())).as(key).isFalse();
        }
        assertThat(forces.count()).as("no fsync after the failed one").isEqualTo(forces.countAtLastHold());
    }

    @Test
    void aLeaderDyingOfAnErrorStopsTheWriterAndClosesCleanly() throws Exception {
        FaultFileIO faults = new FaultFileIO(3);
        LogWriter w = open(faults.session());
        put(w, "warm");
        faults.failWithError(FaultFileIO.Op.FORCE, 1, new OutOfMemoryError("injected at force"));
        assertThatThrownBy(() -> put(w, "dies")).isInstanceOf(ReadOnlyDatabaseException.class)
                .hasCauseInstanceOf(OutOfMemoryError.class);
        assertThat(w.failure()).isInstanceOf(OutOfMemoryError.class);
        assertThatThrownBy(() -> put(w, "later")).isInstanceOf(ReadOnlyDatabaseException.class);
        assertThat(w.close()).isFalse();
        assertThat(w.mayServe(w.active(), applied.get("warm").offset())).isTrue();
        assertThat(w.mayServe(w.active(), applied.get("dies").offset())).isFalse();
    }

    @Test
    void aFollowerInterruptedWhileQueuedIsStillAcknowledgedAndKeepsItsInterrupt() throws Exception {
        LogWriter w = open(FileIO.nio());
        put(w, "warm");
        HeldForce held = forces.holdNext();
        Writer a = Writer.start(w, this, "a");
        held.awaitEntered();
        Writer b = Writer.start(w, this, "b");
        awaitApplied(3);
        b.thread.interrupt();
        held.release(null);
        a.join();
        b.join();
        assertThat(a.failure()).isNull();
        assertThat(b.failure()).isNull();
        assertThat(b.interruptedAtEnd).as("the interrupt is kept for the caller").isTrue();
        assertThat(w.mayServe(w.active(), applied.get("b").offset())).isTrue();
        assertThat(w.syncedRecords()).isEqualTo(3);
    }

    @Test
    void closeWaitsForTheLeadersCycleAndTheFollowersItHandsOffTo() throws Exception {
        LogWriter w = open(FileIO.nio());
        put(w, "warm");
        Segment active = w.active();
        HeldForce held = forces.holdNext();
        Writer a = Writer.start(w, this, "a");
        held.awaitEntered();
        Writer b = Writer.start(w, this, "b");
        awaitApplied(3);
        Thread closer = new Thread(w::close, "closer");
        closer.start();
        // Once close has begun (a thread started on a busy machine may not run for a long while), a put is refused;
        // before, the test slept 200 ms and a put made before close began waited for the held fsync forever.
        awaitUntil(w::isClosing, "close() began");
        assertThat(closer.isAlive()).as("close waits while a leader is in its fsync").isTrue();
        assertThatThrownBy(() -> put(w, "refused")).isInstanceOf(io.ferrumdb.DatabaseClosedException.class);
        held.release(null);
        closer.join();
        a.join();
        b.join();
        assertThat(a.failure()).isNull();
        assertThat(b.failure()).isNull();
        assertThat(w.failure()).isNull();
        assertThat(active.isSealed()).as("close sealed the active segment").isTrue();
        assertThat(set.files().readHint(active)).hasSize(3);
        assertThat(w.syncedRecords()).isEqualTo(3);
    }

    /**
     * Writers that come back together after their group's fsync: the first leads and gathers, and the append that
     * completes the group may take the lead from it (GroupCommit#arrived). Whoever runs the second group's cycle, no
     * put of it returns while its fsync is held.
     */
    @Test
    void noPutOfAGatheredGroupReturnsBeforeItsFsyncWhoeverLeadsIt() throws Exception {
        LogWriter w = open(FileIO.nio());
        put(w, "warm");
        HeldForce first = forces.holdNext();
        AtomicInteger returned = new AtomicInteger();
        CountDownLatch firstRoundDone = new CountDownLatch(3);
        List<Thread> threads = new ArrayList<>();
        for (String k : List.of("a", "b", "c")) {
            Thread t = new Thread(() -> {
                put(w, k + "1");
                returned.incrementAndGet();
                firstRoundDone.countDown();
                put(w, k + "2");
                returned.incrementAndGet();
            }, "writer-" + k);
            threads.add(t);
        }
        threads.get(0).start();
        first.awaitEntered(); // writer-a leads a group of its own record; b and c queue behind it
        threads.get(1).start();
        threads.get(2).start();
        awaitApplied(4);
        HeldForce second = forces.holdNext();
        first.release(null);
        second.awaitEntered(); // b1 and c1, with a2 if it came back in time (then a2 may lead it)
        // a1's put returns once the first fsync is released, on writer-a's own time: wait for that, then give a
        // wrong early return 50 ms to show itself.
        awaitUntil(() -> returned.get() >= 1, "a1's put returned after the first fsync");
        Thread.sleep(50);
        assertThat(returned.get()).as("only a1 was fsynced; no later put returns while the second fsync is held")
                .isEqualTo(1);
        assertThat(firstRoundDone.getCount()).isEqualTo(2);
        second.release(null);
        for (Thread t : threads) {
            t.join();
        }
        assertThat(returned.get()).isEqualTo(6);
        assertThat(w.syncedRecords()).isEqualTo(7);
    }

    private void awaitApplied(int n) throws InterruptedException {
        awaitUntil(() -> order.size() >= n, n + " records applied");
    }

    /** Polls {@code condition} until it holds; fails naming {@code what} after a minute (a wait, not a timing). */
    private static void awaitUntil(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 60 s: " + what);
            }
            Thread.sleep(1);
        }
    }

    void put(LogWriter w, String key) {
        w.waitFor(w.append(TestWrites.records(put(key)), TestWrites.applier(this::record), true));
    }

    private void record(byte type, Key key, Location location) {
        String name = new String(key.bytes(), StandardCharsets.UTF_8);
        applied.put(name, location);
        order.add(name);
    }

    private static Append put(String key) {
        return new Append(RecordFormat.TYPE_PUT, new Key(key.getBytes(StandardCharsets.UTF_8)), new byte[100], 0);
    }

    /** One synchronous put on its own thread, named writer-KEY. */
    private static final class Writer {
        final String key;
        final Thread thread;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private volatile boolean interruptedAtEnd;

        private Writer(LogWriter w, LeaderHandOffTest test, String key) {
            this.key = key;
            this.thread = new Thread(() -> {
                try {
                    test.put(w, key);
                } catch (RuntimeException e) {
                    failure.set(e);
                }
                interruptedAtEnd = Thread.currentThread().isInterrupted();
            }, "writer-" + key);
        }

        static Writer start(LogWriter w, LeaderHandOffTest test, String key) {
            Writer writer = new Writer(w, test, key);
            writer.thread.start();
            return writer;
        }

        void join() throws InterruptedException {
            thread.join();
        }

        Throwable failure() {
            return failure.get();
        }
    }

    /** One held force: the test waits until a thread is in it, then lets it return or fail. */
    private static final class HeldForce {
        private final CountDownLatch entered = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);
        private volatile String thread;
        private volatile IOException failure;

        void awaitEntered() throws InterruptedException {
            entered.await();
        }

        String thread() {
            return thread;
        }

        void release(IOException failWith) {
            failure = failWith;
            released.countDown();
        }

        void pass() throws IOException {
            thread = Thread.currentThread().getName();
            entered.countDown();
            try {
                released.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while the test held the force", e);
            }
            if (failure != null) {
                throw failure;
            }
        }
    }

    /** Forces of segment files through a wrapper: counted, and the next one held when the test asks. */
    private static final class HeldForces {
        private final AtomicReference<HeldForce> next = new AtomicReference<>();
        private volatile int count;
        private volatile int countAtLastHold;

        HeldForce holdNext() {
            HeldForce h = new HeldForce();
            next.set(h);
            return h;
        }

        int count() {
            return count;
        }

        int countAtLastHold() {
            return countAtLastHold;
        }

        void force(StorageFile file) throws IOException {
            if (file.path().getFileName().toString().endsWith(".seg")) {
                int n;
                synchronized (this) {
                    n = ++count;
                }
                HeldForce h = next.getAndSet(null);
                if (h != null) {
                    countAtLastHold = n;
                    h.pass();
                }
            }
            file.force();
        }

        FileIO wrap(FileIO io) {
            return new ForwardingFileIO(io) {
                @Override
                protected StorageFile wrap(StorageFile file) {
                    return new ForwardingStorageFile(file) {
                        @Override
                        public void force() throws IOException {
                            HeldForces.this.force(delegate);
                        }
                    };
                }
            };
        }
    }
}
