package io.ferrumdb;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.internal.directory.FileNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
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
        String hint = FileNames.hint(1);
        HeldCreation held = HeldCreation.fileStartingWith(hint);
        FerrumDB db = FerrumDB.open(dir, held.on(Options.builder().fsyncPolicy(FsyncPolicy.never())
                .autoCompaction(false).build()));
        for (int i = 0; i < 50; i++) {
            db.put(("key-" + i).getBytes(UTF_8), ("value-" + i).getBytes(UTF_8));
        }
        assertThat(held.secondCloseReturnsDone(db::close, () -> Files.exists(dir.resolve(hint))))
                .as("the hint existed when the second close returned").isTrue();
        assertThat(db.isClosed()).isTrue();
        try (FerrumDB reopened = FerrumDB.open(dir)) {
            assertThat(reopened.recoveryReport()).isEmpty();
            assertThat(reopened.get("key-49".getBytes(UTF_8))).isEqualTo("value-49".getBytes(UTF_8));
        }
    }
}
