package io.ferrumdb.bench;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.Options;
import io.ferrumdb.Stats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * Issue 23's space measurement, run as a {@link Harness} child command: every key of {@code keys} overwritten
 * {@code writesPerKey} times with default options (fsync never, so that the load is as fast as the writer can go
 * and background compaction has the hardest time keeping up), while one reader thread GETs random keys. Reports
 * the disk usage curve during the load, the disk usage five seconds after it (database still open), and put and
 * GET latency percentiles of the first pass (no dead data, no compaction) against the later passes (background
 * compaction running), measured in the same run.
 */
final class WritePathHarness {
    private static final int CURVE_POINTS = 22;

    private WritePathHarness() {
    }

    static Map<String, Object> spaceSteady(long keys, int valueSize, int writesPerKey) throws Exception {
        byte[][] values = Data.valuePool(valueSize);
        Path dir = Datasets.scratch("space-steady");
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("kind", "space-steady");
        r.put("engine", "ferrum");
        r.put("keys", keys);
        r.put("valueSize", valueSize);
        r.put("writesPerKey", writesPerKey);
        long rawLive = keys * (Data.KEY_SIZE + valueSize);
        r.put("rawLiveBytes", rawLive);
        r.put("settings", "Options.builder().fsyncPolicy(FsyncPolicy.never()), other options default");
        Options options = Options.builder().fsyncPolicy(FsyncPolicy.never()).build();
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            AtomicBoolean loading = new AtomicBoolean(true);
            AtomicBoolean firstPass = new AtomicBoolean(true);
            LatencyLog getsFirst = new LatencyLog();
            LatencyLog getsLater = new LatencyLog();
            Thread reader = new Thread(() -> {
                SplittableRandom rnd = new SplittableRandom(7);
                while (loading.get()) {
                    byte[] k = Data.key(rnd.nextLong(keys));
                    long t0 = System.nanoTime();
                    db.get(k);
                    (firstPass.get() ? getsFirst : getsLater).add(System.nanoTime() - t0);
                }
            }, "reader");
            reader.start();
            LatencyLog putsFirst = new LatencyLog();
            LatencyLog putsLater = new LatencyLog();
            List<Map<String, Object>> curve = new ArrayList<>();
            long total = keys * writesPerKey;
            long every = Math.max(1, total / CURVE_POINTS);
            long done = 0;
            long t0 = System.nanoTime();
            for (int w = 0; w < writesPerKey; w++) {
                LatencyLog puts = w == 0 ? putsFirst : putsLater;
                firstPass.set(w == 0);
                for (long i = 0; i < keys; i++) {
                    long s = System.nanoTime();
                    db.put(Data.key(i), Data.value(values, i + w));
                    puts.add(System.nanoTime() - s);
                    if (++done % every == 0) {
                        curve.add(point(dir, db, (System.nanoTime() - t0) / 1e9, done, rawLive));
                    }
                }
            }
            loading.set(false);
            reader.join();
            double loadSeconds = (System.nanoTime() - t0) / 1e9;
            r.put("loadSeconds", loadSeconds);
            r.put("diskBytesAtEnd", diskBytes(dir));
            Thread.sleep(5000);
            long disk = diskBytes(dir);
            Stats s = db.stats();
            r.put("diskBytesAfter5s", disk);
            r.put("diskOverRawLiveAfter5s", (double) disk / rawLive);
            r.put("segmentBytesAfter5s", s.totalBytes());
            r.put("liveRecordBytes", s.liveBytes());
            r.put("spaceAmplificationAfter5s", s.spaceAmplification());
            r.put("hintBytesAfter5s", disk - s.totalBytes());
            r.put("compactions", s.compactions());
            r.put("compactionBytesPerSec", s.compactionBytesPerSecond());
            r.put("curve", curve);
            r.put("putFirstPass", putsFirst.summary());
            r.put("putDuringCompaction", putsLater.summary());
            r.put("getFirstPass", getsFirst.summary());
            r.put("getDuringCompaction", getsLater.summary());
        } finally {
            Datasets.delete(dir);
        }
        return r;
    }

    private static Map<String, Object> point(Path dir, FerrumDB db, double seconds, long puts, long rawLive)
            throws IOException {
        Map<String, Object> p = new LinkedHashMap<>();
        long disk = diskBytes(dir);
        p.put("seconds", seconds);
        p.put("puts", puts);
        p.put("diskBytes", disk);
        p.put("diskOverRawLive", (double) disk / rawLive);
        p.put("pendingCompactionBytes", db.stats().pendingCompactionBytes());
        return p;
    }

    /**
     * Bytes of the files in {@code dir} now. Unlike {@link Datasets#size}, tolerates files that background
     * compaction deletes while they are being listed.
     */
    private static long diskBytes(Path dir) throws IOException {
        long total = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                try {
                    total += Files.size(p);
                } catch (NoSuchFileException e) {
                    // Deleted by compaction after the listing: no longer on disk.
                }
            }
        }
        return total;
    }

    /** Latencies of one thread, in nanoseconds. */
    private static final class LatencyLog {
        private long[] ns = new long[1 << 16];
        private int n;

        void add(long nanos) {
            if (n == ns.length) {
                ns = Arrays.copyOf(ns, n * 2);
            }
            ns[n++] = nanos;
        }

        Map<String, Object> summary() {
            long[] sorted = Arrays.copyOf(ns, n);
            Arrays.sort(sorted);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("count", n);
            if (n > 0) {
                m.put("p50us", Harness.percentile(sorted, 0.5) / 1e3);
                m.put("p99us", Harness.percentile(sorted, 0.99) / 1e3);
                m.put("p999us", Harness.percentile(sorted, 0.999) / 1e3);
            }
            return m;
        }
    }
}
