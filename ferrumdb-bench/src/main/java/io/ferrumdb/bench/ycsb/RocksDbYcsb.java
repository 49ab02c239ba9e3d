package io.ferrumdb.bench.ycsb;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.Vector;

import org.rocksdb.CompressionType;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;

import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.DBException;
import site.ycsb.Status;

/**
 * RocksDB (rocksdbjni, the version this module already uses) as a YCSB database, written here rather than
 * YCSB's own rocksdb-binding 0.17.0, which is built against rocksdbjni 6.2.2 and would put a second RocksDB on
 * this module's class path: {@code -db io.ferrumdb.bench.ycsb.RocksDbYcsb -p rocksdb.dir=DIR}.
 *
 * <p>Settings, after RocksDB's tuning guide for point lookups: {@code optimizeForPointLookup} (bloom filter of
 * 10 bits per key, hash index inside data blocks, whole-key memtable bloom, an LRU block cache of
 * {@value #BLOCK_CACHE_MB} MiB), {@code increaseParallelism(2)} for the 2-core machine, no compression (YCSB's
 * values are random; FerrumDB stores them uncompressed too). WAL on, not synced ({@code setSync(false)}). Records,
 * updates (read, merge, write) and scans (iterator seek) exactly as {@link FerrumDbYcsb} does them, and as thin:
 * a read copies the value into this client thread's reused buffer ({@code RocksDB.get(key, value)}, no array
 * allocated per read) and hands YCSB views of it.
 */
public final class RocksDbYcsb extends DB {
    public static final String DIR_PROPERTY = "rocksdb.dir";
    static final long BLOCK_CACHE_MB = 128;

    /** The database and the native options it was opened with, closed together. */
    static final class Handle implements AutoCloseable {
        final RocksDB db;
        final Options options;
        final WriteOptions writeOptions;

        Handle(RocksDB db, Options options, WriteOptions writeOptions) {
            this.db = db;
            this.options = options;
            this.writeOptions = writeOptions;
        }

        @Override
        public void close() {
            db.close();
            writeOptions.close();
            options.close();
        }
    }

    private static final SharedHandles<Handle> HANDLES = new SharedHandles<>("RocksDB", RocksDbYcsb::open,
            h -> property(h, "rocksdb.num-files-at-level0") + " L0 files, compaction pending "
                    + property(h, "rocksdb.compaction-pending") + ", running compactions "
                    + property(h, "rocksdb.num-running-compactions"));

    private static String property(Handle h, String name) {
        try {
            return h.db.getProperty(name);
        } catch (RocksDBException e) {
            return "(" + name + ": " + e.getMessage() + ")";
        }
    }

    private Path dir;
    private Handle handle;
    /** This client thread's read buffer (YCSB creates one DB per thread). */
    private byte[] value = new byte[256];
    private final YcsbRecord.Names names = new YcsbRecord.Names();

    /** The store as the binding (and {@link YcsbSettle}) opens it. */
    static Handle open(Path dir) throws Exception {
        RocksDB.loadLibrary();
        Files.createDirectories(dir);
        Options options = new Options()
                .setCreateIfMissing(true)
                .optimizeForPointLookup(BLOCK_CACHE_MB)
                .setIncreaseParallelism(2)
                .setCompressionType(CompressionType.NO_COMPRESSION);
        WriteOptions writeOptions = new WriteOptions().setSync(false).setDisableWAL(false);
        try {
            return new Handle(RocksDB.open(options, dir.toString()), options, writeOptions);
        } catch (RocksDBException e) {
            writeOptions.close();
            options.close();
            throw e;
        }
    }

    @Override
    public void init() throws DBException {
        dir = YcsbBinding.directory(getProperties(), DIR_PROPERTY);
        try {
            handle = HANDLES.acquire(dir);
        } catch (Exception e) {
            throw new DBException("cannot open RocksDB in " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void cleanup() throws DBException {
        if (handle == null) {
            return;
        }
        handle = null;
        try {
            HANDLES.release(dir);
        } catch (Exception e) {
            throw new DBException("cannot close RocksDB in " + dir + ": " + e.getMessage(), e);
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
        } catch (RocksDBException | RuntimeException e) {
            return YcsbBinding.failed("RocksDB", "read", key, e);
        }
    }

    @Override
    public Status scan(String table, String startkey, int recordcount, Set<String> fields,
            Vector<HashMap<String, ByteIterator>> result) {
        try (RocksIterator it = handle.db.newIterator()) {
            it.seek(YcsbBinding.key(startkey));
            for (int i = 0; i < recordcount && it.isValid(); i++, it.next()) {
                HashMap<String, ByteIterator> row = new HashMap<>();
                YcsbRecord.decode(it.value(), fields, row);
                result.add(row);
            }
            it.status();
            return Status.OK;
        } catch (RocksDBException | RuntimeException e) {
            return YcsbBinding.failed("RocksDB", "scan", startkey, e);
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
            handle.db.put(handle.writeOptions, k, YcsbRecord.merge(value, n, values));
            return Status.OK;
        } catch (RocksDBException | RuntimeException e) {
            return YcsbBinding.failed("RocksDB", "update", key, e);
        }
    }

    @Override
    public Status insert(String table, String key, Map<String, ByteIterator> values) {
        try {
            handle.db.put(handle.writeOptions, YcsbBinding.key(key), YcsbRecord.encode(values));
            return Status.OK;
        } catch (RocksDBException | RuntimeException e) {
            return YcsbBinding.failed("RocksDB", "insert", key, e);
        }
    }

    /**
     * Reads the value of {@code key} into {@link #value}, growing it as needed; its length, or -1 when absent
     * ({@code RocksDB.get} into a too small array copies a prefix and returns the whole length).
     */
    private int readValue(byte[] key) throws RocksDBException {
        while (true) {
            int n = handle.db.get(key, value);
            if (n == RocksDB.NOT_FOUND) {
                return -1;
            }
            if (n <= value.length) {
                return n;
            }
            value = new byte[Math.max(n, value.length * 2)];
        }
    }

    @Override
    public Status delete(String table, String key) {
        try {
            handle.db.delete(handle.writeOptions, YcsbBinding.key(key));
            return Status.OK;
        } catch (RocksDBException | RuntimeException e) {
            return YcsbBinding.failed("RocksDB", "delete", key, e);
        }
    }
}
