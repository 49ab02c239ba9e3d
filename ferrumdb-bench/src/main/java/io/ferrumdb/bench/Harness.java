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
 *
 * <p>{@code Harness open-close out.json [samples] [label=jar ...]}: see {@link io.ferrumdb.bench.ycsb.OpenCloseHarness}.
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
        if (cmd.equals("keydir")) {
            if (args.length != 2) {
                throw new IllegalArgumentException("usage: Harness keydir <out.json>");
            }
            keydirSuite(Path.of(args[1]));
            return;
        }
        if (cmd.equals("open-close")) {
            // Issue 18: open + first GET + close of a settled 100,000-record YCSB store, a fresh JVM per sample.
            io.ferrumdb.bench.ycsb.OpenCloseHarness.suite(args);
            return;
        }
        if (cmd.equals("compaction")) {
            if (args.length != 2) {
                throw new IllegalArgumentException("usage: Harness compaction <out.json>");
            }
            compactionSuite(Path.of(args[1]));
            return;
        }
        Map<String, Object> result;
        try {
            result = switch (cmd) {
                case "durable" -> durable(args[1], Integer.parseInt(args[2]), Double.parseDouble(args[3]),
                        Integer.parseInt(args[4]));
                case "memory" -> memory(args[1], Long.parseLong(args[2]), Integer.parseInt(args[3]));
                case "open" -> openTime(args[1], Long.parseLong(args[2]), Integer.parseInt(args[3]));
                case "space" -> space(args[1], Long.parseLong(args[2]), Integer.parseInt(args[3]),
                        Integer.parseInt(args[4]));
                case "open-hints" -> CompactionHarness.openHints(Long.parseLong(args[1]), Integer.parseInt(args[2]),
                        Integer.parseInt(args[3]));
                case "get-during-compaction" -> CompactionHarness.getDuringCompaction(Long.parseLong(args[1]),
                        Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
                case "space-steady" -> WritePathHarness.spaceSteady(Long.parseLong(args[1]), Integer.parseInt(args[2]),
                        Integer.parseInt(args[3]));
                case "compaction-throughput" -> CompactionHarness.compactionThroughput(Long.parseLong(args[1]),
                        Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                        args.length > 4 ? Integer.parseInt(args[4]) : 1);
                case "keydir-open" -> KeyDirHarness.open(Long.parseLong(args[1]), Integer.parseInt(args[2]));
                case "keydir-get" -> KeyDirHarness.get(Long.parseLong(args[1]), Boolean.parseBoolean(args[2]),
                        Integer.parseInt(args[3]), Integer.parseInt(args[4]));
                case "keydir-put" -> KeyDirHarness.put(Long.parseLong(args[1]));
                case "keydir-get-alloc" -> KeyDirHarness.getAllocation(Long.parseLong(args[1]));
                case "keydir-small-heap" -> KeyDirHarness.smallHeap(Long.parseLong(args[1]));
                case "keydir-open-memory" -> KeyDirHarness.openMemory(Long.parseLong(args[1]),
                        Boolean.parseBoolean(args[2]));
                case "keydir-load" -> KeyDirHarness.load(Long.parseLong(args[1]), Integer.parseInt(args[2]));
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
                child(results, "durable", "ferrum", threads, seconds, vs);
            }
            child(results, "durable", "ferrum-async", 1, seconds, vs);
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
        compactionChildren(results, full);
        doc.put("finished", Instant.now().toString());
        doc.put("loadAverageAtEnd", Machine.loadAverage());
        write(out, doc);
    }

    /**
     * Issue 18's key directory suite (about 10 minutes): memory per key at 1M keys (ordered and hash-only), open
     * + first GET against a naive loader, GET latency against a naive probe plus a mapped read, puts against a raw
     * buffered append, and 3M ordered keys in a 384 MiB heap. Writes its own file.
     */
    static void keydirSuite(Path out) throws IOException, InterruptedException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("suite", "keydir");
        doc.put("started", Instant.now().toString());
        doc.put("machine", Machine.describe());
        doc.put("childJvmArgs", childJvmArgs(false));
        List<Map<String, Object>> results = new ArrayList<>();
        doc.put("results", results);
        long keys = Long.getLong("ferrumdb.bench.keydir.keys", 1_000_000);
        for (String engine : List.of("ferrum", "ferrum-hash")) {
            child(results, "memory", engine, keys, 100);
        }
        for (boolean ordered : new boolean[] {true, false}) {
            child(results, "keydir-open-memory", keys, ordered);
        }
        write(out, doc);
        child(results, "keydir-open", keys, 3);
        child(results, "keydir-get", keys, false, 20, 20_000);
        child(results, "keydir-get", keys, true, 20, 20_000);
        write(out, doc);
        child(results, "keydir-put", keys);
        child(results, "keydir-get-alloc", keys);
        child(results, "keydir-small-heap", 3_000_000);
        doc.put("finished", Instant.now().toString());
        doc.put("loadAverageAtEnd", Machine.loadAverage());
        write(out, doc);
    }

    /** Kinds of result rows written by {@link #compactionChildren}. */
    static final List<String> COMPACTION_KINDS = List.of("open-hints", "get-during-compaction",
            "compaction-throughput");

    /**
     * Issue 4's open-time, GET-during-compaction and compaction-throughput measurements (about 3-5 minutes at 1M
     * keys). The full suite adds open time at 10M keys.
     */
    static void compactionChildren(List<Map<String, Object>> results, boolean full)
            throws IOException, InterruptedException {
        child(results, "open-hints", 1_000_000, 100, 5);
        if (full) {
            child(results, "open-hints", 10_000_000, 100, 3);
        }
        child(results, "get-during-compaction", 1_000_000, 100, 2, 2);
        child(results, "compaction-throughput", 1_000_000, 100, full ? 1024 : 256);
    }

    /**
     * Runs only {@link #compactionChildren} (quick sizes) and merges their rows into {@code out}, replacing rows of
     * the same kinds from an earlier run and keeping everything else, so they can be refreshed without the rest.
     */
    static void compactionSuite(Path out) throws IOException, InterruptedException {
        Map<String, Object> doc;
        if (Files.exists(out)) {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = JSON.readValue(out.toFile(), LinkedHashMap.class);
            doc = m;
        } else {
            doc = new LinkedHashMap<>();
            doc.put("suite", "compaction");
            doc.put("machine", Machine.describe());
            doc.put("childJvmArgs", childJvmArgs(false));
        }
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> old = (List<Map<String, Object>>) doc.getOrDefault("results", new ArrayList<>());
        List<Map<String, Object>> results = new ArrayList<>(old.stream()
                .filter(r -> !COMPACTION_KINDS.contains(String.valueOf(r.get("kind")))).toList());
        doc.put("results", results);
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("started", Instant.now().toString());
        run.put("machine", Machine.describe());
        List<Map<String, Object>> fresh = new ArrayList<>();
        compactionChildren(fresh, false);
        for (Map<String, Object> r : fresh) {
            r.put("compactionRun", true);
        }
        results.addAll(fresh);
        run.put("finished", Instant.now().toString());
        doc.put("compactionRun", run);
        write(out, doc);
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
        List<String> jvm = childJvmArgs(command[0].equals("memory") || command[0].equals("keydir-open-memory"));
        if (command[0].equals("keydir-small-heap")) {
            // The acceptance test of issue 18: the whole engine, key directory included, in a 384 MiB heap.
            jvm.replaceAll(a -> a.equals("-Xmx2g") ? "-Xmx384m" : a);
        }
        if (command[0].equals("open-hints") && ((Number) command[1]).longValue() >= 10_000_000) {
            // Before issue 18 the key directory took about 200 heap bytes a key, and 10M keys did not fit in 2 GiB.
            // Now it is about 53 bytes a key of direct memory (counted against -XX:MaxDirectMemorySize, which
            // defaults to -Xmx) beside the open's buffers; the 6 GiB stay so that the rows of every run compare.
            jvm.replaceAll(a -> a.equals("-Xmx2g") ? "-Xmx6g" : a);
        }
        cmd.addAll(jvm);
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

    /** Measurement slices per durable FerrumDB run, alternating with slices of the raw limit. */
    static final int SLICES = 10;
    /**
     * The warm-up in this many rounds: each writer's round is a method call ({@code ClosedLoop.writeRound}), and
     * HotSpot compiles a method whole after 100 calls with C1 and 600 with C2 (Tier3MinInvocationThreshold,
     * Tier4MinInvocationThreshold, once its loop has run long enough): 16 writers x 10 rounds, 64 x 10.
     */
    static final int WARM_UP_ROUNDS = 10;

    static Map<String, Object> durable(String engine, int threads, double seconds, int valueSize)
            throws InterruptedException, IOException {
        boolean async = engine.equals("ferrum-async");
        Path dir = Datasets.scratch(engine);
        byte[][] values = Data.valuePool(valueSize);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("kind", "durable");
        r.put("engine", engine);
        r.put("threads", threads);
        r.put("valueSize", valueSize);
        try (Store store = Stores.open(async ? "ferrum" : engine, dir, true);
             ClosedLoop writers = async ? null : new ClosedLoop(store, threads, values)) {
            FerrumDB db = store instanceof Stores.Ferrum f ? f.db : null;
            double warmUp = Math.min(1, seconds);
            Stats warmStart = db == null ? null : db.stats();
            for (int i = 0; i < WARM_UP_ROUNDS; i++) {
                run(writers, db, values, warmUp / WARM_UP_ROUNDS);
            }
            if (db == null) {
                // RocksDB's own count of WAL writes per sync over the measured run (its DB stats report an
                // interval since the previous read): the batch its write groups reached, to compare with FerrumDB's.
                String rocksStats = store instanceof Stores.Rocks rocks ? rocksDbStats(rocks) : null;
                Load load = run(writers, null, values, seconds);
                putLoad(r, load);
                if (rocksStats != null) {
                    r.put("walWritesPerSync", walWritesPerSync(rocksDbStats((Stores.Rocks) store)));
                }
                if (load.threadOps() > 0 && load.threadNs()[0] > 0) {
                    Map<String, Object> t = new LinkedHashMap<>();
                    putWriterSched(t, load);
                    r.put("schedstat", t);
                }
                return r;
            }
            // The disk is shared: its fsync rate drifts by several times within minutes. Alternating slices of
            // FerrumDB and of the raw loop lets both see the same disk, so their ratio means something. Each raw
            // slice writes the batch FerrumDB reached in the slice just before it (not once the warm-up's): the
            // batch moves with the disk's speed, and a raw loop at a larger batch than FerrumDB reached in the
            // slice it is compared with sets a bar of another workload.
            Stats warmEnd = db.stats();
            int batch = (int) Math.max(1, Math.round(perFsync(warmStart, warmEnd)));
            Load total = new Load(0, 0, new long[0]);
            long rawRecords = 0;
            long rawFsyncs = 0;
            double rawSeconds = 0;
            // The same loop over a file zero-filled (and fsynced) ahead, as FerrumDB's active segment is under
            // always(): the limit without the journal commit an append's fdatasync pays. Its zeroing is timed too.
            long preRecords = 0;
            double preSeconds = 0;
            List<Integer> batches = new ArrayList<>();
            long[] flusherNs = new long[2];
            long[] ackNs = new long[2];
            long[] rawNs = new long[2];
            Stats before = db.stats();
            try (RawSyncLoop raw = new RawSyncLoop(dir.resolve("raw.log"), valueSize, false);
                 RawSyncLoop pre = new RawSyncLoop(dir.resolve("raw-prealloc.log"), valueSize, true)) {
                raw.run(warmUp, batch);
                pre.run(warmUp, batch);
                Stats sliceStart = before;
                for (int slice = 0; slice < SLICES; slice++) {
                    Map<String, long[]> t0 = SchedStats.threads("ferrumdb-");
                    total = total.plus(run(writers, db, values, seconds / SLICES));
                    Map<String, long[]> t1 = SchedStats.threads("ferrumdb-");
                    add(flusherNs, SchedStats.delta(t0, t1, FLUSHER_THREAD));
                    add(ackNs, SchedStats.delta(t0, t1, ACKNOWLEDGER_THREAD));
                    Stats sliceEnd = db.stats();
                    batch = (int) Math.max(1, Math.round(perFsync(sliceStart, sliceEnd)));
                    batches.add(batch);
                    long[] s0 = SchedStats.self();
                    long[] rr = raw.run(seconds / SLICES, batch);
                    long[] s1 = SchedStats.self();
                    if (s0 != null && s1 != null) {
                        add(rawNs, new long[] {s1[0] - s0[0], s1[1] - s0[1]});
                    }
                    rawRecords += rr[0];
                    rawSeconds += rr[1] / 1e9;
                    rawFsyncs += rr[0] / batch;
                    long[] pr = pre.run(seconds / SLICES, batch);
                    preRecords += pr[0];
                    preSeconds += pr[1] / 1e9;
                    sliceStart = db.stats();
                }
            }
            Stats after = db.stats();
            putLoad(r, total);
            r.put("fsyncs", after.fsyncs() - before.fsyncs());
            r.put("recordsPerFsync", perFsync(before, after));
            r.put("rawBatch", Math.round(batches.stream().mapToInt(Integer::intValue).average().orElse(batch) * 10) / 10.0);
            r.put("rawBatches", batches);
            r.put("rawOpsPerSec", rawRecords / rawSeconds);
            r.put("rawPreallocOpsPerSec", preRecords / preSeconds);
            r.put("rawFsyncs", rawFsyncs);
            // Per fsync cycle (the flusher's and the raw loop's): wall time, time on a CPU, time runnable but
            // waiting for one; the rest is blocked (the fsync itself, the wait for writers, idle). Per put for the
            // writers and the acknowledger.
            long fsyncs = after.fsyncs() - before.fsyncs();
            if (fsyncs > 0 && rawFsyncs > 0 && total.ops() > 0) {
                Map<String, Object> t = new LinkedHashMap<>();
                // The windows' rate at the run's batch: fsyncs are counted over whole rounds, the puts in windows.
                t.put("flusherCycleUs", perFsync(before, after) * total.seconds() * 1e6 / total.ops());
                t.put("flusherCpuUsPerCycle", flusherNs[0] / 1e3 / fsyncs);
                t.put("flusherRunQueueUsPerCycle", flusherNs[1] / 1e3 / fsyncs);
                t.put("rawCycleUs", rawSeconds * 1e6 / rawFsyncs);
                t.put("rawCpuUsPerCycle", rawNs[0] / 1e3 / rawFsyncs);
                t.put("rawRunQueueUsPerCycle", rawNs[1] / 1e3 / rawFsyncs);
                t.put("acknowledgerCpuUsPerPut", ackNs[0] / 1e3 / total.threadOps());
                t.put("acknowledgerRunQueueUsPerPut", ackNs[1] / 1e3 / total.threadOps());
                putWriterSched(t, total);
                r.put("schedstat", t);
            }
            r.put("slices", SLICES);
        } finally {
            Datasets.delete(dir);
        }
        return r;
    }

    private static final java.util.regex.Pattern INTERVAL_WAL =
            java.util.regex.Pattern.compile("Interval WAL: .*? ([0-9.]+) writes per sync");

    private static String rocksDbStats(Stores.Rocks rocks) {
        try {
            return rocks.db.getProperty("rocksdb.dbstats");
        } catch (org.rocksdb.RocksDBException e) {
            throw new BenchException("rocksdb.dbstats", e);
        }
    }

    /** "Interval WAL: 12K writes, 1.5K syncs, 8.00 writes per sync, ..." of RocksDB's DB stats. */
    static double walWritesPerSync(String dbStats) {
        java.util.regex.Matcher m = INTERVAL_WAL.matcher(dbStats);
        if (!m.find()) {
            throw new BenchException("no \"Interval WAL\" line with writes per sync in rocksdb.dbstats: " + dbStats);
        }
        return Double.parseDouble(m.group(1));
    }

    /** Linux's names (first 15 characters) of the log writer's threads. */
    private static final String FLUSHER_THREAD = "ferrumdb-flushe";
    private static final String ACKNOWLEDGER_THREAD = "ferrumdb-acknow";

    private static void add(long[] sum, long[] delta) {
        if (delta != null) {
            sum[0] += delta[0];
            sum[1] += delta[1];
        }
    }

    private static double perFsync(Stats before, Stats after) {
        long fsyncs = after.fsyncs() - before.fsyncs();
        return fsyncs == 0 ? 0 : (double) (after.syncedRecords() - before.syncedRecords()) / fsyncs;
    }

    /** A round of {@code writers} (null: one thread of putAsync calls, {@link #pipeline}). */
    private static Load run(ClosedLoop writers, FerrumDB db, byte[][] values, double seconds)
            throws InterruptedException {
        return writers == null ? pipeline(db, values, seconds) : writers.round(seconds);
    }

    /** The writers' CPU, run-queue time and switches per put, over every put of the rounds (not only the windows'). */
    private static void putWriterSched(Map<String, Object> t, Load load) {
        t.put("writerCpuUsPerPut", load.threadNs()[0] / 1e3 / load.threadOps());
        t.put("writerRunQueueUsPerPut", load.threadNs()[1] / 1e3 / load.threadOps());
        t.put("writerVoluntarySwitchesPerPut", (double) load.threadNs()[2] / load.threadOps());
        t.put("writerInvoluntarySwitchesPerPut", (double) load.threadNs()[3] / load.threadOps());
    }

    private static void putLoad(Map<String, Object> r, Load load) {
        r.put("opsPerSec", load.ops / load.seconds);
        // Whole rounds, edges included (ClosedLoop): what the harness reported before session 11.
        r.put("roundOpsPerSec", load.threadOps / load.threadSeconds);
        r.put("ops", load.ops);
        r.put("seconds", load.seconds);
        if (load.latenciesNs.length > 0) {
            Arrays.sort(load.latenciesNs);
            r.put("p50us", percentile(load.latenciesNs, 0.50) / 1e3);
            r.put("p99us", percentile(load.latenciesNs, 0.99) / 1e3);
        }
    }

    /**
     * @param ops       puts acknowledged inside the timed {@code seconds}
     * @param threadNs  the writer threads' summed {on-CPU ns, waiting-for-a-CPU ns, voluntary context switches,
     *                  involuntary ones} ({@link SchedStats}), zeros where not measured
     * @param threadOps the puts {@code threadNs} covers: a {@link ClosedLoop} round's writers also run before and
     *                  after its window
     * @param threadSeconds the wall time {@code threadOps} took: a round's, from the writers' release to the last
     *                  one's last put
     */
    record Load(long ops, double seconds, long[] latenciesNs, long[] threadNs, long threadOps, double threadSeconds) {
        Load(long ops, double seconds, long[] latenciesNs) {
            this(ops, seconds, latenciesNs, new long[4], ops, seconds);
        }

        Load plus(Load o) {
            long[] lat = Arrays.copyOf(latenciesNs, latenciesNs.length + o.latenciesNs.length);
            System.arraycopy(o.latenciesNs, 0, lat, latenciesNs.length, o.latenciesNs.length);
            return new Load(ops + o.ops, seconds + o.seconds, lat,
                    new long[] {threadNs[0] + o.threadNs[0], threadNs[1] + o.threadNs[1],
                            threadNs[2] + o.threadNs[2], threadNs[3] + o.threadNs[3]}, threadOps + o.threadOps,
                    threadSeconds + o.threadSeconds);
        }
    }

    static long percentile(long[] sorted, double q) {
        return sorted[(int) Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))];
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

    /**
     * The group-commit limit: one thread appending a batch of records per write and fdatasync-ing each batch (as
     * FerrumDB's flusher does), records of key + value + {@link #RAW_RECORD_OVERHEAD} bytes.
     */
    static final class RawSyncLoop implements AutoCloseable {
        /** Zeroed ahead of the write position when preallocating, extended by this much at a time (as ZeroTail). */
        private static final int ZERO_AHEAD = 2 << 20;
        private final FileChannel channel;
        private final boolean prealloc;
        private final ByteBuffer zeros;
        private long position;
        private long zeroedTo;
        private final int valueSize;
        private final byte[][] values;
        private final SplittableRandom rnd = new SplittableRandom(3);
        private ByteBuffer buf = ByteBuffer.allocateDirect(0);
        private long sequence;

        /** {@code prealloc}: positional writes into a file kept zero-filled and fsynced ahead of them. */
        RawSyncLoop(Path file, int valueSize, boolean prealloc) throws IOException {
            this.valueSize = valueSize;
            this.values = Data.valuePool(valueSize);
            this.prealloc = prealloc;
            this.zeros = prealloc ? ByteBuffer.allocateDirect(ZERO_AHEAD) : null;
            this.channel = prealloc ? FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)
                    : FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
        }

        /** Runs for {@code seconds} at {@code batch} records per fsync; returns {records, elapsed nanoseconds}. */
        long[] run(double seconds, int batch) throws IOException {
            int bytes = batch * (RAW_RECORD_OVERHEAD + Data.KEY_SIZE + valueSize);
            if (buf.capacity() < bytes) {
                buf = ByteBuffer.allocateDirect(bytes);
            }
            long t0 = System.nanoTime();
            long deadline = t0 + (long) (seconds * 1e9);
            long records = 0;
            while (System.nanoTime() < deadline) {
                buf.clear();
                for (int j = 0; j < batch; j++) {
                    long i = rnd.nextLong(DURABLE_KEYSPACE);
                    buf.putLong(i).putLong(sequence++).putInt(valueSize).putInt(0).put(Data.key(i))
                            .put(Data.value(values, i));
                }
                buf.flip();
                if (prealloc) {
                    if (zeroedTo - position < ZERO_AHEAD / 2 + buf.remaining()) {
                        zeros.clear();
                        while (zeros.hasRemaining()) {
                            zeroedTo += channel.write(zeros, zeroedTo);
                        }
                        channel.force(false);
                    }
                    while (buf.hasRemaining()) {
                        position += channel.write(buf, position);
                    }
                } else {
                    while (buf.hasRemaining()) {
                        channel.write(buf);
                    }
                }
                channel.force(false);
                records += batch;
            }
            return new long[] {records, System.nanoTime() - t0};
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
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

    static void settle() {
        for (int i = 0; i < 4; i++) {
            System.gc();
            Stores.sleep(java.time.Duration.ofMillis(200));
        }
    }

    static long heapUsed() {
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
            try (Store s = Stores.open(engine, dir, false)) {
                if (s instanceof Stores.Compactable c) {
                    r.put("compaction", c.compact());
                }
            }
            if (r.containsKey("compaction")) {
                r.put("diskBytesAfterCompaction", Datasets.size(dir));
            }
        } finally {
            Datasets.delete(dir);
        }
        return r;
    }
}
