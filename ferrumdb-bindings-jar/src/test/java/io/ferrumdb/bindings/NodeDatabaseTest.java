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

    /** The value of {@code key} as {@link NodeDatabase#getBase64} returns it, decoded; null when absent. */
    static byte[] value(NodeDatabase db, String key) {
        String base64 = db.getBase64(b64(key));
        return base64 == null ? null : Base64.getDecoder().decode(base64);
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
            assertThat(value(db, "k")).isEqualTo(bytes);
            assertThat(text(value(db, "t"))).isEqualTo("v");
            assertThat(value(db, "absent")).isNull();
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
            assertThat(text(value(db, "a"))).isEqualTo("1");
            assertThat(text(value(db, "b"))).isEqualTo("2");
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
        assertThatThrownBy(() -> value(db, "k")).isInstanceOf(DatabaseClosedException.class);
    }

    @Test
    void getsAsBase64ReturnValuesAsBase64AndMarkLargeOnesWithAHandle() {
        byte[] bytes = {0, -1, 127, -128, 35};
        String binary = Base64.getEncoder().encodeToString(bytes);
        try (NodeDatabase db = open()) {
            assertThat(db.getBase64(b64("absent"))).isNull();
            assertThat(db.getBoundedBase64(b64("absent"), 4)).isNull();
            db.put(b64("bin"), binary, 0);
            db.put(b64("empty"), "", 0);
            assertThat(Base64.getDecoder().decode(db.getBase64(b64("bin")))).isEqualTo(bytes);
            assertThat(db.getBase64(b64("empty"))).isEmpty();
            assertThat(db.getBoundedBase64(b64("empty"), 4)).isEmpty();
            assertThat(Base64.getDecoder().decode(db.getBoundedBase64(b64("bin"), 5))).isEqualTo(bytes);
            // Over the bound: "#<handle>,<length>", the value kept for readPart.
            String head = db.getBoundedBase64(b64("bin"), 4);
            assertThat(head).matches("#[0-9]+,5");
            double handle = handle(head);
            assertThat(db.readPart(handle, 3)).isEqualTo(new byte[] {0, -1, 127});
            assertThat(db.readPart(handle, 3)).isEqualTo(new byte[] {-128, 35});
            assertThatThrownBy(() -> db.readPart(handle, 3)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> db.getBase64("not base64!")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("key");
        }
    }

    @Test
    void aBoundedGetHandsALargeValueOverInPartsOfOneRead() {
        try (NodeDatabase db = open()) {
            db.put(b64("large"), b64("0123456789"), 0);
            String head = db.getBoundedBase64(b64("large"), 4);
            assertThat(head).matches("#[0-9]+,10");
            double handle = handle(head);
            // Overwritten after the read: the parts still come from the value that was read.
            db.put(b64("large"), b64("changed"), 0);
            assertThat(text(db.readPart(handle, 4))).isEqualTo("0123");
            assertThat(text(db.readPart(handle, 4))).isEqualTo("4567");
            assertThat(text(db.readPart(handle, 4))).isEqualTo("89");
            // Dropped with its last part.
            assertThatThrownBy(() -> db.readPart(handle, 4)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("no value is kept under handle");
            double abandoned = handle(db.getBoundedBase64(b64("large"), 2));
            db.readPart(abandoned, 2);
            db.dropPart(abandoned);
            db.dropPart(abandoned);
            assertThatThrownBy(() -> db.readPart(abandoned, 2)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> db.readPart(handle, 0)).hasMessageContaining("positive size");
            double open = handle(db.getBoundedBase64(b64("large"), 2));
            db.close();
            assertThatThrownBy(() -> db.readPart(open, 2)).isInstanceOf(DatabaseClosedException.class);
        }
    }

    @Test
    void readsThroughAHandleAreThoseOfItsDatabase() {
        Path second = dir.resolve("second");
        try (NodeDatabase a = open();
             NodeDatabase b = new NodeDatabase(second.toString(), "never", 0, null, false)) {
            a.put(b64("k"), b64("in a"), 0);
            b.put(b64("k"), b64("in b"), 0);
            assertThat(a.handle()).isNotEqualTo(b.handle());
            assertThat(NodeDatabase.readBase64(a.handle(), b64("k"))).isEqualTo(a.getBase64(b64("k")))
                    .isEqualTo(b64("in a"));
            assertThat(NodeDatabase.readBase64(b.handle(), b64("k"))).isEqualTo(b64("in b"));
            assertThat(NodeDatabase.readBase64(a.handle(), b64("absent"))).isNull();
            assertThatThrownBy(() -> NodeDatabase.readBase64(a.handle(), "not base64!"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("key is not base64");
            b.close();
            assertThatThrownBy(() -> NodeDatabase.readBase64(b.handle(), b64("k")))
                    .isInstanceOf(DatabaseClosedException.class);
        }
        // Handles count up from 1.
        assertThatThrownBy(() -> NodeDatabase.readBase64(-1, b64("k")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no database has handle -1");
    }

    @Test
    void anInMemoryReadAnswersWhatIsInMemoryAndSendsTheRestToAJavaThread() {
        try (NodeDatabase db = open()) {
            db.put(b64("small"), b64("v"), 0);
            db.put(b64("empty"), "", 0);
            db.put(b64("large"), b64("x".repeat(1_000)), 0);
            int h = db.handle();
            assertThat(NodeDatabase.readIfInMemoryBase64(h, b64("small"), 100)).isEqualTo(b64("v"));
            assertThat(NodeDatabase.readIfInMemoryBase64(h, b64("empty"), 100)).isEmpty();
            assertThat(NodeDatabase.readIfInMemoryBase64(h, b64("absent"), 100)).isNull();
            assertThat(NodeDatabase.readIfInMemoryBase64(h, b64("large"), 100)).isEqualTo(NodeDatabase.NOT_HERE);
            assertThat(NodeDatabase.readIfInMemoryBase64(h, b64("large"), 1_000)).isEqualTo(b64("x".repeat(1_000)));
            // More than the log writer keeps in memory (1 MiB), synced in several chunks: the first record is only
            // in the active segment's file, which would take a positional read.
            String kilobyte = b64("y".repeat(1_000));
            for (int i = 0; i < 3_000; i++) {
                db.put(b64("k" + i), kilobyte, 0);
                if (i % 500 == 499) {
                    db.database().sync();
                }
            }
            db.database().sync();
            assertThat(NodeDatabase.readIfInMemoryBase64(h, b64("k0"), 1 << 20)).isEqualTo(NodeDatabase.NOT_HERE);
            assertThat(db.getBoundedBase64(b64("k0"), 1 << 20)).isEqualTo(kilobyte);
            assertThatThrownBy(() -> NodeDatabase.readIfInMemoryBase64(h, "not base64!", 100))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("key is not base64");
            db.close();
            assertThatThrownBy(() -> NodeDatabase.readIfInMemoryBase64(h, b64("small"), 100))
                    .isInstanceOf(DatabaseClosedException.class);
        }
    }

    private static double handle(String head) {
        return Double.parseDouble(head.substring(1, head.indexOf(',')));
    }
}
