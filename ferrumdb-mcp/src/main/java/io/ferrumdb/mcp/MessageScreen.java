package io.ferrumdb.mcp;

import io.ferrumdb.memory.MemoryLimits;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Watches the two stdio streams so that the server ends cleanly: when stdin ends, the SDK sees the end only after
 * every request read before it has been answered on stdout (the SDK drops calls still running once its input
 * ends). Without it, a client that writes its requests and closes stdin at once (a script piping into
 * {@code ferrumdb mcp}) would lose the answers, although their writes are durable. Messages are one JSON object
 * per line on both sides.
 */
final class StdioExchange {
    /**
     * The longest line read as a message, in bytes (UTF-8); the SDK is given the same limit in characters, which
     * no line within it can exceed. A longer line is answered with an error and skipped, and only its two ends
     * are kept while it is read.
     */
    static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

    private final McpJsonMapper json;
    private final Object lock = new Object();
    private long requests; // guarded by lock
    private long responses; // guarded by lock
    private boolean ended; // guarded by lock

    private final Duration grace;
    /** Guards whole lines written to the client: the SDK's messages and the errors written here. */
    private final Object writeLock = new Object();
    /** The client's stdout, set by {@link #watch(OutputStream)}. */
    private volatile OutputStream rawOut;

    /** @param grace how long calls running when stdin ends may take to answer */
    StdioExchange(McpJsonMapper json, Duration grace) {
        this.json = json;
        this.grace = grace;
    }

    /**
     * The client's messages as the SDK reads them, a line at a time. A line that is not a JSON-RPC message (bad
     * JSON, or JSON that is not a request, notification or response) is answered here with JSON-RPC's parse error
     * (-32700) or invalid request (-32600), naming what is wrong, and not passed on: the SDK (2.1) logs such a line
     * with a stack trace and stops reading, after which no request is answered and the process never ends. So is
     * a line over {@link #MAX_MESSAGE_BYTES}, with invalid request. Blank lines are skipped.
     */
    InputStream watch(InputStream in) {
        return new InputStream() {
            private final ByteArrayOutputStream line = new ByteArrayOutputStream();
            private byte[] ready = new byte[0];
            private int next;
            private boolean eof;
            private boolean endPassedOn;

            @Override
            public int read() throws IOException {
                if (!fill()) {
                    return -1;
                }
                return ready[next++] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                if (!fill()) {
                    return -1;
                }
                int n = Math.min(len, ready.length - next);
                System.arraycopy(ready, next, b, off, n);
                next += n;
                return n;
            }

            /** Makes the next accepted line ready; false at the end of the input (after the last answers). */
            private boolean fill() throws IOException {
                while (next == ready.length) {
                    if (eof) {
                        if (!endPassedOn) {
                            endPassedOn = true;
                            endAfterAnswers();
                        }
                        return false;
                    }
                    line.reset();
                    OversizedLine oversized = null;
                    int b;
                    while ((b = in.read()) >= 0 && b != '\n') {
                        if (oversized != null) {
                            oversized.add(b);
                        } else if (line.size() < MAX_MESSAGE_BYTES) {
                            line.write(b);
                        } else {
                            oversized = new OversizedLine();
                            oversized.add(line.toByteArray());
                            oversized.add(b);
                            line.reset();
                        }
                    }
                    eof = b < 0;
                    if (oversized != null) {
                        refuse(oversized);
                        continue;
                    }
                    String text = line.toString(StandardCharsets.UTF_8).strip();
                    if (!text.isEmpty() && accept(text)) {
                        ready = (text + "\n").getBytes(StandardCharsets.UTF_8);
                        next = 0;
                    }
                }
                return true;
            }
        };
    }

    /**
     * Answers a line too long to be a message, unread by the SDK: at its own limit the SDK (2.1) logged a stack
     * trace and stopped reading, so the server hung, answering nothing more and never ending.
     */
    private void refuse(OversizedLine line) throws IOException {
        answer(error(line.id(), -32600, "Invalid Request: the message is " + line.length() + " bytes, over the "
                + "limit of " + MAX_MESSAGE_BYTES + " bytes (16 MiB) for one JSON-RPC message; a memory's text "
                + "holds at most " + MemoryLimits.MAX_TEXT_BYTES + " bytes, so send less"));
    }

