package io.ferrumdb;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Puts and deletes applied by {@link FerrumDB#write(WriteBatch)} all or nothing: after any crash the batch is
 * either wholly present or wholly absent. Arguments are validated and copied when added, so a batch can be
 * reused or mutated by the caller afterwards without affecting what was added.
 */
public final class WriteBatch {
    /** One operation of a batch. A delete has a null value. */
    public record Operation(byte[] key, byte[] value, Duration ttl) {
        public boolean isDelete() {
            return value == null;
        }
    }

    private final List<Operation> operations = new ArrayList<>();
    private long payloadBytes;

    public WriteBatch put(byte[] key, byte[] value) {
        Limits.checkKey(key);
        Limits.checkValue(value);
        return add(new Operation(key.clone(), value.clone(), null));
    }

    public WriteBatch put(byte[] key, byte[] value, Duration ttl) {
        Limits.checkKey(key);
        Limits.checkValue(value);
        Limits.checkTtl(ttl);
        return add(new Operation(key.clone(), value.clone(), ttl));
    }

    public WriteBatch delete(byte[] key) {
        Limits.checkKey(key);
        return add(new Operation(key.clone(), null, null));
    }

    private WriteBatch add(Operation op) {
        long bytes = payloadBytes + op.key().length + (op.value() == null ? 0 : op.value().length);
        if (bytes > Limits.MAX_BATCH_BYTES) {
            // Named like the key and value limits: the size reached, the limit and its constant, and which
            // operation did it; the batch keeps what it held (the operation is not added).
            throw new IllegalArgumentException("batch of " + bytes + " bytes of keys and values with operation "
                    + (operations.size() + 1) + " exceeds the limit of " + Limits.MAX_BATCH_BYTES
                    + " bytes (MAX_BATCH_BYTES); the operation was not added");
        }
        payloadBytes = bytes;
        operations.add(op);
        return this;
    }

    public int size() {
        return operations.size();
    }

    public boolean isEmpty() {
        return operations.isEmpty();
    }

    public WriteBatch clear() {
        operations.clear();
        payloadBytes = 0;
        return this;
    }

    /** The key and value bytes of the operations (deletes have no value). */
    long payloadBytes() {
        return payloadBytes;
    }

    /** The operations in the order they were added (read-only view). */
    public List<Operation> operations() {
        return Collections.unmodifiableList(operations);
    }
}
