package io.ferrumdb.acceptance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.KeyRange;
import io.ferrumdb.Limits;
import io.ferrumdb.Options;
import io.ferrumdb.WriteBatch;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input at every door of the public API (package {@code io.ferrumdb} only, as a user's code calls it): a null or
 * oversized key or value and a TTL that is not positive are refused with an {@link IllegalArgumentException} that
 * names the argument and, for sizes, the limit; nothing is written, and the handle stays usable. A range whose
 * start is after its end is empty in every view, not an error (issue 12).
 */
class EdgeInputTest {
    private static final byte[] BIG_KEY = new byte[Limits.MAX_KEY_SIZE + 1];
    private static final byte[] BIG_VALUE = new byte[Limits.MAX_VALUE_SIZE + 1];
    private static final List<Duration> NOT_POSITIVE = List.of(Duration.ZERO, Duration.ofMillis(-1),
            Duration.ofSeconds(-5));

    @TempDir
    Path tmp;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void refused(ThrowingCallable call, String... named) {
        assertThatThrownBy(call).isInstanceOf(IllegalArgumentException.class).message().contains(named);
    }

    /** Every call that takes a key, with {@code key}. */
    private static List<ThrowingCallable> keyCalls(FerrumDB db, byte[] key) {
        return List.of(() -> db.get(key), () -> db.get(key, ByteBuffer.allocate(8)), () -> db.getIfInMemory(key),
                () -> db.contains(key), () -> db.expiresAt(key), () -> db.delete(key), () -> db.deleteAsync(key),
                () -> db.put(key, b("v")), () -> db.put(key, b("v"), Duration.ofMinutes(1)),
                () -> db.putAsync(key, b("v")), () -> new WriteBatch().put(key, b("v")),
                () -> new WriteBatch().put(key, b("v"), Duration.ofMinutes(1)), () -> new WriteBatch().delete(key));
    }

    /** Every call that takes a value, with {@code value}. */
    private static List<ThrowingCallable> valueCalls(FerrumDB db, byte[] value) {
        return List.of(() -> db.put(b("k"), value), () -> db.put(b("k"), value, Duration.ofMinutes(1)),
                () -> db.putAsync(b("k"), value), () -> new WriteBatch().put(b("k"), value),
                () -> new WriteBatch().put(b("k"), value, Duration.ofMinutes(1)));
    }

    @Test
    void aBatchOverItsLimitIsRefusedNamingItsSizeAndTheLimitAndKeepsWhatItHeld() {
        byte[] largest = new byte[Limits.MAX_VALUE_SIZE];
        WriteBatch batch = new WriteBatch();
        int fit = (int) (Limits.MAX_BATCH_BYTES / (largest.length + 2)); // 3 puts of a 2-byte key and 64 MiB
        for (int i = 0; i < fit; i++) {
            batch.put(b("k" + i), largest);
        }
        long held = fit * (largest.length + 2L);
        refused(() -> batch.put(b("k" + fit), largest), "batch of " + (held + largest.length + 2) + " bytes",
                "operation " + (fit + 1), "limit of " + Limits.MAX_BATCH_BYTES, "MAX_BATCH_BYTES");
        assertThat(batch.size()).as("the refused put was not added").isEqualTo(fit);
        batch.delete(b("small enough")); // what still fits is still taken
        assertThat(batch.size()).isEqualTo(fit + 1);
    }

    @Test
    void nullAndOversizedKeysAndValuesAndNonPositiveTtlsAreRefusedNamingTheLimitAndWriteNothing() {
        Path dir = tmp.resolve("db");
        Options options = Options.builder().fsyncPolicy(FsyncPolicy.never()).build();
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            db.put(b("k"), b("kept"));
            for (ThrowingCallable call : keyCalls(db, null)) {
                refused(call, "key must not be null");
            }
            for (ThrowingCallable call : keyCalls(db, BIG_KEY)) {
                refused(call, "key of " + BIG_KEY.length + " bytes", "limit of " + Limits.MAX_KEY_SIZE,
                        "MAX_KEY_SIZE");
            }
            for (ThrowingCallable call : valueCalls(db, null)) {
                refused(call, "value must not be null");
            }
            for (ThrowingCallable call : valueCalls(db, BIG_VALUE)) {
                refused(call, "value of " + BIG_VALUE.length + " bytes", "limit of " + Limits.MAX_VALUE_SIZE,
                        "MAX_VALUE_SIZE");
            }
            for (Duration ttl : NOT_POSITIVE) {
                refused(() -> db.put(b("k"), b("v"), ttl), "ttl must be positive", ttl.toString());
                refused(() -> new WriteBatch().put(b("k"), b("v"), ttl), "ttl must be positive");
            }
            refused(() -> db.put(b("k"), b("v"), null), "ttl must not be null");
            refused(() -> KeyRange.prefix(null), "prefix must not be null");
            refused(() -> KeyRange.all().contains(null), "key must not be null");

            // The limits themselves are allowed.
            db.put(new byte[Limits.MAX_KEY_SIZE], b("largest key"));
            assertThat(db.get(new byte[Limits.MAX_KEY_SIZE])).isEqualTo(b("largest key"));
            assertThat(db.get(b("k"))).isEqualTo(b("kept"));
            assertThat(db.expiresAt(b("k"))).as("no refused TTL reached the key").isZero();
            assertThat(db.size()).isEqualTo(2);
        }
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            assertThat(db.size()).as("nothing refused was written").isEqualTo(2);
            assertThat(db.get(b("k"))).isEqualTo(b("kept"));
        }
    }

    @Test
    void aRangeWhoseStartIsAfterItsEndIsEmptyInEveryViewNotAnError() {
        try (FerrumDB db = FerrumDB.open(tmp.resolve("db"))) {
            for (String k : List.of("a", "b", "c")) {
                db.put(b(k), b(k));
            }
            for (KeyRange inverted : List.of(KeyRange.closedOpen(b("c"), b("a")), KeyRange.closedOpen(b("b"), b("b")),
                    KeyRange.closedOpen(b("c"), b("a")).reversed(), KeyRange.lessThan(new byte[0]))) {
                assertThat(inverted.isEmpty()).as("%s", inverted).isTrue();
                assertThat(db.keys(inverted)).as("%s", inverted).isEmpty();
                assertThat(db.count(inverted)).isZero();
                assertThat(db.firstKey(inverted)).isEmpty();
                assertThat(db.lastKey(inverted)).isEmpty();
                try (var it = db.iterate(inverted)) {
                    assertThat(it.hasNext()).isFalse();
                }
            }
            assertThatThrownBy(() -> db.iterate(null)).isInstanceOf(NullPointerException.class).hasMessage("range");
        }
    }
}
