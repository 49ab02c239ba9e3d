package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.History.Mutation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Simulated power loss through {@link FaultFileIO}: random mutations, power lost at a random I/O call (or between
 * calls), reopen. With {@code always()} the reopened database holds every acknowledged mutation, possibly plus
 * the one in flight, and nothing else: a prefix of the history at least as long as what was acknowledged. With
 * {@code never()} and {@code periodic} it holds a prefix with no holes, at least as long as the last successful
 * {@code sync()}. Several crashes per seed, including crashes during the recovery of the previous one.
 */
class PowerLossTest {
    private static final boolean SOAK = Boolean.getBoolean("ferrumdb.soak");

    @TempDir
    Path tmp;

    @Test
    void alwaysKeepsEveryAcknowledgedMutation() {
        campaign(FsyncPolicy.always(), SOAK ? 400 : 6);
    }

    @Test
    void neverKeepsAPrefixWithoutHoles() {
        campaign(FsyncPolicy.never(), SOAK ? 400 : 6);
    }

    @Test
    void periodicKeepsAPrefixWithoutHoles() {
        campaign(FsyncPolicy.periodic(Duration.ofMillis(1)), SOAK ? 200 : 3);
    }

    private void campaign(FsyncPolicy policy, int seeds) {
        long base = Long.getLong("ferrumdb.seed", System.nanoTime());
        // -Dferrumdb.repeat=N runs the same seeds N times: a failure that depends on thread timing shows itself.
        int repeat = Integer.getInteger("ferrumdb.repeat", 1);
        for (int j = 0; j < repeat; j++) {
            for (int i = 0; i < seeds; i++) {
                runSeed(policy, base + i, j);
            }
        }
    }

