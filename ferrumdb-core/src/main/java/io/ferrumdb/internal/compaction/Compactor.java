package io.ferrumdb.internal.compaction;

import io.ferrumdb.internal.concurrent.ArrayPool;
import io.ferrumdb.internal.concurrent.ProgressMeter;
import io.ferrumdb.internal.concurrent.Uninterruptibly;
import io.ferrumdb.internal.directory.DatabaseDirectory;
import io.ferrumdb.internal.directory.FileNames;
import io.ferrumdb.internal.format.CompactionJournal;
import io.ferrumdb.internal.keydir.CompactionView;
import io.ferrumdb.internal.keydir.KeyDir;
import io.ferrumdb.internal.log.InputWindow;
import io.ferrumdb.internal.log.Segment;
import io.ferrumdb.internal.log.SegmentFiles;
import io.ferrumdb.internal.log.SegmentOutput;
import io.ferrumdb.internal.log.SegmentSet;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Rewrites the live records of sealed segments into new segments and deletes the old ones, without stopping
 * readers or writers. The steps, each durable before the next:
 * <ol>
 *   <li>find the inputs' live records from one walk of the key directory's table ({@link LiveRecords}); copy them
 *   (and tombstones, or expired values turned into tombstones, that may still hide an older value elsewhere) into
 *   output files under temporary names; fsync them and write their hint files;</li>
 *   <li>rename the outputs to their final names and fsync the directory; list them in the MANIFEST; publish
 *   them to readers;</li>
 *   <li>switch the key directory entry of each copied record with compare-and-set, in a second walk of the table,
 *   so that a write that landed meanwhile on the same key wins over the copy;</li>
 *   <li>write the COMPACTION journal listing the inputs, unlist them from the MANIFEST, delete them, fsync the
 *   directory, and delete the journal. Open finishes an interrupted step 4 from the journal.</li>
 * </ol>
 * Steps 3 and 4 share one rule, not an order: no input is deleted before every switch is made and the journal is
 * durable. The journal needs nothing from the switches (the key directory lives in memory only), so when the run
 * has several parts its writes run on the pool while the caller makes the switches.
 * A crash before step 4 leaves duplicates of some records (same sequence numbers), which open resolves and a
 * later compaction reclaims; a crash during it is finished at open. Readers that looked up a location in an input
 * just before it was deleted still read it: sealed segments are memory-mapped and a mapping outlives its file.
 *
 * <p>A background compaction can be abandoned (the database is closing): step 1 checks its {@code abandon} signal
 * at safe points (before each input, every {@link #BATCH} records, while throttled, before each output is
 * finished and before the first rename) and then deletes its outputs, exactly as after an I/O failure. Nothing
 * outside the outputs has changed by then; from the first rename on, a run always finishes.
 */
public final class Compactor {
    /** What a run did, for the public CompactionResult. */
    public record Outcome(int segmentsCompacted, long bytesRead, long bytesWritten) {
    }

    /**
     * A part's live bytes are at least {@code segmentSize / MIN_PART_DIVISOR}: less would leave outputs that the
     * policy counts as small ({@link CompactionPolicy#isSmall}) and merges again.
     */
    static final int MIN_PART_DIVISOR = 4;
    /**
     * Names of the threads that run the subcompactions after the first (the caller runs that one), and the journal's
     * writes while the caller switches the key directory.
     */
    public static final String THREAD_NAME = "ferrumdb-subcompaction-";
    /** Records a part decides per call of its copy loop's method, and between two checks of {@code abandon}. */
    static final int BATCH = 16;


    private final KeyDir keyDir;
    private final CompactionView view;
    private final SegmentFiles files;
    /** The one owner of the segment map, output ids and live bytes; the compactor changes them only through it. */
    private final SegmentSet segments;
    private final long segmentSize;
    private final long bytesPerSecond;
    private final Durability durable;
    private final Runnable syncWrites;
    /**
     * The outputs' write buffers (for 4 outputs at once, 8 MiB) and hint blocks (96 of 256 KiB, the hints of about
     * 500,000 entries of 16-byte keys), kept from one run to the next (see {@link
     * io.ferrumdb.internal.concurrent.ArrayPool}), softly, so memory pressure frees them.
     */
    private final SegmentOutput.Pools outputPools = SegmentOutput.Pools.kept(4, 96);
    /**
     * The inputs' hint buffers and the live records' arrays ({@link RunArrays}: the sizing policy), kept from one
     * run to the next and dropped at {@link #close}. A run gives them back only when it succeeds: after a failure a
     * part might still read them (one not yet stopped when the pool refused another), so they are left to the
     * collector.
     */
    private final RunArrays.Keeper kept = new RunArrays.Keeper();
    /** The parts' input windows' buffers (1 MiB each, direct), kept from run to run, softly. */
    private final ArrayPool<ByteBuffer> windows = new ArrayPool<>(InputWindow::newBuffer, 4);
    /** Threads for subcompactions, created when a compaction first runs more than one part. */
    private ThreadPoolExecutor pool;

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
        return compact(inputs, abandon, 1, ProgressMeter.IGNORE);
    }

    /**
     * As {@link #compact(List, BooleanSupplier)}, with step 1 split into up to {@code threads} subcompactions
     * ({@link CompactionPart}), the calling thread running one: each copies a contiguous share of the inputs'
     * records (by bytes, in file order) into outputs of its own. Fewer run when the inputs' live bytes would give a
     * part less than {@link #MIN_PART_DIVISOR a quarter segment} to write (its last output would be a small file
     * that background compaction merges again). The publish (steps 2 to 4) is one step for all outputs, exactly as
     * with one thread, so a crash leaves what it leaves after a one-thread run. A failing part stops the others at
     * their next safe point; every part's outputs are then deleted and the first failure is thrown.
     *
     * <p>{@code listener} hears the input bytes decided, out of all the inputs' bytes, from every part's thread
     * ({@link ProgressMeter}); the total once the inputs are deleted.
     */
    public Outcome compact(List<Segment> inputs, BooleanSupplier abandon, int threads, ProgressMeter.Listener listener)
            throws IOException {
        if (inputs.isEmpty()) {
            new ProgressMeter(0, listener).complete();
            return new Outcome(0, 0, 0);
        }
        Set<Integer> inputIds = new HashSet<>();
        long bytesRead = 0;
        long live = 0;
        for (Segment s : inputs) {
            inputIds.add(s.id());
            bytesRead += s.writtenLength();
            live += s.liveBytes();
        }
        long oldestOutside = oldestSequenceOutside(inputIds);
        // Read before any record is decided: while it holds, records are dropped for newer writes not yet durable.
        boolean decidedWhileHealthy = durable.all();
        int parts = (int) Math.max(1, Math.min(threads, live / Math.max(1, segmentSize / MIN_PART_DIVISOR)));
        CompactionPart.RateLimit rate = new CompactionPart.RateLimit(bytesPerSecond);
        RunArrays arrays = kept.take();
        InputHints hints = new InputHints(files, arrays);
        ProgressMeter progress = new ProgressMeter(bytesRead, listener);
        // After the caller purged expired entries (as the record fates expect) and before any record is decided.
        boolean encrypted = files.ciphers().encrypted();
        LiveRecords liveRecords = LiveRecords.of(view, inputs,
                in -> CompactionPart.copiesByBitmap(in, decidedWhileHealthy, oldestOutside, encrypted), arrays);
        List<CompactionPart> running = new ArrayList<>(parts);
        for (List<CompactionPart.Share> shares : split(inputs, bytesRead, parts)) {
            running.add(new CompactionPart(keyDir, liveRecords, segments, segmentSize, durable, oldestOutside, rate,
                    shares, outputPools, windows, hints, progress));
        }
        List<SegmentOutput> outputs = new ArrayList<>();
        try {
            copyInParts(running, inputs, abandon);
            for (CompactionPart part : running) {
                outputs.addAll(part.outputs);
            }
            // The last safe point: a rename begins publishing (a renamed output outlives a crash until open
            // deletes it as unpublished), and from here on the run finishes.
            abandonIf(abandon, inputs);
            for (SegmentOutput o : outputs) {
                files.io().rename(o.tmpPath(), files.dataPath(o.segment().id()));
            }
            files.io().syncDirectory(files.dir());
        } catch (IOException | RuntimeException | Error e) {
            for (CompactionPart part : running) {
                for (SegmentOutput o : part.outputs) {
                    o.abandon(e);
                }
            }
            throw e;
        }
        // The outputs are durable under their final names; once listed in the MANIFEST a crash keeps them (before,
        // open deletes them as unpublished compaction outputs: the inputs still hold every record). A failed
        // MANIFEST write deletes them at once (SegmentSet#publish), as the catch above does after a failed rename.
        segments.publish(outputs);
        if (running.size() == 1) {
            liveRecords.apply(view, segments);
            syncAndJournal(inputs, decidedWhileHealthy);
        } else {
            // The caller of db.compact() waits for the switches and the journal, and neither needs the other: the key
            // directory lives in memory only, so a crash after the journal and before the last switch leaves what a
            // crash after the switches leaves. The journal's fsyncs run on the (idle) pool while the switches run
            // here. Both are done before any input is deleted. One part (background compaction) stays on its thread.
            // Once the journal is durable the pool also deletes the inputs' hints, which nothing reads again (see
            // deleteHints): unlinking a hint frees its cached pages, 3-9 ms per 7 MB hint (issue 23, session 10).
            Future<?> journal = pool(1).submit(() -> {
                syncAndJournal(inputs, decidedWhileHealthy);
                deleteHints(inputs);
                return null;
            });
            try {
                liveRecords.apply(view, segments);
            } catch (RuntimeException | Error e) {
                try {
                    Uninterruptibly.get(journal, "the compaction journal");
                } catch (IOException | RuntimeException | Error j) {
                    e.addSuppressed(j);
                }
                throw e;
            }
            Uninterruptibly.get(journal, "the compaction journal");
        }
        // Every part has ended and the switches are made: nothing reads the arrays any more.
        kept.give(arrays);
        deleteInputs(inputs);
        progress.complete();
        return new Outcome(inputs.size(), bytesRead, bytesWritten(outputs));
    }

    /**
     * Step 4's first half: syncs the writer, then writes the journal naming the inputs. A record was dropped because
     * the key directory names a newer write, which may not be durable yet (any policy but always, or an always-write
     * not yet acknowledged). Deleting the inputs before that write is durable would let a crash lose both: the key
     * would fall back to an older value or vanish, a hole in the log's prefix (found by PowerLossTest). Sync first,
     * so that every superseding write outlives the inputs.
     *
     * <p>When a write failed after records were decided on a healthy writer ({@code decidedWhileHealthy}), no sync
     * can make the failed writes durable, and some dropped record may have been superseded only by one of them: the
     * inputs are kept (the run fails after its publish, which leaves what a crash there leaves; the published outputs
     * hold copies of records the inputs also hold). A run that began after the failure decided by the failure's rules
     * ({@link CompactionPart}'s KEEP) and may retire its inputs. Found by ferrumdb-doc's WriteFailureTest in CI: a
     * document acknowledged long before vanished after a failed update and a reopen.
     */
    private void syncAndJournal(List<Segment> inputs, boolean decidedWhileHealthy) throws IOException {
        syncWrites.run();
        if (decidedWhileHealthy && !durable.all()) {
            throw new IOException("a write failed while this compaction ran; its inputs are kept, since records it"
                    + " dropped may have been superseded only by writes the failure lost");
        }
        DatabaseDirectory.writeDurably(files.io(), files.dir(), FileNames.COMPACTION,
                CompactionJournal.encode(files.databaseId(), ids(inputs)));
    }

    /**
     * Runs the parts' step 1, the first on this thread and the others on the pool, and waits for all of them. The
     * first failure (or abandonment) stops the others at their next safe point, and is thrown with the others'
     * failures suppressed (not their abandonments, which it caused).
     */
    private void copyInParts(List<CompactionPart> parts, List<Segment> inputs, BooleanSupplier abandon)
            throws IOException {
        AtomicReference<Throwable> first = new AtomicReference<>();
        Thread[] threads = new Thread[parts.size()];
        BooleanSupplier stop = () -> first.get() != null || abandon.getAsBoolean();
        Runnable stopIf = () -> abandonIf(stop, inputs);
        Throwable[] failures = new Throwable[parts.size()];
        List<Future<?>> others = new ArrayList<>();
        for (int i = 1; i < parts.size(); i++) {
            int index = i;
            others.add(pool(parts.size() - 1).submit(() -> runPart(parts, index, threads, failures, first, stop,
                    stopIf)));
        }
        runPart(parts, 0, threads, failures, first, stop, stopIf);
        for (Future<?> f : others) {
            Uninterruptibly.await(() -> {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    first.compareAndSet(null, e.getCause()); // runPart catches everything; kept should that change
                }
                return true;
            });
        }
        Throwable failure = first.get();
        if (failure == null) {
            return;
        }
        for (Throwable t : failures) {
            if (t != null && t != failure && !(t instanceof CompactionAbandonedException)) {
                failure.addSuppressed(t);
            }
        }
        throw Uninterruptibly.asIOException(failure, "a subcompaction");
    }

    /** Runs part {@code i} on this thread; a failure is noted and, if it is the first, stops the other parts. */
    private static void runPart(List<CompactionPart> parts, int i, Thread[] threads, Throwable[] failures,
                                AtomicReference<Throwable> first, BooleanSupplier stop, Runnable stopIf) {
        synchronized (threads) {
            threads[i] = Thread.currentThread();
        }
        try {
            parts.get(i).copy(stopIf, stop);
        } catch (Throwable t) {
            failures[i] = t;
            if (first.compareAndSet(null, t)) {
                // A part parked by the rate limit wakes now, sees the stop and gives up.
                synchronized (threads) {
                    for (Thread other : threads) {
                        if (other != null) {
                            LockSupport.unpark(other);
                        }
                    }
                }
            }
        } finally {
            synchronized (threads) {
                threads[i] = null;
            }
        }
    }

    /**
     * The inputs cut into {@code parts} contiguous shares of about equal bytes, in file order. A cut inside a
     * segment falls at that byte, or between hint entries in proportion to the bytes ({@link CompactionPart.Share}).
     */
    static List<List<CompactionPart.Share>> split(List<Segment> inputs, long totalBytes, int parts) {
        List<List<CompactionPart.Share>> shares = new ArrayList<>(parts);
        for (int p = 0; p < parts; p++) {
            shares.add(new ArrayList<>());
        }
        long before = 0;
        for (Segment in : inputs) {
            long length = in.writtenLength();
            for (int p = 0; p < parts; p++) {
                // Part p covers bytes [totalBytes * p / parts, totalBytes * (p + 1) / parts) of the concatenation.
                long lo = Math.max(before, cut(totalBytes, p, parts));
                long hi = Math.min(before + length, cut(totalBytes, p + 1, parts));
                if (lo < hi) {
                    shares.get(p).add(new CompactionPart.Share(in, lo - before, hi - before));
                }
            }
            before += length;
        }
        return shares;
    }

    private static long cut(long total, int p, int parts) {
        return p == parts ? total : (long) ((double) total * p / parts);
    }

    /** The pool the parts after the first run on, with at least {@code threads} threads; idle threads end. */
    private synchronized ThreadPoolExecutor pool(int threads) {
        if (pool == null) {
            AtomicInteger n = new AtomicInteger();
            pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, THREAD_NAME + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            pool.allowCoreThreadTimeOut(true);
        } else if (pool.getMaximumPoolSize() < threads) {
            pool.setMaximumPoolSize(threads);
            pool.setCorePoolSize(threads);
        }
        return pool;
    }

    /** What is kept between runs (tests). */
    RunArrays.Keeper keptArrays() {
        return kept;
    }

    /** Stops the subcompaction threads and drops the arrays kept for the next run (no compaction is running). */
    public synchronized void close() {
        kept.close();
        if (pool != null) {
            pool.shutdown();
            pool = null;
        }
    }

    /**
     * Deletes the hint files of {@code inputs}, which the durable journal has retired: a crash from here on finishes
     * the compaction at open, which deletes the inputs and any hint left without its segment. Until then nothing
     * reads them: only open and compaction read hints, and a backup, which also does, waits for the maintenance lock
     * this compaction holds. Should the run fail after this (a switch), the inputs stay without hints, which a later
     * compaction of them rebuilds from their data.
     */
    private void deleteHints(List<Segment> inputs) throws IOException {
        for (Segment s : inputs) {
            files.io().delete(files.hintPath(s.id()));
        }
    }

    /** Step 4's second half, once the journal names them: deletes the superseded segments, then the journal. */
    private void deleteInputs(List<Segment> inputs) throws IOException {
        Path journal = files.dir().resolve(FileNames.COMPACTION);
        segments.remove(inputs);
        files.io().syncDirectory(files.dir());
        files.io().delete(journal);
        files.io().syncDirectory(files.dir());
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

    private static long bytesWritten(List<SegmentOutput> outputs) {
        long total = 0;
        for (SegmentOutput o : outputs) {
            total += o.length();
        }
        return total;
    }

    /** A safe point of step 1: throws (and the caller deletes the outputs) once {@code abandon} is true. */
    private static void abandonIf(BooleanSupplier abandon, List<Segment> inputs) {
        if (abandon.getAsBoolean()) {
            throw new CompactionAbandonedException(ids(inputs));
        }
    }

    private static List<Integer> ids(List<Segment> segments) {
        List<Integer> ids = new ArrayList<>(segments.size());
        for (Segment s : segments) {
            ids.add(s.id());
        }
        return ids;
    }

}
