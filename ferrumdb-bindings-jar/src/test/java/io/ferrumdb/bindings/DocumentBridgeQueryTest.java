package io.ferrumdb.bindings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bindings' queries, as they cross DocumentBridge: Filter.parse's syntax, and null for every document. */
class DocumentBridgeQueryTest {
    static final JsonMapper JSON = new JsonMapper();
    static final String C = "\"t\"";

    @TempDir
    Path dir;
    DocumentBridge docs;

    @BeforeEach
    void fill() {
        docs = new DocumentBridge(dir.toString(), "never", 0, null, false);
        docs.put(C, "\"a\"", "{\"n\":1,\"s\":\"apple\",\"tags\":[\"x\",\"y\"],\"o\":{\"k\":true}}", 0);
        docs.put(C, "\"b\"", "{\"n\":2,\"s\":\"banana\",\"tags\":[\"y\"]}", 0);
        docs.put(C, "\"c\"", "{\"n\":3,\"s\":\"apricot\",\"nil\":null}", 0);
    }

    @AfterEach
    void close() {
        docs.close();
    }

    String ids(String query) throws Exception {
        StringBuilder out = new StringBuilder();
        for (JsonNode d : JSON.readTree(docs.find(C, query, "null", false, 0, -1))) {
            out.append(d.get("_id").textValue());
        }
        assertThat(docs.count(C, query)).isEqualTo((double) out.length());
        return out.toString();
    }

    @Test
    void equalityOperatorsAndPaths() throws Exception {
        assertThat(ids("{}")).isEqualTo("abc");
        assertThat(ids("null")).isEqualTo("abc");
        assertThat(ids("{\"n\":2}")).isEqualTo("b");
        assertThat(ids("{\"tags\":\"y\"}")).isEqualTo("ab");
        assertThat(ids("{\"o.k\":true}")).isEqualTo("a");
        assertThat(ids("{\"n\":{\"$gt\":1,\"$lte\":3}}")).isEqualTo("bc");
        assertThat(ids("{\"n\":{\"$gte\":2}}")).isEqualTo("bc");
        assertThat(ids("{\"n\":{\"$lt\":2}}")).isEqualTo("a");
        assertThat(ids("{\"n\":{\"$eq\":3}}")).isEqualTo("c");
        assertThat(ids("{\"n\":{\"$ne\":3}}")).isEqualTo("ab");
        assertThat(ids("{\"n\":{\"$between\":[2,3]}}")).isEqualTo("b");
        assertThat(ids("{\"s\":{\"$in\":[\"banana\",\"apricot\"]}}")).isEqualTo("bc");
        assertThat(ids("{\"s\":{\"$startsWith\":\"ap\"}}")).isEqualTo("ac");
        assertThat(ids("{\"nil\":{\"$exists\":true}}")).isEqualTo("c");
        assertThat(ids("{\"nil\":{\"$exists\":false}}")).isEqualTo("ab");
        assertThat(ids("{\"nil\":null}")).isEqualTo("c");
    }

    @Test
    void logicalOperators() throws Exception {
        assertThat(ids("{\"$or\":[{\"n\":1},{\"s\":\"apricot\"}]}")).isEqualTo("ac");
        assertThat(ids("{\"$and\":[{\"tags\":\"y\"},{\"n\":{\"$gt\":1}}]}")).isEqualTo("b");
        assertThat(ids("{\"$not\":{\"tags\":\"y\"}}")).isEqualTo("c");
        assertThat(ids("{\"s\":{\"$startsWith\":\"ap\"},\"n\":3}")).isEqualTo("c");
    }

    @Test
    void badQueriesNameTheProblem() {
        assertThatThrownBy(() -> ids("[1]")).hasMessageContaining("filter must be a JSON object, got an array");
        assertThatThrownBy(() -> ids("{\"$nor\":[]}")).hasMessageContaining("unknown filter operator '$nor'");
        assertThatThrownBy(() -> ids("{\"n\":{\"$regex\":\"x\"}}"))
                .hasMessageContaining("unknown operator '$regex' on 'n'");
        assertThatThrownBy(() -> ids("{\"n\":{\"$gt\":1,\"k\":2}}")).hasMessageContaining("the condition on 'n' has field 'k'");
        assertThatThrownBy(() -> ids("{\"$or\":{}}")).hasMessageContaining("$or takes an array");
        assertThatThrownBy(() -> ids("{\"n\":{\"$in\":3}}")).hasMessageContaining("$in on 'n' takes an array");
        assertThatThrownBy(() -> ids("{\"n\":{\"$between\":1}}")).hasMessageContaining("$between on 'n' takes an array");
        assertThatThrownBy(() -> ids("{\"n\":{\"$exists\":1}}")).hasMessageContaining("takes true or false");
        assertThatThrownBy(() -> ids("{\"o\":{\"k\":true}}")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dot path ('o.k')");
        assertThatThrownBy(() -> ids("{oops")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("query is not valid JSON");
    }
}
