package io.ferrumdb.studio;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;

/**
 * The body of one request as a blocking stream: the connection's event loop {@link #offer offers} the decoded
 * pieces as they arrive, a handler thread reads them. The body is never collected whole by the HTTP layer:
 * endpoints that want it whole read at most {@link Call#MAX_BODY_BYTES}, the import streams it. While more than
 * {@link #HIGH_WATER_BYTES} wait unread the connection stops reading from the socket, so a fast client cannot
 * fill the memory.
 */
final class RequestBody extends InputStream {
    static final int HIGH_WATER_BYTES = 1 << 20;

    /** Called (on any thread) when the buffered amount crosses the water mark either way. */
    interface Pressure {
        void changed();
    }

    private final Pressure pressure;
    private final Runnable beforeFirstRead;
    private final ArrayDeque<ByteBuf> pieces = new ArrayDeque<>();
    private long buffered;
    private boolean ended;
    private IOException failure;
    private boolean firstReadDone;

    /**
     * @param beforeFirstRead runs once, on the reading thread, before the first read waits for data (the
     *                        {@code 100 Continue} of a client that asked for it)
     */
    RequestBody(Pressure pressure, Runnable beforeFirstRead) {
        this.pressure = pressure;
        this.beforeFirstRead = beforeFirstRead;
    }

    /** Takes ownership of {@code content} (its buffer is released once read or discarded). */
    void offer(HttpContent content) {
        boolean crossed;
        synchronized (this) {
            DecoderResult result = content.decoderResult();
            if (ended || failure != null) {
                content.release();
                return;
            }
            if (result.isFailure()) {
                content.release();
                failure = new MalformedBodyException("the request body is malformed: " + result.cause().getMessage());
                notifyAll();
                return;
            }
            ByteBuf data = content.content();
            if (data.isReadable()) {
                pieces.add(data);
                long before = buffered;
                buffered += data.readableBytes();
                crossed = before <= HIGH_WATER_BYTES && buffered > HIGH_WATER_BYTES;
            } else {
                data.release();
                crossed = false;
            }
            if (content instanceof LastHttpContent) {
                ended = true;
            }
            notifyAll();
        }
        if (crossed) {
            pressure.changed();
        }
    }

    /** True once the last piece of the body arrived (it may not all be read yet). */
    synchronized boolean complete() {
        return ended;
    }

    /** True while the unread part is above the water mark: the connection should not read more now. */
    synchronized boolean full() {
        return buffered > HIGH_WATER_BYTES;
    }

    /**
     * The connection is gone: a body still arriving fails its reader and its pieces are released; a body that
     * arrived whole stays readable (the exchange's end discards it).
     */
    synchronized void abort(IOException why) {
        if (ended || failure != null) {
            return;
        }
        failure = why;
        discardLocked();
        notifyAll();
    }

    /** Releases whatever was not read (the exchange is over). */
    synchronized void discard() {
        discardLocked();
        ended = true;
        notifyAll();
    }

    private void discardLocked() {
        for (ByteBuf piece : pieces) {
            piece.release();
        }
        pieces.clear();
        buffered = 0;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] into, int offset, int length) throws IOException {
        java.util.Objects.checkFromIndexSize(offset, length, into.length);
        if (length == 0) {
            return 0;
        }
        if (!firstReadDone) {
            firstReadDone = true;
            beforeFirstRead.run();
        }
        boolean relieved;
        int n;
        synchronized (this) {
            while (pieces.isEmpty() && !ended && failure == null) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while reading the request body");
                }
            }
            if (pieces.isEmpty()) {
                if (failure != null) {
                    throw failure;
                }
                return -1;
            }
            ByteBuf piece = pieces.peek();
            n = Math.min(length, piece.readableBytes());
            piece.readBytes(into, offset, n);
            if (!piece.isReadable()) {
                pieces.poll().release();
            }
            long before = buffered;
            buffered -= n;
            relieved = before > HIGH_WATER_BYTES && buffered <= HIGH_WATER_BYTES;
        }
        if (relieved) {
            pressure.changed();
        }
        return n;
    }

    @Override
    public synchronized int available() {
        return (int) Math.min(Integer.MAX_VALUE, buffered);
    }

    /** A chunked body the HTTP decoder could not parse: the request is bad, answered 400. */
    static final class MalformedBodyException extends IOException {
        MalformedBodyException(String message) {
            super(message);
        }
    }
}
