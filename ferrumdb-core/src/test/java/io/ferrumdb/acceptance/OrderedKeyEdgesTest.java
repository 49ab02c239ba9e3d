package io.ferrumdb.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.KeyRange;
import io.ferrumdb.KeyValue;
import io.ferrumdb.Options;
import io.ferrumdb.RangeIterator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12's ordered views at the edges of the key space, through the public API only: the empty key, keys of
 * 0x00 and 0xFF bytes, prefixes made only of 0xFF bytes (which have no successor, so their range has no upper
 * bound), the empty prefix, and bounds exactly on a key (the lower bound inclusive, the upper exclusive, as
 * {@link KeyRange#closedOpen} documents). Each range is asked in both orders from every view ({@code keys},
 * {@code iterate}, {@code count}, {@code firstKey}, {@code lastKey}) and compared with a {@link TreeMap} under
 * unsigned byte order; in a plaintext and an encrypted database, before and after compaction and reopen.
 */
class OrderedKeyEdgesTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final List<byte[]> KEYS = List.of(b(), b(0x00), b(0x00, 0x00), b(0x00, 0xFF), b(0x01), b(0x7F),
            b(0x80), b(0xFE), b(0xFE, 0xFF), b(0xFE, 0xFF, 0xFF), b(0xFF), b(0xFF, 0x00), b(0xFF, 0xFE), b(0xFF, 0xFF),
            b(0xFF, 0xFF, 0x00), b(0xFF, 0xFF, 0xFF), b(0xFF, 0xFF, 0xFF, 0xFF));

    @TempDir
    Path tmp;

    private static byte[] b(int... bytes) {
        byte[] out = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = (byte) bytes[i];
        }
        return out;
    }

    /** The ranges asked: every factory, on and between the keys above. */
    private static List<KeyRange> ranges() {
        List<KeyRange> ranges = new ArrayList<>(List.of(KeyRange.all(), KeyRange.prefix(b()), KeyRange.prefix(b(0xFF)),
                KeyRange.prefix(b(0xFF, 0xFF)), KeyRange.prefix(b(0xFF, 0xFF, 0xFF)),
                KeyRange.prefix(b(0xFF, 0xFF, 0xFF, 0xFF, 0xFF)), KeyRange.prefix(b(0xFE)),
                KeyRange.prefix(b(0xFE, 0xFF)), KeyRange.prefix(b(0x00)), KeyRange.atLeast(b()),
                KeyRange.lessThan(b()), KeyRange.lessThan(b(0x00)), KeyRange.closedOpen(b(), b(0x00)),
                KeyRange.closedOpen(b(0x00), b(0xFF)), KeyRange.closedOpen(b(0x7F), b(0x80)),
                KeyRange.closedOpen(b(0xFE, 0xFF), b(0xFF, 0xFF)), KeyRange.atLeast(b(0xFF, 0xFF)),
                KeyRange.lessThan(b(0xFF)), KeyRange.closedOpen(null, null), KeyRange.closedOpen(b(0x80), b(0x7F))));
        ranges.addAll(ranges.stream().map(KeyRange::reversed).toList());
        return ranges;
    }

    private static TreeMap<byte[], byte[]> model() {
        TreeMap<byte[], byte[]> model = new TreeMap<>(Arrays::compareUnsigned);
        for (byte[] k : KEYS) {
            model.put(k, value(k));
        }
        return model;
    }

    private static byte[] value(byte[] key) {
        return ("v" + HEX.formatHex(key)).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** The model's keys in {@code range}, in its order. */
    private static List<String> expected(TreeMap<byte[], byte[]> model, KeyRange range) {
        List<String> keys = new ArrayList<>();
        for (byte[] k : model.keySet()) {
            if (range.contains(k)) {
                keys.add(HEX.formatHex(k));
            }
        }
        if (range.isReversed()) {
            Collections.reverse(keys);
        }
        return keys;
    }

    private static void assertViewsMatch(FerrumDB db, TreeMap<byte[], byte[]> model) {
        for (KeyRange range : ranges()) {
            List<String> expected = expected(model, range);
            assertThat(db.keys(range).map(HEX::formatHex).toList()).as("keys(%s)", range).isEqualTo(expected);
            List<String> iterated = new ArrayList<>();
            try (RangeIterator it = db.iterate(range)) {
                while (it.hasNext()) {
                    KeyValue kv = it.next();
                    assertThat(kv.value()).as("value of %s", HEX.formatHex(kv.key())).isEqualTo(value(kv.key()));
                    iterated.add(HEX.formatHex(kv.key()));
                }
            }
            assertThat(iterated).as("iterate(%s)", range).isEqualTo(expected);
            assertThat(db.count(range)).as("count(%s)", range).isEqualTo(expected.size());
            assertThat(db.firstKey(range).map(HEX::formatHex)).as("firstKey(%s)", range)
                    .isEqualTo(expected.stream().findFirst());
            assertThat(db.lastKey(range).map(HEX::formatHex)).as("lastKey(%s)", range)
                    .isEqualTo(expected.isEmpty() ? java.util.Optional.empty()
                            : java.util.Optional.of(expected.get(expected.size() - 1)));
        }
    }

    private void checkEdges(Options options) {
        Path dir = tmp.resolve(options.encrypted() ? "encrypted" : "plain");
        TreeMap<byte[], byte[]> model = model();
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            for (byte[] k : KEYS) {
                db.put(k, b(0x99)); // overwritten below, so that compaction has dead records to drop
            }
            for (byte[] k : KEYS) {
                db.put(k, value(k));
            }
            db.put(b(0xFF, 0xFF, 0xFF, 0xFF, 0xFF), b());
            db.delete(b(0xFF, 0xFF, 0xFF, 0xFF, 0xFF));
            assertViewsMatch(db, model);
            db.compact();
            assertViewsMatch(db, model);
        }
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            assertViewsMatch(db, model);
        }
    }

    @Test
    void edgeKeysAndBoundsAnswerAsASortedMapDoes() {
        checkEdges(Options.builder().fsyncPolicy(FsyncPolicy.never()).segmentSize(4096).build());
    }

    @Test
    void edgeKeysAndBoundsAnswerAsASortedMapDoesWhenEncrypted() {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) 0x5A);
        checkEdges(Options.builder().fsyncPolicy(FsyncPolicy.never()).segmentSize(4096).encryptionKey(key).build());
    }
}
