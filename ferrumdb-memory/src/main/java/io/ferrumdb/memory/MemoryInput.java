package io.ferrumdb.memory;

import java.time.Duration;
import java.util.List;

/**
 * A memory to store.
 *
 * @param namespace    null for {@link MemoryLimits#DEFAULT_NAMESPACE}
 * @param tags         null or empty for none; duplicates are dropped
 * @param ttl          null for no expiry
 * @param metadataJson null, or a JSON object of at most {@link MemoryLimits#MAX_METADATA_BYTES}
 * @param vector       null, or the client's embedding of the text (no model is ever run here)
 */
public record MemoryInput(String namespace, String text, List<String> tags, Duration ttl, String metadataJson,
                          float[] vector) {
    /** A memory in the default namespace without tags, TTL, metadata or vector. */
    public static MemoryInput of(String text) {
        return new MemoryInput(null, text, null, null, null, null);
    }
}
