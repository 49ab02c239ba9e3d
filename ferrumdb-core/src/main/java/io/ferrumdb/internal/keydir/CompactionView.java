package io.ferrumdb.internal.keydir;

import java.lang.invoke.VarHandle;
import java.util.function.LongConsumer;

/**
 * Compaction's access to the key directory, by record rather than by key. A record is identified by where it lies
 * (segment id and offset: records are never rewritten in place), and only the key's own record can lie there, so
 * both of compaction's questions are answered from the slot table's location words alone, in two sequential walks
 * of the table in slot order: no hashing, no probe sequence, no key bytes, no random access per record.
 * <ul>
 *   <li>{@link #liveLocations}, before the copy: which of the inputs' records some key names (the live ones);</li>
 *   <li>{@link #switchCopies}, once the copies are published: every key still naming a copied record is pointed at
 *   its copy, with a compare-and-set under the mutation lock, a chunk of slots per hold.</li>
 * </ul>
 * A walk reads {@link #CHUNK} slots at a time into a heap array with one bulk copy ({@link SlotTable#copyWords}).
 * It costs a read of the whole table (24 bytes a slot) whatever the inputs hold; the probe per record it replaced
 * cost a cache and TLB miss per input record, a third of a compaction's CPU (issue 23, sessions 24-26).
 */
public final class CompactionView {
    /**
     * Slots a walk copies at a time (48 KiB of words, which stay in the core's cache while they are scanned), and
     * at most the switches one hold of the mutation lock makes: a writer waits for tens of microseconds at most.
     */
    static final int CHUNK = 2048;

    private final KeyDir keyDir;

    public CompactionView(KeyDir keyDir) {
        this.keyDir = keyDir;
    }

    /**
     * Hands {@code live} the location word ({@link #locationWord}) of every slot holding a key whose record lies in
     * a segment with an id in {@code [lo, hi]}, in slot order, from one walk of the table.
     *
     * <p>Lock-free, with plain loads, after taking the mutation lock once: every slot write made before the walk
     * began happens-before its reads. Each chunk is copied three times with a full fence between copies, a seqlock
     * read of the whole chunk ({@link SlotTable}'s concurrency): a slot's words are taken from the middle copy when
     * its version word was the same even number in the first and the last; otherwise the slot was being written (a
     * writer may also be stopped in the middle of a write) and it is read again under the mutation lock. So a slot
     * is seen whole, never a new key's header beside the location a removed key left in the slot (that would find
     * a deleted record live, and its copy could outlive its tombstone, dropped by this very compaction).
     *
     * <p>A slot written during the walk (or after the table it walks was replaced by a larger copy, which writers
     * then change instead) may be seen before or after that write; either is fine for a sealed segment's records,
     * because no write ever points a key back at an older record: a write makes the record it replaces dead, so a
     * slot seen naming an input record named it at some moment since the walk began (the answer may only
     * over-approximate), and a record named when the walk began and not seen was made dead by a write the walk
     * raced, newer than it and outside the inputs. A record found live that dies before its switch was copied for
     * nothing: {@link #switchCopies}' compare-and-set under the lock refuses its switch, and the copy is garbage
     * for a later compaction.
     */
    public void liveLocations(int lo, int hi, LongConsumer live) {
        SlotTable t;
        synchronized (keyDir.mutation) {
            t = keyDir.table;
            assert !t.isLoading() : "compaction during recovery's loading (tombstone markers in the table)";
        }
        int per = SlotTable.WORDS_PER_SLOT;
        long[] before = new long[CHUNK * per];
        long[] words = new long[CHUNK * per];
        long[] after = new long[CHUNK * per];
        for (int from = 0; from < t.capacity; from += CHUNK) {
            int n = Math.min(CHUNK, t.capacity - from);
            t.copyWords(from, n, before);
            VarHandle.fullFence();
            t.copyWords(from, n, words);
            VarHandle.fullFence();
            t.copyWords(from, n, after);
            for (int w = 0; w < n * per; w += per) {
                // A slot not naming an input in the middle copy is either stable (and names none) or being
                // written, which kills (or has killed) the input record it named: no need to know which.
                if (!names(words, w, lo, hi)) {
                    continue;
                }
                long version = before[w + 2] >>> 32;
                if (version == after[w + 2] >>> 32 && (version & 1) == 0) {
                    live.accept(words[w + 1]);
                } else {
                    long location = lockedLocation(t, from + w / per);
                    int segment = SlotTable.segmentOf(location);
                    if (location >= 0 && segment >= lo && segment <= hi) {
                        live.accept(location);
                    }
                }
            }
        }
    }

    /** Whether the slot whose words start at {@code words[w]} holds a key naming a segment in {@code [lo, hi]}. */
    private static boolean names(long[] words, int w, int lo, int hi) {
        int segment = SlotTable.segmentOf(words[w + 1]);
        // A removed slot keeps its last location word: the header says whether a key is there.
        return segment >= lo && segment <= hi && SlotTable.holdsKey(words[w]);
    }

