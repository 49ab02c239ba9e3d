package io.ferrumdb.internal.log;

import io.ferrumdb.CorruptionException;
import io.ferrumdb.DroppedRange;
import io.ferrumdb.internal.directory.DatabaseDirectory;
import io.ferrumdb.internal.directory.FileNames;
import io.ferrumdb.internal.format.CipherSuite;
import io.ferrumdb.internal.format.HintFile;
import io.ferrumdb.internal.format.SegmentHeader;
import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.io.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;

/** Creates, opens and deletes segment and hint files of one database directory. */
public final class SegmentFiles {
    private final FileIO io;
    private final Path dir;
    private final byte[] databaseId;
    private final CipherSuite ciphers;

    public SegmentFiles(FileIO io, Path dir, byte[] databaseId, CipherSuite ciphers) {
        this.io = io;
        this.dir = dir;
        this.databaseId = databaseId.clone();
        this.ciphers = ciphers;
    }

    public Path dir() {
        return dir;
    }

    public FileIO io() {
        return io;
    }

    public CipherSuite ciphers() {
        return ciphers;
    }

    public byte[] databaseId() {
        return databaseId.clone();
    }

    public Path dataPath(long id) {
        return dir.resolve(FileNames.segment(id));
    }

    public Path hintPath(long id) {
        return dir.resolve(FileNames.hint(id));
    }

    /** The numbers of the segment files in the directory, in increasing order. */
    public List<Integer> listSegmentIds() throws IOException {
        return DatabaseDirectory.segmentIds(io, dir);
    }

    /**
     * Creates segment {@code id} with its header, durable (file and directory fsynced) on return. A failure leaves
     * no file behind.
     */
    public Segment create(int id) throws IOException {
        return create(id, dataPath(id), true, false);
    }

    /**
     * Creates a segment file at {@code path} (a temporary name for compaction output, which is {@code compacted}).
     * The directory is fsynced only when {@code syncDirectory}; a caller that renames the file later syncs after
     * the rename.
     */
    public Segment create(int id, Path path, boolean syncDirectory, boolean compacted) throws IOException {
        SegmentHeader header = new SegmentHeader(id, databaseId, ciphers.encrypted(), compacted,
                ciphers.newSegmentSalt());
        StorageFile file = io.create(path);
        try {
            file.write(0, ByteBuffer.wrap(header.encode()));
            file.force();
            if (syncDirectory) {
                io.syncDirectory(dir);
            }
        } catch (IOException | RuntimeException e) {
            // A segment that could not be created must not stay behind: on a full disk it would be a 0-byte file
            // that the next open (and verify) take for a damaged segment.
            file.close();
            DatabaseDirectory.deleteAfterFailure(io, path, e);
            throw e;
        }
        return new Segment(id, path, file, header, ciphers.segmentCipher(header), SegmentHeader.SIZE);
    }

