package io.ferrumdb.doc;

import static io.ferrumdb.doc.Filter.and;
import static io.ferrumdb.doc.Filter.between;
import static io.ferrumdb.doc.Filter.eq;
import static io.ferrumdb.doc.Filter.exists;
import static io.ferrumdb.doc.Filter.gt;
import static io.ferrumdb.doc.Filter.gte;
import static io.ferrumdb.doc.Filter.in;
import static io.ferrumdb.doc.Filter.lt;
import static io.ferrumdb.doc.Filter.lte;
import static io.ferrumdb.doc.Filter.ne;
import static io.ferrumdb.doc.Filter.not;
import static io.ferrumdb.doc.Filter.startsWith;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.Limits;
import io.ferrumdb.Options;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Queries users run into: one path holding different kinds across documents (arrays, objects, null, missing), and
 * very long values. Each query is asked without an index and again with one, and must answer the same.
 */
class EdgeCaseQueryTest {
    @TempDir
    Path dir;

    private DocumentStore open() {
        return DocumentStore.open(dir, Options.builder().fsyncPolicy(FsyncPolicy.never()).build());
    }

    private static List<String> ids(List<Document> docs) {
        return docs.stream().map(Document::id).toList();
    }

    /** The ids (in id order) whose ASCII value passes {@code test}. */
    private static List<String> matching(Map<String, String> values, Predicate<String> test) {
        return values.entrySet().stream().filter(e -> test.test(e.getValue())).map(Map.Entry::getKey).toList();
    }

    private static List<String> sorted(DocumentCollection c, FindOptions.Order order) {
        return ids(c.find(Filter.all(), FindOptions.defaults().sortBy("v", order)));
    }

    /** The order README and FindOptions document: no value, then null, booleans, numbers, strings. */
    @Test
    void mixedKindsAtOnePathSortAndMatchAsDocumented() {
        try (DocumentStore store = open()) {
            DocumentCollection c = store.collection("c");
            c.put("missing", "{\"w\":1}");
            c.put("object", "{\"v\":{\"x\":1}}");
            c.put("empty", "{\"v\":[]}");
            c.put("null", "{\"v\":null}");
            c.put("false", "{\"v\":false}");
            c.put("true", "{\"v\":true}");
            c.put("minus", "{\"v\":-2}");
            c.put("ten", "{\"v\":10}");
            c.put("str-10", "{\"v\":\"10\"}");
            c.put("str-a", "{\"v\":\"a\"}");
            c.put("array", "{\"v\":[\"z\",3,true]}");
            for (boolean indexed : new boolean[] {false, true}) {
                if (indexed) {
                    c.createIndex("v");
                }
                // Ascending: an array sorts by its smallest value (true), descending by its largest ("z").
                assertThat(sorted(c, FindOptions.Order.ASCENDING)).as("indexed %s", indexed).containsExactly(
                        "empty", "missing", "object", "null", "false", "array", "true", "minus", "ten", "str-10",
                        "str-a");
                assertThat(sorted(c, FindOptions.Order.DESCENDING)).as("indexed %s", indexed).containsExactly(
                        "array", "str-a", "str-10", "ten", "minus", "true", "false", "null", "empty", "missing",
                        "object");
                // A range matches its operand's kind only; an array matches when one element does.
                assertThat(ids(c.find(gt("v", 0)))).containsExactly("array", "ten");
                assertThat(ids(c.find(lt("v", 0)))).containsExactly("minus");
                assertThat(ids(c.find(gte("v", "")))).containsExactly("array", "str-10", "str-a");
                assertThat(ids(c.find(lte("v", true)))).containsExactly("array", "false", "true");
                assertThat(ids(c.find(gt("v", false)))).containsExactly("array", "true");
                assertThat(ids(c.find(eq("v", 10)))).containsExactly("ten");
                assertThat(ids(c.find(eq("v", "10")))).containsExactly("str-10");
                assertThat(ids(c.find(eq("v", null)))).containsExactly("null");
                assertThat(ids(c.find(between("v", 3, 10)))).containsExactly("array");
                assertThat(ids(c.find(in("v", null, 3, "a")))).containsExactly("array", "null", "str-a");
                // exists: any value at the path, an object or an empty array included; ne matches the rest.
                assertThat(ids(c.find(exists("v")))).doesNotContain("missing").hasSize(10);
                assertThat(ids(c.find(not(exists("v"))))).containsExactly("missing");
                assertThat(ids(c.find(ne("v", true)))).containsExactly("empty", "false", "minus", "missing",
                        "null", "object", "str-10", "str-a", "ten");
                assertThat(ids(c.find(and(gt("v", 0), lt("v", 5))))).containsExactly("array");
            }
        }
    }

    /** Values at the index limit are found exactly; operands no index could hold answer as a scan does. */
    @Test
    void longValuesAndLongOperandsAnswerAsAScanDoes() {
        String base = "p".repeat(IndexDef.MAX_INDEXED_VALUE_BYTES - 10);
        List<String> queries = List.of(base + "a", base + "b", base, base + "a".repeat(20),
                "p".repeat(Limits.MAX_KEY_SIZE + 10));
        try (DocumentStore store = open()) {
            DocumentCollection c = store.collection("c");
            Map<String, String> values = new TreeMap<>(Map.of("a", base + "a", "b", base + "b", "short", "p"));
            values.forEach((id, v) -> c.put(id, "{\"s\":\"" + v + "\"}"));
            for (boolean indexed : new boolean[] {false, true}) {
                if (indexed) {
                    c.createIndex("s");
                }
                assertThat(ids(c.find(eq("s", base + "a")))).containsExactly("a");
                assertThat(ids(c.find(gt("s", base + "a")))).containsExactly("b");
                assertThat(ids(c.find(startsWith("s", base)))).containsExactly("a", "b");
                assertThat(ids(c.find(Filter.all(), FindOptions.defaults().sortBy("s",
                        FindOptions.Order.DESCENDING)))).containsExactly("b", "a", "short");
                for (String q : queries) {
                    String what = q.length() + " chars, indexed " + indexed;
                    assertThat(ids(c.find(eq("s", q)))).as("eq %s", what).isEqualTo(matching(values, v -> v.equals(q)));
                    assertThat(ids(c.find(lt("s", q)))).as("lt %s", what)
                            .isEqualTo(matching(values, v -> v.compareTo(q) < 0));
                    assertThat(ids(c.find(gte("s", q)))).as("gte %s", what)
                            .isEqualTo(matching(values, v -> v.compareTo(q) >= 0));
                    assertThat(ids(c.find(startsWith("s", q)))).as("startsWith %s", what)
                            .isEqualTo(matching(values, v -> v.startsWith(q)));
                    assertThat(ids(c.find(in("s", q, "p")))).as("in %s", what)
                            .isEqualTo(matching(values, v -> v.equals(q) || v.equals("p")));
                }
            }
        }
    }
}
