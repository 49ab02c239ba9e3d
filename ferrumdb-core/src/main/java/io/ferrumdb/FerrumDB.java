package io.ferrumdb;

import io.ferrumdb.internal.format.CipherSuite;
import io.ferrumdb.internal.format.HintFile;
import io.ferrumdb.internal.format.MetaFile;
import io.ferrumdb.internal.format.PayloadCipher;
import io.ferrumdb.internal.format.RecordFormat;
import io.ferrumdb.internal.format.SegmentHeader;
import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.io.StorageFile;
import io.ferrumdb.internal.keydir.Key;
import io.ferrumdb.internal.keydir.KeyDir;
import io.ferrumdb.internal.keydir.Location;
import io.ferrumdb.internal.log.LogWriter;
import io.ferrumdb.internal.log.LogWriter.Append;
import io.ferrumdb.internal.log.Segment;
import io.ferrumdb.internal.log.SegmentFiles;
import io.ferrumdb.internal.log.SegmentScanner;
import java.io.IOException;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
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
    private static final String LOCK_FILE = "LOCK";
    private static final byte[] EMPTY = new byte[0];

    private final Path dir;
    private final Options options;
    private final FileIO io;
    private final StorageFile lockFile;
    private final FileLock lock;
    private final SegmentFiles files;
    private final KeyDir keyDir;
    private final ConcurrentSkipListMap<Integer, Segment> segments = new ConcurrentSkipListMap<>();
    private final AtomicInteger nextSegmentId;
    private final List<DroppedRange> recoveryReport;
    private final LogWriter writer;
    private final ReentrantLock readOnlyPurgeLock = new ReentrantLock();
    private final LongAdder puts = new LongAdder();
    private final LongAdder deletes = new LongAdder();
    private final LongAdder gets = new LongAdder();
    private volatile boolean closed;

    private FerrumDB(Path directory, Options options) throws IOException {
        this.dir = directory.toAbsolutePath().normalize();
        this.options = options;
        this.io = options.fileIO();
        if (!io.exists(dir)) {
            if (options.readOnly()) {
                throw new FerrumException("no database at " + dir + " (read-only open does not create one)");
            }
            io.createDirectories(dir);
        }
        this.lockFile = openLockFile();
        FileLock acquired = null;
        try {
            acquired = acquireLock();
            this.lock = acquired;
            MetaFile meta = loadOrCreateMeta();
            CipherSuite ciphers = CipherSuite.PLAINTEXT;
            this.files = new SegmentFiles(io, dir, meta.databaseId(), ciphers);
            if (!options.readOnly()) {
                deleteTemporaryFiles();
            }
            List<Integer> ids = segmentIds();
            int expected = 1024;
            this.keyDir = new KeyDir(options.orderedKeys(), expected);
            List<DroppedRange> report = new ArrayList<>();
            long maxSequence = recover(ids, report);
            this.recoveryReport = Collections.unmodifiableList(report);
            this.nextSegmentId = new AtomicInteger(ids.isEmpty() ? 1 : ids.get(ids.size() - 1) + 1);
            if (options.readOnly()) {
                this.writer = null;
            } else {
                Segment active = newSegment();
                this.writer = new LogWriter(active, maxSequence, options.fsyncPolicy(), options.segmentSize(),
                        this::newSegment, this::sealSegment);
            }
        } catch (IOException | RuntimeException e) {
            closeQuietlyAfterFailedOpen(acquired, e);
            throw e;
        }
    }

    /** Opens (creating if missing) the database in {@code dir} with default options. */
    public static FerrumDB open(Path dir) {
        return open(dir, Options.defaults());
    }

    /** Opens (creating if missing, unless read-only) the database in {@code dir}. */
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

    // ---------------------------------------------------------------- reads

    /** The value of {@code key}, or null when absent or expired. */
    public byte[] get(byte[] key) {
        Limits.checkKey(key);
        ensureOpen();
        gets.increment();
        return readValue(new Key(key));
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
        return new Range(orderedView(range).iterator());
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

    /** Deletes {@code key}; true when a live key was removed. */
    public boolean delete(byte[] key) {
        Limits.checkKey(key);
        ensureOpen();
        Location loc = keyDir.get(new Key(key));
        if (loc == null || loc.isExpired(now())) {
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
        int activeId = writer == null ? -1 : writer.active().id();
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
                writer == null ? 0 : writer.fsyncs(), writer == null ? 0 : writer.syncedRecords(), 0, 0,
                writer == null || writer.failure() != null);
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
        if (writer != null) {
            Throwable before = writer.failure();
            Segment active = writer.active();
            boolean activeEmpty = writer.close();
            Throwable after = writer.failure();
            if (after != null && before == null) {
                problem = new ReadOnlyDatabaseException("close could not make all writes durable: " + after, after);
            } else if (activeEmpty && after == null) {
                try {
                    active.close();
                    segments.remove(active.id());
                    files.delete(active.id());
                    io.syncDirectory(dir);
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
            lock.release();
            lockFile.close();
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

    private List<Append> toAppends(WriteBatch batch) {
        List<Append> out = new ArrayList<>(batch.size());
        for (WriteBatch.Operation op : batch.operations()) {
            if (op.isDelete()) {
                out.add(new Append(RecordFormat.TYPE_DELETE, new Key(op.key()), EMPTY, 0));
            } else {
                out.add(new Append(RecordFormat.TYPE_PUT, new Key(op.key()), op.value(),
                        op.ttl() == null ? 0 : expiresAt(op.ttl())));
            }
        }
        return out;
    }

    private CompletableFuture<Void> append(List<Append> appends, LogWriter.Applier applier) {
        ensureOpen();
        if (writer == null) {
            throw new ReadOnlyDatabaseException("database " + dir + " was opened read-only", null);
        }
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
        long millis;
        try {
            millis = Math.max(1, ttl.toMillis());
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
        long at = now() + millis;
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

    private Segment newSegment() throws IOException {
        int id = nextSegmentId.getAndIncrement();
        Segment s = files.create(id);
        segments.put(id, s);
        return s;
    }

    /** Called by the flusher when a rolled segment is complete: write its hint, then read it through a map. */
    private void sealSegment(Segment s) throws IOException {
        SegmentScanner.Result r = SegmentScanner.scan(s.file(), s.writtenLength(), s.cipher(),
                SegmentScanner.Mode.STRICT);
        files.writeHint(s, SegmentFiles.entries(r.records()));
        s.seal();
    }

    // ---------------------------------------------------------------- internals: read path

    private byte[] readValue(Key key) {
        while (true) {
            Location loc = keyDir.get(key);
            if (loc == null || loc.isExpired(now())) {
                return null;
            }
            byte[] value = readAt(key, loc);
            if (value != null) {
                return value;
            }
        }
    }

    /** The value at {@code loc}, or null when the location moved under us (compaction): look it up again. */
    private byte[] readAt(Key key, Location loc) {
        Segment seg = segments.get(loc.segmentId());
        if (seg == null) {
            if (keyDir.get(key) != loc) {
                return null;
            }
            throw new FerrumException("key directory points at segment " + loc.segmentId() + " which is gone");
        }
        byte[] record;
        try {
            record = readRecord(seg, loc);
        } catch (IOException e) {
            if (keyDir.get(key) != loc) {
                return null;
            }
            ensureOpen();
            throw new FerrumException("I/O error reading " + seg.path() + " at offset " + loc.offset() + ": " + e, e);
        }
        return decodeValue(seg, loc, record, key.bytes());
    }

    private byte[] readRecord(Segment seg, Location loc) throws IOException {
        if (loc.offset() + loc.recordSize() <= seg.writtenLength() || writer == null) {
            return seg.read(loc.offset(), loc.recordSize());
        }
        byte[] unflushed = writer.readUnflushed(seg, loc.offset(), loc.recordSize());
        return unflushed != null ? unflushed : seg.read(loc.offset(), loc.recordSize());
    }

    /** Verifies a record read for {@code key} and returns its value; any mismatch is corruption, never data. */
    private static byte[] decodeValue(Segment seg, Location loc, byte[] rec, byte[] key) {
        int size = rec.length;
        if (!RecordFormat.crcMatches(rec, 0, size)) {
            throw new CorruptionException(seg.path(), loc.offset(), "record checksum mismatch");
        }
        PayloadCipher cipher = seg.cipher();
        int keyLength = RecordFormat.keyLength(rec, 0);
        int valueLength = RecordFormat.valueLength(rec, 0);
        if (RecordFormat.headerProblem(rec, 0) != null || RecordFormat.type(rec, 0) != RecordFormat.TYPE_PUT
                || RecordFormat.sequence(rec, 0) != loc.sequence() || keyLength != key.length
                || RecordFormat.recordSize(rec, 0, cipher) != size) {
            throw new CorruptionException(seg.path(), loc.offset(), "record does not match the key directory");
        }
        int payload = RecordFormat.HEADER_SIZE;
        byte[] plain = rec;
        if (!cipher.isPlaintext()) {
            plain = new byte[keyLength + valueLength];
            payload = 0;
            if (!cipher.open(loc.offset(), rec, RecordFormat.AAD_OFFSET, RecordFormat.AAD_LENGTH,
                    RecordFormat.HEADER_SIZE, size - RecordFormat.HEADER_SIZE, plain, 0)) {
                throw new CorruptionException(seg.path(), loc.offset(), "record fails authentication");
            }
        }
        if (!Arrays.equals(plain, payload, payload + keyLength, key, 0, keyLength)) {
            throw new CorruptionException(seg.path(), loc.offset(), "record holds a different key");
        }
        return Arrays.copyOfRange(plain, payload + keyLength, payload + keyLength + valueLength);
    }

    private NavigableSet<Key> orderedView(KeyRange range) {
        Objects.requireNonNull(range, "range");
        ensureOpen();
        if (!keyDir.isOrdered()) {
            throw new IllegalStateException("range scans need an ordered key index: open the database with "
                    + "Options.builder().orderedKeys(true)");
        }
        if (range.isEmpty()) {
            return Collections.emptyNavigableSet();
        }
        NavigableSet<Key> s = keyDir.orderedKeys();
        byte[] from = range.fromUnsafe();
        byte[] to = range.toUnsafe();
        if (from != null && to != null) {
            s = s.subSet(new Key(from), true, new Key(to), false);
        } else if (from != null) {
            s = s.tailSet(new Key(from), true);
        } else if (to != null) {
            s = s.headSet(new Key(to), false);
        }
        return range.isReversed() ? s.descendingSet() : s;
    }

    private Stream<Key> liveKeys(KeyRange range) {
        NavigableSet<Key> view = orderedView(range);
        return view.stream().filter(k -> {
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
                byte[] value = readValue(k);
                if (value != null) {
                    next = new KeyValue(k.bytes().clone(), value);
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

    private StorageFile openLockFile() throws IOException {
        Path path = dir.resolve(LOCK_FILE);
        if (options.readOnly()) {
            if (!io.exists(path)) {
                throw new FerrumException("no database at " + dir + " (no LOCK file)");
            }
            return io.open(path, false);
        }
        try {
            return io.create(path);
        } catch (FileAlreadyExistsException e) {
            return io.open(path, true);
        }
    }

    private FileLock acquireLock() throws IOException {
        FileLock l;
        try {
            l = lockFile.tryLock(options.readOnly());
        } catch (OverlappingFileLockException e) {
            lockFile.close();
            throw new DatabaseLockedException(dir, e);
        }
        if (l == null) {
            lockFile.close();
            throw new DatabaseLockedException(dir, null);
        }
        return l;
    }

    private void closeQuietlyAfterFailedOpen(FileLock acquired, Throwable cause) {
        for (Segment s : segments.values()) {
            try {
                s.close();
            } catch (IOException e) {
                cause.addSuppressed(e);
            }
        }
        try {
            if (acquired != null) {
                acquired.release();
            }
            lockFile.close();
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }

    private MetaFile loadOrCreateMeta() throws IOException {
        Path path = dir.resolve(MetaFile.NAME);
        if (io.exists(path)) {
            SegmentFiles reader = new SegmentFiles(io, dir, new byte[16], CipherSuite.PLAINTEXT);
            return MetaFile.decode(reader.readAll(path, MetaFile.SIZE), path);
        }
        if (options.readOnly()) {
            throw new FerrumException("no database at " + dir + " (no META file)");
        }
        for (Path p : io.list(dir)) {
            if (Segment.parseId(p.getFileName().toString()) >= 0) {
                throw new CorruptionException(path, 0, "META file is missing but segment files exist");
            }
        }
        byte[] id = new byte[16];
        new SecureRandom().nextBytes(id);
        MetaFile meta = new MetaFile(id, false, System.currentTimeMillis());
        SegmentFiles writerFiles = new SegmentFiles(io, dir, id, CipherSuite.PLAINTEXT);
        writerFiles.writeDurably(dir.resolve(MetaFile.NAME + SegmentFiles.TMP_SUFFIX), path, meta.encode());
        return meta;
    }

    private void deleteTemporaryFiles() throws IOException {
        boolean any = false;
        for (Path p : io.list(dir)) {
            if (p.getFileName().toString().endsWith(SegmentFiles.TMP_SUFFIX)) {
                io.delete(p);
                any = true;
            }
        }
        if (any) {
            io.syncDirectory(dir);
        }
    }

    private List<Integer> segmentIds() throws IOException {
        List<Integer> ids = new ArrayList<>();
        for (Path p : io.list(dir)) {
            long id = Segment.parseId(p.getFileName().toString());
            if (id > 0 && id <= Integer.MAX_VALUE) {
                ids.add((int) id);
            }
        }
        Collections.sort(ids);
        return ids;
    }

    /**
     * Loads every segment into the key directory, oldest first: from its hint file when one describes the
     * segment as it is, else by scanning it (and then writing the hint). Only the newest segment may end in a
     * torn write, which is truncated. Returns the highest sequence number seen.
     */
    private long recover(List<Integer> ids, List<DroppedRange> report) throws IOException {
        Map<Key, Long> tombstones = new java.util.HashMap<>();
        long maxSequence = 0;
        for (int i = 0; i < ids.size(); i++) {
            int id = ids.get(i);
            boolean newest = i == ids.size() - 1;
            Segment seg = openForRecovery(id, newest);
            if (seg == null) {
                continue;
            }
            segments.put(id, seg);
            List<HintFile.Entry> entries = options.salvage() ? null : readHintOrNull(seg, report);
            if (entries == null) {
                entries = scanForRecovery(seg, newest, report);
            }
            if (newest && entries.isEmpty() && !options.readOnly()) {
                segments.remove(id);
                seg.close();
                files.delete(id);
                io.syncDirectory(dir);
                continue;
            }
            seg.seal();
            for (HintFile.Entry e : entries) {
                maxSequence = Math.max(maxSequence, e.sequence());
                seg.noteSequences(e.sequence(), e.sequence());
                loadEntry(seg, e, tombstones);
            }
        }
        for (Iterator<Map.Entry<Key, Location>> it = keyDir.entries(); it.hasNext(); ) {
            Location loc = it.next().getValue();
            segments.get(loc.segmentId()).addLiveBytes(loc.recordSize());
        }
        purgeExpired();
        return maxSequence;
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
            keyDir.put(key, new Location(seg.id(), e.offset(), e.recordSize(), e.sequence(), e.expiresAt()));
            if (deletedAt != null) {
                tombstones.remove(key);
            }
        } else {
            keyDir.remove(key);
            tombstones.put(key, e.sequence());
        }
    }

    /** Opens a segment; a newest segment whose header was torn while it was being created is discarded. */
    private Segment openForRecovery(int id, boolean newest) throws IOException {
        try {
            return files.open(id, !options.readOnly());
        } catch (CorruptionException e) {
            Path path = files.dataPath(id);
            long size;
            try (StorageFile f = io.open(path, false)) {
                size = f.size();
            }
            if (newest && size <= SegmentHeader.SIZE) {
                if (!options.readOnly()) {
                    files.delete(id);
                    io.syncDirectory(dir);
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
            // A damaged hint is never trusted: the segment is scanned and the hint rewritten.
            report.add(new DroppedRange(files.hintPath(seg.id()), e.offset(), 0,
                    "damaged hint file rebuilt from its segment: " + e.getMessage()));
            return null;
        }
    }

    private List<HintFile.Entry> scanForRecovery(Segment seg, boolean newest, List<DroppedRange> report)
            throws IOException {
        SegmentScanner.Mode mode = options.salvage() ? SegmentScanner.Mode.SALVAGE
                : newest ? SegmentScanner.Mode.TAIL : SegmentScanner.Mode.STRICT;
        SegmentScanner.Result r = SegmentScanner.scan(seg.file(), seg.writtenLength(), seg.cipher(), mode);
        report.addAll(r.dropped());
        if (r.validLength() < seg.writtenLength() && !options.readOnly()) {
            seg.file().truncate(r.validLength());
            seg.file().force();
        }
        // After a torn tail, nothing past the last good record may be read, read-only or not.
        truncateView(seg, r.validLength());
        List<HintFile.Entry> entries = SegmentFiles.entries(r.records());
        if (!options.readOnly() && !(newest && entries.isEmpty())) {
            files.writeHint(seg, entries);
        }
        return entries;
    }

    private static void truncateView(Segment seg, long validLength) {
        if (validLength < seg.writtenLength()) {
            seg.truncatedTo(validLength);
        }
    }
}
