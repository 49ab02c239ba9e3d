package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Callers' threads use the database's file channels: a GET reads the unsealed segment, an append creates the next
 * segment. A {@code FileChannel} closes itself when a thread is interrupted inside it, so an interrupted caller (a
 * cancelled task) used to close the active segment for everyone and stop the writer for good. Its call must succeed,
 * the database must go on writing, and the caller keeps its interrupt.
 */
@Timeout(120)
class InterruptedWriterTest {
    @TempDir
    Path dir;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void putsOnInterruptedThreadsSucceedAndTheDatabaseKeepsWriting() throws Exception {
        // Small segments: interrupted writers create some of them (file, header, fsyncs, MANIFEST, hint files).
        Options options = Options.builder().fsyncPolicy(FsyncPolicy.always()).segmentSize(16 << 10)
                .autoCompaction(false).build();
        int threads = 6;
        int perThread = 40;
        List<Object> problems = new CopyOnWriteArrayList<>();
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            List<Thread> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                writers.add(new Thread(() -> {
                    for (int n = 0; n < perThread; n++) {
                        // Every other writer puts with its interrupt flag set: any channel call it makes closes
                        // the channel.
                        if (id % 2 == 0) {
                            Thread.currentThread().interrupt();
                        }
                        try {
                            db.put(bytes(id + "-" + n), new byte[200]);
                            if (id % 2 == 0 && !Thread.interrupted()) {
                                problems.add("writer " + id + " lost its interrupt at put " + n);
                            }
                        } catch (RuntimeException e) {
                            problems.add(e);
                        }
                    }
                }, "writer-" + t));
            }
            writers.forEach(Thread::start);
            for (Thread w : writers) {
                w.join();
            }
            assertThat(problems).isEmpty();
            db.put(bytes("after"), bytes("ok"));
        }
        try (FerrumDB reopened = FerrumDB.open(dir, options)) {
            for (int t = 0; t < threads; t++) {
                for (int n = 0; n < perThread; n++) {
                    assertThat(reopened.get(bytes(t + "-" + n))).as(t + "-" + n).hasSize(200);
                }
            }
            assertThat(reopened.get(bytes("after"))).isEqualTo(bytes("ok"));
        }
    }

    @Test
    void aGetOnAnInterruptedThreadReadingTheActiveSegmentDoesNotStopWrites() throws Exception {
        Options options = Options.builder().fsyncPolicy(FsyncPolicy.always()).autoCompaction(false).build();
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            db.put(bytes("first"), bytes("value"));
            // More than the writer keeps in memory for reads (1 MiB of written chunks): "first" is then read from
            // the active segment's file, with a positional read on the calling thread.
            WriteBatch batch = new WriteBatch();
            for (int i = 0; i < 3_000; i++) {
                batch.put(bytes("filler-" + i), new byte[1000]);
            }
            db.write(batch);
            AtomicReference<Object> seen = new AtomicReference<>();
            Thread reader = new Thread(() -> {
                Thread.currentThread().interrupt();
                try {
                    seen.set(new String(db.get(bytes("first")), StandardCharsets.UTF_8)
                            + (Thread.currentThread().isInterrupted() ? ", interrupted" : ""));
                } catch (RuntimeException e) {
                    seen.set(e);
                }
            });
            reader.start();
            reader.join();
            assertThat(seen.get()).isEqualTo("value, interrupted");
            db.put(bytes("later"), bytes("written"));
            assertThat(db.get(bytes("later"))).isEqualTo(bytes("written"));
        }
    }
}
