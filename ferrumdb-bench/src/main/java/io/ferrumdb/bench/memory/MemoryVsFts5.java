package io.ferrumdb.bench.memory;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.Options;
import io.ferrumdb.memory.AgentMemory;
import io.ferrumdb.memory.MemoryInput;
import io.ferrumdb.memory.RecallQuery;
import io.ferrumdb.memory.RecalledMemory;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * Agent memory against SQLite FTS5 on the same corpus in the same run: {@code remember} throughput with every
 * write forced to disk (FerrumDB {@code FsyncPolicy.always()}; SQLite WAL with {@code synchronous=FULL}, one
 * transaction per memory), and {@code recall} latency (p50, p99) of the top 10 by BM25 ({@code bm25()} in
 * SQLite), reading back each hit's text on both sides.
 *
 * <p>Corpus: memories of 12 words drawn from a Zipf(1.0) vocabulary of 20,000 words; queries of two words, one
 * frequent and one rarer, the same list for both engines. The first {@code N} memories are bulk-loaded (FerrumDB
 * without fsync through {@code rememberAsync}, SQLite in one transaction: loading is not what is measured), then the durable remembers and the
 * recalls are timed.
 *
 * <p>Run: {@code java -cp ferrumdb-bench/target/benchmarks.jar io.ferrumdb.bench.memory.MemoryVsFts5 [N...]}
 */
public final class MemoryVsFts5 {
    private static final int VOCABULARY = 20_000;
    private static final int WORDS_PER_MEMORY = 12;
    private static final int DURABLE_REMEMBERS = 1_000;
    private static final int QUERIES = 2_000;
    private static final int WARMUP_QUERIES = 500;
    private static final int LIMIT = 10;

    private MemoryVsFts5() {
    }

    public static void main(String[] args) throws Exception {
        int[] sizes = args.length == 0 ? new int[] {10_000, 100_000}
                : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        System.out.printf("%-8s %-10s %14s %12s %12s%n", "N", "engine", "remember/s", "recall p50", "recall p99");
        for (int n : sizes) {
            Corpus corpus = new Corpus(n + DURABLE_REMEMBERS, QUERIES + WARMUP_QUERIES, 42);
            Result ferrum = ferrumdb(corpus, n);
            Result sqlite = sqlite(corpus, n);
            print(n, "FerrumDB", ferrum);
            print(n, "SQLite", sqlite);
            System.out.printf("%-8d ratios: remember %.2fx, recall p50 %.2fx, p99 %.2fx (FerrumDB / SQLite speed)%n",
                    n, ferrum.remembersPerSecond / sqlite.remembersPerSecond,
                    sqlite.p50Micros / ferrum.p50Micros, sqlite.p99Micros / ferrum.p99Micros);
        }
    }

    /**
     * Marks on stderr where each timed phase starts, in JVM uptime, the clock of {@code -Xlog:gc::uptime}: so that
     * a GC log tells which pauses fell into which phase (the recall p99 at 100,000 memories).
     */
    private static void phase(int n, String what) {
        System.err.printf("[%.3fs] N=%d %s%n", ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0, n,
                what);
    }

    private record Result(double remembersPerSecond, double p50Micros, double p99Micros) {
    }

    private static void print(int n, String engine, Result r) {
        System.out.printf("%-8d %-10s %14.0f %10.0f us %10.0f us%n", n, engine, r.remembersPerSecond, r.p50Micros,
                r.p99Micros);
    }

    /** The memories and queries, generated once and shared by both engines. */
    private static final class Corpus {
        final List<String> texts = new ArrayList<>();
        final List<String> queries = new ArrayList<>();

        Corpus(int memories, int queryCount, long seed) {
            SplittableRandom random = new SplittableRandom(seed);
            double[] cumulative = new double[VOCABULARY];
            double sum = 0;
            for (int i = 0; i < VOCABULARY; i++) {
                sum += 1.0 / (i + 1);
                cumulative[i] = sum;
            }
            for (int m = 0; m < memories; m++) {
                StringBuilder text = new StringBuilder();
                for (int w = 0; w < WORDS_PER_MEMORY; w++) {
                    text.append(w == 0 ? "" : " ").append(word(zipf(random, cumulative, sum)));
                }
                texts.add(text.toString());
            }
            for (int q = 0; q < queryCount; q++) {
                int frequent = zipf(random, cumulative, sum);
                int rarer = 100 + random.nextInt(VOCABULARY / 4);
                queries.add(word(frequent) + " " + word(rarer));
            }
        }

        private static int zipf(SplittableRandom random, double[] cumulative, double sum) {
            int i = Arrays.binarySearch(cumulative, random.nextDouble() * sum);
            return Math.min(VOCABULARY - 1, i < 0 ? -i - 1 : i);
        }

