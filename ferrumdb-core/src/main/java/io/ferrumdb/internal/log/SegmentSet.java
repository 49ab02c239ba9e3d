package io.ferrumdb.internal.log;

import io.ferrumdb.internal.format.HintFile;
import io.ferrumdb.internal.format.ManifestFile;
import io.ferrumdb.internal.keydir.Key;
import io.ferrumdb.internal.keydir.KeyDir;
import io.ferrumdb.internal.keydir.Location;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The segments of one open database: which exist (the map readers look segment ids up in), how many of each
 * one's bytes are live, and the next segment id. It is the one owner of these: the log writer's path (a new
 * active segment, the live bytes of each applied record), the compactor (output ids, publishing outputs, moving
 * live bytes with relocated records, removing inputs) and recovery all change them through this class, which keeps
 * the MANIFEST in step with the map.
 *
 * <p>Live bytes: a segment's live bytes are the record sizes of the key directory entries that point into it;
 * dead bytes are the rest of its payload. Every change of a key directory entry is mirrored here by exactly one
 * call ({@link #addLive}, {@link #addAppended}, {@link #release}, {@link #moveLive}), made by whoever changed the
 * entry while it still holds the lock that serialized the change.
 *
 * <p>Thread safety: lookups are lock-free (readers race compaction); membership changes are atomic per segment.
 */
public final class SegmentSet implements LogWriter.SegmentFactory {
    private static final System.Logger LOG = System.getLogger(SegmentSet.class.getName());

    private final SegmentFiles files;
    private final SegmentManifest manifest;
    /** Membership, in id order: iteration, first id, the MANIFEST's view. Changed only with {@link #byId} (below). */
    private final ConcurrentSkipListMap<Integer, Segment> segments = new ConcurrentSkipListMap<>();
    private final AtomicInteger nextId = new AtomicInteger(1);
    /**
     * The same segments for lookups by id ({@link #get}: every GET, every key compare against a record, every
     * put's live bytes), replaced by a new copy after each change of {@link #segments} (rolls, compactions:
     * rare). A skip-list lookup, an {@code Integer} boxed for ids above 127 and a few dependent loads, was a fifth
     * of a GET's own CPU in YCSB C; this is an index and a compare.
     */
    private volatile SegmentsById byId = SegmentsById.EMPTY;
    /**
     * Segments recovery added ({@link #addRecovered}) that {@link #byId} may not hold yet: recovery does not
     * replace the table per segment (an open of n segments would be O(n^2)), and while this is above 0 a lookup
     * that misses the table asks {@link #segments}. {@link #republish} ({@link #endRecovery}, or any later change)
     * takes off those it has seen.
     */
    private final AtomicInteger unpublished = new AtomicInteger();
    /** {@link #whenWritesBegin}'s action until the first {@link #createActive} runs it; then null. */
    private volatile Runnable firstWrite;

    public SegmentSet(SegmentFiles files, SegmentManifest manifest) {
        this.files = files;
        this.manifest = manifest;
    }

    public SegmentFiles files() {
        return files;
    }

    public SegmentManifest manifest() {
        return manifest;
    }

    // ---------------------------------------------------------------- lookups

    /** The segment {@code id}, or null when it does not exist (any more: compaction may have retired it). */
    public Segment get(int id) {
        Segment s = byId.get(id);
        return s != null || unpublished.get() == 0 ? s : segments.get(id);
    }

    /** The segment holding {@code location}, or null when it is gone. */
    public Segment of(Location location) {
        return get(location.segmentId());
    }

    /** Every segment, oldest (lowest id) first; a weakly consistent view. */
    public Collection<Segment> all() {
        return segments.values();
    }

    public NavigableSet<Integer> ids() {
        return segments.keySet();
    }

    /** The lowest segment id, or -1 when there is no segment. */
    public int firstId() {
        var first = segments.firstEntry();
        return first == null ? -1 : first.getKey();
    }

    /** Sealed segments, oldest first, except {@code activeId} (the segment appends go to; -1 for none). */
    public List<Segment> sealedExcept(int activeId) {
        List<Segment> out = new ArrayList<>();
        for (Segment s : segments.values()) {
            if (s.id() != activeId && s.isSealed()) {
                out.add(s);
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- ids

    /** A fresh segment id (for a compaction output). */
    public int allocateId() {
        return nextId.getAndIncrement();
    }

    /** Makes every later id higher than {@code id} (recovery: ids of existing and recently deleted files). */
    public void reserveThrough(int id) {
        // A loop, not accumulateAndGet(id + 1, Math::max): every open calls this (ARCHITECTURE.md, "Start-up cost").
        int next = nextId.get();
        while (next <= id && !nextId.compareAndSet(next, id + 1)) {
            next = nextId.get();
        }
    }

    /** The id the next {@link #allocateId()} returns. */
    public int nextId() {
        return nextId.get();
    }

    // ---------------------------------------------------------------- membership

    /** Adds a segment recovery opened (already listed in the MANIFEST, when the database has one). */
    public void addRecovered(Segment segment) {
        segments.put(segment.id(), segment);
        unpublished.incrementAndGet();
        reserveThrough(segment.id());
    }

    /** Recovery added its segments: lookups by id go through one table of them again. */
    public void endRecovery() {
        republish();
    }

    /**
     * Creates the next active segment: the file is durable (file and directory fsynced) and listed in the MANIFEST
     * before readers or the writer can see it. A failure adds no entry; a file left behind by a failed MANIFEST
     * update holds no record, and the next open deletes it as unpublished ({@link SegmentInventory}).
     */
    @Override
    public Segment createActive() throws IOException {
        int id = allocateId();
        Segment s = files.create(id);
        try {
            manifest.add(id);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        segments.put(id, s);
        republish();
        Runnable first = firstWrite;
        if (first != null) {
            firstWrite = null;
            first.run();
        }
        return s;
    }

    /**
     * Runs {@code action} once, when the writer creates its first segment (the session's first write): open's
     * Maintenance starts background compaction then for a store that had nothing to compact.
     */
    public void whenWritesBegin(Runnable action) {
        firstWrite = action;
    }

    /**
     * Seals a rolled segment that is complete and fsynced: writes the hint the writer built while appending (the
     * segment is not re-read), records its length and header in the MANIFEST (so that losing its end is noticed
     * even without the hint), then switches its reads to a memory map. Called by the flusher.
     */
    public void seal(Segment segment, HintFile.Builder hint) throws IOException {
        files.writeHint(segment, hint);
        manifest.seal(segment);
        segment.seal();
    }

    /**
     * Publishes compaction outputs that are durable under their final names: lists them in the MANIFEST, then
     * reopens each as a sealed (memory-mapped) segment readers can find. Returns the published segments. When the
     * MANIFEST write fails, the outputs (which no reader knows yet) are deleted before the failure is thrown.
     */
    public List<Segment> publish(List<SegmentOutput> outputs) throws IOException {
        List<Integer> ids = new ArrayList<>();
        List<ManifestFile.Listed> sealed = new ArrayList<>();
        for (SegmentOutput o : outputs) {
            ids.add(o.segment().id());
            sealed.add(SegmentManifest.sealed(o.segment()));
        }
        try {
            manifest.addAll(sealed);
        } catch (IOException | RuntimeException e) {
            deleteUnlisted(outputs, ids, e);
            throw e;
        }
        List<Segment> published = new ArrayList<>();
        for (SegmentOutput o : outputs) {
            o.segment().close();
            Segment s = files.open(o.segment().id(), false);
            s.noteSequences(o.segment().minSequence(), o.segment().maxSequence());
            s.seal();
            segments.put(s.id(), s);
            republish();
            published.add(s);
        }
        return published;
    }

    /**
     * Deletes the outputs of a publish whose MANIFEST write failed, at once, so that a full disk gets their space
     * back without a reopen; first makes sure the MANIFEST does not list them. What cannot be deleted stays for the
     * next open, which deletes unlisted outputs as unpublished: a log line names it, and the problem is added to
     * {@code cause}.
     */
    private void deleteUnlisted(List<SegmentOutput> outputs, List<Integer> ids, Throwable cause) {
        try {
            manifest.unlistAfterFailedAdd(ids);
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
            logLeft(outputs, "the MANIFEST could not be confirmed without them: " + e);
            return;
        }
        int suppressed = cause.getSuppressed().length;
        for (SegmentOutput o : outputs) {
            o.abandon(cause);
        }
        Throwable[] problems = cause.getSuppressed();
        if (problems.length > suppressed) {
            logLeft(outputs, "deleting them failed: " + problems[suppressed]);
        }
    }

    /** Logs which files of {@code outputs} are still there after a failed publish, and why. */
    private void logLeft(List<SegmentOutput> outputs, String why) {
        List<String> left = new ArrayList<>();
        for (SegmentOutput o : outputs) {
            int id = o.segment().id();
            for (Path p : List.of(files.dataPath(id), files.hintPath(id))) {
                if (files.io().exists(p)) {
                    left.add(p.getFileName().toString());
                }
            }
        }
        if (!left.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "compaction outputs " + left + " in " + files.dir()
                    + " were not listed (their publish failed) and stay until the next open deletes them; " + why);
        }
    }

    /**
     * Removes {@code retired} for good: unlists them from the MANIFEST, then drops, closes and deletes each. The
     * caller fsyncs the directory (compaction does it once for all, after its journal).
     */
    public void remove(List<Segment> retired) throws IOException {
        List<Integer> ids = new ArrayList<>();
        for (Segment s : retired) {
            ids.add(s.id());
        }
        manifest.removeAll(ids);
        for (Segment s : retired) {
            segments.remove(s.id());
            republish();
            s.close();
            files.delete(s.id());
        }
    }

    /**
     * Discards segment {@code id} that holds nothing to keep (recovery: a torn header or no records; close: an
     * empty active segment): unlisted, closed if open, deleted, and the directory fsynced.
     */
    public void discard(int id) throws IOException {
        Segment s = segments.remove(id);
        republish();
        try {
            manifest.removeAll(List.of(id));
        } finally {
            // Closed also when the MANIFEST could not be rewritten (a full disk): no longer in the set, the segment
            // would escape closeAll and keep its file open. Its file stays, for the next open to delete.
            if (s != null) {
                s.close();
            }
        }
        files.delete(id);
        files.io().syncDirectory(files.dir());
    }

    /** Closes every segment; the first failure is thrown after all were tried, later ones suppressed. */
    public void closeAll() throws IOException {
        IOException first = null;
        for (Segment s : segments.values()) {
            try {
                s.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /**
     * Replaces {@link #byId} by a copy of {@link #segments}, after every change of it and before the changed
     * segment is used (a new one appended to or pointed at, a removed one closed). Serialized, so that the last
     * copy published follows every change made before it.
     */
    private synchronized void republish() {
        // Every segment counted here was put before it was counted, so the copy below holds it.
        int seen = unpublished.get();
        byId = SegmentsById.of(segments.values());
        if (seen > 0) {
            unpublished.addAndGet(-seen);
        }
    }

    // ---------------------------------------------------------------- live bytes

    /** A key directory entry now points at {@code location}. */
    public void addLive(Location location) {
        addLive(location.segmentId(), location.recordSize());
    }

    /** {@link #addLive(Location)} from the location's fields. */
    public void addLive(int segmentId, int recordSize) {
        Segment s = get(segmentId);
        if (s == null) {
            throw new IllegalStateException("a key directory entry points at segment " + segmentId
                    + ", which is not in the set");
        }
        s.addLiveBytes(recordSize);
    }

    /**
     * {@link #addLive(int, int)} of a record the log writer has just appended, called under the writer's lock,
     * which every change of the active segment's live bytes holds (appends, overwrites and deletes, the expiry
     * purge): compaction takes only sealed segments, and its moves reach a segment once the roll and the seal,
     * both under locks, have ordered these changes before them. So the sum needs no locked instruction, which an
     * atomic add would cost every put.
     */
    public void addAppended(int segmentId, int recordSize) {
        Segment s = get(segmentId);
        if (s == null) {
            throw new IllegalStateException("a record was appended to segment " + segmentId + ", not in the set");
        }
        s.addAppendedBytes(recordSize);
    }

    /** Adds {@code bytes} of live records to segment {@code id} (open: the sums from one pass over the keys). */
    public void addLiveBytes(int id, long bytes) {
        Segment s = get(id);
        if (s == null) {
            throw new IllegalStateException("live bytes counted for segment " + id + ", which is not in the set");
        }
        s.addLiveBytes(bytes);
    }

    /** A key directory entry that pointed at {@code previous} was replaced or removed (null: there was none). */
    public void release(Location previous) {
        if (previous != null) {
            release((long) previous.segmentId() << 32 | (previous.recordSize() & 0xFFFFFFFFL));
        }
    }

    /**
     * {@link #release(Location)} of the entry {@link KeyDir#put(Key, int, long, int, long)} returned: {@code
     * segmentId << 32 | recordSize}, or {@link KeyDir#ABSENT}.
     */
    public void release(long previous) {
        if (previous != KeyDir.ABSENT) {
            Segment s = get((int) (previous >>> 32));
            if (s != null) {
                s.addLiveBytes(-(int) previous);
            }
        }
    }

    /**
     * Key directory entries moved, by compaction's relocations summed per segment: off records of
     * {@code fromBytes[i]} bytes in all in segment {@code fromIds[i]}, onto copies of {@code toBytes[j]} in segment
     * {@code toIds[j]}. Every segment gaining bytes must be in the set; one losing them is skipped if it left it, as
     * in {@link #release}. One map lookup per segment, not per record.
     */
    public void moveLive(int[] fromIds, long[] fromBytes, int[] toIds, long[] toBytes) {
        for (int j = 0; j < toIds.length; j++) {
            Segment to = get(toIds[j]);
            if (to == null) {
                throw new IllegalStateException("a key directory entry points at segment " + toIds[j]
                        + ", which is not in the set");
            }
            to.addLiveBytes(toBytes[j]);
        }
        for (int i = 0; i < fromIds.length; i++) {
            Segment from = get(fromIds[i]);
            if (from != null) {
                from.addLiveBytes(-fromBytes[i]);
            }
        }
    }

    /** A key directory entry moved from {@code from} to {@code to} (compaction's relocation). */
    public void moveLive(Location from, Location to) {
        addLive(to);
        release(from);
    }
}
