package io.ferrumdb.bench;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.FsyncPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.lmdbjava.ByteArrayProxy;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.PutFlags;
import org.lmdbjava.Txn;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.HTreeMap;
import org.mapdb.Serializer;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.FlushOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.JedisPoolConfig;

/**
 * Opens every engine under test with the settings its own documentation recommends for speed. The durability
 * each setting gives is stated in {@link #setting(String, boolean)}, which the report prints.
 */
public final class Stores {
    public static final List<String> ENGINES =
            List.of("ferrum", "ferrum-hash", "rocksdb", "lmdb", "mvstore", "mapdb", "sqlite", "redis", "redis-everysec",
                    "raw-chm", "raw-pread", "raw-mmap", "raw-append");
    /** Shared by RocksDB's block cache and MVStore's page cache so that neither is starved relative to the other. */
    static final int CACHE_MB = 256;

    private Stores() {
    }

    /** Opens {@code engine} in {@code dir}; {@code durable} means every put is on stable storage when it returns. */
    public static Store open(String engine, Path dir, boolean durable) {
        try {
            Files.createDirectories(dir);
            return switch (engine) {
                case "ferrum" -> new Ferrum(dir, durable, true);
                case "ferrum-hash" -> new Ferrum(dir, durable, false);
                case "rocksdb" -> new Rocks(dir, durable);
                case "lmdb" -> new Lmdb(dir, durable);
                case "mvstore" -> new MvStore(dir, durable);
                case "mapdb" -> new MapDb(dir, durable);
                case "sqlite" -> new Sqlite(dir, durable);
                case "redis" -> new Redis(dir, durable ? "always" : "no");
                case "redis-everysec" -> new Redis(dir, "everysec");
                case "raw-chm" -> new RawChm();
                case "raw-pread" -> new RawRead(dir, false);
                case "raw-mmap" -> new RawRead(dir, true);
                case "raw-append" -> new RawAppend(dir, durable);
                default -> throw new IllegalArgumentException("unknown engine '" + engine + "', expected one of " + ENGINES);
            };
        } catch (IOException e) {
            throw new UncheckedIOException("could not open " + engine + " in " + dir, e);
        }
    }

    /** The on-disk kind of an engine: engines that share a format share a prepared data set. */
    public static String storageKind(String engine) {
        return switch (engine) {
            case "ferrum", "ferrum-hash" -> "ferrum";
            case "raw-pread", "raw-mmap" -> "raw";
            default -> engine;
        };
    }

    /** Human-readable settings and what durability they give, for the report's method section. */
    public static String setting(String engine, boolean durable) {
        return switch (engine) {
            case "ferrum" -> "defaults (autoCompaction on), orderedKeys(true), fsyncPolicy " + (durable ? "always() (group commit)" : "never()");
            case "ferrum-hash" -> "defaults (autoCompaction on), orderedKeys(false), fsyncPolicy " + (durable ? "always() (group commit)" : "never()");
            case "rocksdb" -> "bloom filter 10 bits/key, LRU block cache " + CACHE_MB + " MiB, increaseParallelism(2); "
                    + (durable ? "WriteOptions.setSync(true)" : "WAL on, setSync(false)");
            case "lmdb" -> "ByteArrayProxy, MDB_NOTLS, a read transaction reset/renewed per get, one write txn per put; "
                    + (durable ? "default (fsync per commit)" : "MDB_NOSYNC");
            case "mvstore" -> "cacheSize " + CACHE_MB + " MiB, byte[] keys; " + (durable
                    ? "commit() + sync() after every put (serialized)" : "background auto-commit, no sync");
            case "mapdb" -> "fileDB + fileMmapEnableIfSupported, HTreeMap with BYTE_ARRAY serializers, no transactions";
            case "sqlite" -> "WAL, WITHOUT ROWID table, prepared statements, mmap_size 1 GiB, one writer connection; "
                    + (durable ? "synchronous=FULL, one transaction per put" : "synchronous=OFF, 1000 puts per transaction (other connections see a put at its commit)");
            case "redis" -> "redis-server on loopback, appendonly yes, appendfsync " + (durable ? "always" : "no")
                    + ", RDB off, jedis pool with one connection per thread";
            case "redis-everysec" -> "as redis, appendfsync everysec (loses up to ~1 s on power loss: not equivalent)";
            case "raw-chm" -> "ConcurrentHashMap<ByteBuffer, byte[]> lookup (memory only)";
            case "raw-pread" -> "FileChannel positional read of the value at index*size into a new byte[] (no index)";
            case "raw-mmap" -> "MappedByteBuffer absolute bulk get at index*size into a new byte[] (no index)";
            case "raw-append" -> "append of (lengths, key, value) through a 64 KiB buffer to a FileChannel"
                    + (durable ? " + force(false)" : "");
            default -> throw new IllegalArgumentException("unknown engine '" + engine + "'");
        };
    }

