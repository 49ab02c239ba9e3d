package io.ferrumdb.mcp;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's stdout: whole JSON-RPC messages, one per line, written in the order they were sent by a thread of
 * its own. When the client reads more slowly than the server answers, the queue fills and senders wait for room
 * (backpressure); no message is ever dropped. The SDK's (2.1) stdio transport dropped one instead when its queue
 * was contended for 100 ms, and the client then waited for an answer that never came.
 */
final class OutboundLines {
    private static final Logger LOG = LoggerFactory.getLogger(OutboundLines.class);
    /** Messages waiting for stdout; past this many, senders wait for the client to read. */
    static final int CAPACITY = 1024;
    /** Put by {@link #close}: everything queued before it is written, then the writer ends. */
    private static final Line END = new Line(new byte[0], false);

    /** A message with its newline; {@code answer} when it answers a request. */
    private record Line(byte[] bytes, boolean answer) {
    }

    private final OutputStream out;
    private final BlockingQueue<Line> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final Thread writer;
    private final Object lock = new Object();
    /** Answers written and flushed to stdout. Guarded by lock. */
    private long answered;
    /** {@link System#nanoTime} when {@link #answered} last grew. Guarded by lock. */
    private long lastAnswerNanos = System.nanoTime();
    /** Why stdout cannot be written (the client is gone), or null. Guarded by lock. */
    private IOException failure;
    /** Set by {@link #close}: nothing more is accepted. Guarded by lock. */
    private boolean closed;

    OutboundLines(OutputStream out) {
        this.out = out;
        this.writer = new Thread(this::writeUntilClosed, "ferrumdb-mcp-stdout");
        writer.setDaemon(true); // a client that stopped reading must not keep the JVM alive
        writer.start();
    }

    /**
     * Queues {@code json} (one JSON value without line breaks) to be written, waiting while the queue is full.
     *
     * @param answer whether it answers a request: counted by {@link #awaitAnswered} once flushed
     * @throws IOException when stdout has failed (the client is gone) or the transport is closed: the message is
     *                     not written
     */
    void send(String json, boolean answer) throws IOException, InterruptedException {
        synchronized (lock) {
            if (failure != null) {
                throw new IOException("stdout cannot be written, the message is not sent: " + failure.getMessage(),
                        failure);
            }
            if (closed) {
                throw new IOException("the stdio transport is closed, the message is not sent");
            }
        }
        // A message sent while close() runs may still be written; one sent after is refused above.
        queue.put(new Line((json + "\n").getBytes(StandardCharsets.UTF_8), answer));
    }

    /**
     * Waits until {@code requests} answers have been flushed to stdout, stdout has failed, or no answer has been
     * written for {@code grace}: a long run of calls still answering is waited for, a stuck call is not.
     *
     * @return whether every answer was written
     */
    boolean awaitAnswered(long requests, Duration grace) throws InterruptedException {
        long start = System.nanoTime();
        synchronized (lock) {
            while (answered < requests && failure == null) {
                long sinceProgress = System.nanoTime() - Math.max(start, lastAnswerNanos);
                long left = grace.toNanos() - sinceProgress;
                if (left <= 0) {
                    break;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            return answered >= requests;
        }
    }

    /**
     * Accepts nothing more, and waits up to {@code grace} for what was queued to be written and flushed (a client
     * that stopped reading while keeping stdout open cannot hold the server longer).
     */
    void close(Duration grace) throws InterruptedException {
        if (!markClosed()) {
            return;
        }
        long deadline = System.nanoTime() + grace.toNanos();
        if (!queue.offer(END, grace.toNanos(), TimeUnit.NANOSECONDS)) {
            LOG.warn("{} messages were not written to stdout within {} s: the client stopped reading",
                    queue.size(), grace.toSeconds());
            writer.interrupt();
            return;
        }
        TimeUnit.NANOSECONDS.timedJoin(writer, Math.max(1, deadline - System.nanoTime()));
        if (writer.isAlive()) {
            LOG.warn("messages were still being written to stdout after {} s: the client stopped reading",
                    grace.toSeconds());
            writer.interrupt();
        }
    }

    /** Accepts nothing more and stops writing at once: what is still queued is not written. */
    void abort() {
        if (markClosed()) {
            writer.interrupt();
        }
    }

    /** Whether this call closed it (false when it was already closed). */
    private boolean markClosed() {
        synchronized (lock) {
            if (closed) {
                return false;
            }
            closed = true;
            return true;
        }
    }

    private void writeUntilClosed() {
        long unflushedAnswers = 0;
        try {
            for (Line line = queue.take(); line != END; line = queue.take()) {
                // After a failure, lines are taken and dropped: senders must never wait for a dead client.
                if (write(line.bytes()) && line.answer()) {
                    unflushedAnswers++;
                }
                // One flush for all that was queued meanwhile: the client sees each answer once the queue is empty.
                if (queue.isEmpty()) {
                    unflushedAnswers = flushCounting(unflushedAnswers);
                }
            }
            flushCounting(unflushedAnswers);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // closed without waiting: what is left is not written
        }
    }

    /** Flushes stdout; the answers written since the last flush are then counted as answered. Returns 0. */
    private long flushCounting(long unflushedAnswers) {
        if (flush()) {
            synchronized (lock) {
                if (unflushedAnswers > 0) {
                    answered += unflushedAnswers;
                    lastAnswerNanos = System.nanoTime();
                    lock.notifyAll();
                }
            }
        }
        return 0;
    }

    private boolean write(byte[] bytes) {
        if (failed()) {
            return false;
        }
        try {
            out.write(bytes);
            return true;
        } catch (IOException e) {
            fail(e);
            return false;
        }
    }

    private boolean flush() {
        if (failed()) {
            return false;
        }
        try {
            out.flush();
            return true;
        } catch (IOException e) {
            fail(e);
            return false;
        }
    }

    private boolean failed() {
        synchronized (lock) {
            return failure != null;
        }
    }

    private void fail(IOException e) {
        LOG.error("writing to stdout failed, nothing more can be sent to the client: {}", e.toString());
        synchronized (lock) {
            failure = e;
            lock.notifyAll();
        }
    }
}
