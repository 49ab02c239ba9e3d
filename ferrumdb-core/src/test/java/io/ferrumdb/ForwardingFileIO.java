package io.ferrumdb;

import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.io.StorageFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** A {@link FileIO} that forwards every call to another; tests override the calls they watch. */
class ForwardingFileIO implements FileIO {
    protected final FileIO delegate;

    ForwardingFileIO(FileIO delegate) {
        this.delegate = delegate;
    }

    @Override
    public StorageFile open(Path file, boolean writable) throws IOException {
        return delegate.open(file, writable);
    }

    @Override
    public StorageFile create(Path file) throws IOException {
        return delegate.create(file);
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
