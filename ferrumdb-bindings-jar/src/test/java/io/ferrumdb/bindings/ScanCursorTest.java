package io.ferrumdb.bindings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.DatabaseClosedException;
import io.ferrumdb.FerrumDB;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScanCursorTest {
    @TempDir
    Path dir;
    FerrumDB db;

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @BeforeEach
    void fill() {
        db = BindingSupport.open(dir.toString(), "never", 0, null, false);
        for (String k : new String[] {"mem:b", "other", "mem:a", "mem:c", "mem:d"}) {
            db.put(b(k), b("value of " + k));
        }
        db.delete(b("mem:c"));
    }

    @AfterEach
    void close() {
        db.close();
    }

    /** Decodes every chunk of {@code cursor} as the bindings do: "key" or "key=value" per entry. */
    static List<String> drain(ScanCursor cursor, int maxEntries, int maxBytes, boolean values, List<Integer> sizes) {
        List<String> out = new ArrayList<>();
        for (byte[] chunk = cursor.next(maxEntries, maxBytes); chunk != null;
             chunk = cursor.next(maxEntries, maxBytes)) {
            ByteBuffer in = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
            int count = in.getInt();
            sizes.add(count);
            int per = values ? 2 : 1;
            int[] lengths = new int[count * per];
            for (int i = 0; i < lengths.length; i++) {
                lengths[i] = in.getInt();
            }
            for (int i = 0; i < count; i++) {
                byte[] key = new byte[lengths[i * per]];
                in.get(key);
                String entry = new String(key, StandardCharsets.UTF_8);
                if (values) {
                    byte[] value = new byte[lengths[i * per + 1]];
                    in.get(value);
                    entry += "=" + new String(value, StandardCharsets.UTF_8);
                }
                out.add(entry);
            }
            assertThat(in.hasRemaining()).as("chunk has no trailing bytes").isFalse();
        }
        return out;
    }

    @Test
    void prefixScanInChunksOfTheAskedSize() {
        List<Integer> sizes = new ArrayList<>();
        ScanCursor cursor = new ScanCursor(db, b("mem:"), null, null, false, ScanCursor.UNLIMITED, false);
        assertThat(drain(cursor, 2, 1 << 20, false, sizes)).containsExactly("mem:a", "mem:b", "mem:d");
        assertThat(sizes).containsExactly(2, 1);
        assertThat(cursor.next(2, 1)).as("a finished cursor stays finished").isNull();
    }

    @Test
    void boundsReverseLimitAndValues() {
        List<Integer> sizes = new ArrayList<>();
        ScanCursor cursor = new ScanCursor(db, null, b("mem:b"), b("other"), true, 2, true);
        assertThat(drain(cursor, 100, 1 << 20, true, sizes))
                .containsExactly("mem:d=value of mem:d", "mem:b=value of mem:b");
        assertThat(drain(new ScanCursor(db, null, null, null, false, 0, false), 10, 10, false, sizes)).isEmpty();
    }

    @Test
    void byteBudgetSplitsChunksButNeverStarvesALargeEntry() {
        List<Integer> sizes = new ArrayList<>();
        ScanCursor cursor = new ScanCursor(db, null, null, null, false, ScanCursor.UNLIMITED, true);
        assertThat(drain(cursor, 100, 1, true, sizes)).hasSize(4);
        assertThat(sizes).containsExactly(1, 1, 1, 1);
    }

    @Test
    void nodeFormTakesBase64() {
        try (NodeDatabase node = new NodeDatabase(dir.resolve("node").toString(), "never", 0, null, false)) {
            String mem = Base64.getEncoder().encodeToString(b("mem:"));
            node.put(Base64.getEncoder().encodeToString(b("mem:x")), mem, 0);
            ScanCursor cursor = new ScanCursor(node, mem, null, null, false, ScanCursor.UNLIMITED, false);
            assertThat(drain(cursor, 10, 100, false, new ArrayList<>())).containsExactly("mem:x");
        }
    }

    @Test
    void base64ChunksAreTheChunksEncoded() {
        ScanCursor bytes = new ScanCursor(db, null, null, null, false, ScanCursor.UNLIMITED, true);
        ScanCursor base64 = new ScanCursor(db, null, null, null, false, ScanCursor.UNLIMITED, true);
        for (byte[] chunk = bytes.next(3, 1 << 20); chunk != null; chunk = bytes.next(3, 1 << 20)) {
            assertThat(Base64.getDecoder().decode(base64.nextBase64(3, 1 << 20))).isEqualTo(chunk);
        }
        assertThat(base64.nextBase64(3, 1 << 20)).as("both end together").isNull();
    }

    /** The chunk {@link ScanCursor#fill} wrote into {@code out}, in {@link ScanCursor#next}'s layout. */
    static byte[] asChunk(ByteBuffer out, int count, int maxEntries, int per) {
        ByteBuffer in = out.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int lengths = 4 * count * per;
        int bytes = 0;
        for (int i = 0; i < count * per; i++) {
            bytes += in.getInt(4 + 4 * i);
        }
        byte[] chunk = new byte[4 + lengths + bytes];
        in.get(0, chunk, 0, 4 + lengths);
        in.get(4 + 4 * maxEntries * per, chunk, 4 + lengths, bytes);
        return chunk;
    }

    @Test
    void filledChunksHoldWhatFitsAndALargeEntryWaitsForNext() {
        db.put(b("mem:large"), new byte[300]);
        ScanCursor reference = new ScanCursor(db, null, null, null, false, ScanCursor.UNLIMITED, true);
        List<byte[]> expected = new ArrayList<>();
        for (byte[] chunk = reference.next(1, 1); chunk != null; chunk = reference.next(1, 1)) {
            expected.add(chunk);
        }
        assertThat(expected).hasSize(5);
        ScanCursor cursor = new ScanCursor(db, null, null, null, false, ScanCursor.UNLIMITED, true);
        ByteBuffer out = ByteBuffer.allocateDirect(4 + 8 * 3 + 40);
        List<byte[]> entries = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        for (int n = cursor.fill(out, 3); n != 0; n = cursor.fill(out, 3)) {
            counts.add(n);
            if (n == ScanCursor.TOO_LARGE) {
                entries.add(cursor.next(1, 1 << 20));
                continue;
            }
            byte[] chunk = asChunk(out, n, 3, 2);
            // Split into one-entry chunks, as the reference was read.
            ByteBuffer in = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
            int body = 4 + 8 * n;
            for (int i = 0; i < n; i++) {
                int k = in.getInt(4 + 8 * i);
                int v = in.getInt(8 + 8 * i);
                ByteBuffer one = ByteBuffer.allocate(12 + k + v).order(ByteOrder.LITTLE_ENDIAN);
                one.putInt(1).putInt(k).putInt(v).put(chunk, body, k + v);
                body += k + v;
                entries.add(one.array());
            }
        }
        assertThat(entries).containsExactlyElementsOf(expected);
        // 40 bytes: "mem:a" and "mem:b" with their values (19 bytes each) fit, "mem:d" then does not; the 300-byte value
        // alone does not.
        assertThat(counts).containsExactly(2, 1, ScanCursor.TOO_LARGE, 1);
        assertThat(cursor.fill(out, 3)).as("a finished cursor stays finished").isZero();
    }

    @Test
    void fillRejectsABufferWithoutRoomForTheLengths() {
        ScanCursor cursor = new ScanCursor(db, null, null, null, false, ScanCursor.UNLIMITED, false);
        assertThatThrownBy(() -> cursor.fill(ByteBuffer.allocate(10), 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no room for 3 entries");
        assertThatThrownBy(() -> cursor.fill(ByteBuffer.allocate(100).asReadOnlyBuffer(), 3))
                .hasMessageContaining("read-only");
        cursor.close();
        assertThat(cursor.fill(ByteBuffer.allocate(100), 3)).as("closed").isZero();
    }

    @Test
    void aScanOfAClosedDatabaseFailsAsItsOtherCallsDoKeysOnlyToo() {
        for (boolean withValues : new boolean[] {false, true}) {
            FerrumDB closing = BindingSupport.open(dir.resolve("closing-" + withValues).toString(), "never", 0, null,
                    false);
            closing.put(b("a"), b("1"));
            ScanCursor chunks = new ScanCursor(closing, null, null, null, false, ScanCursor.UNLIMITED, withValues);
            ScanCursor filled = new ScanCursor(closing, null, null, null, false, ScanCursor.UNLIMITED, withValues);
            closing.close();
            // Keys alone come from the key directory in memory, which a closed handle still holds: before the fix
            // they kept coming (the bindings' keys() and iteration over a closed database) instead of the error.
            assertThatThrownBy(() -> chunks.next(10, 1 << 10)).as("values %s", withValues)
                    .isInstanceOf(DatabaseClosedException.class).hasMessageContaining("is closed");
            assertThatThrownBy(() -> filled.fill(ByteBuffer.allocate(1 << 10), 10)).as("values %s", withValues)
                    .isInstanceOf(DatabaseClosedException.class).hasMessageContaining("is closed");
        }
    }

    @Test
    void badArgumentsAreNamed() {
        assertThatThrownBy(() -> new ScanCursor(db, b("a"), b("b"), null, false, -1, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prefix cannot be combined");
        assertThatThrownBy(() -> new ScanCursor(db, null, null, null, false, -7, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit").hasMessageContaining("-7");
        try (ScanCursor cursor = new ScanCursor(db, null, null, null, false, -1, false)) {
            assertThatThrownBy(() -> cursor.next(0, 10)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("0 entries");
        }
    }
}
