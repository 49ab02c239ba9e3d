package io.ferrumdb.internal.io;

import java.io.IOException;
import java.nio.ByteBuffer;
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

    /** Tries an exclusive (or shared) lock of the whole file; null if another process holds it. */
    FileLock tryLock(boolean shared) throws IOException;

    @Override
    void close() throws IOException;
}
