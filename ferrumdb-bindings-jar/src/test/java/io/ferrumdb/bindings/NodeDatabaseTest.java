package io.ferrumdb.bindings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.DatabaseClosedException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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

    /** Operations packed as NodeDatabase.writeEach takes them (the layout lib/db.js writes). */
    static final class Ops {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Ops put(byte[] key, byte[] value, double ttlMillis) {
            return op(NodeDatabase.OP_PUT, key, value, ttlMillis);
        }

        Ops put(String key, String value) {
            return put(key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8), 0);
        }

        Ops delete(String key) {
            return op(NodeDatabase.OP_DELETE, key.getBytes(StandardCharsets.UTF_8), new byte[0], 0);
        }

        Ops op(byte code, byte[] key, byte[] value, double ttlMillis) {
            ByteBuffer header = ByteBuffer.allocate(NodeDatabase.OP_HEADER).order(ByteOrder.LITTLE_ENDIAN);
            header.put(code).putInt(key.length).putInt(value.length).putDouble(ttlMillis);
            out.writeBytes(header.array());
            out.writeBytes(key);
            out.writeBytes(value);
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }

        String base64() {
            return Base64.getEncoder().encodeToString(bytes());
        }
    }

    @Test
    void writeEachAppliesEveryOperationInOrderAndReportsDeletes() {
        try (NodeDatabase db = open()) {
            db.put(b64("gone"), b64("x"), 0);
            String outcome = db.writeEach(new Ops().put("a", "1").put("a", "2").delete("gone").delete("never")
                    .put("b", "3").delete("b").put("t", "ttl").base64());
            assertThat(outcome).isEqualTo("0010010");
            assertThat(text(db.get(b64("a")))).isEqualTo("2");
            assertThat(db.contains(b64("gone"))).isFalse();
            assertThat(db.contains(b64("b"))).isFalse();
            assertThat(db.writeEach("")).isEmpty();
        }
    }

    @Test
    void writeEachFailsOnlyTheRejectedOperations() {
        byte[] tooLong = new byte[70_000];
        byte[] ok = "ok".getBytes(StandardCharsets.UTF_8);
        try (NodeDatabase db = open()) {
            String outcome = db.writeEach(new Ops().put(ok, ok, 0).put(tooLong, ok, 0).put(ok, ok, 1.5)
                    .put("after", "yes").base64());
            String[] lines = outcome.split("\n");
            assertThat(lines[0]).isEqualTo("0EE0");
            assertThat(lines).hasSize(3);
            assertThat(lines[1]).startsWith("1\tjava.lang.IllegalArgumentException,java.lang.RuntimeException,")
                    .contains("key of 70000 bytes");
            String[] failure = lines[2].split("\t", 4);
            assertThat(failure[0]).isEqualTo("2");
            assertThat(failure[2]).isEqualTo(String.valueOf(failure[3].length()));
            assertThat(failure[3]).contains("whole number of milliseconds").contains("1.5");
            assertThat(text(db.get(b64("after")))).isEqualTo("yes");
            assertThat(text(db.get(b64("ok")))).isEqualTo("ok");
        }
    }

    @Test
    void writeEachRejectsMalformedPackingWithoutWriting() {
        try (NodeDatabase db = open()) {
            byte[] packed = new Ops().put("a", "1").put("b", "2").bytes();
            String cut = Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(packed, packed.length - 1));
            assertThatThrownBy(() -> db.writeEach(cut)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("packed operation 1");
            String badCode = new Ops().op((byte) 9, new byte[] {1}, new byte[0], 0).base64();
            assertThatThrownBy(() -> db.writeEach(badCode)).hasMessageContaining("packed operation 0 at byte 0");
            assertThat(db.size()).isZero();
        }
    }

    @Test
    void writeEachOnAClosedDatabaseFailsEveryOperationWithTheClosedError() {
        NodeDatabase db = open();
        db.close();
        String outcome = db.writeEach(new Ops().put("a", "1").delete("b").base64());
        assertThat(outcome).startsWith("EE\n0\tio.ferrumdb.DatabaseClosedException,").contains("\n1\tio.ferrumdb");
    }

    @Test
    void writeEachSharesGroupCommitsAndReturnsOnlyWhenDurable() {
        int n = 2000;
        Ops ops = new Ops();
        for (int i = 0; i < n; i++) {
            ops.put("k" + i, "v".repeat(100));
        }
        try (NodeDatabase db = new NodeDatabase(dir.toString(), "always", 0, null, false)) {
            double fsyncsBefore = db.stats()[4];
            assertThat(db.writeEach(ops.base64())).isEqualTo("0".repeat(n));
            double[] stats = db.stats();
            assertThat(stats[0]).isEqualTo(n); // live keys
            assertThat(stats[1]).isEqualTo(n); // puts
            // Every put is durable when writeEach returns, and far fewer fsyncs than puts made them so.
            assertThat(stats[5]).isGreaterThanOrEqualTo(n);
            assertThat(stats[4] - fsyncsBefore).isLessThan(n / 10.0);
        }
    }
}
