package io.ferrumdb.bindings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatheredWritesTest {
    @TempDir
    Path dir;

    static String b64(String s) {
        return NodeDatabaseTest.b64(s);
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Operations packed in GatheredWrites' layout (the one lib/writes.js writes). */
    static final class Ops {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Ops put(byte[] key, byte[] value, double ttlMillis) {
            return op(GatheredWrites.OP_PUT, key, value, ttlMillis);
        }

        Ops put(String key, String value) {
            return put(key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8), 0);
        }

        Ops delete(String key) {
            return op(GatheredWrites.OP_DELETE, key.getBytes(StandardCharsets.UTF_8), new byte[0], 0);
        }

        Ops op(byte code, byte[] key, byte[] value, double ttlMillis) {
            ByteBuffer header = ByteBuffer.allocate(GatheredWrites.OP_HEADER).order(ByteOrder.LITTLE_ENDIAN);
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

    /** Each reported pack's text (outcomes, then failure lines), by ticket, until {@code tickets} are in. */
    static Map<Long, String> await(NodeDatabase db, long... tickets) throws InterruptedException {
        Map<Long, String> reports = new HashMap<>();
        while (!Arrays.stream(tickets).allMatch(reports::containsKey)) {
            String text = db.completions(10_000);
            assertThat(text).as("a pack settled within 10 s").isNotEmpty().endsWith("\n\n");
            for (String pack : text.substring(0, text.length() - 2).split("\n\n")) {
                String[] head = pack.split("\t", 3);
                assertThat(reports.put(Long.parseLong(head[0]), head[2])).as("reported once").isNull();
                assertThat(head[2].split("\n")[0]).hasSize(Integer.parseInt(head[1]));
            }
        }
        return reports;
    }

    static String writeEach(NodeDatabase db, Ops ops) throws InterruptedException {
        long ticket = (long) db.submit(ops.base64(), 0);
        return await(db, ticket).get(ticket);
    }

    NodeDatabase open(String fsync) {
        return new NodeDatabase(dir.toString(), fsync, 0, null, false);
    }

    @Test
    void appliesEveryOperationInOrderAndReportsDeletes() throws Exception {
        try (NodeDatabase db = open("never")) {
            db.put(b64("gone"), b64("x"), 0);
            String outcome = writeEach(db, new Ops().put("a", "1").put("a", "2").delete("gone").delete("never")
                    .put("b", "3").delete("b").put("t", "ttl"));
            assertThat(outcome).isEqualTo("0010010");
            assertThat(text(NodeDatabaseTest.value(db, "a"))).isEqualTo("2");
            assertThat(db.contains(b64("gone"))).isFalse();
            assertThat(db.contains(b64("b"))).isFalse();
            assertThat(writeEach(db, new Ops())).isEmpty();
            assertThat(db.completions(0)).isEmpty();
        }
    }

    @Test
    void failsOnlyTheRejectedOperations() throws Exception {
        byte[] tooLong = new byte[70_000];
        byte[] ok = "ok".getBytes(StandardCharsets.UTF_8);
        try (NodeDatabase db = open("never")) {
            String outcome = writeEach(db, new Ops().put(ok, ok, 0).put(tooLong, ok, 0).put(ok, ok, 1.5)
                    .put("after", "yes").op(GatheredWrites.OP_PUT, ok, "caf\u00e9 \ud83d\ude00".getBytes(
                            StandardCharsets.UTF_8), -3));
            String[] lines = outcome.split("\n");
            assertThat(lines[0]).isEqualTo("0EE0E");
            assertThat(lines).hasSize(4);
            assertThat(lines[1]).startsWith("1\tjava.lang.IllegalArgumentException,java.lang.RuntimeException,")
                    .contains("key of 70000 bytes");
            String[] failure = lines[2].split("\t", 4);
            assertThat(failure[0]).isEqualTo("2");
            assertThat(failure[2]).isEqualTo(String.valueOf(failure[3].length()));
            assertThat(failure[3]).contains("whole number of milliseconds").contains("1.5");
            assertThat(lines[3]).startsWith("4\t").contains("-3.0");
            assertThat(text(NodeDatabaseTest.value(db, "after"))).isEqualTo("yes");
            assertThat(text(NodeDatabaseTest.value(db, "ok"))).isEqualTo("ok");
        }
    }

    @Test
    void messagesCrossAsAsciiWithTheirLengths() {
        assertThat(GatheredWrites.ascii("caf\u00e9 \ud83d\ude00\tx")).isEqualTo("caf\\u00e9 \\ud83d\\ude00\tx");
    }

    @Test
    void rejectsMalformedPacksWithoutWriting() {
        try (NodeDatabase db = open("never")) {
            byte[] packed = new Ops().put("a", "1").put("b", "2").bytes();
            String cut = Base64.getEncoder().encodeToString(Arrays.copyOf(packed, packed.length - 1));
            assertThatThrownBy(() -> db.submit(cut, 0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("packed operation 1");
            String badCode = new Ops().op((byte) 9, new byte[] {1}, new byte[0], 0).base64();
            assertThatThrownBy(() -> db.submit(badCode, 0)).hasMessageContaining("packed operation 0 at byte 0");
            String deleteWithValue = new Ops().op(GatheredWrites.OP_DELETE, new byte[] {1}, new byte[] {2}, 0)
                    .base64();
            assertThatThrownBy(() -> db.submit(deleteWithValue, 0)).hasMessageContaining("malformed");
            assertThat(db.size()).isZero();
        }
    }

    @Test
    void onAClosedDatabaseEveryOperationFailsWithTheClosedError() throws Exception {
        NodeDatabase db = open("never");
        db.close();
        String outcome = writeEach(db, new Ops().put("a", "1").delete("b"));
        assertThat(outcome).startsWith("EE\n0\tio.ferrumdb.DatabaseClosedException,")
                .contains("\n1\tio.ferrumdb.DatabaseClosedException,");
    }

    @Test
    void packsShareGroupCommitsAndSettleOnlyWhenDurable() throws Exception {
        int packs = 20;
        int perPack = 100;
        try (NodeDatabase db = open("always")) {
            double fsyncsBefore = db.stats()[4];
            long[] tickets = new long[packs];
            for (int p = 0; p < packs; p++) {
                Ops ops = new Ops();
                for (int i = 0; i < perPack; i++) {
                    ops.put("k" + p + ":" + i, "v".repeat(100));
                }
                tickets[p] = (long) db.submit(ops.base64(), 0);
            }
            Map<Long, String> reports = await(db, tickets);
            assertThat(reports.values()).allMatch("0".repeat(perPack)::equals);
            double[] stats = db.stats();
            int n = packs * perPack;
            assertThat(stats[0]).isEqualTo(n); // live keys
            // Every put was durable when its pack was reported, and far fewer fsyncs than puts made them so.
            assertThat(stats[5]).isGreaterThanOrEqualTo(n);
            assertThat(stats[4] - fsyncsBefore).isLessThan(n / 10.0);
        }
    }

    static String part(byte[] bytes, int from, int to) {
        return Base64.getEncoder().encodeToString(Arrays.copyOfRange(bytes, from, to));
    }

    @Test
    void aLargePackCrossesInPartsAndStalePartsNeverMixIn() throws Exception {
        byte[] big = new byte[100_000];
        Arrays.fill(big, (byte) 'b');
        byte[] packed = new Ops().put("small", "s").put("big".getBytes(StandardCharsets.UTF_8), big, 0).bytes();
        try (NodeDatabase db = open("never")) {
            // An abandoned pack's parts are dropped by the next pack's first part.
            db.stage(part(packed, 0, 10), true);
            db.stage(part(packed, 0, 40_000), true);
            db.stage(part(packed, 40_000, 80_000), false);
            long ticket = (long) db.submit(part(packed, 80_000, packed.length), 2);
            assertThat(await(db, ticket).get(ticket)).isEqualTo("00");
            assertThat(NodeDatabaseTest.value(db, "big")).isEqualTo(big);
            assertThat(text(NodeDatabaseTest.value(db, "small"))).isEqualTo("s");

            // A pack naming fewer or more parts than were staged is refused, and its parts are dropped.
            db.stage(part(packed, 0, 40_000), true);
            assertThatThrownBy(() -> db.submit(part(packed, 40_000, packed.length), 2))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("found 1 staged");
            assertThatThrownBy(() -> db.submit(part(packed, 40_000, packed.length), 1))
                    .hasMessageContaining("found 0 staged");
            // A one-part pack ignores stale parts.
            db.stage(part(packed, 0, 10), true);
            long alone = (long) db.submit(new Ops().put("alone", "a").base64(), 0);
            assertThat(await(db, alone).get(alone)).isEqualTo("0");
            assertThat(db.size()).isEqualTo(3.0);
        }
    }

    @Test
    void writePackedIsAllOrNothingAndNamesTheRejectedOperation() {
        try (NodeDatabase db = open("never")) {
            db.put(b64("old"), b64("x"), 0);
            byte[] packed = new Ops().put("a", "1").put("t".getBytes(StandardCharsets.UTF_8),
                    "2".getBytes(StandardCharsets.UTF_8), 60_000).delete("old").bytes();
            db.stage(part(packed, 0, 7), true);
            db.writePacked(part(packed, 7, packed.length), 1);
            assertThat(text(NodeDatabaseTest.value(db, "a"))).isEqualTo("1");
            assertThat(text(NodeDatabaseTest.value(db, "t"))).isEqualTo("2");
            assertThat(db.contains(b64("old"))).isFalse();

            String bad = new Ops().put("b", "1").put(new byte[70_000], new byte[1], 0).base64();
            assertThatThrownBy(() -> db.writePacked(bad, 0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("batch operation 1: key of 70000 bytes");
            String badTtl = new Ops().put("c".getBytes(StandardCharsets.UTF_8), new byte[1], -1).base64();
            assertThatThrownBy(() -> db.writePacked(badTtl, 0)).hasMessageContaining("batch operation 0: ttl");
            assertThat(db.contains(b64("b"))).isFalse();
            assertThat(db.contains(b64("c"))).isFalse();
        }
    }
}
