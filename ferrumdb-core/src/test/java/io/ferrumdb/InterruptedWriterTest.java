package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Under {@code always()} a writer may write and fsync its group on its own thread; an interrupted caller (a
 * cancelled task) must neither fail its put nor stop the database, and keeps its interrupt.
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
        Options options = Options.builder().fsyncPolicy(FsyncPolicy.always()).autoCompaction(false).build();
        int threads = 6;
        int perThread = 40;
        List<Object> problems = new CopyOnWriteArrayList<>();
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            List<Thread> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                writers.add(new Thread(() -> {
                    for (int n = 0; n < perThread; n++) {
                        // Every other writer puts with its interrupt flag set: any channel call of it closes the
                        // channel, whether it leads the group or reads.
                        if (id % 2 == 0) {
                            Thread.currentThread().interrupt();
                        }
                        try {
                            db.put(bytes(id + "-" + n), bytes("v" + n));
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
                    assertThat(reopened.get(bytes(t + "-" + n))).as(t + "-" + n).isEqualTo(bytes("v" + n));
                }
            }
            assertThat(reopened.get(bytes("after"))).isEqualTo(bytes("ok"));
        }
    }
}
