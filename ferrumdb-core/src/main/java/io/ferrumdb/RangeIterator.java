package io.ferrumdb;

import java.util.Iterator;

/**
 * A weakly consistent iterator over a {@link KeyRange}: it never throws ConcurrentModificationException, returns
 * each key at most once, never returns a key deleted or expired before it was created, and returns for each key a
 * value the key had at some moment during the iteration. Values are read lazily, one read per returned entry.
 *
 * <p>Close it when done; closing is idempotent and any use after close throws IllegalStateException. An open
 * iterator pins nothing on disk: compaction may proceed, and an entry whose old location was compacted away is
 * re-read from its new one.
 */
public interface RangeIterator extends Iterator<KeyValue>, AutoCloseable {
    /** Receives an entry from {@link #readNext}. */
    @FunctionalInterface
    interface EntryReader {
        /**
         * @param key         the entry's key: the caller's to keep
         * @param value       holds the value from {@code valueOffset}, {@code valueLength} bytes long; readable only
         *                    during this call (the iterator reuses it): copy what you keep
         */
        void accept(byte[] key, byte[] value, int valueOffset, int valueLength);
    }

    /**
     * Moves to the next entry, as {@link #next} does, and hands it to {@code reader} without making a
     * {@link KeyValue} or a value array: for callers that copy entries on (the language bindings' chunks). The
     * same entries, in the same order, as {@link #next}; the two can be mixed.
     *
     * @return false, without calling {@code reader}, when there are no more entries
     * @throws IllegalStateException when the iterator is closed
     */
    default boolean readNext(EntryReader reader) {
        if (!hasNext()) {
            return false;
        }
        KeyValue e = next();
        reader.accept(e.key(), e.value(), 0, e.value().length);
        return true;
    }

    @Override
    void close();
}
