package io.ferrumdb.internal.compaction;

import io.ferrumdb.CorruptionException;
import io.ferrumdb.internal.format.HintFile;
import io.ferrumdb.internal.log.Segment;
import io.ferrumdb.internal.log.SegmentFiles;
import io.ferrumdb.internal.log.SegmentScanner;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The hint entries of one compaction's inputs, each input's read and checked once for the run, whichever of its
 * parts copy its records: an input cut between two parts was read (tens of megabytes into a new array) and walked
 * by both, and in a fresh JVM that doubled walk was compiled on the JIT's one C2 thread before the copy loop could be
 * (issue 23, session 12). Thread-safe: the parts ask on their own threads; a part asking for an input another part
 * is reading waits for that read. Entries are held until the run drops this object.
 *
 * <p>Only the inputs not copied by bitmap are asked for ({@link CompactionPart#copiesByBitmap}): an input whose every
 * record the bitmap does not name is dropped needs no entry of its hint.
 *
 * <p>A hint is read whole into a buffer of the run's {@link RunArrays}, kept from run to run (a new array of tens
 * of megabytes each run landed on untouched heap: its page faults were a sixth of a warm compaction's CPU, issue
 * 23, session 27). The cursors read that buffer in place: the run gives its arrays back only once no part reads
 * them.
 */
final class InputHints {
    private final SegmentFiles files;
    private final RunArrays arrays;
    /** Per input, the object its one read is made under and kept in; created under this map's lock. */
    private final Map<Segment, Read> reads = new HashMap<>();

    InputHints(SegmentFiles files, RunArrays arrays) {
        this.files = files;
        this.arrays = arrays;
    }

    /**
     * A cursor of its own over every entry of input {@code in}, in file order, from its first: the input's hint
     * file's, or when that is missing or damaged (not trusted then: the data file is the truth) a strict scan's of
     * its data.
     */
    HintFile.Cursor of(Segment in) throws IOException {
        Read read;
        synchronized (reads) {
            read = reads.computeIfAbsent(in, s -> new Read());
        }
        synchronized (read) {
            if (read.entries == null) {
                read.entries = entriesOf(in);
            }
            return read.entries.duplicate();
        }
    }

    private static final class Read {
        HintFile.Cursor entries;
    }

    private HintFile.Cursor entriesOf(Segment in) throws IOException {
        HintFile.Cursor entries = null;
        try {
            entries = files.readHintCursor(in, arrays::hintBuffer);
        } catch (CorruptionException e) {
            // A damaged hint is not trusted; the data file is the truth.
        }
        if (entries == null) {
            HintFile.Builder scanned = new HintFile.Builder();
            for (SegmentScanner.Scanned r : SegmentScanner.scan(in.file(), in.writtenLength(), in.cipher(),
                    SegmentScanner.Mode.STRICT).records()) {
                scanned.add(r.type(), r.key(), r.size(), r.offset(), r.sequence(), r.expiresAt());
            }
            entries = scanned.cursor(in.path(), in.id(), in.writtenLength());
        }
        return entries;
    }
}
