package io.ferrumdb;

import java.util.Iterator;

/**
 * The keys of a {@link KeyRange} in its order, without their values and without a stream: what cursors handing keys
 * out in chunks (the language bindings) walk. Weakly consistent like {@link RangeIterator}: each key at most once,
 * never a key deleted or expired before the iterator was created, every key added before it was created and still
 * live when the walk reaches it. Each returned array is the caller's own.
 *
 * <p>Close it when done; closing is idempotent and any use after close throws IllegalStateException. It pins
 * nothing on disk.
 */
public interface KeyIterator extends Iterator<byte[]>, AutoCloseable {
    @Override
    void close();
}
