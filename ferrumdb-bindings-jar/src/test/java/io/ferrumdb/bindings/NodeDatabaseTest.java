package io.ferrumdb.bindings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.DatabaseClosedException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeDatabaseTest {
    @TempDir
    Path dir;

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    NodeDatabase open() {
        return new NodeDatabase(dir.toString(), "never", 0, null, false);
    }

    @Test
    void valuesCrossAsBase64AndSurviveReopen() {
        byte[] bytes = {0, -1, 127, -128};
        String binary = Base64.getEncoder().encodeToString(bytes);
        try (NodeDatabase db = open()) {
            db.put(b64("k"), binary, 0);
            db.put(b64("t"), b64("v"), 60_000);
            assertThat(db.size()).isEqualTo(2.0);
        }
        try (NodeDatabase db = open()) {
            assertThat(db.get(b64("k"))).isEqualTo(bytes);
            assertThat(text(db.get(b64("t")))).isEqualTo("v");
            assertThat(db.get(b64("absent"))).isNull();
            assertThat(db.contains(b64("k"))).isTrue();
            assertThat(db.delete(b64("k"))).isTrue();
            assertThat(db.delete(b64("k"))).isFalse();
        }
    }

    @Test
    void batchAppliesPutsAndDeletesTogether() {
        try (NodeDatabase db = open()) {
            db.put(b64("old"), b64("x"), 0);
            db.write(new String[] {b64("a"), b64("b"), b64("old")}, new String[] {b64("1"), b64("2"), ""},
                    new long[] {0, 60_000, 0}, new boolean[] {false, false, true});
            assertThat(text(db.get(b64("a")))).isEqualTo("1");
            assertThat(text(db.get(b64("b")))).isEqualTo("2");
            assertThat(db.contains(b64("old"))).isFalse();
        }
    }

    @Test
    void rejectedBatchOperationIsNamedAndNothingIsWritten() {
        String tooLong = Base64.getEncoder().encodeToString(new byte[70_000]);
        try (NodeDatabase db = open()) {
            assertThatThrownBy(() -> db.write(new String[] {b64("ok"), tooLong}, new String[] {b64("1"), b64("2")},
                    new long[] {0, 0}, new boolean[2]))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("batch operation 1: key of 70000 bytes");
            assertThatThrownBy(() -> db.write(new String[] {b64("ok")}, new String[] {b64("1")}, new long[] {-1},
                    new boolean[1]))
                    .hasMessageContaining("ttl must be positive");
            assertThatThrownBy(() -> db.write(new String[] {b64("ok")}, new String[0], new long[0], new boolean[0]))
                    .hasMessageContaining("one value, TTL and delete flag per key");
            assertThat(db.contains(b64("ok"))).isFalse();
        }
    }

    @Test
    void negativeTtlIsRejectedAndClosedIsReported() {
        NodeDatabase db = open();
        assertThatThrownBy(() -> db.put(b64("k"), b64("v"), -5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-5");
        db.close();
        assertThatThrownBy(() -> db.get(b64("k"))).isInstanceOf(DatabaseClosedException.class);
    }
}
