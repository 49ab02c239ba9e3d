package io.ferrumdb.doc;

import static io.ferrumdb.doc.Filter.and;
import static io.ferrumdb.doc.Filter.eq;
import static io.ferrumdb.doc.Filter.exists;
import static io.ferrumdb.doc.Filter.gt;
import static io.ferrumdb.doc.Filter.gte;
import static io.ferrumdb.doc.Filter.in;
import static io.ferrumdb.doc.Filter.lt;
import static io.ferrumdb.doc.Filter.ne;
import static io.ferrumdb.doc.Filter.not;
import static io.ferrumdb.doc.Filter.or;
import static io.ferrumdb.doc.Filter.startsWith;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.FloatNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.ferrumdb.DatabaseClosedException;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.FerrumException;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.MutableClock;
import io.ferrumdb.Options;
import io.ferrumdb.ReadOnlyDatabaseException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DocumentStoreTest {
    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(5_000_000);

    private Options options() {
        return Options.builder().fsyncPolicy(FsyncPolicy.never()).clock(clock).build();
    }

    private DocumentStore open() {
        return DocumentStore.open(dir, options());
    }

    private static List<String> ids(List<Document> docs) {
        return docs.stream().map(Document::id).toList();
    }

    @Test
    void aClosedStoreRefusesItsCatalogToo() {
        DocumentStore store = open();
        store.collection("notes").put("n1", "{\"text\":\"x\"}");
        store.close();
        // Answered from the in-memory catalog before: ["notes"], and the open collection's handle.
        assertThatThrownBy(store::listCollections).isInstanceOf(DatabaseClosedException.class)
                .hasMessageContaining(dir.toString());
        assertThatThrownBy(() -> store.collection("notes")).isInstanceOf(DatabaseClosedException.class);
        assertThatThrownBy(() -> store.collection("other")).isInstanceOf(DatabaseClosedException.class);
    }

    @Test
    void issueExampleWorks() {
        try (DocumentStore store = open()) {
            DocumentCollection users = store.collection("users");
            users.put("u1", "{\"name\":\"Ada\",\"age\":36,\"address\":{\"city\":\"London\"},\"tags\":[\"math\"]}");
            users.put("u2", "{\"name\":\"Alan\",\"age\":41,\"address\":{\"city\":\"Wilmslow\"},\"email\":\"a@t\"}");
            users.createIndex("address.city");
            users.createUniqueIndex("email");
            assertThat(users.get("u1")).isEqualTo(
                    "{\"name\":\"Ada\",\"age\":36,\"address\":{\"city\":\"London\"},\"tags\":[\"math\"]}");
            List<Document> found = users.find(and(eq("address.city", "London"), gte("age", 30)));
            assertThat(found).extracting(Document::id).containsExactly("u1");
            assertThat(found.get(0).json()).contains("Ada");
            assertThat(users.find(eq("tags", "math"))).extracting(Document::id).containsExactly("u1");
            assertThat(users.delete("u1")).isTrue();
            assertThat(users.delete("u1")).isFalse();
            assertThat(users.get("u1")).isNull();
            assertThat(users.find(eq("address.city", "London"))).isEmpty();
        }
    }

    @Test
    void storesCompactJsonAndMapsJsonNodesAndPojos() {
        record Person(String name, int age, List<String> tags) {
        }
        try (DocumentStore store = open()) {
            DocumentCollection c = store.collection("people");
            c.put("a", " { \"x\" : 1.50 , \"y\": [ 1, 2 ] } ");
            assertThat(c.get("a")).isEqualTo("{\"x\":1.50,\"y\":[1,2]}");
            c.put("p", new Person("Grace", 85, List.of("navy")));
            assertThat(c.get("p", Person.class)).isEqualTo(new Person("Grace", 85, List.of("navy")));
            c.put("m", Map.of("k", "v"));
            JsonNode node = c.get("m", JsonNode.class);
            assertThat(node.get("k").asText()).isEqualTo("v");
            c.put("n", node);
            assertThat(c.get("n")).isEqualTo("{\"k\":\"v\"}");
            assertThat(c.find(eq("name", "Grace")).get(0).as(Person.class).age()).isEqualTo(85);
            assertThat(c.get("absent", Person.class)).isNull();
            assertThat(c.count()).isEqualTo(4);
        }
    }

    @Test
    void floatsAreStoredAndQueriedAsTheDecimalTheyPrint() {
        record Reading(float f, double d) {
        }
        try (DocumentStore store = open()) {
            DocumentCollection c = store.collection("readings");
            c.put("pojo", new Reading(0.1f, 0.1));
            c.put("tree", JsonNodeFactory.instance.objectNode().put("f", 0.1f).put("d", 0.1));
            c.put("text", "{\"f\":0.1,\"d\":0.1}");
            assertThat(c.get("pojo")).isEqualTo("{\"f\":0.1,\"d\":0.1}");
            assertThat(c.get("pojo", Reading.class)).isEqualTo(new Reading(0.1f, 0.1));
            for (boolean indexed : new boolean[] {false, true}) {
                if (indexed) {
                    c.createIndex("f");
                }
                assertThat(ids(c.find(eq("f", 0.1f)))).containsExactly("pojo", "text", "tree");
                assertThat(ids(c.find(eq("f", FloatNode.valueOf(0.1f))))).containsExactly("pojo", "text", "tree");
                assertThat(ids(c.find(eq("d", DoubleNode.valueOf(0.1))))).containsExactly("pojo", "text", "tree");
                assertThat(c.count(Filter.fromTree(JsonNodeFactory.instance.objectNode().put("f", 0.1f)))).isEqualTo(3);
            }
        }
    }

    @Test
    void comparisonSemantics() {
        try (DocumentStore store = open()) {
            DocumentCollection c = store.collection("c");
            c.put("int", "{\"v\":1}");
            c.put("dec", "{\"v\":1.0}");
            c.put("exp", "{\"v\":1e0}");
            c.put("str", "{\"v\":\"1\"}");
            c.put("null", "{\"v\":null}");
            c.put("none", "{\"w\":1}");
            c.put("big1", "{\"v\":12345678901234567890}");
            c.put("big2", "{\"v\":12345678901234567891}");
            c.put("arr", "{\"v\":[5,\"x\"]}");
            c.put("objs", "{\"v\":[{\"k\":7},{\"k\":8}]}");
            for (boolean indexed : new boolean[] {false, true}) {
                if (indexed) {
                    c.createIndex("v");
                    c.createIndex("v.k");
                }
                assertThat(ids(c.find(eq("v", 1)))).containsExactly("dec", "exp", "int");
                assertThat(ids(c.find(eq("v", 1.0)))).containsExactly("dec", "exp", "int");
                assertThat(ids(c.find(eq("v", new BigDecimal("1.000"))))).containsExactly("dec", "exp", "int");
                assertThat(ids(c.find(eq("v", "1")))).containsExactly("str");
                assertThat(ids(c.find(eq("v", null)))).containsExactly("null");
                assertThat(ids(c.find(exists("v")))).containsExactly("arr", "big1", "big2", "dec", "exp", "int",
                        "null", "objs", "str");
                assertThat(ids(c.find(ne("v", 1)))).containsExactly("arr", "big1", "big2", "none", "null", "objs",
                        "str");
                assertThat(ids(c.find(eq("v", new BigInteger("12345678901234567891"))))).containsExactly("big2");
                assertThat(ids(c.find(gt("v", new BigInteger("12345678901234567890"))))).containsExactly("big2");
                assertThat(ids(c.find(gt("v", 1)))).containsExactly("arr", "big1", "big2");
                assertThat(ids(c.find(lt("v", "2")))).containsExactly("str");
                assertThat(ids(c.find(eq("v", "x")))).containsExactly("arr");
                assertThat(ids(c.find(eq("v.k", 8)))).containsExactly("objs");
                assertThat(ids(c.find(in("v", 5, "1")))).containsExactly("arr", "str");
                assertThat(ids(c.find(startsWith("v", "")))).containsExactly("arr", "str");
                assertThat(ids(c.find(in("v")))).isEmpty();
                assertThat(ids(c.find(Filter.between("v", 2, 6)))).containsExactly("arr");
                assertThat(ids(c.find(Filter.between("v", 1, 1)))).isEmpty();
                assertThat(ids(c.find(Filter.between("v", 1.0, 1.5)))).containsExactly("dec", "exp", "int");
                assertThat(ids(c.find(or()))).isEmpty();
                assertThat(c.count(and())).isEqualTo(10);
            }
        }
    }

    @Test
    void stringsCompareByCodePoint() {
        try (DocumentStore store = open()) {
            DocumentCollection c = store.collection("c");
            c.createIndex("s");
            c.put("private-use", "{\"s\":\"\uE000\"}");
            c.put("emoji", "{\"s\":\"😀\"}");
            c.put("nul", "{\"s\":\"a\\u0000b\"}");
            c.put("a", "{\"s\":\"a\"}");
            // U+E000 < U+1F600 by code point, though its UTF-16 unit is above the emoji's high surrogate.
            assertThat(ids(c.find(gt("s", "\uE000")))).containsExactly("emoji");
            assertThat(ids(c.find(startsWith("s", "a")))).containsExactly("a", "nul");
            assertThat(ids(c.find(startsWith("s", "a\u0000")))).containsExactly("nul");
            assertThat(ids(c.find(Filter.all(), FindOptions.defaults().sortBy("s"))))
                    .containsExactly("a", "nul", "private-use", "emoji");
        }
    }

    @Test
    void sortOffsetAndLimit() {
        try (DocumentStore store = open()) {
            DocumentCollection c = store.collection("c");
            c.put("a", "{\"n\":3}");
            c.put("b", "{\"n\":1}");
            c.put("c", "{\"n\":2.5}");
            c.put("d", "{}");
            c.put("e", "{\"n\":[0,9]}");
            c.put("f", "{\"n\":\"s\"}");
            assertThat(ids(c.find(Filter.all(), FindOptions.defaults().sortBy("n"))))
                    .containsExactly("d", "e", "b", "c", "a", "f");
            assertThat(ids(c.find(Filter.all(), FindOptions.defaults().sortBy("n", FindOptions.Order.DESCENDING))))
                    .containsExactly("f", "e", "a", "c", "b", "d");
            assertThat(ids(c.find(Filter.all(), FindOptions.defaults().sortBy("n").offset(1).limit(2))))
                    .containsExactly("e", "b");
            assertThat(ids(c.find(Filter.all(), FindOptions.defaults().offset(4)))).containsExactly("e", "f");
            assertThat(ids(c.find(Filter.all(), FindOptions.defaults().limit(0)))).isEmpty();
        }
    }

    @Test
    void explainNamesTheIndexOrWhyItScans() {
        try (DocumentStore store = open()) {
            DocumentCollection c = store.collection("c");
            c.createIndex("age");
            c.createUniqueIndex("email");
            QueryPlan eq = c.explain(eq("age", 36));
            assertThat(eq.usesIndex()).isTrue();
            assertThat(eq.indexes()).containsExactly("age");
            assertThat(eq.detail()).contains("eq(age, 36)").contains("index 'age'");
            assertThat(c.explain(gte("age", 30)).usesIndex()).isTrue();
            assertThat(c.explain(and(gte("age", 30), Filter.between("age", 30, 40))).detail())
                    .startsWith("between(age, 30, 40) on index 'age'");
            assertThat(c.explain(startsWith("email", "a")).indexes()).containsExactly("email");
            assertThat(c.explain(and(gte("age", 30), eq("email", "x"), eq("name", "n"))).indexes())
                    .as("the unique equality is the cheapest conjunct").containsExactly("email");
            QueryPlan union = c.explain(or(eq("age", 1), in("email", "a", "b")));
            assertThat(union.usesIndex()).isTrue();
            assertThat(union.indexes()).containsExactly("age", "email");
            QueryPlan noIndex = c.explain(eq("name", "Ada"));
            assertThat(noIndex.usesIndex()).isFalse();
            assertThat(noIndex.detail()).contains("no index on 'name'");
            assertThat(c.explain(or(eq("age", 1), eq("name", "x"))).usesIndex()).isFalse();
            QueryPlan negated = c.explain(ne("age", 1));
            assertThat(negated.usesIndex()).isFalse();
            assertThat(negated.detail()).contains("not(eq(age, 1))");
            assertThat(c.explain(exists("age")).usesIndex()).isFalse();
            assertThat(negated.toString()).startsWith("SCAN");
        }
    }

    @Test
    void indexesAndCollectionsPersistAcrossReopen() {
        try (DocumentStore store = open()) {
            DocumentCollection c = store.collection("users");
            c.createIndex("city");
            c.createUniqueIndex("email");
            c.put("u1", "{\"city\":\"Paris\",\"email\":\"x\"}");
            store.collection("empty");
        }
        try (DocumentStore store = open()) {
            assertThat(store.listCollections()).containsExactly("empty", "users");
            DocumentCollection c = store.collection("users");
            assertThat(c.listIndexes()).containsExactly(new IndexInfo("city", false), new IndexInfo("email", true));
            assertThat(c.explain(eq("city", "Paris")).usesIndex()).isTrue();
            assertThat(ids(c.find(eq("city", "Paris")))).containsExactly("u1");
            assertThatThrownBy(() -> c.put("u2", "{\"email\":\"x\"}"))
                    .isInstanceOf(UniqueIndexViolationException.class);
        }
    }

    @Test
    void createIndexIsIdempotentAndDropIndexRemovesIt() {
        try (DocumentStore store = open()) {
            DocumentCollection c = store.collection("c");
            c.put("1", "{\"a\":1}");
            c.createIndex("a");
            c.createIndex("a");
            assertThat(c.listIndexes()).containsExactly(new IndexInfo("a", false));
            assertThatThrownBy(() -> c.createUniqueIndex("a")).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already has a non-unique index on 'a'");
            assertThat(c.dropIndex("a")).isTrue();
            assertThat(c.dropIndex("a")).isFalse();
            assertThat(c.explain(eq("a", 1)).usesIndex()).isFalse();
            assertThat(ids(c.find(eq("a", 1)))).containsExactly("1");
        }
        try (FerrumDB db = FerrumDB.open(dir, options())) {
            assertThat(db.count(io.ferrumdb.KeyRange.prefix(new byte[] {0x02}))).as("no index entries left")
                    .isZero();
        }
    }

    @Test
    void dropCollectionRemovesEverythingAndInvalidatesHandles() {
        try (DocumentStore store = open()) {
            DocumentCollection c = store.collection("c");
            c.createIndex("a");
            c.put("1", "{\"a\":1}");
            store.collection("other").put("x", "{}");
            assertThat(store.dropCollection("c")).isTrue();
            assertThat(store.dropCollection("c")).isFalse();
            assertThat(store.listCollections()).containsExactly("other");
            assertThatThrownBy(() -> c.get("1")).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("was dropped");
            assertThatThrownBy(() -> c.find(Filter.all())).isInstanceOf(IllegalStateException.class);
            DocumentCollection again = store.collection("c");
            assertThat(again.count()).isZero();
            assertThat(again.listIndexes()).isEmpty();
        }
        try (DocumentStore store = open()) {
            assertThat(store.listCollections()).containsExactly("c", "other");
            assertThat(store.collection("other").get("x")).isEqualTo("{}");
        }
    }

    @Test
    void aCollectionDropsItselfAndAStaleHandleLeavesItsSuccessorAlone() {
        try (DocumentStore store = open()) {
            DocumentCollection users = store.collection("users");
            users.createIndex("a");
            users.put("1", "{\"a\":1}");
            assertThat(users.drop()).isTrue();
            assertThat(store.listCollections()).isEmpty();
            assertThatThrownBy(() -> users.get("1")).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("was dropped");
            DocumentCollection again = store.collection("users");
            again.put("2", "{\"a\":2}");
            assertThat(users.drop()).isFalse();
            assertThat(again.get("2")).isEqualTo("{\"a\":2}");
            assertThat(store.listCollections()).containsExactly("users");
        }
        try (FerrumDB db = FerrumDB.open(dir, options())) {
            assertThat(db.count(io.ferrumdb.KeyRange.prefix(new byte[] {0x02}))).as("no index entries left")
                    .isZero();
        }
    }

    @Test
    void ttlRemovesTheDocumentFromEveryIndex() {
        try (DocumentStore store = open()) {
            DocumentCollection c = store.collection("c");
            c.createIndex("city");
            c.put("short", "{\"city\":\"Oslo\"}", Duration.ofSeconds(10));
            c.put("long", "{\"city\":\"Oslo\"}", Duration.ofMinutes(10));
            c.put("kept", "{\"city\":\"Oslo\"}");
            c.put("renewed", "{\"city\":\"Oslo\"}", Duration.ofSeconds(10));
            c.put("renewed", "{\"city\":\"Oslo\"}");
            clock.advance(Duration.ofSeconds(11));
            assertThat(c.get("short")).isNull();
            assertThat(ids(c.find(eq("city", "Oslo")))).containsExactly("kept", "long", "renewed");
            assertThat(c.count()).isEqualTo(3);
            assertThat(c.verifyIndexes()).isEmpty();
            c.createIndex("other");
            clock.advance(Duration.ofMinutes(10));
            assertThat(ids(c.find(eq("city", "Oslo")))).containsExactly("kept", "renewed");
            assertThat(c.verifyIndexes()).isEmpty();
        }
    }

    @Test
    void backfillGivesExpiringDocumentsExpiringEntries() {
        try (DocumentStore store = open()) {
            DocumentCollection c = store.collection("c");
            c.put("t", "{\"a\":1}", Duration.ofSeconds(10));
            c.createIndex("a");
            assertThat(ids(c.find(eq("a", 1)))).containsExactly("t");
            clock.advance(Duration.ofSeconds(11));
            assertThat(c.find(eq("a", 1))).isEmpty();
            assertThat(c.verifyIndexes()).as("the backfilled entry expired with its document").isEmpty();
        }
    }

    @Test
    void readOnlyStoreQueriesButRefusesWrites() {
        try (DocumentStore store = open()) {
            DocumentCollection c = store.collection("c");
            c.createIndex("a");
            c.put("1", "{\"a\":1}");
        }
        try (DocumentStore store = DocumentStore.open(dir, options().toBuilder().readOnly(true).build())) {
            DocumentCollection c = store.collection("c");
            assertThat(ids(c.find(eq("a", 1)))).containsExactly("1");
            assertThat(c.explain(eq("a", 1)).usesIndex()).isTrue();
            assertThatThrownBy(() -> c.put("2", "{}")).isInstanceOf(ReadOnlyDatabaseException.class);
        }
    }

    @Test
    void refusesUnorderedKeysAndForeignDatabases() {
        assertThatThrownBy(() -> DocumentStore.open(dir, options().toBuilder().orderedKeys(false).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("orderedKeys(true)");
        try (FerrumDB db = FerrumDB.open(dir, options())) {
            db.put("k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8));
        }
        assertThatThrownBy(this::open).isInstanceOf(FerrumException.class)
                .hasMessageContaining("is not a document store");
    }

    @Test
    void openFinishesInterruptedIndexBuildsAndDrops() {
        byte[] coll = "c".getBytes(StandardCharsets.UTF_8);
        byte[] path = "a".getBytes(StandardCharsets.UTF_8);
        try (DocumentStore store = open()) {
            DocumentCollection c = store.collection("c");
            c.put("1", "{\"a\":1}");
            store.collection("gone").put("x", "{}");
        }
        try (FerrumDB db = FerrumDB.open(dir, options())) {
            // What a crash in the middle of createIndex("a") and of dropCollection("gone") leaves behind.
            db.put(Keys.indexDefinition(coll, path), DocumentStore.indexState(false, DocumentStore.BUILDING));
            db.put(Keys.concat(Keys.indexEntries(coll, path), ValueCodec.encode(Json.scalar(1)),
                    "1".getBytes(StandardCharsets.UTF_8)), new byte[0]);
            db.put(Keys.collection("gone".getBytes(StandardCharsets.UTF_8)),
                    "{\"state\":\"dropping\"}".getBytes(StandardCharsets.UTF_8));
        }
        try (DocumentStore store = open()) {
            assertThat(store.listCollections()).containsExactly("c");
            DocumentCollection c = store.collection("c");
            assertThat(c.listIndexes()).isEmpty();
            c.createIndex("a");
            assertThat(c.verifyIndexes()).isEmpty();
        }
        try (FerrumDB db = FerrumDB.open(dir, options())) {
            assertThat(db.count(Keys.prefix(Keys.documents("gone".getBytes(StandardCharsets.UTF_8))))).isZero();
            assertThat(db.get(Keys.collection("gone".getBytes(StandardCharsets.UTF_8)))).isNull();
        }
    }

    @Test
    void verifyIndexesReportsMissingAndStaleEntries() {
        byte[] coll = "c".getBytes(StandardCharsets.UTF_8);
        byte[] path = "a".getBytes(StandardCharsets.UTF_8);
        try (DocumentStore store = open()) {
            DocumentCollection c = store.collection("c");
            c.createIndex("a");
            c.put("1", "{\"a\":1}");
        }
        try (FerrumDB db = FerrumDB.open(dir, options())) {
            byte[] prefix = Keys.indexEntries(coll, path);
            db.delete(Keys.concat(prefix, ValueCodec.encode(Json.scalar(1)), "1".getBytes(StandardCharsets.UTF_8)));
            db.put(Keys.concat(prefix, ValueCodec.encode(Json.scalar("z")), "9".getBytes(StandardCharsets.UTF_8)),
                    new byte[0]);
        }
        try (DocumentStore store = open()) {
            assertThat(store.collection("c").verifyIndexes()).containsExactly(
                    "stale entry in index 'a' of collection 'c': value \"z\", document '9'",
                    "missing entry in index 'a' of collection 'c': value 1, document '1'");
        }
    }

    @Test
    void compactionKeepsDocumentsAndIndexes() {
        try (DocumentStore store = DocumentStore.open(dir, options().toBuilder().segmentSize(4096).build())) {
            DocumentCollection c = store.collection("c");
            c.createIndex("n");
            for (int round = 0; round < 5; round++) {
                for (int i = 0; i < 50; i++) {
                    c.put("d" + i, "{\"n\":" + (i + round) + "}");
                }
            }
            assertThat(store.compact().segmentsCompacted()).isPositive();
            assertThat(ids(c.find(eq("n", 4)))).containsExactly("d0");
            assertThat(c.count(gte("n", 50))).isEqualTo(4);
            assertThat(c.verifyIndexes()).isEmpty();
        }
    }
}
