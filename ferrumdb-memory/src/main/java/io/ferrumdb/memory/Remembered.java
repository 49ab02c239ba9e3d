package io.ferrumdb.memory;

import java.time.Instant;
import java.util.Optional;

/** What {@link AgentMemory#remember} stored: durable (under the database's fsync policy) when returned. */
public record Remembered(String id, String namespace, Instant createdAt, Optional<Instant> expiresAt) {
}
