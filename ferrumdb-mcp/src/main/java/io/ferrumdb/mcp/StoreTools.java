package io.ferrumdb.mcp;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.KeyRange;
import io.ferrumdb.Limits;
import io.ferrumdb.doc.Document;
import io.ferrumdb.doc.DocumentStore;
import io.ferrumdb.doc.Filter;
import io.ferrumdb.doc.FindOptions;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The plain store for agents that manage their own keys (kv_get, kv_put, kv_delete, kv_scan) and doc_find over
 * document collections. Keys are text; a key may not start with a control character (U+0000 to U+001F), the
 * range the document store keeps for itself, and scans never show those keys nor agent memory's (which start
 * with byte 0xFF, never the first byte of UTF-8 text).
 */
final class StoreTools {
    static final int MAX_SCAN_LIMIT = 1000;
    static final int DEFAULT_SCAN_LIMIT = 100;
    static final int MAX_FIND_LIMIT = 100;
    static final int DEFAULT_FIND_LIMIT = 20;
    /** The first byte of the text key range: below it lie the document store's keys. */
    private static final byte[] TEXT_KEYS_FROM = {0x20};
    /** Just past the text key range: agent memory's keys start with 0xFF. */
    private static final byte[] TEXT_KEYS_TO = {(byte) 0xFF};

    private final FerrumDB db;
    private final Optional<DocumentStore> documents;
    private final JsonValues json;

    /** @param documents empty when the database is not a document store (doc_find then says so) */
    StoreTools(FerrumDB db, Optional<DocumentStore> documents, JsonValues json) {
        this.db = db;
        this.documents = documents;
        this.json = json;
    }

    List<ToolSpec> tools() {
        return List.of(kvGet(), kvPut(), kvDelete(), kvScan(), docFind());
    }

    private static final String KEY_PROPERTY = """
            "key": {"type": "string", "minLength": 1, "description": "The key (text; may not start with a control character)."}""";

    private ToolSpec kvGet() {
        return new ToolSpec("kv_get", "Get a value by key",
                "Reads the value stored under a key. Returns found=false when the key is absent or expired.",
                """
                {"type": "object", "additionalProperties": false, "required": ["key"], "properties": {%s}}"""
                        .formatted(KEY_PROPERTY), """
                {"type": "object", "required": ["key", "found"], "properties": {"key": {"type": "string"},
                  "found": {"type": "boolean"}, "value": {"type": "string"}, "value_base64": {"type": "string"},
                  "expires_at": {"type": "string"}}}""", true, false, args -> {
                    String key = args.requiredString("key");
                    byte[] value = db.get(key("key", key));
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("key", key);
                    out.put("found", value != null);
                    if (value == null) {
                        return new ToolOutput(out, "No value under '" + key + "'.");
                    }
                    putValue(out, value);
                    long expiresAt = db.expiresAt(key("key", key));
                    if (expiresAt > 0) {
                        out.put("expires_at", Instant.ofEpochMilli(expiresAt).toString());
                    }
                    return new ToolOutput(out, key + " = " + out.getOrDefault("value", "(binary, base64) "
                            + out.get("value_base64")));
                });
    }

    private ToolSpec kvPut() {
        return new ToolSpec("kv_put", "Put a value under a key",
                "Stores a text value under a key, replacing any previous value, durably. Optional ttl_seconds "
                        + "makes it expire.",
                """
                {"type": "object", "additionalProperties": false, "required": ["key", "value"], "properties": {%s,
                  "value": {"type": "string", "description": "The value (text)."},
                  "ttl_seconds": {"type": "integer", "minimum": 1, "maximum": %d,
                    "description": "Expire after this many seconds (at most 100 years)."}
                }}""".formatted(KEY_PROPERTY, Limits.MAX_TTL.toSeconds()), """
                {"type": "object", "required": ["key", "bytes"], "properties": {"key": {"type": "string"},
                  "bytes": {"type": "integer"}}}""", false, false, args -> {
                    String key = args.requiredString("key");
                    byte[] value = args.requiredString("value").getBytes(StandardCharsets.UTF_8);
                    Long ttl = args.wholeNumber("ttl_seconds");
                    if (ttl != null) {
                        if (ttl <= 0 || ttl > Limits.MAX_TTL.toSeconds()) {
                            throw new ToolInputException("ttl_seconds", ttl + " is out of range: give 1 to "
                                    + Limits.MAX_TTL.toSeconds() + " (100 years)");
                        }
                        db.put(key("key", key), value, Duration.ofSeconds(ttl));
                    } else {
                        db.put(key("key", key), value);
                    }
                    return new ToolOutput(Map.of("key", key, "bytes", value.length),
                            "Stored " + value.length + " bytes under '" + key + "'.");
                });
    }

