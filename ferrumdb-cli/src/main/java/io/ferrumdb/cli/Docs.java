package io.ferrumdb.cli;

import io.ferrumdb.doc.Document;
import io.ferrumdb.doc.DocumentCollection;
import io.ferrumdb.doc.DocumentStore;
import io.ferrumdb.doc.Filter;
import io.ferrumdb.doc.FindOptions;
import io.ferrumdb.doc.IndexInfo;
import java.io.PrintStream;
import java.util.List;

/**
 * The document operations shared by the one-shot {@code doc} commands and the REPL's DOC commands. Filters are
 * the JSON query syntax of {@link Filter#parse(String)}, e.g. {@code {"age": {"$gte": 30}, "city": "London"}}.
 * Read operations never create a collection. A collection is created by its first document, so a name that was
 * never written is almost always a typo: reading it is "not found" (exit code 1), naming the collections there
 * are, as sqlite3's "no such table" (MongoDB would answer nothing, which hides the typo). Studio (404) and MCP's
 * doc_find (a tool error) follow the same rule; README, "Documents" says so.
 */
final class Docs {
    private Docs() {
    }

    static void put(DocumentStore store, String collection, String id, String json) {
        store.collection(collection).put(id, json);
    }

    /** The document's JSON, or null when the collection has none of that id (the REPL prints (nil) then). */
    static String get(DocumentStore store, String collection, String id) {
        return existing(store, collection).get(id);
    }

    static CliException noDocument(String collection, String id) {
        return CliException.notFound("no document '" + id + "' in collection '" + collection + "'");
    }

    static void delete(DocumentStore store, String collection, String id) {
        if (!existing(store, collection).delete(id)) {
            throw noDocument(collection, id);
        }
    }

    /** Prints at most {@code limit} matches as {@code id<TAB>json}, one a line. */
    static void find(DocumentStore store, String collection, String filter, int limit, PrintStream out) {
        List<Document> found = existing(store, collection).find(filter(filter), FindOptions.defaults().limit(limit));
        for (Document d : found) {
            out.println(d.id() + "\t" + d.json());
        }
    }

    static void count(DocumentStore store, String collection, String filter, PrintStream out) {
        out.println(existing(store, collection).count(filter(filter)));
    }

    static void explain(DocumentStore store, String collection, String filter, PrintStream out) {
        out.println(existing(store, collection).explain(filter(filter)));
    }

    static void createIndex(DocumentStore store, String collection, String path, boolean unique) {
        DocumentCollection c = store.collection(collection);
        if (unique) {
            c.createUniqueIndex(path);
        } else {
            c.createIndex(path);
        }
    }

    /** Collections, one a line, each with its indexes. */
    static void collections(DocumentStore store, PrintStream out) {
        for (String name : store.listCollections()) {
            StringBuilder line = new StringBuilder(name);
            List<IndexInfo> indexes = store.collection(name).listIndexes();
            for (IndexInfo i : indexes) {
                line.append(i == indexes.get(0) ? "  indexes: " : ", ").append(i.path()).append(i.unique() ? " (unique)" : "");
            }
            out.println(line);
        }
    }

    private static Filter filter(String json) {
        return json == null || json.isBlank() ? Filter.all() : Filter.parse(json);
    }

    private static DocumentCollection existing(DocumentStore store, String collection) {
        List<String> collections = store.listCollections();
        if (!collections.contains(collection)) {
            throw CliException.notFound("no collection '" + collection + "' (" + (collections.isEmpty()
                    ? "there are none yet" : "the collections are " + String.join(", ", collections))
                    + "; a collection is created by its first document)");
        }
        return store.collection(collection);
    }
}
