package io.ferrumdb.bench.ycsb;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.bench.BenchException;
import io.ferrumdb.bench.Datasets;
import io.ferrumdb.bench.Machine;
import site.ycsb.ByteIterator;
import site.ycsb.RandomByteIterator;
import site.ycsb.Utils;

/**
 * Issue 18's open and close of a small store, as YCSB's timed section sees them: in a fresh JVM per sample, the
 * wall time of opening a settled store of {@value #RECORDS} YCSB records (one 100-byte field), one GET, and closing
 * it, for FerrumDB and RocksDB, each opened by its YCSB binding's own {@code open}. {@code Harness open-close
 * out.json [samples] [label=jar ...]}: every named jar is one more FerrumDB build, measured by putting it before
 * this jar on the child's class path (its engine and binding classes win; this class, absent from older jars, comes
 * from this jar), so that a build of main can be compared with this one in the same minutes.
 *
 * <p>The templates are loaded once, through the bindings' {@code open} and settled by {@link YcsbSettle}'s code
 * (as {@code run-ycsb.sh} settles before a run phase), under {@code ferrumdb.bench.data}; each sample opens a fresh
 * copy (made before its JVM starts, so the files are in the page cache, as after YCSB's settle step). Samples go
 * round by round, one per engine or build a round, the order reversed every round, so that drifts of the machine's
 * load fall on all of them. The child prints one {@code SAMPLE} line; the figures are medians of the samples and the
 * median of the per-round ratios FerrumDB / RocksDB of open + GET + close (lower is better for FerrumDB).
 */
public final class OpenCloseHarness {
    static final int RECORDS = 100_000;
    static final int FIELD_LENGTH = 100;
    /** The child JVM's flags: run-ycsb.sh's heap. */
    static final List<String> CHILD_JVM = List.of("-Xmx1g", "-Xms1g");
    private static final String ROCKSDB = "rocksdb";
    private static final String FERRUMDB = "ferrumdb";
    /** The label of the FerrumDB build of this jar. */
    private static final String THIS = "this";

