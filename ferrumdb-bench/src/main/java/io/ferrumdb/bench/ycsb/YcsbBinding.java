package io.ferrumdb.bench.ycsb;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.Vector;

import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.DBException;
import site.ycsb.Status;

/**
 * What both YCSB bindings share, so that the two engines are driven by the same code and only their calls differ:
 * one engine handle per directory shared by YCSB's client threads ({@link SharedHandles}), the directory property,
 * a read buffer per client thread reused by its reads and updates, records of YCSB fields ({@link YcsbRecord}), and
 * how an engine failure is reported. A binding says how its engine reads into the buffer, writes, deletes and
 * scans.
 *
 * <p>An update reads, merges and writes the record, as YCSB's own RocksDB binding does, so two threads updating
 * different fields of one key at the same moment may lose one field: the same for both engines measured.
 *
 * @param <H> the engine's handle
 */
abstract class YcsbBinding<H extends AutoCloseable> extends DB {
    private final String engine;
    private final String directoryProperty;
    private final SharedHandles<H> handles;
    private final YcsbRecord.Names names = new YcsbRecord.Names();
    private Path dir;
    /** The handle shared with the other client threads of this directory; null before init and after cleanup. */
    protected H handle;
    /**
     * This client thread's read buffer (YCSB creates one DB per thread and drops a read's result before the
     * thread's next operation, so YCSB is handed views of it); {@link #readValue} grows it as needed.
     */
    protected byte[] value = new byte[256];

    YcsbBinding(String engine, String directoryProperty, SharedHandles<H> handles) {
        this.engine = engine;
        this.directoryProperty = directoryProperty;
        this.handles = handles;
    }

    /** Reads the value of {@code key} into {@link #value}, growing it as needed; its length, or -1 when absent. */
    abstract int readValue(byte[] key) throws Exception;

    abstract void write(byte[] key, byte[] record) throws Exception;

    /** Deletes {@code key}: {@link Status#NOT_FOUND} when the engine can tell it was absent, else OK. */
    abstract Status remove(byte[] key) throws Exception;

    /** Appends to {@code rows} the records of up to {@code count} keys from {@code startKey} on, in key order. */
    abstract void scanRecords(byte[] startKey, int count, Set<String> fields,
            Vector<HashMap<String, ByteIterator>> rows) throws Exception;

    /** YCSB keys ("user" + digits) as UTF-8; the table name is ignored, one table per directory. */
    static byte[] key(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public final void init() throws DBException {
        String property = getProperties().getProperty(directoryProperty);
        if (property == null || property.isBlank()) {
            throw new DBException("YCSB property " + directoryProperty + " (the database directory) is not set");
        }
        dir = Path.of(property);
        try {
            handle = handles.acquire(dir);
        } catch (Exception e) {
            throw new DBException("cannot open " + engine + " in " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public final void cleanup() throws DBException {
        if (handle == null) {
            return;
        }
        handle = null;
        try {
            handles.release(dir);
        } catch (Exception e) {
            throw new DBException("cannot close " + engine + " in " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public final Status read(String table, String key, Set<String> fields, Map<String, ByteIterator> result) {
        try {
            int n = readValue(key(key));
            if (n < 0) {
                return Status.NOT_FOUND;
            }
            YcsbRecord.decode(value, n, fields, result, names);
            return Status.OK;
        } catch (Exception e) {
            return failed("read", key, e);
        }
    }

    @Override
    public final Status scan(String table, String startkey, int recordcount, Set<String> fields,
            Vector<HashMap<String, ByteIterator>> result) {
        try {
            scanRecords(key(startkey), recordcount, fields, result);
            return Status.OK;
        } catch (Exception e) {
            return failed("scan", startkey, e);
        }
    }

    @Override
    public final Status update(String table, String key, Map<String, ByteIterator> values) {
        try {
            byte[] k = key(key);
            int n = readValue(k);
            if (n < 0) {
                return Status.NOT_FOUND;
            }
            write(k, YcsbRecord.merge(value, n, values));
            return Status.OK;
        } catch (Exception e) {
            return failed("update", key, e);
        }
    }

    @Override
    public final Status insert(String table, String key, Map<String, ByteIterator> values) {
        try {
            write(key(key), YcsbRecord.encode(values));
            return Status.OK;
        } catch (Exception e) {
            return failed("insert", key, e);
        }
    }

    @Override
    public final Status delete(String table, String key) {
        try {
            return remove(key(key));
        } catch (Exception e) {
            return failed("delete", key, e);
        }
    }

    /**
     * YCSB counts a failed operation by its Status (the run's [OP-FAILED] lines, which run-ycsb.sh checks); the
     * engine's exception goes to stderr so that the cause is not lost.
     */
    private Status failed(String operation, String key, Exception e) {
        System.err.println(engine + " " + operation + " of key " + key + " failed:");
        e.printStackTrace(System.err);
        return Status.ERROR;
    }
}