    static final class Ferrum implements Store, Compactable {
        final FerrumDB db;

        Ferrum(Path dir, boolean durable, boolean ordered) {
            db = FerrumDB.open(dir, io.ferrumdb.Options.builder()
                    .fsyncPolicy(durable ? FsyncPolicy.always() : FsyncPolicy.never())
                    .orderedKeys(ordered).build());
        }

        @Override
        public byte[] get(byte[] key) {
            return db.get(key);
        }

        @Override
        public void put(byte[] key, byte[] value) {
            db.put(key, value);
        }

        @Override
        public void flush() {
            db.sync();
        }

        @Override
        public String compact() {
            db.compact();
            return "db.compact()";
        }

        @Override
        public void close() {
            db.close();
        }
    }

    /** An engine whose full compaction the disk-space measurement can ask for. */
    interface Compactable {
        /** Runs a full compaction now and returns how it was asked for, for the report. */
        String compact();
    }

    static final class Rocks implements Store, Compactable {
        static {
            RocksDB.loadLibrary();
        }

        final org.rocksdb.Options options;
        final LRUCache cache;
        final BloomFilter filter;
        final WriteOptions writeOptions;
        final RocksDB db;

        Rocks(Path dir, boolean durable) {
            cache = new LRUCache((long) CACHE_MB << 20);
            filter = new BloomFilter(10, false);
            options = new org.rocksdb.Options().setCreateIfMissing(true)
                    .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(cache).setFilterPolicy(filter));
            options.setIncreaseParallelism(2);
            writeOptions = new WriteOptions().setSync(durable);
            try {
                db = RocksDB.open(options, dir.toString());
            } catch (RocksDBException e) {
                throw new BenchException("rocksdb open " + dir, e);
            }
        }

        @Override
        public byte[] get(byte[] key) {
            try {
                return db.get(key);
            } catch (RocksDBException e) {
                throw new BenchException("rocksdb get", e);
            }
        }

        @Override
        public void put(byte[] key, byte[] value) {
            try {
                db.put(writeOptions, key, value);
            } catch (RocksDBException e) {
                throw new BenchException("rocksdb put", e);
            }
        }

        @Override
        public void load(long n, byte[][] values) {
            try (WriteOptions noWal = new WriteOptions().setDisableWAL(true)) {
                for (long i = 0; i < n; ) {
                    try (WriteBatch batch = new WriteBatch()) {
                        for (int j = 0; j < 10_000 && i < n; j++, i++) {
                            batch.put(Data.key(i), Data.value(values, i));
                        }
                        db.write(noWal, batch);
                    }
                }
            } catch (RocksDBException e) {
                throw new BenchException("rocksdb load", e);
            }
            flush();
        }

        @Override
        public void flush() {
            try (FlushOptions f = new FlushOptions().setWaitForFlush(true)) {
                db.flush(f);
            } catch (RocksDBException e) {
                throw new BenchException("rocksdb flush", e);
            }
        }

        @Override
        public String compact() {
            try {
                db.compactRange();
                return "compactRange()";
            } catch (RocksDBException e) {
                throw new BenchException("rocksdb compactRange", e);
            }
        }

