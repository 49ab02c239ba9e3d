package io.ferrumdb;

import io.ferrumdb.internal.concurrent.ThreadCount;
import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.io.NamingFileIO;
import io.ferrumdb.internal.keydir.Key;
import io.ferrumdb.internal.keydir.KeyDir;
import io.ferrumdb.internal.keydir.Location;
import io.ferrumdb.internal.log.LogWriter;
import io.ferrumdb.internal.log.ReadPath;
import io.ferrumdb.internal.log.SegmentSet;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * An embedded FerrumDB database: a Bitcask log of append-only segment files with an in-memory key directory.
 * Thread-safe; one open handle per directory (see {@link DatabaseLockedException}).
 *
 * <pre>{@code
 * try (FerrumDB db = FerrumDB.open(Path.of("data"))) {
 *     db.put(key, value);
 *     byte[] v = db.get(key);
 * }
 * }</pre>
 *
 * A GET is one hash lookup and one read (from a memory map for sealed segments). Writes are appended and made
 * durable by group commit according to {@link Options#fsyncPolicy()}.
 *
 * <p>This class is the public facade: it checks arguments and state and delegates. The parts (ARCHITECTURE.md):
 * {@link Recovery} opens, {@link SegmentSet} owns the segments and their live bytes, {@link LogWriter} appends,
 * {@link WritePath} and {@link ReadPath} lead a write and a read through them, {@link KeyViews} serves keys and
 * ranges, {@link ExpiryPurge} the TTL purge, {@link Maintenance} compaction and backup, {@link EncryptionAdmin}
 * passphrase and data-key changes.
 */
public final class FerrumDB implements AutoCloseable {
    private final Path dir;
    private final Options options;
    /** The parts; the ones every call uses are fields here too (no further object on a GET's or a put's way). */
    private final Engine engine;
    private final KeyDir keyDir;
    /** Null when read-only. */
    private final WritePath writes;
    private final ReadPath reads;
    private final KeyViews views;
    private final ExpiryPurge expiry;
    private final Maintenance maintenance;
    private final ThreadCount gets = new ThreadCount();
    private volatile boolean closed;
    /** Held by {@link #close()} from start to end, so that a concurrent close returns only once it is done. */
    private final Object closing = new Object();
    /**
     * What the parts call back, one instance: a class rather than a method reference, as a fresh JVM spins a class
     * and method-handle forms for each method reference at its first use, 3-5x what loading a small class costs, and
     * every open made nine of them (ARCHITECTURE.md, "Start-up cost"; {@link Engine} has the others).
     */
    private final Runnable openCheck = new OpenCheck();

    private FerrumDB(Path requested, Options options) throws IOException {
        this.dir = requested.toAbsolutePath().normalize();
        this.options = options;
        this.engine = new Engine(dir, options, openCheck);
        this.keyDir = engine.keyDir;
        this.writes = engine.writes;
        this.reads = engine.reads;
        this.views = engine.views;
        this.expiry = engine.expiry;
        this.maintenance = engine.maintenance;
    }

    /** Opens (creating if missing) the database in {@code dir} with default options. */
    public static FerrumDB open(Path dir) {
        return open(dir, Options.defaults());
    }

    /**
     * Opens the database in {@code dir}, creating it when missing if {@link Options#createIfMissing()} and not
     * {@link Options#readOnly()}.
     *
     * @throws DatabaseNotFoundException when there is no database and none may be created (nothing is created)
     * @throws NotADatabaseException     when a writing open finds a non-empty directory that holds no database
     * @throws DatabaseLockedException   when another handle, in this process or another, holds the directory
     */
    public static FerrumDB open(Path dir, Options options) {
        DirectoryCalls.requireArguments(dir, options);
        // Not through DirectoryCalls.run: its lambda would be the first thing every open spins (see openCheck).
        try {
            return new FerrumDB(dir, options);
        } catch (IOException e) {
            throw DirectoryCalls.failed("open", dir, e);
        }
    }

    /**
     * Reads every record of every segment (and every hint file) of the closed database in {@code dir}, checking
     * each checksum and authentication tag, without writing anything. Damage is reported, not thrown (a damaged
     * META too: {@link DroppedRange.Kind#DAMAGED_META}); a directory locked by a writer gives
     * {@link DatabaseLockedException}.
     */
    public static VerifyReport verify(Path dir, Options options) {
        return verify(dir, options, progress -> { });
    }

    /** As {@link #verify(Path, Options)}, telling {@code progress} how far it has come (segment bytes read). */
    public static VerifyReport verify(Path dir, Options options, Consumer<MaintenanceProgress> progress) {
        Objects.requireNonNull(progress, "progress");
        return DirectoryCalls.run("verify", dir, options, () -> Verifier.verify(dir, options, progress));
    }

    /**
     * Repairs the closed database in {@code dir} (encrypted ones need their key or passphrase in {@code options}):
     * keeps every intact record, rewrites damaged segments and their hints, and moves the damaged originals to a
     * {@code damaged-<timestamp>} folder beside the database ({@link Options#repairDiscardsDamaged()} deletes them
     * instead). Segments the MANIFEST lists but which are gone make it refuse with {@link MissingSegmentException}
     * unless {@link Options#repairAllowsMissingSegments()}. Afterwards verify is clean.
     *
     * @throws DatabaseLockedException when the database is open
     */
    public static RepairReport repair(Path dir, Options options) {
        return repair(dir, options, progress -> { });
    }

    /** As {@link #repair(Path, Options)}, telling {@code progress} how far it has come (segment bytes checked). */
    public static RepairReport repair(Path dir, Options options, Consumer<MaintenanceProgress> progress) {
        Objects.requireNonNull(progress, "progress");
        return DirectoryCalls.run("repair", dir, options, () -> Repairer.repair(dir, options, progress));
    }

    // ---------------------------------------------------------------- reads

    /** The value of {@code key}, or null when absent or expired. */
    public byte[] get(byte[] key) {
        Limits.checkKey(key);
        ensureOpen();
        gets.increment();
        return reads.readValue(key);
    }

    /**
     * Reads the value of {@code key} into {@code dst}, without allocating a value array.
     *
     * <p>Contract: returns -1 when the key is absent or expired, and leaves {@code dst} unchanged. Otherwise
     * returns the value's length {@code n}: when {@code n <= dst.remaining()} the value is copied at
     * {@code dst.position()} and the position advances by {@code n} (the limit is unchanged); when it does not fit,
     * nothing is copied and the position is unchanged, so the caller can retry with a buffer of at least {@code n}
     * bytes (the key may have changed in between: check the result again). The record is verified as by
     * {@link #get(byte[])}; a read-only {@code dst} throws {@link java.nio.ReadOnlyBufferException}.
     */
    public int get(byte[] key, ByteBuffer dst) {
        Limits.checkKey(key);
        Objects.requireNonNull(dst, "dst");
        if (dst.isReadOnly()) {
            throw new java.nio.ReadOnlyBufferException();
        }
        ensureOpen();
        gets.increment();
        return reads.readValue(key, dst);
    }

    /**
     * The value of {@code key} if reading it needs no disk I/O (see {@link MemoryRead}), for a thread that must not
     * block on a disk (an event loop): from the writer's buffers, or a sealed segment's map when the record's pages
     * are resident (mincore). A page evicted between check and copy costs a fault, never a wrong value.
     */
    public MemoryRead getIfInMemory(byte[] key) {
        Limits.checkKey(key);
        ensureOpen();
        MemoryRead read = reads.readValueIfInMemory(key);
        if (read != MemoryRead.NOT_IN_MEMORY) {
            gets.increment();
        }
        return read;
    }

    /** When {@code key} expires, in epoch milliseconds; 0 when it has no TTL, -1 when it is absent or expired. */
    public long expiresAt(byte[] key) {
        Limits.checkKey(key);
        ensureOpen();
        Location loc = keyDir.get(new Key(key));
        return loc == null || loc.isExpired(now()) ? -1 : loc.expiresAt();
    }

    public boolean contains(byte[] key) {
        Limits.checkKey(key);
        ensureOpen();
        Location loc = keyDir.get(new Key(key));
        return loc != null && !loc.isExpired(now());
    }

    /**
     * Number of live (unexpired) keys. After a write failure, as the durable records leave it (what a reopen finds
     * when the failed writes did not land): without the keys that writes the failure caught added, with those they
     * deleted.
     */
    public long size() {
        ensureOpen();
        expiry.run();
        return engine.liveKeys();
    }

    /** Live keys in no particular order, weakly consistent. */
    public Stream<byte[]> keys() {
        ensureOpen();
        expiry.run();
        return views.unordered();
    }

    /** Live keys in {@code range}, in key order (descending if reversed), without reading values. */
    public Stream<byte[]> keys(KeyRange range) {
        return views.keyStream(range);
    }

    /** As {@link #keys(KeyRange)}, an iterator without a stream (what the bindings' cursors walk). */
    public KeyIterator keyIterator(KeyRange range) {
        return views.liveKeys(range);
    }

    public Optional<byte[]> firstKey(KeyRange range) {
        return keys(range).findFirst();
    }

    public Optional<byte[]> lastKey(KeyRange range) {
        return keys(Objects.requireNonNull(range, "range").reversed()).findFirst();
    }

    public long count(KeyRange range) {
        return views.count(range);
    }

    /** Iterates the keys and values of {@code range} in key order; requires {@link Options#orderedKeys()}. */
    public RangeIterator iterate(KeyRange range) {
        return views.iterate(range);
    }

    // ---------------------------------------------------------------- writes

    public void put(byte[] key, byte[] value) {
        Limits.checkKey(key);
        Limits.checkValue(value);
        writable().put(key, value, null);
    }

    /** Puts a value that expires after {@code ttl} (absolute wall-clock time, kept across reopen). */
    public void put(byte[] key, byte[] value, Duration ttl) {
        Limits.checkKey(key);
        Limits.checkValue(value);
        Limits.checkTtl(ttl);
        writable().put(key, value, ttl);
    }

    /**
     * Deletes {@code key}; true when a live key was removed. A key whose value has expired but is still on disk
     * gets a tombstone too (returning false), so that no older value of it can come back. A read-only handle
     * refuses it whether or not the key exists.
     */
    public boolean delete(byte[] key) {
        Limits.checkKey(key);
        WritePath path = writable(); // refused on a read-only handle even for an absent key (Redis, SQLite)
        if (keyDir.get(new Key(key)) == null) {
            return false;
        }
        return path.delete(key);
    }

    /** Applies every operation of {@code batch}, all or nothing across crashes. */
    public void write(WriteBatch batch) {
        Objects.requireNonNull(batch, "batch");
        if (batch.isEmpty()) {
            ensureOpen();
            return;
        }
        writable().write(batch);
    }

    /** Like {@link #put(byte[], byte[])}; the future completes when the write is durable under the policy. */
    public CompletableFuture<Void> putAsync(byte[] key, byte[] value) {
        Limits.checkKey(key);
        Limits.checkValue(value);
        return async(w -> w.putAsync(key, value));
    }

    public CompletableFuture<Void> deleteAsync(byte[] key) {
        Limits.checkKey(key);
        return async(w -> w.deleteAsync(key));
    }

    public CompletableFuture<Void> writeAsync(WriteBatch batch) {
        Objects.requireNonNull(batch, "batch");
        if (batch.isEmpty()) {
            // As write(): nothing to write, but a closed handle says so (Node.js's writeBatch([]) resolved).
            try {
                ensureOpen();
            } catch (DatabaseClosedException e) {
                return CompletableFuture.failedFuture(e);
            }
            return CompletableFuture.completedFuture(null);
        }
        return async(w -> w.writeAsync(batch));
    }

    /** Forces every write so far to stable storage, whatever the fsync policy. */
    public void sync() {
        ensureOpen();
        if (engine.writer != null) {
            engine.writer.sync();
        }
    }

    // ---------------------------------------------------------------- maintenance

    /**
     * Runs a full compaction now: seals the active segment, then rewrites the live records of every sealed
     * segment into new segments and deletes the old ones. Readers and writers go on meanwhile.
     *
     * <p>After a write failure (a full disk, say) writes stay refused, but compaction still works on the sealed
     * segments: it writes its own output files, so a database mostly made of garbage can free space from inside
     * once there is room for the live data.
     */
    public CompactionResult compact() {
        return compact(progress -> { });
    }

    /** As {@link #compact()}, telling {@code progress} how far it has come ({@link MaintenanceProgress}). */
    public CompactionResult compact(Consumer<MaintenanceProgress> progress) {
        Objects.requireNonNull(progress, "progress");
        writable();
        return maintenance.compact(openCheck, progress);
    }

    /**
     * Writes a consistent, openable copy of the database into {@code target} (a new or empty directory) while
     * writes go on. The copy holds every write acknowledged before the call: the active segment is sealed first,
     * then the sealed segments (immutable) are hard-linked, or copied where links are impossible.
     */
    public void backup(Path target) {
        backup(target, progress -> { });
    }

    /** As {@link #backup(Path)}, telling {@code progress} how far it has come ({@link MaintenanceProgress}). */
    public void backup(Path target, Consumer<MaintenanceProgress> progress) {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(progress, "progress");
        ensureOpen();
        maintenance.backup(target.toAbsolutePath().normalize(), openCheck, progress);
    }

    /** The failure of the last background compaction, or empty when it succeeded (or none ran). */
    public Optional<Throwable> lastCompactionFailure() {
        return Optional.ofNullable(maintenance.lastFailure());
    }

    /**
     * Changes the passphrase of the encrypted database in {@code dir}, which must not be open. Only the small KEY
     * file is rewritten (atomically: a crash leaves either the old or the new passphrase working); the data stays
     * encrypted under the same data key. Both arrays are wiped on return.
     *
     * @throws EncryptionKeyException when {@code oldPassphrase} is wrong or the database is not encrypted with a
     *                                passphrase
     * @throws DatabaseLockedException when the database is open
     */
    public static void changePassphrase(Path dir, char[] oldPassphrase, char[] newPassphrase) {
        changePassphrase(dir, oldPassphrase, newPassphrase, FileIO.nio());
    }

    static void changePassphrase(Path dir, char[] oldPassphrase, char[] newPassphrase, FileIO io) {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(oldPassphrase, "oldPassphrase");
        Objects.requireNonNull(newPassphrase, "newPassphrase");
        EncryptionAdmin.changePassphrase(dir.toAbsolutePath().normalize(), oldPassphrase, newPassphrase,
                NamingFileIO.wrap(io));
    }

    /**
     * Replaces the data key of this encrypted database and re-encrypts everything under the new one: a new random
     * data key is added to KEY (wrapped under the key or passphrase this database was opened with), the active
     * segment is sealed, every sealed segment is rewritten by a full compaction, and the old key is then removed
     * from KEY. A crash in between leaves a KEY that opens every segment present; calling this again finishes the
     * job. Afterwards an old copy of KEY, or a leaked old data key, no longer decrypts the database's files.
     *
     * @throws EncryptionKeyException when the database is not encrypted
     */
    public void rotateDataKey() {
        writable();
        EncryptionAdmin.rotateDataKey(dir, options, engine.segments, engine.writer, maintenance, openCheck);
    }

    // ---------------------------------------------------------------- information

    public Path directory() {
        return dir;
    }

    public Options options() {
        return options;
    }

    /** What open truncated or (in salvage mode) skipped; empty after a clean shutdown. */
    public List<DroppedRange> recoveryReport() {
        return engine.opened.report();
    }

    public Stats stats() {
        ensureOpen();
        expiry.run();
        return maintenance.stats(engine.liveKeys(), writes == null ? 0 : writes.puts.get(),
                writes == null ? 0 : writes.deletes.get(), gets.sum(), engine.keyDir.memoryBytes());
    }

    /**
     * Flushes, fsyncs, seals the active segment (writing its hint), writes the key directory image, unlocks. Throws
     * {@link ReadOnlyDatabaseException} when the write path failed and no put or sync has reported that failure
     * (a failure is reported once, as Linux reports an fsync error): writes acknowledged under {@code never()} or
     * {@code periodic} before it may be lost. A failed merge of small segments at close (a full disk) is logged as a
     * warning, not thrown: it leaves its inputs, losing nothing. The database is closed either way. A call made
     * while another thread is closing the database returns when that close has ended.
     */
    @Override
    public void close() {
        // Held for the whole close: a second caller waits for the first to finish instead of returning while the
        // active segment is still being sealed. A JVM shutdown hook that closes the database races the main thread
        // doing the same (a parent that kills a process also closes its stdin), and the JVM halts once the hook
        // returns: returning early there lost the close's hint and, under never()/periodic, buffered writes.
        synchronized (closing) {
            if (closed) {
                return;
            }
            closed = true;
            engine.close();
        }
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "FerrumDB[" + dir + "]";
    }

    // ---------------------------------------------------------------- state checks and wiring

    private void ensureOpen() {
        if (closed) {
            throw new DatabaseClosedException("database " + dir);
        }
    }

    /** The write path, after checking that the database is open and writable. */
    private WritePath writable() {
        ensureOpen();
        if (writes == null) {
            throw new ReadOnlyDatabaseException("database " + dir + " was opened read-only", null);
        }
        return writes;
    }

    private long now() {
        return options.clock().millis();
    }

    /** {@link #ensureOpen()} for the parts (see {@link #openCheck}). */
    private final class OpenCheck implements Runnable {
        @Override
        public void run() {
            ensureOpen();
        }
    }

    /** Turns a closed or read-only database into a failed future, as the asynchronous writes promise. */
    private CompletableFuture<Void> async(Function<WritePath, CompletableFuture<Void>> write) {
        try {
            return write.apply(writable());
        } catch (FerrumException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
