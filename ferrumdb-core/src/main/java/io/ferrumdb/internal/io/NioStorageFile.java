package io.ferrumdb.internal.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A file through a {@link FileChannel} that outlives interrupts of the threads using it.
 *
 * <p>A FileChannel closes itself when a thread is interrupted inside one of its calls: that thread gets {@link
 * java.nio.channels.ClosedByInterruptException}, the others {@link java.nio.channels.AsynchronousCloseException} or
 * {@link ClosedChannelException}. Callers' threads use these channels: a GET reads an unsealed segment with a
 * positional read, an append that rolls creates the next segment (header, fsyncs, MANIFEST), so a cancelled get or
 * put (an executor's {@code shutdownNow}, {@code Future.cancel(true)}) closed the active segment and the flusher's
 * next write then stopped the writer for good. Instead, when the channel was closed by anything but {@link #close()},
 * it is opened again (only while the path still names the file first opened: same file key) and the call repeated
 * from where it stood, at most {@link #MAX_REOPENS} times; a thread whose interrupt closed the channel gets its flag
 * back after. The flusher's own calls are the common case of the repeat: the channel an interrupted GET closed.
 *
 * <p>Repeating is safe for positional reads and writes (the same bytes at the same place) and for a force: its new
 * descriptor flushes every dirty page of the file. One case it cannot tell apart: the JDK reports an I/O error of a
 * force that an interrupt hit at the same moment as the interrupt, and the repeated force on a new descriptor may
 * then not see that error (Linux reports a writeback error to the descriptors open when it happened). Only a force
 * on an interrupted caller's thread can meet that (the writer's own threads are never interrupted); before this
 * class such a force stopped the writer for good, as any interrupt did.
 */
final class NioStorageFile implements StorageFile {
    static final int MAX_REOPENS = 8;

    private interface Call<T> {
        T on(FileChannel channel) throws IOException;
    }

    /** A file-system call on a channel of its own (opened and closed inside), such as a directory fsync. */
    interface OwnChannelCall {
        void run() throws IOException;
    }

    /**
     * Runs {@code call}, repeating it when an interrupt of the calling thread closed its channel (at most {@link
     * #MAX_REOPENS} times); the thread's flag is restored after.
     */
    static void repeatOnInterrupt(OwnChannelCall call) throws IOException {
        boolean interrupted = false;
        try {
            for (int repeats = 0; ; repeats++) {
                try {
                    call.run();
                    return;
                } catch (ClosedByInterruptException e) {
                    if (repeats == MAX_REOPENS) {
                        throw e;
                    }
                    interrupted |= Thread.interrupted();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private final Path path;
    private final boolean writable;
    /** The file's identity (device and inode on Linux), or null where the platform has none: then no reopen. */
    private final Object fileKey;
    private volatile FileChannel channel;
    private volatile boolean closed;

    NioStorageFile(Path path, FileChannel channel, boolean writable) throws IOException {
        this.path = path;
        this.channel = channel;
        this.writable = writable;
        try {
            this.fileKey = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
        } catch (IOException | RuntimeException e) {
            try {
                channel.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public int read(long position, ByteBuffer dst) throws IOException {
        int start = dst.position();
        return call(ch -> {
            while (dst.hasRemaining()) {
                if (ch.read(dst, position + dst.position() - start) < 0) {
                    break;
                }
            }
            return dst.position() - start;
        });
    }

    @Override
    public void write(long position, ByteBuffer src) throws IOException {
        int start = src.position();
        call(ch -> {
            while (src.hasRemaining()) {
                ch.write(src, position + src.position() - start);
            }
            return null;
        });
    }

    @Override
    public void force() throws IOException {
        call(ch -> {
            ch.force(false);
            return null;
        });
    }

    @Override
    public long size() throws IOException {
        return call(FileChannel::size);
    }

    @Override
    public void truncate(long size) throws IOException {
        call(ch -> ch.truncate(size));
    }

    @Override
    public ByteBuffer map(long size) throws IOException {
        return call(ch -> ch.map(FileChannel.MapMode.READ_ONLY, 0, size));
    }

    @Override
    public ByteBuffer map(long position, long size) throws IOException {
        return call(ch -> ch.map(FileChannel.MapMode.READ_ONLY, position, size));
    }

    @Override
    public FileLock tryLock(boolean shared) throws IOException {
        return call(ch -> ch.tryLock(0, Long.MAX_VALUE, shared));
    }

    @Override
    public synchronized void close() throws IOException {
        closed = true;
        channel.close();
    }

    private <T> T call(Call<T> call) throws IOException {
        boolean interrupted = false;
        try {
            for (int reopens = 0; ; reopens++) {
                FileChannel ch = channel;
                try {
                    return call.on(ch);
                } catch (ClosedChannelException e) {
                    if (closed || reopens == MAX_REOPENS) {
                        throw e;
                    }
                    // Cleared for the repeated call (a set flag would close the new channel at once), restored after.
                    interrupted |= Thread.interrupted();
                    reopen(ch, e);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Opens the channel again unless another thread did already, or close() ran, or the path names another file. */
    private synchronized void reopen(FileChannel dead, ClosedChannelException cause) throws IOException {
        if (closed) {
            throw cause;
        }
        if (channel != dead) {
            return;
        }
        Object key = fileKey == null ? null : Files.readAttributes(path, BasicFileAttributes.class).fileKey();
        if (key == null || !key.equals(fileKey)) {
            throw new IOException("the channel of " + path + " was closed by an interrupt, and the path no longer"
                    + " names the file that was open", cause);
        }
        channel = writable
                ? FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)
                : FileChannel.open(path, StandardOpenOption.READ);
    }
}
