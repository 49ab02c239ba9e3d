package io.ferrumdb.bench.ycsb;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Set;
import java.util.Vector;

import org.rocksdb.CompressionType;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;

import site.ycsb.ByteIterator;
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
 * updates (read, merge, write) and scans (iterator seek) go through the same {@link YcsbBinding} as
 * {@link FerrumDbYcsb}'s, and as thin: a read copies the value into the client thread's reused buffer
 * ({@code RocksDB.get(key, value)}, no array allocated per read).
 */
public final class RocksDbYcsb extends YcsbBinding<RocksDbYcsb.Handle> {
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

    public RocksDbYcsb() {
        super("RocksDB", DIR_PROPERTY, HANDLES);
    }

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
    void scanRecords(byte[] startKey, int count, Set<String> fields, Vector<HashMap<String, ByteIterator>> rows)
            throws RocksDBException {
        try (RocksIterator it = handle.db.newIterator()) {
            it.seek(startKey);
            for (int i = 0; i < count && it.isValid(); i++, it.next()) {
                HashMap<String, ByteIterator> row = new HashMap<>();
                YcsbRecord.decode(it.value(), fields, row);
                rows.add(row);
            }
            it.status();
        }
    }

    @Override
    void write(byte[] key, byte[] record) throws RocksDBException {
        handle.db.put(handle.writeOptions, key, record);
    }

    /**
     * Reads the value of {@code key} into {@link #value}, growing it as needed; its length, or -1 when absent
     * ({@code RocksDB.get} into a too small array copies a prefix and returns the whole length).
     */
    @Override
    int readValue(byte[] key) throws RocksDBException {
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

    /** RocksDB's delete does not say whether the key was there: always OK, as YCSB's own RocksDB binding. */
    @Override
    Status remove(byte[] key) throws RocksDBException {
        handle.db.delete(handle.writeOptions, key);
        return Status.OK;
    }
}
