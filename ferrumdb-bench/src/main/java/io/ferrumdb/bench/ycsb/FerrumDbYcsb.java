package io.ferrumdb.bench.ycsb;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.Vector;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.KeyRange;
import io.ferrumdb.KeyValue;
import io.ferrumdb.Options;
import io.ferrumdb.RangeIterator;
import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.DBException;
import site.ycsb.Status;

/**
 * FerrumDB as a YCSB database: {@code -db io.ferrumdb.bench.ycsb.FerrumDbYcsb -p ferrumdb.dir=DIR}.
 *
 * <p>Fsync never (the counterpart of RocksDB's unsynced WAL: writes reach the OS, not the disk), ordered keys on
 * (workload E scans in key order). A record's fields are one value ({@link YcsbRecord}); an update reads, merges
 * and writes it, as YCSB's own RocksDB binding does, so two threads updating different fields of one key at the
 * same moment may lose one field — the same for both engines measured.
 *
 * <p>Thin on purpose, as {@link RocksDbYcsb} is: a read copies the value into this client thread's reused buffer
 * with the engine's allocation-free {@link FerrumDB#get(byte[], ByteBuffer)} and hands YCSB views of it (YCSB
 * drops a read's result before the thread's next operation); nothing read is kept across operations.
 */
public final class FerrumDbYcsb extends DB {
    public static final String DIR_PROPERTY = "ferrumdb.dir";

    private static final SharedHandles<FerrumDB> HANDLES = new SharedHandles<>("FerrumDB", FerrumDbYcsb::open,
            db -> db.stats().toString());

    /** The store as the binding (and {@link YcsbSettle}) opens it. */
    static FerrumDB open(Path dir) {
        return FerrumDB.open(dir, Options.builder().fsyncPolicy(FsyncPolicy.never()).orderedKeys(true).build());
    }

    private Path dir;
    private FerrumDB db;
    /** This client thread's read buffer (YCSB creates one DB per thread) and a view of it for the engine. */
    private byte[] value = new byte[256];
    private ByteBuffer valueView = ByteBuffer.wrap(value);
    private final YcsbRecord.Names names = new YcsbRecord.Names();

    @Override
    public void init() throws DBException {
        dir = YcsbBinding.directory(getProperties(), DIR_PROPERTY);
        try {
            db = HANDLES.acquire(dir);
        } catch (Exception e) {
            throw new DBException("cannot open FerrumDB in " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void cleanup() throws DBException {
        if (db == null) {
            return;
        }
        db = null;
        try {
            HANDLES.release(dir);
        } catch (Exception e) {
            throw new DBException("cannot close FerrumDB in " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Status read(String table, String key, Set<String> fields, Map<String, ByteIterator> result) {
        try {
            int n = readValue(YcsbBinding.key(key));
            if (n < 0) {
                return Status.NOT_FOUND;
            }
            YcsbRecord.decode(value, n, fields, result, names);
            return Status.OK;
        } catch (RuntimeException e) {
            return YcsbBinding.failed("FerrumDB", "read", key, e);
        }
    }

    @Override
    public Status scan(String table, String startkey, int recordcount, Set<String> fields,
            Vector<HashMap<String, ByteIterator>> result) {
        try (RangeIterator it = db.iterate(KeyRange.atLeast(YcsbBinding.key(startkey)))) {
            for (int i = 0; i < recordcount && it.hasNext(); i++) {
                KeyValue kv = it.next();
                HashMap<String, ByteIterator> row = new HashMap<>();
                YcsbRecord.decode(kv.value(), fields, row);
                result.add(row);
            }
            return Status.OK;
        } catch (RuntimeException e) {
            return YcsbBinding.failed("FerrumDB", "scan", startkey, e);
        }
    }

    @Override
    public Status update(String table, String key, Map<String, ByteIterator> values) {
        try {
            byte[] k = YcsbBinding.key(key);
            int n = readValue(k);
            if (n < 0) {
                return Status.NOT_FOUND;
            }
            db.put(k, YcsbRecord.merge(value, n, values));
            return Status.OK;
        } catch (RuntimeException e) {
            return YcsbBinding.failed("FerrumDB", "update", key, e);
        }
    }

    @Override
    public Status insert(String table, String key, Map<String, ByteIterator> values) {
        try {
            db.put(YcsbBinding.key(key), YcsbRecord.encode(values));
            return Status.OK;
        } catch (RuntimeException e) {
            return YcsbBinding.failed("FerrumDB", "insert", key, e);
        }
    }

    @Override
    public Status delete(String table, String key) {
        try {
            return db.delete(YcsbBinding.key(key)) ? Status.OK : Status.NOT_FOUND;
        } catch (RuntimeException e) {
            return YcsbBinding.failed("FerrumDB", "delete", key, e);
        }
    }

    /** Reads the value of {@code key} into {@link #value}, growing it as needed; its length, or -1 when absent. */
    private int readValue(byte[] key) {
        while (true) {
            valueView.clear();
            int n = db.get(key, valueView);
            if (n <= value.length) {
                return n;
            }
            value = new byte[Math.max(n, value.length * 2)];
            valueView = ByteBuffer.wrap(value);
        }
    }

    /** How many YCSB client threads share the handle of {@code dir} (tests check the reference count). */
    static int openReferences(Path dir) {
        return HANDLES.references(dir);
    }
}
