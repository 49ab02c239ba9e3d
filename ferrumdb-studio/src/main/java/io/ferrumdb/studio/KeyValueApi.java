package io.ferrumdb.studio;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.KeyRange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    private final FerrumDB db;
    private final Metrics metrics;

    KeyValueApi(FerrumDB db, Metrics metrics) {
        this.db = db;
        this.metrics = metrics;
    }

    /**
     * {@code GET /api/keys?prefix=|prefixHex=&after=HEX&limit=N}: up to N keys in order, starting after the
     * cursor; {@code next} is the cursor of the following page, null on the last page. Reads only the keys of
     * one page (plus one to know whether there are more), never the whole key set.
     */
    void listKeys(Call call) throws IOException {
        byte[] prefix = call.param("prefixHex") != null
                ? Bytes.fromHex("prefixHex", call.param("prefixHex"))
                : utf8(call.param("prefix") == null ? "" : call.param("prefix"));
        int limit = call.intParam("limit", DEFAULT_PAGE, 1, MAX_PAGE);
        String after = call.param("after");
        KeyRange all = KeyRange.prefix(prefix);
        KeyRange page = all;
        if (after != null && !after.isEmpty()) {
            byte[] cursor = Bytes.fromHex("after", after);
            // The smallest key greater than the cursor is the cursor followed by a zero byte.
            byte[] from = Arrays.copyOf(cursor, cursor.length + 1);
            if (Arrays.compareUnsigned(from, prefix) > 0) {
                page = KeyRange.closedOpen(from, all.to());
            }
        }
        List<byte[]> keys = db.keys(page).limit(limit + 1L).toList();
        boolean more = keys.size() > limit;
        List<Map<String, Object>> out = new ArrayList<>();
        for (byte[] k : more ? keys.subList(0, limit) : keys) {
            out.add(describeKey(k));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("keys", out);
        body.put("next", more ? Bytes.hex(keys.get(limit - 1)) : null);
        if (after == null || after.isEmpty()) {
            long counted = db.keys(all).limit(COUNT_LIMIT + 1L).count();
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
        call.exchange().getResponseHeaders().set("Content-Disposition", "attachment; filename=\"value.bin\"");
        call.send(200, "application/octet-stream", value);
    }

    /**
     * {@code PUT /api/kv} with {@code {"key"|"hex", "value"|"valueBase64", "ttlSeconds"?}}: writes the value,
     * expiring after ttlSeconds when given.
     */
    void put(Call call) throws IOException {
        JsonNode body = call.jsonBody();
        byte[] key = keyFromJson(body);
        byte[] value;
        if (body.hasNonNull("valueBase64")) {
            try {
                value = Base64.getDecoder().decode(body.get("valueBase64").asText());
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("'valueBase64' is not valid base64: " + e.getMessage());
            }
        } else if (body.has("value") && body.get("value").isTextual()) {
            value = utf8(body.get("value").asText());
        } else {
            throw ApiException.badRequest("give the value as 'value' (text) or 'valueBase64'");
        }
        Duration ttl = null;
        if (body.hasNonNull("ttlSeconds")) {
            JsonNode t = body.get("ttlSeconds");
            if (!t.isIntegralNumber() || t.asLong() <= 0) {
                throw ApiException.badRequest("'ttlSeconds' must be a positive whole number, got " + t);
            }
            ttl = Duration.ofSeconds(t.asLong());
        }
        long start = System.nanoTime();
        if (ttl == null) {
            db.put(key, value);
        } else {
            db.put(key, value, ttl);
        }
        metrics.putLatency.record(System.nanoTime() - start);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("key", describeKey(key));
        out.put("size", value.length);
        out.put("ttlSeconds", ttl == null ? null : ttl.toSeconds());
        call.sendJson(200, out);
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
        if (call.param("hex") != null) {
            return Bytes.fromHex("hex", call.param("hex"));
        }
        if (call.param("key") != null) {
            return utf8(call.param("key"));
        }
        throw ApiException.badRequest("name the key with the query parameter 'hex' or 'key'");
    }

    private static byte[] keyFromJson(JsonNode body) {
        if (body.hasNonNull("hex")) {
            return Bytes.fromHex("hex", body.get("hex").asText());
        }
        if (body.has("key") && body.get("key").isTextual()) {
            return utf8(body.get("key").asText());
        }
        throw ApiException.badRequest("name the key with 'hex' or 'key' (text)");
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
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