    /** Opens an existing segment, checking its header. Its written length is the file's size. */
    public Segment open(int id, boolean writable) throws IOException {
        Path path = dataPath(id);
        StorageFile file = io.open(path, writable);
        try {
            long size = file.size();
            byte[] b = new byte[(int) Math.min(size, SegmentHeader.SIZE)];
            file.read(0, ByteBuffer.wrap(b));
            SegmentHeader header = SegmentHeader.decode(b, path);
            if (header.segmentId() != id) {
                throw new CorruptionException(path, 16, "header names segment " + header.segmentId());
            }
            if (!Arrays.equals(header.databaseId(), databaseId)) {
                throw new CorruptionException(path, 24, "segment belongs to another database");
            }
            if (header.encrypted() != ciphers.encrypted()) {
                throw new CorruptionException(path, 10, header.encrypted()
                        ? "segment is encrypted but the database is not" : "segment is not encrypted but the database is");
            }
            return new Segment(id, path, file, header, ciphers.segmentCipher(header), size);
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** The entries of a scan, in the form hint files and the key directory loader use. */
    public static List<HintFile.Entry> entries(List<SegmentScanner.Scanned> records) {
        List<HintFile.Entry> out = new ArrayList<>(records.size());
        for (SegmentScanner.Scanned r : records) {
            out.add(new HintFile.Entry(r.type(), r.key(), r.size(), r.offset(), r.sequence(), r.expiresAt()));
        }
        return out;
    }

    /** Writes the hint of a complete segment: temporary file, fsync, rename, directory fsync. */
    public void writeHint(Segment segment, List<HintFile.Entry> entries) throws IOException {
        HintFile.Builder hint = new HintFile.Builder();
        for (HintFile.Entry e : entries) {
            hint.add(e.type(), e.key(), e.recordSize(), e.offset(), e.sequence(), e.expiresAt());
        }
        writeHint(segment, hint);
    }

    /** Writes the hint of a complete segment from entries collected while it was written. */
    public void writeHint(Segment segment, HintFile.Builder hint) throws IOException {
        DatabaseDirectory.writeDurably(io, dir, FileNames.hint(segment.id()), new HintContents(segment, hint));
    }

    /**
     * {@link #writeHint}'s file contents. Classes, not lambdas: a close after writes runs this, and a fresh JVM spins
     * a class and method-handle forms for each lambda at its first use (ARCHITECTURE.md, "Start-up cost").
     */
    private final class HintContents implements DatabaseDirectory.Contents {
        private final Segment segment;
        private final HintFile.Builder hint;

        HintContents(Segment segment, HintFile.Builder hint) {
            this.segment = segment;
            this.hint = hint;
        }

        @Override
        public void writeTo(StorageFile file) throws IOException {
            hint.writeTo(new FileSink(file), segment.id(), databaseId, segment.writtenLength(),
                    ciphers.hintCipher(segment.header()));
        }
    }

    /** A hint written into a file. */
    static final class FileSink implements HintFile.Sink {
        private final StorageFile file;

        FileSink(StorageFile file) {
            this.file = file;
        }

        @Override
        public void write(long position, ByteBuffer src) throws IOException {
            file.write(position, src);
        }
    }

    /**
     * Reads the hint of {@code segment} if it exists and describes the segment as it is now; null when missing
     * or describing a shorter file (the caller reads the segment strictly). A damaged hint is reported as a
     * CorruptionException on the hint file (the caller rebuilds it from data); an intact hint of a longer file as
     * a CorruptionException on the segment, which lost data.
     */
    public List<HintFile.Entry> readHint(Segment segment) throws IOException {
        DatabaseDirectory.FileBytes read = readHintBytes(segment, byte[]::new);
        if (read == null) {
            return null;
        }
        HintFile.Contents c = HintFile.decode(read.buffer(), hintPath(segment.id()), databaseId,
                ciphers.hintCipher(segment.header()));
        return describes(c.segmentId(), c.dataLength(), segment) ? c.entries() : null;
    }

    /**
     * As {@link #readHint}, with the entries left in the hint's buffer behind a cursor (compaction: no object per
     * entry). Every entry is checked before this returns, so a damaged hint is refused here as readHint refuses it.
     */
    public HintFile.Cursor readHintCursor(Segment segment) throws IOException {
        return openHintCursor(segment, true);
    }

    /**
     * As {@link #readHintCursor}, but with {@code check} false the entries are not walked: the caller checks them
     * ({@link HintFile.Cursor#check}, or a walk of its own) before it relies on any (open walks a small hint once,
     * see HashOrderedHint). The header and the checksum are checked either way.
     */
    public HintFile.Cursor openHintCursor(Segment segment, boolean check) throws IOException {
        return openHintCursor(segment, check, byte[]::new);
    }

    /**
     * As {@link #readHintCursor(Segment)}, the hint read into the array {@code buffer} returns for its size (at least
     * that long): compaction reads its inputs' hints into arrays it keeps from run to run. The cursor reads that
     * array in place, so the caller must not reuse it while the cursor is in use.
     */
    public HintFile.Cursor readHintCursor(Segment segment, IntFunction<byte[]> buffer) throws IOException {
        return openHintCursor(segment, true, buffer);
    }

    private HintFile.Cursor openHintCursor(Segment segment, boolean check, IntFunction<byte[]> buffer)
            throws IOException {
        HintFile.Cursor c = intactHint(segment, check, buffer);
        return c != null && describes(c.segmentId(), c.dataLength(), segment) ? c : null;
    }

    /**
     * The hint file of {@code segment} as it is (null when there is none), whatever segment it describes, read into
     * the array {@code buffer} returns for its size.
     */
    private HintFile.Cursor intactHint(Segment segment, boolean check, IntFunction<byte[]> buffer)
            throws IOException {
        DatabaseDirectory.FileBytes read = readHintBytes(segment, buffer);
        if (read == null) {
            return null;
        }
        HintFile.Cursor c = HintFile.open(read.buffer(), read.length(), hintPath(segment.id()), databaseId,
                ciphers.hintCipher(segment.header()));
        if (check) {
            c.check();
        }
        return c;
    }

    /** The hint of {@code segment} in the array {@code buffer} returns for its size, or null when it has none. */
    private DatabaseDirectory.FileBytes readHintBytes(Segment segment, IntFunction<byte[]> buffer) throws IOException {
        Path path = hintPath(segment.id());
        return io.exists(path)
                ? DatabaseDirectory.readAll(io, path, 2 * segment.writtenLength() + (1 << 20), buffer) : null;
    }

    /** Whether an intact hint claiming {@code (segmentId, dataLength)} describes {@code segment} as it is now. */
    private static boolean describes(long segmentId, long dataLength, Segment segment) {
        SegmentCut cut = cutShown(segmentId, dataLength, segment);
        if (cut != null) {
            // An intact hint of a longer file: the segment lost bytes after it was sealed (a strict scan could
            // not tell, when the cut falls between two records).
            throw cut.exception();
        }
        return segmentId == segment.id() && dataLength == segment.writtenLength();
    }

    /** The cut an intact hint claiming {@code (segmentId, dataLength)} shows in {@code segment}; null for none. */
    private static SegmentCut cutShown(long segmentId, long dataLength, Segment segment) {
        return segmentId == segment.id() && dataLength > segment.writtenLength()
                ? new SegmentCut(segment.path(), segment.writtenLength(), SegmentCut.Recorder.HINT, dataLength) : null;
    }

    /**
     * The entry count the hint of segment {@code id} claims in its header (0 without a hint), read without
     * checking the hint: open sizes the key directory once from the sum.
     */
    public long claimedHintEntries(int id) throws IOException {
        Path path = hintPath(id);
        if (!io.exists(path)) {
            return 0;
        }
        try (StorageFile f = io.open(path, false)) {
            byte[] header = new byte[HintFile.HEADER_SIZE];
            int n = f.read(0, ByteBuffer.wrap(header));
            return n < header.length ? 0 : HintFile.claimedCount(header, f.size());
        }
    }

    /**
     * A segment checked as verify and repair check it: its hint (when {@code hinted}) and a salvage scan of every
     * record. {@code hintDamage} is null when the hint is intact or absent; {@code cut} is not null when an intact
     * hint describes a longer file: the segment was cut short after it was sealed.
     */
    public record Checked(boolean hintUsable, DroppedRange hintDamage, SegmentCut cut, SegmentScanner.Result scan) {
    }

    /**
     * Checks {@code segment} without trusting anything: reads its hint when {@code hinted}, then scans every record
     * in salvage mode. A segment that {@code rule} lets end in a torn write has its torn tail reported as such, and
     * (version 2) its zero tail not reported.
     */
    public Checked check(Segment segment, boolean hinted, TailRule rule) throws IOException {
        HintFile.Cursor hint = null;
        DroppedRange damage = null;
        SegmentCut cut = null;
        if (hinted) {
            try {
                HintFile.Cursor found = intactHint(segment, true, byte[]::new);
                // A hint of a longer file is a witness of a cut, reported with the others (verify, repair).
                cut = found == null ? null : cutShown(found.segmentId(), found.dataLength(), segment);
                if (found != null && cut == null && found.segmentId() != segment.id()) {
                    // Intact, but another segment's (files swapped or copied in): open ignores it and reads the
                    // segment, but the file in its place is not what was written there.
                    damage = new DroppedRange(hintPath(segment.id()), 0, 0, DroppedRange.Kind.DAMAGED_HINT,
                            "hint file describes segment " + found.segmentId() + ", not segment " + segment.id()
                                    + ": open reads the segment instead");
                } else if (found != null && cut == null && describes(found.segmentId(), found.dataLength(), segment)) {
                    hint = found;
                }
            } catch (CorruptionException e) {
                damage = new DroppedRange(e.file(), e.offset(), 0, DroppedRange.Kind.DAMAGED_HINT, e.problem());
            }
        }
        SegmentScanner.Result scan = SegmentScanner.scan(segment.file(), segment.writtenLength(), segment.cipher(),
                rule.mayEndTorn(segment, hinted) ? SegmentScanner.Mode.SALVAGE_TAIL : SegmentScanner.Mode.SALVAGE,
                rule.mayEndInZeros(segment, hinted));
        if (hint != null && scan.clean()) {
            // Open takes a sound segment's records from its hint alone; a checksum-intact hint that lists other
            // records (a bug, a hand edit) would serve reads that fail or take sequence numbers from it.
            damage = disagreement(hint, scan.records(), hintPath(segment.id()));
        }
        return new Checked(hint != null && damage == null, damage, cut, scan);
    }

    /** The first entry of {@code hint} that does not describe the record at its place, or null when all do. */
    private static DroppedRange disagreement(HintFile.Cursor hint, List<SegmentScanner.Scanned> records,
            Path path) {
        int i = 0;
        while (hint.next()) {
            if (i == records.size()) {
                return hintDisagrees(path, hint.entryOffset(), "entry " + i + " has no record in the segment, which"
                        + " holds " + records.size());
            }
            SegmentScanner.Scanned r = records.get(i);
            String field = hint.offset() != r.offset() ? "offset"
                    : hint.recordSize() != r.size() ? "record size"
                    : hint.type() != r.type() ? "type"
                    : hint.sequence() != r.sequence() ? "sequence"
                    : hint.expiresAt() != r.expiresAt() ? "expiry"
                    : !Arrays.equals(hint.buffer(), hint.keyAt(), hint.keyAt() + hint.keyLength(), r.key(), 0,
                            r.key().length) ? "key" : null;
            if (field != null) {
                return hintDisagrees(path, hint.entryOffset(), "entry " + i + " disagrees with its segment's record"
                        + " at offset " + r.offset() + " in its " + field);
            }
            i++;
        }
        return i == records.size() ? null : hintDisagrees(path, HintFile.HEADER_SIZE, "it lists " + i
                + " entries but its segment holds " + records.size() + " records");
    }

    private static DroppedRange hintDisagrees(Path path, long offset, String problem) {
        return new DroppedRange(path, offset, 0, DroppedRange.Kind.DAMAGED_HINT, "hint " + problem
                + "; open trusts a hint whose checksum holds, so 'ferrumdb repair' must rewrite it");
    }

    /** Reads a whole small file, refusing one larger than {@code limit} before allocating for it. */
    public byte[] readAll(Path path, long limit) throws IOException {
        return DatabaseDirectory.readAll(io, path, limit);
    }

    /** The size of a file. */
    public long size(Path path) throws IOException {
        try (StorageFile f = io.open(path, false)) {
            return f.size();
        }
    }

    /** Deletes a segment's data and hint files (the caller fsyncs the directory). */
    public void delete(long id) throws IOException {
        io.delete(hintPath(id));
        io.delete(dataPath(id));
    }
}
