package io.ferrumdb;

import io.ferrumdb.internal.compaction.CompactionPolicy;
import io.ferrumdb.internal.compaction.CompactionScheduler;
import io.ferrumdb.internal.compaction.Compactor;
import io.ferrumdb.internal.crypto.Keyring;
import io.ferrumdb.internal.crypto.Secret;
import io.ferrumdb.internal.directory.BackupWriter;
import io.ferrumdb.internal.directory.DatabaseDirectory;
import io.ferrumdb.internal.directory.FileNames;
import io.ferrumdb.internal.format.CipherSuite;
import io.ferrumdb.internal.format.CompactionJournal;
import io.ferrumdb.internal.format.HintFile;
import io.ferrumdb.internal.format.MetaFile;
import io.ferrumdb.internal.format.RecordFormat;
import io.ferrumdb.internal.format.SegmentHeader;
import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.io.StorageFile;
import io.ferrumdb.internal.keydir.Key;
import io.ferrumdb.internal.keydir.KeyDir;
import io.ferrumdb.internal.keydir.Location;
import io.ferrumdb.internal.log.LogWriter;
import io.ferrumdb.internal.log.LogWriter.Append;
import io.ferrumdb.internal.log.RecordCheck;
import io.ferrumdb.internal.log.RecordReader;
import io.ferrumdb.internal.log.Segment;
import io.ferrumdb.internal.log.SegmentFiles;
import io.ferrumdb.internal.log.SegmentInventory;
import io.ferrumdb.internal.log.SegmentManifest;
import io.ferrumdb.internal.log.SegmentScanner;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.SortedSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

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
 */
public final class FerrumDB implements AutoCloseable {
    private static final byte[] EMPTY = new byte[0];

    private final Path dir;
    private final Options options;
    private final FileIO io;
    private final DatabaseDirectory directory;
    private final SegmentFiles files;
    private final KeyDir keyDir;
    private final ConcurrentSkipListMap<Integer, Segment> segments = new ConcurrentSkipListMap<>();
    private final AtomicInteger nextSegmentId;
    private final List<DroppedRange> recoveryReport;
    private final SegmentManifest manifest;
    private final LogWriter writer;
    private final ReentrantLock readOnlyPurgeLock = new ReentrantLock();
    private final LongAdder puts = new LongAdder();
    private final LongAdder deletes = new LongAdder();
    private final LongAdder gets = new LongAdder();
    /** Serializes compactions and backups, which both need a stable set of sealed segments. */
    private final ReentrantLock maintenanceLock = new ReentrantLock();
    private final Compactor compactor;
    private final CompactionPolicy compactionPolicy;
    /** Background compaction; null when read-only or automatic compaction is off. */
    private final CompactionScheduler compactionScheduler;
    private final LongAdder compactions = new LongAdder();
    private final LongAdder reclaimedBytes = new LongAdder();
    private final LongAdder compactionBytesRead = new LongAdder();
    private final LongAdder compactionNanos = new LongAdder();
    private volatile boolean closed;

    private FerrumDB(Path requested, Options options) throws IOException {
        this.dir = requested.toAbsolutePath().normalize();
        this.options = options;
        this.io = options.fileIO();
        this.directory = DatabaseDirectory.lock(io, dir,
                options.readOnly() ? DatabaseDirectory.Access.READ : DatabaseDirectory.Access.WRITE,
                options.createIfMissing(), options.encrypted(), options.readOnly() ? "read-only open" : "open");
        try {
            MetaFile meta = directory.meta();
            CipherSuite ciphers = openCiphers(meta);
            this.files = new SegmentFiles(io, dir, meta.databaseId(), ciphers);
            SortedSet<Integer> listed = meta.hasManifest() ? SegmentManifest.read(files) : null;
            this.manifest = new SegmentManifest(files, listed == null ? List.of() : listed);
            Set<Integer> superseded = finishInterruptedCompaction(meta);
            if (!options.readOnly()) {
                directory.deleteTemporaryFiles();
            }
            SegmentInventory inventory = SegmentInventory.take(files, listed, superseded);
            inventory.requireWhole(files);
            List<Integer> ids = new ArrayList<>(inventory.live());
            if (!options.readOnly()) {
                deleteUnpublishedSegments(inventory.unpublished());
                deleteOrphanHints(ids);
            }
            this.keyDir = new KeyDir(options.orderedKeys(), expectedKeys(ids));
            List<DroppedRange> report = new ArrayList<>();
            long maxSequence = recover(ids, report);
            this.recoveryReport = Collections.unmodifiableList(report);
            int maxId = ids.isEmpty() ? 0 : ids.get(ids.size() - 1);
            for (int id : superseded) {
                maxId = Math.max(maxId, id);
            }
            for (int id : inventory.unpublished()) {
                maxId = Math.max(maxId, id);
            }
            if (!options.readOnly() && (!meta.hasManifest() || !manifest.ids().equals(segments.keySet()))) {
                // Only when it changed: an open that finds nothing to fix writes no file (a full disk opens).
                manifest.replace(segments.keySet());
                if (!meta.hasManifest()) {
                    // A format-1 database gains its MANIFEST first, then the META that says it has one.
                    directory.writeDurably(FileNames.META, meta.upgraded().encode());
                }
            }
            this.nextSegmentId = new AtomicInteger(maxId + 1);
            if (options.readOnly()) {
                this.writer = null;
            } else {
                // The first append creates the active segment: an open that writes nothing creates no file.
                this.writer = new LogWriter(maxSequence, options.fsyncPolicy(), options.segmentSize(),
                        this::newSegment, this::sealSegment, keyDir::applyQueuedOrderedChanges);
            }
            this.compactor = new Compactor(keyDir, files, manifest, segments, nextSegmentId, options.segmentSize(),
                    options.compactionRateLimit(), writer == null ? sequence -> true : writer::mayServe,
                    this::syncBeforeRetiringSegments);
            this.compactionPolicy = new CompactionPolicy(options.compactionThreshold(),
                    options.maxSpaceAmplification(), options.segmentSize());
            this.compactionScheduler = options.readOnly() || !options.autoCompaction() ? null
                    : new CompactionScheduler(compactionPolicy, maintenanceLock, new SchedulerHost(),
                    options.compactionInterval(), "ferrumdb-compactor");
        } catch (CorruptionException e) {
            closeQuietlyAfterFailedOpen(e);
            throw withWayOut(e);
        } catch (IOException | RuntimeException e) {
            closeQuietlyAfterFailedOpen(e);
            throw e;
        }
    }

