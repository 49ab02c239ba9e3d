package io.ferrumdb.studio;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.KeyRange;
import io.ferrumdb.Limits;
import io.ferrumdb.ProblemWording;
import io.ferrumdb.WriteBatch;
import io.ferrumdb.doc.DocumentStore;
import io.ferrumdb.studio.jsonlines.JsonLinesRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The key-value endpoints: a paged key listing and get, put (with TTL) and delete of one key. A key is named
 * by {@code hex} (exact for any bytes) or {@code key} (UTF-8 text).
 */
final class KeyValueApi {
    static final int DEFAULT_PAGE = 50;
    static final int MAX_PAGE = 1000;
    /** The key browser shows "10000+" rather than counting a huge prefix to the end. */
    static final int COUNT_LIMIT = 10_000;
    /** Values larger than this are previewed, not sent whole (the raw endpoint sends any size). */
    static final int TEXT_PREVIEW_BYTES = 1 << 20;
    static final int HEX_PREVIEW_BYTES = 4096;
    /** The longest TTL accepted, {@link Limits#MAX_TTL} (100 years), as every front end does. */
    static final long MAX_TTL_SECONDS = Limits.MAX_TTL.toSeconds();
    /** Bulk delete writes batches of this many tombstones, so one request never builds an unbounded batch. */
    static final int DELETE_BATCH = 1000;

    private final FerrumDB db;
    private final Metrics metrics;
    /** On a document store the key browser hides the store's own keys unless asked ({@code all=true}). */
    private final boolean documentStore;

    KeyValueApi(FerrumDB db, Metrics metrics, boolean documentStore) {
        this.db = db;
        this.metrics = metrics;
        this.documentStore = documentStore;
    }

    /** The keys of {@code range} the browser shows: without a document store's internal keys unless {@code all}. */
    private Stream<byte[]> shownKeys(KeyRange range, boolean all) {
        return documentStore && !all ? DocumentStore.plainKeys(db, range) : db.keys(range);
    }

    /**
     * The query flag {@code all}: {@code true} or {@code false} (or absent), as the JSON bodies' {@code all}; any
     * other word is refused rather than read as false, which would hide keys the caller asked to see.
     */
    private static boolean showAll(Call call) {
        String all = call.param("all");
        if (all == null || all.equals("false")) {
            return false;
        }
        if (all.equals("true")) {
            return true;
        }
        throw ApiException.badRequest("query parameter 'all' must be true or false, got '" + all + "'");
    }

    /**
     * The prefix named by {@code prefixHex} (exact bytes) or {@code prefix} (UTF-8; empty when both are absent).
     * Both at once are refused, as {@code key} with {@code hex}: with two prefixes one would be ignored, and a
     * bulk delete would remove the keys of the one the caller did not mean.
     */
    static byte[] prefixFrom(String text, String hex) {
        if (text != null && hex != null) {
            throw ApiException.badRequest("name the prefix with 'prefixHex' or 'prefix', not both");
        }
        return hex != null ? Bytes.fromHex("prefixHex", hex) : utf8(text == null ? "" : text, "'prefix'");
    }

