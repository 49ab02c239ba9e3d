package io.ferrumdb.doc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.KeyRange;
import io.ferrumdb.KeyValue;
import io.ferrumdb.RangeIterator;
import io.ferrumdb.WriteBatch;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A named set of JSON documents with persistent secondary indexes. Obtain with
 * {@link DocumentStore#collection(String)}. Thread-safe.
 *
 * <p>Every write of a document changes the document and all its index entries in one FerrumDB
 * {@link WriteBatch}, so after any crash the indexes agree with the documents. Writes to one collection are
 * serialized by an in-process lock: a write reads the old version (to remove its stale index entries) and checks
 * unique indexes before writing, and that read-check-write must not interleave with another writer's. A lock in
 * the process is enough because FerrumDB lets only one process open a directory for writing. Reads take no
 * lock; a query running while a document changes sees it either before or after (every candidate an index
 * yields is re-read and re-checked), or may miss a document written after the query began. A query whose index
 * is dropped (or another created) while it reads the index plans again, so a drop never hides a document.
 */
public final class DocumentCollection {
    private static final byte[] EMPTY = new byte[0];
    private static final int BATCH_DOCUMENTS = 1000;
    private static final Comparator<byte[]> UNSIGNED = Arrays::compareUnsigned;

    private final DocumentStore store;
    private final FerrumDB db;
    private final Clock clock;
    private final String name;
    private final byte[] nameBytes;
    private final byte[] documentPrefix;
    private final ReentrantLock writeLock = new ReentrantLock();
    private volatile Map<FieldPath, IndexDef> indexes;
    private volatile boolean dropped;

    DocumentCollection(DocumentStore store, FerrumDB db, String name, Map<FieldPath, IndexDef> indexes) {
        this.store = store;
        this.db = db;
        this.clock = db.options().clock();
        this.name = name;
        this.nameBytes = name.getBytes(StandardCharsets.UTF_8);
        this.documentPrefix = Keys.documents(nameBytes);
        this.indexes = Map.copyOf(indexes);
    }

    public String name() {
        return name;
    }

    // ---------------------------------------------------------------- writes

    /** Inserts or replaces document {@code id}; {@code json} must be a JSON object. */
    public void put(String id, String json) {
        write(id, Json.parseDocument(json), null);
    }

    /** Like {@link #put(String, String)}; the document and its index entries expire after {@code ttl}. */
    public void put(String id, String json, Duration ttl) {
        write(id, Json.parseDocument(json), checkTtl(ttl));
    }

    public void put(String id, JsonNode document) {
        write(id, reparse(Json.requireObject(document)), null);
    }

    public void put(String id, JsonNode document, Duration ttl) {
        write(id, reparse(Json.requireObject(document)), checkTtl(ttl));
    }

    /** Stores {@code pojo} (or a Map) as Jackson maps it by default; it must map to a JSON object. */
    public void put(String id, Object pojo) {
        write(id, reparse(Json.fromObject(pojo)), null);
    }

    public void put(String id, Object pojo, Duration ttl) {
        write(id, reparse(Json.fromObject(pojo)), checkTtl(ttl));
    }

    /** Deletes document {@code id} and its index entries; true when it existed. */
    public boolean delete(String id) {
        byte[] idBytes = Names.id(id);
        byte[] key = Keys.concat(documentPrefix, idBytes);
        writeLock.lock();
        try {
            ensureLive();
            byte[] old = db.get(key);
            if (old == null) {
                return false;
            }
            WriteBatch batch = new WriteBatch().delete(key);
            ObjectNode oldDoc = Json.parseStored(old, Keys.HEADER_BYTES);
            for (IndexDef def : indexes.values()) {
                for (byte[] value : indexValues(def, oldDoc, id)) {
                    batch.delete(Keys.concat(def.entryPrefix, value, idBytes));
                }
            }
            db.write(batch);
            return true;
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Creates a persistent index on {@code path} (dot path; each element of an array is indexed) and fills it
     * from the existing documents in batches. Idempotent. Until it returns the index is not used; if the process
     * dies before, the next open removes the partial index.
     */
    public void createIndex(String path) {
        createIndex(FieldPath.parse(path), false);
    }

    /**
     * Like {@link #createIndex(String)}, and no two documents may share a value of {@code path} (a document may
     * repeat a value in its own array; documents without the field are not indexed). Throws
     * {@link UniqueIndexViolationException}, leaving no index, if existing documents already share a value.
     */
    public void createUniqueIndex(String path) {
        createIndex(FieldPath.parse(path), true);
    }

    /**
     * Deletes this collection with its documents and indexes, as {@link DocumentStore#dropCollection(String)} with
     * its name (the MongoDB and Nitrite spelling); true when it existed, false when it was already dropped (a
     * collection of the same name created since is left alone). Handles to it throw IllegalStateException
     * afterwards.
     */
    public boolean drop() {
        return store.drop(this);
    }

    /** Removes the index on {@code path}; true when there was one. */
    public boolean dropIndex(String path) {
        FieldPath fp = FieldPath.parse(path);
        writeLock.lock();
        try {
            ensureLive();
            IndexDef def = indexes.get(fp);
            if (def == null) {
                return false;
            }
            byte[] definitionKey = definitionKey(fp);
            db.put(definitionKey, DocumentStore.indexState(def.unique, DocumentStore.DROPPING));
            Map<FieldPath, IndexDef> without = new HashMap<>(indexes);
            without.remove(fp);
            indexes = Map.copyOf(without);
            store.deleteAll(KeyRange.prefix(def.entryPrefix));
            db.delete(definitionKey);
            return true;
        } finally {
            writeLock.unlock();
        }
    }

    /** The ready indexes, by path. */
    public List<IndexInfo> listIndexes() {
        return indexes.values().stream().map(IndexDef::info).sorted(Comparator.comparing(IndexInfo::path)).toList();
    }

    // ---------------------------------------------------------------- reads

    /** The document's JSON (compact form), or null when absent or expired. */
    public String get(String id) {
        ensureLive();
        byte[] value = db.get(Keys.concat(documentPrefix, Names.id(id)));
        return value == null ? null : new String(value, Keys.HEADER_BYTES, value.length - Keys.HEADER_BYTES,
                StandardCharsets.UTF_8);
    }

    /** The document mapped to {@code type} ({@code JsonNode.class} for a tree), or null when absent. */
    public <T> T get(String id, Class<T> type) {
        String json = get(id);
        return json == null ? null : new Document(id, json).as(type);
    }

    /** Number of live documents, without reading them. */
    public long count() {
        ensureLive();
        return db.count(KeyRange.prefix(documentPrefix));
    }

    public long count(Filter filter) {
        Objects.requireNonNull(filter, "filter");
        long[] n = new long[1];
        forEachMatch(filter, (id, doc, json) -> {
            n[0]++;
            return true;
        });
        return n[0];
    }

    public List<Document> find(Filter filter) {
        return find(filter, FindOptions.defaults());
    }

    /** Matching documents: in id order, or sorted as {@code options} says, then paged. */
    public List<Document> find(Filter filter, FindOptions options) {
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(options, "options");
        long wanted = (long) options.offset() + options.limit();
        FieldPath sortPath = options.sortFieldPath();
        if (sortPath == null) {
            List<Document> out = new ArrayList<>();
            long[] seen = new long[1];
            if (wanted > 0) {
                forEachMatch(filter, (id, doc, json) -> {
                    if (seen[0]++ >= options.offset()) {
                        out.add(new Document(id, json));
                    }
                    return seen[0] < wanted;
                });
            }
            return out;
        }
        boolean descending = options.order() == FindOptions.Order.DESCENDING;
        List<Sorted> all = new ArrayList<>();
        forEachMatch(filter, (id, doc, json) -> {
            all.add(new Sorted(sortKey(sortPath, doc, descending), id, json));
            return true;
        });
        Comparator<byte[]> byValue = Comparator.nullsFirst(UNSIGNED);
        Comparator<Sorted> order = Comparator.comparing(Sorted::key, descending ? byValue.reversed() : byValue);
        all.sort(order.thenComparing(s -> s.id().getBytes(StandardCharsets.UTF_8), UNSIGNED));
        return all.stream().skip(options.offset()).limit(options.limit())
                .map(s -> new Document(s.id(), s.json())).toList();
    }

    /** Which index (if any) {@link #find(Filter)} would use for {@code filter}, and why. */
    public QueryPlan explain(Filter filter) {
        Objects.requireNonNull(filter, "filter");
        QueryPlanner planner = new QueryPlanner(indexes);
        QueryPlanner.Access access = planner.access(filter);
        if (access == null) {
            return new QueryPlan(false, List.of(), planner.scanReason(filter), filter.toString());
        }
        return new QueryPlan(true, List.copyOf(access.indexes()), access.detail(), filter.toString());
    }

    /**
     * Checks every index against the documents, holding the write lock: an entry missing for a value a document
     * has, or an entry no document explains. Returns the problems found, empty when the indexes agree. Reads
     * every document and index entry; meant for verification tools and tests, not for the request path.
     */
    public List<String> verifyIndexes() {
        writeLock.lock();
        try {
            ensureLive();
            List<String> problems = new ArrayList<>();
            for (IndexDef def : indexes.values()) {
                NavigableSet<byte[]> expected = new TreeSet<>(UNSIGNED);
                try (RangeIterator it = db.iterate(KeyRange.prefix(documentPrefix))) {
                    while (it.hasNext()) {
                        KeyValue kv = it.next();
                        byte[] idBytes = Keys.suffix(kv.key(), documentPrefix.length);
                        ObjectNode doc = Json.parseStored(kv.value(), Keys.HEADER_BYTES);
                        for (byte[] v : indexValues(def, doc, new String(idBytes, StandardCharsets.UTF_8))) {
                            expected.add(Keys.concat(def.entryPrefix, v, idBytes));
                        }
                    }
                }
                db.keys(KeyRange.prefix(def.entryPrefix)).forEach(key -> {
                    if (!expected.remove(key)) {
                        problems.add(entryProblem("stale", def, key));
                    }
                });
                expected.forEach(key -> problems.add(entryProblem("missing", def, key)));
            }
            return problems;
        } finally {
            writeLock.unlock();
        }
    }

    private String entryProblem(String kind, IndexDef def, byte[] key) {
        int start = entryValueStart(key);
        int end = ValueCodec.end(key, start);
        return kind + " entry in index '" + def.path + "' of collection '" + name + "': value "
                + Json.write(ValueCodec.decode(Arrays.copyOfRange(key, start, end))) + ", document '"
                + new String(key, end, key.length - end, StandardCharsets.UTF_8) + "'";
    }

    @Override
    public String toString() {
        return "DocumentCollection[" + name + "]";
    }

    // ---------------------------------------------------------------- internals

    private record Sorted(byte[] key, String id, String json) {
    }

    private interface MatchConsumer {
        /** Returns false to stop. */
        boolean accept(String id, ObjectNode document, String json);
    }

    private void forEachMatch(Filter filter, MatchConsumer consumer) {
        ensureLive();
        Map<FieldPath, IndexDef> planned;
        QueryPlanner.Access access;
        NavigableSet<byte[]> candidates;
        do {
            planned = indexes;
            access = new QueryPlanner(planned).access(filter);
            candidates = access == null ? null : candidates(access);
            // dropIndex unpublishes an index before deleting its entries: while the indexes this query planned
            // with are still the published ones, no drop had begun deleting, and the candidates are complete.
        } while (access != null && indexes != planned);
        if (access == null) {
            try (RangeIterator it = db.iterate(KeyRange.prefix(documentPrefix))) {
                while (it.hasNext()) {
                    KeyValue kv = it.next();
                    if (!offer(filter, consumer, Keys.suffix(kv.key(), documentPrefix.length), kv.value())) {
                        return;
                    }
                }
            }
            return;
        }
        for (byte[] id : candidates) {
            byte[] value = db.get(Keys.concat(documentPrefix, id));
            // An index entry may outlive its document by the few milliseconds between their expiry stamps.
            if (value != null && !offer(filter, consumer, id, value)) {
                return;
            }
        }
    }

    private static boolean offer(Filter filter, MatchConsumer consumer, byte[] id, byte[] value) {
        ObjectNode doc = Json.parseStored(value, Keys.HEADER_BYTES);
        if (!filter.matches(doc)) {
            return true;
        }
        String json = new String(value, Keys.HEADER_BYTES, value.length - Keys.HEADER_BYTES, StandardCharsets.UTF_8);
        return consumer.accept(new String(id, StandardCharsets.UTF_8), doc, json);
    }

    /** Distinct ids of the access's index entries, in id order. */
    private NavigableSet<byte[]> candidates(QueryPlanner.Access access) {
        NavigableSet<byte[]> ids = new TreeSet<>(UNSIGNED);
        for (KeyRange range : access.ranges()) {
            db.keys(range).forEach(key -> ids.add(entryId(key)));
        }
        return ids;
    }

    /** The id at the end of an index entry key: after the prefix (which ends with 0x00) and the value. */
    private byte[] entryId(byte[] key) {
        int valueStart = entryValueStart(key);
        return Keys.suffix(key, ValueCodec.end(key, valueStart));
    }

    private int entryValueStart(byte[] key) {
        // [02] collection 00 path 00 value id: the second 0x00 after the collection name ends the path.
        int at = 1 + nameBytes.length + 1;
        while (key[at] != 0) {
            at++;
        }
        return at + 1;
    }

    private static byte[] sortKey(FieldPath path, JsonNode doc, boolean descending) {
        byte[] best = null;
        for (JsonNode v : path.values(doc)) {
            byte[] e = ValueCodec.encode(v);
            if (best == null || (Arrays.compareUnsigned(e, best) < 0) != descending) {
                best = e;
            }
        }
        return best;
    }

    private void write(String id, ObjectNode document, Duration ttl) {
        byte[] idBytes = Names.id(id);
        byte[] json = Json.serialize(document);
        byte[] key = Keys.concat(documentPrefix, idBytes);
        writeLock.lock();
        try {
            ensureLive();
            long expiresAt = ttl == null ? 0 : expiryOf(ttl);
            Map<IndexDef, NavigableSet<byte[]>> newValues = new LinkedHashMap<>();
            for (IndexDef def : indexes.values()) {
                newValues.put(def, indexValues(def, document, id));
            }
            for (Map.Entry<IndexDef, NavigableSet<byte[]>> e : newValues.entrySet()) {
                if (e.getKey().unique) {
                    for (byte[] value : e.getValue()) {
                        checkUnique(e.getKey(), value, idBytes, id);
                    }
                }
            }
            byte[] value = Keys.documentValue(expiresAt, json);
            WriteBatch batch = new WriteBatch();
            // The document goes first: the engine stamps expiries in batch order, so entries never expire before it.
            put(batch, key, value, ttl);
            // Without indexes the old version has no entries to remove, so it need not be read.
            byte[] old = newValues.isEmpty() ? null : db.get(key);
            ObjectNode oldDoc = old == null ? null : Json.parseStored(old, Keys.HEADER_BYTES);
            for (Map.Entry<IndexDef, NavigableSet<byte[]>> e : newValues.entrySet()) {
                IndexDef def = e.getKey();
                for (byte[] v : e.getValue()) {
                    put(batch, Keys.concat(def.entryPrefix, v, idBytes), EMPTY, ttl);
                }
                if (oldDoc != null) {
                    for (byte[] v : indexValues(def, oldDoc, id)) {
                        if (!e.getValue().contains(v)) {
                            batch.delete(Keys.concat(def.entryPrefix, v, idBytes));
                        }
                    }
                }
            }
            db.write(batch);
        } finally {
            writeLock.unlock();
        }
    }

    private static void put(WriteBatch batch, byte[] key, byte[] value, Duration ttl) {
        if (ttl == null) {
            batch.put(key, value);
        } else {
            batch.put(key, value, ttl);
        }
    }

    private long expiryOf(Duration ttl) {
        try {
            return Math.addExact(clock.millis(), Math.max(1, ttl.toMillis()));
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private void checkUnique(IndexDef def, byte[] value, byte[] idBytes, String id) {
        for (byte[] other : db.keys(Keys.prefix(def.entryPrefix, value)).map(this::entryId).toList()) {
            // An entry may outlive an expired document by milliseconds; only a live document holds the value.
            if (!Arrays.equals(other, idBytes) && db.contains(Keys.concat(documentPrefix, other))) {
                throw violation(def, value, new String(other, StandardCharsets.UTF_8), id);
            }
        }
    }

    private UniqueIndexViolationException violation(IndexDef def, byte[] encoded, String existing, String id) {
        return new UniqueIndexViolationException(name, def.path.text(), Json.write(ValueCodec.decode(encoded)),
                existing, id);
    }

    /** The distinct encoded values {@code def} indexes for {@code doc}, each checked against the entry limit. */
    private static NavigableSet<byte[]> indexValues(IndexDef def, JsonNode doc, String id) {
        NavigableSet<byte[]> values = new TreeSet<>(UNSIGNED);
        for (JsonNode v : def.path.values(doc)) {
            byte[] e = ValueCodec.encode(v);
            if (e.length > IndexDef.MAX_INDEXED_VALUE_BYTES) {
                throw new IllegalArgumentException("document '" + id + "': the value at indexed path '" + def.path
                        + "' takes " + e.length + " bytes in the index, over the limit of "
                        + IndexDef.MAX_INDEXED_VALUE_BYTES);
            }
            values.add(e);
        }
        return values;
    }

    private void createIndex(FieldPath path, boolean unique) {
        writeLock.lock();
        try {
            ensureLive();
            IndexDef existing = indexes.get(path);
            if (existing != null) {
                if (existing.unique != unique) {
                    throw new IllegalStateException("collection '" + name + "' already has a "
                            + (existing.unique ? "unique" : "non-unique") + " index on '" + path
                            + "'; drop it before creating a " + (unique ? "unique" : "non-unique") + " one");
                }
                return;
            }
            IndexDef def = new IndexDef(nameBytes, path, unique);
            byte[] definitionKey = definitionKey(path);
            db.put(definitionKey, DocumentStore.indexState(unique, DocumentStore.BUILDING));
            try {
                backfill(def);
            } catch (RuntimeException e) {
                try {
                    store.deleteAll(KeyRange.prefix(def.entryPrefix));
                    db.delete(definitionKey);
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw e;
            }
            db.put(definitionKey, DocumentStore.indexState(unique, DocumentStore.READY));
            Map<FieldPath, IndexDef> with = new HashMap<>(indexes);
            with.put(path, def);
            indexes = Map.copyOf(with);
        } finally {
            writeLock.unlock();
        }
    }

    private void backfill(IndexDef def) {
        Map<ByteBuffer, String> seen = def.unique ? new HashMap<>() : null;
        WriteBatch batch = new WriteBatch();
        int documents = 0;
        try (RangeIterator it = db.iterate(KeyRange.prefix(documentPrefix))) {
            while (it.hasNext()) {
                KeyValue kv = it.next();
                long expiresAt = Keys.expiresAt(kv.value());
                Duration ttl = null;
                if (expiresAt != 0) {
                    long left = expiresAt - clock.millis();
                    if (left <= 0) {
                        continue;
                    }
                    ttl = Duration.ofMillis(left);
                }
                byte[] idBytes = Keys.suffix(kv.key(), documentPrefix.length);
                String id = new String(idBytes, StandardCharsets.UTF_8);
                ObjectNode doc = Json.parseStored(kv.value(), Keys.HEADER_BYTES);
                for (byte[] value : indexValues(def, doc, id)) {
                    if (seen != null) {
                        String other = seen.putIfAbsent(ByteBuffer.wrap(value), id);
                        if (other != null) {
                            throw violation(def, value, other, id);
                        }
                    }
                    put(batch, Keys.concat(def.entryPrefix, value, idBytes), EMPTY, ttl);
                }
                if (++documents % BATCH_DOCUMENTS == 0) {
                    db.write(batch);
                    batch = new WriteBatch();
                }
            }
        }
        db.write(batch);
    }

    private static Duration checkTtl(Duration ttl) {
        if (ttl == null) {
            throw new IllegalArgumentException("ttl must not be null");
        }
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive, got " + ttl);
        }
        return ttl;
    }

    /** The stored form of a tree built in code, read back so that what is indexed is exactly what is stored. */
    private static ObjectNode reparse(ObjectNode document) {
        Json.requireWritable(document);
        return Json.parseStored(Json.serialize(document), 0);
    }

    private byte[] definitionKey(FieldPath path) {
        return Keys.indexDefinition(nameBytes, path.text().getBytes(StandardCharsets.UTF_8));
    }

    private void ensureLive() {
        if (dropped) {
            throw new IllegalStateException("collection '" + name + "' was dropped; get a new handle with "
                    + "store.collection(\"" + name + "\")");
        }
    }

    /** Marks this handle dropped and holds its write lock while {@code drop} runs. */
    void markDropped(Runnable drop) {
        writeLock.lock();
        try {
            ensureLive();
            dropped = true;
            drop.run();
        } finally {
            writeLock.unlock();
        }
    }
}
