package io.ferrumdb.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.Stats;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The measurements JMH is not made for: durable (fsynced) write throughput by thread count against the raw
 * append-plus-fsync limit at the same batch size, memory per key, open time and disk space after overwrites. Each
 * measurement runs in a child JVM of its own so that one engine's heap, native memory and threads do not disturb
 * the next; the child prints one {@code RESULT <json>} line.
 *
 * <pre>java -cp benchmarks.jar io.ferrumdb.bench.Harness quick|full out.json</pre>
 */
public final class Harness {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final long DURABLE_KEYSPACE = 1_000_000;
    static final int ASYNC_WINDOW = 256;
    /** Length and sequence fields a log record needs besides key and value; the raw append writes the same. */
    static final int RAW_RECORD_OVERHEAD = 24;

    private Harness() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            throw new IllegalArgumentException("usage: Harness quick|full <out.json>  (or a child command)");
        }
        String cmd = args[0];
        if (cmd.equals("quick") || cmd.equals("full")) {
            if (args.length != 2) {
                throw new IllegalArgumentException("usage: Harness " + cmd + " <out.json>");
            }
            suite(cmd.equals("full"), Path.of(args[1]));
            return;
        }
        Map<String, Object> result;
        try {
            result = switch (cmd) {
                case "durable" -> durable(args[1], Integer.parseInt(args[2]), Double.parseDouble(args[3]),
                        Integer.parseInt(args[4]));
                case "rawsync" -> rawSync(Integer.parseInt(args[1]), Double.parseDouble(args[2]),
                        Integer.parseInt(args[3]));
                case "memory" -> memory(args[1], Long.parseLong(args[2]), Integer.parseInt(args[3]));
                case "open" -> openTime(args[1], Long.parseLong(args[2]), Integer.parseInt(args[3]));
                case "space" -> space(args[1], Long.parseLong(args[2]), Integer.parseInt(args[3]),
                        Integer.parseInt(args[4]));
                default -> throw new IllegalArgumentException("unknown harness command '" + cmd + "'");
            };
        } catch (UnsupportedOperationException e) {
            result = new LinkedHashMap<>();
            result.put("kind", "skipped");
            result.put("command", String.join(" ", args));
            result.put("reason", e.getMessage());
        }
        result.put("loadAverage", Machine.loadAverage());
        System.out.println("RESULT " + new ObjectMapper().writeValueAsString(result));
    }

    // ------------------------------------------------------------------ orchestration

    static void suite(boolean full, Path out) throws IOException, InterruptedException {
        double seconds = full ? 10 : 2;
        long memKeys = 1_000_000;
        long spaceKeys = full ? 1_000_000 : 100_000;
        int[] valueSizes = full ? new int[] {100, 1024} : new int[] {100};
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("suite", full ? "full" : "quick");
        doc.put("started", Instant.now().toString());
        doc.put("machine", Machine.describe());
        doc.put("childJvmArgs", childJvmArgs(false));
        doc.put("durableSeconds", seconds);
        doc.put("asyncWindow", ASYNC_WINDOW);
        Map<String, Object> settings = new LinkedHashMap<>();
        for (String e : Stores.ENGINES) {
            settings.put(e, Map.of("nosync", Stores.setting(e, false), "durable", Stores.setting(e, true)));
        }
        doc.put("settings", settings);
        List<Map<String, Object>> results = new ArrayList<>();
        doc.put("results", results);

        for (int vs : valueSizes) {
            for (int threads : new int[] {1, 16, 64}) {
                Map<String, Object> f = child(results, "durable", "ferrum", threads, seconds, vs);
                rawAt(results, f, threads, seconds, vs);
            }
            Map<String, Object> a = child(results, "durable", "ferrum-async", 1, seconds, vs);
            rawAt(results, a, 1, seconds, vs);
            for (String engine : List.of("rocksdb", "lmdb", "sqlite", "mvstore", "mapdb", "redis", "redis-everysec")) {
                for (int threads : new int[] {1, 16, 64}) {
                    child(results, "durable", engine, threads, seconds, vs);
                }
            }
            write(out, doc);
        }
        for (String engine : List.of("ferrum", "ferrum-hash", "raw-chm", "rocksdb", "lmdb", "mvstore", "mapdb",
                "sqlite")) {
            child(results, "memory", engine, memKeys, 100);
        }
        write(out, doc);
        for (String engine : List.of("ferrum", "ferrum-hash", "rocksdb", "lmdb", "mvstore", "mapdb", "sqlite")) {
            child(results, "open", engine, memKeys, 100);
        }
        for (String engine : List.of("ferrum", "rocksdb", "lmdb", "mvstore", "mapdb", "sqlite")) {
            child(results, "space", engine, spaceKeys, 100, 11);
        }
        doc.put("finished", Instant.now().toString());
        doc.put("loadAverageAtEnd", Machine.loadAverage());
        write(out, doc);
    }

    /** The raw append+fsync loop at the batch size FerrumDB reached in {@code ferrum}'s run. */
    private static void rawAt(List<Map<String, Object>> results, Map<String, Object> ferrum, int threads,
            double seconds, int vs) throws IOException, InterruptedException {
        if (!"durable".equals(ferrum.get("kind"))) {
            return;
        }
        int batch = (int) Math.max(1, Math.round(((Number) ferrum.get("recordsPerFsync")).doubleValue()));
        Map<String, Object> raw = child(results, "rawsync", batch, seconds, vs);
        raw.put("matchesEngine", ferrum.get("engine"));
        raw.put("matchesThreads", threads);
    }

    private static void write(Path out, Map<String, Object> doc) throws IOException {
        Files.createDirectories(out.toAbsolutePath().getParent());
        JSON.writeValue(out.toFile(), doc);
    }

    static List<String> childJvmArgs(boolean memory) {
        List<String> args = new ArrayList<>();
        if (memory) {
            // A pre-touched fixed heap makes later growth of anonymous resident memory (RssAnon) native memory only.
            args.addAll(List.of("-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"));
        } else {
            args.add("-Xmx2g");
        }
        args.add("-Dferrumdb.bench.data=" + Datasets.root());
        if (Runtime.version().feature() >= 24) {
            args.addAll(List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"));
        }
        return args;
    }

    private static Map<String, Object> child(List<Map<String, Object>> results, Object... command)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(childJvmArgs(command[0].equals("memory")));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Harness.class.getName()));
        for (Object c : command) {
            cmd.add(String.valueOf(c));
        }
        System.err.println("harness: " + String.join(" ", cmd.subList(cmd.indexOf(Harness.class.getName()),
                cmd.size())));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Map<String, Object> result = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("RESULT ")) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> m = JSON.readValue(line.substring(7), Map.class);
                    result = m;
                } else {
                    System.err.println("  | " + line);
                }
            }
        }
        int rc = p.waitFor();
        if (result == null || rc != 0) {
            result = new LinkedHashMap<>();
            result.put("kind", "failed");
            result.put("command", cmd.subList(cmd.indexOf(Harness.class.getName()) + 1, cmd.size()));
            result.put("exitCode", rc);
        }
        System.err.println("  -> " + result);
        results.add(result);
        return result;
    }

    // ------------------------------------------------------------------ durable writes

    static Map<String, Object> durable(String engine, int threads, double seconds, int valueSize)
            throws InterruptedException {
        boolean async = engine.equals("ferrum-async");
        Path dir = Datasets.scratch(engine);
        byte[][] values = Data.valuePool(valueSize);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("kind", "durable");
        r.put("engine", engine);
        r.put("threads", threads);
        r.put("valueSize", valueSize);
        try (Store store = Stores.open(async ? "ferrum" : engine, dir, true)) {
            FerrumDB db = store instanceof Stores.Ferrum f ? f.db : null;
            double warmUp = Math.min(1, seconds);
            if (async) {
                pipeline(db, values, warmUp);
            } else {
                closedLoop(store, threads, values, warmUp);
            }
            Stats before = db == null ? null : db.stats();
            Load load = async ? pipeline(db, values, seconds) : closedLoop(store, threads, values, seconds);
            r.put("opsPerSec", load.ops / load.seconds);
            r.put("ops", load.ops);
            r.put("seconds", load.seconds);
            if (load.latenciesNs.length > 0) {
                Arrays.sort(load.latenciesNs);
                r.put("p50us", percentile(load.latenciesNs, 0.50) / 1e3);
                r.put("p99us", percentile(load.latenciesNs, 0.99) / 1e3);
            }
            if (db != null) {
                Stats after = db.stats();
                long fsyncs = after.fsyncs() - before.fsyncs();
                r.put("fsyncs", fsyncs);
                r.put("recordsPerFsync", fsyncs == 0 ? 0 : (double) (after.syncedRecords() - before.syncedRecords())
                        / fsyncs);
            }
        } finally {
            Datasets.delete(dir);
        }
        return r;
    }

    record Load(long ops, double seconds, long[] latenciesNs) {
    }

    private static long percentile(long[] sorted, double q) {
        return sorted[(int) Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))];
    }

    /** {@code threads} writers, each putting random keys as fast as acknowledgements come back. */
    static Load closedLoop(Store store, int threads, byte[][] values, double seconds) throws InterruptedException {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        long[] counts = new long[threads];
        long[][] samples = new long[threads][];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread[] ts = new Thread[threads];
        long t0 = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            int id = t;
            ts[t] = new Thread(() -> {
                SplittableRandom rnd = new SplittableRandom(id * 31L + 1);
                long[] lat = new long[1 << 16];
                long n = 0;
                try {
                    for (long now = System.nanoTime(); now < deadline; ) {
                        long i = rnd.nextLong(DURABLE_KEYSPACE);
                        store.put(Data.key(i), Data.value(values, i));
                        long end = System.nanoTime();
                        lat[(int) (n & (lat.length - 1))] = end - now;
                        now = end;
                        n++;
                    }
                } catch (RuntimeException | Error e) {
                    failure.compareAndSet(null, e);
                }
                counts[id] = n;
                samples[id] = Arrays.copyOf(lat, (int) Math.min(n, lat.length));
            }, "writer-" + t);
            ts[t].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        double elapsed = (System.nanoTime() - t0) / 1e9;
        if (failure.get() != null) {
            throw new BenchException("durable writer failed", failure.get());
        }
        return new Load(Arrays.stream(counts).sum(), elapsed,
                Arrays.stream(samples).flatMapToLong(Arrays::stream).toArray());
    }

    /** One thread keeping {@link #ASYNC_WINDOW} putAsync writes in flight; counts acknowledged writes. */
    static Load pipeline(FerrumDB db, byte[][] values, double seconds) throws InterruptedException {
        Semaphore window = new Semaphore(ASYNC_WINDOW);
        LongAdder done = new LongAdder();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        SplittableRandom rnd = new SplittableRandom(5);
        long t0 = System.nanoTime();
        long deadline = t0 + (long) (seconds * 1e9);
        while (System.nanoTime() < deadline && failure.get() == null) {
            window.acquire();
            long i = rnd.nextLong(DURABLE_KEYSPACE);
            db.putAsync(Data.key(i), Data.value(values, i)).whenComplete((v, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, e);
                }
                done.increment();
                window.release();
            });
        }
        window.acquire(ASYNC_WINDOW);
        double elapsed = (System.nanoTime() - t0) / 1e9;
        if (failure.get() != null) {
            throw new BenchException("putAsync failed", failure.get());
        }
        return new Load(done.sum(), elapsed, new long[0]);
    }

    /** The group-commit limit: one thread appending {@code batch} records per write and fdatasync-ing each batch. */
    static Map<String, Object> rawSync(int batch, double seconds, int valueSize) throws IOException {
        Path dir = Datasets.scratch("rawsync");
        int record = RAW_RECORD_OVERHEAD + Data.KEY_SIZE + valueSize;
        ByteBuffer buf = ByteBuffer.allocateDirect(batch * record);
        byte[][] values = Data.valuePool(valueSize);
        long records = 0;
        long t0;
        double elapsed;
        try (FileChannel ch = FileChannel.open(dir.resolve("log"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            SplittableRandom rnd = new SplittableRandom(3);
            long warmEnd = System.nanoTime() + (long) (Math.min(1, seconds) * 1e9);
            t0 = warmEnd;
            long deadline = warmEnd + (long) (seconds * 1e9);
            for (boolean measuring = false; ; ) {
                long now = System.nanoTime();
                if (!measuring && now >= warmEnd) {
                    measuring = true;
                    records = 0;
                    t0 = now;
                }
                if (now >= deadline) {
                    break;
                }
                buf.clear();
                for (int j = 0; j < batch; j++) {
                    long i = rnd.nextLong(DURABLE_KEYSPACE);
                    buf.putLong(i).putLong(records + j).putInt(valueSize).putInt(0).put(Data.key(i))
                            .put(Data.value(values, i));
                }
                buf.flip();
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(false);
                records += batch;
            }
            elapsed = (System.nanoTime() - t0) / 1e9;
        } finally {
            Datasets.delete(dir);
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("kind", "rawsync");
        r.put("batch", batch);
        r.put("valueSize", valueSize);
        r.put("opsPerSec", records / elapsed);
        r.put("fsyncsPerSec", records / elapsed / batch);
        return r;
    }

    // ------------------------------------------------------------------ memory, open, space

    static Map<String, Object> memory(String engine, long keys, int valueSize) {
        byte[][] values = Data.valuePool(valueSize);
        Path dir = Datasets.scratch(engine);
        settle();
        long heap0 = heapUsed();
        long anon0 = Machine.rssAnonBytes();
        Map<String, Object> r = new LinkedHashMap<>();
        try (Store store = Stores.open(engine, dir, false)) {
            store.load(keys, values);
            settle();
            long heap1 = heapUsed();
            long anon1 = Machine.rssAnonBytes();
            r.put("kind", "memory");
            r.put("engine", engine);
            r.put("keys", keys);
            r.put("valueSize", valueSize);
            r.put("heapBytesPerKey", (double) (heap1 - heap0) / keys);
            r.put("nativeBytesPerKey", anon0 < 0 ? null : (double) (anon1 - anon0) / keys);
            r.put("diskBytes", Datasets.size(dir));
            Reference.reachabilityFence(store);
        } finally {
            Datasets.delete(dir);
        }
        return r;
    }

    private static void settle() {
        for (int i = 0; i < 4; i++) {
            System.gc();
            Stores.sleep(java.time.Duration.ofMillis(200));
        }
    }

    private static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static Map<String, Object> openTime(String engine, long keys, int valueSize) {
        Path dir = Datasets.ready(engine, keys, valueSize, "");
        byte[] probe = Data.key(keys - 1);
        List<Double> millis = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            long t0 = System.nanoTime();
            try (Store s = Stores.open(engine, dir, false)) {
                if (s.get(probe) == null) {
                    throw new BenchException(engine + ": key " + new String(probe, StandardCharsets.US_ASCII)
                            + " missing after open");
                }
                millis.add((System.nanoTime() - t0) / 1e6);
            }
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("kind", "open");
        r.put("engine", engine);
        r.put("keys", keys);
        r.put("valueSize", valueSize);
        r.put("millis", millis);
        r.put("bestMillis", millis.stream().mapToDouble(Double::doubleValue).min().orElseThrow());
        return r;
    }

    static Map<String, Object> space(String engine, long keys, int valueSize, int writesPerKey) {
        byte[][] values = Data.valuePool(valueSize);
        Path dir = Datasets.scratch(engine);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("kind", "space");
        r.put("engine", engine);
        r.put("keys", keys);
        r.put("valueSize", valueSize);
        r.put("writesPerKey", writesPerKey);
        r.put("liveBytes", keys * (Data.KEY_SIZE + valueSize));
        try {
            long t0 = System.nanoTime();
            try (Store s = Stores.open(engine, dir, false)) {
                for (int w = 0; w < writesPerKey; w++) {
                    for (long i = 0; i < keys; i++) {
                        s.put(Data.key(i), Data.value(values, i + w));
                    }
                }
                s.flush();
            }
            r.put("writeSeconds", (System.nanoTime() - t0) / 1e9);
            r.put("diskBytes", Datasets.size(dir));
            if (engine.equals("rocksdb")) {
                try (Stores.Rocks s = (Stores.Rocks) Stores.open(engine, dir, false)) {
                    s.compact();
                }
                r.put("diskBytesAfterCompaction", Datasets.size(dir));
                r.put("compaction", "compactRange()");
            }
        } finally {
            Datasets.delete(dir);
        }
        return r;
    }
}