    private void runSeed(FsyncPolicy policy, long seed, int rep) {
        Random r = new Random(seed);
        FaultFileIO io = new FaultFileIO(seed).tail(FaultFileIO.Tail.values()[r.nextInt(3)]);
        Path dir = tmp.resolve(policy.toString().replaceAll("\\W", "") + "-" + seed + "-" + rep);
        Options options = Options.builder().fsyncPolicy(policy).segmentSize(4096).build();
        List<byte[]> keys = History.keySpace(r, 12);
        TreeMap<String, String> state = new TreeMap<>();
        String where = "seed " + seed + " (" + policy + ", -Dferrumdb.seed=" + seed + ")";
        FerrumDB db = null;
        for (int round = 0; round < 5; round++) {
            if (db == null) {
                db = openAfterCrashes(dir, options, io, where);
                assertThat(History.dump(db)).as("%s round %d: state after reopen", where, round).isEqualTo(state);
            }
            List<Mutation> history = new ArrayList<>();
            int acknowledged = 0;
            int synced = 0;
            int crashesBefore = io.crashes();
            if (r.nextInt(5) > 0) {
                FaultFileIO.Op op = FaultFileIO.Op.values()[r.nextInt(FaultFileIO.Op.values().length)];
                io.crashOn(op, 1 + r.nextInt(op == FaultFileIO.Op.WRITE || op == FaultFileIO.Op.FORCE ? 60 : 3));
            }
            int planned = 10 + r.nextInt(120);
            boolean cleanClose = r.nextInt(6) == 0;
            for (int i = 0; i < planned && io.crashes() == crashesBefore; i++) {
                Mutation m = History.randomMutation(r, keys, r.nextInt(20) == 0 ? 5000 : 300);
                history.add(m);
                try {
                    m.applyTo(db);
                    acknowledged = history.size();
                    if (!policy.isAlways() && r.nextInt(25) == 0) {
                        db.sync();
                        synced = history.size();
                    }
                } catch (FerrumException e) {
                    assertThat(io.crashes()).as("%s: a write failed without a crash: %s", where, e)
                            .isGreaterThan(crashesBefore);
                    break;
                }
            }
            if (cleanClose && io.crashes() == crashesBefore) {
                io.disarm();
                try {
                    db.close();
                    synced = history.size();
                } catch (FerrumException e) {
                    // The armed crash fired in a background write between the check above and disarm(): the
                    // close rightly reports that it could not make every write durable; this round is a crash.
                    assertThat(io.crashes()).as("%s: close failed without a crash: %s", where, e)
                            .isGreaterThan(crashesBefore);
                }
            } else if (io.crashes() == crashesBefore) {
                io.disarm();
                io.crash();
            }
            if (!db.isClosed()) {
                stopCrashed(db);
            }
            db = null;
            if (r.nextInt(3) == 0) {
                // Lose power again, during the recovery of this crash.
                FaultFileIO.Op op = r.nextBoolean() ? FaultFileIO.Op.FORCE : FaultFileIO.Op.SYNC_DIR;
                io.crashOn(op, 1 + r.nextInt(3));
            }
            FerrumDB reopened = openAfterCrashes(dir, options, io, where);
            io.disarm();
            TreeMap<String, String> actual = History.dump(reopened);
            int min = policy.isAlways() ? acknowledged : synced;
            int k = History.matchingPrefix(state, history, actual, min);
            if (k < min) {
                TreeMap<String, String> expected = History.after(state, history, acknowledged);
                throw new AssertionError(String.format("%s round %d: the reopened database is not a prefix of at"
                                + " least %d of these %d mutations (acknowledged %d, clean close %s; against the"
                                + " acknowledged state: %s; recovery report: %s; files: %s): %s%nbefore: %s%nactual: %s",
                        where, round, min, history.size(), acknowledged, cleanClose, History.diff(expected, actual),
                        reopened.recoveryReport(), SegmentLayout.listing(dir, History.differingKeys(expected, actual)),
                        history, state, actual));
            }
            if (policy.isAlways()) {
                assertThat(k).as("%s: more than the one unacknowledged mutation survived", where)
                        .isLessThanOrEqualTo(acknowledged + 1);
            }
            state = actual;
            if (r.nextBoolean()) {
                reopened.close();
            } else {
                db = reopened;
            }
        }
        if (db != null) {
            db.close();
        }
        try (FerrumDB last = FerrumDB.open(dir, options.toBuilder().fileIO(io.session()).build())) {
            assertThat(History.dump(last)).as("%s: after a final clean close", where).isEqualTo(state);
            assertThat(last.recoveryReport()).as("%s: clean close leaves nothing to recover", where).isEmpty();
        }
    }

    /**
     * Group commit under power loss: sync writers, a putAsync pipeline and a batch writer share fsyncs while power
     * is lost at a random I/O call. Every write acknowledged before the loss is there after reopen (with its
     * value or a later one of the same writer), and the batch keys hold one whole batch.
     */
    @Test
    void concurrentWritersKeepEveryAcknowledgedWrite() throws Exception {
        long base = Long.getLong("ferrumdb.seed", System.nanoTime());
        for (int i = 0; i < (SOAK ? 200 : 4); i++) {
            concurrentRound(base + i);
        }
    }

