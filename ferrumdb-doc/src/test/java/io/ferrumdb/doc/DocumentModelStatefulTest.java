package io.ferrumdb.doc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.MutableClock;
import io.ferrumdb.Options;
import io.ferrumdb.doc.Oracle.Q;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.state.Action;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.state.Transformer;

/**
 * A jqwik stateful model of a collection: random chains of put (new and replacing, some with a TTL), delete,
 * createIndex, createUniqueIndex, dropIndex, clock advance, compaction, close and reopen, and queries of every
 * operator with sorting and paging. The model is a map of plain documents plus the set of indexes; a unique index's
 * verdict (a put or an index build refused with {@link UniqueIndexViolationException}, nothing written) is
 * computed from the model by brute force, and so is every query's result ({@link Oracle}). After every step the
 * indexes agree with the documents entry by entry ({@code verifyIndexes}) and list as the model's.
 * {@code -Dferrumdb.soak=true} makes the chains longer.
 */
class DocumentModelStatefulTest {
    private static final boolean SOAK = Boolean.getBoolean("ferrumdb.soak");
    private static final ObjectMapper PLAIN = new ObjectMapper();
    private static final List<Machine> MACHINES = new ArrayList<>();

    @Property(tries = 25)
    void collectionBehavesLikeTheModel(@ForAll("chains") ActionChain<Machine> chain) {
        chain.withInvariant("indexes agree with the documents", Machine::checkIndexes).run();
    }

    @AfterTry
    void closeMachines() {
        synchronized (MACHINES) {
            MACHINES.forEach(Machine::dispose);
            MACHINES.clear();
        }
    }

