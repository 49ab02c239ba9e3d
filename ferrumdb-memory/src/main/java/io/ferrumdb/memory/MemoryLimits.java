package io.ferrumdb.memory;

import io.ferrumdb.Limits;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/** The documented limits of agent memory, checked before anything is written or read. */
public final class MemoryLimits {
    public static final String DEFAULT_NAMESPACE = "default";
    /** Namespaces: 1 to 64 ASCII letters, digits, '.', '_' or '-'. */
    public static final int MAX_NAMESPACE_CHARS = 64;
    public static final int MAX_TEXT_BYTES = 32 * 1024;
    public static final int MAX_TAGS = 32;
    public static final int MAX_TAG_CHARS = 64;
    public static final int MAX_METADATA_BYTES = 16 * 1024;
    public static final int MAX_VECTOR_DIMENSIONS = 4096;
    public static final Duration MAX_TTL = Duration.ofDays(3650);
    public static final int DEFAULT_RECALL_LIMIT = 10;
    public static final int MAX_RECALL_LIMIT = 100;
    public static final int MAX_QUERY_CHARS = 4096;

    private static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9._-]{1," + MAX_NAMESPACE_CHARS + "}");

    private MemoryLimits() {
    }

    static String namespace(String namespace) {
        if (namespace == null) {
            return DEFAULT_NAMESPACE;
        }
        if (!NAMESPACE.matcher(namespace).matches()) {
            throw new InvalidMemoryRequestException("namespace", "'" + abbreviate(namespace) + "' is not a valid "
                    + "namespace: use 1 to " + MAX_NAMESPACE_CHARS + " ASCII letters, digits, '.', '_' or '-'");
        }
        return namespace;
    }

    static void text(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidMemoryRequestException("text", "is required and must not be blank");
        }
        wellFormed("text", text);
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_TEXT_BYTES) {
            throw new InvalidMemoryRequestException("text", bytes + " bytes (UTF-8) exceeds the limit of "
                    + MAX_TEXT_BYTES + " bytes; split it into several memories");
        }
    }

    static List<String> tags(List<String> tags) {
        if (tags == null) {
            return List.of();
        }
        if (tags.size() > MAX_TAGS) {
            throw new InvalidMemoryRequestException("tags", tags.size() + " tags exceed the limit of " + MAX_TAGS);
        }
        for (int i = 0; i < tags.size(); i++) {
            String tag = tags.get(i);
            String field = "tags[" + i + "]";
            if (tag == null || tag.isEmpty()) {
                throw new InvalidMemoryRequestException(field, "must be a non-empty string");
            }
            if (tag.length() > MAX_TAG_CHARS) {
                throw new InvalidMemoryRequestException(field, tag.length() + " characters exceed the limit of "
                        + MAX_TAG_CHARS);
            }
            if (tag.chars().anyMatch(Character::isISOControl)) {
                throw new InvalidMemoryRequestException(field, "must not contain control characters");
            }
            wellFormed(field, tag);
        }
        return List.copyOf(new java.util.LinkedHashSet<>(tags));
    }

    static void ttl(Duration ttl) {
        if (ttl != null && (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_TTL) > 0)) {
            throw new InvalidMemoryRequestException("ttl_seconds", ttl.toSeconds() + " is out of range: give more "
                    + "than 0 and at most " + MAX_TTL.toSeconds() + " seconds (10 years)");
        }
    }

    static void vector(float[] vector, String field) {
        if (vector == null) {
            return;
        }
        if (vector.length == 0 || vector.length > MAX_VECTOR_DIMENSIONS) {
            throw new InvalidMemoryRequestException(field, vector.length + " dimensions: give 1 to "
                    + MAX_VECTOR_DIMENSIONS);
        }
        for (int i = 0; i < vector.length; i++) {
            if (!Float.isFinite(vector[i])) {
                throw new InvalidMemoryRequestException(field + "[" + i + "]", "must be a finite number");
            }
        }
    }

    static int limit(Integer limit) {
        if (limit == null) {
            return DEFAULT_RECALL_LIMIT;
        }
        if (limit < 1 || limit > MAX_RECALL_LIMIT) {
            throw new InvalidMemoryRequestException("limit", limit + " is out of range: give 1 to "
                    + MAX_RECALL_LIMIT);
        }
        return limit;
    }

    static void query(String query) {
        if (query != null && query.length() > MAX_QUERY_CHARS) {
            throw new InvalidMemoryRequestException("query", query.length() + " characters exceed the limit of "
                    + MAX_QUERY_CHARS);
        }
        if (query != null) {
            wellFormed("query", query);
        }
    }

    /**
     * Refuses text with a lone UTF-16 surrogate (JSON's backslash-u D800 to DFFF alone, from a binding or a tool):
     * it has no UTF-8 form, and stored it became {@code ?}, another memory, tag or query than the one given.
     */
    private static void wellFormed(String field, String text) {
        if (!Limits.isUnicodeText(text)) {
            throw new InvalidMemoryRequestException(field, Limits.NOT_UNICODE_TEXT);
        }
    }

    static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
