/**
 * JSON documents in named collections, with persistent secondary indexes and queries, stored in one FerrumDB.
 *
 * <pre>{@code
 * try (DocumentStore store = DocumentStore.open(Path.of("data"))) {
 *     DocumentCollection users = store.collection("users");          // created on first use
 *     users.createIndex("address.city");                              // persistent; arrays index every element
 *     users.createUniqueIndex("email");
 *     users.put("u1", "{\"name\":\"Ada\",\"age\":36,\"email\":\"ada@x\",\"address\":{\"city\":\"London\"}}");
 *     List<Document> found = users.find(and(eq("address.city", "London"), gte("age", 30)),
 *             FindOptions.defaults().sortBy("age").limit(10));
 *     QueryPlan plan = users.explain(eq("address.city", "London"));  // INDEX eq(address.city, "London") ...
 * }
 * }</pre>
 *
 * <h2>Storage</h2>
 * Everything lives in one {@link io.ferrumdb.FerrumDB} under key prefixes (catalog {@code 0x00}, documents
 * {@code 0x01}, index entries {@code 0x02}; see ARCHITECTURE.md, "Documents"). An index entry is the key
 * {@code [02] collection 00 path 00 value id} with an empty value, where the value is encoded so that byte order
 * is value order; range and prefix filters therefore run as range scans of the engine's ordered keys, which is
 * why a store needs {@link io.ferrumdb.Options#orderedKeys()} (the default). Index definitions are catalog
 * entries: after a reopen, queries use them at once and nothing is rebuilt.
 *
 * <h2>Consistency</h2>
 * A document and all its index entries change in one {@link io.ferrumdb.WriteBatch}, so after any crash every
 * index agrees with the documents. Writes to a collection are serialized by an in-process lock (one process owns
 * a directory), which makes the unique check and the write one step: two documents never share a unique value.
 * A document written with a TTL writes its index entries with the same TTL, so they expire together; a query
 * always re-reads and re-checks the documents an index names, so it never returns an expired or changed one.
 * {@code createIndex} fills the index from existing documents in batches of 1000 while holding the collection's
 * write lock; if the process dies first, the next open deletes the partial index (and finishes an interrupted
 * collection or index drop).
 *
 * <h2>Queries</h2>
 * {@link io.ferrumdb.doc.Filter} documents the comparison semantics (exact numeric comparison, code-point string
 * order, kinds never equal, missing is not null, array elements match individually). The planner uses an index
 * for eq, in, startsWith, between and range conditions on an indexed path; in an {@code and} it uses the cheapest
 * indexed condition and checks the rest on the documents; an {@code or} is a union of index lookups when every
 * branch has one. Anything else scans the collection. The result is always what a scan would return.
 *
 * <h2>Limits</h2>
 * Documents up to 16 MiB of compact UTF-8 JSON, nested at most 1000 objects and arrays deep (text, trees and
 * POJOs alike), with numbers up to 1000 characters and field names up to 50,000 (Jackson's default read limits);
 * ids up to 1024 and collection names up to 255 UTF-8 bytes; paths
 * up to 1024 bytes; an indexed value up to 4096 bytes in its encoded form (a longer string at an indexed path is
 * refused). Violations throw {@link java.lang.IllegalArgumentException} naming the problem, and nothing is written.
 */
package io.ferrumdb.doc;
