package io.ferrumdb.bindings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.doc.UniqueIndexViolationException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DocumentBridgeTest {
    @TempDir
    Path dir;

    DocumentBridge open() {
        return new DocumentBridge(dir.toString(), "never", 0, null, false);
    }

    static String q(String s) {
        return "\"" + s + "\"";
    }

    @Test
    void documentsRoundTripWithTheirIdAndNonAsciiTextEscaped() {
        try (DocumentBridge docs = open()) {
            docs.put(q("notes"), q("n\u00e91"), "{\"text\":\"caf\u00e9 \ud83d\ude00\",\"n\":1.10}", 0);
        }
        try (DocumentBridge docs = open()) {
            assertThat(docs.get(q("notes"), q("n\u00e91")))
                    .isEqualTo("{\"_id\":\"n\\u00E91\",\"text\":\"caf\\u00E9 \\uD83D\\uDE00\",\"n\":1.1}");
            assertThat(docs.get(q("notes"), q("absent"))).isNull();
            assertThat(docs.collections()).isEqualTo("[\"notes\"]");
        }
    }

    @Test
    void embeddedIdMustMatchAndIsNotStoredTwice() {
        try (DocumentBridge docs = open()) {
            docs.put(q("c"), q("a"), "{\"_id\":\"a\",\"x\":1}", 0);
            assertThat(docs.get(q("c"), q("a"))).isEqualTo("{\"_id\":\"a\",\"x\":1}");
            assertThatThrownBy(() -> docs.put(q("c"), q("a"), "{\"_id\":\"b\"}", 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("differs from its id");
            assertThatThrownBy(() -> docs.put(q("c"), q("a"), "[1]", 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("JSON object, got array");
            assertThatThrownBy(() -> docs.put(q("c"), q("a"), "{oops", 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not valid JSON");
            // Python's json.dumps writes NaN and Infinity unless told not to; Jackson refuses them (the bindings
            // refuse first, naming the field's path).
            assertThatThrownBy(() -> docs.put(q("c"), q("a"), "{\"x\":NaN}", 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not valid JSON")
                    .hasMessageContaining("'NaN'");
            assertThatThrownBy(() -> docs.put(q("c"), q("a"), "{\"x\":[-Infinity]}", 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not valid JSON");
            assertThatThrownBy(() -> docs.put(q("c"), "7", "{}", 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("id must be a string");
        }
    }

    @Test
    void findFiltersSortsAndPages() {
        try (DocumentBridge docs = open()) {
            String c = q("people");
            docs.createIndex(c, q("age"));
            docs.put(c, q("ann"), "{\"age\":31,\"city\":\"Lisbon\",\"tags\":[\"ai\",\"art\"]}", 0);
            docs.put(c, q("bob"), "{\"age\":17,\"city\":\"Porto\"}", 0);
            docs.put(c, q("cid"), "{\"age\":45,\"city\":\"Lisbon\"}", 0);
            assertThat(docs.find(c, "{\"city\":\"Lisbon\",\"age\":{\"$gte\":18}}", q("age"), true, 0, -1))
                    .isEqualTo("[{\"_id\":\"cid\",\"age\":45,\"city\":\"Lisbon\"},"
                            + "{\"_id\":\"ann\",\"age\":31,\"city\":\"Lisbon\",\"tags\":[\"ai\",\"art\"]}]");
            assertThat(docs.find(c, "null", "null", false, 1, 1)).contains("\"_id\":\"bob\"").doesNotContain("ann");
            assertThat(docs.count(c, "{\"tags\":\"ai\"}")).isEqualTo(1.0);
            assertThat(docs.count(c, "{}")).isEqualTo(3.0);
            assertThat(docs.delete(c, q("bob"))).isTrue();
            assertThat(docs.count(c, "null")).isEqualTo(2.0);
        }
    }

    @Test
    void uniqueIndexViolationsSurfaceAsTheirOwnException() {
        try (DocumentBridge docs = open()) {
            docs.createUniqueIndex(q("users"), q("email"));
            docs.put(q("users"), q("u1"), "{\"email\":\"a@x\"}", 0);
            assertThatThrownBy(() -> docs.put(q("users"), q("u2"), "{\"email\":\"a@x\"}", 0))
                    .isInstanceOf(UniqueIndexViolationException.class);
            assertThat(docs.dropIndex(q("users"), q("email"))).isTrue();
            assertThat(docs.dropCollection(q("users"))).isTrue();
        }
    }
}