        @Override
        public void close() {
            db.close();
            writeOptions.close();
            options.close();
            filter.close();
            cache.close();
        }
    }

    static final class Lmdb implements Store {
        final Env<byte[]> env;
        final Dbi<byte[]> dbi;
        final ThreadLocal<Txn<byte[]>> readers = new ThreadLocal<>();
        final List<Txn<byte[]>> allReaders = new CopyOnWriteArrayList<>();

        Lmdb(Path dir, boolean durable) {
            EnvFlags[] flags = durable ? new EnvFlags[] {EnvFlags.MDB_NOTLS}
                    : new EnvFlags[] {EnvFlags.MDB_NOTLS, EnvFlags.MDB_NOSYNC};
            env = Env.create(ByteArrayProxy.PROXY_BA).setMapSize(256L << 30).setMaxDbs(1).setMaxReaders(512)
                    .open(dir.toFile(), flags);
            dbi = env.openDbi("kv", DbiFlags.MDB_CREATE);
        }

        @Override
        public byte[] get(byte[] key) {
            Txn<byte[]> txn = readers.get();
            if (txn == null) {
                txn = env.txnRead();
                readers.set(txn);
                allReaders.add(txn);
            } else {
                txn.renew();
            }
            try {
                return dbi.get(txn, key);
            } finally {
                txn.reset();
            }
        }

        @Override
        public void put(byte[] key, byte[] value) {
            dbi.put(key, value);
        }

        @Override
        public void load(long n, byte[][] values) {
            for (long i = 0; i < n; ) {
                try (Txn<byte[]> txn = env.txnWrite()) {
                    for (int j = 0; j < 100_000 && i < n; j++, i++) {
                        dbi.put(txn, Data.key(i), Data.value(values, i), PutFlags.MDB_APPEND);
                    }
                    txn.commit();
                }
            }
            flush();
        }

        @Override
        public void flush() {
            env.sync(true);
        }

        @Override
        public void close() {
            for (Txn<byte[]> t : allReaders) {
                t.close();
            }
            dbi.close();
            env.close();
        }
    }

    static final class MvStore implements Store {
        final MVStore store;
        final MVMap<byte[], byte[]> map;
        final boolean durable;

        MvStore(Path dir, boolean durable) {
            this.durable = durable;
            store = new MVStore.Builder().fileName(dir.resolve("kv.mv").toString()).cacheSize(CACHE_MB).open();
            map = store.openMap("kv");
        }

        @Override
        public byte[] get(byte[] key) {
            return map.get(key);
        }

        @Override
        public void put(byte[] key, byte[] value) {
            if (durable) {
                synchronized (this) {
                    map.put(key, value);
                    store.commit();
                    store.sync();
                }
            } else {
                map.put(key, value);
            }
        }

        @Override
        public void flush() {
            store.commit();
            store.sync();
        }

        @Override
        public void close() {
            store.close();
        }
    }

    static final class MapDb implements Store {
        final DB db;
        final HTreeMap<byte[], byte[]> map;

        MapDb(Path dir, boolean durable) {
            if (durable) {
                throw new UnsupportedOperationException("mapdb: per-put durability needs transactionEnable() + commit()"
                        + " per put; not measured (MapDB 3 documents no group commit)");
            }
            db = DBMaker.fileDB(dir.resolve("kv.mapdb").toFile()).fileMmapEnableIfSupported().make();
            map = db.hashMap("kv", Serializer.BYTE_ARRAY, Serializer.BYTE_ARRAY).createOrOpen();
        }

        @Override
        public byte[] get(byte[] key) {
            return map.get(key);
        }

        @Override
        public void put(byte[] key, byte[] value) {
            map.put(key, value);
        }

        @Override
        public void flush() {
            db.commit();
        }

        @Override
        public void close() {
            db.close();
        }
    }

    static final class Sqlite implements Store {
        private static final int BATCH = 1000;
        final String url;
        final boolean durable;
        final Connection writer;
        final PreparedStatement insert;
        final ThreadLocal<PreparedStatement> selects = new ThreadLocal<>();
        final List<Connection> readers = new CopyOnWriteArrayList<>();
        int pending;

        Sqlite(Path dir, boolean durable) {
            this.durable = durable;
            url = "jdbc:sqlite:" + dir.resolve("kv.db");
            try {
                writer = connect();
                try (Statement s = writer.createStatement()) {
                    s.execute("PRAGMA journal_mode=WAL");
                    s.execute("PRAGMA synchronous=" + (durable ? "FULL" : "OFF"));
                    s.execute("CREATE TABLE IF NOT EXISTS kv(k BLOB PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID");
                }
                writer.setAutoCommit(durable);
                insert = writer.prepareStatement("INSERT OR REPLACE INTO kv(k, v) VALUES (?, ?)");
            } catch (SQLException e) {
                throw new BenchException("sqlite open " + url, e);
            }
        }

        private Connection connect() throws SQLException {
            Connection c = DriverManager.getConnection(url);
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA mmap_size=1073741824");
                s.execute("PRAGMA busy_timeout=10000");
            }
            return c;
        }

        @Override
        public byte[] get(byte[] key) {
            try {
                PreparedStatement select = selects.get();
                if (select == null) {
                    Connection c = connect();
                    readers.add(c);
                    select = c.prepareStatement("SELECT v FROM kv WHERE k = ?");
                    selects.set(select);
                }
                select.setBytes(1, key);
                try (ResultSet rs = select.executeQuery()) {
                    return rs.next() ? rs.getBytes(1) : null;
                }
            } catch (SQLException e) {
                throw new BenchException("sqlite get", e);
            }
        }

        @Override
        public synchronized void put(byte[] key, byte[] value) {
            try {
                insert.setBytes(1, key);
                insert.setBytes(2, value);
                insert.executeUpdate();
                if (!durable && ++pending >= BATCH) {
                    writer.commit();
                    pending = 0;
                }
            } catch (SQLException e) {
                throw new BenchException("sqlite put", e);
            }
        }

        @Override
        public void load(long n, byte[][] values) {
            try {
                writer.setAutoCommit(false);
                for (long i = 0; i < n; i++) {
                    insert.setBytes(1, Data.key(i));
                    insert.setBytes(2, Data.value(values, i));
                    insert.addBatch();
                    if (i % 10_000 == 9_999) {
                        insert.executeBatch();
                        writer.commit();
                    }
                }
                insert.executeBatch();
                writer.commit();
                writer.setAutoCommit(durable);
            } catch (SQLException e) {
                throw new BenchException("sqlite load", e);
            }
        }

        @Override
        public synchronized void flush() {
            try {
                if (!writer.getAutoCommit()) {
                    writer.commit();
                    pending = 0;
                }
                try (Statement s = writer.createStatement()) {
                    s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
                }
            } catch (SQLException e) {
                throw new BenchException("sqlite flush", e);
            }
        }

        @Override
        public void close() {
            try {
                flush();
                for (Connection c : readers) {
                    c.close();
                }
                writer.close();
            } catch (SQLException e) {
                throw new BenchException("sqlite close", e);
            }
        }
    }

    /** A redis-server started for the run on a free loopback port, stopped (by its own PID) on close. */
    static final class Redis implements Store {
        final Process server;
        final JedisPool pool;

        Redis(Path dir, String appendfsync) throws IOException {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            server = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--dir", dir.toAbsolutePath().toString(), "--appendonly", "yes", "--appendfsync", appendfsync,
                    "--save", "", "--daemonize", "no", "--protected-mode", "yes")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
            JedisPoolConfig config = new JedisPoolConfig();
            config.setMaxTotal(128);
            config.setMaxIdle(128);
            pool = new JedisPool(config, "127.0.0.1", port);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                try (Jedis j = pool.getResource()) {
                    j.ping();
                    break;
                } catch (RuntimeException e) {
                    if (System.nanoTime() > deadline || !server.isAlive()) {
                        close();
                        throw new BenchException("redis-server did not answer on port " + port + " (see "
                                + dir.resolve("redis.log") + ")", e);
                    }
                    sleep(Duration.ofMillis(50));
                }
            }
        }

        @Override
        public byte[] get(byte[] key) {
            try (Jedis j = pool.getResource()) {
                return j.get(key);
            }
        }

        @Override
        public void put(byte[] key, byte[] value) {
            try (Jedis j = pool.getResource()) {
                j.set(key, value);
            }
        }

        @Override
        public void flush() {
            // appendfsync decides; there is no stronger per-call guarantee to ask for.
        }

        @Override
        public void close() {
            pool.close();
            server.destroy();
            try {
                if (!server.waitFor(20, TimeUnit.SECONDS)) {
                    server.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                server.destroyForcibly();
            }
        }
    }

    /** The memory-only limit of a hash-indexed GET. */
    static final class RawChm implements Store {
        final Map<ByteBuffer, byte[]> map = new ConcurrentHashMap<>();

        @Override
        public byte[] get(byte[] key) {
            return map.get(ByteBuffer.wrap(key));
        }

        @Override
        public void put(byte[] key, byte[] value) {
            map.put(ByteBuffer.wrap(key), value);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    /**
     * The I/O limit of a GET: the value of index i sits at {@code i * size} of one file, so a read is one positional
     * read (or one copy from a memory map) with no index at all.
     */
    static final class RawRead implements Store {
        private static final String FILE = "values.dat";
        final Path file;
        final FileChannel channel;
        final boolean mapped;
        MappedByteBuffer[] maps;
        long chunk;
        int valueSize;
        long count;

        RawRead(Path dir, boolean mapped) throws IOException {
            this.file = dir.resolve(FILE);
            this.mapped = mapped;
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            Path meta = dir.resolve("values.meta");
            if (Files.exists(meta)) {
                String[] f = Files.readString(meta).trim().split(" ");
                attach(Long.parseLong(f[0]), Integer.parseInt(f[1]));
            }
        }

        private void attach(long n, int size) throws IOException {
            count = n;
            valueSize = size;
            if (mapped) {
                chunk = (long) (Integer.MAX_VALUE / size) * size;
                int chunks = (int) ((n * size + chunk - 1) / chunk);
                maps = new MappedByteBuffer[chunks];
                for (int c = 0; c < chunks; c++) {
                    long from = c * chunk;
                    maps[c] = channel.map(FileChannel.MapMode.READ_ONLY, from, Math.min(chunk, n * size - from));
                }
            }
        }

        @Override
        public byte[] get(byte[] key) {
            long i = Data.index(key);
            return i >= count ? null : read(i);
        }

        /** The value of index {@code i}: one positional read or one copy from the map. */
        byte[] read(long i) {
            byte[] out = new byte[valueSize];
            long pos = i * valueSize;
            if (mapped) {
                maps[(int) (pos / chunk)].get((int) (pos % chunk), out);
                return out;
            }
            ByteBuffer b = ByteBuffer.wrap(out);
            try {
                while (b.hasRemaining()) {
                    if (channel.read(b, pos + b.position()) < 0) {
                        throw new BenchException("raw read past end of " + file);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out;
        }

        @Override
        public void put(byte[] key, byte[] value) {
            throw new UnsupportedOperationException("raw read baseline is loaded with load(), not put()");
        }

        @Override
        public void load(long n, byte[][] values) {
            try {
                ByteBuffer buf = ByteBuffer.allocate(1 << 20);
                long pos = 0;
                for (long i = 0; i < n; i++) {
                    byte[] v = Data.value(values, i);
                    if (buf.remaining() < v.length) {
                        pos += drain(buf, pos);
                    }
                    buf.put(v);
                }
                drain(buf, pos);
                channel.force(true);
                Files.writeString(file.resolveSibling("values.meta"), n + " " + values[0].length);
                attach(n, values[0].length);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private long drain(ByteBuffer buf, long pos) throws IOException {
            buf.flip();
            long written = 0;
            while (buf.hasRemaining()) {
                written += channel.write(buf, pos + written);
            }
            buf.clear();
            return written;
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The limit of an unsynced (or synced, per batch) append: what a log-structured put cannot beat. */
    static final class RawAppend implements Store {
        final FileChannel channel;
        final ByteBuffer buffer = ByteBuffer.allocate(64 << 10);
        final boolean durable;

        RawAppend(Path dir, boolean durable) throws IOException {
            this.durable = durable;
            channel = FileChannel.open(dir.resolve("append.log"), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
        }

        @Override
        public byte[] get(byte[] key) {
            throw new UnsupportedOperationException("raw append baseline has no reads");
        }

        @Override
        public synchronized void put(byte[] key, byte[] value) {
            if (buffer.remaining() < 8 + key.length + value.length) {
                drain();
            }
            buffer.putInt(key.length).putInt(value.length).put(key).put(value);
        }

        private void drain() {
            buffer.flip();
            try {
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            buffer.clear();
        }

        @Override
        public synchronized void flush() {
            drain();
            try {
                channel.force(false);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            flush();
            try {
                channel.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchException("interrupted", e);
        }
    }
}
