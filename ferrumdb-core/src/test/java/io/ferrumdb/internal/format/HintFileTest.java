package io.ferrumdb.internal.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.CorruptionException;
import io.ferrumdb.FormatVersionException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hint files alone: what the builder encodes decodes to the same entries, and every kind of damage (table-driven:
 * a change to a good file, whether its checksum is then fixed, and the error it must give) is refused with a
 * typed error, never trusted.
 */
class HintFileTest {
    private static final Path FILE = Path.of("0000000003.hint");
    private static final byte[] DB = new byte[16];
    private static final byte[] OTHER_DB = new byte[16];
    private static final long DATA_LENGTH = 10_000;

    static {
        Arrays.fill(DB, (byte) 7);
        Arrays.fill(OTHER_DB, (byte) 8);
    }

    private static final List<HintFile.Entry> ENTRIES = List.of(
            new HintFile.Entry(RecordFormat.TYPE_PUT, bytes("alpha"), 120, SegmentHeader.SIZE, 1, 0),
            new HintFile.Entry(RecordFormat.TYPE_DELETE, bytes("beta"), 60, SegmentHeader.SIZE + 120, 2, 0),
            new HintFile.Entry(RecordFormat.TYPE_PUT, new byte[0], 50, SegmentHeader.SIZE + 180, 3, 1_700_000_000_000L),
            new HintFile.Entry(RecordFormat.TYPE_PUT, new byte[300], 400, SegmentHeader.SIZE + 230, 9, 0));

    private static byte[] encoded(List<HintFile.Entry> entries) {
        return encode(entries, HintFile.PLAIN);
    }

    @Test
    void whatTheBuilderEncodesDecodesToTheSameEntries() {
        HintFile.Contents c = HintFile.decode(encoded(ENTRIES), FILE, DB, HintFile.PLAIN);
        assertThat(c.segmentId()).isEqualTo(3);
        assertThat(c.dataLength()).isEqualTo(DATA_LENGTH);
        assertSameEntries(c.entries(), ENTRIES);
    }

    @Test
    void entriesSpanningManyBuilderBlocksRoundTrip() {
        HintFile.Builder b = new HintFile.Builder();
        int n = 30_000; // about 1.3 MB of entries: several 256 KiB blocks
        for (int i = 0; i < n; i++) {
            b.add(RecordFormat.TYPE_PUT, bytes("key-" + i), 100, SegmentHeader.SIZE + 100L * i, i + 1, 0);
        }
        HintFile.Contents c = HintFile.decode(b.encode(5, DB, SegmentHeader.SIZE + 100L * n, HintFile.PLAIN),
                FILE, DB, HintFile.PLAIN);
        assertThat(c.entries()).hasSize(n);
        for (int i = 0; i < n; i += 997) {
            HintFile.Entry e = c.entries().get(i);
            assertThat(e.key()).isEqualTo(bytes("key-" + i));
            assertThat(e.offset()).isEqualTo(SegmentHeader.SIZE + 100L * i);
            assertThat(e.sequence()).isEqualTo(i + 1);
        }
    }

