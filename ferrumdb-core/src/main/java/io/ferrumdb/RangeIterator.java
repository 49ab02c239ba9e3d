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
    @Override
    void close();
}