    /** Whether the SDK may read {@code line}; if not, it has been answered with a JSON-RPC error. */
    private boolean accept(String line) throws IOException {
        Object value;
        try {
            value = json.readValue(line, Object.class);
        } catch (IOException | RuntimeException notJson) {
            answer(error(null, -32700, "Parse error: the line is not JSON: " + firstLine(notJson)));
            return false;
        }
        Object id = value instanceof Map<?, ?> m && (m.get("id") instanceof String || m.get("id") instanceof Number)
                ? m.get("id") : null;
        String problem = problem(value);
        if (problem == null) {
            try {
                McpSchema.deserializeJsonRpcMessage(json, line);
            } catch (IOException | RuntimeException notAMessage) {
                problem = "not a JSON-RPC 2.0 request, notification or response: " + firstLine(notAMessage);
            }
        }
        if (problem != null) {
            answer(error(id, -32600, "Invalid Request: " + problem));
            return false;
        }
        Map<?, ?> message = (Map<?, ?>) value;
        String params = paramsProblem(message);
        if (params != null) {
            // The SDK answered these with the text of a NullPointerException or of Jackson's type error.
            answer(error(id, -32602, "Invalid params: " + params));
            return false;
        }
        if (message.get("id") != null && message.containsKey("method")) { // a request: it will be answered
            synchronized (lock) {
                requests++;
            }
        }
        return true;
    }

    /** What makes a parsed line not a JSON-RPC 2.0 message, in words; null when its shape is right. */
    private static String problem(Object value) {
        if (!(value instanceof Map<?, ?> m)) {
            return "a JSON-RPC message is a JSON object, not " + (value == null ? "null" : value instanceof List
                    ? "an array" : value instanceof String ? "a string" : value instanceof Number ? "a number"
                    : "a boolean");
        }
        if (!"2.0".equals(m.get("jsonrpc"))) {
            return "\"jsonrpc\" must be \"2.0\"";
        }
        if (!(m.get("method") instanceof String) && !m.containsKey("result") && !m.containsKey("error")) {
            return "a message needs \"method\" (a request or notification) or \"result\" or \"error\" (a response)";
        }
        return null;
    }

    /** What is wrong with the params of a tools/call request (name, arguments), or null. */
    private static String paramsProblem(Map<?, ?> message) {
        if (!"tools/call".equals(message.get("method"))) {
            return null;
        }
        if (!(message.get("params") instanceof Map<?, ?> params)) {
            return "tools/call needs \"params\", an object with the tool's \"name\" and its \"arguments\"";
        }
        if (!(params.get("name") instanceof String)) {
            return "tools/call needs \"name\", the tool's name as a string";
        }
        Object arguments = params.get("arguments");
        if (arguments != null && !(arguments instanceof Map)) {
            return "the \"arguments\" of tools/call must be an object";
        }
        return null;
    }

    private void answer(String reply) throws IOException {
        synchronized (writeLock) {
            rawOut.write((reply + "\n").getBytes(StandardCharsets.UTF_8));
            rawOut.flush();
        }
    }

    private String error(Object id, int code, String message) throws IOException {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("jsonrpc", "2.0");
        reply.put("id", id);
        reply.put("error", error);
        return json.writeValueAsString(reply);
    }

    private static String firstLine(Exception e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null && m.startsWith("Failed to read value")) {
            m = cause.getMessage();
        }
        int newline = m.indexOf('\n');
        return newline < 0 ? m : m.substring(0, newline);
    }

    /**
     * The SDK's output: each message is written whole, with its newline, under {@link #writeLock}, so that the
     * errors {@link #accept} writes never land inside one (the SDK writes a message and its newline separately).
     */
    OutputStream watch(OutputStream out) {
        rawOut = out;
        return new OutputStream() {
            private final ByteArrayOutputStream line = new ByteArrayOutputStream();

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                int from = off;
                for (int i = off; i < off + len; i++) {
                    if (b[i] == '\n') {
                        line.write(b, from, i + 1 - from);
                        from = i + 1;
                        String text = line.toString(StandardCharsets.UTF_8);
                        synchronized (writeLock) {
                            line.writeTo(out);
                        }
                        line.reset();
                        if (isResponse(text.strip())) {
                            synchronized (lock) {
                                responses++;
                                lock.notifyAll();
                            }
                        }
                    }
                }
                line.write(b, from, off + len - from);
            }

            @Override
            public void flush() throws IOException {
                synchronized (writeLock) {
                    out.flush();
                }
            }

            @Override
            public void close() throws IOException {
                flush();
                out.close();
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

    private boolean isResponse(String line) {
        Map<String, Object> m = parse(line);
        return m != null && m.get("id") != null && (m.containsKey("result") || m.containsKey("error"));
    }

    private Map<String, Object> parse(String line) {
        try {
            return json.readValue(line, new TypeRef<Map<String, Object>>() { });
        } catch (IOException | RuntimeException notAnObject) {
            return null; // not a response to count
        }
    }
}
