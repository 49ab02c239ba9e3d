package io.ferrumdb;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.internal.directory.FileNames;
import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.io.ForwardingFileIO;
import io.ferrumdb.internal.io.StorageFile;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two threads closing one database at once, as a JVM shutdown hook and the main thread do when a process is stopped
 * while its input ends: the second close must return only once the database is closed, since the JVM halts as soon
 * as its hooks return. It used to return at once while the first was still sealing the active segment, and the
 * hint (and under never() the buffered writes) were lost: McpStdioShutdownTest failed in CI that way.
 */
class ConcurrentCloseTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aSecondCloseReturnsOnlyOnceTheFirstHasSealedTheActiveSegment() throws Exception {
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        String hint = FileNames.hint(1);
        FileIO io = new ForwardingFileIO(FileIO.nio()) {
            @Override
            public StorageFile create(Path file) throws IOException {
                // The first close's hint for the sealed active segment (written under a temporary name or its own).
                if (file.getFileName().toString().startsWith(hint)) {
                    held.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("held hint creation interrupted");
                    }
                }
                return super.create(file);
            }
        };
        FerrumDB db = FerrumDB.open(dir, Options.builder().fsyncPolicy(FsyncPolicy.never()).autoCompaction(false)
                .fileIO(io).build());
        for (int i = 0; i < 50; i++) {
            db.put(("key-" + i).getBytes(UTF_8), ("value-" + i).getBytes(UTF_8));
        }
        AtomicReference<Throwable> firstFailure = new AtomicReference<>();
        Thread first = new Thread(() -> {
            try {
                db.close();
            } catch (Throwable t) {
                firstFailure.set(t);
            }
        }, "first-close");
        first.start();
        assertThat(held.await(60, TimeUnit.SECONDS)).as("the first close reached the hint").isTrue();

        AtomicBoolean hintThereWhenSecondReturned = new AtomicBoolean();
        Thread second = new Thread(() -> {
            db.close();
            hintThereWhenSecondReturned.set(Files.exists(dir.resolve(hint)));
        }, "second-close");
        second.start();
        // Deterministic: the second close has either returned (the bug) or is waiting for the first (the fix).
        while (second.getState() != Thread.State.BLOCKED && second.getState() != Thread.State.WAITING
                && second.getState() != Thread.State.TERMINATED) {
            Thread.onSpinWait();
        }
        release.countDown();
        first.join();
        second.join();

        assertThat(firstFailure.get()).isNull();
        assertThat(hintThereWhenSecondReturned).as("the hint existed when the second close returned").isTrue();
        assertThat(db.isClosed()).isTrue();
        try (FerrumDB reopened = FerrumDB.open(dir)) {
            assertThat(reopened.recoveryReport()).isEmpty();
            assertThat(reopened.get("key-49".getBytes(UTF_8))).isEqualTo("value-49".getBytes(UTF_8));
        }
    }
}
