package io.ferrumdb.internal.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.CorruptionException;
import io.ferrumdb.DroppedRange;
import io.ferrumdb.DroppedRange.Kind;
import io.ferrumdb.internal.format.Bytes;
import io.ferrumdb.internal.format.PayloadCipher;
import io.ferrumdb.internal.format.RecordFormat;
import io.ferrumdb.internal.format.SegmentHeader;
import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.io.StorageFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The scanner alone, table-driven: each row is a segment image built record by record, and what each mode must
 * make of it (records kept, ranges dropped with their kind, or an exception).
 */
class SegmentScannerTest {
    @TempDir
    Path dir;

    /**
     * A cipher with a one-byte tag (XOR of the payload), so that a record with a matching CRC and a wrong tag can
     * be built without real keys; the scanner treats it as it treats AES-GCM.
     */
    static final PayloadCipher XOR_TAG = new PayloadCipher() {
        @Override
        public int overhead() {
            return 1;
        }

        @Override
        public void seal(long recordOffset, byte[] header, int headerOff, int headerLen, byte[] key, byte[] value,
                         byte[] out, int outOff) {
            System.arraycopy(key, 0, out, outOff, key.length);
            System.arraycopy(value, 0, out, outOff + key.length, value.length);
            out[outOff + key.length + value.length] = xor(out, outOff, key.length + value.length);
        }

        @Override
        public boolean open(long recordOffset, byte[] record, int headerOff, int headerLen, int payloadOff,
                            int payloadLen, byte[] out, int outOff) {
            if (xor(record, payloadOff, payloadLen - 1) != record[payloadOff + payloadLen - 1]) {
                return false;
            }
            System.arraycopy(record, payloadOff, out, outOff, payloadLen - 1);
            return true;
        }

        @Override
        public boolean isPlaintext() {
            return false;
        }

        private byte xor(byte[] b, int off, int len) {
            byte x = 0x33;
            for (int i = 0; i < len; i++) {
                x ^= b[off + i];
            }
            return x;
        }
    };

    /** A segment image under construction; offsets of the records it holds are kept for the expectations. */
    static final class Image {
        final PayloadCipher cipher;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final List<Long> offsets = new ArrayList<>();
        long sequence;

        Image(PayloadCipher cipher) {
            this.cipher = cipher;
            bytes.writeBytes(new byte[SegmentHeader.SIZE]);
        }

        Image put(String key, String value, boolean commit) {
            byte[] k = key.getBytes(StandardCharsets.UTF_8);
            byte[] v = value.getBytes(StandardCharsets.UTF_8);
            byte[] rec = new byte[RecordFormat.recordSize(k.length, v.length, cipher)];
            offsets.add((long) bytes.size());
            RecordFormat.encode(rec, 0, bytes.size(), RecordFormat.TYPE_PUT, commit, ++sequence, 0, k, v, cipher);
            bytes.writeBytes(rec);
            return this;
        }

        Image put(String key) {
            return put(key, "value of " + key, true);
        }

        /** Changes the image's bytes. */
        Image edit(UnaryOperator<byte[]> change) {
            byte[] b = change.apply(bytes.toByteArray());
            bytes.reset();
            bytes.writeBytes(b);
            return this;
        }

        long length() {
            return bytes.size();
        }

        long recordEnd(int i) {
            return i + 1 < offsets.size() ? offsets.get(i + 1) : length();
        }
    }

    /** What a mode must give: the keys kept and the dropped ranges (offset, length, kind); or an exception. */
    record Expect(List<String> keys, List<long[]> dropped, List<Kind> kinds, String throwsContaining) {
        static Expect kept(List<String> keys, List<long[]> dropped, List<Kind> kinds) {
            return new Expect(keys, dropped, kinds, null);
        }

        static Expect fails(String containing) {
            return new Expect(null, null, null, containing);
        }
    }

    record Row(String name, Image image, SegmentScanner.Mode mode, Expect expect) {
        @Override
        public String toString() {
            return name + " / " + mode;
        }
    }

    static byte[] flip(byte[] b, long at) {
        b[(int) at] ^= 0x01;
        return b;
    }

    /** A record whose CRC matches although its tag does not: the tag byte changed and the CRC recomputed. */
    static byte[] badTagGoodCrc(byte[] b, long start, long end) {
        b[(int) end - 1] ^= 0x01;
        Bytes.putI32(b, (int) start, Bytes.crc32c(b, (int) start + 4, (int) (end - start) - 4));
        return b;
    }

    static byte[] cut(byte[] b, long length) {
        return java.util.Arrays.copyOf(b, (int) length);
    }

