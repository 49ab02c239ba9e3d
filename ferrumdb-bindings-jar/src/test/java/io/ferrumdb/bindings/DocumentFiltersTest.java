package io.ferrumdb.bindings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.json.JsonMapper;
import io.ferrumdb.doc.DocumentCollection;
import io.ferrumdb.doc.DocumentStore;
import io.ferrumdb.doc.Document;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DocumentFiltersTest {
    static final JsonMapper JSON = new JsonMapper();

    @TempDir
    Path dir;
    DocumentStore store;
    DocumentCollection c;

    @BeforeEach
    void fill() {
        store = DocumentStore.open(dir);
        c = store.collection("t");
        c.put("a", "{\"n\":1,\"s\":\"apple\",\"tags\":[\"x\",\"y\"],\"o\":{\"k\":true}}");
        c.put("b", "{\"n\":2,\"s\":\"banana\",\"tags\":[\"y\"]}");
        c.put("c", "{\"n\":3,\"s\":\"apricot\",\"nil\":null}");
    }

    @AfterEach
    void close() {
        store.close();
    }

    String ids(String query) throws Exception {
        StringBuilder out = new StringBuilder();
        for (Document d : c.find(DocumentFilters.parse(JSON.readTree(query)))) {
            out.append(d.id());
        }
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
        assertThatThrownBy(() -> ids("[1]")).hasMessageContaining("must be a JSON object");
        assertThatThrownBy(() -> ids("{\"$nor\":[]}")).hasMessageContaining("unknown query operator $nor");
        assertThatThrownBy(() -> ids("{\"n\":{\"$regex\":\"x\"}}")).hasMessageContaining("unknown operator $regex on 'n'");
        assertThatThrownBy(() -> ids("{\"n\":{\"$gt\":1,\"k\":2}}")).hasMessageContaining("mixes $operators and fields");
        assertThatThrownBy(() -> ids("{\"$or\":{}}")).hasMessageContaining("$or takes an array");
        assertThatThrownBy(() -> ids("{\"n\":{\"$in\":3}}")).hasMessageContaining("$in on 'n' takes an array");
        assertThatThrownBy(() -> ids("{\"n\":{\"$exists\":1}}")).hasMessageContaining("takes true or false");
        assertThatThrownBy(() -> ids("{\"o\":{\"k\":true}}")).isInstanceOf(IllegalArgumentException.class);
    }
}
