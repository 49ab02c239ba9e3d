package io.ferrumdb;

import io.ferrumdb.internal.format.RecordFormat;
import io.ferrumdb.internal.log.Records;
import java.util.List;

/**
 * A {@link WriteBatch} as the log writer's {@link Records}: its operations read in place (the batch copied the
 * caller's arrays when they were added), expiry times counted from one clock reading, so equal TTLs in a batch give
 * equal expiry times. One object a batch, none a record.
 */
final class BatchRecords implements Records {
    private final List<WriteBatch.Operation> operations;
    private final long payload;
    private final long now;

    BatchRecords(WriteBatch batch, long now) {
        this.operations = batch.operations();
        this.payload = batch.payloadBytes();
        this.now = now;
    }

    @Override
    public int count() {
        return operations.size();
    }

    @Override
    public long payload() {
        return payload;
    }

    @Override
    public byte type(int i) {
        return operations.get(i).isDelete() ? RecordFormat.TYPE_DELETE : RecordFormat.TYPE_PUT;
    }

    @Override
    public byte[] key(int i) {
        return operations.get(i).key();
    }

    @Override
    public byte[] value(int i) {
        byte[] value = operations.get(i).value();
        return value == null ? WritePath.EMPTY : value;
    }

    @Override
    public long expiresAt(int i) {
        WriteBatch.Operation op = operations.get(i);
        return op.isDelete() || op.ttl() == null ? 0 : WritePath.expiresAt(op.ttl(), now);
    }
}
