package io.ferrumdb.internal.io;

import java.io.EOFException;
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

    /**
     * One call of a {@link FileChannel} method, which {@link #call(ChannelOp)} may repeat on a reopened channel. One
     * class rather than a lambda per method: a fresh JVM spins a class and method-handle forms at each lambda's first
     * call (ARCHITECTURE.md, "Start-up cost"), and every open, first read, first write and close goes through here.
     * A repeat continues from where the buffer stands.
     */
    private static final class ChannelOp {
        static final int READ = 0;
        static final int WRITE = 1;
        static final int FORCE = 2;
        static final int SIZE = 3;
        static final int TRUNCATE = 4;
        static final int MAP = 5;
        static final int LOCK = 6;
        static final int LOCK_SHARED = 7;
        static final int MAP_PRIVATE = 8;

        private final int op;
        private final ByteBuffer buffer;
        /** Where the buffer's first byte goes (read, write) or the map starts. */
        private final long position;
        /** The map's length, or the length truncated to. */
        private final long size;
        /** The buffer's position when the op was made: reads and writes count from it. */
        private final int start;
        /** What map and tryLock return. */
        Object result;

        ChannelOp(int op, ByteBuffer buffer, long position, long size) {
            this.op = op;
            this.buffer = buffer;
            this.position = position;
            this.size = size;
            this.start = buffer == null ? 0 : buffer.position();
        }

        /** Runs the call on {@code ch}: bytes read (READ), the file's size (SIZE), else 0. */
        long on(FileChannel ch) throws IOException {
            switch (op) {
                case READ:
                    while (buffer.hasRemaining()) {
                        if (ch.read(buffer, position + buffer.position() - start) < 0) {
                            break;
                        }
                    }
                    return buffer.position() - start;
                case WRITE:
                    while (buffer.hasRemaining()) {
                        ch.write(buffer, position + buffer.position() - start);
                    }
                    return 0;
                case FORCE:
                    ch.force(false);
                    return 0;
                case SIZE:
                    return ch.size();
                case TRUNCATE:
                    ch.truncate(size);
                    return 0;
                case MAP:
                case MAP_PRIVATE:
                    result = ch.map(op == MAP ? FileChannel.MapMode.READ_ONLY : FileChannel.MapMode.PRIVATE,
                            position, size);
                    return 0;
                case LOCK:
                case LOCK_SHARED:
                    result = ch.tryLock(0, Long.MAX_VALUE, op == LOCK_SHARED);
                    return 0;
                default:
                    throw new AssertionError("channel op " + op);
            }
        }
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
        return (int) call(ChannelOp.READ, dst, position, 0);
    }

    @Override
    public void write(long position, ByteBuffer src) throws IOException {
        call(ChannelOp.WRITE, src, position, 0);
    }

    @Override
    public void force() throws IOException {
        call(ChannelOp.FORCE, null, 0, 0);
    }

    @Override
    public long size() throws IOException {
        return call(ChannelOp.SIZE, null, 0, 0);
    }

    @Override
    public void truncate(long size) throws IOException {
        call(ChannelOp.TRUNCATE, null, 0, size);
    }

    @Override
    public ByteBuffer map(long size) throws IOException {
        return map(0, size);
    }

    @Override
    public ByteBuffer map(long position, long size) throws IOException {
        ChannelOp op = new ChannelOp(ChannelOp.MAP, null, position, size);
        call(op);
        return (ByteBuffer) op.result;
    }

    /**
     * Maps the range copy-on-write ({@code MapMode.PRIVATE}, which the JDK allows only on a channel open for
     * writing). The size is checked first: the JDK would extend a writable file to cover a mapping past its end.
     */
    @Override
    public ByteBuffer mapPrivate(long position, int size) throws IOException {
        long fileSize = size();
        if (position + size > fileSize) {
            throw new EOFException(path + ": " + size + " bytes at " + position + " end past the file's " + fileSize
                    + " bytes");
        }
        ChannelOp op = new ChannelOp(ChannelOp.MAP_PRIVATE, null, position, size);
        call(op);
        return (ByteBuffer) op.result;
    }

    @Override
    public FileLock tryLock(boolean shared) throws IOException {
        ChannelOp op = new ChannelOp(shared ? ChannelOp.LOCK_SHARED : ChannelOp.LOCK, null, 0, 0);
        call(op);
        return (FileLock) op.result;
    }

    @Override
    public synchronized void close() throws IOException {
        closed = true;
        channel.close();
    }

    /** {@link #call(ChannelOp)} of a new {@code op}; its numeric result. */
    private long call(int op, ByteBuffer buffer, long position, long size) throws IOException {
        return call(new ChannelOp(op, buffer, position, size));
    }

    /** Runs {@code op} on the channel, repeated on a reopened one when an interrupt closed it (see the class comment). */
    private long call(ChannelOp op) throws IOException {
        boolean interrupted = false;
        try {
            for (int reopens = 0; ; reopens++) {
                FileChannel ch = channel;
                try {
                    return op.on(ch);
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
