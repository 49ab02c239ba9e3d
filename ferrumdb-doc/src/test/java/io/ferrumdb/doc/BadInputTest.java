package io.ferrumdb.doc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.Options;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input gets an exception naming the problem, and nothing is written. */
class BadInputTest {
    @TempDir
    Path dir;

    private DocumentStore store;
    private DocumentCollection c;

    @BeforeEach
    void open() {
        store = DocumentStore.open(dir, Options.builder().fsyncPolicy(FsyncPolicy.never()).build());
        c = store.collection("c");
        c.createIndex("name");
        c.put("keep", "{\"name\":\"original\"}");
    }

    @AfterEach
    void close() {
        assertThat(c.get("keep")).as("the earlier version is untouched").isEqualTo("{\"name\":\"original\"}");
        assertThat(c.count()).isEqualTo(1);
        assertThat(c.verifyIndexes()).isEmpty();
        store.close();
    }

    private void refused(Runnable write, String message) {
        assertThatThrownBy(write::run).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }

    @Test
    void invalidJson() {
        refused(() -> c.put("keep", "{\"name\":"), "invalid JSON document");
        refused(() -> c.put("keep", "{name:1}"), "invalid JSON document");
        refused(() -> c.put("keep", "{\"a\":1,\"a\":2}"), "Duplicate field 'a'");
        refused(() -> c.put("keep", "{\"a\":1} {}"), "invalid JSON document");
        refused(() -> c.put("keep", ""), "empty input");
        refused(() -> c.put("keep", (String) null), "must not be null");
        refused(() -> c.put("keep", "{\"name\":1e9999999999}"), "invalid JSON document: number out of range");
        assertThatThrownBy(() -> Filter.parse("{\"name\":1e9999999999}"))
                .hasMessageStartingWith("invalid filter JSON: number out of range");
    }

    @Test
    void nonObjectTopLevel() {
        refused(() -> c.put("keep", "[1,2]"), "must be a JSON object, got an array");
        refused(() -> c.put("keep", "\"s\""), "got a string");
        refused(() -> c.put("keep", "3"), "got a number");
        refused(() -> c.put("keep", "null"), "got null");
        refused(() -> c.put("keep", JsonNodeFactory.instance.arrayNode()), "got an array");
        refused(() -> c.put("keep", (Object) List.of(1)), "got an array");
        refused(() -> c.put("keep", (Object) 42), "got a number");
    }

    @Test
    void nonFiniteNumbersInTreesAndPojos() {
        record Reading(String name, double value) {
        }
        ObjectNode tree = JsonNodeFactory.instance.objectNode().put("name", "x");
        tree.putObject("a").putArray("b").add(1).add(Double.NaN);
        refused(() -> c.put("keep", tree), "document cannot be written as JSON: NaN at a.b[1]; JSON has no NaN");
        refused(() -> c.put("keep", tree, Duration.ofHours(1)), "NaN at a.b[1]");
        refused(() -> c.put("keep", new Reading("x", Double.POSITIVE_INFINITY)), "Infinity at value");
        refused(() -> c.put("keep", Map.of("name", "x", "f", Float.NEGATIVE_INFINITY)), "-Infinity at f");
    }

    /**
     * JSON text is held to the parser's limits (nesting 1000, numbers of 1000 characters, field names of 50,000),
     * worded without Jackson's setting names (README, "Documents", limits).
     */
    @Test
    void textIsHeldToTheParsersLimitsInWords() {
        c.put("deepest", "{\"name\":\"d\",\"a\":" + "[".repeat(999) + "1" + "]".repeat(999) + "}");
        c.delete("deepest");
        refused(() -> c.put("keep", "{\"a\":" + "[".repeat(1000) + "]".repeat(1000) + "}"),
                "invalid JSON document: Document nesting depth (1001) exceeds the maximum allowed (1000)");
        refused(() -> c.put("keep", "{\"n\":" + "9".repeat(1001) + "}"),
                "Number value length (1001) exceeds the maximum allowed (1000)");
        refused(() -> c.put("keep", "{\"" + "k".repeat(50_001) + "\":1}"),
                "Name length (50001) exceeds the maximum allowed (50000)");
        assertThatThrownBy(() -> c.put("keep", "{\"a\":" + "[".repeat(1000) + "]".repeat(1000) + "}"))
                .hasMessageNotContaining("StreamReadConstraints");
    }

