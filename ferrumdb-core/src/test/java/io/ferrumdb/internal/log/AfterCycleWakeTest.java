package io.ferrumdb.internal.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.internal.format.RecordFormat;
import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.keydir.Key;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Under {@code always()} the writers lead their own groups and complete them, so a cycle leaves the acknowledger
 * thread nothing but the after-cycle work; it is queued, and the thread woken, only while that work is due.
 */
@Timeout(60)
class AfterCycleWakeTest {
    @TempDir
    Path dir;

    private final AtomicBoolean due = new AtomicBoolean();
    private final AtomicInteger runs = new AtomicInteger();
    private final AtomicLong applied = new AtomicLong();

    @Test
    void theAcknowledgerRunsTheAfterCycleWorkOnlyWhileItIsDue() throws Exception {
        LogWriter.AfterCycle afterCycle = LogWriter.AfterCycle.of(runs::incrementAndGet, due::get);
        try (TestLog log = new TestLog(dir, FileIO.nio(), FsyncPolicy.always(), 1 << 20, (s, h) -> { },
                UnaryOperator.identity(), afterCycle)) {
            LogWriter w = log.writer;
            putFromThreads(w, "quiet", 4, 40);
            assertThat(w.syncedRecords()).isEqualTo(160);
            assertThat(runs.get()).as("never due: never run").isZero();

            due.set(true);
            putFromThreads(w, "due", 4, 10);
            while (runs.get() == 0) { // run on the acknowledger thread after a cycle, asynchronously
                Thread.sleep(1);
            }
        }
        assertThat(applied.get()).isEqualTo(200);
    }

    private void putFromThreads(LogWriter w, String prefix, int threads, int each) throws InterruptedException {
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String name = prefix + t + "-";
            writers.add(new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    Append a = new Append(RecordFormat.TYPE_PUT,
                            new Key((name + i).getBytes(StandardCharsets.UTF_8)), new byte[100], 0);
                    w.waitFor(w.append(List.of(a), TestWrites.applier((type, key, at) -> applied.incrementAndGet()),
                            true));
                }
            }));
        }
        writers.forEach(Thread::start);
        for (Thread t : writers) {
            t.join();
        }
    }
}
