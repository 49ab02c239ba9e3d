package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Under {@code periodic(d)} a record reaches the OS at once (FsyncPolicy, README "Limits"), not at the next periodic
 * fsync: a process crash, which loses what the process holds but not what the OS holds, loses only the last
 * millisecond. Before, a put made once the flusher waited for the fsync's timer did not wake it, and sat in the
 * process for up to the whole interval (a Python program leaving with os._exit under the default second lost most of
 * its last puts).
 */
class PeriodicHandOffTest {
    /** Far longer than any test runs: a record seen in the file was handed over, not fsynced by the timer. */
    private static final Duration INTERVAL = Duration.ofHours(1);
    /** How long the test looks for a record in the files before failing: a deadlock guard, no duration claim. */
    private static final Duration GIVE_UP = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void aPutMadeWhileTheFlusherWaitsForThePeriodicFsyncReachesTheOs() throws Exception {
        try (FerrumDB db = FerrumDB.open(dir,
                Options.builder().fsyncPolicy(FsyncPolicy.periodic(INTERVAL)).autoCompaction(false).build())) {
            db.put(bytes("first"), bytes("first-value-handed-over"));
            assertThat(awaitInSegments("first-value-handed-over")).as("the first put, which wakes a parked flusher")
                    .isTrue();
            // The flusher stops ticking 16 ms after the last record and waits for the periodic fsync's timer.
            Thread.sleep(200);
            db.put(bytes("second"), bytes("second-value-handed-over"));
            assertThat(awaitInSegments("second-value-handed-over"))
                    .as("a put made while the flusher waits an hour for the periodic fsync reaches the OS").isTrue();
        }
    }

    /** Whether {@code text} appears in the database's segment files (what the OS holds) before {@link #GIVE_UP}. */
    private boolean awaitInSegments(String text) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + GIVE_UP.toNanos();
        while (System.nanoTime() < deadline) {
            if (inSegments(text)) {
                return true;
            }
            Thread.sleep(10);
        }
        return false;
    }

    private boolean inSegments(String text) throws IOException {
        String latin1 = new String(bytes(text), StandardCharsets.ISO_8859_1);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".seg"))::iterator) {
                if (new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1).contains(latin1)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
