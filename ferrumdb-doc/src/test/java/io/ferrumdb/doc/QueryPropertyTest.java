package io.ferrumdb.doc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.MutableClock;
import io.ferrumdb.Options;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import io.ferrumdb.doc.Oracle.Q;

/**
 * Random documents (nested objects, arrays, mixed kinds, ints against decimals, nulls, missing fields) and random
 * filters: find with indexes (created before and after the writes, so both the write path and the backfill
 * build them) returns exactly what the independent {@link Oracle} computes by brute force, and so do counts,
 * sorting and paging; again after TTL expiry, after reopen (indexes not re-created) and after compaction. The
 * indexes are also checked entry by entry. {@code -Dferrumdb.soak=true} makes every try larger.
 */
class QueryPropertyTest {
    private static final boolean SOAK = Boolean.getBoolean("ferrumdb.soak");
    private static final ObjectMapper PLAIN = new ObjectMapper();
    private static final Object MISSING = new Object();
    static final List<String> PATHS = List.of("a", "b", "n.x", "n.y", "objs.k", "tags", "none");
    private static final List<Object> SCALARS = new ArrayList<>();

    static {
        SCALARS.add(null);
        SCALARS.addAll(List.of(true, false));
        for (String n : List.of("0", "1", "1.0", "1.00", "2", "2.5", "-1", "-1.5", "1E+2", "100", "0.1",
                "12345678901234567890", "12345678901234567891", "-12345678901234567890.5")) {
            SCALARS.add(new BigDecimal(n));
        }
        SCALARS.addAll(List.of("", "a", "ab", "abc", "b", "B", "é", "\u0000", "a\u0000", "\uE000", "😀", "1"));
    }

    sealed interface Op permits Put, Delete {
    }

    record Put(String id, Map<String, Object> doc, int ttlMillis) implements Op {
    }

    record Delete(String id) implements Op {
    }

    record Sort(String path, boolean descending, int offset, int limit) {
    }

    @Property(tries = 20)
    void indexedQueriesAgreeWithBruteForce(@ForAll("ops") List<Op> ops, @ForAll("filters") List<Q> filters,
            @ForAll("indexPaths") Set<String> early, @ForAll("indexPaths") Set<String> late,
            @ForAll("sorts") List<Sort> sorts) throws IOException {
        Path dir = Files.createTempDirectory("doc-prop");
        MutableClock clock = new MutableClock(1_000_000);
        Options options = Options.builder().fsyncPolicy(FsyncPolicy.never()).segmentSize(64 << 10).clock(clock)
                .build();
        try {
            Map<String, Map<String, Object>> model = new LinkedHashMap<>();
            Map<String, Long> expiry = new LinkedHashMap<>();
            try (DocumentStore store = DocumentStore.open(dir, options)) {
                DocumentCollection c = store.collection("c");
                early.forEach(c::createIndex);
                for (Op op : ops) {
                    if (op instanceof Put p) {
                        String json = PLAIN.writeValueAsString(p.doc());
                        if (p.ttlMillis() == 0) {
                            c.put(p.id(), json);
                            expiry.remove(p.id());
                        } else {
                            c.put(p.id(), json, Duration.ofMillis(p.ttlMillis()));
                            expiry.put(p.id(), clock.millis() + p.ttlMillis());
                        }
                        model.put(p.id(), p.doc());
                    } else {
                        Delete d = (Delete) op;
                        assertThat(c.delete(d.id())).isEqualTo(model.remove(d.id()) != null);
                        expiry.remove(d.id());
                    }
                }
                late.forEach(c::createIndex);
                check(c, model, filters, sorts);
                clock.advance(Duration.ofMillis(2000));
                expiry.forEach((id, at) -> {
                    if (at <= clock.millis()) {
                        model.remove(id);
                    }
                });
                check(c, model, filters, sorts);
            }
            try (DocumentStore store = DocumentStore.open(dir, options)) {
                DocumentCollection c = store.collection("c");
                assertThat(c.listIndexes()).extracting(IndexInfo::path)
                        .containsExactlyInAnyOrderElementsOf(union(early, late));
                check(c, model, filters, sorts);
                store.compact();
                check(c, model, filters, sorts);
            }
        } finally {
            deleteTree(dir);
        }
    }

