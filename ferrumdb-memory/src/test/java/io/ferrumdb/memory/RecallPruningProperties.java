package io.ferrumdb.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.MutableClock;
import io.ferrumdb.Options;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;

/**
 * Recall's pruning of frequent terms ({@link TextRecall}) is exact: on random corpora over a small, skewed
 * vocabulary (so some terms are in most memories and others in few), with tags, namespaces, TTLs, vectors, since
 * and limits, recall returns the same memories in the same order with the same scores as the full scan it
 * replaced, kept here as the reference: every posting of every query term scored in query order.
 */
class RecallPruningProperties {
    private static final List<String> TAGS = List.of("red", "blue");

    record Stored(String namespace, String text, List<String> tags, Integer ttlMillis, float[] vector) {
    }

    record Query(String namespace, String text, List<String> tags, int limit, Integer sinceIndex, float[] vector,
                 int elapsedMillis) {
    }

    private static Arbitrary<String> word() {
        return Arbitraries.frequency(Tuple.of(60, "alpha"), Tuple.of(16, "bravo"), Tuple.of(12, "charlie"),
                Tuple.of(8, "delta"), Tuple.of(5, "echo"), Tuple.of(3, "foxtrot"), Tuple.of(1, "golf"));
    }

    private static Arbitrary<float[]> vector() {
        Arbitrary<Float> component = Arbitraries.floats().between(-1, 1);
        return Combinators.combine(component, component).as((x, y) -> new float[] {x, y}).injectNull(0.6);
    }

    private static Arbitrary<String> namespace() {
        return Arbitraries.frequency(Tuple.of(4, "a"), Tuple.of(1, "b"));
    }

