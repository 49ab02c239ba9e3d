package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.FaultFileIO.Op;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.TreeMap;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A put that fails while it starts a new segment (the file cannot be created, or a full disk refuses its header)
 * reports the failure; close then releases everything without throwing it a second time. A failure is reported
 * once, as Linux reports an fsync error once and as SQLite's and RocksDB's close do not re-throw an error a call
 * already returned: the caller has it, and a try-with-resources would otherwise bury the put's exception under
 * close's (as a suppressed one) or, in a finally, replace it. Every put acknowledged before it survives reopen.
 */
class SegmentCreationFailureTest {
    @TempDir
    Path dir;

    private final FaultFileIO io = new FaultFileIO(28);

    private Options options(String policy) {
        FsyncPolicy p = switch (policy) {
            case "always" -> FsyncPolicy.always();
            case "never" -> FsyncPolicy.never();
            default -> FsyncPolicy.periodic(Duration.ofMillis(50));
        };
        return Options.builder().segmentSize(4096).autoCompaction(false).fsyncPolicy(p).fileIO(io.session()).build();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] value(int key) {
        byte[] v = new byte[300];
        Arrays.fill(v, (byte) key);
        return v;
    }

    @ParameterizedTest
    @ValueSource(strings = {"always:create", "never:create", "periodic:create", "always:full"})
    void closeDoesNotReportAgainTheFailureThePutReported(String scenario) {
        String[] s = scenario.split(":");
        FerrumDB db = FerrumDB.open(dir, options(s[0]));
        db.put(bytes("first"), value(0));
        db.sync(); // durable under every policy
        TreeMap<String, byte[]> acknowledged = new TreeMap<>();
        if (s[1].equals("create")) {
            io.failOn(Op.CREATE, 1, ".seg");
        }
        FerrumException failure = null;
        for (int k = 1; k < 40 && failure == null; k++) {
            if (s[1].equals("full") && k == 10) {
                // Room for the records of the current segment but not for the next segment's header.
                db.sync();
                io.diskSpace(4096L * 2);
            }
            try {
                db.put(bytes("k" + k), value(k));
                acknowledged.put("k" + k, value(k));
            } catch (FerrumException e) {
                failure = e;
            }
        }
        assertThat(failure).as("a 4 KiB segment fills within 40 puts of 300 bytes").isNotNull()
                .isInstanceOf(ReadOnlyDatabaseException.class);
        if (s[1].equals("create")) {
            assertThat(failure).hasMessageContaining("could not create a new segment")
                    .hasMessageContaining("0000000002.seg");
        }
        db.close(); // threw the put's failure a second time
        assertThatThrownBy(() -> db.put(bytes("later"), bytes("x"))).isInstanceOf(DatabaseClosedException.class);
        io.diskSpace(Long.MAX_VALUE);
        try (FerrumDB reopened = FerrumDB.open(dir, options(s[0]))) {
            assertThat(reopened.get(bytes("first"))).containsExactly(value(0));
            // Under every policy: under never() and periodic the writer's last cycle wrote out what was pending.
            acknowledged.forEach((k, v) -> assertThat(reopened.get(bytes(k))).as(k).containsExactly(v));
        }
    }

    /**
     * Under {@code never()} and {@code periodic} a put returns before its record is written. When the next segment
     * cannot be created, the records of the active segment that no flush cycle had taken yet are still written out
     * (their segment is sound and has room for them) and fsynced: every put acknowledged before the failure is there
     * after close and reopen, and after the process is killed once the failing put has returned (the files as
     * written), each key with its last acknowledged value, and nothing of the failed put. Before session 29 those
     * records were never written.
     */
    @ParameterizedTest
    @CsvSource({"never,close", "periodic,close", "never,kill", "periodic,kill"})
    void putsAcknowledgedBeforeAFailedSegmentCreationSurviveIt(String policy, String ending) {
        FerrumDB db = FerrumDB.open(dir, options(policy).toBuilder().segmentSize(16 << 10).build());
        io.failOn(Op.CREATE, 4, ".seg"); // segments 1 to 3 are created (the first at the first put), not the fourth
        TreeMap<String, String> acknowledged = new TreeMap<>();
        String last = null;
        ReadOnlyDatabaseException failure = null;
        for (int i = 0; failure == null; i++) {
            assertThat(i).as("3 segments of 16 KiB fill within 400 puts of 200 bytes").isLessThan(400);
            String key = "k" + (i % 60); // each key written several times: an older value must not come back
            String value = String.format("%s#%d#%0180d", key, i, i);
            try {
                db.put(bytes(key), bytes(value));
                acknowledged.put(key, value);
                last = key;
            } catch (ReadOnlyDatabaseException e) {
                failure = e;
            }
        }
        assertThat(failure).hasMessageContaining("could not create a new segment")
                .hasMessageContaining("0000000004.seg").hasMessageNotContaining("lost");
        assertThatThrownBy(() -> db.put(bytes("later"), bytes("x"))).isInstanceOf(ReadOnlyDatabaseException.class);
        if (ending.equals("close")) {
            db.close(); // nothing lost: nothing to report a second time
        } else {
            awaitServed(db, last, acknowledged.get(last));
            io.kill();
            try {
                db.close(); // lets go of this process's lock; the files are out of its reach (killed)
            } catch (FerrumException killed) {
                assertThat(db.isClosed()).isTrue();
            }
        }
        try (FerrumDB reopened = FerrumDB.open(dir, options(policy))) {
            TreeMap<String, String> found = new TreeMap<>();
            try (RangeIterator it = reopened.iterate(KeyRange.all())) {
                it.forEachRemaining(kv -> found.put(new String(kv.key(), StandardCharsets.UTF_8),
                        new String(kv.value(), StandardCharsets.UTF_8)));
            }
            assertThat(found).isEqualTo(acknowledged);
        }
    }

    /**
     * Waits until {@code key}, acknowledged last, is served with {@code value}: after a write failure a record is
     * served once it is written to its file (LogWriter#mayServe), which the flusher's last cycle does.
     */
    private static void awaitServed(FerrumDB db, String key, String value) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                assertThat(db.get(bytes(key))).containsExactly(bytes(value));
                return;
            } catch (ReadOnlyDatabaseException notWritten) {
                assertThat(System.nanoTime()).as("%s never written out: %s", key, notWritten).isLessThan(deadline);
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
        }
    }
}
