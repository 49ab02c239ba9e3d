package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The contract of {@link FerrumDB#get(byte[], ByteBuffer)}, documented in its javadoc and the README. */
class GetIntoBufferTest {
    @TempDir
    Path dir;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private Options options(boolean encrypted, MutableClock clock) {
        Options.Builder b = encrypted ? EncryptedOptions.builder() : Options.builder();
        return b.clock(clock).segmentSize(4096).build();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void copiesTheValueAtThePositionOrReportsTheLengthNeeded(boolean encrypted) {
        MutableClock clock = new MutableClock(1_000_000);
        try (FerrumDB db = FerrumDB.open(dir, options(encrypted, clock))) {
            byte[] value = new byte[300];
            Arrays.fill(value, (byte) 7);
            db.put(bytes("k"), value);
            // Enough records to roll several 4 KiB segments: "k" is then read from a sealed, mapped segment.
            for (int i = 0; i < 40; i++) {
                db.put(bytes("filler" + i), value);
            }
            db.put(bytes("newest"), bytes("fresh"));
            for (String key : new String[] {"k", "newest"}) {
                byte[] expected = db.get(bytes(key));
                ByteBuffer big = ByteBuffer.allocateDirect(400).position(3);
                assertThat(db.get(bytes(key), big)).isEqualTo(expected.length);
                assertThat(big.position()).isEqualTo(3 + expected.length);
                assertThat(big.limit()).isEqualTo(400);
                byte[] copied = new byte[expected.length];
                big.get(3, copied);
                assertThat(copied).isEqualTo(expected);

                ByteBuffer small = ByteBuffer.allocate(expected.length - 1);
                assertThat(db.get(bytes(key), small)).isEqualTo(expected.length);
                assertThat(small.position()).isZero();
                assertThat(small.array()).containsOnly((byte) 0);
            }
        }
    }

    @Test
    void absentDeletedAndExpiredKeysReturnMinusOneAndLeaveTheBufferAlone() {
        MutableClock clock = new MutableClock(1_000_000);
        try (FerrumDB db = FerrumDB.open(dir, options(false, clock))) {
            db.put(bytes("gone"), bytes("v"));
            db.delete(bytes("gone"));
            db.put(bytes("ttl"), bytes("v"), Duration.ofSeconds(1));
            ByteBuffer dst = ByteBuffer.allocate(8);
            assertThat(db.get(bytes("ttl"), dst)).isEqualTo(1);
            dst.clear();
            clock.advance(Duration.ofSeconds(1));
            for (String key : new String[] {"never", "gone", "ttl"}) {
                assertThat(db.get(bytes(key), dst)).isEqualTo(-1);
                assertThat(dst.position()).isZero();
            }
            db.put(bytes("empty"), new byte[0]);
            assertThat(db.get(bytes("empty"), dst)).isZero();
            assertThat(dst.position()).isZero();
        }
    }

    @Test
    void rejectsAReadOnlyBufferAndBadKeys() {
        try (FerrumDB db = FerrumDB.open(dir, options(false, new MutableClock(0)))) {
            db.put(bytes("k"), bytes("v"));
            assertThatThrownBy(() -> db.get(bytes("k"), ByteBuffer.allocate(4).asReadOnlyBuffer()))
                    .isInstanceOf(java.nio.ReadOnlyBufferException.class);
            assertThatThrownBy(() -> db.get(null, ByteBuffer.allocate(4)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("key");
            assertThatThrownBy(() -> db.get(bytes("k"), (ByteBuffer) null))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("dst");
        }
    }
}