    private static void check(DocumentCollection c, Map<String, Map<String, Object>> model, List<Q> filters,
            List<Sort> sorts) {
        assertThat(c.verifyIndexes()).isEmpty();
        assertThat(c.count()).isEqualTo(model.size());
        for (Q q : filters) {
            Filter f = q.toFilter();
            List<String> expected = Oracle.find(model, q, null, false, 0, Integer.MAX_VALUE);
            assertThat(c.find(f)).as("%s (%s)", f, c.explain(f)).extracting(Document::id)
                    .containsExactlyElementsOf(expected);
            assertThat(c.count(f)).as("count %s", f).isEqualTo(expected.size());
        }
        for (int i = 0; i < sorts.size() && i < filters.size(); i++) {
            Sort s = sorts.get(i);
            Q q = filters.get(i);
            FindOptions o = FindOptions.defaults().offset(s.offset()).limit(s.limit());
            if (s.path() != null) {
                o = o.sortBy(s.path(), s.descending() ? FindOptions.Order.DESCENDING : FindOptions.Order.ASCENDING);
            }
            assertThat(c.find(q.toFilter(), o)).as("%s %s", q.toFilter(), o).extracting(Document::id)
                    .containsExactlyElementsOf(Oracle.find(model, q, s.path(), s.descending(), s.offset(),
                            s.limit()));
        }
        for (Map.Entry<String, Map<String, Object>> e : model.entrySet()) {
            assertThat(c.get(e.getKey())).isNotNull();
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> u = new java.util.HashSet<>(a);
        u.addAll(b);
        return u;
    }

    // ---------------------------------------------------------------- generators

    private static Arbitrary<Object> scalar() {
        return Arbitraries.integers().between(0, SCALARS.size() - 1).map(SCALARS::get);
    }

    private static Arbitrary<Object> scalarOrArray() {
        Arbitrary<Object> nested = Arbitraries.frequencyOf(
                Tuple.of(4, scalar()),
                Tuple.of(1, scalar().list().ofMaxSize(2).map(l -> (Object) l)),
                Tuple.of(1, Combinators.combine(scalar(), scalar()).as((x, y) -> (Object) obj("k", x, "z", y))));
        return Arbitraries.frequencyOf(
                Tuple.of(3, scalar()),
                Tuple.of(2, nested.list().ofMaxSize(4).map(l -> (Object) l)));
    }

    private static Arbitrary<Object> optional(Arbitrary<Object> a) {
        return Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(MISSING)), Tuple.of(3, a));
    }

    private static Map<String, Object> obj(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            if (kv[i + 1] != MISSING) {
                m.put((String) kv[i], kv[i + 1]);
            }
        }
        return m;
    }

    /** Documents over {@link #PATHS}: nested objects, arrays of scalars and objects, mixed kinds, missing fields. */
    static Arbitrary<Map<String, Object>> documents() {
        Arbitrary<Object> n = Arbitraries.frequencyOf(
                Tuple.of(4, Combinators.combine(optional(scalarOrArray()), optional(scalar()))
                        .as((x, y) -> (Object) obj("x", x, "y", y))),
                Tuple.of(1, scalar()));
        Arbitrary<Object> objs = Arbitraries.frequencyOf(
                Tuple.of(4, optional(scalarOrArray()).map(k -> (Object) obj("k", k))),
                Tuple.of(1, scalar()))
                .list().ofMaxSize(3).map(l -> (Object) l);
        return Combinators.combine(optional(scalarOrArray()), optional(scalar()), optional(n), optional(objs),
                optional(scalarOrArray())).as((a, b, nn, o, tags) -> obj("a", a, "b", b, "n", nn, "objs", o,
                "tags", tags));
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<String> ids = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.integers().between(0, 40).map(i -> "d" + i)),
                Tuple.of(1, Arbitraries.of("é", "a\u0000b", "Z", "😀", "\uE000", "d1 ")));
        Arbitrary<Op> put = Combinators.combine(ids, documents(), Arbitraries.of(0, 0, 0, 1000, 5000))
                .as(Put::new);
        Arbitrary<Op> delete = ids.map(Delete::new);
        return Arbitraries.frequencyOf(Tuple.of(6, put), Tuple.of(1, delete)).list()
                .ofMinSize(SOAK ? 50 : 10).ofMaxSize(SOAK ? 400 : 60);
    }

    @Provide
    Arbitrary<Set<String>> indexPaths() {
        return Arbitraries.of(PATHS).set().ofMaxSize(4);
    }

    @Provide
    Arbitrary<List<Sort>> sorts() {
        Arbitrary<String> path = Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(null)),
                Tuple.of(3, Arbitraries.of(PATHS)));
        return Combinators.combine(path, Arbitraries.of(true, false), Arbitraries.integers().between(0, 3),
                Arbitraries.of(0, 1, 3, 10, Integer.MAX_VALUE)).as(Sort::new).list().ofMaxSize(5);
    }

    @Provide
    Arbitrary<List<Q>> filters() {
        return filter(3).list().ofMinSize(SOAK ? 50 : 10).ofMaxSize(SOAK ? 100 : 20);
    }

    /** A filter of every operator (eq ne gt gte lt lte in between exists startsWith and or not), nested. */
    static Arbitrary<Q> filter(int depth) {
        Arbitrary<String> path = Arbitraries.of(PATHS);
        Arbitrary<Q> leaf = Arbitraries.oneOf(
                Combinators.combine(path, scalar()).as(Oracle.Eq::new),
                Combinators.combine(path, scalar()).as(Oracle.Ne::new),
                Combinators.combine(path, Arbitraries.of("gt", "gte", "lt", "lte"), scalar()).as(Oracle.Cmp::new),
                Combinators.combine(path, scalar().list().ofMaxSize(3)).as(Oracle.In::new),
                path.map(Oracle.Exists::new),
                Combinators.combine(path, scalar(), scalar())
                        .filter((p, x, y) -> Oracle.rank(x) == Oracle.rank(y)).as(Oracle.Between::new),
                Combinators.combine(path, Arbitraries.of("", "a", "ab", "é", "\u0000", "😀", "\uE000", "b", "1"))
                        .as(Oracle.Prefix::new));
        if (depth == 0) {
            return leaf;
        }
        Arbitrary<Q> inner = Arbitraries.lazy(() -> filter(depth - 1));
        return Arbitraries.frequencyOf(
                Tuple.of(6, leaf),
                Tuple.of(2, inner.list().ofMaxSize(3).map(Oracle.And::new)),
                Tuple.of(2, inner.list().ofMaxSize(3).map(Oracle.Or::new)),
                Tuple.of(1, inner.map(Oracle.Not::new)));
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