    /**
     * The sealing path writes a hint block by block ({@link HintFile.Builder#writeTo}), checksumming on the way:
     * the file holds exactly encode's bytes, for no entries, one, about one 256 KiB block of them (6,898 entries of 38
     * bytes fill it to 20 bytes of its end) and several blocks, plaintext and encrypted (an encrypted body is encoded
     * whole).
     */
    @Test
    void writingBlockByBlockGivesTheBytesEncodeGives() throws java.io.IOException {
        for (int n : new int[] {0, 1, 6_898, 6_899, 30_000}) {
            HintFile.Builder b = new HintFile.Builder();
            for (int i = 0; i < n; i++) {
                b.add(RecordFormat.TYPE_PUT, bytes("k" + (i % 10_000 + 10_000)), 100, SegmentHeader.SIZE + 100L * i,
                        i + 1, i % 7 == 0 ? 1_700_000_000_000L + i : 0);
            }
            for (HintFile.BodyCipher cipher : new HintFile.BodyCipher[] {HintFile.PLAIN, xorCipher()}) {
                byte[] expected = b.encode(5, DB, SegmentHeader.SIZE + 100L * n, cipher);
                byte[] written = new byte[expected.length];
                int[] end = new int[1];
                b.writeTo((position, src) -> {
                    int len = src.remaining();
                    src.get(written, Math.toIntExact(position), len);
                    end[0] = Math.max(end[0], Math.toIntExact(position) + len);
                }, 5, DB, SegmentHeader.SIZE + 100L * n, cipher);
                assertThat(end[0]).as("%d entries, encrypted %s", n, cipher.encrypted()).isEqualTo(expected.length);
                assertThat(written).as("%d entries, encrypted %s", n, cipher.encrypted()).isEqualTo(expected);
            }
        }
    }

    /**
     * A builder whose block comes back from a pool, full of an earlier hint's bytes, encodes what a new builder
     * encodes: each entry's second byte is zero (FORMAT.md), not whatever the block held there.
     */
    @Test
    void aBuilderOnAReusedBlockEncodesWhatANewOneEncodes() {
        io.ferrumdb.internal.concurrent.ArrayPool<byte[]> pool = HintFile.Builder.blockPool(1);
        byte[] dirty = pool.take();
        Arrays.fill(dirty, (byte) 0x5A);
        pool.give(dirty);
        HintFile.Builder reused = new HintFile.Builder(pool);
        HintFile.Builder fresh = new HintFile.Builder();
        for (HintFile.Entry e : ENTRIES) {
            reused.add(e.type(), e.key(), e.recordSize(), e.offset(), e.sequence(), e.expiresAt());
            fresh.add(e.type(), e.key(), e.recordSize(), e.offset(), e.sequence(), e.expiresAt());
        }
        assertThat(reused.encode(3, DB, DATA_LENGTH, HintFile.PLAIN))
                .isEqualTo(fresh.encode(3, DB, DATA_LENGTH, HintFile.PLAIN));
    }

    /**
     * A hint read into a buffer kept from an earlier read (compaction's, from run to run) ends where its length
     * says: the longer hint the buffer held before is still there after it, intact and checksummed, and none of its
     * entries may appear, plaintext or encrypted.
     */
    @Test
    void aHintInABufferHoldingALongerHintEndsAtItsLength() {
        List<HintFile.Entry> longer = new java.util.ArrayList<>(ENTRIES);
        for (int i = 0; i < 50; i++) {
            longer.add(new HintFile.Entry(RecordFormat.TYPE_PUT, bytes("stale-" + i), 40,
                    SegmentHeader.SIZE + 700 + 40L * i, 10 + i, 0));
        }
        for (HintFile.BodyCipher cipher : new HintFile.BodyCipher[] {HintFile.PLAIN, xorCipher()}) {
            byte[] buffer = encode(longer, cipher);
            byte[] shorter = encode(ENTRIES.subList(0, 2), cipher);
            System.arraycopy(shorter, 0, buffer, 0, shorter.length);

            HintFile.Cursor c = HintFile.open(buffer, shorter.length, FILE, DB, cipher).check();
            List<HintFile.Entry> read = new java.util.ArrayList<>();
            while (c.next()) {
                read.add(c.entry());
            }
            assertSameEntries(read, ENTRIES.subList(0, 2));
            assertThatThrownBy(() -> HintFile.open(buffer, buffer.length + 1, FILE, DB, cipher))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("a hint of " + (buffer.length + 1) + " bytes in a buffer of " + buffer.length);
        }
    }

