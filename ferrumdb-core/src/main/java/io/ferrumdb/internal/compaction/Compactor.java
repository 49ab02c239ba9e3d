package io.ferrumdb.internal.compaction;

import io.ferrumdb.CorruptionException;
import io.ferrumdb.internal.directory.DatabaseDirectory;
import io.ferrumdb.internal.directory.FileNames;
import io.ferrumdb.internal.format.CompactionJournal;
import io.ferrumdb.internal.format.HintFile;
import io.ferrumdb.internal.format.RecordFormat;
import io.ferrumdb.internal.keydir.CompactionView;
import io.ferrumdb.internal.keydir.KeyDir;
import io.ferrumdb.internal.keydir.SlotProbe;
import io.ferrumdb.internal.keydir.Location;
import io.ferrumdb.internal.log.Segment;
import io.ferrumdb.internal.log.SegmentFiles;
import io.ferrumdb.internal.log.SegmentOutput;
import io.ferrumdb.internal.log.SegmentScanner;
import io.ferrumdb.internal.log.SegmentSet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Rewrites the live records of sealed segments into new segments and deletes the old ones, without stopping
 * readers or writers. The steps, each durable before the next:
 * <ol>
 *   <li>copy live records (and tombstones, or expired values turned into tombstones, that may still hide an older
 *   value elsewhere) into output files under
 *   temporary names; fsync them and write their hint files;</li>
 *   <li>rename the outputs to their final names and fsync the directory; list them in the MANIFEST; publish
 *   them to readers;</li>
 *   <li>switch the key directory entry of each copied record with compare-and-set, so that a write that landed
 *   meanwhile on the same key wins over the copy;</li>
 *   <li>write the COMPACTION journal listing the inputs, unlist them from the MANIFEST, delete them, fsync the
 *   directory, and delete the journal. Open finishes an interrupted step 4 from the journal.</li>
 * </ol>
 * A crash before step 4 leaves duplicates of some records (same sequence numbers), which open resolves and a
 * later compaction reclaims; a crash during it is finished at open. Readers that looked up a location in an input
 * just before it was deleted still read it: sealed segments are memory-mapped and a mapping outlives its file.
 *
 * <p>A background compaction can be abandoned (the database is closing): step 1 checks its {@code abandon} signal
 * at safe points (before each input, every {@link #LOOKAHEAD} records, while throttled, before each output is
 * finished and before the first rename) and then deletes its outputs, exactly as after an I/O failure. Nothing
 * outside the outputs has changed by then; from the first rename on, a run always finishes.
 */
public final class Compactor {
    /** What a run did, for the public CompactionResult. */
    public record Outcome(int segmentsCompacted, long bytesRead, long bytesWritten) {
    }

    private static final byte[] EMPTY = new byte[0];
    /**
     * Entries whose home slots are loaded together before they are decided: enough to keep a core's misses in
     * flight (it tracks about ten), few enough that the slots are still cached when their turn comes.
     */
    static final int LOOKAHEAD = 16;

    private final KeyDir keyDir;
    private final CompactionView view;
    private final SegmentFiles files;
    /** The one owner of the segment map, output ids and live bytes; the compactor changes them only through it. */
    private final SegmentSet segments;
    private final long segmentSize;
    private final long bytesPerSecond;
    private final Durability durable;
    private final Runnable syncWrites;
    /** Folds the look-ahead's early slot reads, only so that they are not optimized away; means nothing. */
    private long sink;

    /** Whether a record became durable; see LogWriter#mayServe. */
    public interface Durability {
        /** False only for the record at {@code offset} of segment {@code segmentId} if a write failure caught it. */
        boolean isDurable(int segmentId, long offset);

        /** True while every record did (no write failed): no record's fate then depends on another's. */
        boolean all();
    }

    /**
     * @param durable    which records became durable (all but those caught by a write failure)
     * @param syncWrites makes every write appended so far durable (the writer's sync); called before inputs are
     *                   deleted, see {@link #compact}
     */
    public Compactor(KeyDir keyDir, SegmentSet segments, long segmentSize, long bytesPerSecond,
                     Durability durable, Runnable syncWrites) {
        this.keyDir = keyDir;
        this.view = new CompactionView(keyDir);
        this.files = segments.files();
        this.segments = segments;
        this.segmentSize = segmentSize;
        this.bytesPerSecond = bytesPerSecond;
        this.durable = durable;
        this.syncWrites = syncWrites;
    }

    /** Compacts {@code inputs}, which must be sealed segments, to the end. The caller serializes compactions. */
    public Outcome compact(List<Segment> inputs) throws IOException {
        return compact(inputs, () -> false);
    }

    /**
     * Compacts {@code inputs}, which must be sealed segments, unless {@code abandon} turns true before the outputs
     * are published: then it deletes its outputs and throws {@link CompactionAbandonedException}, with inputs and
     * key directory untouched. {@code abandon} is polled often (one volatile read is the intended cost); a thread
     * setting it should unpark this one, which may be parked by the rate limit. The caller serializes compactions.
     */
    public Outcome compact(List<Segment> inputs, BooleanSupplier abandon) throws IOException {
        if (inputs.isEmpty()) {
            return new Outcome(0, 0, 0);
        }
        Set<Integer> inputIds = new HashSet<>();
        for (Segment s : inputs) {
            inputIds.add(s.id());
        }
        long oldestOutside = oldestSequenceOutside(inputIds);
        long started = System.nanoTime();
        long written = 0;
        long bytesRead = 0;
        List<SegmentOutput> outputs = new ArrayList<>();
        Relocations relocations = new Relocations(view.slotCount());
        SlotProbe probe = new SlotProbe();
        long[] hashes = new long[LOOKAHEAD];
        SegmentOutput out = null;
        try {
            for (Segment in : inputs) {
                abandonIf(abandon, inputs);
                bytesRead += in.writtenLength();
                // The hint's entries are read in place, in file order (so the input is read sequentially through
                // its memory map), with no object per record. A second cursor runs ahead: every LOOKAHEAD entries
                // it hashes the next LOOKAHEAD keys, then loads their home slots back to back, so that those cache
                // misses overlap (one load at a time stalls the core once the miss reaches the head of its
                // reorder window; a few independent loads in a row wait together).
                HintFile.Cursor e = entriesOf(in);
                HintFile.Cursor ahead = e.duplicate();
                for (int n = 0; e.next(); n++) {
                    int ring = n % LOOKAHEAD;
                    if (ring == 0) {
                        abandonIf(abandon, inputs);
                        lookAhead(ahead, hashes);
                    }
                    long hash = hashes[ring];
                    Fate fate = fate(e, in, hash, probe, oldestOutside);
                    if (fate == Fate.DROP) {
                        continue;
                    }
                    int payload = fate == Fate.TOMBSTONE ? e.keyLength() : e.recordSize() - RecordFormat.HEADER_SIZE;
                    if (out == null || out.full(payload)) {
                        out = new SegmentOutput(files, segments.allocateId(), segmentSize);
                        outputs.add(out);
                    }
                    long before = out.length();
                    if (fate == Fate.TOMBSTONE) {
                        out.append(RecordFormat.TYPE_DELETE, e.key(), EMPTY, e.sequence(), 0);
                    } else {
                        long copiedTo = out.copy(in, e);
                        if (fate == Fate.COPY && e.type() == RecordFormat.TYPE_PUT) {
                            relocations.add(probe, out.segment().id(), copiedTo, out.lastSize(),
                                    out.lastExpiresAt());
                        }
                    }
                    written += out.length() - before;
                    throttle(started, written, abandon);
                }
            }
            for (SegmentOutput o : outputs) {
                abandonIf(abandon, inputs);
                o.finishUnderTemporaryName();
            }
            // The last safe point: a rename begins publishing (a renamed output outlives a crash until open
            // deletes it as unpublished), and from here on the run finishes.
            abandonIf(abandon, inputs);
            for (SegmentOutput o : outputs) {
                files.io().rename(o.tmpPath(), files.dataPath(o.segment().id()));
            }
            files.io().syncDirectory(files.dir());
        } catch (IOException | RuntimeException e) {
            for (SegmentOutput o : outputs) {
                o.abandon(e);
            }
            throw e;
        }
        // The outputs are durable under their final names; once listed in the MANIFEST a crash keeps them (before,
        // open deletes them as unpublished compaction outputs: the inputs still hold every record).
        segments.publish(outputs);
        relocations.apply(view, segments);
        // A record was dropped because the key directory names a newer write, which may not be durable yet (any
        // policy but always, or an always-write not yet acknowledged). Deleting the inputs before that write is
        // durable would let a crash lose both: the key would fall back to an older value or vanish, a hole in the
        // log's prefix (found by PowerLossTest). Sync first, so that every superseding write outlives the inputs.
        syncWrites.run();
        retire(inputs);
        return new Outcome(inputs.size(), bytesRead, bytesWritten(outputs));
    }

    /** Deletes superseded segments through the journal (step 4). */
    private void retire(List<Segment> inputs) throws IOException {
        List<Integer> ids = new ArrayList<>();
        for (Segment s : inputs) {
            ids.add(s.id());
        }
        Path journal = files.dir().resolve(FileNames.COMPACTION);
        DatabaseDirectory.writeDurably(files.io(), files.dir(), FileNames.COMPACTION,
                CompactionJournal.encode(files.databaseId(), ids));
        segments.remove(inputs);
        files.io().syncDirectory(files.dir());
        files.io().delete(journal);
        files.io().syncDirectory(files.dir());
    }

    /** What becomes of one input record. */
    private enum Fate {
        /** Copied as it is; the key directory follows a copied PUT it points at. */
        COPY,
        /** Copied as it is, the key directory left alone (the key's newest record is not durable). */
        KEEP,
        /** Replaced by a tombstone of the same sequence number (the value is not needed, only its shadow). */
        TOMBSTONE,
        /** Not copied. */
        DROP
    }

    /**
     * The key directory decides: a PUT it points at is copied (even when it expired meanwhile: the entry must
     * keep pointing at a file that exists, and the caller purged expired entries just before). A PUT it does not
     * point at is dropped, unless it carries a TTL and the key has no entry at all: then it may be the newest
     * record of a key whose value expired (and was purged), and dropping it would let an older value of the key
     * in a segment outside this compaction come back; it is turned into a tombstone when such a segment may
     * exist. Tombstones follow the same rule (Bitcask issue #82). Every record of a key whose newest record did
     * not become durable (a failed write) is kept.
     *
     * <p>Most records are decided by {@link CompactionView#pointsAt} alone, from the slot table: whether the key
     * points at this very record. Only when that is no and the answer depends on the key's entry elsewhere (a
     * tombstone or a PUT with a TTL that may shadow an older record, or a failed writer) is the key looked up by
     * its bytes. Fills {@code probe} with the key's slot and entry when the key points at the record.
     */
    private Fate fate(HintFile.Cursor e, Segment in, long hash, SlotProbe probe, long oldestOutside) {
        if (view.pointsAt(hash, in.id(), e.offset(), probe)) {
            // The key's newest record is this one. If a write failure caught it, reopen will find one of the
            // key's older records, and which one is not known here: keep them all.
            return durable.isDurable(in.id(), e.offset()) ? Fate.COPY : Fate.KEEP;
        }
        boolean mayShadow = oldestOutside < e.sequence()
                && (e.type() != RecordFormat.TYPE_PUT || e.expiresAt() != 0);
        if (!mayShadow && durable.all()) {
            return Fate.DROP; // whatever the key's entry is
        }
        Location current = keyDir.probe(e.buffer(), e.keyAt(), e.keyLength(), probe);
        if (current != null && !durable.isDurable(current.segmentId(), current.offset())) {
            return Fate.KEEP;
        }
        if (e.type() == RecordFormat.TYPE_PUT) {
            if (current != null && current.segmentId() == in.id() && current.offset() == e.offset()) {
                // pointsAt said no, and no write points a key back at an older record; copying is the safe
                // answer should that ever change.
                return Fate.COPY;
            }
            boolean mayBeNewest = current == null && e.expiresAt() != 0;
            return mayBeNewest && oldestOutside < e.sequence() ? Fate.TOMBSTONE : Fate.DROP;
        }
        return current == null && oldestOutside < e.sequence() ? Fate.COPY : Fate.DROP;
    }

    /**
     * Moves {@code ahead} over the next {@link #LOOKAHEAD} entries (fewer at the end), hashing their keys into
     * {@code hashes}, then loads their home slots in a row.
     */
    private void lookAhead(HintFile.Cursor ahead, long[] hashes) {
        int n = 0;
        while (n < LOOKAHEAD && ahead.next()) {
            hashes[n++] = CompactionView.hash(ahead.buffer(), ahead.keyAt(), ahead.keyLength());
        }
        long touched = 0;
        for (int i = 0; i < n; i++) {
            touched += view.touchHome(hashes[i]);
        }
        sink += touched;
    }

    /**
     * The smallest sequence number held by a segment outside the compaction: a record of sequence {@code s} may
     * hide an older record of its key elsewhere exactly when this is below {@code s}. Segments created meanwhile (new
     * active segments) only hold later sequences, so it is computed once.
     */
    private long oldestSequenceOutside(Set<Integer> inputIds) {
        long oldest = Long.MAX_VALUE;
        for (Segment s : segments.all()) {
            if (!inputIds.contains(s.id())) {
                oldest = Math.min(oldest, s.minSequence());
            }
        }
        return oldest;
    }

    private HintFile.Cursor entriesOf(Segment in) throws IOException {
        HintFile.Cursor entries = null;
        try {
            entries = files.readHintCursor(in);
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

    private static long bytesWritten(List<SegmentOutput> outputs) {
        long total = 0;
        for (SegmentOutput o : outputs) {
            total += o.length();
        }
        return total;
    }

    /**
     * Sleeps as needed so that the bytes written stay under the configured rate; wakes early when unparked and
     * {@code abandon} is true (the next safe point then gives up).
     */
    private void throttle(long startedNanos, long bytes, BooleanSupplier abandon) {
        if (bytesPerSecond <= 0) {
            return;
        }
        long dueNanos = startedNanos + TimeUnit.SECONDS.toNanos(1) * bytes / bytesPerSecond;
        for (long wait = dueNanos - System.nanoTime(); wait > 0 && !abandon.getAsBoolean();
             wait = dueNanos - System.nanoTime()) {
            LockSupport.parkNanos(wait);
        }
    }

    /** A safe point of step 1: throws (and the caller deletes the outputs) once {@code abandon} is true. */
    private static void abandonIf(BooleanSupplier abandon, List<Segment> inputs) {
        if (abandon.getAsBoolean()) {
            List<Integer> ids = new ArrayList<>();
            for (Segment s : inputs) {
                ids.add(s.id());
            }
            throw new CompactionAbandonedException(ids);
        }
    }

}
