package io.ferrumdb.memory;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One stored memory.
 *
 * @param metadataJson the client's metadata as a compact JSON object ({@code {}} when none was given)
 * @param expiresAt    when the memory expires; empty when it has no TTL
 */
public record Memory(String id, String namespace, String text, List<String> tags, String metadataJson,
                     Instant createdAt, Optional<Instant> expiresAt) {
    public Memory {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(text, "text");
        tags = List.copyOf(tags);
        Objects.requireNonNull(metadataJson, "metadataJson");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }
}
