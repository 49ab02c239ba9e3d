package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeTry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code db.compact()} in several subcompactions ({@code Options.compactionThreads}) against one thread, through the
 * public API: the same live data after any workload, with puts, overwrites, deletes and values with a TTL that
 * expire between compactions; writes, deletes and TTLs racing a parallel compaction; the rate limit honoured with
 * several threads. Segments are small, so that every compaction here has the live bytes to run several parts
 * (checked by {@link #severalThreadsWriteOutputsOfTheirOwn}: each part fills output files of its own).
 */
class SubcompactionTest {
    private static final long START = 1_700_000_000_000L;

    @TempDir
    Path tmp;

    private Path propertyDir;

    @BeforeTry
    void scratch() throws Exception {
        propertyDir = Files.createTempDirectory("subcompaction-property");
    }

    @AfterTry
    void removeScratch() throws Exception {
        try (var files = Files.walk(propertyDir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static Options options(int threads, MutableClock clock) {
        return Options.builder().segmentSize(4096).autoCompaction(false).fsyncPolicy(FsyncPolicy.never())
                .compactionThreads(threads).clock(clock).build();
    }

    private static byte[] key(int i) {
        return ("key-" + i).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The same random workload on two databases, one compacting on one thread and one on {@code threads}: after
     * every compaction both hold the same data, which is also the model's; so after reopening and after a last
     * compaction of each.
     */
    @Property(tries = 25)
    void severalThreadsLeaveTheSameLiveDataAsOne(@ForAll long seed, @ForAll @IntRange(min = 2, max = 8) int threads) {
        MutableClock clock1 = new MutableClock(START);
        MutableClock clockN = new MutableClock(START);
        Path one = propertyDir.resolve("one");
        Path many = propertyDir.resolve("many");
        Random r = new Random(seed);
        TreeMap<String, String> model = new TreeMap<>();
        TreeMap<String, Long> expiry = new TreeMap<>();
        try (FerrumDB a = FerrumDB.open(one, options(1, clock1));
             FerrumDB b = FerrumDB.open(many, options(threads, clockN))) {
            int keys = 50 + r.nextInt(250);
            for (int round = 0; round < 4; round++) {
                int ops = 200 + r.nextInt(600);
                for (int op = 0; op < ops; op++) {
                    int k = r.nextInt(keys);
                    byte[] key = key(k);
                    String hexKey = History.HEX.formatHex(key);
                    int kind = r.nextInt(10);
                    if (kind < 2) {
                        a.delete(key);
                        b.delete(key);
                        model.remove(hexKey);
                        expiry.remove(hexKey);
                    } else {
                        byte[] value = History.value(r, 120);
                        String hexValue = History.HEX.formatHex(value);
                        if (kind < 4) {
                            long ttl = 1 + r.nextInt(3000);
                            a.put(key, value, Duration.ofMillis(ttl));
                            b.put(key, value, Duration.ofMillis(ttl));
                            expiry.put(hexKey, clock1.millis() + ttl);
                        } else {
                            a.put(key, value);
                            b.put(key, value);
                            expiry.remove(hexKey);
                        }
                        model.put(hexKey, hexValue);
                    }
                }
                long advance = r.nextInt(2000);
                clock1.advance(Duration.ofMillis(advance));
                clockN.advance(Duration.ofMillis(advance));
                expire(model, expiry, clock1.millis());
                a.compact();
                b.compact();
                assertThat(History.dump(b)).as("round %d, %d threads", round, threads).isEqualTo(History.dump(a))
                        .isEqualTo(model);
            }
        }
        try (FerrumDB a = FerrumDB.open(one, options(1, clock1));
             FerrumDB b = FerrumDB.open(many, options(threads, clockN))) {
            assertThat(History.dump(b)).as("reopened").isEqualTo(model);
            assertThat(History.dump(a)).isEqualTo(model);
            b.compact();
            assertThat(History.dump(b)).as("compacted again").isEqualTo(model);
        }
    }

    private static void expire(TreeMap<String, String> model, TreeMap<String, Long> expiry, long now) {
        expiry.entrySet().removeIf(e -> {
            if (e.getValue() <= now) {
                model.remove(e.getKey());
                return true;
            }
            return false;
        });
    }

    /**
     * Guards the other tests: with the live bytes of 1.2 segments (4.7 quarter segments), one thread writes two
     * output segments and four threads at least four (each part's own).
     */
    @Test
    void severalThreadsWriteOutputsOfTheirOwn() {
        int[] segments = new int[2];
        int[] threads = {1, 4};
        for (int t = 0; t < 2; t++) {
            try (FerrumDB db = FerrumDB.open(tmp.resolve("db-" + threads[t]), options(threads[t],
                    new MutableClock(START)))) {
                // About 4.9 KiB of live records (36 of about 136 bytes), 1.2 segments of 4 KiB.
                for (int i = 0; i < 36; i++) {
                    db.put(key(i), new byte[100]);
                }
                db.compact();
                segments[t] = db.stats().segments().size();
                for (int i = 0; i < 36; i++) {
                    assertThat(db.get(key(i))).as("key %d", i).hasSize(100);
                }
            }
        }
        // The counts include the active segment the writer rolled to, in both databases.
        assertThat(segments[1]).as("segments after four threads' compaction, against %d after one thread's",
                segments[0]).isGreaterThanOrEqualTo(segments[0] + 2);
    }

    /**
     * An encrypted database: parts re-encrypt records under their outputs' own salts, two parts may read one input
     * (its hint and records) at once; every value survives, also after reopening.
     */
    @Test
    void anEncryptedDatabaseCompactsInSeveralParts() {
        Options encrypted = EncryptedOptions.encrypted(options(4, new MutableClock(START)));
        Path dir = tmp.resolve("encrypted");
        TreeMap<String, String> before;
        try (FerrumDB db = FerrumDB.open(dir, encrypted)) {
            Random r = new Random(5);
            for (int i = 0; i < 600; i++) {
                db.put(key(r.nextInt(200)), History.value(r, 100));
            }
            before = History.dump(db);
            db.compact();
            assertThat(History.dump(db)).isEqualTo(before);
        }
        try (FerrumDB db = FerrumDB.open(dir, encrypted)) {
            assertThat(History.dump(db)).as("reopened").isEqualTo(before);
        }
    }

    /**
     * Writers put, overwrite, delete and put with TTLs (some expiring at the next tick of the clock) on keys of
     * their own while the main thread compacts with four threads and moves the clock on, again and again. Each
     * key ends with its writer's last operation; so after reopening.
     */
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void writesDeletesAndTtlsRacingAParallelCompactionAllCount() throws Exception {
        MutableClock clock = new MutableClock(START);
        Path dir = tmp.resolve("db");
        int writers = 3;
        int keysEach = 200;
        ConcurrentHashMap<String, String> expected = new ConcurrentHashMap<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (FerrumDB db = FerrumDB.open(dir, options(4, clock))) {
            for (int i = 0; i < writers * keysEach; i++) {
                db.put(key(i), ("initial-" + i).getBytes(StandardCharsets.UTF_8));
            }
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                Thread t = new Thread(() -> {
                    try {
                        write(db, writer, keysEach, expected);
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }, "writer-" + w);
                threads.add(t);
                t.start();
            }
            int compactions = 0;
            while (threads.stream().anyMatch(Thread::isAlive) || compactions < 3) {
                db.compact();
                clock.advance(Duration.ofMillis(5));
                compactions++;
            }
            for (Thread t : threads) {
                t.join();
            }
            assertThat(failure.get()).as("writer failure").isNull();
            // Every short TTL has passed by now; the long ones are days away.
            clock.advance(Duration.ofHours(1));
            db.compact();
            assertThat(History.dump(db)).isEqualTo(new TreeMap<>(expected));
        }
        try (FerrumDB db = FerrumDB.open(dir, options(4, clock))) {
            assertThat(History.dump(db)).as("reopened").isEqualTo(new TreeMap<>(expected));
        }
    }

    /** Writer {@code w}'s operations on its keys; {@code expected} gets each key's outcome after the last one. */
    private static void write(FerrumDB db, int w, int keysEach, ConcurrentHashMap<String, String> expected) {
        Random r = new Random(w);
        TreeMap<String, String> mine = new TreeMap<>();
        for (int i = w * keysEach; i < (w + 1) * keysEach; i++) {
            mine.put(History.HEX.formatHex(key(i)), History.HEX.formatHex(("initial-" + i)
                    .getBytes(StandardCharsets.UTF_8)));
        }
        for (int op = 0; op < 6000; op++) {
            int i = w * keysEach + r.nextInt(keysEach);
            byte[] key = key(i);
            String hexKey = History.HEX.formatHex(key);
            byte[] value = History.value(r, 150);
            switch (r.nextInt(5)) {
                case 0 -> {
                    db.delete(key);
                    mine.remove(hexKey);
                }
                case 1 -> {
                    db.put(key, value, Duration.ofMillis(1));
                    mine.remove(hexKey); // gone by the end
                }
                case 2 -> {
                    db.put(key, value, Duration.ofDays(3));
                    mine.put(hexKey, History.HEX.formatHex(value));
                }
                default -> {
                    db.put(key, value);
                    mine.put(hexKey, History.HEX.formatHex(value));
                }
            }
        }
        expected.putAll(mine);
    }

    /**
     * A rate limit with several threads (the limit is shared; CompactionPartTest checks the arithmetic with a
     * clock of its own): the parallel compaction under it keeps every value. Nothing here measures time.
     */
    @Test
    void rateLimitedParallelCompactionKeepsEveryValue() {
        Options limited = Options.builder().segmentSize(4096).autoCompaction(false).fsyncPolicy(FsyncPolicy.never())
                .compactionThreads(4).compactionRateLimit(4 << 20).build();
        try (FerrumDB db = FerrumDB.open(tmp.resolve("limited"), limited)) {
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < 300; i++) {
                    db.put(key(i), (round + "-" + i + "-" + "v".repeat(60)).getBytes(StandardCharsets.UTF_8));
                }
            }
            CompactionResult result = db.compact();
            assertThat(result.bytesReclaimed()).isPositive();
            for (int i = 0; i < 300; i++) {
                assertThat(new String(db.get(key(i)), StandardCharsets.UTF_8)).isEqualTo("2-" + i + "-"
                        + "v".repeat(60));
            }
        }
    }
}
