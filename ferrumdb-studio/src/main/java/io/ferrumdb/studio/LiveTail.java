package io.ferrumdb.studio;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.Stats;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.function.LongSupplier;

/**
 * {@code GET /api/tail}: a live tail of the database's activity as server-sent events, one event a second with
 * the writes, deletes and reads since the previous one (differences of the engine's counters, so every caller of
 * the database counts, not only Studio). The engine has no change hook, so the tail says how much changed, not
 * which keys.
 *
 * <p>Each open stream holds one of Studio's few handler threads: a stream ends after
 * {@link #STREAM_SECONDS} (the browser's EventSource reconnects by itself, after the {@code retry} delay) and at
 * most {@link #MAX_STREAMS} are open at once (else 503), so that the API always keeps threads to answer.
 */
final class LiveTail {
    static final int STREAM_SECONDS = 30;
    static final int MAX_STREAMS = 2;
    private static final long INTERVAL_MILLIS = 1000;

    private final FerrumDB db;
    private final LongSupplier millis;
    private final Semaphore streams = new Semaphore(MAX_STREAMS);

    LiveTail(FerrumDB db, LongSupplier millis) {
        this.db = db;
        this.millis = millis;
    }

    void stream(Call call) throws IOException {
        if (!streams.tryAcquire()) {
            throw new ApiException(503, "at most " + MAX_STREAMS + " live tails may be open at once; close another "
                    + "Studio tab showing the live tail");
        }
        try {
            // The baseline comes before the 200: a client that sees the response counts every change after it.
            Stats previous = db.stats();
            OutputStream out = call.stream(200, "text/event-stream; charset=utf-8");
            if (out == null) {
                return; // HEAD
            }
            send(out, "retry: 1000\n\n");
            for (int i = 0; i < STREAM_SECONDS; i++) {
                Thread.sleep(INTERVAL_MILLIS);
                Stats now = db.stats();
                Map<String, Object> event = new LinkedHashMap<>();
                event.put("atMillis", millis.getAsLong());
                event.put("puts", now.puts() - previous.puts());
                event.put("deletes", now.deletes() - previous.deletes());
                event.put("gets", now.gets() - previous.gets());
                event.put("liveKeys", now.liveKeys());
                send(out, "data: " + Json.MAPPER.writeValueAsString(event) + "\n\n");
                previous = now;
            }
            out.close();
        } catch (InterruptedException e) {
            // Studio is closing: end the stream; the browser sees the connection close.
            Thread.currentThread().interrupt();
        } finally {
            streams.release();
        }
    }

    private static void send(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
