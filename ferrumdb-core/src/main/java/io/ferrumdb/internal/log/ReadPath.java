package io.ferrumdb.internal.log;

import io.ferrumdb.CorruptionException;
import io.ferrumdb.FerrumException;
import io.ferrumdb.ReadOnlyDatabaseException;
import io.ferrumdb.ReadRetriesExhaustedException;
import io.ferrumdb.internal.format.RecordFormat;
import io.ferrumdb.internal.keydir.Key;
import io.ferrumdb.internal.keydir.Location;
import java.io.IOException;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The read path: key → location → verified record. One lock-free lookup, then one read from the segment's memory
 * map (sealed), a positional read (active) or the writer's in-memory chunks (not yet written); the record must
 * verify ({@link RecordReader}) and carry the looked-up key and sequence number, else it is corruption, never
 * data.
 *
 * <p>A read races compaction: between the lookup and the read, compaction may copy the record and retire its
 * segment. The read then finds the segment gone (or its file unreadable) while the key directory names a new
 * location, and looks the key up again. Retries are bounded, as in Bitcask and HaloDB: each one needs a whole
 * compaction to retire the segment of the freshly looked-up location in between, so {@link #MAX_ATTEMPTS} in a
 * row means something is wrong, and the read fails with {@link ReadRetriesExhaustedException} naming the key.
 */
public final class ReadPath {
    /** Lookups one read makes at most; see the class comment. */
    public static final int MAX_ATTEMPTS = 8;

    private final Function<Key, Location> lookup;
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
    public ReadPath(Function<Key, Location> lookup, SegmentSet segments, LogWriter writer, LongSupplier clock,
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
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            Location loc = lookup.apply(key);
            if (loc == null || loc.isExpired(clock.getAsLong())) {
                return null;
            }
            RecordCheck.Valid p = readAt(key, loc);
            if (p != null) {
                return p;
            }
        }
        throw new ReadRetriesExhaustedException(key.bytes(), MAX_ATTEMPTS);
    }

    /** The record at {@code loc}, or null when the location moved under us (compaction): look it up again. */
    private RecordCheck.Valid readAt(Key key, Location loc) {
        if (writer != null && !writer.mayServe(loc.sequence())) {
            throw new ReadOnlyDatabaseException("the last write of this key failed before it became durable and is"
                    + " not served (reopen the database to read what is on disk): " + writer.failure(),
                    writer.failure());
        }
        Segment seg = segments.of(loc);
        if (seg == null) {
            if (!loc.equals(lookup.apply(key))) {
                return null;
            }
            throw new FerrumException("key directory points at segment " + loc.segmentId() + " which is gone");
        }
        byte[] record;
        try {
            record = readRecord(seg, loc);
        } catch (IOException e) {
            if (!loc.equals(lookup.apply(key))) {
                return null;
            }
            ensureOpen.run();
            throw new FerrumException("I/O error reading " + seg.path() + " at offset " + loc.offset() + ": " + e, e);
        }
        return verified(seg, loc, record, key.bytes());
    }

    private byte[] readRecord(Segment seg, Location loc) throws IOException {
        if (loc.offset() + loc.recordSize() <= seg.writtenLength() || writer == null) {
            return seg.read(loc.offset(), loc.recordSize());
        }
        byte[] unflushed = writer.readUnflushed(seg, loc.offset(), loc.recordSize());
        return unflushed != null ? unflushed : seg.read(loc.offset(), loc.recordSize());
    }

    /** Verifies a record read for {@code key}; any mismatch is corruption, never data. */
    private static RecordCheck.Valid verified(Segment seg, Location loc, byte[] rec, byte[] key) {
        RecordCheck.Valid p = RecordReader.open(seg, loc.offset(), rec);
        if (p.type() != RecordFormat.TYPE_PUT || p.sequence() != loc.sequence() || !p.keyEquals(key)) {
            throw new CorruptionException(seg.path(), loc.offset(), "record does not match the key directory");
        }
        return p;
    }
}