    /**
     * The parent's JSON writer, in a holder so that the child JVM (this class's {@link #main}) never initializes
     * Jackson: its 370-odd classes and their compilation ran on the child's two cores beside the open being timed.
     */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }

    private OpenCloseHarness() {
    }

    /** The parent: {@code open-close out.json [samples] [label=jar ...]}. */
    public static void suite(String[] args) throws IOException, InterruptedException {
        if (args.length < 2) {
            throw new IllegalArgumentException("usage: Harness open-close <out.json> [samples] [label=jar ...]");
        }
        Path out = Path.of(args[1]);
        int samples = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        // Label -> extra class path before this jar (empty: this jar's own engine).
        Map<String, String> builds = new LinkedHashMap<>();
        builds.put(THIS, "");
        for (int i = 3; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq <= 0 || !Files.isRegularFile(Path.of(args[i].substring(eq + 1)))) {
                throw new IllegalArgumentException("expected label=jar (an existing file), got " + args[i]);
            }
            builds.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        Path root = Datasets.root().resolve("open-close-" + RECORDS);
        Path ferrumTemplate = template(root, FERRUMDB);
        Path rocksTemplate = template(root, ROCKSDB);
        List<String> runs = new ArrayList<>(builds.keySet());
        runs.add(ROCKSDB);

        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("suite", "open-close");
        doc.put("started", Instant.now().toString());
        doc.put("machine", Machine.describe());
        doc.put("records", RECORDS);
        doc.put("fieldLength", FIELD_LENGTH);
        doc.put("childJvmArgs", CHILD_JVM);
        doc.put("builds", builds);
        Map<String, List<Map<String, Object>>> byRun = new LinkedHashMap<>();
        for (String r : runs) {
            byRun.put(r, new ArrayList<>());
        }
        doc.put("samples", byRun);
        for (int round = 0; round < samples; round++) {
            List<String> order = new ArrayList<>(runs);
            if (round % 2 == 1) {
                Collections.reverse(order);
            }
            for (String run : order) {
                boolean rocks = run.equals(ROCKSDB);
                Map<String, Object> s = sample(rocks ? ROCKSDB : FERRUMDB, rocks ? rocksTemplate : ferrumTemplate,
                        rocks ? "" : builds.get(run), root);
                s.put("round", round);
                byRun.get(run).add(s);
                System.err.println("open-close round " + round + " " + run + ": " + s);
            }
        }
        doc.put("summary", summary(byRun, samples));
        doc.put("finished", Instant.now().toString());
        doc.put("loadAverageAtEnd", Machine.loadAverage());
        Files.createDirectories(out.toAbsolutePath().getParent());
        Json.MAPPER.writeValue(out.toFile(), doc);
        System.out.println(Json.MAPPER.writeValueAsString(doc.get("summary")));
    }

    /** Per run: medians of each phase; per FerrumDB build: the median per-round ratio to RocksDB's total. */
    static Map<String, Object> summary(Map<String, List<Map<String, Object>>> byRun, int rounds) {
        Map<String, Object> summary = new LinkedHashMap<>();
        List<Map<String, Object>> rocks = byRun.get(ROCKSDB);
        for (Map.Entry<String, List<Map<String, Object>>> e : byRun.entrySet()) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (String field : List.of("openMs", "getMs", "closeMs", "totalMs", "processCpuMs")) {
                m.put(field, median(e.getValue().stream().mapToDouble(s -> ((Number) s.get(field)).doubleValue())
                        .toArray()));
            }
            if (!e.getKey().equals(ROCKSDB)) {
                double[] ratios = perRound(e.getValue(), rocks, rounds);
                m.put("totalOverRocksDbPerRound", ratios);
                m.put("totalOverRocksDbMedian", median(ratios));
            }
            if (!e.getKey().equals(ROCKSDB) && !e.getKey().equals(THIS)) {
                // The build on this jar against another build, round by round (below 1: this build is faster).
                double[] ratios = perRound(byRun.get(THIS), e.getValue(), rounds);
                m.put("thisBuildOverItPerRound", ratios);
                m.put("thisBuildOverItMedian", median(ratios));
            }
            summary.put(e.getKey(), m);
        }
        return summary;
    }

    /** Per round, the total of {@code a}'s sample over {@code b}'s. */
    private static double[] perRound(List<Map<String, Object>> a, List<Map<String, Object>> b, int rounds) {
        double[] ratios = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            ratios[r] = total(a.get(r)) / total(b.get(r));
        }
        return ratios;
    }

    private static double total(Map<String, Object> sample) {
        return ((Number) sample.get("totalMs")).doubleValue();
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    /** The settled template of {@code engine} under {@code root}, loaded and settled the first time. */
    static Path template(Path root, String engine) throws IOException {
        Path dir = root.resolve(engine);
        Path complete = root.resolve(engine + ".complete");
        if (Files.exists(complete)) {
            return dir;
        }
        Datasets.delete(dir);
        Files.createDirectories(root);
        try {
            String settled = engine.equals(FERRUMDB) ? loadFerrumDb(dir) : loadRocksDb(dir);
            Files.writeString(complete, settled + "\n");
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new BenchException("could not build the " + engine + " template in " + dir + ": " + e, e);
        }
        return dir;
    }

    private static String loadFerrumDb(Path dir) {
        try (FerrumDB db = FerrumDbYcsb.open(dir)) {
            for (int i = 0; i < RECORDS; i++) {
                db.put(key(i), record());
            }
        }
        return YcsbSettle.settleFerrumDb(dir);
    }

    private static String loadRocksDb(Path dir) throws Exception {
        try (RocksDbYcsb.Handle h = RocksDbYcsb.open(dir)) {
            for (int i = 0; i < RECORDS; i++) {
                h.db.put(h.writeOptions, key(i), record());
            }
        }
        return YcsbSettle.settleRocksDb(dir);
    }

    /** The key YCSB's load phase gives record {@code i} (CoreWorkload: "user" + FNV hash, insertorder=hashed). */
    static byte[] key(long i) {
        return YcsbBinding.key("user" + Utils.hash(i));
    }

    private static byte[] record() {
        Map<String, ByteIterator> fields = new LinkedHashMap<>();
        fields.put("field0", new RandomByteIterator(FIELD_LENGTH));
        return YcsbRecord.encode(fields);
    }

    /** Copies {@code template} to a fresh directory and runs one child JVM on it; its SAMPLE line's figures. */
    private static Map<String, Object> sample(String engine, Path template, String extraClassPath, Path root)
            throws IOException, InterruptedException {
        Path copy = root.resolve("sample-" + engine);
        Datasets.delete(copy);
        copyTree(template, copy);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(CHILD_JVM);
        if (Runtime.version().feature() >= 24) {
            cmd.add("--enable-native-access=ALL-UNNAMED");
        }
        String cp = System.getProperty("java.class.path");
        cmd.addAll(List.of("-cp", extraClassPath.isEmpty() ? cp : extraClassPath + java.io.File.pathSeparator + cp,
                OpenCloseHarness.class.getName(), engine, copy.toString(), Long.toString(RECORDS / 2)));
        String load = Machine.loadAverage();
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Map<String, Object> s = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("SAMPLE ")) {
                    s = parse(line.substring(7));
                } else {
                    System.err.println("  | " + line);
                }
            }
        }
        int rc = p.waitFor();
        if (s == null || rc != 0) {
            throw new BenchException("open-close sample of " + engine + " failed (exit " + rc + "): " + cmd);
        }
        s.put("loadAverageBefore", load);
        Datasets.delete(copy);
        return s;
    }

    private static Map<String, Object> parse(String line) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String kv : line.trim().split(" ")) {
            int eq = kv.indexOf('=');
            m.put(kv.substring(0, eq), Double.parseDouble(kv.substring(eq + 1)));
        }
        return m;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }

    /**
     * The child: {@code ferrumdb|rocksdb DIR KEY_INDEX}. Times open, one GET of a key the store holds, and close,
     * with nothing of either engine touched before (only the JDK's lambdas bootstrapped, as in YCSB's client); prints {@code SAMPLE openMs=.. getMs=.. closeMs=.. totalMs=..
     * processCpuMs=..} (the whole JVM's CPU time up to the end of close, JVM start included).
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 3 || !Set.of(FERRUMDB, ROCKSDB).contains(args[0])) {
            throw new IllegalArgumentException("usage: OpenCloseHarness ferrumdb|rocksdb DIR KEY_INDEX");
        }
        Path dir = Path.of(args[1]);
        byte[] key = key(Long.parseLong(args[2]));
        // YCSB's client has bootstrapped the JDK's lambdas (and string concatenation, used by key() above) before
        // it opens a store, as nearly every application has: so does this child, so that neither engine's figure
        // carries that one-time cost of the JDK (some 10-40 ms in a fresh JVM).
        Runnable jdkWarmUp = () -> { };
        jdkWarmUp.run();
        long t0 = System.nanoTime();
        long t1;
        long t2;
        byte[] value;
        if (args[0].equals(FERRUMDB)) {
            FerrumDB db = FerrumDbYcsb.open(dir);
            t1 = System.nanoTime();
            value = db.get(key);
            t2 = System.nanoTime();
            db.close();
        } else {
            RocksDbYcsb.Handle h = RocksDbYcsb.open(dir);
            t1 = System.nanoTime();
            value = h.db.get(key);
            t2 = System.nanoTime();
            h.close();
        }
        long t3 = System.nanoTime();
        long cpu = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
        if (value == null || value.length < FIELD_LENGTH) {
            throw new BenchException(args[0] + ": the record of key index " + args[2] + " is missing in " + dir);
        }
        System.out.println("SAMPLE openMs=" + ms(t1 - t0) + " getMs=" + ms(t2 - t1) + " closeMs=" + ms(t3 - t2)
                + " totalMs=" + ms(t3 - t0) + " processCpuMs=" + ms(cpu));
    }

    private static double ms(long nanos) {
        return Math.round(nanos / 1e4) / 100.0;
    }
}
