package io.ferrumdb.doc;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferrumdb.CompactionResult;
import io.ferrumdb.DatabaseClosedException;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.FerrumException;
import io.ferrumdb.KeyRange;
import io.ferrumdb.KeyValue;
import io.ferrumdb.Options;
import io.ferrumdb.RangeIterator;
import io.ferrumdb.WriteBatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * A JSON document database: named {@link DocumentCollection collections} of documents with persistent secondary
 * indexes, all stored in one {@link FerrumDB} under key prefixes (see {@link Keys} and ARCHITECTURE.md).
 *
 * <pre>{@code
 * try (DocumentStore store = DocumentStore.open(Path.of("data"))) {
 *     DocumentCollection users = store.collection("users");
 *     users.createIndex("address.city");
 *     users.put("u1", "{\"name\":\"Ada\",\"age\":36,\"address\":{\"city\":\"London\"}}");
 *     List<Document> found = users.find(Filter.and(Filter.eq("address.city", "London"), Filter.gte("age", 30)));
 * }
 * }</pre>
 *
 * <p>Index definitions are catalog entries, so indexes survive a reopen and are used at once; nothing is rebuilt
 * at open. Open only finishes what a crash interrupted: it removes the entries of an index whose creation or drop
 * did not complete, and finishes dropping a collection whose drop did not complete. The store needs
 * {@link Options#orderedKeys()} (the default), as range filters run as range scans of index entries. Thread-safe.
 */
public final class DocumentStore implements AutoCloseable {
    static final String BUILDING = "building";
    static final String READY = "ready";
    static final String DROPPING = "dropping";
    private static final String LIVE = "live";
    private static final int DELETE_BATCH = 1000;

    private final FerrumDB db;
    private final Map<String, DocumentCollection> collections = new ConcurrentHashMap<>();
    private final Object catalogLock = new Object();

    private DocumentStore(FerrumDB db) {
        this.db = db;
    }

    /** Opens (creating if missing) the document store in {@code dir} with default options. */
    public static DocumentStore open(Path dir) {
        return open(dir, Options.defaults());
    }

    /**
     * Opens (creating if missing, unless read-only) the document store in {@code dir}.
     *
     * @throws IllegalArgumentException if {@code options} turn ordered keys off
     * @throws NotADocumentStoreException if the directory holds a FerrumDB database that is not a document store
     */
    public static DocumentStore open(Path dir, Options options) {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(options, "options");
        if (!options.orderedKeys()) {
            throw new IllegalArgumentException("a document store needs ordered keys for its index range scans: "
                    + "open it with Options.orderedKeys(true) (the default)");
        }
        FerrumDB db = FerrumDB.open(dir, options);
        try {
            DocumentStore store = new DocumentStore(db);
            store.load(options.readOnly());
            return store;
        } catch (RuntimeException e) {
            try {
                db.close();
            } catch (RuntimeException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /**
     * The keys under which a document store keeps its documents, indexes and catalog (first byte 0x00 to 0x02,
     * see ARCHITECTURE.md). Tools that list the raw keys of a document store hide these by default; keys outside
     * this range are plain key-value data written beside the documents.
     */
    public static KeyRange internalKeys() {
        return KeyRange.closedOpen(new byte[] {0x00}, new byte[] {0x03});
    }

    /**
     * The keys of {@code range} that are not the store's own ({@link #internalKeys()}), in key order. Only the
     * empty key sorts below the store's keys, so this never walks them: it stays fast beside millions of
     * documents.
     *
     * @throws IllegalArgumentException for a reversed range
     */
    public static Stream<byte[]> plainKeys(FerrumDB db, KeyRange range) {
        if (range.isReversed()) {
            throw new IllegalArgumentException("plainKeys lists in ascending order only");
        }
        byte[] empty = new byte[0];
        Stream<byte[]> below = range.contains(empty) && db.contains(empty) ? Stream.of(empty) : Stream.empty();
        byte[] end = internalKeys().to();
        byte[] from = range.from() == null || Arrays.compareUnsigned(range.from(), end) < 0 ? end : range.from();
        KeyRange above = KeyRange.closedOpen(from, range.to());
        return above.isEmpty() ? below : Stream.concat(below, db.keys(above));
    }

    /** Whether {@code db} holds a document store (it carries the store's format marker). */
    public static boolean isDocumentStore(FerrumDB db) {
        return db.get(Keys.FORMAT_MARKER) != null;
    }

    /** The collection {@code name}, created (empty, without indexes) on first use. */
    public DocumentCollection collection(String name) {
        byte[] nameBytes = Names.collection(name);
        ensureOpen();
        DocumentCollection c = collections.get(name);
        if (c != null) {
            return c;
        }
        synchronized (catalogLock) {
            c = collections.get(name);
            if (c == null) {
                db.put(Keys.collection(nameBytes), state(LIVE));
                c = new DocumentCollection(this, db, name, Map.of());
                collections.put(name, c);
            }
            return c;
        }
    }

    /** The names of the collections, sorted. */
    public List<String> listCollections() {
        ensureOpen();
        return collections.keySet().stream().sorted().toList();
    }

    /**
     * Throws {@link DatabaseClosedException} once the store is closed, for the calls its in-memory catalog answers
     * without the database: they listed the collections, and handed out an existing one, of a closed store.
     */
    private void ensureOpen() {
        if (db.isClosed()) {
            throw new DatabaseClosedException("database " + db.directory());
        }
    }

    /**
     * Deletes collection {@code name} with its documents and indexes; true when it existed. Handles to it throw
     * IllegalStateException afterwards; {@link #collection(String)} creates a new, empty one.
     */
    public boolean dropCollection(String name) {
        Names.collection(name);
        synchronized (catalogLock) {
            DocumentCollection c = collections.get(name);
            return c != null && drop(c);
        }
    }

    /** Drops {@code c} if it is still the collection of its name: a stale handle never drops its successor. */
    boolean drop(DocumentCollection c) {
        synchronized (catalogLock) {
            if (collections.get(c.name()) != c) {
                return false;
            }
            c.markDropped(() -> dropContents(Names.collection(c.name())));
            collections.remove(c.name());
            return true;
        }
    }

    /**
     * Compacts the underlying database (see {@link FerrumDB#compact()}): documents and index entries that were
     * overwritten, deleted or expired stop taking disk space.
     */
    public CompactionResult compact() {
        return db.compact();
    }

    /** Writes a consistent, openable copy of the store into {@code target}; see {@link FerrumDB#backup(Path)}. */
    public void backup(Path target) {
        db.backup(target);
    }

    /** Forces every write so far to stable storage, whatever the fsync policy. */
    public void sync() {
        db.sync();
    }

    public Path directory() {
        return db.directory();
    }

    /**
     * The FerrumDB holding the store, for tools that also show its raw keys and statistics (Studio). Writing
     * under the store's key prefixes (0x00, 0x01, 0x02) bypasses the indexes.
     */
    public FerrumDB database() {
        return db;
    }

    @Override
    public void close() {
        db.close();
    }

    // ---------------------------------------------------------------- catalog

    private void load(boolean readOnly) {
        byte[] marker = db.get(Keys.FORMAT_MARKER);
        if (marker == null) {
            if (db.size() > 0) {
                throw new NotADocumentStoreException(db.directory());
            }
            if (!readOnly) {
                db.put(Keys.FORMAT_MARKER, Keys.FORMAT.getBytes(StandardCharsets.UTF_8));
            }
        } else if (!Keys.FORMAT.equals(new String(marker, StandardCharsets.UTF_8))) {
            throw new FerrumException("database " + db.directory() + " has document format '"
                    + new String(marker, StandardCharsets.UTF_8) + "'; this version reads '" + Keys.FORMAT + "'");
        }
        Map<String, Map<FieldPath, IndexDef>> ready = new HashMap<>();
        List<byte[]> unfinishedIndexes = new ArrayList<>();
        try (RangeIterator it = db.iterate(KeyRange.prefix(Keys.INDEX_DEFINITIONS))) {
            while (it.hasNext()) {
                KeyValue kv = it.next();
                byte[] key = kv.key();
                int separator = indexOf(key, Keys.INDEX_DEFINITIONS.length);
                byte[] collection = Arrays.copyOfRange(key, Keys.INDEX_DEFINITIONS.length, separator);
                String path = new String(key, separator + 1, key.length - separator - 1, StandardCharsets.UTF_8);
                ObjectNode def = Json.parseStored(kv.value(), 0);
                if (READY.equals(def.path("state").asText())) {
                    FieldPath fp = FieldPath.parse(path);
                    ready.computeIfAbsent(new String(collection, StandardCharsets.UTF_8), k -> new HashMap<>())
                            .put(fp, new IndexDef(collection, fp, def.path("unique").asBoolean()));
                } else {
                    unfinishedIndexes.add(key);
                }
            }
        }
        List<byte[]> unfinishedDrops = new ArrayList<>();
        try (RangeIterator it = db.iterate(KeyRange.prefix(Keys.COLLECTIONS))) {
            while (it.hasNext()) {
                KeyValue kv = it.next();
                byte[] nameBytes = Arrays.copyOfRange(kv.key(), Keys.COLLECTIONS.length, kv.key().length);
                String name = new String(nameBytes, StandardCharsets.UTF_8);
                if (LIVE.equals(Json.parseStored(kv.value(), 0).path("state").asText())) {
                    collections.put(name, new DocumentCollection(this, db, name,
                            ready.getOrDefault(name, Map.of())));
                } else {
                    unfinishedDrops.add(nameBytes);
                }
            }
        }
        if (readOnly) {
            return;
        }
        for (byte[] definitionKey : unfinishedIndexes) {
            byte[] rest = Arrays.copyOfRange(definitionKey, Keys.INDEX_DEFINITIONS.length, definitionKey.length);
            int separator = indexOf(rest, 0);
            byte[] collection = Arrays.copyOfRange(rest, 0, separator);
            byte[] path = Arrays.copyOfRange(rest, separator + 1, rest.length);
            deleteAll(KeyRange.prefix(Keys.indexEntries(collection, path)));
            db.delete(definitionKey);
        }
        for (byte[] nameBytes : unfinishedDrops) {
            dropContents(nameBytes);
        }
    }

    /** Marks the collection dropping, deletes its index entries, documents and definitions, then the marker. */
    private void dropContents(byte[] nameBytes) {
        byte[] entry = Keys.collection(nameBytes);
        db.put(entry, state(DROPPING));
        deleteAll(KeyRange.prefix(Keys.indexEntries(nameBytes)));
        deleteAll(KeyRange.prefix(Keys.documents(nameBytes)));
        deleteAll(KeyRange.prefix(Keys.indexDefinitions(nameBytes)));
        db.delete(entry);
    }

    /** Deletes every key of {@code range}, a bounded batch at a time. */
    void deleteAll(KeyRange range) {
        while (true) {
            List<byte[]> keys = db.keys(range).limit(DELETE_BATCH).toList();
            if (keys.isEmpty()) {
                return;
            }
            WriteBatch batch = new WriteBatch();
            keys.forEach(batch::delete);
            db.write(batch);
        }
    }

    private static int indexOf(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                return i;
            }
        }
        throw new IllegalStateException("catalog key without separator: " + Arrays.toString(bytes));
    }

    private static byte[] state(String state) {
        return Json.write(Json.MAPPER.createObjectNode().put("state", state)).getBytes(StandardCharsets.UTF_8);
    }

    static byte[] indexState(boolean unique, String state) {
        return Json.write(Json.MAPPER.createObjectNode().put("unique", unique).put("state", state))
                .getBytes(StandardCharsets.UTF_8);
    }
}