    /**
     * A tree or Map built in code is held to the nesting limit of text and, however deep or even cyclic, is refused
     * in words: it overflowed the stack (a StackOverflowError) before.
     */
    @Test
    void treesAndMapsOfAnyDepthAreRefusedInWords() {
        for (int depth : new int[] {1001, 100_000}) {
            ObjectNode tree = JsonNodeFactory.instance.objectNode().put("name", "deep");
            ObjectNode inner = tree;
            for (int i = 1; i < depth; i++) {
                inner = inner.putObject("a");
            }
            refused(() -> c.put("keep", tree), "nests objects and arrays more than 1000 levels deep");
            refused(() -> c.put("keep", tree, Duration.ofHours(1)), "more than 1000 levels deep");
        }
        ObjectNode selfContaining = JsonNodeFactory.instance.objectNode();
        selfContaining.set("me", selfContaining);
        refused(() -> c.put("keep", selfContaining), "more than 1000 levels deep");

        Map<String, Object> deepMap = new java.util.HashMap<>();
        Map<String, Object> innerMap = deepMap;
        for (int i = 0; i < 100_000; i++) {
            Map<String, Object> next = new java.util.HashMap<>();
            innerMap.put("a", next);
            innerMap = next;
        }
        refused(() -> c.put("keep", (Object) deepMap), "nests too deeply to map");
        Map<String, Object> cyclic = new java.util.HashMap<>();
        cyclic.put("me", cyclic);
        refused(() -> c.put("keep", (Object) cyclic), "or it contains itself");

        ObjectNode deepest = JsonNodeFactory.instance.objectNode().put("name", "d");
        ObjectNode level = deepest;
        for (int i = 1; i < 1000; i++) {
            level = level.putObject("a");
        }
        c.put("deepest", deepest);
        assertThat(c.get("deepest")).as("1000 levels, the limit, are stored").startsWith("{\"name\":\"d\",\"a\":{");
        c.delete("deepest");
    }

    @Test
    void oversizedDocument() {
        String big = "{\"name\":\"" + "x".repeat(Json.MAX_DOCUMENT_BYTES) + "\"}";
        refused(() -> c.put("keep", big), "exceeds the limit of 16777216 bytes");
    }

    @Test
    void oversizedIndexedValue() {
        refused(() -> c.put("keep", "{\"name\":\"" + "y".repeat(5000) + "\"}"),
                "value at indexed path 'name' takes 5003 bytes in the index, over the limit of 4096");
        c.put("other", "{\"bio\":\"" + "y".repeat(5000) + "\"}");
        refused(() -> c.createIndex("bio"), "indexed path 'bio'");
        assertThat(c.listIndexes()).extracting(IndexInfo::path).containsExactly("name");
        c.delete("other");
    }

    @Test
    void badPaths() {
        refused(() -> c.createIndex(""), "path must not be empty");
        refused(() -> c.createIndex(".a"), "empty segment at position 1");
        refused(() -> c.createIndex("a."), "empty segment at position 2");
        refused(() -> c.createIndex("a..b"), "empty segment at position 2");
        refused(() -> c.createIndex(null), "path must not be null");
        refused(() -> c.createIndex("a\u0000b"), "NUL character");
        refused(() -> c.createIndex("x".repeat(1025)), "exceeds the limit of 1024");
        refused(() -> Filter.eq("a..b", 1), "empty segment");
        refused(() -> FindOptions.defaults().sortBy("."), "empty segment");
        assertThat(c.listIndexes()).hasSize(1);
    }

    @Test
    void badIdsAndCollectionNames() {
        refused(() -> c.put("", "{}"), "document id must not be empty");
        refused(() -> c.put(null, "{}"), "document id must not be null");
        refused(() -> c.put("\uD800", "{}"), "lone UTF-16 surrogate");
        refused(() -> c.put("i".repeat(1025), "{}"), "exceeds the limit of 1024");
        refused(() -> store.collection(""), "collection name must not be empty");
        refused(() -> store.collection("a\u0000"), "NUL character");
        refused(() -> store.collection("n".repeat(256)), "exceeds the limit of 255");
        assertThat(store.listCollections()).containsExactly("c");
    }

    @Test
    void badFilterValuesAndOptions() {
        refused(() -> Filter.eq("a", new Object()), "unsupported filter value type java.lang.Object");
        refused(() -> Filter.gt("a", Double.NaN), "not a finite number");
        refused(() -> Filter.eq("a", JsonNodeFactory.instance.arrayNode()), "must be JSON scalars");
        refused(() -> Filter.startsWith("a", null), "prefix must not be null");
        refused(() -> Filter.between("a", 1, "z"), "are of different kinds");
        refused(() -> Filter.and((Filter) null), "filter 0 is null");
        refused(() -> FindOptions.defaults().limit(-1), "limit must not be negative");
        refused(() -> FindOptions.defaults().offset(-1), "offset must not be negative");
    }

    @Test
    void badTtl() {
        refused(() -> c.put("keep", "{}", Duration.ZERO), "ttl must be positive");
        refused(() -> c.put("keep", "{}", Duration.ofSeconds(-1)), "ttl must be positive");
        refused(() -> c.put("keep", "{}", (Duration) null), "ttl must not be null");
    }
}
