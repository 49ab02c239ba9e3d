package io.ferrumdb;

import static io.ferrumdb.RepairFaultTest.b;
import static io.ferrumdb.RepairFaultTest.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeMap;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A length field of a record in a sealed segment set to a huge value (a flipped high bit, or garbage): the record
 * claims more bytes than the file holds or than the format allows. Verify names that record alone, at its offset
 * with its true length (the scan resynchronises on the next record instead of dropping the rest of the segment);
 * open refuses naming file and offset; repair keeps every other record, and nothing read is ever another key's.
 */
class HugeLengthFieldTest {
    /** Record header fields (FORMAT.md, "Record"). */
    private static final int TYPE = 4;
    private static final int KEY_LENGTH = 6;
    private static final int VALUE_LENGTH = 8;
    private static final int HEADER = 28;

    @TempDir
    Path root;

    @ParameterizedTest(name = "{0}")
    @CsvSource({"value length 2^31-1, 8, 4, 2147483647", "key length 65535, 6, 2, 65535",
        "value length on a tombstone, 8, 4, 67108864"})
    void aHugeLengthIsOneDamagedRecordAndRepairKeepsTheRest(String what, int field, int width, long huge)
            throws IOException {
        Path dir = root.resolve("db");
        TreeMap<String, String> written = new TreeMap<>();
        try (FerrumDB db = FerrumDB.open(dir, options())) {
            for (int i = 0; i < 300; i++) {
                String value = "value-" + i + "-" + "x".repeat(40);
                db.put(b("k" + i), b(value));
                written.put("k" + i, value);
            }
        }
        Path seg = dir.resolve("0000000003.seg");
        long second;
        int secondSize;
        String secondKey;
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            ByteBuffer header = ByteBuffer.allocate(HEADER);
            f.getChannel().read(header, 64);
            second = 64 + HEADER + Short.toUnsignedInt(header.getShort(KEY_LENGTH)) + header.getInt(VALUE_LENGTH);
            header.clear();
            f.getChannel().read(header, second);
            int keyLength = Short.toUnsignedInt(header.getShort(KEY_LENGTH));
            secondSize = HEADER + keyLength + header.getInt(VALUE_LENGTH);
            byte[] key = new byte[keyLength];
            f.seek(second + HEADER);
            f.readFully(key);
            secondKey = new String(key, StandardCharsets.UTF_8);
            if (what.contains("tombstone")) {
                f.seek(second + TYPE);
                f.write(2);
            }
            f.seek(second + field);
            if (width == 4) {
                f.writeInt((int) huge);
            } else {
                f.writeShort((int) huge);
            }
        }
        // Read from the segment, not from its hint or the key directory image.
        Files.delete(dir.resolve("0000000003.hint"));
        Files.deleteIfExists(dir.resolve("KEYDIR"));

        VerifyReport report = FerrumDB.verify(dir, options());
        assertThat(report.damage()).as(what).singleElement().satisfies(d -> {
            assertThat(d.file()).isEqualTo(seg.toAbsolutePath().normalize());
            assertThat(d.offset()).isEqualTo(second);
            assertThat(d.length()).as("the record alone, not the rest of the segment").isEqualTo(secondSize);
        });
        assertThatThrownBy(() -> FerrumDB.open(dir, options()).close()).isInstanceOf(CorruptionException.class)
                .hasMessageContaining("0000000003.seg").hasMessageContaining("offset " + second);

        RepairReport repaired = FerrumDB.repair(dir, options().toBuilder().repairDiscardsDamaged(true).build());
        assertThat(repaired.bytesDropped()).isEqualTo(secondSize);
        assertThat(FerrumDB.verify(dir, options()).problems()).isEmpty();
        written.remove(secondKey);
        try (FerrumDB db = FerrumDB.open(dir, options())) {
            assertThat(RepairFaultTest.dump(db)).isEqualTo(written);
        }
    }
}