    private ToolSpec kvDelete() {
        return new ToolSpec("kv_delete", "Delete a key",
                "Deletes a key. Returns deleted=false when it was absent.",
                """
                {"type": "object", "additionalProperties": false, "required": ["key"], "properties": {%s}}"""
                        .formatted(KEY_PROPERTY), """
                {"type": "object", "required": ["key", "deleted"], "properties": {"key": {"type": "string"},
                  "deleted": {"type": "boolean"}}}""", false, true, args -> {
                    String key = args.requiredString("key");
                    boolean deleted = db.delete(key("key", key));
                    return new ToolOutput(Map.of("key", key, "deleted", deleted),
                            deleted ? "Deleted '" + key + "'." : "No key '" + key + "' to delete.");
                });
    }

    private ToolSpec kvScan() {
        return new ToolSpec("kv_scan", "Scan keys by prefix",
                "Lists keys and values in key order, optionally only those starting with a prefix. Pass the "
                        + "returned next_cursor as cursor to get the next page.",
                """
                {"type": "object", "additionalProperties": false, "properties": {
                  "prefix": {"type": "string", "description": "Only keys starting with this text."},
                  "limit": {"type": "integer", "minimum": 1, "maximum": %d, "default": %d},
                  "cursor": {"type": "string", "description": "next_cursor of the previous page."}
                }}""".formatted(MAX_SCAN_LIMIT, DEFAULT_SCAN_LIMIT), """
                {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {
                  "type": "object", "required": ["key"], "properties": {"key": {"type": "string"},
                    "value": {"type": "string"}, "value_base64": {"type": "string"}}}},
                  "next_cursor": {"type": "string"}}}""", true, false, args -> {
                    String prefix = Optional.ofNullable(args.string("prefix")).orElse("");
                    int limit = args.intInRange("limit", DEFAULT_SCAN_LIMIT, 1, MAX_SCAN_LIMIT);
                    String cursor = args.string("cursor");
                    KeyRange range = scanRange(prefix, cursor);
                    List<Object> items = new ArrayList<>();
                    StringBuilder text = new StringBuilder();
                    String last = null;
                    boolean more = false;
                    try (var it = db.iterate(range)) {
                        while (it.hasNext()) {
                            var kv = it.next();
                            if (items.size() == limit) {
                                more = true;
                                break;
                            }
                            last = new String(kv.key(), StandardCharsets.UTF_8);
                            Map<String, Object> item = new LinkedHashMap<>();
                            item.put("key", last);
                            putValue(item, kv.value());
                            items.add(item);
                            text.append('\n').append(last).append(" = ")
                                    .append(item.getOrDefault("value", "(binary)"));
                        }
                    }
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("items", items);
                    if (more) {
                        out.put("next_cursor", Base64.getUrlEncoder().withoutPadding()
                                .encodeToString(last.getBytes(StandardCharsets.UTF_8)));
                    }
                    return new ToolOutput(out, items.size() + " keys" + (more ? " (more: pass next_cursor)" : "")
                            + (items.isEmpty() ? "." : ":") + text);
                });
    }

    private KeyRange scanRange(String prefix, String cursor) {
        byte[] from;
        byte[] to;
        if (prefix.isEmpty()) {
            from = TEXT_KEYS_FROM;
            to = TEXT_KEYS_TO;
        } else {
            from = key("prefix", prefix);
            to = KeyRange.prefix(from).to();
        }
        if (cursor != null) {
            byte[] after;
            try {
                after = Base64.getUrlDecoder().decode(cursor);
            } catch (IllegalArgumentException e) {
                throw new ToolInputException("cursor", "is not a cursor kv_scan returned");
            }
            // The first key after the cursor: the cursor's key with a 0x00 byte appended.
            byte[] next = java.util.Arrays.copyOf(after, after.length + 1);
            if (java.util.Arrays.compare(next, from) > 0) {
                from = next;
            }
        }
        return to == null ? KeyRange.atLeast(from) : KeyRange.closedOpen(from, to);
    }

