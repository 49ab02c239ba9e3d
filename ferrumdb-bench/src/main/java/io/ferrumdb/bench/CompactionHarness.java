package io.ferrumdb.bench;

import io.ferrumdb.CompactionResult;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.Options;
import io.ferrumdb.internal.directory.FileNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * Issue 4's measurements, run as {@link Harness} child commands (each in its own JVM, one {@code RESULT} line):
 * open time with hint files against a full data scan and against the raw read of the hint files; GET p99 while
 * {@code db.compact()} runs against p99 without; and compaction throughput against the sequential disk bandwidth
 * measured in the same JVM. All use FerrumDB with {@code fsyncPolicy(never())} and {@code autoCompaction(false)}.
 */
final class CompactionHarness {
    static final int CHUNK = 1 << 20;

    private CompactionHarness() {
    }

    /**
     * {@code db.compact()}'s threads ({@code Options.compactionThreads}) when the system property
     * {@code ferrumdb.bench.compactionThreads} is set; otherwise the engine's default (a build without the option
     * ignores the property).
     */
    static final Integer COMPACTION_THREADS = Integer.getInteger("ferrumdb.bench.compactionThreads");
    /** The threads that run subcompactions beside the caller (named by the engine; see Compactor). */
    private static final String SUBCOMPACTION_THREAD = "ferrumdb-subcompaction-";

    static Options options() {
        Options.Builder b = Options.builder().fsyncPolicy(FsyncPolicy.never()).autoCompaction(false);
        if (COMPACTION_THREADS != null) {
            b.compactionThreads(COMPACTION_THREADS);
        }
        return b.build();
    }

    static final String SETTINGS = "Options.builder().fsyncPolicy(FsyncPolicy.never()).autoCompaction(false), "
            + "other options default (64 MiB segments)";

    /** Puts keys 0..keys-1, then overwrites every second key once, so that half the keys have a dead record. */
    static void loadWithOverwrites(FerrumDB db, long keys, byte[][] values, boolean overwrite) {
        for (long i = 0; i < keys; i++) {
            db.put(Data.key(i), Data.value(values, i));
        }
        if (overwrite) {
            for (long i = 0; i < keys; i += 2) {
                db.put(Data.key(i), Data.value(values, i + 1));
            }
        }
        db.sync();
    }

    // ------------------------------------------------------------------ open: hints, full scan, raw hint read

