package io.ferrumdb.internal.log;

import io.ferrumdb.CorruptionException;
import io.ferrumdb.FerrumException;
import io.ferrumdb.MemoryRead;
import io.ferrumdb.ReadOnlyDatabaseException;
import io.ferrumdb.ReadRetriesExhaustedException;
import io.ferrumdb.internal.format.RecordFormat;
import io.ferrumdb.internal.keydir.Key;
import io.ferrumdb.internal.keydir.KeyDir;
import io.ferrumdb.internal.keydir.SlotProbe;
import io.ferrumdb.internal.keydir.Location;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * The read path: key → location → verified record. One lock-free lookup, then one copy from the segment's memory
 * map (sealed), from the active segment's map of its written bytes ({@link Segment#readWritten}: no lock, no
 * system call), from the writer's chunks (not yet written, or written recently) or else a positional read; the
 * record must verify ({@link RecordReader}), be a PUT and carry the looked-up key, else it is corruption, never
 * data. Records are never rewritten in place, so the location itself says which record of the key it is: no
 * sequence number is compared.
 *
 * <p>{@link #readValue(byte[])} and {@link #readValue(byte[], ByteBuffer)} look the key up into a per-thread holder
 * ({@link KeyDir#find}: no Key, no Location), copy the record into a per-thread buffer and check a plaintext record
 * there without allocating: a GET allocates only the value it returns ({@code get(key, dst)} nothing).
 *
 * <p>A read races compaction: between the lookup and the read, compaction may copy the record and retire its
 * segment. The read then finds the segment gone (or its file unreadable) while the key directory names a new
 * location, and looks the key up again. Retries are bounded, as in Bitcask and HaloDB: each one needs a whole
 * compaction to retire the segment of the freshly looked-up location in between, so {@link #MAX_ATTEMPTS} in a
 * row means something is wrong, and the read fails with {@link ReadRetriesExhaustedException} naming the key.
 *
 * <p>{@link #readValueIfInMemory} is the same read with no disk I/O (RocksDB's {@code kBlockCacheTier} read): it
 * copies from the writer's chunks, or from a sealed segment's map once {@link Segment#isResident} says the record's
 * pages are in memory, and otherwise answers {@link MemoryRead#NOT_IN_MEMORY} instead of a positional read; so it
 * does where it would look the key up again after compaction moved the record (a rare race, left to get).
 */
public final class ReadPath {
    /** Lookups one read makes at most; see the class comment. */
    public static final int MAX_ATTEMPTS = 8;
    /** Records up to this size are read into the thread's reused buffer; larger ones into an array of their own. */
    private static final int MAX_SCRATCH = 64 << 10;
    /**
     * The thread's record buffer for {@link #readValue}: its contents are used only until that method returns (no
     * call re-enters the read path in between), so one buffer a thread serves every database.
     */
    private static final ThreadLocal<RecordBuffer> SCRATCH = new Scratch();
    /**
     * How long a memory-only read waits for the writer's lock before answering not in memory: longer than appends and
     * the flusher hold it (microseconds), shorter than a roll does (fsyncs), well under an event loop's millisecond.
     */
    static final long LOCK_WAIT_NANOS = 200_000;
    /** {@link #locateValue}'s answer when a memory-only read would need disk I/O; compared by identity only. */
    private static final RecordBuffer NOT_IN_MEMORY = new RecordBuffer();
    /** {@link #fetch}'s answer when a memory-only read would need disk I/O; compared by identity, never read. */
    private static final Segment NOT_RESIDENT = new Segment(-1, null, null, null, null, 0);

    /**
     * The key directory's lock-free lookups into a caller-owned holder: {@link KeyDir#find} (keys compared), and for
     * GETs the candidate probe of {@link KeyDir#firstCandidate}, whose key compare the read makes against the record.
     * The defaults make every found entry the key's own (a lookup that compares keys itself: tests).
     */
    @FunctionalInterface
    public interface Lookup {
        /** Fills {@code into} with the entry of {@code key} and returns true, or returns false when it is absent. */
        boolean find(byte[] key, SlotProbe into);

        /** {@link KeyDir#firstCandidate}: an entry that may be {@code key}'s (hash bits match), or false. */
        default boolean firstCandidate(byte[] key, SlotProbe into) {
            return find(key, into);
        }

        /** {@link KeyDir#nextCandidate}: the next possible entry of the key after the candidate {@code p}. */
        default boolean nextCandidate(SlotProbe p) {
            return false;
        }

        /** {@link KeyDir#isKey}: true when the candidate {@code p} is {@code key}'s entry. */
        default boolean isKey(byte[] key, SlotProbe p) {
            return true;
        }

        /** The lookups of {@code dir}. */
        static Lookup of(KeyDir dir) {
            return new Lookup() {
                @Override
                public boolean find(byte[] key, SlotProbe into) {
                    return dir.find(key, into);
                }

                @Override
                public boolean firstCandidate(byte[] key, SlotProbe into) {
                    return dir.firstCandidate(key, into);
                }

                @Override
                public boolean nextCandidate(SlotProbe p) {
                    return dir.nextCandidate(p);
                }

                @Override
                public boolean isKey(byte[] key, SlotProbe p) {
                    return dir.isKey(key, p);
                }
            };
        }
    }

    private final Lookup lookup;
    private final SegmentSet segments;
    private final LogWriter writer;
    private final LongSupplier clock;
    private final Runnable ensureOpen;

    /**
     * @param lookup     the key directory's lock-free lookup
     * @param writer     the log writer, or null for a read-only database
     * @param clock      wall-clock milliseconds, for expiry
     * @param ensureOpen throws when the database was closed (an I/O error after close is reported as such)
     */
    public ReadPath(Lookup lookup, SegmentSet segments, LogWriter writer, LongSupplier clock,
                    Runnable ensureOpen) {
        this.lookup = lookup;
        this.segments = segments;
        this.writer = writer;
        this.clock = clock;
        this.ensureOpen = ensureOpen;
    }

    /**
     * The verified record of {@code key}'s newest value, or null when the key is absent or expired.
     *
     * @throws CorruptionException           when the record does not verify or does not match the key directory
     * @throws ReadOnlyDatabaseException     when the key's last write failed before it became durable
     * @throws ReadRetriesExhaustedException when compaction moved the record {@link #MAX_ATTEMPTS} times in a row
     */
    public RecordCheck.Valid read(Key key) {
        return read(key, null);
    }

    /**
     * As {@link #read(Key)}, starting from {@code known}, the location a scan found with the key (null: look it
     * up): a scan probes the key directory once per key, and this read looks the key up again only when the record
     * moved (compaction) or the key changed since.
     */
    public RecordCheck.Valid read(Key key, Location known) {
        byte[] keyBytes = key.bytes();
        SlotProbe entry = new SlotProbe();
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            if (!liveEntry(attempt, known, keyBytes, entry)) {
                return null;
            }
            byte[] record = new byte[entry.recordSize()];
            Segment seg = fetch(keyBytes, entry, record, false);
            if (seg != null) {
                return verified(seg, entry.location(), record, keyBytes);
            }
        }
        throw new ReadRetriesExhaustedException(keyBytes, MAX_ATTEMPTS);
    }

    /**
     * A record buffer and where the value of the read in progress lies (there, or in a decrypted or large record's
     * own array): a GET's, one per thread ({@link #readValue}), and a scan's, one per iterator ({@link
     * #readForScan}), never shared between threads. The value stays at {@link #data()} from {@link #valueOffset()},
     * {@link #valueLength()} bytes long, until the next read into the buffer, so that a read of a plaintext record
     * makes no array for the record nor for the value.
     */
    /** {@link #SCRATCH}: a subclass, not {@code withInitial(RecordBuffer::new)} (ARCHITECTURE.md, "Start-up cost"). */
    private static final class Scratch extends ThreadLocal<RecordBuffer> {
        @Override
        protected RecordBuffer initialValue() {
            return new RecordBuffer();
        }
    }

    public static final class RecordBuffer {
        /** The entry of the read in progress, as the key directory's lookup filled it. */
        private final SlotProbe entry = new SlotProbe();
        private byte[] buf = new byte[512];
        private byte[] data;
        private int valueOffset;
        private int valueLength;

        /** The record buffer for {@code size} bytes: reused up to {@link #MAX_SCRATCH}, a larger record's own. */
        byte[] buffer(int size) {
            if (size > MAX_SCRATCH) {
                return new byte[size];
            }
            if (buf.length < size) {
                buf = new byte[Math.max(size, Math.min(MAX_SCRATCH, buf.length * 2))];
            }
            return buf;
        }

        RecordBuffer value(byte[] data, int offset, int length) {
            this.data = data;
            this.valueOffset = offset;
            this.valueLength = length;
            return this;
        }

        /** A copy of the value; drops the reference to a decrypted or large record's array. */
        byte[] takeValue() {
            byte[] value = Arrays.copyOfRange(data, valueOffset, valueOffset + valueLength);
            data = null;
            return value;
        }

        /** Drops the reference to a decrypted or large record's array once the value was copied out. */
        void drop() {
            data = null;
        }

        public byte[] data() {
            return data;
        }

        public int valueOffset() {
            return valueOffset;
        }

        public int valueLength() {
            return valueLength;
        }
    }

    /**
     * As {@link #read(Key, Location)}, into the scan's own buffer: the value is left in {@code into}; a plaintext
     * record that passes every check allocates nothing. False when the key is absent or expired; fails as
     * {@link #read} does.
     */
    public boolean readForScan(Key key, Location known, RecordBuffer into) {
        byte[] keyBytes = key.bytes();
        SlotProbe entry = into.entry;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            if (!liveEntry(attempt, known, keyBytes, entry)) {
                return false;
            }
            int size = entry.recordSize();
            byte[] record = into.buffer(size);
            Segment seg = fetch(keyBytes, entry, record, false);
            if (seg == null) {
                continue;
            }
            if (seg.cipher().isPlaintext() && intactPlaintext(record, size, seg, keyBytes)) {
                into.value(record, RecordFormat.HEADER_SIZE + keyBytes.length, RecordFormat.valueLength(record, 0));
            } else {
                // Encrypted, or something is wrong: the full check decrypts, or says what is wrong.
                RecordCheck.Valid p = verified(seg, entry.location(), record, keyBytes);
                into.value(p.plain(), p.plainOffset() + p.keyLength(), p.valueLength());
            }
            return true;
        }
        throw new ReadRetriesExhaustedException(keyBytes, MAX_ATTEMPTS);
    }

    /**
     * Reads the memory of the records of {@code locations[0, count)} that lie in a sealed segment's map, returning
     * what it read so that the reads are kept. A scan touches a batch of records before copying any: in key order
     * the records of a large log are scattered, each a cache (and often TLB) miss, and misses in one short loop
     * overlap where misses one per copy do not.
     */
    public long touch(Location[] locations, int count) {
        long sum = 0;
        // Neighbouring keys' records often share a segment, and the segment map is a skip list: the last segment is
        // kept, for this call only (a segment retired meanwhile is harmless to touch, its map stays valid).
        Segment seg = null;
        for (int i = 0; i < count; i++) {
            Location loc = locations[i];
            if (seg == null || seg.id() != loc.segmentId()) {
                seg = segments.get(loc.segmentId());
                if (seg == null) {
                    continue;
                }
            }
            sum += seg.touch(loc.offset(), loc.recordSize());
        }
        return sum;
    }

    /**
     * A copy of the newest value of {@code key}, or null when the key is absent or expired; fails as {@link #read}
     * does.
     */
    public byte[] readValue(byte[] key) {
        RecordBuffer v = locateValue(key, false);
        return v == null ? null : v.takeValue();
    }

    /**
     * As {@link #readValue(byte[])} without disk I/O: the value when its record is in memory (see the class),
     * {@link MemoryRead#ABSENT} when the key is absent or expired, else {@link MemoryRead#NOT_IN_MEMORY}. Fails as
     * {@link #read} does.
     */
    public MemoryRead readValueIfInMemory(byte[] key) {
        RecordBuffer v = locateValue(key, true);
        if (v == null) {
            return MemoryRead.ABSENT;
        }
        return v == NOT_IN_MEMORY ? MemoryRead.NOT_IN_MEMORY : new MemoryRead.Found(v.takeValue());
    }

    /**
     * Copies the newest value of {@code key} to {@code dst} when it fits there (see FerrumDB.get(byte[],
     * ByteBuffer)); returns its length, or -1 when the key is absent or expired. Fails as {@link #read} does.
     */
    public int readValue(byte[] key, ByteBuffer dst) {
        RecordBuffer v = locateValue(key, false);
        if (v == null) {
            return -1;
        }
        int n = v.valueLength();
        if (n <= dst.remaining()) {
            dst.put(v.data(), v.valueOffset(), n);
        }
        v.drop();
        return n;
    }

    /**
     * Reads and verifies the newest record of {@code key} and returns the thread's {@link RecordBuffer} saying where its
     * value lies (valid until the thread's next read), or null when the key is absent or expired. A plaintext
     * record that passes every check allocates nothing here; any other goes through {@link #verified}. With
     * {@code memoryOnly}, a record that is not in memory makes it return {@link #NOT_IN_MEMORY}, having read nothing.
     */
    private RecordBuffer locateValue(byte[] keyBytes, boolean memoryOnly) {
        RecordBuffer s = SCRATCH.get();
        SlotProbe entry = s.entry;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            boolean candidate = lookup.firstCandidate(keyBytes, entry);
            while (candidate) {
                if (expired(entry)) {
                    // A hash-only key directory compares keys in records (RecordKeyReader): a memory-only read
                    // lets it only at a record in memory.
                    if (memoryOnly && !inMemory(entry, s)) {
                        return NOT_IN_MEMORY;
                    }
                    if (lookup.isKey(keyBytes, entry)) {
                        return null;
                    }
                    candidate = lookup.nextCandidate(entry);
                    continue;
                }
                int size = entry.recordSize();
                byte[] record = s.buffer(size);
                Segment seg = fetch(keyBytes, entry, record, memoryOnly);
                if (seg == NOT_RESIDENT) {
                    // Even when the candidate may be another key's: which it is, only its record would tell.
                    return NOT_IN_MEMORY;
                }
                if (seg != null && seg.cipher().isPlaintext() && intactPlaintext(record, size, seg, keyBytes)) {
                    return s.value(record, RecordFormat.HEADER_SIZE + keyBytes.length,
                            RecordFormat.valueLength(record, 0));
                }
                if (!lookup.isKey(keyBytes, entry)) {
                    // Another key whose hash bits match (a tag collision): its record is not ours to judge.
                    candidate = lookup.nextCandidate(entry);
                    continue;
                }
                if (seg == null) {
                    break;
                }
                RecordCheck.Valid p = verified(seg, entry.location(), record, keyBytes);
                return s.value(p.plain(), p.plainOffset() + p.keyLength(), p.valueLength());
            }
            if (!candidate) {
                return null;
            }
        }
        throw new ReadRetriesExhaustedException(keyBytes, MAX_ATTEMPTS);
    }

    /**
     * True when {@code loc} names a record that a write failure caught before it became durable, which reads refuse
     * ({@link LogWriter#mayServe}). One volatile read while no write failed.
     */
    public boolean caughtByFailure(Location loc) {
        if (writer == null || !writer.hasFailed()) {
            return false;
        }
        Segment seg = segments.get(loc.segmentId());
        return seg != null && !writer.mayServe(seg, loc.offset());
    }

    /**
     * Reads the record {@code loc} names into the start of {@code dst}; returns its segment, or null when the
     * location moved under us (compaction): look it up again, or when {@code loc} is a candidate entry
     * ({@link KeyDir#firstCandidate}) that is another key's (its troubles are not this read's). With
     * {@code memoryOnly}, returns {@link #NOT_RESIDENT} instead of reading a record that is not in memory.
     */
    private Segment fetch(byte[] key, SlotProbe loc, byte[] dst, boolean memoryOnly) {
        Segment seg = segments.get(loc.segmentId());
        if (seg == null) {
            if (memoryOnly) {
                // Compaction retired the segment: looking the key up again compares keys, which a hash-only key
                // directory does by reading records. Rare; get does it.
                return NOT_RESIDENT;
            }
            if (!ownEntry(key, loc) || moved(key, loc)) {
                return null;
            }
            throw new FerrumException("key directory points at segment " + loc.segmentId() + " which is gone");
        }
        if (writer != null && !writer.mayServe(seg, loc.offset())) {
            if (!ownEntry(key, loc)) {
                return null;
            }
            throw new ReadOnlyDatabaseException("the last write of this key failed before it became durable and is"
                    + " not served (reopen the database to read what is on disk): " + writer.failure(),
                    writer.failure());
        }
        try {
            if (!readRecord(seg, loc, dst, memoryOnly)) {
                return NOT_RESIDENT;
            }
        } catch (IOException e) {
            if (!ownEntry(key, loc) || moved(key, loc)) {
                return null;
            }
            ensureOpen.run();
            throw new FerrumException("I/O error reading " + seg.path() + " at offset " + loc.offset() + ": " + e, e);
        }
        return seg;
    }

    /**
     * True when the record {@code loc} names can be read without disk I/O: its segment is gone (nothing to read),
     * it is in the writer's chunks (copied into {@code s}'s buffer to find out), or its pages are resident.
     */
    private boolean inMemory(SlotProbe loc, RecordBuffer s) {
        Segment seg = segments.get(loc.segmentId());
        if (seg == null || seg.isResident(loc.offset(), loc.recordSize())) {
            return true;
        }
        int size = loc.recordSize();
        return !seg.isSealed() && writer != null
                && writer.readFromMemory(seg, loc.offset(), size, s.buffer(size), 0, LOCK_WAIT_NANOS);
    }

    /**
     * True when the entry {@code p} is {@code key}'s: a candidate's as the key directory says ({@link Lookup#isKey});
     * an entry a scan found with the key (slot unknown: {@link SlotProbe#set(Location)}) is the key's, and is no
     * candidate the key directory could judge.
     */
    private boolean ownEntry(byte[] key, SlotProbe p) {
        return p.slot() < 0 || lookup.isKey(key, p);
    }

    /** True when the key directory no longer holds {@code was} for {@code key} (off the fast path: allocates). */
    private boolean moved(byte[] key, SlotProbe was) {
        SlotProbe now = new SlotProbe();
        return !lookup.find(key, now) || !now.location().equals(was.location());
    }

    /**
     * Reads the record at {@code loc} into the start of {@code dst}: from memory where possible, see the class.
     * Returns false, having read nothing, when {@code memoryOnly} and the record is not in memory.
     */
    private boolean readRecord(Segment seg, SlotProbe loc, byte[] dst, boolean memoryOnly) throws IOException {
        long waitNanos = memoryOnly ? LOCK_WAIT_NANOS : -1;
        if (!seg.isSealed()) {
            // Bytes already written, read through the segment's map of them: no lock, no system call. (A
            // memory-only read keeps to the writer's buffers: the map's pages' residency is not checked.)
            if (!memoryOnly && seg.readWritten(loc.offset(), dst, 0, loc.recordSize())) {
                return true;
            }
            if (writer != null && writer.readFromMemory(seg, loc.offset(), loc.recordSize(), dst, 0, waitNanos)) {
                return true;
            }
        }
        // Between this check and the copy the pages may be evicted: the copy then faults them in (a disk read),
        // but reads the same bytes. The window is a few instructions long.
        if (memoryOnly && !seg.isResident(loc.offset(), loc.recordSize())) {
            return false;
        }
        seg.readInto(loc.offset(), dst, 0, loc.recordSize());
        return true;
    }

    /**
     * Every check {@link RecordReader} and {@link #verified} make of a plaintext record, without allocating (a GET's
     * fast path): {@link RecordCheck#intactPlaintext}, then the key directory's expectations. On false,
     * {@link #verified} finds out what is wrong and reports it.
     */
    private static boolean intactPlaintext(byte[] rec, int size, Segment seg, byte[] key) {
        return RecordCheck.intactPlaintext(rec, 0, size, seg.cipher())
                && RecordFormat.type(rec, 0) == RecordFormat.TYPE_PUT
                && RecordFormat.keyLength(rec, 0) == key.length
                && Arrays.equals(rec, RecordFormat.HEADER_SIZE, RecordFormat.HEADER_SIZE + key.length, key, 0,
                key.length);
    }

    /** Verifies a record read for {@code key}; any mismatch is corruption, never data. */
    private static RecordCheck.Valid verified(Segment seg, Location loc, byte[] rec, byte[] key) {
        RecordCheck.Valid p = RecordReader.open(seg, loc.offset(), rec, loc.recordSize());
        if (p.type() != RecordFormat.TYPE_PUT || !p.keyEquals(key)) {
            throw new CorruptionException(seg.path(), loc.offset(), "record does not match the key directory");
        }
        return p;
    }

    /**
     * Fills {@code entry} for attempt {@code attempt} of a read: from {@code known} on the first attempt when the
     * caller found the entry already (a scan's probe), else by looking {@code keyBytes} up. False when the key is
     * absent or expired.
     */
    private boolean liveEntry(int attempt, Location known, byte[] keyBytes, SlotProbe entry) {
        if (attempt == 1 && known != null) {
            entry.set(known);
        } else if (!lookup.find(keyBytes, entry)) {
            return false;
        }
        return !expired(entry);
    }

    /**
     * Whether {@code entry} has expired. The clock is asked only for an entry with a TTL: a call costs 45-98 ns
     * here, a sizeable share of a GET of a key without one (most keys).
     */
    private boolean expired(SlotProbe entry) {
        return entry.expires() && entry.isExpired(clock.getAsLong());
    }
}
