package io.ferrumdb;

import static io.ferrumdb.RepairFaultTest.b;
import static io.ferrumdb.RepairFaultTest.options;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.zip.CRC32C;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hint whose checksum is intact but whose entries disagree with the records of its segment (a bug, or a file
 * edited by hand): verify read both files and said "OK: no problems found", repair said "nothing to repair", and the
 * next open that loaded the hint (no key directory image) served reads that failed as corruption, or would take a
 * record's sequence number from the hint. Verify now compares every entry with the record it describes and reports
 * the hint as {@link DroppedRange.Kind#DAMAGED_HINT}; repair rewrites it from the segment, losing nothing.
 */
class HintDisagreementTest {
    /** Where the entries of a plaintext hint start (FORMAT.md, "Hint files"). */
    private static final int ENTRIES = 48;

    @TempDir
    Path root;

    private Path fill() {
        Path dir = root.resolve("db");
        try (FerrumDB db = FerrumDB.open(dir, options())) {
            for (int i = 0; i < 300; i++) {
                db.put(b("k" + i), b("value-" + i + "-" + "x".repeat(40)));
            }
        }
        return dir;
    }

    /** Changes the first entry of {@code hint} with {@code edit} (given the entry's bytes) and reseals its CRC. */
    private static void editFirstEntry(Path hint, Consumer<ByteBuffer> edit) throws IOException {
        byte[] bytes = Files.readAllBytes(hint);
        edit.accept(ByteBuffer.wrap(bytes, ENTRIES, bytes.length - ENTRIES - 4).slice());
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        ByteBuffer.wrap(bytes).putInt(bytes.length - 4, (int) crc.getValue());
        Files.write(hint, bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"offset", "sequence", "expiry", "key", "type"})
    void anIntactHintThatDisagreesWithItsSegmentIsReportedAndRebuilt(String field) throws IOException {
        Path dir = fill();
        TreeMap<String, String> before;
        try (FerrumDB db = FerrumDB.open(dir, options())) {
            before = RepairFaultTest.dump(db);
        }
        Path hint = dir.resolve("0000000003.hint");
        editFirstEntry(hint, e -> {
            switch (field) {
                case "offset" -> e.putLong(8, e.getLong(8) + 1);
                case "sequence" -> e.putLong(16, e.getLong(16) + 1_000_000);
                case "expiry" -> e.putLong(24, 1);
                case "key" -> e.put(32, (byte) (e.get(32) ^ 0x01));
                case "type" -> e.put(0, (byte) 2);
                default -> throw new IllegalArgumentException(field);
            }
        });
        VerifyReport report = FerrumDB.verify(dir, options());
        assertThat(report.damage()).as("verify of a hint whose %s disagrees with its segment", field)
                .extracting(DroppedRange::kind, DroppedRange::file)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(DroppedRange.Kind.DAMAGED_HINT,
                        hint.toAbsolutePath().normalize()));
        assertThat(report.damage().get(0).offset()).as("the offset of the entry").isEqualTo(ENTRIES);
        assertThat(report.damage().get(0).reason()).contains("entry 0").contains(field);

        RepairReport repaired = FerrumDB.repair(dir, options().toBuilder().repairDiscardsDamaged(true).build());
        assertThat(repaired.wasClean()).isFalse();
        assertThat(repaired.recordsKept()).as("no segment is rewritten for its hint").isZero();
        assertThat(FerrumDB.verify(dir, options()).problems()).isEmpty();
        // Loaded from the hints, not from the key directory image a clean close wrote.
        Files.deleteIfExists(dir.resolve("KEYDIR"));
        try (FerrumDB db = FerrumDB.open(dir, options())) {
            assertThat(RepairFaultTest.dump(db)).isEqualTo(before);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 1})
    void aHintWithAnEntryTooFewOrTooManyIsReported(int change) throws IOException {
        Path dir = fill();
        Path hint = dir.resolve("0000000003.hint");
        byte[] bytes = Files.readAllBytes(hint);
        int count = ByteBuffer.wrap(bytes).getInt(12);
        byte[] edited;
        if (change < 0) {
            // The last entry dropped: every other entry still matches its record.
            int last = ENTRIES;
            for (int i = 0; i < count - 1; i++) {
                last += 32 + Short.toUnsignedInt(ByteBuffer.wrap(bytes).getShort(last + 2));
            }
            edited = new byte[last + 4];
            System.arraycopy(bytes, 0, edited, 0, last);
        } else {
            // The first entry twice.
            int first = 32 + Short.toUnsignedInt(ByteBuffer.wrap(bytes).getShort(ENTRIES + 2));
            edited = new byte[bytes.length + first];
            System.arraycopy(bytes, 0, edited, 0, ENTRIES + first);
            System.arraycopy(bytes, ENTRIES, edited, ENTRIES + first, bytes.length - ENTRIES);
        }
        ByteBuffer.wrap(edited).putInt(12, count + change);
        CRC32C crc = new CRC32C();
        crc.update(edited, 0, edited.length - 4);
        ByteBuffer.wrap(edited).putInt(edited.length - 4, (int) crc.getValue());
        Files.write(hint, edited);
        assertThat(FerrumDB.verify(dir, options()).damage()).extracting(DroppedRange::kind)
                .containsExactly(DroppedRange.Kind.DAMAGED_HINT);
        FerrumDB.repair(dir, options().toBuilder().repairDiscardsDamaged(true).build());
        assertThat(FerrumDB.verify(dir, options()).problems()).isEmpty();
    }
}