    static Stream<Row> rows() {
        List<Row> rows = new ArrayList<>();
        SegmentScanner.Mode strict = SegmentScanner.Mode.STRICT;
        SegmentScanner.Mode tail = SegmentScanner.Mode.TAIL;
        SegmentScanner.Mode salvage = SegmentScanner.Mode.SALVAGE;
        SegmentScanner.Mode salvageTail = SegmentScanner.Mode.SALVAGE_TAIL;

        Image clean = new Image(PayloadCipher.NONE).put("a").put("b").put("c");
        for (SegmentScanner.Mode m : SegmentScanner.Mode.values()) {
            rows.add(new Row("clean", clean, m, Expect.kept(List.of("a", "b", "c"), List.of(), List.of())));
        }

        Image headerOnly = new Image(PayloadCipher.NONE);
        for (SegmentScanner.Mode m : SegmentScanner.Mode.values()) {
            rows.add(new Row("header-only file", headerOnly, m, Expect.kept(List.of(), List.of(), List.of())));
        }

        Image torn = new Image(PayloadCipher.NONE).put("a").put("b").put("c");
        long tornAt = torn.offsets.get(2);
        torn.edit(b -> cut(b, tornAt + 30));
        long[] tornRange = {tornAt, 30};
        rows.add(new Row("torn tail", torn, strict, Expect.fails("extends past end of file")));
        rows.add(new Row("torn tail", torn, tail, Expect.kept(List.of("a", "b"), List.of(tornRange),
                List.of(Kind.TORN_TAIL))));
        rows.add(new Row("torn tail", torn, salvage, Expect.kept(List.of("a", "b"), List.of(tornRange),
                List.of(Kind.DAMAGED_RECORD))));
        rows.add(new Row("torn tail", torn, salvageTail, Expect.kept(List.of("a", "b"), List.of(tornRange),
                List.of(Kind.TORN_TAIL))));

        Image tornHeader = new Image(PayloadCipher.NONE).put("a").edit(b -> java.util.Arrays.copyOf(b, b.length + 5));
        long[] headerRange = {tornHeader.length() - 5, 5};
        rows.add(new Row("truncated record header", tornHeader, tail, Expect.kept(List.of("a"),
                List.of(headerRange), List.of(Kind.TORN_TAIL))));
        rows.add(new Row("truncated record header", tornHeader, strict, Expect.fails("truncated record header")));

        Image badTag = new Image(XOR_TAG).put("a").put("b").put("c");
        badTag.edit(b -> badTagGoodCrc(b, badTag.offsets.get(2), badTag.length()));
        long[] badTagRange = {badTag.offsets.get(2), badTag.length() - badTag.offsets.get(2)};
        rows.add(new Row("good CRC, bad tag at the end", badTag, tail, Expect.fails("although its checksum matches")));
        rows.add(new Row("good CRC, bad tag at the end", badTag, strict, Expect.fails("fails authentication")));
        rows.add(new Row("good CRC, bad tag at the end", badTag, salvageTail, Expect.kept(List.of("a", "b"),
                List.of(badTagRange), List.of(Kind.DAMAGED_RECORD))));

        Image openBatch = new Image(PayloadCipher.NONE).put("a").put("x", "1", false).put("y", "2", false);
        long batchAt = openBatch.offsets.get(1);
        long[] batchRange = {batchAt, openBatch.length() - batchAt};
        rows.add(new Row("batch without its commit record", openBatch, strict, Expect.fails("without its commit")));
        rows.add(new Row("batch without its commit record", openBatch, tail, Expect.kept(List.of("a"),
                List.of(batchRange), List.of(Kind.TORN_TAIL))));
        rows.add(new Row("batch without its commit record", openBatch, salvage, Expect.kept(List.of("a"),
                List.of(batchRange), List.of(Kind.DAMAGED_RECORD))));

        Image middle = new Image(PayloadCipher.NONE).put("a").put("b").put("c").put("d");
        middle.edit(b -> flip(b, middle.offsets.get(1) + RecordFormat.HEADER_SIZE + 2));
        long[] middleRange = {middle.offsets.get(1), middle.recordEnd(1) - middle.offsets.get(1)};
        rows.add(new Row("damaged record, then resynchronised", middle, salvage, Expect.kept(
                List.of("a", "c", "d"), List.of(middleRange), List.of(Kind.DAMAGED_RECORD))));
        rows.add(new Row("damaged record, then resynchronised", middle, salvageTail, Expect.kept(
                List.of("a", "c", "d"), List.of(middleRange), List.of(Kind.DAMAGED_RECORD))));
        rows.add(new Row("damaged record, then resynchronised", middle, tail,
                Expect.fails("so this is not a torn tail")));
        rows.add(new Row("damaged record, then resynchronised", middle, strict, Expect.fails("checksum mismatch")));

        Image badLength = new Image(PayloadCipher.NONE).put("a").put("b").put("c");
        badLength.edit(b -> flip(b, badLength.offsets.get(1) + 9));
        long[] badLengthRange = {badLength.offsets.get(1), badLength.recordEnd(1) - badLength.offsets.get(1)};
        rows.add(new Row("value length changed", badLength, salvage, Expect.kept(List.of("a", "c"),
                List.of(badLengthRange), List.of(Kind.DAMAGED_RECORD))));
        return rows.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void scansAsTheRowSays(Row row) throws IOException {
        Path file = dir.resolve("segment");
        try (StorageFile f = FileIO.nio().create(file)) {
            f.write(0, ByteBuffer.wrap(row.image().bytes.toByteArray()));
        }
        try (StorageFile f = FileIO.nio().open(file, false)) {
            long length = row.image().length();
            if (row.expect().throwsContaining() != null) {
                assertThatThrownBy(() -> SegmentScanner.scan(f, length, row.image().cipher, row.mode()))
                        .isInstanceOf(CorruptionException.class)
                        .hasMessageContaining(row.expect().throwsContaining());
                return;
            }
            SegmentScanner.Result r = SegmentScanner.scan(f, length, row.image().cipher, row.mode());
            assertThat(r.records()).extracting(s -> new String(s.key(), StandardCharsets.UTF_8))
                    .containsExactlyElementsOf(row.expect().keys());
            assertThat(r.dropped()).extracting(DroppedRange::kind).containsExactlyElementsOf(row.expect().kinds());
            assertThat(r.dropped()).extracting(d -> d.offset() + "+" + d.length())
                    .containsExactlyElementsOf(row.expect().dropped().stream().map(d -> d[0] + "+" + d[1]).toList());
            long droppedAtEnd = r.dropped().stream().filter(d -> d.offset() + d.length() == length)
                    .mapToLong(DroppedRange::offset).min().orElse(length);
            assertThat(r.validLength()).isEqualTo(droppedAtEnd);
        }
    }
}
