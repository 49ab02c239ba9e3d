package io.ferrumdb.bindings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FindCursorTest {
    @TempDir
    Path dir;

    @Test
    void chunksTogetherAreTheFindResultAndEachStaysNearTheBound() throws Exception {
        try (DocumentBridge docs = new DocumentBridge(dir.toString(), "never", 0, null, false)) {
            for (int i = 0; i < 300; i++) {
                docs.put("\"c\"", String.format("\"d%03d\"", i), "{\"n\":" + i + ",\"pad\":\"" + "x".repeat(90)
                        + "\"}", 0);
            }
            docs.put("\"c\"", "\"big\"", "{\"n\":-1,\"pad\":\"" + "y".repeat(5000) + "\"}", 0);
            String whole = docs.find("\"c\"", "null", "\"n\"", false, 0, -1);
            FindCursor cursor = new FindCursor(docs, "\"c\"", "null", "\"n\"", false, 0, -1);
            assertThat(cursor.size()).isEqualTo(301.0);
            JsonMapper json = new JsonMapper();
            List<JsonNode> all = new ArrayList<>();
            int chunks = 0;
            for (String chunk = cursor.next(1000); chunk != null; chunk = cursor.next(1000)) {
                chunks++;
                JsonNode array = json.readTree(chunk);
                assertThat(array.size()).isPositive();
                // A chunk stops after the document that reaches the bound; a single larger document travels alone.
                if (array.size() > 1) {
                    assertThat(chunk.length()).isLessThan(1000 + 200);
                }
                array.forEach(all::add);
            }
            assertThat(chunks).isGreaterThan(20);
            assertThat(json.createArrayNode().addAll(all)).isEqualTo(json.readTree(whole));
            assertThat(cursor.next(1000)).isNull();
            assertThatThrownBy(() -> cursor.next(0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("positive");
        }
    }

    @Test
    void emptyResultEndsAtOnceAndBadQueriesFailWhenMade() {
        try (DocumentBridge docs = new DocumentBridge(dir.toString(), "never", 0, null, false)) {
            FindCursor cursor = new FindCursor(docs, "\"c\"", "{\"n\":1}", "null", false, 0, -1);
            assertThat(cursor.next(10)).isNull();
            assertThatThrownBy(() -> new FindCursor(docs, "\"c\"", "{oops", "null", false, 0, -1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("query is not valid JSON");
        }
    }
}
