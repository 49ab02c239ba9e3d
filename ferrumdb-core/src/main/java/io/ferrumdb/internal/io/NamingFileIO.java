package io.ferrumdb.internal.io;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileLock;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.List;

/**
 * A {@link FileIO} whose failures name their file: a FileChannel's errors carry only the OS's words ("No space left
 * on device", "Input/output error"), so a full disk while the engine rebuilt a hint, wrote a compaction output or
 * created a segment said nothing of which file, or where. Every failure of a call here that does not name its file
 * already becomes a {@link FileSystemException} naming it, with the operation, offset and size where there are
 * some ("No space left on device (writing 4096 bytes at offset 8192)"); the original stays its cause.
 *
 * <p>Left as they are: {@link ClosedChannelException} and {@link InterruptedIOException} (a closed file or an
 * interrupt, which callers tell apart by type) and failures that name the file already (the JDK's
 * {@code NoSuchFileException} and the like). The engine wraps the {@link FileIO} of its options in this once
 * ({@code Options}), so every part of it, and every file layer a test injects, is covered.
 */
public final class NamingFileIO implements FileIO {
    private final FileIO delegate;

    private NamingFileIO(FileIO delegate) {
        this.delegate = delegate;
    }

    /** {@code io}, naming files in its failures; itself when it does already. */
    public static FileIO wrap(FileIO io) {
        return io instanceof NamingFileIO ? io : new NamingFileIO(io);
    }

    /**
     * {@code e}, or a FileSystemException naming {@code file} and saying what was being done ({@code doing}, null for
     * nothing more than the file) with {@code e} as its cause, when {@code e} names no file (see the class comment).
     */
    public static IOException naming(Path file, String doing, IOException e) {
        if (e instanceof FileSystemException || e instanceof ClosedChannelException
                || e instanceof InterruptedIOException) {
            return e;
        }
        String message = e.getMessage();
        if (message != null && message.contains(file.toString())) {
            return e;
        }
        String reason = (message != null ? message : "I/O error") + (doing == null ? "" : " (" + doing + ")");
        FileSystemException named = new FileSystemException(file.toString(), null, reason);
        named.initCause(e);
        return named;
    }

    private static String bytesAt(long bytes, long position) {
        return bytes + " bytes at offset " + position;
    }

    @Override
    public StorageFile open(Path file, boolean writable) throws IOException {
        try {
            return new Named(delegate.open(file, writable));
        } catch (IOException e) {
            throw naming(file, writable ? "opening for writing" : "opening", e);
        }
    }

    @Override
    public StorageFile create(Path file) throws IOException {
        try {
            return new Named(delegate.create(file));
        } catch (IOException e) {
            throw naming(file, "creating", e);
        }
    }

    @Override
    public void rename(Path source, Path target) throws IOException {
        try {
            delegate.rename(source, target);
        } catch (IOException e) {
            throw naming(source, "renaming to " + target.getFileName(), e);
        }
    }

    @Override
    public void delete(Path file) throws IOException {
        try {
            delegate.delete(file);
        } catch (IOException e) {
            throw naming(file, "deleting", e);
        }
    }

    @Override
    public void syncDirectory(Path directory) throws IOException {
        try {
            delegate.syncDirectory(directory);
        } catch (IOException e) {
            throw naming(directory, "fsync of the directory", e);
        }
    }

    @Override
    public List<Path> list(Path directory) throws IOException {
        try {
            return delegate.list(directory);
        } catch (IOException e) {
            throw naming(directory, "listing", e);
        }
    }

    @Override
    public void createDirectories(Path directory) throws IOException {
        try {
            delegate.createDirectories(directory);
        } catch (IOException e) {
            throw naming(directory, "creating the directory", e);
        }
    }

    @Override
    public boolean exists(Path path) {
        return delegate.exists(path);
    }

    @Override
    public void linkOrCopy(Path existing, Path link) throws IOException {
        try {
            delegate.linkOrCopy(existing, link);
        } catch (IOException e) {
            throw naming(link, "linking or copying " + existing, e);
        }
    }

    /** A file whose failures name it. */
    private static final class Named implements StorageFile {
        private final StorageFile file;

        Named(StorageFile file) {
            this.file = file;
        }

        @Override
        public Path path() {
            return file.path();
        }

        @Override
        public int read(long position, ByteBuffer dst) throws IOException {
            int wanted = dst.remaining();
            try {
                return file.read(position, dst);
            } catch (IOException e) {
                throw naming(file.path(), "reading " + bytesAt(wanted, position), e);
            }
        }

        @Override
        public void write(long position, ByteBuffer src) throws IOException {
            int bytes = src.remaining();
            try {
                file.write(position, src);
            } catch (IOException e) {
                throw naming(file.path(), "writing " + bytesAt(bytes, position), e);
            }
        }

        @Override
        public void force() throws IOException {
            try {
                file.force();
            } catch (IOException e) {
                throw naming(file.path(), "fsync", e);
            }
        }

        @Override
        public long size() throws IOException {
            try {
                return file.size();
            } catch (IOException e) {
                throw naming(file.path(), "reading its size", e);
            }
        }

        @Override
        public void truncate(long size) throws IOException {
            try {
                file.truncate(size);
            } catch (IOException e) {
                throw naming(file.path(), "truncating to " + size + " bytes", e);
            }
        }

        @Override
        public ByteBuffer map(long size) throws IOException {
            try {
                return file.map(size);
            } catch (IOException e) {
                throw naming(file.path(), "mapping " + size + " bytes", e);
            }
        }

        @Override
        public ByteBuffer map(long position, long size) throws IOException {
            try {
                return file.map(position, size);
            } catch (IOException e) {
                throw naming(file.path(), "mapping " + bytesAt(size, position), e);
            }
        }

        @Override
        public ByteBuffer mapPrivate(long position, int size) throws IOException {
            try {
                return file.mapPrivate(position, size);
            } catch (IOException e) {
                throw naming(file.path(), "mapping " + bytesAt(size, position), e);
            }
        }

        @Override
        public boolean isResident(ByteBuffer map, int offset, int size) {
            return file.isResident(map, offset, size);
        }

        @Override
        public FileLock tryLock(boolean shared) throws IOException {
            try {
                return file.tryLock(shared);
            } catch (IOException e) {
                throw naming(file.path(), "locking", e);
            }
        }

        @Override
        public void close() throws IOException {
            try {
                file.close();
            } catch (IOException e) {
                throw naming(file.path(), "closing", e);
            }
        }
    }
}