    private ToolSpec docFind() {
        return new ToolSpec("doc_find", "Find documents",
                "Finds JSON documents in a collection with a filter such as {\"age\": {\"$gte\": 30}, "
                        + "\"city\": \"London\"} (operators $eq $ne $gt $gte $lt $lte $in $exists $startsWith "
                        + "$and $or $not). Omit the filter to list documents.",
                """
                {"type": "object", "additionalProperties": false, "required": ["collection"], "properties": {
                  "collection": {"type": "string", "minLength": 1},
                  "filter": {"type": "object", "description": "The query; {} or absent matches every document."},
                  "sort": {"type": "string", "description": "Field path to sort by, e.g. \\"address.city\\"."},
                  "descending": {"type": "boolean", "default": false},
                  "limit": {"type": "integer", "minimum": 1, "maximum": %d, "default": %d}
                }}""".formatted(MAX_FIND_LIMIT, DEFAULT_FIND_LIMIT), """
                {"type": "object", "required": ["documents"], "properties": {"documents": {"type": "array", "items": {
                  "type": "object", "required": ["id", "document"],
                  "properties": {"id": {"type": "string"}, "document": {"type": "object"}}}}}}""",
                true, false, args -> {
                    DocumentStore store = documents.orElseThrow(() -> new ToolInputException("collection",
                            "this database is not a document store (it holds plain keys), so it has no collections"));
                    String collection = args.requiredString("collection");
                    List<String> collections = store.listCollections();
                    if (!collections.contains(collection)) {   // the command line's words (README, "Documents")
                        throw new ToolInputException("collection", "no collection '" + collection + "' ("
                                + (collections.isEmpty() ? "there are none yet" : "the collections are "
                                        + String.join(", ", collections))
                                + "; a collection is created by its first document)");
                    }
                    Map<?, ?> filterObject = args.object("filter");
                    Filter filter = filterObject == null ? Filter.all() : Filter.parse(json.write(filterObject));
                    FindOptions options = FindOptions.defaults()
                            .limit(args.intInRange("limit", DEFAULT_FIND_LIMIT, 1, MAX_FIND_LIMIT));
                    String sort = args.string("sort");
                    if (sort != null) {
                        Object descending = args.raw("descending");
                        if (descending != null && !(descending instanceof Boolean)) {
                            throw new ToolInputException("descending", "must be true or false");
                        }
                        options = options.sortBy(sort, Boolean.TRUE.equals(descending)
                                ? FindOptions.Order.DESCENDING : FindOptions.Order.ASCENDING);
                    }
                    List<Document> found = store.collection(collection).find(filter, options);
                    List<Object> docs = new ArrayList<>();
                    StringBuilder text = new StringBuilder(found.size() + " documents" + (found.isEmpty() ? "." : ":"));
                    for (Document d : found) {
                        docs.add(Map.of("id", d.id(), "document", json.readObject(d.json())));
                        text.append("\n- ").append(d.id()).append(": ").append(d.json());
                    }
                    return new ToolOutput(Map.of("documents", docs), text.toString());
                });
    }

    /**
     * The key bytes of a text key (or of kv_scan's prefix), refusing the control-character range the document
     * store owns; an error names {@code argument}, the one the caller gave.
     */
    private static byte[] key(String argument, String text) {
        if (text.isEmpty()) {
            throw new ToolInputException(argument, "must not be empty");
        }
        if (text.charAt(0) < 0x20) {
            throw new ToolInputException(argument, "must not start with a control character (reserved for documents)");
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > Limits.MAX_KEY_SIZE) {
            throw new ToolInputException(argument, bytes.length + " bytes exceed the limit of " + Limits.MAX_KEY_SIZE);
        }
        return bytes;
    }

    /** Text values as "value"; values that are not UTF-8 (written by other tools) as "value_base64". */
    private static void putValue(Map<String, Object> out, byte[] value) {
        try {
            out.put("value", StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(value)).toString());
        } catch (CharacterCodingException e) {
            out.put("value_base64", Base64.getEncoder().encodeToString(value));
        }
    }
}
