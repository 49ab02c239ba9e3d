package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.FaultFileIO.Op;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.TreeMap;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
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
            default -> FsyncPolicy.periodic(java.time.Duration.ofMillis(50));
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
        boolean always = s[0].equals("always");
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
            if (!always) {
                assertThat(failure).hasMessageContaining("acknowledged").hasMessageContaining("are lost");
            }
        }
        db.close(); // threw the put's failure a second time
        assertThatThrownBy(() -> db.put(bytes("later"), bytes("x"))).isInstanceOf(DatabaseClosedException.class);
        io.diskSpace(Long.MAX_VALUE);
        try (FerrumDB reopened = FerrumDB.open(dir, options(s[0]))) {
            assertThat(reopened.get(bytes("first"))).containsExactly(value(0));
            // Under always() every acknowledged put is there; under the others each is there or absent, never wrong.
            acknowledged.forEach((k, v) -> {
                byte[] got = reopened.get(bytes(k));
                if (always || got != null) {
                    assertThat(got).as(k).containsExactly(v);
                }
            });
        }
    }
}
