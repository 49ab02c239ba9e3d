package io.ferrumdb.internal.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileLock;
import java.nio.file.Path;

/** A {@link StorageFile} that forwards every call to another; tests override the calls they watch. */
public class ForwardingStorageFile implements StorageFile {
    protected final StorageFile delegate;

    public ForwardingStorageFile(StorageFile delegate) {
        this.delegate = delegate;
    }

    /** Whether this is a data segment (a {@code .seg} file), the file most tests watch. */
    public boolean isSegment() {
        return delegate.path().getFileName().toString().endsWith(".seg");
    }

    @Override
    public Path path() {
        return delegate.path();
    }

    @Override
    public int read(long position, ByteBuffer dst) throws IOException {
        return delegate.read(position, dst);
    }

    @Override
    public void write(long position, ByteBuffer src) throws IOException {
        delegate.write(position, src);
    }

    @Override
    public void force() throws IOException {
        delegate.force();
    }

    @Override
    public long size() throws IOException {
        return delegate.size();
    }

    @Override
    public void truncate(long size) throws IOException {
        delegate.truncate(size);
    }

    @Override
    public ByteBuffer map(long size) throws IOException {
        return delegate.map(size);
    }

    @Override
    public ByteBuffer map(long position, long size) throws IOException {
        return delegate.map(position, size);
    }

    @Override
    public ByteBuffer mapPrivate(long position, int size) throws IOException {
        return delegate.mapPrivate(position, size);
    }

    @Override
    public boolean isResident(ByteBuffer map, int offset, int size) {
        return delegate.isResident(map, offset, size);
    }

    @Override
    public FileLock tryLock(boolean shared) throws IOException {
        return delegate.tryLock(shared);
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }
}
