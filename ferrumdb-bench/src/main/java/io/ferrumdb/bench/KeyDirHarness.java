package io.ferrumdb.bench;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.KeyRange;
import io.ferrumdb.Options;
import io.ferrumdb.WriteBatch;
import io.ferrumdb.internal.format.HintFile;
import io.ferrumdb.internal.format.RecordFormat;
import io.ferrumdb.internal.keydir.KeyDir;
import io.ferrumdb.internal.keydir.KeyDirLoader;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Issue 18's key directory measurements, each in a child JVM of {@link Harness}: open + first GET against a naive
 * primitive-table loader of the same hint entries, GET latency against one naive probe plus one memory-mapped
 * read (alternating slices in one JVM), puts with {@code never()} against a raw buffered append of the same
 * bytes, and 3M ordered keys in a 384 MiB heap. Every ratio compares two measurements of the same run.
 */
final class KeyDirHarness {
    /** Untimed calls of each put loop before the timed rounds, and the keys of each ({@link #warmUpPutLoops}). */
    private static final int WARM_UP_CALLS = 5;
    private static final long WARM_UP_KEYS = 100_000;

    private static final int VALUE_SIZE = 100;

    private KeyDirHarness() {
    }

    private static Options options(boolean ordered) {
        return Options.builder().orderedKeys(ordered).fsyncPolicy(FsyncPolicy.never()).build();
    }

