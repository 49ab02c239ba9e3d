package io.ferrumdb.bindings;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferrumdb.doc.Document;
import io.ferrumdb.doc.DocumentCollection;
import io.ferrumdb.doc.DocumentStore;
import io.ferrumdb.doc.Filter;
import io.ferrumdb.doc.FindOptions;
import java.time.Duration;
import java.util.List;

/**
 * A document store as the Python and Node.js bindings call it. Every text argument and result is JSON in ASCII:
 * names and ids as JSON string literals, documents and queries as JSON objects, with characters outside ASCII
 * escaped. java-bridge passes strings through the JNI's modified UTF-8 without converting, which mangles
 * characters outside the Basic Multilingual Plane and cuts a string at a NUL; escaped ASCII crosses intact, and
 * JSON.parse and json.loads undo the escapes.
 *
 * <p>Documents come back with their id as an {@code "_id"} field, so that query results say which document each
 * is; {@link #put} accepts an {@code "_id"} field only when it equals the id, and stores the document without it.
 * Instances are made by the bindings through their constructor (see {@link NodeDatabase} for why that matters
 * to java-bridge).
 */
public final class DocumentBridge implements AutoCloseable {
    private static final String ID_FIELD = "_id";
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    private final DocumentStore store;

    /** Opens the document store as {@link BindingSupport#open} opens a database. */
    public DocumentBridge(String path, String fsync, long intervalMillis, String passphrase, boolean readOnly) {
        this.store = BindingSupport.open(path, fsync, intervalMillis, passphrase, readOnly, DocumentStore::open);
    }

    /** Creates collection {@code name} (a JSON string) if missing; fails early on a bad name. */
    public void collection(String name) {
        collectionOf(name);
    }

    /** The collection names, as a JSON array of strings, sorted. */
    public String collections() {
        ArrayNode names = JSON.createArrayNode();
        store.listCollections().forEach(names::add);
        return write(names);
    }

    public boolean dropCollection(String name) {
        return store.dropCollection(text(name, "collection name"));
    }

    /**
     * Inserts or replaces document {@code id}.
     *
     * @param document  a JSON object
     * @param ttlMillis 0 for no expiry, else the positive time to live in milliseconds
     */
    public void put(String collection, String id, String document, long ttlMillis) {
        String docId = text(id, "id");
        JsonNode node = read(document, "document");
        if (!node.isObject()) {
            throw new IllegalArgumentException("a document must be a JSON object, got " + kind(node));
        }
        ObjectNode doc = (ObjectNode) node;
        JsonNode embedded = doc.remove(ID_FIELD);
        if (embedded != null && !(embedded.isTextual() && embedded.textValue().equals(docId))) {
            throw new IllegalArgumentException("the document's " + ID_FIELD + " " + embedded
                    + " differs from its id \"" + docId + "\"");
        }
        DocumentCollection c = collectionOf(collection);
        if (ttlMillis == 0) {
            c.put(docId, (JsonNode) doc);
        } else if (ttlMillis > 0) {
            c.put(docId, (JsonNode) doc, Duration.ofMillis(ttlMillis));
        } else {
            throw new IllegalArgumentException("ttl must be positive milliseconds, got " + ttlMillis);
        }
    }

    /** The document with its {@code "_id"}, or null when absent or expired. */
    public String get(String collection, String id) {
        String docId = text(id, "id");
        String json = collectionOf(collection).get(docId);
        return json == null ? null : write(withId(docId, json));
    }

    public boolean delete(String collection, String id) {
        return collectionOf(collection).delete(text(id, "id"));
    }

    public void createIndex(String collection, String path) {
        collectionOf(collection).createIndex(text(path, "index path"));
    }

    public void createUniqueIndex(String collection, String path) {
        collectionOf(collection).createUniqueIndex(text(path, "index path"));
    }

    public boolean dropIndex(String collection, String path) {
        return collectionOf(collection).dropIndex(text(path, "index path"));
    }

    /**
     * The matching documents, each with its {@code "_id"}, as one JSON array.
     *
     * @param query  a query for {@link Filter#parse(String)} ({@code "null"} or {@code "{}"} for all)
     * @param sortBy a JSON string naming the path to sort by, or {@code "null"} for id order
     * @param limit  the most to return, or -1 for no limit
     */
    public String find(String collection, String query, String sortBy, boolean descending, int offset, int limit) {
        ArrayNode out = JSON.createArrayNode();
        for (Document d : findDocuments(collection, query, sortBy, descending, offset, limit)) {
            out.add(withId(d.id(), d.json()));
        }
        return write(out);
    }

    /** The documents {@link #find} returns, for {@link FindCursor}, which hands them over in chunks. */
    List<Document> findDocuments(String collection, String query, String sortBy, boolean descending, int offset,
                                 int limit) {
        FindOptions options = FindOptions.defaults().offset(offset);
        if (limit != -1) {
            options = options.limit(limit);
        }
        JsonNode sort = read(sortBy, "sort path");
        if (!sort.isNull()) {
            if (!sort.isTextual()) {
                throw new IllegalArgumentException("the sort path must be a string, got " + kind(sort));
            }
            options = options.sortBy(sort.textValue(),
                    descending ? FindOptions.Order.DESCENDING : FindOptions.Order.ASCENDING);
        }
        return collectionOf(collection).find(filter(query), options);
    }

    /** Document {@code d} with its {@code "_id"} as ASCII JSON, as {@link #find} writes each. */
    static String documentJson(Document d) {
        return write(withId(d.id(), d.json()));
    }

    /** The number of matching documents, as a double because java-bridge turns a long into a BigInt. */
    public double count(String collection, String query) {
        return collectionOf(collection).count(filter(query));
    }

    /** The filter of a query: the JSON of {@link Filter#parse(String)}, or {@code null} for every document. */
    private static Filter filter(String query) {
        JsonNode node = read(query, "query");
        return node.isNull() ? Filter.all() : Filter.fromTree(node);
    }

    public void sync() {
        store.sync();
    }

    @Override
    public void close() {
        store.close();
    }

    private DocumentCollection collectionOf(String name) {
        return store.collection(text(name, "collection name"));
    }

    private static ObjectNode withId(String id, String json) {
        ObjectNode doc = JSON.createObjectNode();
        doc.put(ID_FIELD, id);
        doc.setAll((ObjectNode) read(json, "stored document"));
        // A document stored from Java may hold its own "_id"; the id the store knows it by wins.
        doc.put(ID_FIELD, id);
        return doc;
    }

    /** The string a JSON string literal holds. */
    private static String text(String jsonString, String what) {
        JsonNode node = read(jsonString, what);
        if (!node.isTextual()) {
            throw new IllegalArgumentException(what + " must be a string, got " + kind(node));
        }
        return node.textValue();
    }

    private static JsonNode read(String json, String what) {
        if (json == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(what + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static String write(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static String kind(JsonNode node) {
        return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }
}
