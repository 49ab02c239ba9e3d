package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every write on a read-only handle is refused, whether or not it would change anything: {@code delete} of an
 * absent key returned false there, as if it had been allowed. Redis answers DEL on a read-only replica with
 * READONLY whether the key exists or not, and SQLite refuses a DELETE on a read-only database even when no row
 * matches: the caller learns at the first write that the handle cannot write, not at the first one that matters.
 */
class ReadOnlyWritesTest {
    @TempDir
    Path dir;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void everyWriteOnAReadOnlyHandleIsRefusedEvenWhenItWouldChangeNothing() {
        try (FerrumDB db = FerrumDB.open(dir)) {
            db.put(bytes("present"), bytes("v"));
        }
        try (FerrumDB ro = FerrumDB.open(dir, Options.builder().readOnly(true).build())) {
            assertThatThrownBy(() -> ro.delete(bytes("absent"))).isInstanceOf(ReadOnlyDatabaseException.class)
                    .hasMessageContaining("opened read-only");
            assertThatThrownBy(() -> ro.delete(bytes("present"))).isInstanceOf(ReadOnlyDatabaseException.class);
            assertThatThrownBy(() -> ro.put(bytes("k"), bytes("v"))).isInstanceOf(ReadOnlyDatabaseException.class);
            assertThatThrownBy(() -> ro.put(bytes("k"), bytes("v"), Duration.ofSeconds(1)))
                    .isInstanceOf(ReadOnlyDatabaseException.class);
            assertThatThrownBy(() -> ro.write(new WriteBatch().delete(bytes("absent"))))
                    .isInstanceOf(ReadOnlyDatabaseException.class);
            assertThat(ro.deleteAsync(bytes("absent"))).isCompletedExceptionally();
            assertThat(ro.get(bytes("present"))).containsExactly(bytes("v"));
        }
    }

    @Test
    void deleteOfAnAbsentKeyOnAWritableHandleIsFalseAndOnAClosedOneRefused() {
        FerrumDB db = FerrumDB.open(dir);
        assertThat(db.delete(bytes("absent"))).isFalse();
        db.close();
        assertThatThrownBy(() -> db.delete(bytes("absent"))).isInstanceOf(DatabaseClosedException.class);
    }
}