    /**
     * Open + first GET, time to the first scan, and close, against the naive loader, best of {@code rounds}. Each
     * kind of directory (hash-only, ordered) is measured in its own rounds after one untimed open and close of that
     * kind, so that every timed open finds the store as a clean close with the same options left it (with a key
     * directory image, where the build writes one: an open of the other kind cannot use an image). The ordered
     * opens scan once, so that their close leaves the ordered index built, as a database that serves scans does.
     * Closes are timed too: the untimed round's ({@code ...FirstCloseMillis}) follows an open of the other kind.
     */
    static Map<String, Object> open(long keys, int rounds) throws IOException {
        Path dir = Datasets.ready("ferrum", keys, VALUE_SIZE, "");
        byte[] probe = Data.key(keys - 1);
        Map<Boolean, List<Double>> opens = new LinkedHashMap<>();
        Map<Boolean, List<Double>> closes = new LinkedHashMap<>();
        // The process's CPU time of each open + first GET and each close (steadier than wall time under load).
        Map<Boolean, List<Double>> openCpu = new LinkedHashMap<>();
        Map<Boolean, List<Double>> closeCpu = new LinkedHashMap<>();
        // The untimed round's close: after an open that could not use the other kind's image (where the build
        // writes images), the close that writes one.
        Map<Boolean, Double> firstClose = new LinkedHashMap<>();
        List<Double> firstScan = new ArrayList<>();
        for (boolean ordered : new boolean[] {false, true}) {
            opens.put(ordered, new ArrayList<>());
            closes.put(ordered, new ArrayList<>());
            openCpu.put(ordered, new ArrayList<>());
            closeCpu.put(ordered, new ArrayList<>());
            for (int round = -1; round < rounds; round++) {
                long cpu0 = CompactionHarness.processCpuNanos();
                long t0 = System.nanoTime();
                FerrumDB db = FerrumDB.open(dir, options(ordered));
                if (db.get(probe) == null) {
                    throw new BenchException("key missing after open of " + dir);
                }
                double first = (System.nanoTime() - t0) / 1e6;
                long cpu1 = CompactionHarness.processCpuNanos();
                double scan = 0;
                if (ordered) {
                    if (db.firstKey(KeyRange.all()).isEmpty()) {
                        throw new BenchException("no first key after open of " + dir);
                    }
                    scan = (System.nanoTime() - t0) / 1e6;
                }
                long cpu2 = CompactionHarness.processCpuNanos();
                long c0 = System.nanoTime();
                db.close();
                double close = (System.nanoTime() - c0) / 1e6;
                if (round < 0) {
                    firstClose.put(ordered, close);
                } else {
                    opens.get(ordered).add(first);
                    closes.get(ordered).add(close);
                    openCpu.get(ordered).add((cpu1 - cpu0) / 1e6);
                    closeCpu.get(ordered).add((CompactionHarness.processCpuNanos() - cpu2) / 1e6);
                    if (ordered) {
                        firstScan.add(scan);
                    }
                }
            }
        }
        List<Double> naive = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            long t0 = System.nanoTime();
            NaiveKeyTable table = NaiveKeyTable.load(dir, (int) keys);
            if (table.probe(probe) < 0 || table.size() != keys) {
                throw new BenchException("naive loader found " + table.size() + " keys, expected " + keys);
            }
            naive.add((System.nanoTime() - t0) / 1e6);
        }
        Map<String, Object> r = row("keydir-open", keys);
        List<Double> ferrumHash = opens.get(false);
        List<Double> ferrumOrdered = opens.get(true);
        r.put("hashOnlyMillis", ferrumHash);
        r.put("orderedMillis", ferrumOrdered);
        r.put("orderedFirstScanMillis", firstScan);
        r.put("hashOnlyCloseMillis", closes.get(false));
        r.put("orderedCloseMillis", closes.get(true));
        r.put("hashOnlyFirstCloseMillis", firstClose.get(false));
        r.put("orderedFirstCloseMillis", firstClose.get(true));
        r.put("hashOnlyProcessCpuMillis", openCpu.get(false));
        r.put("orderedProcessCpuMillis", openCpu.get(true));
        r.put("hashOnlyCloseProcessCpuMillis", closeCpu.get(false));
        r.put("orderedCloseProcessCpuMillis", closeCpu.get(true));
        r.put("keyDirImage", Files.exists(dir.resolve("KEYDIR")));
        r.put("naiveLoaderMillis", naive);
        double n = min(naive);
        r.put("bestHashOnlyOverNaive", min(ferrumHash) / n);
        r.put("bestOrderedOverNaive", min(ferrumOrdered) / n);
        r.put("bestFirstScanOverNaive", min(firstScan) / n);
        return r;
    }

    /**
     * The key directory's load alone, without I/O or the engine: {@code keys} unique keys as hint entries of 1M-entry
     * segments built in memory, loaded by a {@link KeyDirLoader} into a directory sized for them, {@code rounds}
     * times. Reports the loading thread's CPU time beside wall time: on a loaded machine the process waits for a core
     * most of the time, and CPU time is what the loader's cache misses cost.
     */
    static Map<String, Object> load(long keys, int rounds) {
        int perSegment = 1_000_000;
        List<HintFile.Builder> segments = new ArrayList<>();
        for (long first = 0; first < keys; first += perSegment) {
            HintFile.Builder b = new HintFile.Builder();
            for (long i = first; i < Math.min(keys, first + perSegment); i++) {
                b.add(RecordFormat.TYPE_PUT, Data.key(i), 130, 64 + 130L * (i - first), i + 1, 0);
            }
            segments.add(b);
        }
        var threads = ManagementFactory.getThreadMXBean();
        List<Double> cpu = new ArrayList<>();
        List<Double> wall = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            Harness.settle();
            long c0 = threads.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            KeyDir dir = new KeyDir(false, (int) keys);
            KeyDirLoader loader = new KeyDirLoader(dir);
            for (int s = 0; s < segments.size(); s++) {
                loader.load(s + 1, segments.get(s).cursor(Path.of("segment-" + (s + 1)), s + 1, Long.MAX_VALUE));
            }
            loader.finish();
            cpu.add((threads.getCurrentThreadCpuTime() - c0) / 1e6);
            wall.add((System.nanoTime() - t0) / 1e6);
            if (dir.size() != keys) {
                throw new BenchException("loaded " + dir.size() + " keys, expected " + keys);
            }
        }
        Map<String, Object> r = row("keydir-load", keys);
        r.put("cpuMillis", cpu);
        r.put("wallMillis", wall);
        r.put("bestCpuMillis", min(cpu));
        return r;
    }

    /**
     * Heap, native (RssAnon) and file-backed (RssFile) bytes per key after an open of the prepared data set and a
     * first GET (and, with ordered keys, the first scan, so the ordered index is built): the key directory as open
     * sizes it, without the growth a fresh database's puts go through. Run with a fixed pre-touched heap (see
     * Harness).
     */
    static Map<String, Object> openMemory(long keys, boolean ordered) {
        Path dir = Datasets.ready("ferrum", keys, VALUE_SIZE, "");
        byte[] probe = Data.key(keys - 1);
        Harness.settle();
        long heap0 = Harness.heapUsed();
        long anon0 = Machine.rssAnonBytes();
        long file0 = Machine.rssFileBytes();
        Map<String, Object> r = row("keydir-open-memory", keys);
        r.put("ordered", ordered);
        try (FerrumDB db = FerrumDB.open(dir, options(ordered))) {
            if (db.get(probe) == null) {
                throw new BenchException("key missing after open of " + dir);
            }
            if (ordered && db.firstKey(KeyRange.all()).isEmpty()) {
                throw new BenchException("no first key after open of " + dir);
            }
            Harness.settle();
            long heap1 = Harness.heapUsed();
            long anon1 = Machine.rssAnonBytes();
            r.put("heapBytesPerKey", (double) (heap1 - heap0) / keys);
            r.put("nativeBytesPerKey", anon0 < 0 ? null : (double) (anon1 - anon0) / keys);
            // An image's areas mapped copy-on-write are file-backed until written (RssFile, not RssAnon): beside the
            // anonymous memory, so that such a directory's memory is not hidden (segments mapped by reads count too).
            r.put("fileBytesPerKey", file0 < 0 ? null : (double) (Machine.rssFileBytes() - file0) / keys);
            // Beside the figure above: the same after malloc returned its free memory to the system, which tells the
            // memory the process uses from the free lists of the JIT compilers' scratch (5 MB one run, none the next).
            if (anon0 >= 0 && Machine.trimNativeHeap()) {
                r.put("nativeBytesPerKeyAfterTrim", (double) (Machine.rssAnonBytes() - anon0) / keys);
            }
            java.lang.ref.Reference.reachabilityFence(db);
        }
        return r;
    }

    /**
     * Random GETs of present keys: FerrumDB against one naive-table probe plus one mapped copy, in alternating
     * slices of {@code perSlice} reads each, every read timed.
     */
    static Map<String, Object> get(long keys, boolean ordered, int slices, int perSlice) throws IOException {
        Path dir = Datasets.ready("ferrum", keys, VALUE_SIZE, "");
        NaiveKeyTable naive = NaiveKeyTable.load(dir, (int) keys);
        naive.mapSegments(dir);
        long[] ferrumNs = new long[slices * perSlice];
        long[] naiveNs = new long[slices * perSlice];
        SplittableRandom rnd = new SplittableRandom(7);
        byte[] key = new byte[Data.KEY_SIZE];
        long sink = 0;
        try (FerrumDB db = FerrumDB.open(dir, options(ordered))) {
            for (int warm = 0; warm < 3 * perSlice; warm++) {
                Data.key(rnd.nextLong(keys), key);
                sink += db.get(key).length + naive.get(key).length;
            }
            for (int s = 0; s < slices; s++) {
                sink += timedReads(db::get, keys, rnd, ferrumNs, s * perSlice, perSlice);
                sink += timedReads(naive::get, keys, rnd, naiveNs, s * perSlice, perSlice);
            }
        }
        // Every read returned a whole value; the sum also keeps the JIT from dropping the reads.
        if (sink != (3L + slices) * perSlice * 2 * VALUE_SIZE) {
            throw new BenchException("unexpected value sizes: read " + sink + " bytes in all");
        }
        Arrays.sort(ferrumNs);
        Arrays.sort(naiveNs);
        Map<String, Object> r = row("keydir-get", keys);
        r.put("ordered", ordered);
        r.put("reads", ferrumNs.length);
        r.put("ferrumP50Ns", pct(ferrumNs, 0.5));
        r.put("ferrumP99Ns", pct(ferrumNs, 0.99));
        r.put("ferrumP999Ns", pct(ferrumNs, 0.999));
        r.put("naiveP50Ns", pct(naiveNs, 0.5));
        r.put("naiveP99Ns", pct(naiveNs, 0.99));
        r.put("naiveP999Ns", pct(naiveNs, 0.999));
        r.put("p50Ratio", (double) pct(ferrumNs, 0.5) / pct(naiveNs, 0.5));
        r.put("p999Ratio", (double) pct(ferrumNs, 0.999) / pct(naiveNs, 0.999));
        return r;
    }

    /** Reads {@code n} random present keys, timing each into {@code ns[from..]}; returns the bytes read. */
    private static long timedReads(java.util.function.Function<byte[], byte[]> reader, long keys,
            SplittableRandom rnd, long[] ns, int from, int n) {
        byte[] key = new byte[Data.KEY_SIZE];
        long bytes = 0;
        for (int i = 0; i < n; i++) {
            Data.key(rnd.nextLong(keys), key);
            long t0 = System.nanoTime();
            byte[] v = reader.apply(key);
            ns[from + i] = System.nanoTime() - t0;
            bytes += v.length;
        }
        return bytes;
    }

    /**
     * One thread puts {@code keys} new keys with {@code never()}, against a raw buffered append (64 KiB buffer) of
     * the same record bytes; two rounds each, alternating. Also 1,000 single puts and one batch of 1,000.
     *
     * <p>Two measures, both reported. The round ({@code ferrumOverRaw}): FerrumDB's open + puts + close against the
     * raw append's file creation + writes + close. The puts ({@code putsOverRaw}, what issue 18's target is judged
     * by): FerrumDB from the first put to the last put returned against the raw append from its first write to its
     * last buffer handed to the OS. A put with {@code never()} returns once its record is in the writer's memory, as
     * a buffered write does; a clean close forces every record (the last rolled segment's seal and an fsync of the
     * active one), durability the raw append's close does not pay, so the round compares unlike ends. Open and
     * close are timed and reported apart, and the putting thread's CPU time a put beside them.
     */
    static Map<String, Object> put(long keys) throws IOException {
        byte[][] values = Data.valuePool(VALUE_SIZE);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        List<Double> ferrum = new ArrayList<>();
        List<Double> raw = new ArrayList<>();
        List<Double> ferrumOpen = new ArrayList<>();
        List<Double> ferrumPuts = new ArrayList<>();
        List<Double> ferrumClose = new ArrayList<>();
        List<Double> ferrumPutCpuNs = new ArrayList<>();
        List<Double> rawWrites = new ArrayList<>();
        Path scratch = Datasets.scratch("keydir-put");
        try {
            warmUpPutLoops(scratch, values);
            for (int round = 0; round < 2; round++) {
                Path rawFile = scratch.resolve("raw-" + round + ".log");
                Files.createDirectories(scratch);
                long t0 = System.nanoTime();
                try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(rawFile,
                        StandardOpenOption.CREATE_NEW), 64 << 10)) {
                    long w0 = System.nanoTime();
                    appendAll(out, keys, values);
                    out.flush();
                    rawWrites.add((System.nanoTime() - w0) / 1e9);
                }
                raw.add((System.nanoTime() - t0) / 1e9);
                Path dbDir = scratch.resolve("db-" + round);
                t0 = System.nanoTime();
                long putsEnd;
                try (FerrumDB db = FerrumDB.open(dbDir, options(true))) {
                    long p0 = System.nanoTime();
                    long cpu0 = threads.getCurrentThreadCpuTime();
                    putAll(db, keys, values);
                    long cpu1 = threads.getCurrentThreadCpuTime();
                    putsEnd = System.nanoTime();
                    ferrumOpen.add((p0 - t0) / 1e9);
                    ferrumPuts.add((putsEnd - p0) / 1e9);
                    ferrumPutCpuNs.add((double) (cpu1 - cpu0) / keys);
                }
                long end = System.nanoTime();
                ferrumClose.add((end - putsEnd) / 1e9);
                ferrum.add((end - t0) / 1e9);
            }
            Map<String, Object> r = row("keydir-put", keys);
            r.put("ferrumSeconds", ferrum);
            r.put("rawAppendSeconds", raw);
            r.put("ferrumPutsPerSec", keys / min(ferrum));
            r.put("rawAppendsPerSec", keys / min(raw));
            r.put("ferrumOverRaw", min(raw) / min(ferrum));
            r.put("ferrumOpenSeconds", ferrumOpen);
            r.put("ferrumPutsSeconds", ferrumPuts);
            r.put("ferrumCloseSeconds", ferrumClose);
            r.put("ferrumPutCpuNsPerPut", ferrumPutCpuNs);
            r.put("rawWritesSeconds", rawWrites);
            r.put("putsOverRaw", min(rawWrites) / min(ferrumPuts));
            thousandSets(scratch.resolve("thousand"), values, r);
            return r;
        } finally {
            Datasets.delete(scratch);
        }
    }

    /*
     * Each timed loop is a method of its own, run to its end a few times on small counts before the timed rounds,
     * as JMH warms a benchmark up: a loop inlined in put() and run once a round was compiled on the stack (OSR)
     * from a profile in which it had never exited, so the compile was thrown away at its exit and the second round,
     * whose time the ratio takes, started interpreted, for both contenders alike (session 9, "puts with never()").
     */

    private static void warmUpPutLoops(Path scratch, byte[][] values) throws IOException {
        Path dir = scratch.resolve("warm-up");
        Files.createDirectories(dir);
        for (int i = 0; i < WARM_UP_CALLS; i++) {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(dir.resolve("raw-" + i + ".log"),
                    StandardOpenOption.CREATE_NEW), 64 << 10)) {
                appendAll(out, WARM_UP_KEYS, values);
            }
            try (FerrumDB db = FerrumDB.open(dir.resolve("db-" + i), options(true))) {
                putAll(db, WARM_UP_KEYS, values);
            }
        }
        Datasets.delete(dir);
    }

    private static void appendAll(OutputStream out, long keys, byte[][] values) throws IOException {
        byte[] header = new byte[28];
        for (long i = 0; i < keys; i++) {
            header[0] = (byte) i;
            out.write(header);
            out.write(Data.key(i));
            out.write(Data.value(values, i));
        }
    }

    private static void putAll(FerrumDB db, long keys, byte[][] values) {
        for (long i = 0; i < keys; i++) {
            db.put(Data.key(i), Data.value(values, i));
        }
    }

    /** The original FerrumDB's claim, "1,000 SETs in under 2.4 ms": best of 20 rounds after warm-up. */
    private static void thousandSets(Path dir, byte[][] values, Map<String, Object> r) {
        double singles = Double.MAX_VALUE;
        double batch = Double.MAX_VALUE;
        try (FerrumDB db = FerrumDB.open(dir, options(true))) {
            for (int round = 0; round < 40; round++) {
                long base = round * 2_000L;
                long t0 = System.nanoTime();
                for (int i = 0; i < 1_000; i++) {
                    db.put(Data.key(base + i), Data.value(values, i));
                }
                double s = (System.nanoTime() - t0) / 1e6;
                WriteBatch b = new WriteBatch();
                for (int i = 0; i < 1_000; i++) {
                    b.put(Data.key(base + 1_000 + i), Data.value(values, i));
                }
                t0 = System.nanoTime();
                db.write(b);
                double w = (System.nanoTime() - t0) / 1e6;
                if (round >= 20) {
                    singles = Math.min(singles, s);
                    batch = Math.min(batch, w);
                }
            }
        }
        r.put("thousandSinglePutsMillis", singles);
        r.put("thousandPutBatchMillis", batch);
    }

    /**
     * Bytes a GET allocates, by {@code ThreadMXBean.getThreadAllocatedBytes} around 200,000 GETs of sealed records
     * (after a compaction: memory-mapped segments), for {@code get(key)} and {@code get(key, dst)}, against the bytes
     * of the returned value array measured the same way. Then "read what I just wrote", each GET timed: a put of a
     * new key, a {@code get(key, dst)} of it (its record still in the writer's pending chunk) and one of the key put
     * 1,000 puts earlier (about 140 KB back in the active segment: already handed to the OS by the flusher, which
     * writes every 64 KiB), against a GET of a random sealed key (memory map), in alternating slices.
     */
    static Map<String, Object> getAllocation(long keys) {
        byte[][] values = Data.valuePool(VALUE_SIZE);
        Path dir = Datasets.scratch("keydir-get-alloc");
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long self = Thread.currentThread().getId();
        int reads = 200_000;
        int slices = 20;
        int perSlice = 5_000;
        long[] latestNs = new long[slices * perSlice];
        long[] recentNs = new long[slices * perSlice];
        long[] sealedNs = new long[slices * perSlice];
        Map<String, Object> r = row("keydir-get-alloc", keys);
        try (FerrumDB db = FerrumDB.open(dir, options(true))) {
            for (long i = 0; i < keys; i++) {
                db.put(Data.key(i), Data.value(values, i));
            }
            db.compact();
            byte[][] probes = new byte[4096][];
            SplittableRandom rnd = new SplittableRandom(11);
            for (int i = 0; i < probes.length; i++) {
                probes[i] = Data.key(rnd.nextLong(keys));
            }
            ByteBuffer dst = ByteBuffer.allocate(VALUE_SIZE * 2);
            long sink = 0;
            double getBytes = 0;
            double getIntoBytes = 0;
            double valueBytes = 0;
            for (int round = 0; round < 5; round++) {
                long b0 = threads.getThreadAllocatedBytes(self);
                for (int i = 0; i < reads; i++) {
                    sink += db.get(probes[i & 4095]).length;
                }
                long b1 = threads.getThreadAllocatedBytes(self);
                for (int i = 0; i < reads; i++) {
                    dst.clear();
                    sink += db.get(probes[i & 4095], dst);
                }
                long b2 = threads.getThreadAllocatedBytes(self);
                for (int i = 0; i < reads; i++) {
                    byte[] copy = Arrays.copyOf(values[i & 1023], VALUE_SIZE);
                    sink += copy[i % VALUE_SIZE];
                }
                long b3 = threads.getThreadAllocatedBytes(self);
                // The last round counts: the JIT has compiled the loops by then.
                getBytes = (double) (b1 - b0) / reads;
                getIntoBytes = (double) (b2 - b1) / reads;
                valueBytes = (double) (b3 - b2) / reads;
            }
            long next = keys;
            for (int i = 0; i < 1_000; i++) {
                db.put(Data.key(next++), Data.value(values, i));
            }
            for (int s = 0; s < slices; s++) {
                for (int i = 0; i < perSlice; i++) {
                    byte[] k = Data.key(next);
                    byte[] earlier = Data.key(next - 1_000);
                    db.put(k, Data.value(values, next++));
                    dst.clear();
                    long t0 = System.nanoTime();
                    sink += db.get(k, dst);
                    long t1 = System.nanoTime();
                    dst.clear();
                    sink += db.get(earlier, dst);
                    recentNs[s * perSlice + i] = System.nanoTime() - t1;
                    latestNs[s * perSlice + i] = t1 - t0;
                }
                for (int i = 0; i < perSlice; i++) {
                    byte[] k = Data.key(rnd.nextLong(keys));
                    dst.clear();
                    long t0 = System.nanoTime();
                    sink += db.get(k, dst);
                    sealedNs[s * perSlice + i] = System.nanoTime() - t0;
                }
            }
            if (sink == 42) {
                throw new BenchException("unlikely sum; kept so that the JIT cannot drop the reads");
            }
            r.put("getAllocatedBytesPerRead", getBytes);
            r.put("getIntoBufferAllocatedBytesPerRead", getIntoBytes);
            r.put("valueArrayBytes", valueBytes);
            r.put("getBeyondValueBytes", getBytes - valueBytes);
        } finally {
            Datasets.delete(dir);
        }
        Arrays.sort(latestNs);
        Arrays.sort(recentNs);
        Arrays.sort(sealedNs);
        r.put("readLatestP50Ns", pct(latestNs, 0.5));
        r.put("readLatestP99Ns", pct(latestNs, 0.99));
        r.put("readThousandBackP50Ns", pct(recentNs, 0.5));
        r.put("readThousandBackP99Ns", pct(recentNs, 0.99));
        r.put("readSealedP50Ns", pct(sealedNs, 0.5));
        r.put("readSealedP99Ns", pct(sealedNs, 0.99));
        r.put("latestOverSealedP50", (double) pct(latestNs, 0.5) / pct(sealedNs, 0.5));
        r.put("thousandBackOverSealedP50", (double) pct(recentNs, 0.5) / pct(sealedNs, 0.5));
        return r;
    }

    /**
     * Run with -Xmx384m: puts {@code keys} ordered keys, reopens, reads a sample and scans everything. Fails with
     * an OutOfMemoryError (a failed child) when the directory does not fit.
     */
    static Map<String, Object> smallHeap(long keys) {
        byte[][] values = Data.valuePool(VALUE_SIZE);
        Path dir = Datasets.scratch("keydir-small-heap");
        Map<String, Object> r = row("keydir-small-heap", keys);
        r.put("maxHeapBytes", Runtime.getRuntime().maxMemory());
        try {
            try (FerrumDB db = FerrumDB.open(dir, options(true))) {
                for (long i = 0; i < keys; i++) {
                    db.put(Data.key(i), Data.value(values, i));
                }
            }
            long t0 = System.nanoTime();
            try (FerrumDB db = FerrumDB.open(dir, options(true))) {
                SplittableRandom rnd = new SplittableRandom(3);
                for (int i = 0; i < 100_000; i++) {
                    long k = rnd.nextLong(keys);
                    if (!Arrays.equals(db.get(Data.key(k)), Data.value(values, k))) {
                        throw new BenchException("wrong value for key " + k);
                    }
                }
                long counted = db.count(KeyRange.all());
                if (counted != keys) {
                    throw new BenchException("scan counted " + counted + " keys, expected " + keys);
                }
                r.put("reopenReadAndScanSeconds", (System.nanoTime() - t0) / 1e9);
                System.gc();
                r.put("heapUsedAfterScanBytes", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
                r.put("passed", true);
            }
        } finally {
            Datasets.delete(dir);
        }
        return r;
    }

    private static Map<String, Object> row(String kind, long keys) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("kind", kind);
        r.put("keys", keys);
        r.put("valueSize", VALUE_SIZE);
        return r;
    }

    private static long pct(long[] sorted, double q) {
        return sorted[(int) Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))];
    }

    private static double min(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    }
}