    /** Damage found at open, with what the operator can do about it. */
    private static CorruptionException withWayOut(CorruptionException e) {
        if (e instanceof MissingSegmentException || e.problem().contains("ferrumdb repair")) {
            return e;
        }
        return new CorruptionException(e.file(), e.offset(), e.problem() + "; 'ferrumdb repair' rewrites the"
                + " damaged files keeping every intact record ('ferrumdb verify' lists the damage)", e);
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
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(options, "options");
        try {
            return new FerrumDB(dir, options);
        } catch (IOException e) {
            throw new FerrumException("could not open database " + dir.toAbsolutePath() + ": " + e, e);
        }
    }

    /**
     * Reads every record of every segment (and every hint file) of the closed database in {@code dir}, checking
     * each checksum and authentication tag, without writing anything. Damage is reported, not thrown; a
     * directory locked by a writer gives {@link DatabaseLockedException}.
     */
    public static VerifyReport verify(Path dir, Options options) {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(options, "options");
        try {
            return Verifier.verify(dir, options);
        } catch (IOException e) {
            throw new FerrumException("could not verify database " + dir.toAbsolutePath() + ": " + e, e);
        }
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
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(options, "options");
        try {
            return Repairer.repair(dir, options);
        } catch (IOException e) {
            throw new FerrumException("could not repair database " + dir.toAbsolutePath() + ": " + e, e);
        }
    }

    // ---------------------------------------------------------------- reads

    /** The value of {@code key}, or null when absent or expired. */
    public byte[] get(byte[] key) {
        Limits.checkKey(key);
        ensureOpen();
        gets.increment();
        RecordCheck.Valid p = readPayload(new Key(key));
        return p == null ? null : p.value();
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
        RecordCheck.Valid p = readPayload(new Key(key));
        if (p == null) {
            return -1;
        }
        int n = p.valueLength();
        if (n <= dst.remaining()) {
            dst.put(p.plain(), p.plainOffset() + p.keyLength(), n);
        }
        return n;
    }

    /** When {@code key} expires, in epoch milliseconds; 0 when it has no TTL, -1 when it is absent or expired. */
    public long expiresAt(byte[] key) {
        Limits.checkKey(key);
        ensureOpen();
        Location loc = keyDir.get(new Key(key));
        if (loc == null || loc.isExpired(now())) {
            return -1;
        }
        return loc.expiresAt();
    }

    public boolean contains(byte[] key) {
        Limits.checkKey(key);
        ensureOpen();
        Location loc = keyDir.get(new Key(key));
        return loc != null && !loc.isExpired(now());
    }

    /** Number of live (unexpired) keys. */
    public long size() {
        ensureOpen();
        purgeExpired();
        return keyDir.size();
    }