    private static byte[] counted(String key, long n) {
        return (key + "#" + n + "#" + "v".repeat((int) (n % 150))).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private void concurrentRound(long seed) throws Exception {
        String where = "seed " + seed + " (-Dferrumdb.seed=" + seed + ")";
        Random r = new Random(seed);
        FaultFileIO io = new FaultFileIO(seed).tail(FaultFileIO.Tail.values()[r.nextInt(3)]);
        Path dir = tmp.resolve("concurrent-" + seed);
        Options options = Options.builder().segmentSize(4096).build();
        java.util.concurrent.ConcurrentHashMap<String, Long> acked = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicLong ackedBatch = new java.util.concurrent.atomic.AtomicLong(-1);
        FerrumDB db = FerrumDB.open(dir, options.toBuilder().fileIO(io.session()).build());
        FaultFileIO.Op op = r.nextBoolean() ? FaultFileIO.Op.FORCE : FaultFileIO.Op.WRITE;
        io.crashOn(op, 5 + r.nextInt(150));
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            String prefix = "sync" + t + "-";
            threads.add(new Thread(() -> {
                try {
                    for (long n = 0; n < 5000; n++) {
                        String key = prefix + n % 10;
                        db.put(key.getBytes(java.nio.charset.StandardCharsets.UTF_8), counted(key, n));
                        acked.merge(key, n, Math::max);
                    }
                } catch (FerrumException e) {
                    // Writes fail once power is lost; what was acknowledged before is checked below.
                }
            }));
        }
        threads.add(new Thread(() -> {
            List<java.util.concurrent.CompletableFuture<Void>> inFlight = new ArrayList<>();
            for (long n = 0; n < 5000 && io.crashes() == 0; n++) {
                String key = "async-" + n % 24;
                long seq = n;
                inFlight.add(db.putAsync(key.getBytes(java.nio.charset.StandardCharsets.UTF_8), counted(key, n))
                        .thenRun(() -> acked.merge(key, seq, Math::max)));
                if (inFlight.size() == 16) {
                    inFlight.remove(0).exceptionally(e -> null).join();
                }
            }
            inFlight.forEach(f -> f.exceptionally(e -> null).join());
        }));
        threads.add(new Thread(() -> {
            try {
                for (long n = 0; n < 5000; n++) {
                    WriteBatch b = new WriteBatch();
                    for (int i = 0; i < 6; i++) {
                        b.put(("batch-" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8), counted("batch", n));
                    }
                    db.write(b);
                    ackedBatch.set(n);
                }
            } catch (FerrumException e) {
                // As for the sync writers.
            }
        }));
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        if (io.crashes() == 0) {
            io.disarm();
            io.crash();
        }
        stopCrashed(db);
        try (FerrumDB reopened = FerrumDB.open(dir, options.toBuilder().fileIO(io.session()).build())) {
            for (java.util.Map.Entry<String, Long> e : acked.entrySet()) {
                byte[] v = reopened.get(e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                assertThat(v).as("%s: acknowledged %s lost", where, e.getKey()).isNotNull();
                assertThat(counterOf(e.getKey(), v, where)).as("%s: %s went back", where, e.getKey())
                        .isGreaterThanOrEqualTo(e.getValue());
            }
            byte[] first = reopened.get("batch-0".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            for (int i = 1; i < 6; i++) {
                assertThat(reopened.get(("batch-" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                        .as("%s: half a batch", where).isEqualTo(first);
            }
            if (ackedBatch.get() >= 0) {
                assertThat(first).as("%s: acknowledged batch lost", where).isNotNull();
                assertThat(counterOf("batch", first, where)).isGreaterThanOrEqualTo(ackedBatch.get());
            }
        }
    }

    private static long counterOf(String key, byte[] value, String where) {
        String s = new String(value, java.nio.charset.StandardCharsets.UTF_8);
        String[] parts = s.split("#", 3);
        assertThat(parts[0]).as("%s: value of %s names another key: %s", where, key, s).isEqualTo(key);
        long n = Long.parseLong(parts[1]);
        assertThat(value).as("%s: value of %s is damaged", where, key).isEqualTo(counted(key, n));
        return n;
    }

    /**
     * Stops the threads of an instance whose power was lost. Its file layer is dead, so close cannot touch the
     * files; it fails on the dead channels, which is expected and says nothing about the engine.
     */
    private static void stopCrashed(FerrumDB db) {
        try {
            db.close();
        } catch (FerrumException expected) {
            assertThat(db.isClosed()).isTrue();
        }
    }

    /** Opens the database; a power loss injected during the open is followed by another open. */
    private static FerrumDB openAfterCrashes(Path dir, Options options, FaultFileIO io, String where) {
        while (true) {
            int before = io.crashes();
            try {
                return FerrumDB.open(dir, options.toBuilder().fileIO(io.session()).build());
            } catch (FerrumException e) {
                if (io.crashes() == before) {
                    throw new AssertionError(where + ": open failed without a crash during it", e);
                }
            }
        }
    }
}