        private static String word(int i) {
            // Letters only, so both tokenizers see exactly one token per word.
            StringBuilder w = new StringBuilder("w");
            for (int n = i; ; n /= 26) {
                w.append((char) ('a' + n % 26));
                if (n < 26) {
                    break;
                }
            }
            return w.toString();
        }
    }

    private static Result ferrumdb(Corpus corpus, int n) throws IOException {
        Path dir = Files.createTempDirectory("memory-bench-ferrumdb");
        try {
            try (FerrumDB db = FerrumDB.open(dir, Options.builder().fsyncPolicy(FsyncPolicy.never()).build())) {
                AgentMemory memory = AgentMemory.on(db);
                // Not waiting for each write's flush (under never() the flusher gathers up to 1 ms of writes):
                // loading one memory per flush took over 20 minutes at 100,000 on the shared machine.
                List<CompletableFuture<Void>> loaded = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    loaded.add(memory.rememberAsync(MemoryInput.of(corpus.texts.get(i))).durable());
                }
                CompletableFuture.allOf(loaded.toArray(new CompletableFuture<?>[0])).join();
            }
            try (FerrumDB db = FerrumDB.open(dir, Options.builder().fsyncPolicy(FsyncPolicy.always()).build())) {
                AgentMemory memory = AgentMemory.on(db);
                phase(n, "FerrumDB remember starts");
                long start = System.nanoTime();
                for (int i = n; i < n + DURABLE_REMEMBERS; i++) {
                    memory.remember(MemoryInput.of(corpus.texts.get(i)));
                }
                double perSecond = DURABLE_REMEMBERS / ((System.nanoTime() - start) / 1e9);
                long[] latencies = new long[QUERIES];
                long checksum = 0;
                phase(n, "FerrumDB recall starts");
                for (int q = 0; q < WARMUP_QUERIES + QUERIES; q++) {
                    long t = System.nanoTime();
                    List<RecalledMemory> found = memory.recall(new RecallQuery(null, corpus.queries.get(q), null,
                            LIMIT, null, null));
                    for (RecalledMemory r : found) {
                        checksum += r.memory().text().length();
                    }
                    if (q >= WARMUP_QUERIES) {
                        latencies[q - WARMUP_QUERIES] = System.nanoTime() - t;
                    }
                }
                phase(n, "FerrumDB recall ends");
                return result(perSecond, latencies, checksum);
            }
        } finally {
            delete(dir);
        }
    }

    private static Result sqlite(Corpus corpus, int n) throws IOException, SQLException {
        Path dir = Files.createTempDirectory("memory-bench-sqlite");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("memory.db"))) {
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                s.execute("CREATE VIRTUAL TABLE memories USING fts5(text, created_at UNINDEXED)");
            }
            String insert = "INSERT INTO memories(text, created_at) VALUES (?, ?)";
            c.setAutoCommit(false);
            try (PreparedStatement p = c.prepareStatement(insert)) {
                for (int i = 0; i < n; i++) {
                    p.setString(1, corpus.texts.get(i));
                    p.setLong(2, System.currentTimeMillis());
                    p.executeUpdate();
                }
            }
            c.commit();
            c.setAutoCommit(true); // from here one transaction, one durable commit, per memory
            double perSecond;
            try (PreparedStatement p = c.prepareStatement(insert)) {
                phase(n, "SQLite remember starts");
                long start = System.nanoTime();
                for (int i = n; i < n + DURABLE_REMEMBERS; i++) {
                    p.setString(1, corpus.texts.get(i));
                    p.setLong(2, System.currentTimeMillis());
                    p.executeUpdate();
                }
                perSecond = DURABLE_REMEMBERS / ((System.nanoTime() - start) / 1e9);
            }
            long[] latencies = new long[QUERIES];
            long checksum = 0;
            try (PreparedStatement p = c.prepareStatement("SELECT rowid, text, bm25(memories) FROM memories "
                    + "WHERE memories MATCH ? ORDER BY bm25(memories), rowid DESC LIMIT " + LIMIT)) {
                phase(n, "SQLite recall starts");
                for (int q = 0; q < WARMUP_QUERIES + QUERIES; q++) {
                    long t = System.nanoTime();
                    p.setString(1, String.join(" OR ", corpus.queries.get(q).split(" ")));
                    try (ResultSet rs = p.executeQuery()) {
                        while (rs.next()) {
                            checksum += rs.getString(2).length();
                        }
                    }
                    if (q >= WARMUP_QUERIES) {
                        latencies[q - WARMUP_QUERIES] = System.nanoTime() - t;
                    }
                }
            }
            return result(perSecond, latencies, checksum);
        } finally {
            delete(dir);
        }
    }

    private static Result result(double perSecond, long[] latencies, long checksum) {
        if (checksum == 0) {
            throw new IllegalStateException("no query found anything: the corpus or the queries are wrong");
        }
        Arrays.sort(latencies);
        return new Result(perSecond, latencies[latencies.length / 2] / 1e3,
                latencies[(int) (latencies.length * 0.99)] / 1e3);
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