    /** Live keys in no particular order, weakly consistent. */
    public Stream<byte[]> keys() {
        ensureOpen();
        purgeExpired();
        Iterator<Map.Entry<Key, Location>> it = keyDir.entries();
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it, Spliterator.NONNULL), false)
                .filter(e -> !e.getValue().isExpired(now()))
                .map(e -> e.getKey().bytes().clone());
    }

    /** Live keys in {@code range}, in key order (descending if reversed), without reading values. */
    public Stream<byte[]> keys(KeyRange range) {
        return liveKeys(range).map(k -> k.bytes().clone());
    }

    public Optional<byte[]> firstKey(KeyRange range) {
        return keys(range).findFirst();
    }

    public Optional<byte[]> lastKey(KeyRange range) {
        Objects.requireNonNull(range, "range");
        return keys(range.reversed()).findFirst();
    }

    public long count(KeyRange range) {
        return liveKeys(range).count();
    }

    /** Iterates the keys and values of {@code range} in key order; requires {@link Options#orderedKeys()}. */
    public RangeIterator iterate(KeyRange range) {
        return new Range(orderedView(range));
    }

    // ---------------------------------------------------------------- writes

    public void put(byte[] key, byte[] value) {
        Limits.checkKey(key);
        Limits.checkValue(value);
        LogWriter.await(append(List.of(putOf(key, value, 0)), this::apply));
    }

    /** Puts a value that expires after {@code ttl} (absolute wall-clock time, kept across reopen). */
    public void put(byte[] key, byte[] value, Duration ttl) {
        Limits.checkKey(key);
        Limits.checkValue(value);
        Limits.checkTtl(ttl);
        LogWriter.await(append(List.of(putOf(key, value, expiresAt(ttl))), this::apply));
    }

    /**
     * Deletes {@code key}; true when a live key was removed. A key whose value has expired but is still on disk
     * gets a tombstone too (returning false), so that no older value of it can come back.
     */
    public boolean delete(byte[] key) {
        Limits.checkKey(key);
        ensureOpen();
        if (keyDir.get(new Key(key)) == null) {
            return false;
        }
        boolean[] removed = new boolean[1];
        LogWriter.await(append(List.of(deleteOf(key)), (a, l) -> removed[0] = applyDelete(a)));
        return removed[0];
    }

    /** Applies every operation of {@code batch}, all or nothing across crashes. */
    public void write(WriteBatch batch) {
        Objects.requireNonNull(batch, "batch");
        if (batch.isEmpty()) {
            ensureOpen();
            return;
        }
        LogWriter.await(append(toAppends(batch), this::apply));
    }

    /** Like {@link #put(byte[], byte[])}; the future completes when the write is durable under the policy. */
    public CompletableFuture<Void> putAsync(byte[] key, byte[] value) {
        Limits.checkKey(key);
        Limits.checkValue(value);
        return async(List.of(putOf(key, value, 0)));
    }

    public CompletableFuture<Void> deleteAsync(byte[] key) {
        Limits.checkKey(key);
        return async(List.of(deleteOf(key)));
    }

    public CompletableFuture<Void> writeAsync(WriteBatch batch) {
        Objects.requireNonNull(batch, "batch");
        if (batch.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return async(toAppends(batch));
    }

    /** Forces every write so far to stable storage, whatever the fsync policy. */
    public void sync() {
        ensureOpen();
        if (writer != null) {
            writer.sync();
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
        ensureWritable();
        maintenanceLock.lock();
        try {
            ensureOpen();
            if (writer.failure() == null) {
                writer.rollAndSync();
            }
            return compactNow(sealedSegments());
        } finally {
            maintenanceLock.unlock();
        }
    }

    /**
     * Writes a consistent, openable copy of the database into {@code target} (a new or empty directory) while
     * writes go on. The copy holds every write acknowledged before the call: the active segment is sealed first,
     * then the sealed segments (immutable) are hard-linked, or copied where links are impossible.
     */
    public void backup(Path target) {
        Objects.requireNonNull(target, "target");
        ensureOpen();
        Path to = target.toAbsolutePath().normalize();
        if (to.equals(dir) || to.startsWith(dir)) {
            throw new IllegalArgumentException("backup target " + to + " must lie outside the database directory");
        }
        maintenanceLock.lock();
        try {
            ensureOpen();
            if (writer != null) {
                writer.rollAndSync();
            }
            BackupWriter.write(directory, sealedSegments(), to, System.currentTimeMillis());
        } catch (IOException e) {
            throw new FerrumException("backup of " + dir + " to " + to + " failed: " + e, e);
        } finally {
            maintenanceLock.unlock();
        }
    }

    private CompactionResult compactNow(List<Segment> inputs) {
        if (inputs.isEmpty()) {
            return CompactionResult.NOTHING;
        }
        long started = System.nanoTime();
        // The compactor copies every record the key directory points at: expired ones must leave it first.
        purgeExpired();
        try {
            Compactor.Outcome o = compactor.compact(inputs);
            compactions.increment();
            reclaimedBytes.add(Math.max(0, o.bytesRead() - o.bytesWritten()));
            compactionBytesRead.add(o.bytesRead());
            compactionNanos.add(System.nanoTime() - started);
            return new CompactionResult(o.segmentsCompacted(), o.bytesRead(), o.bytesWritten(),
                    o.bytesRead() - o.bytesWritten(), Duration.ofNanos(System.nanoTime() - started));
        } catch (IOException e) {
            throw new FerrumException("compaction of " + dir + " failed: " + e, e);
        }
    }

    /** Sealed segments, oldest first: every segment but the active one, once its hint is written. */
    private List<Segment> sealedSegments() {
        int activeId = activeSegmentId();
        List<Segment> out = new ArrayList<>();
        for (Segment s : segments.values()) {
            if (s.id() != activeId && s.isSealed()) {
                out.add(s);
            }
        }
        return out;
    }

    /**
     * Compaction only runs on a writable database; see {@link Compactor#compact} for why it syncs. After a write
     * failure the flusher is gone and the writer refuses to sync, but compaction still runs: it dropped records
     * only for keys whose newest record the writer had written ({@link LogWriter#mayServe}), so forcing the
     * segments not yet sealed makes those records as durable as a sync would.
     */
    private void syncBeforeRetiringSegments() {
        if (writer.failure() == null) {
            writer.sync();
            return;
        }
        try {
            for (Segment s : segments.values()) {
                if (!s.isSealed()) {
                    s.file().force();
                }
            }
        } catch (IOException e) {
            throw new FerrumException("could not make the writes before the write failure durable: " + e, e);
        }
    }

    /**
     * The active segment as the compaction policy sees it, or null for a read-only database and before the first
     * append.
     */
    private CompactionPolicy.Usage activeUsage() {
        if (writer == null) {
            return null;
        }
        Segment active = writer.active();
        if (active == null) {
            // Nothing appended since open: no active segment exists yet.
            return null;
        }
        return new CompactionPolicy.Usage(active.id(), writer.activeLength(), active.liveBytes());
    }

    /** What background compaction may do to this database: every call runs on the compaction thread. */
    private final class SchedulerHost implements CompactionScheduler.Host {
        @Override
        public boolean writable() {
            return writer.failure() == null;
        }

        @Override
        public List<Segment> sealedSegments() {
            return FerrumDB.this.sealedSegments();
        }

        @Override
        public CompactionPolicy.Usage activeUsage() {
            return FerrumDB.this.activeUsage();
        }

        @Override
        public void rollActive() {
            writer.rollAndSync();
        }

        @Override
        public void compact(List<Segment> inputs) {
            compactNow(inputs);
        }
    }

    /** The failure of the last background compaction, or empty when it succeeded (or none ran). */
    public Optional<Throwable> lastCompactionFailure() {
        return Optional.ofNullable(compactionScheduler == null ? null : compactionScheduler.lastFailure());
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
        return recoveryReport;
    }

    public Stats stats() {
        ensureOpen();
        purgeExpired();
        int activeId = activeSegmentId();
        List<Stats.SegmentStats> segs = new ArrayList<>();
        long total = 0;
        long live = 0;
        for (Segment s : segments.values()) {
            long length = s.id() == activeId ? writer.activeLength() : s.writtenLength();
            segs.add(new Stats.SegmentStats(s.id(), length, s.liveBytes(), s.id() == activeId));
            total += length;
            live += s.liveBytes();
        }
        return new Stats(keyDir.size(), List.copyOf(segs), total, live, puts.sum(), deletes.sum(), gets.sum(),
                writer == null ? 0 : writer.fsyncs(), writer == null ? 0 : writer.syncedRecords(), compactions.sum(),
                reclaimedBytes.sum(), writer == null || writer.failure() != null,
                compactionPolicy.pendingBytes(CompactionPolicy.usages(sealedSegments()), activeUsage()), compactionBytesRead.sum(),
                compactionNanos.sum());
    }

    /** Flushes, fsyncs, seals the active segment (writing its hint file) and releases the directory lock. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        Throwable problem = null;
        if (compactionScheduler != null) {
            try {
                compactionScheduler.close(); // waits for a running compaction; may merge small segments
            } catch (RuntimeException e) {
                // The merge left the inputs in place (nothing acknowledged is at risk); close goes on and reports it.
                problem = e;
            }
        }
        maintenanceLock.lock(); // waits for a running backup to finish
        maintenanceLock.unlock();
        if (writer != null) {
            Throwable before = writer.failure();
            Segment active = writer.active();
            boolean activeEmpty = writer.close();
            Throwable after = writer.failure();
            if (after != null && before == null) {
                problem = new ReadOnlyDatabaseException("close could not make all writes durable: " + after, after);
            } else if (activeEmpty && after == null && active != null) {
                try {
                    active.close();
                    segments.remove(active.id());
                    manifest.removeAll(List.of(active.id()));
                    files.delete(active.id());
                    directory.sync();
                } catch (IOException e) {
                    problem = e;
                }
            }
        }
        for (Segment s : segments.values()) {
            try {
                s.close();
            } catch (IOException e) {
                problem = problem == null ? e : problem;
            }
        }
        try {
            directory.close();
        } catch (IOException e) {
            problem = problem == null ? e : problem;
        }
        if (problem instanceof FerrumException fe) {
            throw fe;
        }
        if (problem != null) {
            throw new FerrumException("error closing database " + dir + ": " + problem, problem);
        }
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "FerrumDB[" + dir + "]";
    }

    // ---------------------------------------------------------------- internals: write path

    private static Append putOf(byte[] key, byte[] value, long expiresAt) {
        return new Append(RecordFormat.TYPE_PUT, new Key(key.clone()), value.clone(), expiresAt);
    }

    private static Append deleteOf(byte[] key) {
        return new Append(RecordFormat.TYPE_DELETE, new Key(key.clone()), EMPTY, 0);
    }

    /** One clock reading for the whole batch: equal TTLs in a batch give equal expiry times. */
    private List<Append> toAppends(WriteBatch batch) {
        long now = now();
        List<Append> out = new ArrayList<>(batch.size());
        for (WriteBatch.Operation op : batch.operations()) {
            if (op.isDelete()) {
                out.add(new Append(RecordFormat.TYPE_DELETE, new Key(op.key()), EMPTY, 0));
            } else {
                out.add(new Append(RecordFormat.TYPE_PUT, new Key(op.key()), op.value(),
                        op.ttl() == null ? 0 : expiresAt(op.ttl(), now)));
            }
        }
        return out;
    }

    private void ensureWritable() {
        ensureOpen();
        if (writer == null) {
            throw new ReadOnlyDatabaseException("database " + dir + " was opened read-only", null);
        }
    }

    private CompletableFuture<Void> append(List<Append> appends, LogWriter.Applier applier) {
        ensureWritable();
        CompletableFuture<Void> durable = writer.append(appends, applier);
        for (Append a : appends) {
            (a.type() == RecordFormat.TYPE_PUT ? puts : deletes).increment();
        }
        return durable;
    }

    private CompletableFuture<Void> async(List<Append> appends) {
        try {
            CompletableFuture<Void> durable = append(appends, this::apply);
            return durable == null ? CompletableFuture.completedFuture(null) : durable;
        } catch (FerrumException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Applies one appended record to the key directory; runs under the writer's lock. */
    private void apply(Append a, Location location) {
        if (a.type() == RecordFormat.TYPE_PUT) {
            Location previous = keyDir.put(a.key(), location);
            segment(location).addLiveBytes(location.recordSize());
            release(previous);
        } else {
            applyDelete(a);
        }
    }

    private boolean applyDelete(Append a) {
        Location previous = keyDir.remove(a.key());
        release(previous);
        return previous != null && !previous.isExpired(now());
    }

    private void release(Location previous) {
        if (previous != null) {
            Segment s = segments.get(previous.segmentId());
            if (s != null) {
                s.addLiveBytes(-previous.recordSize());
            }
        }
    }

    private Segment segment(Location location) {
        return segments.get(location.segmentId());
    }

    private long now() {
        return options.clock().millis();
    }

    private long expiresAt(Duration ttl) {
        return expiresAt(ttl, now());
    }

    /** Absolute expiry of a TTL counted from {@code now}; saturates instead of overflowing. */
    private static long expiresAt(Duration ttl, long now) {
        long millis;
        try {
            millis = Math.max(1, ttl.toMillis());
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
        long at = now + millis;
        return at < 0 ? Long.MAX_VALUE : at;
    }

    private void purgeExpired() {
        long now = now();
        if (!keyDir.mayHaveExpired(now)) {
            return;
        }
        Runnable purge = () -> keyDir.purgeExpired(now, (k, loc) -> release(loc));
        if (writer != null) {
            writer.runLocked(purge);
        } else {
            readOnlyPurgeLock.lock();
            try {
                purge.run();
            } finally {
                readOnlyPurgeLock.unlock();
            }
        }
    }

    /** The id of the segment appends go to, or -1 when there is none (read-only, or nothing appended yet). */
    private int activeSegmentId() {
        Segment active = writer == null ? null : writer.active();
        return active == null ? -1 : active.id();
    }

    private Segment newSegment() throws IOException {
        int id = nextSegmentId.getAndIncrement();
        Segment s = files.create(id);
        try {
            manifest.add(id);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        segments.put(id, s);
        return s;
    }

    /**
     * Called by the flusher when a rolled segment is complete and fsynced: write the hint the writer built while
     * appending (the segment is not re-read), then read the segment through a map.
     */
    private void sealSegment(Segment s, HintFile.Builder hint) throws IOException {
        files.writeHint(s, hint);
        s.seal();
        if (compactionScheduler != null) {
            compactionScheduler.segmentSealed();
        }
    }

    // ---------------------------------------------------------------- internals: read path

    /** The verified record of {@code key}'s newest value, or null when the key is absent or expired. */
    private RecordCheck.Valid readPayload(Key key) {
        while (true) {
            Location loc = keyDir.get(key);
            if (loc == null || loc.isExpired(now())) {
                return null;
            }
            RecordCheck.Valid p = readAt(key, loc);
            if (p != null) {
                return p;
            }
        }
    }

    /** The record at {@code loc}, or null when the location moved under us (compaction): look it up again. */
    private RecordCheck.Valid readAt(Key key, Location loc) {
        if (writer != null && !writer.mayServe(loc.sequence())) {
            throw new ReadOnlyDatabaseException("the last write of this key failed before it became durable and is"
                    + " not served (reopen the database to read what is on disk): " + writer.failure(),
                    writer.failure());
        }
        Segment seg = segments.get(loc.segmentId());
        if (seg == null) {
            if (!loc.equals(keyDir.get(key))) {
                return null;
            }
            throw new FerrumException("key directory points at segment " + loc.segmentId() + " which is gone");
        }
        byte[] record;
        try {
            record = readRecord(seg, loc);
        } catch (IOException e) {
            if (!loc.equals(keyDir.get(key))) {
                return null;
            }
            ensureOpen();
            throw new FerrumException("I/O error reading " + seg.path() + " at offset " + loc.offset() + ": " + e, e);
        }
        return verifiedPayload(seg, loc, record, key.bytes());
    }

    private byte[] readRecord(Segment seg, Location loc) throws IOException {
        if (loc.offset() + loc.recordSize() <= seg.writtenLength() || writer == null) {
            return seg.read(loc.offset(), loc.recordSize());
        }
        byte[] unflushed = writer.readUnflushed(seg, loc.offset(), loc.recordSize());
        return unflushed != null ? unflushed : seg.read(loc.offset(), loc.recordSize());
    }

    /** Verifies a record read for {@code key}; any mismatch is corruption, never data. */
    private static RecordCheck.Valid verifiedPayload(Segment seg, Location loc, byte[] rec, byte[] key) {
        RecordCheck.Valid p = RecordReader.open(seg, loc.offset(), rec);
        if (p.type() != RecordFormat.TYPE_PUT || p.sequence() != loc.sequence() || !p.keyEquals(key)) {
            throw new CorruptionException(seg.path(), loc.offset(), "record does not match the key directory");
        }
        return p;
    }

    /** The keys of {@code range} in its order, from the ordered key index. */
    private Iterator<Key> orderedView(KeyRange range) {
        Objects.requireNonNull(range, "range");
        ensureOpen();
        if (!keyDir.isOrdered()) {
            throw new IllegalStateException("range scans need an ordered key index: open the database with "
                    + "Options.builder().orderedKeys(true)");
        }
        if (range.isEmpty()) {
            return Collections.emptyIterator();
        }
        return keyDir.orderedKeys(range.fromUnsafe(), range.toUnsafe(), range.isReversed());
    }

    private Stream<Key> liveKeys(KeyRange range) {
        Iterator<Key> view = orderedView(range);
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(view, Spliterator.ORDERED
                | Spliterator.NONNULL), false).filter(k -> {
            Location loc = keyDir.get(k);
            return loc != null && !loc.isExpired(now());
        });
    }

    private final class Range implements RangeIterator {
        private final Iterator<Key> keys;
        private KeyValue next;
        private boolean closedIterator;

        Range(Iterator<Key> keys) {
            this.keys = keys;
        }

        @Override
        public boolean hasNext() {
            if (closedIterator) {
                throw new IllegalStateException("iterator is closed");
            }
            while (next == null && keys.hasNext()) {
                Key k = keys.next();
                ensureOpen();
                RecordCheck.Valid p = readPayload(k);
                if (p != null) {
                    next = new KeyValue(k.bytes().clone(), p.value());
                }
            }
            return next != null;
        }

        @Override
        public KeyValue next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            KeyValue kv = next;
            next = null;
            return kv;
        }

        @Override
        public void close() {
            closedIterator = true;
        }
    }

    // ---------------------------------------------------------------- internals: open and recovery

    private void ensureOpen() {
        if (closed) {
            throw new DatabaseClosedException("database " + dir);
        }
    }

    private void closeQuietlyAfterFailedOpen(Throwable cause) {
        for (Segment s : segments.values()) {
            try {
                s.close();
            } catch (IOException e) {
                cause.addSuppressed(e);
            }
        }
        try {
            directory.close();
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }

    // ---------------------------------------------------------------- encryption (SECURITY.md)

    /**
     * Checks the key or passphrase against META and KEY and returns the database's ciphers; runs before anything
     * is written or any record read, so a wrong, missing or superfluous key fails the open at once.
     */
    private CipherSuite openCiphers(MetaFile meta) throws IOException {
        try (Secret secret = options.secret()) {
            return Keyring.open(io, dir, meta, secret, !options.readOnly() && directory.segmentIds().isEmpty());
        }
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
        Path d = dir.toAbsolutePath().normalize();
        try (Secret oldSecret = Secret.passphrase(oldPassphrase);
             Secret newSecret = Secret.passphrase(newPassphrase)) {
            try (DatabaseDirectory locked = DatabaseDirectory.lock(io, d, DatabaseDirectory.Access.WRITE, false,
                    false, "passphrase change")) {
                Keyring.rewrap(io, d, locked.meta(), oldSecret, newSecret);
            }
        } catch (IOException e) {
            throw new FerrumException("could not complete the passphrase change of " + d
                    + " (either the old or the new passphrase opens it now): " + e, e);
        }
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
        ensureWritable();
        maintenanceLock.lock();
        try (Secret secret = options.secret()) {
            ensureOpen();
            if (secret == null) {
                throw new EncryptionKeyException("database " + dir + " is not encrypted");
            }
            Keyring.addDataKey(io, dir, files.ciphers(), files.databaseId(), secret);
            writer.rollAndSync(true);
            compactNow(sealedSegments());
            int remaining = Keyring.retireDataKeys(io, dir, files.ciphers(), files.databaseId(), secret,
                    segments.firstKey());
            if (remaining != 1) {
                throw new FerrumException("data-key rotation of " + dir + " left " + remaining + " data keys in"
                        + " use: segment " + segments.firstKey() + " was not rewritten");
            }
        } catch (IOException e) {
            throw new FerrumException("data-key rotation of " + dir + " failed: " + e, e);
        } finally {
            maintenanceLock.unlock();
        }
    }

    // ---------------------------------------------------------------- end of encryption

    /** Deletes files that hold nothing acknowledged and were never listed (see {@link SegmentInventory}). */
    private void deleteUnpublishedSegments(List<Integer> unpublished) throws IOException {
        for (int id : unpublished) {
            files.delete(id);
        }
        if (!unpublished.isEmpty()) {
            io.syncDirectory(dir);
        }
    }

    /**
     * Loads every segment into the key directory, oldest first: from its hint file when one describes the
     * segment as it is, else by scanning it (and then writing the hint). Only the newest segment may end in a
     * torn write, which is truncated. Returns the highest sequence number seen.
     */
    private long recover(List<Integer> ids, List<DroppedRange> report) throws IOException {
        Map<Key, Long> tombstones = new java.util.HashMap<>();
        long[] maxSequence = {0};
        List<Scanned> scanned = new ArrayList<>();
        for (int id : ids) {
            Segment seg = openForRecovery(id, report);
            if (seg == null) {
                continue;
            }
            segments.put(id, seg);
            boolean hadHint = io.exists(files.hintPath(id));
            List<HintFile.Entry> entries = options.salvage() ? null : readHintOrNull(seg, report);
            if (entries != null) {
                seg.seal();
                load(seg, entries, tombstones, maxSequence);
                continue;
            }
            // Only a segment that was never sealed (no hint was ever written for it) can end in a torn write:
            // sealed segments were fsynced before their hint, and compaction outputs before their rename.
            SegmentScanner.Mode mode = options.salvage() ? SegmentScanner.Mode.SALVAGE
                    : hadHint || seg.header().compacted() ? SegmentScanner.Mode.STRICT : SegmentScanner.Mode.TAIL;
            scanned.add(new Scanned(seg, hadHint, SegmentScanner.scan(seg.file(), seg.writtenLength(), seg.cipher(),
                    mode)));
        }
        rejectTornTailsBeforeRecords(scanned);
        for (Scanned sc : scanned) {
            List<HintFile.Entry> entries = SegmentFiles.entries(sc.result().records());
            report.addAll(sc.result().dropped());
            if (keepScannedSegment(sc, entries)) {
                sc.segment().seal();
                load(sc.segment(), entries, tombstones, maxSequence);
            }
        }
        keyDir.forEachLocation(loc -> segments.get(loc.segmentId()).addLiveBytes(loc.recordSize()));
        purgeExpired();
        keyDir.buildOrderedIndex();
        return maxSequence[0];
    }

    /** A segment read record by record at open, because no trusted hint described it. */
    private record Scanned(Segment segment, boolean hadHint, SegmentScanner.Result result) {
        boolean torn() {
            return result.validLength() < segment.writtenLength();
        }
    }

    /**
     * A torn write can only end the log. The flusher fsyncs the end of a segment before it writes any byte of the
     * next one, so a writer segment whose end is damaged while a later writer segment holds records was damaged
     * at rest: corruption, not a crash. (Compaction outputs have higher numbers but old records; they don't count.)
     */
    private void rejectTornTailsBeforeRecords(List<Scanned> scanned) {
        if (options.salvage()) {
            return;
        }
        boolean laterRecords = false;
        for (Segment s : segments.descendingMap().values()) {
            if (s.header().compacted()) {
                continue;
            }
            Scanned sc = scanned.stream().filter(x -> x.segment() == s).findFirst().orElse(null);
            if (sc != null && sc.torn() && laterRecords) {
                DroppedRange d = sc.result().dropped().get(0);
                throw new CorruptionException(s.path(), d.offset(), d.reason()
                        + "; later segments hold records, so this is not a torn tail");
            }
            if (sc == null ? s.maxSequence() > 0 : !sc.result().records().isEmpty()) {
                laterRecords = true;
            }
        }
    }

    /**
     * Makes a scanned segment's state durable: truncates a torn tail (fsynced), deletes a segment that holds no
     * records, writes the missing hint. Returns false when the segment was deleted. A read-only open writes
     * nothing and only hides the torn tail.
     */
    private boolean keepScannedSegment(Scanned sc, List<HintFile.Entry> entries) throws IOException {
        Segment seg = sc.segment();
        if (sc.torn() && !options.readOnly()) {
            seg.file().truncate(sc.result().validLength());
            seg.file().force();
        }
        if (sc.torn()) {
            seg.truncatedTo(sc.result().validLength());
        }
        if (options.readOnly()) {
            return true;
        }
        if (entries.isEmpty() && !sc.hadHint() && !seg.header().compacted()) {
            segments.remove(seg.id());
            manifest.removeAll(List.of(seg.id()));
            seg.close();
            files.delete(seg.id());
            directory.sync();
            return false;
        }
        files.writeHint(seg, entries);
        return true;
    }

    private void load(Segment seg, List<HintFile.Entry> entries, Map<Key, Long> tombstones, long[] maxSequence) {
        for (HintFile.Entry e : entries) {
            maxSequence[0] = Math.max(maxSequence[0], e.sequence());
            seg.noteSequences(e.sequence(), e.sequence());
            loadEntry(seg, e, tombstones);
        }
    }

    private void loadEntry(Segment seg, HintFile.Entry e, Map<Key, Long> tombstones) {
        Key key = new Key(e.key());
        Location current = keyDir.get(key);
        Long deletedAt = tombstones.get(key);
        long newest = Math.max(current == null ? 0 : current.sequence(), deletedAt == null ? 0 : deletedAt);
        if (e.sequence() <= newest) {
            return;
        }
        if (e.type() == RecordFormat.TYPE_PUT) {
            keyDir.load(key, new Location(seg.id(), e.offset(), e.recordSize(), e.sequence(), e.expiresAt()));
            if (deletedAt != null) {
                tombstones.remove(key);
            }
        } else {
            keyDir.unload(key);
            tombstones.put(key, e.sequence());
        }
    }

    /** Opens a segment; one whose header was torn while it was being created (never sealed) is discarded. */
    private Segment openForRecovery(int id, List<DroppedRange> report) throws IOException {
        try {
            return files.open(id, !options.readOnly());
        } catch (CorruptionException e) {
            long size = files.size(files.dataPath(id));
            if (size <= SegmentHeader.SIZE && !io.exists(files.hintPath(id))) {
                report.add(new DroppedRange(files.dataPath(id), 0, size, DroppedRange.Kind.TORN_TAIL,
                        "segment header torn while the segment was created; file deleted"));
                if (!options.readOnly()) {
                    manifest.removeAll(List.of(id));
                    files.delete(id);
                    directory.sync();
                }
                return null;
            }
            throw e;
        }
    }

    private List<HintFile.Entry> readHintOrNull(Segment seg, List<DroppedRange> report) throws IOException {
        try {
            return files.readHint(seg);
        } catch (CorruptionException e) {
            if (!e.file().equals(files.hintPath(seg.id()))) {
                throw e;
            }
            // A damaged hint is never trusted: the segment is scanned and the hint rewritten.
            report.add(new DroppedRange(files.hintPath(seg.id()), e.offset(), 0, DroppedRange.Kind.DAMAGED_HINT,
                    "damaged hint file rebuilt from its segment: " + e.getMessage()));
            return null;
        }
    }

    /** Completes the deletions of a compaction that crashed after publishing its outputs; returns their ids. */
    private Set<Integer> finishInterruptedCompaction(MetaFile meta) throws IOException {
        Path journal = directory.file(FileNames.COMPACTION);
        if (!io.exists(journal)) {
            return Set.of();
        }
        Set<Integer> ids = new HashSet<>(CompactionJournal.decode(directory.readAll(FileNames.COMPACTION, 1 << 24),
                journal, meta.databaseId(), meta.version()));
        if (!options.readOnly()) {
            if (meta.hasManifest()) {
                manifest.removeAll(ids);
            }
            for (int id : ids) {
                files.delete(id);
            }
            directory.sync();
            io.delete(journal);
            directory.sync();
        }
        return ids;
    }

    /**
     * A size for the key directory from the hint files (an entry is at least 32 bytes), so that loading a large
     * database does not rehash the map a dozen times as it grows.
     */
    private int expectedKeys(List<Integer> ids) throws IOException {
        long hintBytes = 0;
        for (int id : ids) {
            Path hint = files.hintPath(id);
            if (io.exists(hint)) {
                hintBytes += files.size(hint);
            }
        }
        return (int) Math.min(1 << 28, Math.max(1024, hintBytes / (HintFile.ENTRY_FIXED_SIZE + 8)));
    }

    /** Deletes hint files whose segment is gone (left by a crash during compaction). */
    private void deleteOrphanHints(List<Integer> segmentIds) throws IOException {
        Set<String> wanted = new HashSet<>();
        for (int id : segmentIds) {
            wanted.add(FileNames.hint(id));
        }
        boolean any = false;
        for (Path p : io.list(dir)) {
            String name = p.getFileName().toString();
            if (FileNames.isHint(name) && !wanted.contains(name)) {
                io.delete(p);
                any = true;
            }
        }
        if (any) {
            directory.sync();
        }
    }
}
