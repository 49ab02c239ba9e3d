package io.ferrumdb.doc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.Options;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilterJsonTest {
    @TempDir
    Path dir;

    @Test
    void parsesEveryOperator() {
        assertThat(Filter.parse("{}")).hasToString("and()");
        assertThat(Filter.parse("{\"a\":1}")).hasToString("eq(a, 1)");
        assertThat(Filter.parse("{\"a\":null}")).hasToString("eq(a, null)");
        assertThat(Filter.parse("{\"a.b\":{\"$gte\":30,\"$lt\":40.5}}")).hasToString("and(gte(a.b, 30), lt(a.b, 40.5))");
        assertThat(Filter.parse("{\"a\":{\"$ne\":\"x\"},\"b\":{\"$in\":[1,\"y\",null]}}"))
                .hasToString("and(not(eq(a, \"x\")), in(b, 1, \"y\", null))");
        assertThat(Filter.parse("{\"a\":{\"$between\":[1,5]},\"s\":{\"$startsWith\":\"ab\"}}"))
                .hasToString("and(between(a, 1, 5), startsWith(s, \"ab\"))");
        assertThat(Filter.parse("{\"a\":{\"$exists\":true},\"b\":{\"$exists\":false}}"))
                .hasToString("and(exists(a), not(exists(b)))");
        assertThat(Filter.parse("{\"$or\":[{\"a\":1},{\"$not\":{\"b\":{\"$gt\":2}}}],\"c\":{\"$eq\":true}}"))
                .hasToString("and(or(eq(a, 1), not(gt(b, 2))), eq(c, true))");
        assertThat(Filter.parse("{\"$and\":[{\"a\":{\"$lte\":1}}]}")).hasToString("and(lte(a, 1))");
        assertThat(Filter.parse("{\"a\":{\"$in\":[]}}")).hasToString("in(a)");
    }

    @Test
    void parsedFiltersQueryLikeBuiltOnes() {
        try (DocumentStore store = DocumentStore.open(dir, Options.builder().fsyncPolicy(FsyncPolicy.never())
                .build())) {
            DocumentCollection c = store.collection("c");
            c.createIndex("age");
            c.put("a", "{\"age\":35,\"tags\":[\"math\"]}");
            c.put("b", "{\"age\":45}");
            c.put("c", "{\"age\":31.5,\"vip\":true}");
            Filter parsed = Filter.parse("{\"age\":{\"$gte\":30,\"$lt\":40},\"$or\":[{\"tags\":\"math\"},{\"vip\":true}]}");
            assertThat(c.find(parsed)).extracting(Document::id).containsExactly("a", "c");
            assertThat(c.explain(parsed).usesIndex()).isTrue();
        }
    }

    @Test
    void rejectsMalformedFilters() {
        assertThatThrownBy(() -> Filter.parse("{\"a\":")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid filter JSON");
        // Jackson's advice to enable a parser feature is no advice to a user, who cannot.
        assertThatThrownBy(() -> Filter.parse("{\"a\":NaN}")).hasMessage(
                "invalid filter JSON: Non-standard token 'NaN'; JSON has no NaN or Infinity");
        assertThatThrownBy(() -> Filter.parse("[1]")).hasMessageContaining("filter must be a JSON object, got an array");
        assertThatThrownBy(() -> Filter.parse("{\"a\":{\"$regex\":\"x\"}}"))
                .hasMessageContaining("unknown operator '$regex' on 'a'");
        assertThatThrownBy(() -> Filter.parse("{\"$nor\":[]}")).hasMessageContaining("unknown filter operator '$nor'");
        assertThatThrownBy(() -> Filter.parse("{\"a\":{\"$in\":3}}")).hasMessageContaining("$in on 'a' takes an array");
        assertThatThrownBy(() -> Filter.parse("{\"a\":{\"$between\":[1]}}")).hasMessageContaining("[fromInclusive, toExclusive]");
        assertThatThrownBy(() -> Filter.parse("{\"a\":{\"$exists\":1}}")).hasMessageContaining("true or false");
        assertThatThrownBy(() -> Filter.parse("{\"a\":{\"$startsWith\":1}}")).hasMessageContaining("takes a string");
        assertThatThrownBy(() -> Filter.parse("{\"a\":{}}")).hasMessageContaining("empty operator object");
        assertThatThrownBy(() -> Filter.parse("{\"a\":[1]}")).hasMessageContaining("must be JSON scalars");
        assertThatThrownBy(() -> Filter.parse("{\"$or\":{}}")).hasMessageContaining("$or takes an array");
        assertThatThrownBy(() -> Filter.parse("{\"a..b\":1}")).hasMessageContaining("empty segment");
        assertThatThrownBy(() -> Filter.parse(null)).hasMessageContaining("must not be null");
        assertThatThrownBy(() -> Filter.parse("{\"o\":{\"k\":true}}")).hasMessageContaining(
                "the condition on 'o' has field 'k' where an operator ($eq, $gt, ...) belongs").hasMessageContaining(
                "dot path ('o.k')");
        assertThatThrownBy(() -> Filter.parse("{\"a\":{\"$gt\":1,\"k\":2}}")).hasMessageContaining(
                "the condition on 'a' has field 'k'");
    }

    @Test
    void aTreeParsesAsItsText() throws Exception {
        String json = "{\"a\":{\"$between\":[1,5]},\"$or\":[{\"b\":\"x\"},{\"$not\":{\"c\":{\"$exists\":true}}}]}";
        assertThat(Filter.fromTree(Json.MAPPER.readTree(json))).hasToString(Filter.parse(json).toString());
        assertThatThrownBy(() -> Filter.fromTree(Json.MAPPER.readTree("[1]")))
                .hasMessageContaining("filter must be a JSON object, got an array");
        assertThatThrownBy(() -> Filter.fromTree(null)).hasMessageContaining("must not be null");
    }
}