    /** {@code slot}'s location word read under the mutation lock, or -1 (never a location word) when it holds no key. */
    private long lockedLocation(SlotTable t, int slot) {
        synchronized (keyDir.mutation) {
            return SlotTable.holdsKey(t.header(slot)) ? t.locationWordOf(slot) : -1;
        }
    }

    /**
     * The copies one compaction made of the records {@link #liveLocations} found, as {@link #switchCopies} asks
     * for them; copies are numbered from 0.
     */
    public interface Copies {
        /** The copy to switch a key naming {@code fromLocation} to, or -1 when none (not copied, or kept as it is). */
        int copyOf(long fromLocation);

        /** The copy's location word ({@link #locationWord}). */
        long location(int copy);

        int size(int copy);

        long expiresAt(int copy);

        /**
         * A key named {@code fromLocation}, a record of {@code fromSize} bytes, and now names {@code copy}; called
         * with the mutation lock held (the caller counts live bytes while the entry is in its cache; must not block).
         */
        void switched(long fromLocation, int fromSize, int copy);
    }

    /**
     * Switches every key that still names a copied record (of a segment with an id in {@code [lo, hi]}) to its copy,
     * from a walk of the table in slot order; returns how many switched. Each {@link #CHUNK} of slots is read
     * lock-free first and the mutation lock is taken only when a slot in it names a copied record; under the lock
     * each such slot is switched if it still holds a key naming that very record (compare-and-set by location: a
     * record is its key's alone, and a put, removal or expiry since the walk changed the slot, so a write that
     * landed meanwhile wins). A slot read lock-free as not naming a copied record does not name one afterwards
     * either (no write points a key back at an older record), so skipping it is safe.
     *
     * <p>If the table grows during the walk, the walk starts again over the new table: growth copied every slot,
     * the ones already switched included, and a switched slot no longer names an input record, so the second pass
     * switches only what the first had not reached.
     */
    public int switchCopies(int lo, int hi, Copies copies) {
        long[] words = new long[CHUNK * SlotTable.WORDS_PER_SLOT];
        int[] slots = new int[CHUNK];
        int[] found = new int[CHUNK];
        int switched = 0;
        SlotTable t = keyDir.table;
        for (int from = 0; from < t.capacity; from += CHUNK) {
            int n = Math.min(CHUNK, t.capacity - from);
            t.copyWords(from, n, words);
            int candidates = 0;
            for (int i = 0; i < n; i++) {
                long location = words[i * SlotTable.WORDS_PER_SLOT + 1];
                int segment = SlotTable.segmentOf(location);
                if (segment >= lo && segment <= hi && SlotTable.holdsKey(words[i * SlotTable.WORDS_PER_SLOT])) {
                    int copy = copies.copyOf(location);
                    if (copy >= 0) {
                        slots[candidates] = i;
                        found[candidates++] = copy;
                    }
                }
            }
            if (candidates == 0) {
                continue;
            }
            boolean grown;
            synchronized (keyDir.mutation) {
                grown = keyDir.table != t;
                for (int c = 0; c < candidates && !grown; c++) {
                    int slot = from + slots[c];
                    long fromLocation = words[slots[c] * SlotTable.WORDS_PER_SLOT + 1];
                    long header = t.header(slot);
                    if (SlotTable.holdsKey(header) && t.holdsLocation(slot, fromLocation)) {
                        int copy = found[c];
                        int fromSize = t.recordSize(slot);
                        t.switchLocation(slot, header, copies.location(copy), copies.size(copy),
                                copies.expiresAt(copy));
                        copies.switched(fromLocation, fromSize, copy);
                        switched++;
                    }
                }
            }
            if (grown) {
                t = keyDir.table;
                from = -CHUNK;
            }
        }
        return switched;
    }

    /**
     * Points {@code key} at {@code replacement} if its entry is still {@code expected} (compared by value), one key
     * at a time (tests and tools; compaction switches by walking the table, {@link #switchCopies}).
     */
    public boolean relocate(Key key, Location expected, Location replacement) {
        synchronized (keyDir.mutation) {
            SlotTable t = keyDir.table;
            int slot = keyDir.writer.find(t, key.bytes(), 0, key.bytes().length, key.directoryHash());
            if (slot < 0 || !t.holds(slot, expected)) {
                return false;
            }
            t.write(slot, t.header(slot), replacement);
            return true;
        }
    }

    /**
     * The location {@code (segmentId, offset)} packed as a slot holds it, so that a copy is kept and compared as
     * one word.
     *
     * @throws io.ferrumdb.FerrumException if the key directory cannot hold that location
     */
    public static long locationWord(int segmentId, long offset) {
        SlotTable.checkLimits(segmentId, offset);
        return SlotTable.locationWord(segmentId, offset);
    }

    /** The segment id of a word made by {@link #locationWord}. */
    public static int segmentOf(long locationWord) {
        return SlotTable.segmentOf(locationWord);
    }

    /** The offset of a word made by {@link #locationWord}. */
    public static long offsetOf(long locationWord) {
        return locationWord & SlotTable.MAX_OFFSET;
    }
}
