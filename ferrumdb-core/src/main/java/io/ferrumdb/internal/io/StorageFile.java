package io.ferrumdb.internal.io;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileLock;
import java.nio.file.Path;

/** A file opened through {@link FileIO}. Positional reads and writes; safe for concurrent positional reads. */
public interface StorageFile extends AutoCloseable {
    Path path();

    /** Reads until {@code dst} is full or end of file; returns the bytes read. */
    int read(long position, ByteBuffer dst) throws IOException;

    /** Writes all of {@code src} at {@code position}. */
    void write(long position, ByteBuffer src) throws IOException;

    /** fdatasync: forces written bytes (and the size) to stable storage. */
    void force() throws IOException;

    long size() throws IOException;

    void truncate(long size) throws IOException;

    /** A read-only memory map of the first {@code size} bytes, for immutable files. */
    ByteBuffer map(long size) throws IOException;

    /**
     * A read-only memory map of the {@code size} bytes at {@code position}, all below the file's size, for bytes of
     * the file that are never changed again. This default maps the file from its start and hands out a view of the
     * range (the same bytes; an implementation maps the range alone).
     */
    default ByteBuffer map(long position, long size) throws IOException {
        return map(position + size).slice(Math.toIntExact(position), Math.toIntExact(size));
    }

    /**
     * The {@code size} bytes at {@code position}, all below the file's size, as memory private to the caller, which
     * may change it: no change ever reaches the file. This default reads them into fresh direct memory (a file
     * layer that cannot map, such as a test's that rewrites files in place to simulate a power loss). The
     * java.nio layer maps them copy-on-write ({@code MapMode.PRIVATE}: pages come from the page cache until
     * written; the file must be open for writing): then the file must never be truncated or rewritten in place while
     * the buffer lives (a truncated page faults, which the JVM reports as an {@link InternalError} or, outside its
     * guarded accesses, by crashing), and the mapping stays until the garbage collector frees the buffer.
     *
     * @throws java.io.EOFException when the file ends before {@code position + size}
     */
    default ByteBuffer mapPrivate(long position, int size) throws IOException {
        ByteBuffer b = ByteBuffer.allocateDirect(size);
        int n = read(position, b);
        if (n != size) {
            throw new EOFException(path() + ": the file ends " + n + " bytes into the " + size + " at " + position);
        }
        return b.flip();
    }

    /**
     * True when reading {@code size} bytes at {@code offset} of {@code map} (what {@link #map} returned) needs no
     * disk I/O: the pages are resident (mincore, through {@link MappedByteBuffer#isLoaded()} of a slice covering
     * them; a slice keeps the mapping's file descriptor, checked on JDK 17 and 25 by MappedResidencyTest), or the
     * map is not a file mapping at all. A page evicted right after the check only costs the read a page fault.
     */
    default boolean isResident(ByteBuffer map, int offset, int size) {
        return !(map instanceof MappedByteBuffer) || ((MappedByteBuffer) map.slice(offset, size)).isLoaded();
    }

    /** Tries an exclusive (or shared) lock of the whole file; null if another process holds it. */
    FileLock tryLock(boolean shared) throws IOException;

    @Override
    void close() throws IOException;
}
