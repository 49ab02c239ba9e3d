package io.ferrumdb.bench.ycsb;

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
 */
public final class FerrumDbYcsb extends DB {
    public static final String DIR_PROPERTY = "ferrumdb.dir";

    private static final SharedHandles<FerrumDB> HANDLES = new SharedHandles<>(dir -> FerrumDB.open(dir,
            Options.builder().fsyncPolicy(FsyncPolicy.never()).orderedKeys(true).build()));

    private Path dir;
    private FerrumDB db;

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
            byte[] record = db.get(YcsbBinding.key(key));
            if (record == null) {
                return Status.NOT_FOUND;
            }
            YcsbRecord.decode(record, fields, result);
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
            byte[] old = db.get(k);
            if (old == null) {
                return Status.NOT_FOUND;
            }
            db.put(k, YcsbRecord.merge(old, values));
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

    /** How many YCSB client threads share the handle of {@code dir} (tests check the reference count). */
    static int openReferences(Path dir) {
        return HANDLES.references(dir);
    }
}