    /** Mostly none: a filter leaves fewer memories to find, so fewer queries reach the pruning. */
    private static Arbitrary<List<String>> tagFilter() {
        return Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.just(List.of())),
                Tuple.of(1, Arbitraries.subsetOf(TAGS).map(List::copyOf)));
    }

    @Provide
    Arbitrary<List<Stored>> corpus() {
        Arbitrary<String> text = word().list().ofMinSize(1).ofMaxSize(6).map(w -> String.join(" ", w));
        Arbitrary<Stored> memory = Combinators.combine(
                namespace(), text,
                Arbitraries.subsetOf(TAGS).map(List::copyOf), Arbitraries.integers().between(1, 6).injectNull(0.8),
                vector()).as(Stored::new);
        return memory.list().ofMinSize(1).ofMaxSize(100).withSizeDistribution(RandomDistribution.uniform());
    }

    @Provide
    Arbitrary<Query> query() {
        Arbitrary<String> text = Arbitraries.frequency(Tuple.of(4, "alpha"), Tuple.of(4, "bravo"), Tuple.of(4, "charlie"),
                Tuple.of(4, "delta"), Tuple.of(4, "echo"), Tuple.of(4, "foxtrot"), Tuple.of(4, "golf"), Tuple.of(1, "zulu"))
                .list().ofMinSize(1)
                .ofMaxSize(4).map(w -> String.join(" ", w));
        return Combinators.combine(namespace(), text, tagFilter(), Arbitraries.integers().between(1, 12),
                Arbitraries.integers().between(0, 99).injectNull(0.7), vector(),
                Arbitraries.integers().between(0, 7)).as(Query::new);
    }

    @Property(tries = 1000)
    void recallEqualsTheFullScan(@ForAll("corpus") List<Stored> corpus, @ForAll("query") Query query)
            throws IOException {
        assertRecallEqualsTheFullScan(corpus, query);
    }

    /**
     * A rare term and one in every memory: the few memories of the rare term get their score for the frequent term
     * by point lookups, which the random corpora above seldom reach.
     */
    @Example
    void pointLookupsScoreTheFrequentTerm() throws IOException {
        List<Stored> corpus = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String text = i % 20 == 0 ? "golf alpha" : i % 20 == 1 ? "golf bravo" : i % 3 == 0 ? "alpha alpha"
                    : "alpha bravo charlie";
            corpus.add(new Stored("a", text, List.of(), null, null));
        }
        for (int limit = 1; limit <= 5; limit++) {
            assertRecallEqualsTheFullScan(corpus, new Query("a", "alpha golf", List.of(), limit, null, null, 0));
        }
    }

    private static void assertRecallEqualsTheFullScan(List<Stored> corpus, Query query) throws IOException {
        Path dir = Files.createTempDirectory("memory-pruning");
        MutableClock clock = new MutableClock(Instant.parse("2026-06-01T12:00:00Z").toEpochMilli());
        try (FerrumDB db = FerrumDB.open(dir, Options.builder().fsyncPolicy(FsyncPolicy.never()).clock(clock)
                .build())) {
            AgentMemory memory = AgentMemory.on(db);
            List<Instant> created = new ArrayList<>();
            for (Stored s : corpus) {
                created.add(memory.remember(new MemoryInput(s.namespace(), s.text(), s.tags(),
                        s.ttlMillis() == null ? null : Duration.ofMillis(s.ttlMillis()), null, s.vector()))
                        .createdAt());
                clock.advance(Duration.ofMillis(1));
            }
            clock.advance(Duration.ofMillis(query.elapsedMillis()));
            Instant since = query.sinceIndex() == null ? null
                    : created.get(Math.min(query.sinceIndex(), created.size() - 1));
            RecallQuery recall = new RecallQuery(query.namespace(), query.text(), query.tags(), query.limit(),
                    since, query.vector());

            assertThat(idsAndScores(memory.recall(recall))).isEqualTo(fullScan(db, recall, clock.millis()));
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static List<String> idsAndScores(List<RecalledMemory> found) {
        return found.stream().map(r -> r.memory().id() + " " + r.score()).toList();
    }

    /** Recall as it was before the pruning: every posting of every term, then every vector. */
    private static List<String> fullScan(FerrumDB db, RecallQuery query, long nowMillis) {
        String ns = query.namespace();
        List<String> terms = List.copyOf(new LinkedHashSet<>(Tokenizer.terms(query.text())));
        String sinceId = query.since() == null ? null : MemoryIds.lowestAt(query.since());
        Set<String> tagged = null;
        for (String tag : query.tags()) {
            Set<String> withTag = new HashSet<>();
            try (Stream<byte[]> keys = db.keys(MemoryKeys.tagged(ns, tag))) {
                keys.map(MemoryKeys::trailingId).forEach(withTag::add);
            }
            if (tagged == null) {
                tagged = withTag;
            } else {
                tagged.retainAll(withTag);
            }
        }
        Set<String> tags = tagged;
        Predicate<String> admitted = id -> (tags == null || tags.contains(id))
                && (sinceId == null || id.compareTo(sinceId) >= 0);
        Ranking ranking = new Ranking(admitted);
        Bm25 bm25 = liveStatistics(db, ns, nowMillis);
        for (String term : terms) {
            List<MemoryKeys.Posting> postings;
            try (Stream<byte[]> keys = db.keys(MemoryKeys.postings(ns, term))) {
                postings = keys.map(MemoryKeys::parsePosting).toList();
            }
            double idf = bm25.idf(postings.size());
            for (MemoryKeys.Posting p : postings) {
                ranking.addTerm(p.id(), bm25.termScore(idf, p.termFrequency(), p.length()));
            }
        }
        if (query.vector() != null) {
            addSimilarities(db, ns, query.vector(), ranking);
        }
        return ranking.best(query.limit()).stream()
                .filter(s -> db.get(MemoryKeys.memory(ns, s.id())) != null)
                .map(s -> s.id() + " " + s.score()).toList();
    }

    /** BM25 over the stored statistics of {@code ns} less the memories whose expiry entry is due. */
    private static Bm25 liveStatistics(FerrumDB db, String ns, long nowMillis) {
        byte[] stored = db.get(MemoryKeys.stats(ns));
        ByteBuffer stats = ByteBuffer.wrap(stored == null ? new byte[16] : stored);
        long count = stats.getLong();
        long terms = stats.getLong();
        try (Stream<byte[]> keys = db.keys(MemoryKeys.expiredBy(ns, nowMillis))) {
            for (byte[] key : (Iterable<byte[]>) keys::iterator) {
                count--;
                terms -= MemoryKeys.expiryLength(key);
            }
        }
        return new Bm25(Math.max(0, count), Math.max(0, terms));
    }

    private static void addSimilarities(FerrumDB db, String ns, float[] query, Ranking ranking) {
        double queryNorm = Math.sqrt((double) query[0] * query[0] + (double) query[1] * query[1]);
        if (queryNorm == 0) {
            return;
        }
        try (var it = db.iterate(MemoryKeys.vectors(ns))) {
            while (it.hasNext()) {
                var entry = it.next();
                float[] v = MemoryCodec.decodeVector(entry.value());
                double dot = (double) v[0] * query[0] + (double) v[1] * query[1];
                double n = Math.sqrt((double) v[0] * v[0] + (double) v[1] * v[1]);
                if (n > 0) {
                    ranking.addSimilarity(MemoryKeys.trailingId(entry.key()), Math.max(0, dot / (n * queryNorm)));
                }
            }
        }
    }
}
