package io.ferrumdb.studio;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.ferrumdb.ProblemWording;
import io.ferrumdb.doc.Document;
import io.ferrumdb.doc.DocumentCollection;
import io.ferrumdb.doc.DocumentStore;
import io.ferrumdb.doc.Filter;
import io.ferrumdb.doc.FindOptions;
import io.ferrumdb.doc.IndexInfo;
import io.ferrumdb.doc.QueryPlan;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The document endpoints: collections with their indexes, queries with their plan, documents, indexes. */
final class DocumentApi {
    static final int MAX_RESULTS = 1000;

    private final DocumentStore store;

    DocumentApi(DocumentStore store) {
        this.store = store;
    }

    /** {@code GET /api/collections}: every collection with its document count and indexes. */
    void listCollections(Call call) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String name : store.listCollections()) {
            DocumentCollection c = store.collection(name);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", name);
            m.put("count", c.count());
            m.put("indexes", indexes(c));
            out.add(m);
        }
        call.sendJson(200, Map.of("collections", out));
    }

    /**
     * {@code GET /api/query?collection=C&filter=JSON&limit=50&offset=0&sort=PATH&order=asc|desc}: the plan the
     * query runs with (explain), the number of matches, and one page of them. The filter is the documents
     * module's JSON syntax ({@link Filter#parse(String)}); empty means every document.
     */
    void query(Call call) throws IOException {
        DocumentCollection c = existing(call.requireParam("collection"));
        String text = call.param("filter");
        Filter filter;
        try {
            filter = text == null || text.isBlank() ? Filter.all() : Filter.parse(text);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("bad filter: " + e.getMessage());
        }
        int limit = call.intParam("limit", 50, 1, MAX_RESULTS);
        int offset = call.intParam("offset", 0, 0, Integer.MAX_VALUE);
        FindOptions options = FindOptions.defaults().offset(offset).limit(limit);
        String sort = call.param("sort");
        String order = call.param("order");
        if (order != null && (sort == null || sort.isBlank())) {
            // Without a sort path the results are in id order: ignoring 'desc' would answer ascending.
            throw ApiException.badRequest("'order' needs 'sort', the path to order by");
        }
        if (sort != null && !sort.isBlank()) {
            order = order == null ? "asc" : order;
            FindOptions.Order o = switch (order) {
                case "asc" -> FindOptions.Order.ASCENDING;
                case "desc" -> FindOptions.Order.DESCENDING;
                default -> throw ApiException.badRequest("'order' must be asc or desc, got '" + order + "'");
            };
            options = options.sortBy(sort, o);
        }
        QueryPlan plan = c.explain(filter);
        List<Map<String, Object>> results = new ArrayList<>();
        for (Document d : c.find(filter, options)) {
            results.add(describe(d.id(), d.json()));
        }
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("usesIndex", plan.usesIndex());
        p.put("indexes", plan.indexes());
        p.put("detail", plan.detail());
        p.put("filter", plan.filter());
        p.put("summary", plan.toString());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("collection", c.name());
        out.put("plan", p);
        out.put("count", c.count(filter));
        out.put("offset", offset);
        out.put("limit", limit);
        out.put("results", results);
        call.sendJson(200, out);
    }

    /** {@code GET /api/document?collection=C&id=ID}. */
    void get(Call call) throws IOException {
        DocumentCollection c = existing(call.requireParam("collection"));
        String id = call.requireParam("id");
        String json = c.get(id);
        if (json == null) {
            throw ApiException.notFound("no document '" + id + "' in collection '" + c.name() + "'");
        }
        call.sendJson(200, describe(id, json));
    }

    /**
     * {@code PUT /api/document} with {@code {"collection", "id", "document": {...} or JSON text, "ttlSeconds"?}};
     * creates the collection on first use.
     */
    void put(Call call) throws IOException {
        JsonNode body = call.jsonBody("collection", "id", "document", "ttlSeconds");
        String name = text(body, "collection");
        String id = text(body, "id");
        JsonNode doc = body.get("document");
        if (doc != null && doc.isTextual()) {
            try {
                doc = Json.PLAIN.readTree(doc.asText());
            } catch (JsonProcessingException e) {
                throw ApiException.badRequest("'document' is not valid JSON: "
                        + ProblemWording.jsonSyntax(e.getOriginalMessage()));
            }
        }
        if (doc == null || !doc.isObject()) {
            throw ApiException.badRequest("'document' must be a JSON object (or its text)");
        }
        // The key-value rule, 100 years at most: a document took any TTL up to Long.MAX_VALUE seconds.
        Duration ttl = KeyValueApi.ttlFrom(body);
        DocumentCollection c = store.collection(name);
        if (ttl != null) {
            c.put(id, doc, ttl);
        } else {
            c.put(id, doc);
        }
        call.sendJson(200, describe(id, c.get(id)));
    }

    /** {@code DELETE /api/document?collection=C&id=ID}: {@code deleted} says whether it existed. */
    void delete(Call call) throws IOException {
        DocumentCollection c = existing(call.requireParam("collection"));
        call.sendJson(200, Map.of("deleted", c.delete(call.requireParam("id"))));
    }

    /** {@code POST /api/index} with {@code {"collection", "path", "unique"?}}: builds the index. */
    void createIndex(Call call) throws IOException {
        JsonNode body = call.jsonBody("collection", "path", "unique");
        DocumentCollection c = existing(text(body, "collection"));
        String path = text(body, "path");
        boolean unique = KeyValueApi.flag(body, "unique");
        if (unique) {
            c.createUniqueIndex(path);
        } else {
            c.createIndex(path);
        }
        call.sendJson(200, Map.of("collection", c.name(), "indexes", indexes(c)));
    }

    /** {@code DELETE /api/index?collection=C&path=P}: drops the index; 404 when there is none on that path. */
    void dropIndex(Call call) throws IOException {
        DocumentCollection c = existing(call.requireParam("collection"));
        String path = call.requireParam("path");
        if (!c.dropIndex(path)) {
            throw ApiException.notFound("collection '" + c.name() + "' has no index on '" + path + "'");
        }
        call.sendJson(200, Map.of("collection", c.name(), "indexes", indexes(c)));
    }

    private DocumentCollection existing(String name) {
        // collection(name) would create it: a read, or a typo, must not.
        if (!store.listCollections().contains(name)) {
            throw ApiException.notFound("no collection '" + name + "'");
        }
        return store.collection(name);
    }

    private static List<Map<String, Object>> indexes(DocumentCollection c) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (IndexInfo i : c.listIndexes()) {
            out.add(Map.of("path", i.path(), "unique", i.unique()));
        }
        return out;
    }

    private static Map<String, Object> describe(String id, String json) throws JsonProcessingException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("json", json);
        m.put("pretty", Json.PLAIN.writer(Json.PRETTY).writeValueAsString(Json.PLAIN.readTree(json)));
        return m;
    }

    private static String text(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw ApiException.badRequest("'" + field + "' must be a non-empty string");
        }
        return v.asText();
    }
}
