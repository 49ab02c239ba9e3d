package io.ferrumdb.internal.log;

import io.ferrumdb.CorruptionException;
import io.ferrumdb.internal.directory.FileNames;
import io.ferrumdb.internal.format.HintFile;
import io.ferrumdb.internal.format.RecordFormat;
import io.ferrumdb.internal.format.SegmentHeader;
import io.ferrumdb.internal.keydir.Location;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * One segment being rewritten from verified records (by compaction and by repair) under a temporary name, with
 * the compaction-output flag: each record keeps its original sequence number and expiry and becomes a unit of its
 * own. Plaintext records are copied as they are ({@link #copy}); encrypted ones are re-encrypted under the new
 * segment's own salt ({@link #append}), so no nonce is ever reused. Hint entries are collected as records go in. The
 * caller renames the file to {@link SegmentFiles#dataPath} once {@link #finishUnderTemporaryName()} has made it
 * durable.
 */
public final class SegmentOutput {
    private static final int BUFFER = 1 << 20;

    private final SegmentFiles files;
    private final Segment segment;
    private final Path tmpPath;
    private final long segmentSize;
    private final HintFile.Builder hint = new HintFile.Builder();
    private final byte[] buffer = new byte[BUFFER];
    private int buffered;
    private long length = SegmentHeader.SIZE;

    public SegmentOutput(SegmentFiles files, int id, long segmentSize) throws IOException {
        this.files = files;
        this.segmentSize = segmentSize;
        this.tmpPath = files.dir().resolve(FileNames.temporary(FileNames.segment(id)));
        this.segment = files.create(id, tmpPath, false, true);
    }

    public Segment segment() {
        return segment;
    }

    public Path tmpPath() {
        return tmpPath;
    }

    public long length() {
        return length;
    }

    /** Whether a record with {@code payloadBytes} of key and value would make this segment exceed its size. */
    public boolean full(int payloadBytes) {
        return length > SegmentHeader.SIZE && length + RecordFormat.HEADER_SIZE + payloadBytes > segmentSize;
    }

    /**
     * Copies the live record {@code e} of {@code in}; returns where it now lies. Plaintext records are copied as they
     * are, from the input's memory map straight into the output buffer (no per-record allocation), after checking
     * their CRC and header; only the COMMIT flag changes. Encrypted records are opened and sealed again, because the
     * record's file offset is part of its nonce and associated data.
     */
    public Location copy(Segment in, HintFile.Entry e) throws IOException {
        return copy(in, e.type(), e.key(), 0, e.key().length, e.recordSize(), e.offset());
    }

    /** {@link #copy(Segment, HintFile.Entry)} of the cursor's current entry, its key read in place. */
    public Location copy(Segment in, HintFile.Cursor e) throws IOException {
        return copy(in, e.type(), e.buffer(), e.keyAt(), e.keyLength(), e.recordSize(), e.offset());
    }

    private Location copy(Segment in, byte type, byte[] key, int keyAt, int keyLength, int size, long offset)
            throws IOException {
        if (!in.cipher().isPlaintext() || !segment.cipher().isPlaintext() || size > buffer.length) {
            return append(RecordReader.open(in, offset, in.read(offset, size)));
        }
        if (buffered + size > buffer.length) {
            flush();
        }
        int at = buffered;
        in.readInto(offset, buffer, at, size);
        String problem = size < RecordFormat.HEADER_SIZE || !RecordFormat.crcMatches(buffer, at, size)
                ? "record checksum mismatch" : RecordFormat.headerProblem(buffer, at);
        if (problem == null && RecordFormat.recordSize(buffer, at, in.cipher()) != size) {
            problem = "record length does not match the hint";
        }
        if (problem != null) {
            throw new CorruptionException(in.path(), offset, problem);
        }
        if (!RecordFormat.isCommit(buffer, at)) {
            RecordFormat.markCommit(buffer, at, size);
        }
        buffered += size;
        long sequence = RecordFormat.sequence(buffer, at);
        long expiresAt = RecordFormat.expiresAt(buffer, at);
        Location location = new Location(segment.id(), length, size, expiresAt);
        hint.add(type, key, keyAt, keyLength, size, length, sequence, expiresAt);
        segment.noteSequences(sequence, sequence);
        length += size;
        return location;
    }

    /** Appends a re-encoded copy of {@code p}; returns where it now lies. */
    public Location append(RecordCheck.Valid p) throws IOException {
        return append(p.type(), p.key(), p.value(), p.sequence(), p.expiresAt());
    }

    /**
     * Appends a record built here (compaction turns an expired value into a tombstone of the same sequence
     * number); returns where it now lies.
     */
    public Location append(byte type, byte[] key, byte[] value, long sequence, long expiresAt) throws IOException {
        int size = RecordFormat.recordSize(key.length, value.length, segment.cipher());
        if (buffered + size > buffer.length) {
            flush();
        }
        byte[] target = size > buffer.length ? new byte[size] : buffer;
        int at = target == buffer ? buffered : 0;
        RecordFormat.encode(target, at, length, type, true, sequence, expiresAt, key, value, segment.cipher());
        if (target == buffer) {
            buffered += size;
        } else {
            segment.file().write(length, ByteBuffer.wrap(target, 0, size));
        }
        Location location = new Location(segment.id(), length, size, expiresAt);
        hint.add(type, key, size, length, sequence, expiresAt);
        segment.noteSequences(sequence, sequence);
        length += size;
        return location;
    }

    private void flush() throws IOException {
        if (buffered > 0) {
            segment.file().write(length - buffered, ByteBuffer.wrap(buffer, 0, buffered));
            buffered = 0;
        }
    }

    /** Writes what is buffered, fsyncs the file and writes its hint (which names the final segment). */
    public void finishUnderTemporaryName() throws IOException {
        flush();
        segment.file().force();
        segment.truncatedTo(length);
        files.writeHint(segment, hint);
    }

    /** Deletes the output after a failure; problems doing so are added to {@code cause}. */
    public void abandon(Throwable cause) {
        try {
            segment.close();
            files.io().delete(tmpPath);
            files.io().delete(files.hintPath(segment.id()));
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }
}
