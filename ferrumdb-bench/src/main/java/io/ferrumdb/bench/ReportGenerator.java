package io.ferrumdb.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Renders docs/benchmarks.md's generated block and docs/img/*.png from the results of one run ({@code jmh.json}
 * from JMH, {@code harness.json} from {@link Harness}). Only the text between {@link #BEGIN} and {@link #END} is
 * rewritten; sections other modules add outside the markers are kept as they are.
 *
 * <pre>java -cp benchmarks.jar io.ferrumdb.bench.ReportGenerator &lt;resultsDir&gt; &lt;docsDir&gt;</pre>
 */
public final class ReportGenerator {
    public static final String BEGIN = "<!-- BEGIN GENERATED: ferrumdb-bench core and peers "
            + "(ReportGenerator; edit the generator, not this block) -->";
    public static final String END = "<!-- END GENERATED: ferrumdb-bench core and peers -->";
    static final List<String> PEERS = List.of("rocksdb", "lmdb", "mvstore", "mapdb", "sqlite", "redis",
            "redis-everysec");
    static final List<String> FERRUM = List.of("ferrum", "ferrum-hash");
    private static final List<String> PERCENTILES = List.of("50.0", "90.0", "99.0", "99.9", "99.99");

    private final List<JmhResult> jmh;
    private final JsonNode harness;
    private final Path img;
    private final String imgLink;
    private final StringBuilder md = new StringBuilder();

    record JmhResult(String bench, Map<String, String> params, double score, double error, String unit,
            Map<String, Double> percentiles, JsonNode raw) {
        String engine() {
            return params.get("engine");
        }

        int valueSize() {
            return Integer.parseInt(params.getOrDefault("valueSize", "100"));
        }
    }

    ReportGenerator(List<JmhResult> jmh, JsonNode harness, Path img, String imgLink) {
        this.jmh = jmh;
        this.harness = harness;
        this.img = img;
        this.imgLink = imgLink;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: ReportGenerator <resultsDir> <docsDir>");
        }
        render(Path.of(args[0]), Path.of(args[1]));
    }

    /** Reads the results in {@code resultsDir} and (re)writes the generated block and images under {@code docs}. */
    public static void render(Path resultsDir, Path docs) throws IOException {
        ObjectMapper json = new ObjectMapper();
        Path jmhFile = resultsDir.resolve("jmh.json");
        Path harnessFile = resultsDir.resolve("harness.json");
        if (!Files.exists(jmhFile) || !Files.exists(harnessFile)) {
            throw new IllegalArgumentException("expected " + jmhFile + " and " + harnessFile
                    + " (run ferrumdb-bench/run-bench.sh first)");
        }
        List<JmhResult> results = parseJmh(json.readTree(jmhFile.toFile()));
        ReportGenerator g = new ReportGenerator(results, json.readTree(harnessFile.toFile()), docs.resolve("img"),
                "img/");
        String block = g.generate(docs.relativize(resultsDir).toString().replace('\\', '/'));
        Path md = docs.resolve("benchmarks.md");
        String existing = Files.exists(md) ? Files.readString(md, StandardCharsets.UTF_8) : "";
        Files.createDirectories(docs);
        Files.writeString(md, splice(existing, block), StandardCharsets.UTF_8);
    }

    /** {@code existing} with the generated block replaced (or, on first use, a new document around it). */
    static String splice(String existing, String block) {
        String wrapped = BEGIN + "\n\n" + block + END; // a blank line: Markdown needs one before a heading
        int b = existing.indexOf(BEGIN);
        int e = existing.indexOf(END);
        if (b >= 0 && e > b) {
            return existing.substring(0, b) + wrapped + existing.substring(e + END.length());
        }
        if (b >= 0 || e >= 0) {
            throw new IllegalStateException("docs/benchmarks.md has only one of the generated-block markers; "
                    + "restore both or remove both");
        }
        if (existing.isBlank()) {
            return "# FerrumDB benchmarks\n\n"
                    + "Everything between the GENERATED markers below is written by `ferrumdb-bench/run-bench.sh` "
                    + "(class `io.ferrumdb.bench.ReportGenerator`) from the JSON results of one run. Other modules add "
                    + "their own sections after the end marker; the generator never touches them.\n\n"
                    + wrapped + "\n";
        }
        return existing + (existing.endsWith("\n") ? "\n" : "\n\n") + wrapped + "\n";
    }

    static List<JmhResult> parseJmh(JsonNode root) {
        List<JmhResult> out = new ArrayList<>();
        for (JsonNode r : root) {
            String bench = r.get("benchmark").asText();
            String[] parts = bench.split("\\.");
            String shortName = parts[parts.length - 2] + "." + parts[parts.length - 1];
            Map<String, String> params = new LinkedHashMap<>();
            JsonNode p = r.get("params");
            if (p != null) {
                for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    params.put(e.getKey(), e.getValue().asText());
                }
            }
            JsonNode pm = r.get("primaryMetric");
            Map<String, Double> pct = new LinkedHashMap<>();
            JsonNode ps = pm.get("scorePercentiles");
            if (ps != null) {
                for (Iterator<Map.Entry<String, JsonNode>> it = ps.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    pct.put(e.getKey(), e.getValue().asDouble());
                }
            }
            out.add(new JmhResult(shortName, params, pm.get("score").asDouble(), number(pm.get("scoreError")),
                    pm.get("scoreUnit").asText(), pct, r));
        }
        return out;
    }

    private static double number(JsonNode n) {
        return n == null || !n.isNumber() ? Double.NaN : n.asDouble();
    }

    // ------------------------------------------------------------------ document

    String generate(String resultsLink) {
        method(resultsLink);
        TreeSet<Integer> sizes = new TreeSet<>();
        jmh.forEach(r -> sizes.add(r.valueSize()));
        for (JsonNode r : harness.path("results")) {
            if (r.has("valueSize")) {
                sizes.add(r.get("valueSize").asInt());
            }
        }
        for (int vs : sizes) {
            core(vs);
        }
        coreOnce();
        compaction();
        for (int vs : sizes) {
            peers(vs);
        }
        peersOnce();
        return md.toString();
    }

    private void method(String resultsLink) {
        JsonNode m = harness.path("machine");
        h2("Method");
        line("Suite: **" + harness.path("suite").asText("?") + "**"
                + (harness.path("suite").asText().equals("quick")
                ? " (quick: one fork, short warm-up and measurement, 2 s durable runs; expect wide error bars and "
                + "use the ratios, not the absolute figures)" : " (full)")
                // harness.json holds the harness's own window; run-bench.sh runs the JMH benchmarks just before it.
                + ". Harness run from " + harness.path("started").asText("?") + " to "
                + harness.path("finished").asText("?") + " (the JMH benchmarks ran just before it)"
                + ". Raw results: [`" + resultsLink + "/jmh.json`](" + resultsLink + "/jmh.json) (JMH) and [`"
                + resultsLink + "/harness.json`](" + resultsLink + "/harness.json) (everything else).");
        line("");
        line("- Machine (read from /proc at run time): " + m.path("cpuModel").asText() + ", "
                + m.path("availableProcessors").asText() + " CPUs visible to the JVM, " + m.path("memTotal").asText()
                + " RAM, " + m.path("os").asText() + ", data on " + m.path("dataFileStore").asText() + ".");
        line("- Load average at start / end: " + m.path("loadAverageAtStart").asText() + " / "
                + harness.path("loadAverageAtEnd").asText("?") + ". **The machine is shared with other developers "
                + "compiling and testing during the run**: absolute figures are depressed and noisy; the ratios "
                + "between rows measured in the same run are what counts.");
        // Rows refreshed by a separate `Harness compaction` run state their own load averages in their section.
        double[] loads = rows(r -> r.has("loadAverage") && !r.path("compactionRun").asBoolean()).stream()
                .mapToDouble(r -> Double.parseDouble(r.path("loadAverage").asText().split(" ")[0])).sorted().toArray();
        if (loads.length > 0) {
            line("- One-minute load average seen by the harness measurements: " + fmt(loads[0], 1) + " to "
                    + fmt(loads[loads.length - 1], 1) + " on " + m.path("availableProcessors").asText()
                    + " CPUs (recorded with each row in harness.json).");
        }
        line("- JVM: " + m.path("javaVm").asText() + " (" + m.path("javaVendor").asText() + ", Java "
                + m.path("javaVersion").asText() + ").");
        if (!jmh.isEmpty()) {
            JsonNode r = jmh.get(0).raw();
            line("- JMH " + r.path("jmhVersion").asText() + ": " + r.path("forks").asText() + " fork(s), "
                    + r.path("warmupIterations").asText() + " warm-up iteration(s) of " + r.path("warmupTime").asText()
                    + ", " + r.path("measurementIterations").asText() + " measurement iteration(s) of "
                    + r.path("measurementTime").asText() + "; JVM flags " + r.path("jvmArgs") + ". Error bars (±) "
                    + "are JMH's 99.9% confidence half-interval over iterations (NaN or missing with one "
                    + "iteration). GET latency is JMH sample mode (each sampled call timed), so percentiles are real "
                    + "per-call latencies.");
        }
        line("- Harness (durable writes, memory, open, disk space): one child JVM per measurement with flags "
                + harness.path("childJvmArgs") + "; durable runs " + harness.path("durableSeconds").asText()
                + " s after a 1 s warm-up, closed loop (each thread puts its next record when the previous is "
                + "acknowledged), keys random over 1M; putAsync pipeline keeps " + harness.path("asyncWindow").asText()
                + " writes in flight from one thread.");
        line("- Data set: 16-byte ASCII keys `k000000000000042` (key order = index order), incompressible random "
                + "values from a pool of 1,024; GET/scan/mixed benchmarks read a data set loaded once per engine "
                + "(bulk load, then flushed/synced and closed) and reopened in each fork, so reads come from the "
                + "OS page cache (all data sets fit in RAM); GET keys are uniform random; missing keys are "
                + "outside the loaded range. Put benchmarks start from an empty store each trial and write keys "
                + "uniform over 1M; at the rates reached in a quick run a trial writes a few hundred thousand records, so "
                + "it is mostly inserts of new keys.");
        line("- Memory per key: heap = used heap after 4× System.gc() after loading minus before; native = growth of "
                + "the process's anonymous resident memory (RssAnon) with a pre-touched fixed heap (-Xms=-Xmx, "
                + "AlwaysPreTouch), so heap growth is not counted twice; file-backed maps (LMDB, FerrumDB's "
                + "sealed segments) are page cache and counted in neither.");
        line("- Comparable: engines in one table ran the same workload in the same run on the same disk. Not "
                + "comparable: Redis is a separate server reached over loopback (every call pays a round trip); "
                + "MVStore and MapDB have no per-put fsync mode equivalent to group commit (see settings); "
                + "raw baselines do no indexing, checksums or crash safety, they are the ceiling, not a competitor.");
        line("");
    }

    private void core(int vs) {
        h2("FerrumDB against raw limits (" + vs + "-byte values)");
        Optional<JmhResult> rawPread = get("GetBench.getHit", "raw-pread", vs);
        Optional<JmhResult> rawMmap = get("GetBench.getHit", "raw-mmap", vs);
        Optional<JmhResult> rawChm = get("GetBench.getHit", "raw-chm", vs);
        List<String> engines = List.of("ferrum", "ferrum-hash", "raw-chm", "raw-pread", "raw-mmap");
        if (rawPread.isPresent()) {
            h3("Random GET at " + keys("GetBench.getHit", vs) + " keys");
            table(List.of("engine", "p50 ns", "mean ns/op", "p99", "p99.9", "p50 ÷ raw pread", "p50 ÷ raw mmap",
                    "p50 ÷ raw CHM", "mean ÷ raw pread"));
            for (String e : engines) {
                get("GetBench.getHit", e, vs).ifPresent(r -> row(e, ns(p50(r)), ns(r.score(), r.error()),
                        ns(r.percentiles().get("99.0")), ns(r.percentiles().get("99.9")), p50Ratio(r, rawPread),
                        p50Ratio(r, rawMmap), p50Ratio(r, rawChm), ratio(r.score(), rawPread)));
            }
            line("");
            get("GetBench.getHit", "ferrum", vs).ifPresent(f -> target("GET within 1.5x of a raw FileChannel "
                    + "positional read (median; mean ratio " + ratio(f.score(), rawPread) + ")",
                    p50(f) / p50(rawPread.get()), x -> x <= 1.5, "x"));
            line("");
            line(MEDIAN_NOTE);
            line("FerrumDB reads sealed segments through a memory map, so the mmap row is the tighter limit for "
                    + "its read path; the CHM row is the cost of a hash lookup alone.");
            line("");
        }
        getPutNoSync(vs);
        durableCore(vs);
        scans(vs);
        orderedVsHash(vs);
    }

    private void getPutNoSync(int vs) {
        Optional<JmhResult> raw = get("PutBench.put", "raw-append", vs);
        if (raw.isEmpty()) {
            return;
        }
        h3("Put without sync, one thread");
        table(List.of("engine", "puts/s", "÷ raw buffered append"));
        for (String e : List.of("ferrum", "ferrum-hash", "raw-append")) {
            get("PutBench.put", e, vs).ifPresent(r -> row(e, ops(r.score(), r.error()), ratio(r.score(), raw)));
        }
        line("");
        get("PutBench.put", "ferrum", vs).ifPresent(f -> target(">= 1M puts/s on one thread with never()",
                f.score(), x -> x >= 1e6, " puts/s"));
        line("");
    }

    private void durableCore(int vs) {
        List<JsonNode> ferrum = harnessRows("durable", "ferrum", vs);
        ferrum.addAll(harnessRows("durable", "ferrum-async", vs));
        if (ferrum.isEmpty()) {
            return;
        }
        h3("Durable puts (fsyncPolicy always) against raw append + fdatasync at the same batch size");
        line("");
        table(List.of("writers", "FerrumDB puts/s", "records per fsync", "p50 / p99 latency",
                "raw append+fsync at that batch, records/s", "FerrumDB ÷ raw"));
        for (JsonNode f : ferrum) {
            boolean async = f.path("engine").asText().equals("ferrum-async");
            double rawOps = f.has("rawOpsPerSec") ? f.path("rawOpsPerSec").asDouble() : Double.NaN;
            row(async ? "1 thread, putAsync window " + harness.path("asyncWindow").asText()
                    : threads(f.path("threads").asInt()),
                    ops(f.path("opsPerSec").asDouble()), fmt(f.path("recordsPerFsync").asDouble(), 1),
                    f.has("p50us") ? fmt(f.path("p50us").asDouble(), 0) + " / " + fmt(f.path("p99us").asDouble(), 0)
                            + " µs" : "—",
                    Double.isNaN(rawOps) ? "—" : ops(rawOps) + " (batch " + f.path("rawBatch").asText() + ")",
                    Double.isNaN(rawOps) ? "—" : fmt(f.path("opsPerSec").asDouble() / rawOps, 2) + "x");
        }
        line("");
        for (JsonNode f : ferrum) {
            if (f.has("rawOpsPerSec")) {
                String label = f.path("engine").asText().equals("ferrum-async") ? "putAsync pipeline"
                        : threads(f.path("threads").asInt());
                target("durable throughput >= half the raw group-commit limit at equal batch size (" + label + ")",
                        f.path("opsPerSec").asDouble() / f.path("rawOpsPerSec").asDouble(), x -> x >= 0.5, "x");
            }
        }
        line("");
        double[] rawFsyncRates = ferrum.stream().filter(f -> f.has("rawOpsPerSec"))
                .mapToDouble(f -> f.path("rawOpsPerSec").asDouble() / f.path("rawBatch").asDouble()).sorted().toArray();
        if (rawFsyncRates.length > 1) {
            line("The raw loop's own fdatasync rate ranged from " + fmt(rawFsyncRates[0], 0) + " to "
                    + fmt(rawFsyncRates[rawFsyncRates.length - 1], 0) + " fsyncs/s across these rows. Where that "
                    + "spread is wide, the disk (shared with other developers' test suites) changed under the "
                    + "measurement, and a ratio above 1 says more about that than about FerrumDB; the full suite's "
                    + "longer runs narrow it.");
            line("");
        }
        line("The raw loop writes as many records per fdatasync as FerrumDB reached in its warm-up second "
                + "(records of key + value + 24 header bytes, appended, one write and one force(false) per batch, "
                + "one thread, in the same directory). Because the shared disk's fsync rate drifts by several times "
                + "within minutes, the measurement alternates " + "slices of FerrumDB and of the raw loop (see "
                + "`slices` in harness.json) so that both see the same disk. The batch size itself is a result of FerrumDB's group commit, so compare the "
                + "records-per-fsync column across rows too: a small batch at 64 writers means few hand-offs "
                + "per fsync.");
        line("");
    }

    private void scans(int vs) {
        Optional<JmhResult> rawK = get("ScanBench.keysOnly", "raw-cslm", vs);
        Optional<JmhResult> rawKv = get("ScanBench.keysAndValues", "raw-cslm", vs);
        if (rawK.isEmpty()) {
            return;
        }
        h3("Ordered scans (10,000 entries from a random key)");
        table(List.of("engine", "keys only, entries/s", "÷ CSLM", "keys + values, entries/s",
                "÷ CSLM + pread"));
        for (String e : List.of("ferrum", "raw-cslm", "rocksdb")) {
            Optional<JmhResult> k = get("ScanBench.keysOnly", e, vs);
            Optional<JmhResult> kv = get("ScanBench.keysAndValues", e, vs);
            row(e, k.map(r -> ops(r.score(), r.error())).orElse("—"), k.map(r -> ratio(r.score(), rawK)).orElse("—"),
                    kv.map(r -> ops(r.score(), r.error())).orElse("—"),
                    kv.map(r -> ratio(r.score(), rawKv)).orElse("—"));
        }
        line("");
    }

    private void orderedVsHash(int vs) {
        Optional<JmhResult> go = get("GetBench.getHit", "ferrum", vs);
        Optional<JmhResult> gh = get("GetBench.getHit", "ferrum-hash", vs);
        Optional<JmhResult> po = get("PutBench.put", "ferrum", vs);
        Optional<JmhResult> ph = get("PutBench.put", "ferrum-hash", vs);
        if (go.isEmpty() || gh.isEmpty() || po.isEmpty() || ph.isEmpty()) {
            return;
        }
        h3("Cost of ordered keys (orderedKeys(true) vs false)");
        double getCost = p50(go.get()) / p50(gh.get()) - 1;
        double putCost = 1 - po.get().score() / ph.get().score();
        line("- GET median latency: " + ns(p50(go.get())) + " ns ordered vs " + ns(p50(gh.get())) + " ns hash-only ("
                + pct(getCost) + " slower with ordered keys; means " + ns(go.get().score()) + " vs "
                + ns(gh.get().score()) + " ns).");
        line("- Put (never()) throughput: " + ops(po.get().score()) + " ordered vs " + ops(ph.get().score())
                + " hash-only (" + pct(putCost) + " lower with ordered keys).");
        target("GET median latency with ordered keys within 10% of hash-only", getCost, x -> x <= 0.10, "", true);
        target("put throughput with ordered keys within 10% of hash-only", putCost, x -> x <= 0.10, "", true);
        line("");
    }

    private void coreOnce() {
        List<JsonNode> mem = new ArrayList<>();
        for (String e : List.of("ferrum", "ferrum-hash", "raw-chm")) {
            mem.addAll(harnessRows("memory", e, 100));
        }
        if (!mem.isEmpty()) {
            h3("Key directory memory (1M keys, 16-byte keys)");
            table(List.of("configuration", "heap bytes/key", "native bytes/key"));
            for (JsonNode r : mem) {
                row(r.path("engine").asText(), fmt(r.path("heapBytesPerKey").asDouble(), 1),
                        fmt(r.path("nativeBytesPerKey").asDouble(), 1));
            }
            line("");
            line("raw-chm is a plain `ConcurrentHashMap<ByteBuffer, byte[]>` holding the values too: the naive "
                    + "in-memory index for reference. FerrumDB's heap figure includes its write buffers and "
                    + "per-segment state at this size.");
            line("");
        }
        List<JsonNode> open = new ArrayList<>();
        for (String e : FERRUM) {
            open.addAll(harnessRows("open", e, 100));
        }
        if (!open.isEmpty()) {
            h3("Open time (1M keys, clean shutdown, warm page cache; best of 3)");
            table(List.of("configuration", "open + first GET, ms", "all rounds, ms"));
            for (JsonNode r : open) {
                row(r.path("engine").asText(), fmt(r.path("bestMillis").asDouble(), 0), r.path("millis").toString());
            }
            line("");
        }
    }

    /** Issue 4: open with hint files, GET p99 during compaction, compaction throughput (CompactionHarness). */
    private void compaction() {
        List<JsonNode> open = rows(r -> r.path("kind").asText().equals("open-hints"));
        List<JsonNode> get = rows(r -> r.path("kind").asText().equals("get-during-compaction"));
        List<JsonNode> thr = rows(r -> r.path("kind").asText().equals("compaction-throughput"));
        if (open.isEmpty() && get.isEmpty() && thr.isEmpty()) {
            return;
        }
        h2("Compaction, hint files and open time");
        JsonNode any = !open.isEmpty() ? open.get(0) : !get.isEmpty() ? get.get(0) : thr.get(0);
        line("Settings: " + any.path("settings").asText() + "; each measurement in a JVM of its own"
                + (harness.has("compactionRun") ? ", run from " + harness.path("compactionRun").path("started")
                .asText() + " to " + harness.path("compactionRun").path("finished").asText() + " (`Harness "
                + "compaction`, which refreshes only these rows of harness.json)" : "") + ". Load averages: "
                + String.join("; ", concat(concat(open.stream().map(r -> r.path("loadAverage").asText()).toList(),
                get.stream().map(r -> r.path("loadAverage").asText()).toList()),
                thr.stream().map(r -> r.path("loadAverage").asText()).toList())) + ".");
        line("");
        if (!open.isEmpty()) {
            h3("Open time: hint files against a full data scan and against the raw read of the hint files");
            table(List.of("keys", "rounds", "data, MiB", "hints, MiB", "open with hints, ms", "full data scan, ms",
                    "raw hint read, ms", "hints ÷ raw read", "full scan ÷ hints"));
            for (JsonNode r : open) {
                row(String.format(Locale.ROOT, "%,d", r.path("keys").asLong()),
                        String.valueOf(r.path("withHintsMillis").size()),
                        fmt(r.path("dataBytes").asDouble() / (1 << 20), 1),
                        fmt(r.path("hintBytes").asDouble() / (1 << 20), 1),
                        fmt(r.path("bestWithHintsMillis").asDouble(), 0),
                        fmt(r.path("bestFullScanMillis").asDouble(), 0),
                        fmt(r.path("bestRawHintReadMillis").asDouble(), 1),
                        fmt(r.path("hintsOverRaw").asDouble(), 1) + "x",
                        fmt(r.path("fullScanOverHints").asDouble(), 2) + "x");
            }
            line("");
            line("Best of the rounds (all in harness.json), warm page cache, clean "
                    + "shutdown, " + open.get(0).path("valueSize").asText() + "-byte values, one write per key. "
                    + "Open = `FerrumDB.open` + one GET of the last key + close, without the `KEYDIR` image (the key "
                    + "directory's cache, which every clean close writes and the next open maps instead of reading "
                    + "any hint file: it is deleted before each timed open; its open is in the key directory suite, "
                    + "`run-bench.sh keydir`). Full data scan = the same open "
                    + "on a fresh copy of the directory without its *.hint files (FerrumDB rebuilds them). Raw hint "
                    + "read = every byte of the *.hint files read with a FileChannel into a 1 MiB buffer, no "
                    + "parsing: the I/O limit, not a limit for building the key directory. orderedKeys is on by default, "
                    + "so both opens build the ordered key index as well as the hash key directory.");
            for (JsonNode r : open) {
                target("open with hints ÷ raw read of the hint files, " + String.format(Locale.ROOT, "%,d",
                        r.path("keys").asLong()) + " keys (target at most 2x)", r.path("hintsOverRaw").asDouble(),
                        v -> v <= 2, "x");
            }
            for (JsonNode r : open) {
                if (r.has("note")) {
                    line("- " + r.path("note").asText() + ".");
                }
            }
            if (open.stream().noneMatch(r -> r.path("keys").asLong() >= 10_000_000)) {
                line("- 10M keys: not measured in this run (only `Harness full` runs it).");
            }
            line("");
        }
        if (!get.isEmpty()) {
            JsonNode r = get.get(0);
            h3("GET latency while db.compact() runs (" + String.format(Locale.ROOT, "%,d", r.path("keys").asLong())
                    + " keys, " + r.path("valueSize").asText() + "-byte values, half the keys overwritten once)");
            table(List.of("phase", "GETs", "GET/s", "p50, µs", "p90, µs", "p99, µs", "p99.9, µs"));
            for (String phase : List.of("baseline", "duringCompaction")) {
                JsonNode p = r.path(phase);
                row(phase.equals("baseline") ? "no compaction" : "during compaction",
                        String.format(Locale.ROOT, "%,d", p.path("ops").asLong()), ops(p.path("opsPerSec").asDouble()),
                        fmt(p.path("p50ns").asDouble() / 1e3, 2), fmt(p.path("p90ns").asDouble() / 1e3, 2),
                        fmt(p.path("p99ns").asDouble() / 1e3, 2), fmt(p.path("p999ns").asDouble() / 1e3, 1));
            }
            line("");
            line("One reader thread, random present keys, each GET timed with System.nanoTime; samples sorted, no "
                    + "histogram. " + r.path("slices").asText() + " alternating slice pairs in the same JVM: a "
                    + "compaction slice (another thread runs " + r.path("compactionsPerSlice").asText() + " full "
                    + "`db.compact()` back to back; " + r.path("compactions").size() + " compactions in all) then a "
                    + "baseline slice of the same length without compaction. Ratios during ÷ without: p50 "
                    + fmt(r.path("p50Ratio").asDouble(), 2) + "x, p99.9 " + fmt(r.path("p999Ratio").asDouble(), 2)
                    + "x. The machine has " + harness.path("machine").path("availableProcessors").asText()
                    + " CPUs: the compactor takes one of them.");
            target("GET p99 during compaction ÷ p99 without (target at most 2x)", r.path("p99Ratio").asDouble(),
                    v -> v <= 2, "x");
            line("");
        }
        if (!thr.isEmpty()) {
            JsonNode r = thr.get(0);
            h3("Compaction throughput against sequential disk bandwidth (same JVM, same run)");
            double w = r.path("diskWriteBytesPerSec").asDouble();
            double rd = r.path("diskReadBytesPerSec").asDouble();
            line("Disk: " + r.path("diskFileMiB").asText() + " MiB written with a FileChannel in 1 MiB chunks + "
                    + "force, then read back, once before and once after the compactions: write "
                    + fmt(w / (1 << 20), 0) + " MiB/s, read " + fmt(rd / (1 << 20), 0) + " MiB/s (the read-back "
                    + "comes largely from the page cache, as compaction's reads of freshly written segments do), "
                    + "read+write combined " + fmt(r.path("diskSequentialBytesPerSec").asDouble() / (1 << 20), 0)
                    + " MiB/s.");
            line("");
            table(List.of("compaction", "read, MiB", "written, MiB", "s", "(read+written)/s, MiB/s",
                    "share of read+write bandwidth", "share of copy limit"));
            int i = 0;
            for (JsonNode c : r.path("compactions")) {
                row((i++ == 0 ? "first (half the records dead)" : "again (all live: pure rewrite)"),
                        fmt(c.path("bytesRead").asDouble() / (1 << 20), 1),
                        fmt(c.path("bytesWritten").asDouble() / (1 << 20), 1), fmt(c.path("seconds").asDouble(), 2),
                        fmt(c.path("bytesPerSec").asDouble() / (1 << 20), 0),
                        fmt(c.path("shareOfDiskBandwidth").asDouble(), 2) + "x",
                        fmt(c.path("shareOfCopyLimit").asDouble(), 2) + "x");
            }
            line("");
            line(String.format(Locale.ROOT, "%,d", r.path("keys").asLong()) + " keys, " + r.path("valueSize").asText()
                    + "-byte values, every second key overwritten once, then `db.compact()` twice. Bytes and "
                    + "duration from its CompactionResult. Share of read+write bandwidth = (bytesRead + bytesWritten)"
                    + " / duration ÷ the combined disk rate; share of copy limit = (bytesRead / read rate + "
                    + "bytesWritten / write rate) ÷ duration, the fraction of the time a plain sequential copy of the "
                    + "same bytes would need.");
            line("");
        }
    }

    private void peers(int vs) {
        Optional<JmhResult> fGet = get("GetBench.getHit", "ferrum", vs);
        if (fGet.isEmpty() && harnessRows("durable", "ferrum", vs).isEmpty()) {
            return;
        }
        h2("FerrumDB against peer engines (" + vs + "-byte values)");
        line("Ratios are peer ÷ FerrumDB for latencies (above 1: FerrumDB is faster) and FerrumDB ÷ peer for "
                + "throughputs (above 1: FerrumDB is faster).");
        line("");
        for (String bench : List.of("GetBench.getHit", "GetBench.getMiss")) {
            Optional<JmhResult> f = get(bench, "ferrum", vs);
            if (f.isEmpty()) {
                continue;
            }
            h3((bench.endsWith("Hit") ? "Random GET of present keys" : "GET of missing keys") + ", one thread, "
                    + keys(bench, vs) + " keys");
            table(List.of("engine", "p50 ns", "mean ns/op", "p99", "p99.9", "peer ÷ FerrumDB (p50)",
                    "peer ÷ FerrumDB (mean)"));
            for (String e : concat(FERRUM, PEERS)) {
                get(bench, e, vs).ifPresent(r -> row(e, ns(p50(r)), ns(r.score(), r.error()),
                        ns(r.percentiles().get("99.0")), ns(r.percentiles().get("99.9")),
                        fmt(p50(r) / p50(f.get()), 2) + "x", fmt(r.score() / f.get().score(), 2) + "x"));
            }
            line("");
            if (bench.endsWith("Hit")) {
                latencyChart(vs);
                get(bench, "lmdb", vs).ifPresent(l -> target("GET latency at most LMDB's (median; mean ratio "
                        + fmt(f.get().score() / l.score(), 2) + "x)", p50(f.get()) / p50(l), x -> x <= 1.0,
                        "x of LMDB"));
                get(bench, "rocksdb", vs).ifPresent(r -> target("GET latency at most half of RocksDB's (median; "
                        + "mean ratio " + fmt(f.get().score() / r.score(), 2) + "x)", p50(f.get()) / p50(r),
                        x -> x <= 0.5, "x of RocksDB"));
                line("");
            }
        }
        throughputTable("Put without sync, one thread", "PutBench.put", vs, "rocksdb",
                "puts without sync at least 3x RocksDB with its WAL unsynced", 3.0);
        throughputTable("Mixed 90% GET / 10% put (no sync), two threads", "MixedBench.mixed90read10write", vs,
                null, null, 0);
        durablePeers(vs);
    }

    private void throughputTable(String title, String bench, int vs, String targetPeer, String targetText,
            double targetRatio) {
        Optional<JmhResult> f = get(bench, "ferrum", vs);
        if (f.isEmpty()) {
            return;
        }
        h3(title);
        table(List.of("engine", "ops/s", "FerrumDB ÷ engine"));
        for (String e : concat(FERRUM, PEERS)) {
            get(bench, e, vs).ifPresent(r -> row(e, ops(r.score(), r.error()), fmt(f.get().score() / r.score(), 2)
                    + "x"));
        }
        line("");
        if (targetPeer != null) {
            get(bench, targetPeer, vs).ifPresent(p -> target(targetText, f.get().score() / p.score(),
                    x -> x >= targetRatio, "x"));
        }
        line("");
    }

    private void durablePeers(int vs) {
        List<String> engines = concat(List.of("ferrum"), PEERS);
        int[] threads = {1, 16, 64};
        if (harnessRows("durable", "ferrum", vs).isEmpty()) {
            return;
        }
        h3("Durable puts by writer threads (closed loop), puts/s");
        List<String> head = new ArrayList<>(List.of("engine"));
        for (int t : threads) {
            head.add(threads(t));
            head.add("FerrumDB ÷");
        }
        table(head);
        Map<String, double[]> series = new LinkedHashMap<>();
        for (String e : engines) {
            List<String> cells = new ArrayList<>(List.of(e));
            double[] vals = new double[threads.length];
            boolean any = false;
            for (int i = 0; i < threads.length; i++) {
                double v = durableOps(e, threads[i], vs);
                double fv = durableOps("ferrum", threads[i], vs);
                vals[i] = v;
                any |= !Double.isNaN(v);
                cells.add(Double.isNaN(v) ? "—" : ops(v));
                cells.add(Double.isNaN(v) ? "—" : fmt(fv / v, 2) + "x");
            }
            if (any) {
                row(cells.toArray(String[]::new));
                series.put(e, vals);
            }
        }
        line("");
        for (JsonNode s : rows(r -> r.path("kind").asText().equals("skipped")
                && r.path("command").asText().startsWith("durable "))) {
            if (s.path("command").asText().endsWith(" " + vs)) {
                line("- Not measured: `" + s.path("command").asText() + "`: " + s.path("reason").asText());
            }
        }
        for (JsonNode s : rows(r -> r.path("kind").asText().equals("failed"))) {
            line("- **Failed** (see the run log): `" + s.path("command") + "` exit code " + s.path("exitCode"));
        }
        double f64 = durableOps("ferrum", 64, vs);
        double r64 = durableOps("redis", 64, vs);
        if (!Double.isNaN(f64) && !Double.isNaN(r64)) {
            target("durable group commit with 64 threads above Redis appendfsync always with 64 clients", f64 / r64,
                    x -> x > 1.0, "x of Redis");
        }
        line("");
        String file = "durable-throughput-" + vs + ".png";
        LineChart.draw(img.resolve(file), "Durable puts/s by writer threads (" + vs + " B values)", "writer threads",
                List.of("1", "16", "64"), "puts/s", series);
        line("![durable throughput by thread count](" + imgLink + file + ")");
        line("");
    }

    private double durableOps(String engine, int threads, int vs) {
        return harnessRows("durable", engine, vs).stream().filter(r -> r.path("threads").asInt() == threads)
                .mapToDouble(r -> r.path("opsPerSec").asDouble()).findFirst().orElse(Double.NaN);
    }

    private void latencyChart(int vs) {
        Map<String, double[]> series = new LinkedHashMap<>();
        for (String e : concat(concat(FERRUM, PEERS), List.of("raw-chm", "raw-pread", "raw-mmap"))) {
            get("GetBench.getHit", e, vs).ifPresent(r -> series.put(e,
                    PERCENTILES.stream().mapToDouble(p -> r.percentiles().getOrDefault(p, Double.NaN)).toArray()));
        }
        String file = "get-latency-" + vs + ".png";
        LineChart.draw(img.resolve(file), "Random GET latency by percentile (" + vs + " B values)", "percentile",
                PERCENTILES.stream().map(p -> "p" + p.replaceAll("\\.0$", "")).toList(), "ns per GET", series);
        line("![GET latency distribution](" + imgLink + file + ")");
        line("");
    }

    private void peersOnce() {
        h3("Engine settings (each as its documentation recommends for speed)");
        table(List.of("engine", "without sync", "durable"));
        for (Iterator<Map.Entry<String, JsonNode>> it = harness.path("settings").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            row(e.getKey(), e.getValue().path("nosync").asText(), e.getValue().path("durable").asText());
        }
        line("");
        line("Chronicle Map is not measured: it needs six --add-opens/--add-exports flags and the jdk.compiler "
                + "module at run time, which would have to be applied to every fork of every engine; it was left "
                + "out of this harness rather than measured under different JVM flags from the others.");
        line("");
        List<JsonNode> mem = rows(r -> r.path("kind").asText().equals("memory"));
        if (!mem.isEmpty()) {
            h3("Memory per key at 1M keys (100-byte values)");
            table(List.of("engine", "heap bytes/key", "native bytes/key", "disk bytes/key"));
            for (JsonNode r : mem) {
                double n = r.path("keys").asDouble();
                row(r.path("engine").asText(), fmt(r.path("heapBytesPerKey").asDouble(), 1),
                        fmt(r.path("nativeBytesPerKey").asDouble(), 1), fmt(r.path("diskBytes").asDouble() / n, 1));
            }
            line("");
        }
        List<JsonNode> open = rows(r -> r.path("kind").asText().equals("open"));
        if (!open.isEmpty()) {
            h3("Open time at 1M keys (open + first GET, best of 3, warm page cache)");
            table(List.of("engine", "ms", "FerrumDB time ÷ engine time"));
            double f = open.stream().filter(r -> r.path("engine").asText().equals("ferrum"))
                    .mapToDouble(r -> r.path("bestMillis").asDouble()).findFirst().orElse(Double.NaN);
            for (JsonNode r : open) {
                double ms = r.path("bestMillis").asDouble();
                row(r.path("engine").asText(), fmt(ms, 0), fmt(f / ms, 2) + "x");
            }
            line("");
        }
        List<JsonNode> space = rows(r -> r.path("kind").asText().equals("space"));
        if (!space.isEmpty()) {
            JsonNode s0 = space.get(0);
            h3("Disk space after writing every key " + s0.path("writesPerKey").asText() + " times ("
                    + s0.path("keys").asText() + " keys, " + s0.path("valueSize").asText() + "-byte values)");
            table(List.of("engine", "disk ÷ live data", "after compaction", "write time, s"));
            for (JsonNode r : space) {
                double live = r.path("liveBytes").asDouble();
                row(r.path("engine").asText(), fmt(r.path("diskBytes").asDouble() / live, 2) + "x",
                        r.has("diskBytesAfterCompaction") ? fmt(r.path("diskBytesAfterCompaction").asDouble() / live,
                                2) + "x (" + r.path("compaction").asText() + ")" : "—",
                        fmt(r.path("writeSeconds").asDouble(), 1));
            }
            line("");
            line("Live data = keys × (16 + value bytes). The first column includes whatever background "
                    + "compaction did during the writes (RocksDB's, FerrumDB's autoCompaction, on by default); the "
                    + "second is after an explicit full compaction where the engine has one (reopen, compact, close).");
            line("");
        }
    }

    // ------------------------------------------------------------------ helpers

    private Optional<JmhResult> get(String bench, String engine, int vs) {
        return jmh.stream().filter(r -> r.bench().equals(bench) && engine.equals(r.engine()) && r.valueSize() == vs)
                .findFirst();
    }

    private String keys(String bench, int vs) {
        return jmh.stream().filter(r -> r.bench().equals(bench) && r.valueSize() == vs)
                .map(r -> String.format(Locale.ROOT, "%,d", Long.parseLong(r.params().getOrDefault("keys", "0"))))
                .findFirst().orElse("?");
    }

    private List<JsonNode> rows(Predicate<JsonNode> p) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode r : harness.path("results")) {
            if (p.test(r)) {
                out.add(r);
            }
        }
        return out;
    }

    private List<JsonNode> harnessRows(String kind, String engine, int vs) {
        return rows(r -> r.path("kind").asText().equals(kind) && r.path("engine").asText().equals(engine)
                && r.path("valueSize").asInt() == vs);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private void target(String what, double value, Predicate<Double> met, String unit) {
        target(what, value, met, unit, false);
    }

    private void target(String what, double value, Predicate<Double> met, String unit, boolean percent) {
        String v = percent ? pct(value) : (unit.equals(" puts/s") ? ops(value) : fmt(value, 2) + unit);
        line("- Target: " + what + ": **" + v + " — " + (met.test(value) ? "met" : "NOT met") + "**.");
    }

    private void h2(String s) {
        line("## " + s);
        line("");
    }

    private void h3(String s) {
        line("### " + s);
        line("");
    }

    private void table(List<String> head) {
        line("| " + String.join(" | ", head) + " |");
        line("|" + "---|".repeat(head.size()));
    }

    private void row(String... cells) {
        line("| " + String.join(" | ", cells) + " |");
    }

    private void line(String s) {
        md.append(s).append('\n');
    }

    static final String MEDIAN_NOTE = "Latency ratios use the median (p50): on this shared machine the mean is "
            + "dominated by a few scheduling and GC stalls of milliseconds (see p99.9), which hit every engine at "
            + "random. Both are in the table.";

    private static double p50(JmhResult r) {
        return r.percentiles().getOrDefault("50.0", r.score());
    }

    private static String p50Ratio(JmhResult r, Optional<JmhResult> base) {
        return base.map(b -> fmt(p50(r) / p50(b), 2) + "x").orElse("—");
    }

    private static String threads(int n) {
        return n + (n == 1 ? " thread" : " threads");
    }

    private static String ratio(double score, Optional<JmhResult> base) {
        return base.map(b -> fmt(score / b.score(), 2) + "x").orElse("—");
    }

    static String fmt(double v, int decimals) {
        if (Double.isNaN(v)) {
            return "—";
        }
        return String.format(Locale.ROOT, "%,." + decimals + "f", v);
    }

    static String ns(Double v) {
        return v == null ? "—" : fmt(v, 0);
    }

    static String ns(double v, double err) {
        return fmt(v, 0) + (Double.isNaN(err) ? "" : " ± " + fmt(err, 0));
    }

    static String ops(double v) {
        if (Double.isNaN(v)) {
            return "—";
        }
        if (v >= 1e6) {
            return fmt(v / 1e6, 2) + " M";
        }
        if (v >= 1e3) {
            return fmt(v / 1e3, 1) + " k";
        }
        return fmt(v, 0);
    }

    static String ops(double v, double err) {
        return ops(v) + (Double.isNaN(err) ? "" : " ± " + ops(err));
    }

    static String pct(double v) {
        return fmt(v * 100, 1) + "%";
    }
}
