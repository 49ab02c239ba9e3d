package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many threads at once: readers never see a damaged, foreign or older value while writers overwrite and delete;
 * scans running beside writers follow the weak consistency rules of ordered keys: each key at most once, in
 * order, never a key deleted or expired before the iterator was created, always a key untouched during the scan,
 * and for every key a value it had at some moment.
 */
class ConcurrencyTest {
    private static final boolean SOAK = Boolean.getBoolean("ferrumdb.soak");

    @TempDir
    Path dir;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String str(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** A value names its key and a per-key counter, so that a reader can tell where it came from. */
    private static byte[] value(String key, long counter) {
        return bytes(key + "#" + counter + "#" + "x".repeat((int) (counter % 97)));
    }

    private static long counterOf(String key, byte[] value) {
        String s = str(value);
        String[] parts = s.split("#", 3);
        assertThat(parts[0]).as("value %s read for key %s", s, key).isEqualTo(key);
        long counter = Long.parseLong(parts[1]);
        assertThat(s).as("value of %s", key).isEqualTo(str(value(key, counter)));
        return counter;
    }

    @Test
    void readersAndWritersOnManyThreads() throws Exception {
        int writers = 4;
        int readers = 4;
        int keysPerWriter = 50;
        int opsPerWriter = SOAK ? 200_000 : 6_000;
        Options options = Options.builder().segmentSize(64 << 10).fsyncPolicy(FsyncPolicy.never()).build();
        Map<String, Long> finalCounters = new ConcurrentHashMap<>();
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            AtomicBoolean writing = new AtomicBoolean(true);
            ExecutorService pool = Executors.newFixedThreadPool(writers + readers);
            CyclicBarrier start = new CyclicBarrier(writers + readers);
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int id = w;
                done.add(pool.submit(() -> {
                    start.await();
                    Random r = new Random(id);
                    for (long c = 1; c <= opsPerWriter; c++) {
                        String key = "w" + id + "-" + r.nextInt(keysPerWriter);
                        if (r.nextInt(10) == 0) {
                            db.delete(bytes(key));
                            finalCounters.remove(key);
                        } else if (r.nextInt(10) == 0) {
                            db.write(new WriteBatch().put(bytes(key), value(key, c)));
                            finalCounters.put(key, c);
                        } else {
                            db.put(bytes(key), value(key, c));
                            finalCounters.put(key, c);
                        }
                    }
                    return null;
                }));
            }
            List<Future<?>> reading = new ArrayList<>();
            for (int t = 0; t < readers; t++) {
                int id = t;
                reading.add(pool.submit(() -> {
                    start.await();
                    Random r = new Random(100 + id);
                    Map<String, Long> seen = new HashMap<>();
                    long reads = 0;
                    while (writing.get() || reads < 1000) {
                        String key = "w" + r.nextInt(writers) + "-" + r.nextInt(keysPerWriter);
                        byte[] v = db.get(bytes(key));
                        reads++;
                        if (v != null) {
                            long c = counterOf(key, v);
                            Long before = seen.put(key, c);
                            assertThat(before == null || before <= c).as("%s went back from %s to %s", key, before, c)
                                    .isTrue();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(5, TimeUnit.MINUTES);
            }
            writing.set(false);
            for (Future<?> f : reading) {
                f.get(5, TimeUnit.MINUTES);
            }
            pool.shutdown();
            checkFinal(db, finalCounters, writers, keysPerWriter);
        }
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            checkFinal(db, finalCounters, writers, keysPerWriter);
        }
    }

    private static void checkFinal(FerrumDB db, Map<String, Long> expected, int writers, int keysPerWriter) {
        for (int w = 0; w < writers; w++) {
            for (int k = 0; k < keysPerWriter; k++) {
                String key = "w" + w + "-" + k;
                byte[] v = db.get(bytes(key));
                Long c = expected.get(key);
                assertThat(v == null ? null : counterOf(key, v)).as(key).isEqualTo(c);
            }
        }
        assertThat(db.size()).isEqualTo(expected.size());
    }

    @Test
    void scansBesideWritersAreWeaklyConsistent() throws Exception {
        MutableClock clock = new MutableClock(1_700_000_000_000L);
        Options options = Options.builder().segmentSize(32 << 10).fsyncPolicy(FsyncPolicy.never()).clock(clock).build();
        int churnKeys = 200;
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            // Stable keys never change during the scans; gone keys are deleted or expired before any scan starts.
            for (int i = 0; i < 100; i++) {
                db.put(bytes("s" + i), value("s" + i, i));
                db.put(bytes("g" + i), value("g" + i, i));
                db.put(bytes("t" + i), value("t" + i, i), Duration.ofMillis(5));
            }
            for (int i = 0; i < 100; i++) {
                db.delete(bytes("g" + i));
            }
            clock.advance(Duration.ofMillis(10));
            AtomicBoolean writing = new AtomicBoolean(true);
            ExecutorService pool = Executors.newFixedThreadPool(5);
            List<Future<?>> writersDone = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                int id = w;
                writersDone.add(pool.submit(() -> {
                    Random r = new Random(id);
                    for (long c = 1; c <= (SOAK ? 300_000 : 8_000); c++) {
                        String key = "c" + r.nextInt(churnKeys);
                        if (r.nextInt(3) == 0) {
                            db.delete(bytes(key));
                        } else {
                            db.put(bytes(key), value(key, c));
                        }
                    }
                    return null;
                }));
            }
            List<Future<Integer>> scanners = new ArrayList<>();
            for (int s = 0; s < 3; s++) {
                int id = s;
                scanners.add(pool.submit(() -> {
                    Random r = new Random(1000 + id);
                    int scans = 0;
                    while (writing.get() || scans < 5) {
                        scan(db, r);
                        scans++;
                    }
                    return scans;
                }));
            }
            for (Future<?> f : writersDone) {
                f.get(5, TimeUnit.MINUTES);
            }
            writing.set(false);
            for (Future<Integer> f : scanners) {
                assertThat(f.get(5, TimeUnit.MINUTES)).isPositive();
            }
            pool.shutdown();
        }
    }

    private static void scan(FerrumDB db, Random r) {
        KeyRange range = switch (r.nextInt(4)) {
            case 0 -> KeyRange.all();
            case 1 -> KeyRange.prefix(bytes("c"));
            case 2 -> KeyRange.closedOpen(bytes("c5"), bytes("t"));
            default -> KeyRange.prefix(new byte[0]);
        };
        boolean reversed = r.nextBoolean();
        if (reversed) {
            range = range.reversed();
        }
        List<byte[]> keys = new ArrayList<>();
        java.util.Set<String> names = new java.util.HashSet<>();
        try (RangeIterator it = db.iterate(range)) {
            while (it.hasNext()) {
                KeyValue kv = it.next();
                String key = str(kv.key());
                assertThat(range.contains(kv.key())).as("%s outside %s", key, range).isTrue();
                assertThat(key.charAt(0)).as("%s was deleted or expired before the scan", key).isNotIn('g', 't');
                counterOf(key, kv.value());
                if (!keys.isEmpty()) {
                    int cmp = Arrays.compareUnsigned(keys.get(keys.size() - 1), kv.key());
                    assertThat(reversed ? cmp > 0 : cmp < 0).as("%s out of order or repeated in %s", key, range)
                            .isTrue();
                }
                keys.add(kv.key());
                names.add(key);
            }
        }
        for (int i = 0; i < 100; i++) {
            if (range.contains(bytes("s" + i))) {
                assertThat(names).as("stable key missing from %s", range).contains("s" + i);
            }
        }
    }
}
