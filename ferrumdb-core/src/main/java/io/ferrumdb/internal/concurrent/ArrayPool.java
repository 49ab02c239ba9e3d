package io.ferrumdb.internal.concurrent;

import java.lang.ref.SoftReference;
import java.util.ArrayDeque;
import java.util.function.Supplier;

/**
 * Arrays of one kind and length kept from one compaction for the next. A warm compaction of 300,000 records
 * allocated about 35 MB of arrays it dropped at its end (relocation chunks, hint blocks, output buffers), and on a
 * JVM whose young generation was growing each of them landed on memory never touched before: the page faults and the
 * JVM's zeroing of those arrays were a quarter of the compaction's CPU in a profile (issue 23, session 11). Arrays
 * taken again are neither zeroed nor faulted in. Worth it for large arrays written from end to end (a 1 MiB output
 * buffer, a 256 KiB hint block); small ones filled piecemeal (the 1.5 KiB relocation chunks) were measured slower
 * kept than new, their lines cold where a new array's were just zeroed.
 *
 * <p>A taken array holds whatever its last user left in it: a user tracks how much of it is valid. At most
 * {@code maxKept} arrays are kept, and softly: the collector may drop them when the heap runs short, and
 * {@link #take} then allocates. Thread-safe (the parts of a compaction take and give on their own threads).
 *
 * @param <T> an array type
 */
public final class ArrayPool<T> {
    private final Supplier<T> allocate;
    private final int maxKept;
    private SoftReference<ArrayDeque<T>> kept = new SoftReference<>(null);

    /**
     * @param allocate makes a new array of the pool's length
     * @param maxKept  arrays kept at most between uses; 0 keeps none (every take allocates)
     */
    public ArrayPool(Supplier<T> allocate, int maxKept) {
        if (maxKept < 0) {
            throw new IllegalArgumentException("maxKept " + maxKept);
        }
        this.allocate = allocate;
        this.maxKept = maxKept;
    }

    /** A pool that keeps nothing: for one-off users such as repair. */
    public static <T> ArrayPool<T> none(Supplier<T> allocate) {
        return new ArrayPool<>(allocate, 0);
    }

    /** A kept array (with the contents its last user left) or a new one. */
    public T take() {
        T array = null;
        synchronized (this) {
            ArrayDeque<T> arrays = kept.get();
            if (arrays != null) {
                array = arrays.pollLast();
            }
        }
        return array != null ? array : allocate.get();
    }

    /**
     * Keeps {@code array}, made by this pool's {@code allocate}, for a later {@link #take} (or drops it when the
     * pool is full). The caller must not touch it afterwards.
     */
    public void give(T array) {
        if (maxKept == 0) {
            return;
        }
        synchronized (this) {
            ArrayDeque<T> arrays = kept.get();
            if (arrays == null) {
                arrays = new ArrayDeque<>();
                kept = new SoftReference<>(arrays);
            }
            if (arrays.size() < maxKept) {
                arrays.addLast(array);
            }
        }
    }

    /** The arrays kept now (tests). */
    public synchronized int kept() {
        ArrayDeque<T> arrays = kept.get();
        return arrays == null ? 0 : arrays.size();
    }
}