    static Map<String, Object> openHints(long keys, int valueSize, int rounds) throws IOException {
        Path dir = Datasets.scratch("open-hints");
        Path noHints = Datasets.scratch("open-nohints");
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("kind", "open-hints");
        r.put("engine", "ferrum");
        r.put("keys", keys);
        r.put("valueSize", valueSize);
        r.put("settings", SETTINGS);
        try {
            try (FerrumDB db = FerrumDB.open(dir, options())) {
                loadWithOverwrites(db, keys, Data.valuePool(valueSize), false);
            }
            // Open and close once so every data segment is sealed with its hint file before the copies are made.
            try (FerrumDB db = FerrumDB.open(dir, options())) {
                db.get(Data.key(0));
            }
            // Not data: the KEYDIR image that close wrote (tens of MiB at 1M keys; deleted again before each open).
            Files.deleteIfExists(dir.resolve(FileNames.KEYDIR));
            List<Path> hints = files(dir, ".hint");
            r.put("hintFiles", hints.size());
            r.put("hintBytes", hints.stream().mapToLong(CompactionHarness::size).sum());
            r.put("dataBytes", Datasets.size(dir) - (long) r.get("hintBytes"));
            byte[] probe = Data.key(keys - 1);
            List<Double> withHints = new ArrayList<>();
            List<Double> fullScan = new ArrayList<>();
            List<Double> raw = new ArrayList<>();
            List<Boolean> imageAtOpen = new ArrayList<>();
            ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK);
            for (int round = 0; round < rounds; round++) {
                // Every clean close writes the KEYDIR image, which the next open maps instead of reading any hint
                // file: this row times the hint files, so each timed open starts without it (the image's open is
                // the keydir suite's).
                Files.deleteIfExists(dir.resolve(FileNames.KEYDIR));
                imageAtOpen.add(Files.exists(dir.resolve(FileNames.KEYDIR)));
                withHints.add(timeOpen(dir, probe));
                // A fresh copy without *.hint files (and without the image) each round: FerrumDB rebuilds them when
                // it opens.
                Datasets.delete(noHints);
                copyWithoutHints(dir, noHints);
                if (!files(noHints, ".hint").isEmpty()) {
                    throw new BenchException("hint files left in " + noHints);
                }
                imageAtOpen.add(Files.exists(noHints.resolve(FileNames.KEYDIR)));
                fullScan.add(timeOpen(noHints, probe));
                raw.add(rawRead(hints, buf)[1] / 1e6);
            }
            r.put("withHintsMillis", withHints);
            r.put("fullScanMillis", fullScan);
            r.put("keyDirImageAtOpen", imageAtOpen);
            r.put("rawHintReadMillis", raw);
            double h = min(withHints);
            double s = min(fullScan);
            double w = min(raw);
            r.put("bestWithHintsMillis", h);
            r.put("bestFullScanMillis", s);
            r.put("bestRawHintReadMillis", w);
            r.put("hintsOverRaw", h / w);
            r.put("fullScanOverHints", s / h);
        } finally {
            Datasets.delete(dir);
            Datasets.delete(noHints);
        }
        return r;
    }

    private static double timeOpen(Path dir, byte[] probe) {
        long t0 = System.nanoTime();
        try (FerrumDB db = FerrumDB.open(dir, options())) {
            if (db.get(probe) == null) {
                throw new BenchException("key " + new String(probe, StandardCharsets.US_ASCII) + " missing after open "
                        + "of " + dir);
            }
            return (System.nanoTime() - t0) / 1e6;
        }
    }

    private static void copyWithoutHints(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                if (Files.isRegularFile(p) && !name.endsWith(".hint") && !name.equals("LOCK")
                        && !name.equals(FileNames.KEYDIR)) {
                    Files.copy(p, to.resolve(name), StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    /** Reads every byte of {@code files} with a FileChannel into {@code buf}; returns {bytes, nanoseconds}. */
    static long[] rawRead(List<Path> files, ByteBuffer buf) throws IOException {
        long t0 = System.nanoTime();
        long bytes = 0;
        for (Path p : files) {
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                for (int n; (n = ch.read(buf.clear())) >= 0; ) {
                    bytes += n;
                }
            }
        }
        return new long[] {bytes, System.nanoTime() - t0};
    }

    private static List<Path> files(Path dir, String suffix) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double min(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    }

    // ------------------------------------------------------------------ GET latency during compaction

    /**
     * One reader thread timing each random GET with System.nanoTime, in alternating slices: {@code slices} without
     * compaction (each {@code baselineSeconds} long) and {@code slices} during which another thread runs
     * {@code db.compact()} back to back ({@code compactionsPerSlice} full compactions per slice).
     */
    static Map<String, Object> getDuringCompaction(long keys, int valueSize, int slices, int compactionsPerSlice)
            throws InterruptedException {
        Path dir = Datasets.scratch("get-compaction");
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("kind", "get-during-compaction");
        r.put("engine", "ferrum");
        r.put("keys", keys);
        r.put("valueSize", valueSize);
        r.put("settings", SETTINGS);
        r.put("slices", slices);
        r.put("compactionsPerSlice", compactionsPerSlice);
        try (FerrumDB db = FerrumDB.open(dir, options())) {
            loadWithOverwrites(db, keys, Data.valuePool(valueSize), true);
            SplittableRandom rnd = new SplittableRandom(11);
            Samples warm = new Samples(1 << 20);
            readFor(db, keys, rnd, warm, 1.0, null);
            Samples base = new Samples(1 << 22);
            Samples during = new Samples(1 << 22);
            List<Map<String, Object>> compactions = new ArrayList<>();
            double baseSeconds = 0;
            double duringSeconds = 0;
            for (int slice = 0; slice < slices; slice++) {
                // Compaction slice first, so the baseline slice after it lasts as long.
                AtomicBoolean done = new AtomicBoolean();
                AtomicReference<Throwable> failure = new AtomicReference<>();
                Thread compactor = new Thread(() -> {
                    try {
                        for (int c = 0; c < compactionsPerSlice; c++) {
                            CompactionResult cr = db.compact();
                            synchronized (compactions) {
                                compactions.add(result(cr));
                            }
                        }
                    } catch (RuntimeException | Error e) {
                        failure.set(e);
                    } finally {
                        done.set(true);
                    }
                }, "compactor");
                long t0 = System.nanoTime();
                compactor.start();
                readFor(db, keys, rnd, during, Double.MAX_VALUE, done);
                compactor.join();
                double sliceSeconds = (System.nanoTime() - t0) / 1e9;
                if (failure.get() != null) {
                    throw new BenchException("compaction failed", failure.get());
                }
                duringSeconds += sliceSeconds;
                long b0 = System.nanoTime();
                readFor(db, keys, rnd, base, sliceSeconds, null);
                baseSeconds += (System.nanoTime() - b0) / 1e9;
            }
            r.put("compactions", compactions);
            r.put("baseline", base.summary(baseSeconds));
            r.put("duringCompaction", during.summary(duringSeconds));
            double p99b = base.percentile(0.99);
            double p99c = during.percentile(0.99);
            r.put("p99Ratio", p99c / p99b);
            r.put("p50Ratio", during.percentile(0.50) / base.percentile(0.50));
            r.put("p999Ratio", during.percentile(0.999) / base.percentile(0.999));
        } finally {
            Datasets.delete(dir);
        }
        return r;
    }

    private static Map<String, Object> result(CompactionResult cr) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("segmentsCompacted", cr.segmentsCompacted());
        m.put("bytesRead", cr.bytesRead());
        m.put("bytesWritten", cr.bytesWritten());
        m.put("bytesReclaimed", cr.bytesReclaimed());
        m.put("seconds", cr.duration().toNanos() / 1e9);
        return m;
    }

    /** Random GETs until {@code seconds} pass or {@code stop} turns true, one latency sample per GET. */
    private static void readFor(FerrumDB db, long keys, SplittableRandom rnd, Samples out, double seconds,
            AtomicBoolean stop) {
        long deadline = seconds >= 1e6 ? Long.MAX_VALUE : System.nanoTime() + (long) (seconds * 1e9);
        byte[] key = new byte[Data.KEY_SIZE];
        for (long now = System.nanoTime(); now < deadline && (stop == null || !stop.get()); ) {
            Data.key(rnd.nextLong(keys), key);
            if (db.get(key) == null) {
                throw new BenchException("key missing during GET latency run");
            }
            long end = System.nanoTime();
            out.add(end - now);
            now = end;
        }
    }

    /** Latency samples; beyond capacity, keeps a uniform reservoir so that long runs do not fill the heap. */
    static final class Samples {
        long[] xs;
        long count;
        private boolean sorted;
        private final SplittableRandom rnd = new SplittableRandom(17);

        Samples(int capacity) {
            xs = new long[capacity];
        }

        void add(long ns) {
            if (count < xs.length) {
                xs[(int) count] = ns;
            } else {
                long j = rnd.nextLong(count + 1);
                if (j < xs.length) {
                    xs[(int) j] = ns;
                }
            }
            count++;
            sorted = false;
        }

        double percentile(double q) {
            int n = (int) Math.min(count, xs.length);
            if (!sorted) {
                Arrays.sort(xs, 0, n);
                sorted = true;
            }
            return xs[(int) Math.min(n - 1, Math.round(q * (n - 1)))];
        }

        Map<String, Object> summary(double seconds) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ops", count);
            m.put("seconds", seconds);
            m.put("opsPerSec", count / seconds);
            m.put("p50ns", percentile(0.50));
            m.put("p90ns", percentile(0.90));
            m.put("p99ns", percentile(0.99));
            m.put("p999ns", percentile(0.999));
            m.put("maxns", percentile(1.0));
            return m;
        }
    }

    // ------------------------------------------------------------------ compaction throughput vs disk bandwidth

    static Map<String, Object> compactionThroughput(long keys, int valueSize, int diskMiB) throws IOException {
        return compactionThroughput(keys, valueSize, diskMiB, 1);
    }

    /**
     * As {@link #compactionThroughput(long, int, int)}, with {@code again} compactions of the all-live database
     * after the first (more than one shows what the JIT's warm-up costs the first two in a fresh JVM).
     */
    static Map<String, Object> compactionThroughput(long keys, int valueSize, int diskMiB, int again)
            throws IOException {
        Path dir = Datasets.scratch("compaction-throughput");
        Path disk = Datasets.scratch("disk-bandwidth");
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("kind", "compaction-throughput");
        r.put("engine", "ferrum");
        r.put("keys", keys);
        r.put("valueSize", valueSize);
        r.put("settings", SETTINGS);
        r.put("diskFileMiB", diskMiB);
        try {
            List<Map<String, Object>> bw = new ArrayList<>();
            bw.add(diskBandwidth(disk.resolve("seq.bin"), diskMiB));
            List<Map<String, Object>> compactions = new ArrayList<>();
            try (FerrumDB db = FerrumDB.open(dir, options())) {
                loadWithOverwrites(db, keys, Data.valuePool(valueSize), true);
                // First: half the records dead; second: everything live, a pure rewrite.
                compactions.add(timedCompaction(db));
                for (int i = 0; i < again; i++) {
                    compactions.add(timedCompaction(db));
                }
            }
            bw.add(diskBandwidth(disk.resolve("seq.bin"), diskMiB));
            r.put("disk", bw);
            r.put("compactions", compactions);
            double writeBps = bw.stream().mapToDouble(m -> (double) m.get("writeBytesPerSec")).average().orElseThrow();
            double readBps = bw.stream().mapToDouble(m -> (double) m.get("readBytesPerSec")).average().orElseThrow();
            double seqBps = bw.stream().mapToDouble(m -> (double) m.get("copyBytesPerSec")).average().orElseThrow();
            r.put("diskWriteBytesPerSec", writeBps);
            r.put("diskReadBytesPerSec", readBps);
            r.put("diskSequentialBytesPerSec", seqBps);
            for (Map<String, Object> c : compactions) {
                long rd = (long) c.get("bytesRead");
                long wr = (long) c.get("bytesWritten");
                double s = (double) c.get("seconds");
                double bps = (rd + wr) / s;
                c.put("bytesPerSec", bps);
                // Share of the combined read+write sequential bandwidth.
                c.put("shareOfDiskBandwidth", bps / seqBps);
                // Time the disk needs to read rd and write wr sequentially, over the time compaction took.
                c.put("shareOfCopyLimit", (rd / readBps + wr / writeBps) / s);
            }
        } finally {
            Datasets.delete(dir);
            Datasets.delete(disk);
        }
        return r;
    }

    /**
     * One {@code db.compact()} with the CPU time of this thread (compaction runs in the caller's thread), which a
     * loaded machine inflates far less than the wall time: on 2 CPUs shared by a dozen runnable threads the wall
     * time is mostly waiting for a CPU. The output files' writes run on a thread of their own since issue 23's
     * fifth session, so the process's CPU time over the call is recorded too (it includes the JIT compiler's and
     * the garbage collector's threads).
     */
    private static Map<String, Object> timedCompaction(FerrumDB db) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpu0 = threads.getCurrentThreadCpuTime();
        long sub0 = subcompactionCpuNanos(threads);
        long process0 = processCpuNanos();
        Map<String, Object> m = result(db.compact());
        long cpu = threads.getCurrentThreadCpuTime() - cpu0;
        long sub = subcompactionCpuNanos(threads) - sub0;
        // cpuSeconds: every thread that copies (the caller and the subcompaction threads), comparable with rows
        // of builds that copy on the caller alone; callerCpuSeconds: the caller's share.
        m.put("cpuSeconds", (cpu + sub) / 1e9);
        m.put("callerCpuSeconds", cpu / 1e9);
        m.put("processCpuSeconds", (processCpuNanos() - process0) / 1e9);
        m.put("compactionThreads", COMPACTION_THREADS == null ? "default" : COMPACTION_THREADS);
        return m;
    }

    /**
     * CPU time of the live subcompaction threads (the engine keeps them 30 s after a compaction, so a thread that
     * ran one is still alive when it is read right after).
     */
    private static long subcompactionCpuNanos(ThreadMXBean threads) {
        long total = 0;
        for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (t != null && t.getThreadName().startsWith(SUBCOMPACTION_THREAD)) {
                long cpu = threads.getThreadCpuTime(t.getThreadId());
                total += Math.max(0, cpu);
            }
        }
        return total;
    }

    /** The whole JVM's CPU time so far (every thread: the opening one, helpers, the JIT and the collector). */
    static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        throw new BenchException("process CPU time is not available on this JVM");
    }

    /**
     * Writes {@code mib} MiB in 1 MiB chunks with a FileChannel, force(true), then reads it back in 1 MiB chunks.
     * The read comes from wherever the kernel has the pages (likely its cache, as compaction's reads do).
     */
    static Map<String, Object> diskBandwidth(Path file, int mib) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK);
        SplittableRandom rnd = new SplittableRandom(23);
        while (buf.hasRemaining()) {
            buf.putLong(rnd.nextLong());
        }
        long bytes = (long) mib * CHUNK;
        Files.deleteIfExists(file);
        long t0 = System.nanoTime();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (int i = 0; i < mib; i++) {
                buf.clear();
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }
            ch.force(true);
        }
        long writeNs = System.nanoTime() - t0;
        long[] read = rawRead(List.of(file), buf);
        if (read[0] != bytes) {
            throw new BenchException("read back " + read[0] + " of " + bytes + " bytes");
        }
        Files.delete(file);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bytes", bytes);
        m.put("writeSeconds", writeNs / 1e9);
        m.put("readSeconds", read[1] / 1e9);
        m.put("writeBytesPerSec", bytes / (writeNs / 1e9));
        m.put("readBytesPerSec", bytes / (read[1] / 1e9));
        m.put("copyBytesPerSec", 2.0 * bytes / ((writeNs + read[1]) / 1e9));
        return m;
    }
}