    private static byte[] encode(List<HintFile.Entry> entries, HintFile.BodyCipher cipher) {
        HintFile.Builder b = new HintFile.Builder();
        for (HintFile.Entry e : entries) {
            b.add(e.type(), e.key(), e.recordSize(), e.offset(), e.sequence(), e.expiresAt());
        }
        assertThat(b.count()).isEqualTo(entries.size());
        return b.encode(3, DB, DATA_LENGTH, cipher);
    }

    /** A stand-in for the AES-GCM suite: the body's bytes changed reversibly, so that encode seals it whole. */
    private static HintFile.BodyCipher xorCipher() {
        return new HintFile.BodyCipher() {
            @Override
            public int overhead() {
                return 0;
            }

            @Override
            public boolean encrypted() {
                return true;
            }

            @Override
            public byte[] seal(byte[] header, byte[] body) {
                byte[] out = body.clone();
                for (int i = 0; i < out.length; i++) {
                    out[i] ^= 0x5A;
                }
                return out;
            }

            @Override
            public byte[] open(byte[] header, byte[] sealed) {
                return seal(header, sealed);
            }
        };
    }

    @Test
    void theCursorReadsEachEntryInPlaceAsDecodeDoes() {
        HintFile.Cursor c = HintFile.open(encoded(ENTRIES), FILE, DB, HintFile.PLAIN);
        assertThat(c.segmentId()).isEqualTo(3);
        assertThat(c.dataLength()).isEqualTo(DATA_LENGTH);
        assertThat(c.count()).isEqualTo(ENTRIES.size());
        for (HintFile.Entry expected : ENTRIES) {
            assertThat(c.next()).isTrue();
            assertThat(Arrays.copyOfRange(c.buffer(), c.keyAt(), c.keyAt() + c.keyLength()))
                    .isEqualTo(expected.key());
            assertSameEntries(List.of(c.entry()), List.of(expected));
        }
        assertThat(c.next()).isFalse();
    }

