package io.ferrumdb.internal.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A {@link FileIO} that forwards every call to another; tests override the calls they watch, and {@link #wrap} to
 * watch the files it opens and creates (with a {@link ForwardingStorageFile}).
 */
public class ForwardingFileIO implements FileIO {
    protected final FileIO delegate;

    public ForwardingFileIO(FileIO delegate) {
        this.delegate = delegate;
    }

    /** What {@link #open} and {@link #create} return for the delegate's {@code file}: itself unless overridden. */
    protected StorageFile wrap(StorageFile file) {
        return file;
    }

    @Override
    public StorageFile open(Path file, boolean writable) throws IOException {
        return wrap(delegate.open(file, writable));
    }

    @Override
    public StorageFile create(Path file) throws IOException {
        return wrap(delegate.create(file));
    }

    @Override
    public void rename(Path source, Path target) throws IOException {
        delegate.rename(source, target);
    }

    @Override
    public void delete(Path file) throws IOException {
        delegate.delete(file);
    }

    @Override
    public void syncDirectory(Path directory) throws IOException {
        delegate.syncDirectory(directory);
    }

    @Override
    public List<Path> list(Path directory) throws IOException {
        return delegate.list(directory);
    }

    @Override
    public void createDirectories(Path directory) throws IOException {
        delegate.createDirectories(directory);
    }

    @Override
    public boolean exists(Path path) {
        return delegate.exists(path);
    }

    @Override
    public void linkOrCopy(Path existing, Path link) throws IOException {
        delegate.linkOrCopy(existing, link);
    }
}
