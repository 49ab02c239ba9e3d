package io.ferrumdb.mcp;

import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * Watches the two stdio streams so that the server ends cleanly: when stdin ends, the SDK sees the end only after
 * every request read before it has been answered on stdout (the SDK drops calls still running once its input
 * ends). Without it, a client that writes its requests and closes stdin at once (a script piping into
 * {@code ferrumdb mcp}) would lose the answers, although their writes are durable. Messages are one JSON object
 * per line on both sides.
 */
final class StdioExchange {
    private final McpJsonMapper json;
    private final Object lock = new Object();
    private long requests; // guarded by lock
    private long responses; // guarded by lock
    private boolean ended; // guarded by lock

    private final Duration grace;

    /** @param grace how long calls running when stdin ends may take to answer */
    StdioExchange(McpJsonMapper json, Duration grace) {
        this.json = json;
        this.grace = grace;
    }

    InputStream watch(InputStream in) {
        LineCounter counter = new LineCounter(line -> {
            if (isRequest(line)) {
                synchronized (lock) {
                    requests++;
                }
            }
        });
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b < 0) {
                    endAfterAnswers();
                } else {
                    counter.accept(new byte[] {(byte) b}, 0, 1);
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n < 0) {
                    endAfterAnswers();
                } else {
                    counter.accept(b, off, n);
                }
                return n;
            }
        };
    }

    OutputStream watch(OutputStream out) {
        LineCounter counter = new LineCounter(line -> {
            if (isResponse(line)) {
                synchronized (lock) {
                    responses++;
                    lock.notifyAll();
                }
            }
        });
        return new FilterOutputStream(out) {
            @Override
            public void write(int b) throws IOException {
                out.write(b);
                counter.accept(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                counter.accept(b, off, len);
            }
        };
    }

    /** Called on the SDK's reading thread at the end of stdin: holds the end back until all is answered. */
    private void endAfterAnswers() throws IOException {
        synchronized (lock) {
            long deadline = System.nanoTime() + grace.toNanos();
            try {
                while (responses < requests) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    lock.wait(Math.max(1, left / 1_000_000));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while waiting for the last answers");
            } finally {
                ended = true;
                lock.notifyAll();
            }
        }
    }

    /** Waits until stdin has ended and its end was passed on (after the last answers, or the grace period). */
    void awaitEnd() throws InterruptedException {
        synchronized (lock) {
            while (!ended) {
                lock.wait();
            }
        }
    }

    private boolean isRequest(String line) {
        Map<String, Object> m = parse(line);
        return m != null && m.get("id") != null && m.containsKey("method");
    }

    private boolean isResponse(String line) {
        Map<String, Object> m = parse(line);
        return m != null && m.get("id") != null && (m.containsKey("result") || m.containsKey("error"));
    }

    private Map<String, Object> parse(String line) {
        try {
            return json.readValue(line, new TypeRef<Map<String, Object>>() { });
        } catch (IOException | RuntimeException notAnObject) {
            return null; // not a message of ours to count; the SDK reports malformed input itself
        }
    }

    /** Splits a byte stream into lines and hands each complete line on. */
    private static final class LineCounter {
        private final java.util.function.Consumer<String> onLine;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        LineCounter(java.util.function.Consumer<String> onLine) {
            this.onLine = onLine;
        }

        synchronized void accept(byte[] b, int off, int len) {
            for (int i = off; i < off + len; i++) {
                if (b[i] == '\n') {
                    onLine.accept(line.toString(StandardCharsets.UTF_8));
                    line.reset();
                } else {
                    line.write(b[i]);
                }
            }
        }
    }
}