    @Provide
    Arbitrary<ActionChain<Machine>> chains() {
        Arbitrary<String> ids = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.integers().between(0, 12).map(i -> "d" + i)),
                Tuple.of(1, Arbitraries.of("é", "a\u0000b", "😀", "d1 ")));
        Arbitrary<String> paths = Arbitraries.of(QueryPropertyTest.PATHS);
        return ActionChain.startWith(Machine::new)
                .withAction(6, (Action.Independent<Machine>) () -> Combinators.combine(ids,
                                QueryPropertyTest.documents(), Arbitraries.of(0, 0, 0, 1000, 5000))
                        .as((id, doc, ttl) -> Transformer.mutate("put " + id + " " + doc + " ttl " + ttl,
                                m -> m.put(id, doc, ttl))))
                .withAction(2, (Action.Independent<Machine>) () -> ids
                        .map(id -> Transformer.mutate("delete " + id, m -> m.delete(id))))
                .withAction(2, (Action.Independent<Machine>) () -> Combinators.combine(paths, Arbitraries.of(false,
                                true))
                        .as((path, unique) -> Transformer.mutate("create " + (unique ? "unique " : "") + "index "
                                + path, m -> m.createIndex(path, unique))))
                .withAction(1, (Action.Independent<Machine>) () -> paths
                        .map(path -> Transformer.mutate("drop index " + path, m -> m.dropIndex(path))))
                .withAction(1, (Action.Independent<Machine>) () -> Arbitraries.of(500, 1000, 3000)
                        .map(ms -> Transformer.mutate("advance " + ms + "ms", m -> m.advance(ms))))
                .withAction(1, Action.just("close and reopen", Transformer.mutate("close and reopen",
                        Machine::reopen)))
                .withAction(1, Action.just("compact", Transformer.mutate("compact", Machine::compact)))
                .withAction(4, (Action.Independent<Machine>) () -> Combinators.combine(QueryPropertyTest.filter(2),
                                sortPaths(), Arbitraries.of(false, true), Arbitraries.integers().between(0, 3),
                                Arbitraries.of(1, 3, Integer.MAX_VALUE))
                        .as((q, sort, descending, offset, limit) -> Transformer.mutate("query " + q.toFilter()
                                + " sort " + sort.orElse("id") + (descending ? " desc" : "") + " offset " + offset
                                + " limit " + limit, m -> m.query(q, sort.orElse(null), descending, offset,
                                limit))))
                .withMaxTransformations(SOAK ? 400 : 60);
    }

    private static Arbitrary<Optional<String>> sortPaths() {
        return Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(Optional.empty())),
                Tuple.of(2, Arbitraries.of(QueryPropertyTest.PATHS).map(Optional::of)));
    }

    static final class Machine {
        private final Path dir;
        private final MutableClock clock = new MutableClock(1_000_000);
        private final Map<String, Map<String, Object>> model = new TreeMap<>(Oracle.ID_ORDER);
        private final Map<String, Long> expiry = new LinkedHashMap<>();
        /** Index path to whether it is unique. */
        private final Map<String, Boolean> indexes = new TreeMap<>();
        private DocumentStore store;
        private DocumentCollection collection;

        Machine() {
            try {
                dir = Files.createTempDirectory("doc-model");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            synchronized (MACHINES) {
                MACHINES.add(this);
            }
            open();
        }

        private void open() {
            store = DocumentStore.open(dir, Options.builder().fsyncPolicy(FsyncPolicy.never())
                    .segmentSize(16 << 10).clock(clock).build());
            collection = store.collection("c");
        }

        void put(String id, Map<String, Object> doc, int ttlMillis) {
            String json = json(doc);
            Optional<String> duplicateOf = uniqueIndexes().stream()
                    .flatMap(path -> holderOfAValue(path, doc, id).stream()).findFirst();
            if (duplicateOf.isPresent()) {
                String before = collection.get(id);
                assertThatThrownBy(() -> write(id, json, ttlMillis)).as("put %s breaks a unique index", id)
                        .isInstanceOf(UniqueIndexViolationException.class)
                        .hasMessageContaining(id);
                assertThat(collection.get(id)).as("a refused put writes nothing").isEqualTo(before);
                return;
            }
            write(id, json, ttlMillis);
            model.put(id, doc);
            if (ttlMillis == 0) {
                expiry.remove(id);
            } else {
                expiry.put(id, clock.millis() + ttlMillis);
            }
        }

        private void write(String id, String json, int ttlMillis) {
            if (ttlMillis == 0) {
                collection.put(id, json);
            } else {
                collection.put(id, json, Duration.ofMillis(ttlMillis));
            }
        }

        void delete(String id) {
            assertThat(collection.delete(id)).as("delete %s", id).isEqualTo(model.remove(id) != null);
            expiry.remove(id);
        }

        void createIndex(String path, boolean unique) {
            Boolean existing = indexes.get(path);
            if (existing != null && existing != unique) {
                assertThatThrownBy(() -> create(path, unique)).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining(path);
                return;
            }
            if (existing == null && unique) {
                Optional<String> duplicate = model.entrySet().stream()
                        .flatMap(e -> holderOfAValue(path, e.getValue(), e.getKey()).stream()).findFirst();
                if (duplicate.isPresent()) {
                    assertThatThrownBy(() -> create(path, true)).as("unique index over duplicates")
                            .isInstanceOf(UniqueIndexViolationException.class)
                            .hasMessageContaining(path);
                    assertThat(collection.listIndexes()).extracting(IndexInfo::path).doesNotContain(path);
                    return;
                }
            }
            create(path, unique);
            indexes.put(path, unique);
        }

        private void create(String path, boolean unique) {
            if (unique) {
                collection.createUniqueIndex(path);
            } else {
                collection.createIndex(path);
            }
        }

        void dropIndex(String path) {
            assertThat(collection.dropIndex(path)).as("dropIndex %s", path)
                    .isEqualTo(indexes.remove(path) != null);
        }

        void advance(int millis) {
            clock.advance(Duration.ofMillis(millis));
            expiry.entrySet().removeIf(e -> {
                boolean expired = e.getValue() <= clock.millis();
                if (expired) {
                    model.remove(e.getKey());
                }
                return expired;
            });
        }

        void reopen() {
            store.close();
            open();
        }

        void compact() {
            store.compact();
        }

        void query(Q q, String sortPath, boolean descending, int offset, int limit) {
            Filter f = q.toFilter();
            List<String> all = Oracle.find(model, q, null, false, 0, Integer.MAX_VALUE);
            assertThat(collection.find(f)).as("%s (%s)", f, collection.explain(f)).extracting(Document::id)
                    .containsExactlyElementsOf(all);
            assertThat(collection.count(f)).as("count %s", f).isEqualTo(all.size());
            FindOptions o = FindOptions.defaults().offset(offset).limit(limit);
            if (sortPath != null) {
                o = o.sortBy(sortPath, descending ? FindOptions.Order.DESCENDING : FindOptions.Order.ASCENDING);
            }
            assertThat(collection.find(f, o)).as("%s %s (%s)", f, o, collection.explain(f))
                    .extracting(Document::id)
                    .containsExactlyElementsOf(Oracle.find(model, q, sortPath, descending, offset, limit));
        }

        void checkIndexes() {
            assertThat(collection.verifyIndexes()).as("verifyIndexes").isEmpty();
            assertThat(collection.count()).as("count()").isEqualTo(model.size());
            Map<String, Boolean> listed = new TreeMap<>();
            collection.listIndexes().forEach(i -> listed.put(i.path(), i.unique()));
            assertThat(listed).as("listIndexes").isEqualTo(indexes);
        }

        private List<String> uniqueIndexes() {
            return indexes.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey).toList();
        }

        /** A document other than {@code id} holding one of {@code doc}'s values at {@code path}, as unique sees it. */
        private Optional<String> holderOfAValue(String path, Map<String, Object> doc, String id) {
            List<Object> values = Oracle.values(doc, path);
            return model.entrySet().stream()
                    .filter(e -> !e.getKey().equals(id))
                    .filter(e -> Oracle.values(e.getValue(), path).stream()
                            .anyMatch(v -> values.stream().anyMatch(w -> Integer.valueOf(0)
                                    .equals(Oracle.compare(v, w)))))
                    .map(Map.Entry::getKey)
                    .findFirst();
        }

        void dispose() {
            store.close();
            QueryPropertyTest.deleteTree(dir);
        }

        private static String json(Map<String, Object> doc) {
            try {
                return PLAIN.writeValueAsString(doc);
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public String toString() {
            return "Machine[" + model.size() + " documents, indexes " + indexes + "]";
        }
    }
}
