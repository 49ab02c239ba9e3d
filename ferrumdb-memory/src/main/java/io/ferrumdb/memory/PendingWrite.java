package io.ferrumdb.memory;

import io.ferrumdb.FerrumException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The outcome of an {@link AgentMemory} write issued without waiting for it: {@code result} is what the write
 * did (it is already visible to readers), and {@code durable} completes once it is durable under the database's
 * fsync policy, or fails with the engine's exception. Writes issued this way share the engine's group commits.
 */
public record PendingWrite<T>(T result, CompletableFuture<Void> durable) {
    public PendingWrite {
        Objects.requireNonNull(durable, "durable");
    }

    /** {@code result} once {@code durable} has completed, throwing the engine's exception when it failed. */
    public T await() {
        try {
            durable.join();
        } catch (CompletionException e) {
            // As FerrumDB.write reports a failed write.
            if (e.getCause() instanceof FerrumException cause) {
                throw cause;
            }
            throw new FerrumException("write failed", e.getCause());
        }
        return result;
    }
}
