package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A single put or delete is encoded from the caller's arrays under the log writer's lock, with no copy of its own
 * (WritePath#put): the store must keep none of them. A caller changing its arrays after the call changes nothing
 * stored, in the record, the key directory, the ordered index or the hint files (read at the next open), in every
 * kind of store: plaintext ordered, plaintext hash-only (keys compared in the records), and encrypted (where the key
 * cannot be read back from the sealed record).
 */
class SinglePutTest {
    @TempDir
    Path dir;

    static Stream<Arguments> stores() {
        Options.Builder small = Options.builder().segmentSize(4096).autoCompaction(false);
        return Stream.of(
                Arguments.of("plaintext, ordered", small.orderedKeys(true).build()),
                Arguments.of("plaintext, hash-only", small.orderedKeys(false).build()),
                Arguments.of("encrypted, ordered", EncryptedOptions.encrypted(small.orderedKeys(true).build())),
                Arguments.of("encrypted, hash-only", EncryptedOptions.encrypted(small.orderedKeys(false).build())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void callersArraysChangedAfterTheCallChangeNothingStored(String name, Options options) {
        int n = 200; // 4 KiB segments: several rolled and hinted
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            for (int i = 0; i < n; i++) {
                byte[] key = key(i);
                byte[] value = value(i);
                if (i % 3 == 0) {
                    db.put(key, value, Duration.ofDays(1));
                } else {
                    db.put(key, value);
                }
                key[0] = 'X'; // the caller reuses its arrays
                value[0] = 'X';
            }
            for (int i = 0; i < n; i += 10) {
                byte[] key = key(i);
                assertThat(db.delete(key)).isTrue();
                key[0] = 'X';
            }
            byte[] async = key(n);
            byte[] asyncValue = value(n);
            db.putAsync(async, asyncValue).join();
            async[0] = 'X';
            asyncValue[0] = 'X';
            expect(db, n, options.orderedKeys());
        }
        try (FerrumDB db = FerrumDB.open(dir, options)) { // from the hint files and the active segment's records
            expect(db, n, options.orderedKeys());
        }
    }

    /**
     * A caller changing its key array while the put runs: whatever key the record holds, the key directory, the
     * ordered index and the hint name that key (in a plaintext segment they take it from the record; in an
     * encrypted one from a copy made before the record was sealed). Every key listed is then readable, before and
     * after reopening, and the store verifies clean.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void keyChangedDuringThePutLeavesRecordAndDirectoryAgreeing(String name, Options options) throws Exception {
        byte[] key = key(0);
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            Thread flipper = new Thread(() -> {
                for (int i = 0; !Thread.currentThread().isInterrupted(); i++) {
                    key[key.length - 1 - (i & 3)] = (byte) ('0' + (i % 10));
                }
            });
            flipper.start();
            try {
                for (int i = 0; i < 2_000; i++) {
                    db.put(key, value(i));
                }
            } finally {
                flipper.interrupt();
                flipper.join();
            }
            expectEveryKeyReadable(db, options.orderedKeys());
        }
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            expectEveryKeyReadable(db, options.orderedKeys());
        }
        assertThat(FerrumDB.verify(dir, options).ok()).isTrue();
    }

    private static void expectEveryKeyReadable(FerrumDB db, boolean ordered) {
        List<byte[]> keys = (ordered ? db.keys(KeyRange.all()) : db.keys()).collect(Collectors.toList());
        assertThat(keys).hasSize((int) db.size()).isNotEmpty();
        for (byte[] k : keys) {
            assertThat(k).startsWith("key-0".getBytes(StandardCharsets.UTF_8));
            assertThat(db.get(k)).as(new String(k, StandardCharsets.UTF_8)).isNotNull();
        }
    }

    private static void expect(FerrumDB db, int n, boolean ordered) {
        for (int i = 0; i <= n; i++) {
            assertThat(db.get(key(i))).as("key %d", i).isEqualTo(i % 10 == 0 && i < n ? null : value(i));
        }
        assertThat(db.get(mutated(key(1)))).isNull();
        assertThat(db.size()).isEqualTo(n + 1 - n / 10);
        if (ordered) {
            List<String> keys = db.keys(KeyRange.all()).map(k -> new String(k, StandardCharsets.UTF_8))
                    .collect(Collectors.toList());
            assertThat(keys).hasSize(n + 1 - n / 10).allMatch(k -> k.startsWith("key-")).isSorted();
        }
    }

    private static byte[] key(int i) {
        return String.format("key-%05d", i).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] value(int i) {
        return ("value-" + i + "-" + "v".repeat(i % 50)).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] mutated(byte[] b) {
        b[0] = 'X';
        return b;
    }
}