    /**
     * {@code GET /api/keys?prefix=|prefixHex=&after=HEX&limit=N}: up to N keys in order, starting after the
     * cursor; {@code next} is the cursor of the following page, null on the last page. Reads only the keys of
     * one page (plus one to know whether there are more), never the whole key set.
     */
    void listKeys(Call call) throws IOException {
        byte[] prefix = prefixFrom(call.param("prefix"), call.param("prefixHex"));
        boolean all = showAll(call);
        int limit = call.intParam("limit", DEFAULT_PAGE, 1, MAX_PAGE);
        String after = call.param("after");
        KeyRange matching = KeyRange.prefix(prefix);
        KeyRange page = matching;
        if (after != null && !after.isEmpty()) {
            byte[] cursor = Bytes.fromHex("after", after);
            // The smallest key greater than the cursor is the cursor followed by a zero byte.
            byte[] from = Arrays.copyOf(cursor, cursor.length + 1);
            if (Arrays.compareUnsigned(from, prefix) > 0) {
                page = KeyRange.closedOpen(from, matching.to());
            }
        }
        List<byte[]> keys;
        try (Stream<byte[]> s = shownKeys(page, all)) {
            keys = s.limit(limit + 1L).toList();
        }
        boolean more = keys.size() > limit;
        List<Map<String, Object>> out = new ArrayList<>();
        for (byte[] k : more ? keys.subList(0, limit) : keys) {
            out.add(describeKey(k));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("keys", out);
        body.put("next", more ? Bytes.hex(keys.get(limit - 1)) : null);
        if (after == null || after.isEmpty()) {
            long counted;
            try (Stream<byte[]> s = shownKeys(KeyRange.prefix(prefix), all)) {
                counted = s.limit(COUNT_LIMIT + 1L).count();
            }
            body.put("count", Math.min(counted, COUNT_LIMIT));
            body.put("countIsLowerBound", counted > COUNT_LIMIT);
        }
        call.sendJson(200, body);
    }

    /**
     * {@code GET /api/kv?hex=|key=}: the value, classified as json, text or binary, with previews, and for a key
     * with a TTL its expiry ({@code expiresAtMillis}) and the seconds left ({@code ttlSeconds}, rounded up).
     */
    void get(Call call) throws IOException {
        byte[] key = keyFromQuery(call);
        byte[] value = timedGet(key);
        if (value == null) {
            throw ApiException.notFound("no key " + describeForMessage(key));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("key", describeKey(key));
        body.put("size", value.length);
        long expiresAt = db.expiresAt(key);
        if (expiresAt > 0) {
            long millisLeft = Math.max(0, expiresAt - db.options().clock().millis());
            body.put("expiresAtMillis", expiresAt);
            body.put("ttlSeconds", (millisLeft + 999) / 1000);
        }
        boolean truncated = value.length > TEXT_PREVIEW_BYTES;
        String text = Bytes.utf8OrNull(value);
        if (text == null) {
            body.put("kind", "binary");
        } else {
            String pretty = truncated ? null : prettyJson(text);
            body.put("kind", pretty != null ? "json" : "text");
            body.put("text", truncated ? previewText(value) : text);
            if (pretty != null) {
                body.put("pretty", pretty);
            }
        }
        body.put("hex", Bytes.hexDump(value, HEX_PREVIEW_BYTES));
        body.put("hexTruncated", value.length > HEX_PREVIEW_BYTES);
        body.put("truncated", truncated);
        call.sendJson(200, body);
    }

    /** {@code GET /api/kv/raw?hex=|key=}: the value's bytes as a download. */
    void getRaw(Call call) throws IOException {
        byte[] key = keyFromQuery(call);
        byte[] value = timedGet(key);
        if (value == null) {
            throw ApiException.notFound("no key " + describeForMessage(key));
        }
        call.header("Content-Disposition", Bytes.attachment(key));
        call.send(200, "application/octet-stream", value);
    }

    /**
     * {@code PUT /api/kv} with {@code {"key"|"hex", "value"|"valueBase64", "ttlSeconds"?}}: writes the value,
     * expiring after ttlSeconds when given.
     */
    void put(Call call) throws IOException {
        JsonNode body = call.jsonBody("key", "hex", "value", "valueBase64", "ttlSeconds");
        byte[] key = keyFromJson(body);
        byte[] value;
        String base64 = string(body, "valueBase64");
        String text = string(body, "value");
        if (base64 != null && text != null) {
            // As 'key' and 'hex': one was silently taken over the other.
            throw ApiException.badRequest("give the value as 'value' (text) or 'valueBase64', not both");
        }
        if (base64 != null) {
            try {
                value = Base64.getDecoder().decode(base64);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("'valueBase64' is not valid base64: "
                        + ProblemWording.notBase64(base64));
            }
        } else if (text != null) {
            value = utf8(text, "'value'");
        } else {
            throw ApiException.badRequest("give the value as 'value' (text) or 'valueBase64'");
        }
        Duration ttl = ttlFrom(body);
        timedPut(key, value, ttl);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("key", describeKey(key));
        out.put("size", value.length);
        out.put("ttlSeconds", ttl == null ? null : ttl.toSeconds());
        call.sendJson(200, out);
    }

    /** Writes {@code value}, expiring after {@code ttl} (null: never), and records the put latency. */
    private void timedPut(byte[] key, byte[] value, Duration ttl) {
        long start = System.nanoTime();
        if (ttl == null) {
            db.put(key, value);
        } else {
            db.put(key, value, ttl);
        }
        metrics.putLatency.record(System.nanoTime() - start);
    }

    /**
     * The TTL of a request body ({@code ttlSeconds}: 1 to {@link #MAX_TTL_SECONDS}), or null for none; documents
     * take the same rule.
     */
    static Duration ttlFrom(JsonNode body) {
        if (!body.hasNonNull("ttlSeconds")) {
            return null;
        }
        JsonNode t = body.get("ttlSeconds");
        if (!t.isIntegralNumber() || !t.canConvertToLong() || t.asLong() <= 0 || t.asLong() > MAX_TTL_SECONDS) {
            throw ApiException.badRequest("'ttlSeconds' must be a whole number of seconds from 1 to "
                    + MAX_TTL_SECONDS + " (100 years), got " + t);
        }
        return Duration.ofSeconds(t.asLong());
    }

    /**
     * {@code POST /api/kv/ttl} with {@code {"key"|"hex", "ttlSeconds": N | null}}: sets (EXPIRE) or removes
     * (PERSIST, null) the TTL of an existing key, keeping the stored value exactly as it is; the page never sends
     * a value for this, so a value it showed only as a preview or as binary cannot be replaced by what it showed.
     * The engine has no in-place TTL change: the value is read and written back with the new expiry, and a write
     * to the same key between the two is overwritten (last writer wins, as with any put). 404 when absent.
     */
    void setTtl(Call call) throws IOException {
        JsonNode body = call.jsonBody("key", "hex", "ttlSeconds");
        byte[] key = keyFromJson(body);
        if (!body.has("ttlSeconds")) {
            throw ApiException.badRequest("give 'ttlSeconds': seconds from now, or null to remove the TTL");
        }
        Duration ttl = ttlFrom(body);
        byte[] value = timedGet(key);
        if (value == null) {
            throw ApiException.notFound("no key " + describeForMessage(key));
        }
        timedPut(key, value, ttl);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("key", describeKey(key));
        out.put("ttlSeconds", ttl == null ? null : ttl.toSeconds());
        call.sendJson(200, out);
    }

    /**
     * {@code GET /api/kv/count?prefix=|prefixHex=&all=}: the exact number of keys the browser shows under the
     * prefix (unlike the listing's count, not capped), for the confirmation of a bulk delete.
     */
    void countPrefix(Call call) throws IOException {
        KeyRange range = KeyRange.prefix(prefixFrom(call.param("prefix"), call.param("prefixHex")));
        try (Stream<byte[]> s = shownKeys(range, showAll(call))) {
            call.sendJson(200, Map.of("count", s.count()));
        }
    }

    /**
     * {@code POST /api/kv/delete-prefix} with {@code {"prefix"|"prefixHex", "expectedCount": N, "all"?: bool}}:
     * deletes every key shown under the prefix, but only when their number is still the {@code expectedCount}
     * the user confirmed (else 409 with the current count, and nothing deleted). Writes batches of
     * {@link #DELETE_BATCH}; {@code deleted} is the number removed.
     */
    void deletePrefix(Call call) throws IOException {
        JsonNode body = call.jsonBody("prefix", "prefixHex", "expectedCount", "all");
        byte[] prefix = prefixFrom(string(body, "prefix"), string(body, "prefixHex"));
        boolean all = flag(body, "all");
        JsonNode expected = body.get("expectedCount");
        if (expected == null || !expected.canConvertToLong() || !expected.isIntegralNumber()) {
            throw ApiException.badRequest("give 'expectedCount', the number of keys the user confirmed deleting");
        }
        KeyRange range = KeyRange.prefix(prefix);
        long count;
        try (Stream<byte[]> s = shownKeys(range, all)) {
            count = s.count();
        }
        if (count != expected.asLong()) {
            Map<String, Object> conflict = new LinkedHashMap<>();
            conflict.put("error", "the prefix matches " + count + " key(s) now, not the " + expected.asLong()
                    + " confirmed; nothing was deleted");
            conflict.put("status", 409);
            conflict.put("count", count);
            call.sendJson(409, conflict);
            return;
        }
        long deleted = 0;
        try (Stream<byte[]> s = shownKeys(range, all)) {
            Iterator<byte[]> it = s.iterator();
            WriteBatch batch = new WriteBatch();
            while (it.hasNext()) {
                batch.delete(it.next());
                if (batch.size() == DELETE_BATCH) {
                    db.write(batch);
                    deleted += batch.size();
                    batch = new WriteBatch();
                }
            }
            if (!batch.isEmpty()) {
                db.write(batch);
                deleted += batch.size();
            }
        }
        call.sendJson(200, Map.of("deleted", deleted));
    }

    /** {@code DELETE /api/kv?hex=|key=}: {@code deleted} says whether a live key was removed. */
    void delete(Call call) throws IOException {
        byte[] key = keyFromQuery(call);
        long start = System.nanoTime();
        boolean deleted = db.delete(key);
        metrics.deleteLatency.record(System.nanoTime() - start);
        call.sendJson(200, Map.of("deleted", deleted));
    }

    private byte[] timedGet(byte[] key) {
        long start = System.nanoTime();
        byte[] value = db.get(key);
        metrics.getLatency.record(System.nanoTime() - start);
        return value;
    }

    static Map<String, Object> describeKey(byte[] key) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("key", Bytes.utf8OrNull(key));
        m.put("hex", Bytes.hex(key));
        m.put("size", key.length);
        return m;
    }

    private static String describeForMessage(byte[] key) {
        String text = Bytes.utf8OrNull(key);
        return text != null ? "'" + text + "'" : "0x" + Bytes.hex(key);
    }

    private static byte[] keyFromQuery(Call call) {
        if (call.param("hex") != null && call.param("key") != null) {
            throw ApiException.badRequest("name the key with 'hex' or 'key', not both");
        }
        if (call.param("hex") != null) {
            return Bytes.fromHex("hex", call.param("hex"));
        }
        if (call.param("key") != null) {
            return utf8(call.param("key"), "query parameter 'key'");
        }
        throw ApiException.badRequest("name the key with the query parameter 'hex' or 'key'");
    }

    private static byte[] keyFromJson(JsonNode body) {
        String hex = string(body, "hex");
        if (hex != null && body.hasNonNull("key")) {
            // Which of the two the caller meant is not for the server to guess; it used to take hex silently.
            throw ApiException.badRequest("name the key with 'hex' or 'key', not both");
        }
        if (hex != null) {
            return Bytes.fromHex("hex", hex);
        }
        if (body.has("key") && body.get("key").isTextual()) {
            return utf8(body.get("key").asText(), "'key'");
        }
        throw ApiException.badRequest("name the key with 'hex' or 'key' (text)");
    }

    /**
     * A text field of a request body, null when absent or null. Any other type is refused: Jackson's asText()
     * makes "" of an object or array, which named the empty key (or an empty value, or every key as a prefix).
     */
    /**
     * A true/false field, false when absent. Jackson's asBoolean() made false of "yes" and true of 1: a unique
     * index asked for as "unique": "true" was built as a plain one.
     */
    static boolean flag(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw ApiException.badRequest("'" + field + "' must be true or false, got " + v);
        }
        return v.booleanValue();
    }

    private static String string(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw ApiException.badRequest("'" + field + "' must be a string, got " + v.getNodeType().name()
                    .toLowerCase(java.util.Locale.ROOT));
        }
        return v.asText();
    }

    /** The UTF-8 of a key, value or prefix the request gave as text; one that is not valid Unicode is a 400. */
    private static byte[] utf8(String text, String field) {
        return JsonLinesRecord.utf8(text, field);
    }

    /** Pretty-printed JSON when the text is a JSON object or array, else null. */
    private static String prettyJson(String text) {
        String t = text.strip();
        if (!(t.startsWith("{") || t.startsWith("["))) {
            return null;
        }
        try {
            JsonNode node = Json.PLAIN.readTree(t);
            return Json.PLAIN.writer(Json.PRETTY).writeValueAsString(node);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /** The first preview bytes as text, cut at a character boundary. */
    private static String previewText(byte[] value) {
        int end = TEXT_PREVIEW_BYTES;
        while (end > 0 && (value[end] & 0xC0) == 0x80) {
            end--;
        }
        return new String(value, 0, end, StandardCharsets.UTF_8);
    }
}
