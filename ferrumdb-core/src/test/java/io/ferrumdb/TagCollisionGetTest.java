package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.internal.keydir.CollidingKeys;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A GET compares the key with the record a slot names, not with the key arena, and a slot whose hash bits match
 * may hold another key (a tag collision): it must go on probing, never report corruption nor return that key's
 * value. Three keys with one tag (so one home slot): two stored, the third absent.
 */
class TagCollisionGetTest {
    private static byte[] first;
    private static byte[] second;
    private static byte[] absent;

    @TempDir
    Path dir;

    @BeforeAll
    static void findCollidingKeys() {
        byte[][] keys = CollidingKeys.three();
        first = keys[0];
        second = keys[1];
        absent = keys[2];
        assertThat(CollidingKeys.tagOf(first)).isEqualTo(CollidingKeys.tagOf(second))
                .isEqualTo(CollidingKeys.tagOf(absent));
        assertThat(first).isNotEqualTo(second).isNotEqualTo(absent);
        assertThat(second).isNotEqualTo(absent);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private Options options(boolean encrypted) {
        return (encrypted ? EncryptedOptions.builder() : Options.builder()).segmentSize(4096).build();
    }

    /** The value through get(key, ByteBuffer), or null when it returns -1; checked against get(key). */
    private static byte[] getBoth(FerrumDB db, byte[] key) {
        byte[] viaArray = db.get(key);
        ByteBuffer dst = ByteBuffer.allocate(64);
        int n = db.get(key, dst);
        if (n < 0) {
            assertThat(viaArray).as("get(key) of a key get(key, dst) finds absent").isNull();
            assertThat(dst.position()).isZero();
            return null;
        }
        byte[] viaBuffer = Arrays.copyOf(dst.array(), n);
        assertThat(viaBuffer).as("get(key, dst) against get(key)").isEqualTo(viaArray);
        return viaBuffer;
    }

    private static void expect(FerrumDB db, String firstValue, String secondValue) {
        assertThat(getBoth(db, first)).isEqualTo(firstValue == null ? null : bytes(firstValue));
        assertThat(getBoth(db, second)).isEqualTo(secondValue == null ? null : bytes(secondValue));
        assertThat(getBoth(db, absent)).isNull();
        assertThat(db.contains(absent)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void eachCollidingKeyReadsItsOwnValueAndTheAbsentOneReadsNull(boolean encrypted) {
        try (FerrumDB db = FerrumDB.open(dir, options(encrypted))) {
            // first takes the home slot, second the next one: a GET of second or absent meets first's slot first.
            db.put(first, bytes("value of the first"));
            db.put(second, bytes("value of the second"));
            // Records still in the writer's chunks.
            expect(db, "value of the first", "value of the second");
        }
        try (FerrumDB db = FerrumDB.open(dir, options(encrypted))) {
            // Records in the mapped segment.
            expect(db, "value of the first", "value of the second");
            assertThat(db.delete(first)).isTrue();
            expect(db, null, "value of the second");
        }
        try (FerrumDB db = FerrumDB.open(dir, options(encrypted))) {
            expect(db, null, "value of the second");
            // first comes back into its removed home slot, before second again.
            db.put(first, bytes("first again"));
            expect(db, "first again", "value of the second");
            // Roll segments so that both records are read from sealed, mapped segments.
            byte[] filler = new byte[300];
            for (int i = 0; i < 40; i++) {
                db.put(bytes("filler" + i), filler);
            }
            expect(db, "first again", "value of the second");
        }
        try (FerrumDB db = FerrumDB.open(dir, options(encrypted))) {
            expect(db, "first again", "value of the second");
        }
    }
}