    @Test
    void aReorderedCursorWalksTheGivenEntriesInTheGivenOrder() {
        HintFile.Cursor c = HintFile.open(encoded(ENTRIES), FILE, DB, HintFile.PLAIN).check();
        int[] starts = new int[ENTRIES.size()];
        for (int i = 0; c.next(); i++) {
            starts[i] = c.entryAt();
        }
        int[] order = {2, 0, 3, 1};
        int[] reordered = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            reordered[i] = starts[order[i]];
        }
        byte[] into = new byte[ENTRY_BYTES + 7]; // a reused buffer may be longer than the entries
        HintFile.Cursor r = c.reordered(reordered, order.length, into);
        assertThat(r.buffer()).isSameAs(into);
        for (int i : order) {
            assertThat(r.next()).isTrue();
            assertSameEntries(List.of(r.entry()), List.of(ENTRIES.get(i)));
        }
        assertThat(r.next()).isFalse();
        assertThat(r.segmentId()).isEqualTo(3);
        assertThat(r.dataLength()).isEqualTo(DATA_LENGTH);
        // A chunk of the entries (open orders a large hint in chunks).
        HintFile.Cursor chunk = c.reordered(new int[] {starts[3], starts[1]}, 2, into);
        assertThat(chunk.count()).isEqualTo(2);
        assertThat(chunk.next()).isTrue();
        assertSameEntries(List.of(chunk.entry()), List.of(ENTRIES.get(3)));
        assertThat(chunk.next()).isTrue();
        assertSameEntries(List.of(chunk.entry()), List.of(ENTRIES.get(1)));
        assertThat(chunk.next()).isFalse();
    }

    @Test
    void aReorderingThatOverrunsOrPointsOutsideTheEntriesIsRefused() {
        HintFile.Cursor c = HintFile.open(encoded(ENTRIES), FILE, DB, HintFile.PLAIN).check();
        int[] starts = new int[ENTRIES.size() + 1];
        for (int i = 0; c.next(); i++) {
            starts[i] = c.entryAt();
        }
        byte[] into = new byte[ENTRY_BYTES];
        assertThatThrownBy(() -> c.reordered(starts, 5, into)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("reordering of 5 entries of a hint of 4");
        assertThatThrownBy(() -> c.reordered(starts, 4, new byte[10])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("overrun the 10 bytes");
        // The 300-byte key's entry given twice overruns a buffer sized for the entries.
        int[] twice = {starts[3], starts[3], starts[0], starts[1]};
        assertThatThrownBy(() -> c.reordered(twice, 4, into)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("overrun the " + ENTRY_BYTES + " bytes");
        int[] outside = {starts[0], starts[1], starts[2], into.length + 100};
        assertThatThrownBy(() -> c.reordered(outside, 4, into)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no hint entry starts at");
    }

    /** Bytes the entries of {@link #ENTRIES} take in a hint: 32 fixed bytes and the key each. */
    private static final int ENTRY_BYTES = ENTRIES.stream().mapToInt(e -> HintFile.ENTRY_FIXED_SIZE + e.key().length)
            .sum();

    @Test
    void checkWalksEveryEntryThenRewinds() {
        HintFile.Cursor c = HintFile.open(encoded(ENTRIES), FILE, DB, HintFile.PLAIN).check();
        int n = 0;
        while (c.next()) {
            assertSameEntries(List.of(c.entry()), List.of(ENTRIES.get(n++)));
        }
        assertThat(n).isEqualTo(ENTRIES.size());
    }

    /**
     * A walk of count() entries then checkEnd() checks what a walk until next() returns false checks (open walks
     * that way, see {@link HintFile.Cursor#checkEnd}): entries left are the caller's mistake, bytes after the last
     * entry are damage.
     */
    @Test
    void checkEndRefusesEntriesLeftAndBytesAfterTheLastEntry() {
        HintFile.Cursor c = HintFile.open(encoded(ENTRIES), FILE, DB, HintFile.PLAIN);
        c.next();
        assertThatThrownBy(c::checkEnd).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining((ENTRIES.size() - 1) + " entries of the hint of segment 3 are left");
        for (int i = 1; i < c.count(); i++) {
            c.next();
        }
        c.checkEnd();
        byte[] fewer = encoded(ENTRIES);
        Bytes.putI32(fewer, 12, ENTRIES.size() - 1);
        Bytes.putI32(fewer, fewer.length - 4, Bytes.crc32c(fewer, 0, fewer.length - 4));
        HintFile.Cursor d = HintFile.open(fewer, FILE, DB, HintFile.PLAIN);
        for (int i = 0; i < d.count(); i++) {
            d.next();
        }
        assertThatThrownBy(d::checkEnd).isInstanceOf(CorruptionException.class)
                .hasMessageContaining("trailing bytes after 3 entries");
    }

    @Test
    void aBuildersCursorHoldsWhatWasAdded() {
        HintFile.Builder b = new HintFile.Builder();
        byte[] buffer = bytes("..alpha..");
        b.add(RecordFormat.TYPE_PUT, buffer, 2, 5, 120, SegmentHeader.SIZE, 1, 0);
        for (HintFile.Entry e : ENTRIES.subList(1, ENTRIES.size())) {
            b.add(e.type(), e.key(), e.recordSize(), e.offset(), e.sequence(), e.expiresAt());
        }
        HintFile.Cursor c = b.cursor(FILE, 3, DATA_LENGTH);
        for (HintFile.Entry expected : ENTRIES) {
            assertThat(c.next()).isTrue();
            assertSameEntries(List.of(c.entry()), List.of(expected));
        }
        assertThat(c.next()).isFalse();
    }

    @Test
    void anEmptySegmentHasAnEmptyHint() {
        assertThat(HintFile.decode(encoded(List.of()), FILE, DB, HintFile.PLAIN).entries()).isEmpty();
    }

    static Stream<Arguments> damage() {
        int e0 = HintFile.HEADER_SIZE; // the first entry
        return Stream.of(
                row("cut to less than a header", b -> Arrays.copyOf(b, 40), false,
                        CorruptionException.class, "hint file is only 40 bytes"),
                row("one bit of an entry flipped", flip(e0 + 20), false,
                        CorruptionException.class, "hint file checksum mismatch"),
                row("a newer version", set16(8, 99), true, FormatVersionException.class, "has format version 99"),
                row("version 0", set16(8, 0), true, FormatVersionException.class, "has format version 0;"),
                row("a newer version with a bad checksum is damage, not a version (checksum first)",
                        set16(8, 99), false, CorruptionException.class, "checksum mismatch"),
                row("bad magic", set8(0, 'X'), true, CorruptionException.class, "bad magic"),
                row("another database's hint", b -> {
                    System.arraycopy(OTHER_DB, 0, b, 24, 16);
                    return b;
                }, true, CorruptionException.class, "another database"),
                row("encrypted flag on a plaintext database", set16(10, 1), true,
                        CorruptionException.class, "hint is encrypted but the database is not"),
                row("unknown record type", set8(e0, 7), true, CorruptionException.class, "hint entry 0 is inconsistent"),
                row("record beyond the described segment", b -> {
                    Bytes.putI64(b, e0 + 8, DATA_LENGTH);
                    return b;
                }, true, CorruptionException.class, "hint entry 0 is inconsistent"),
                row("zero record size", b -> {
                    Bytes.putI32(b, e0 + 4, 0);
                    return b;
                }, true, CorruptionException.class, "hint entry 0 is inconsistent"),
                row("more entries claimed than present", b -> {
                    Bytes.putI32(b, 12, ENTRIES.size() + 1);
                    return b;
                }, true, CorruptionException.class, "hint entry 4 is truncated"),
                row("an entry count that cannot fit", b -> {
                    Bytes.putI32(b, 12, 1 << 30);
                    return b;
                }, true, CorruptionException.class, "does not fit the file"),
                row("fewer entries claimed than present", b -> {
                    Bytes.putI32(b, 12, ENTRIES.size() - 1);
                    return b;
                }, true, CorruptionException.class, "trailing bytes after 3 entries"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("damage")
    void damageIsRefusedWithATypedError(String name, UnaryOperator<byte[]> change, boolean fixChecksum,
                                        Class<? extends Throwable> expected, String message) {
        byte[] b = change.apply(encoded(ENTRIES));
        if (fixChecksum) {
            Bytes.putI32(b, b.length - 4, Bytes.crc32c(b, 0, b.length - 4));
        }
        assertThatThrownBy(() -> HintFile.decode(b, FILE, DB, HintFile.PLAIN))
                .isInstanceOf(expected)
                .hasMessageContaining(message);
        // The in-place cursor refuses the same damage, at the latest when check() walks the entries.
        assertThatThrownBy(() -> HintFile.open(b, FILE, DB, HintFile.PLAIN).check())
                .isInstanceOf(expected)
                .hasMessageContaining(message);
    }

    private static Arguments row(String name, UnaryOperator<byte[]> change, boolean fixChecksum,
                                 Class<? extends Throwable> expected, String message) {
        return Arguments.of(name, change, fixChecksum, expected, message);
    }

    private static UnaryOperator<byte[]> flip(int offset) {
        return b -> {
            b[offset] ^= 0x10;
            return b;
        };
    }

    private static UnaryOperator<byte[]> set8(int offset, int value) {
        return b -> {
            b[offset] = (byte) value;
            return b;
        };
    }

    private static UnaryOperator<byte[]> set16(int offset, int value) {
        return b -> {
            Bytes.putU16(b, offset, value);
            return b;
        };
    }

    private static void assertSameEntries(List<HintFile.Entry> actual, List<HintFile.Entry> expected) {
        assertThat(actual).hasSize(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            HintFile.Entry a = actual.get(i);
            HintFile.Entry e = expected.get(i);
            assertThat(a.type()).isEqualTo(e.type());
            assertThat(a.key()).isEqualTo(e.key());
            assertThat(a.recordSize()).isEqualTo(e.recordSize());
            assertThat(a.offset()).isEqualTo(e.offset());
            assertThat(a.sequence()).isEqualTo(e.sequence());
            assertThat(a.expiresAt()).isEqualTo(e.expiresAt());
        }
    }

    /** Parts of a hint cut at any places cover its entries once, in order; a part ending with the hint too. */
    @Test
    void partsCoverEveryEntryOnceInOrder() {
        HintFile.Builder b = new HintFile.Builder();
        for (int i = 0; i < 10; i++) {
            b.add(RecordFormat.TYPE_PUT, bytes("k" + "x".repeat(i)), 50, SegmentHeader.SIZE + 50L * i, i + 1, 0);
        }
        HintFile.Cursor all = b.cursor(FILE, 3, DATA_LENGTH);
        for (int[] cuts : new int[][] {{0, 10}, {0, 3, 7, 10}, {0, 0, 5, 10, 10}, {0, 9, 10}}) {
            List<Long> sequences = new java.util.ArrayList<>();
            for (int p = 0; p + 1 < cuts.length; p++) {
                HintFile.Cursor part = all.part(cuts[p], cuts[p + 1] - cuts[p]);
                assertThat(part.count()).isEqualTo(cuts[p + 1] - cuts[p]);
                HintFile.Cursor ahead = part.duplicate();
                while (part.next()) {
                    assertThat(ahead.next()).as("a duplicate of a part walks the part").isTrue();
                    assertThat(ahead.sequence()).isEqualTo(part.sequence());
                    assertThat(part.key()).isEqualTo(bytes("k" + "x".repeat((int) part.sequence() - 1)));
                    sequences.add(part.sequence());
                }
                assertThat(ahead.next()).isFalse();
            }
            assertThat(sequences).as("cuts %s", Arrays.toString(cuts))
                    .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        }
        assertThatThrownBy(() -> all.part(8, 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("entries [8, 11) of a hint of 10 entries");
        assertThatThrownBy(() -> all.part(-1, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Parts of a checked hint start their walks at the marks check() noted (every 1,024 entries): cut anywhere,
     * before, at and after a mark, they still cover the entries once, in order, whatever the keys' lengths.
     */
    @Test
    void partsOfACheckedHintCutAroundItsMarksCoverEveryEntryOnceInOrder() {
        int n = 5_000;
        HintFile.Builder b = new HintFile.Builder();
        for (int i = 0; i < n; i++) {
            b.add(RecordFormat.TYPE_PUT, bytes("k" + i + "x".repeat(i % 7)), 50, SegmentHeader.SIZE + 50L * i, i + 1,
                    0);
        }
        long dataLength = SegmentHeader.SIZE + 50L * n;
        HintFile.Cursor all = HintFile.open(b.encode(3, DB, dataLength, HintFile.PLAIN), FILE, DB, HintFile.PLAIN)
                .check();
        for (int[] cuts : new int[][] {{0, n}, {0, 1023, 1024, 1025, 2048, n}, {0, 2500, n}, {0, 4096, 4999, n},
                {0, 0, 3071, n, n}}) {
            long expected = 1;
            for (int p = 0; p + 1 < cuts.length; p++) {
                HintFile.Cursor part = all.duplicate().part(cuts[p], cuts[p + 1] - cuts[p]);
                assertThat(part.count()).isEqualTo(cuts[p + 1] - cuts[p]);
                while (part.next()) {
                    assertThat(part.sequence()).as("cuts %s", Arrays.toString(cuts)).isEqualTo(expected);
                    int i = (int) expected - 1;
                    assertThat(part.key()).isEqualTo(bytes("k" + i + "x".repeat(i % 7)));
                    expected++;
                }
            }
            assertThat(expected - 1).as("cuts %s", Arrays.toString(cuts)).isEqualTo(n);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
