package io.ferrumdb.bench.ycsb;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Set;
import java.util.Vector;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.KeyRange;
import io.ferrumdb.KeyValue;
import io.ferrumdb.Options;
import io.ferrumdb.RangeIterator;
import site.ycsb.ByteIterator;
import site.ycsb.Status;

/**
 * FerrumDB as a YCSB database: {@code -db io.ferrumdb.bench.ycsb.FerrumDbYcsb -p ferrumdb.dir=DIR}.
 *
 * <p>Fsync never (the counterpart of RocksDB's unsynced WAL: writes reach the OS, not the disk), ordered keys on
 * (workload E scans in key order). Thin on purpose, as {@link RocksDbYcsb} is: a read copies the value into the
 * client thread's reused buffer with the engine's allocation-free {@link FerrumDB#get(byte[], ByteBuffer)};
 * nothing read is kept across operations.
 */
public final class FerrumDbYcsb extends YcsbBinding<FerrumDB> {
    public static final String DIR_PROPERTY = "ferrumdb.dir";

    private static final SharedHandles<FerrumDB> HANDLES = new SharedHandles<>("FerrumDB", FerrumDbYcsb::open,
            db -> db.stats().toString());

    /** A view of {@link #value} for the engine, wrapped again when the buffer grows. */
    private ByteBuffer valueView = ByteBuffer.wrap(value);

    public FerrumDbYcsb() {
        super("FerrumDB", DIR_PROPERTY, HANDLES);
    }

    /** The store as the binding (and {@link YcsbSettle}) opens it. */
    static FerrumDB open(Path dir) {
        return FerrumDB.open(dir, Options.builder().fsyncPolicy(FsyncPolicy.never()).orderedKeys(true).build());
    }

    @Override
    int readValue(byte[] key) {
        while (true) {
            valueView.clear();
            int n = handle.get(key, valueView);
            if (n <= value.length) {
                return n;
            }
            value = new byte[Math.max(n, value.length * 2)];
            valueView = ByteBuffer.wrap(value);
        }
    }

    @Override
    void write(byte[] key, byte[] record) {
        handle.put(key, record);
    }

    @Override
    Status remove(byte[] key) {
        return handle.delete(key) ? Status.OK : Status.NOT_FOUND;
    }

    @Override
    void scanRecords(byte[] startKey, int count, Set<String> fields, Vector<HashMap<String, ByteIterator>> rows) {
        try (RangeIterator it = handle.iterate(KeyRange.atLeast(startKey))) {
            for (int i = 0; i < count && it.hasNext(); i++) {
                KeyValue kv = it.next();
                HashMap<String, ByteIterator> row = new HashMap<>();
                YcsbRecord.decode(kv.value(), fields, row);
                rows.add(row);
            }
        }
    }

    /** How many YCSB client threads share the handle of {@code dir} (tests check the reference count). */
    static int openReferences(Path dir) {
        return HANDLES.references(dir);
    }
}
