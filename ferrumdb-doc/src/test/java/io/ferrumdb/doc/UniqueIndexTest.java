package io.ferrumdb.doc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.Options;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UniqueIndexTest {
    private static final boolean SOAK = Boolean.getBoolean("ferrumdb.soak");

    @TempDir
    Path dir;

    private DocumentStore open() {
        return DocumentStore.open(dir, Options.builder().fsyncPolicy(FsyncPolicy.never()).build());
    }

    @Test
    void violationNamesIndexValueAndBothDocumentsAndWritesNothing() {
        try (DocumentStore store = open()) {
            DocumentCollection c = store.collection("users");
            c.createUniqueIndex("email");
            c.put("u1", "{\"email\":\"ada@x\"}");
            c.put("u1", "{\"email\":\"ada@x\",\"v\":2}");
            UniqueIndexViolationException e = org.junit.jupiter.api.Assertions.assertThrows(
                    UniqueIndexViolationException.class, () -> c.put("u2", "{\"email\":\"ada@x\"}"));
            assertThat(e).isInstanceOf(io.ferrumdb.FerrumException.class);
            assertThat(e.collection()).isEqualTo("users");
            assertThat(e.path()).isEqualTo("email");
            assertThat(e.value()).isEqualTo("\"ada@x\"");
            assertThat(e.existingId()).isEqualTo("u1");
            assertThat(e.conflictingId()).isEqualTo("u2");
            assertThat(e.getMessage()).contains("'email'", "\"ada@x\"", "'u1'", "'u2'");
            assertThat(c.get("u2")).isNull();
            c.put("u1", "{\"email\":\"new@x\"}");
            c.put("u2", "{\"email\":\"ada@x\"}");
            c.put("u3", "{\"tags\":[1,1]}");
            c.put("u4", "{}");
            c.put("u5", "{}");
            c.put("n1", "{\"email\":null}");
            assertThatThrownBy(() -> c.put("n2", "{\"email\":null}"))
                    .isInstanceOf(UniqueIndexViolationException.class).hasMessageContaining("value null");
            assertThatThrownBy(() -> c.put("n3", "{\"email\":[\"z\",\"new@x\"]}"))
                    .isInstanceOf(UniqueIndexViolationException.class).hasMessageContaining("'u1'");
            assertThat(c.delete("u2")).isTrue();
            c.put("u6", "{\"email\":\"ada@x\"}");
            assertThat(c.verifyIndexes()).isEmpty();
        }
    }

    @Test
    void numbersAreUniqueByValue() {
        try (DocumentStore store = open()) {
            DocumentCollection c = store.collection("c");
            c.createUniqueIndex("n");
            c.put("a", "{\"n\":1}");
            assertThatThrownBy(() -> c.put("b", "{\"n\":1.0}")).isInstanceOf(UniqueIndexViolationException.class)
                    .hasMessageContaining("value 1");
            c.put("c", "{\"n\":\"1\"}");
        }
    }

    /** What README says a unique index holds: null is a value; no field, an object or an empty array holds none. */
    @Test
    void nullIsAValueWhileMissingFieldsObjectsAndEmptyArraysHoldNone() {
        try (DocumentStore store = open()) {
            DocumentCollection c = store.collection("c");
            c.createUniqueIndex("e");
            c.put("null", "{\"e\":null}");
            assertThatThrownBy(() -> c.put("null2", "{\"e\":null}"))
                    .isInstanceOf(UniqueIndexViolationException.class).hasMessageContaining("value null");
            for (String id : List.of("missing1", "missing2")) {
                c.put(id, "{\"f\":1}");
            }
            for (String id : List.of("object1", "object2")) {
                c.put(id, "{\"e\":{\"x\":1}}");
            }
            for (String id : List.of("empty1", "empty2")) {
                c.put(id, "{\"e\":[]}");
            }
            c.put("repeats", "{\"e\":[\"x\",\"x\"]}");
            assertThatThrownBy(() -> c.put("other", "{\"e\":[\"y\",\"x\"]}"))
                    .isInstanceOf(UniqueIndexViolationException.class).hasMessageContaining("'repeats'");
            assertThat(c.count()).isEqualTo(8);
        }
    }

    @Test
    void creatingAUniqueIndexOverDuplicatesFailsAndLeavesNoIndex() {
        try (DocumentStore store = open()) {
            DocumentCollection c = store.collection("c");
            for (int i = 0; i < 2500; i++) {
                c.put(String.format("d%05d", i), "{\"k\":" + (i == 2400 ? 7 : i) + "}");
            }
            assertThatThrownBy(() -> c.createUniqueIndex("k")).isInstanceOf(UniqueIndexViolationException.class)
                    .hasMessageContaining("'d00007'").hasMessageContaining("'d02400'");
            assertThat(c.listIndexes()).isEmpty();
            assertThat(c.explain(Filter.eq("k", 7)).usesIndex()).isFalse();
            c.put("d02400", "{\"k\":-1}");
            c.createUniqueIndex("k");
            assertThat(c.verifyIndexes()).isEmpty();
        }
        try (DocumentStore store = open()) {
            assertThat(store.collection("c").listIndexes()).containsExactly(new IndexInfo("k", true));
        }
    }

    @Test
    void concurrentWritersNeverShareAUniqueValue() throws Exception {
        int threads = 6;
        int perThread = SOAK ? 5000 : 250;
        int values = 20;
        try (DocumentStore store = open()) {
            DocumentCollection c = store.collection("c");
            c.createUniqueIndex("email");
            c.createIndex("n");
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch start = new CountDownLatch(1);
            AtomicInteger violations = new AtomicInteger();
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    start.await();
                    ThreadLocalRandom r = ThreadLocalRandom.current();
                    for (int i = 0; i < perThread; i++) {
                        // Ids overlap between threads too, so replacements race with inserts.
                        String id = "d" + r.nextInt(60);
                        try {
                            if (r.nextInt(10) == 0) {
                                c.delete(id);
                            } else {
                                c.put(id, "{\"email\":\"e" + r.nextInt(values) + "\",\"n\":" + thread + "}");
                            }
                        } catch (UniqueIndexViolationException e) {
                            violations.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get();
            }
            pool.shutdown();
            assertThat(violations.get()).as("the race was real").isPositive();
            Map<String, String> holder = new HashMap<>();
            for (Document d : c.find(Filter.all())) {
                String email = d.node().get("email").asText();
                assertThat(holder.put(email, d.id())).as("value %s held twice", email).isNull();
            }
            for (int v = 0; v < values; v++) {
                assertThat(c.count(Filter.eq("email", "e" + v))).isLessThanOrEqualTo(1);
            }
            assertThat(c.verifyIndexes()).isEmpty();
        }
    }
}
