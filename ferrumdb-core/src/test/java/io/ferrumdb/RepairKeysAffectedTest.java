package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Repair names every key whose record it drops where the key can be read: a damaged record in the middle of an
 * atomic batch takes the intact records before it with it, and their keys are affected as much as the damaged
 * one's (the report named only the first record of the dropped range).
 */
class RepairKeysAffectedTest {
    @TempDir
    Path dir;

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void namesTheKeysOfTheIntactBatchRecordsDroppedWithADamagedOne() throws IOException {
        Options options = Options.builder().autoCompaction(false).build();
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            db.put(b("before"), b("kept"));
            db.write(new WriteBatch().put(b("batch-1"), b("value-one")).put(b("batch-2"), b("value-two"))
                    .put(b("batch-3"), b("value-three")).put(b("batch-4"), b("value-four")));
            db.put(b("after"), b("kept"));
        }
        Path segment;
        try (Stream<Path> files = Files.list(dir)) {
            segment = files.filter(p -> p.toString().endsWith(".seg")).findFirst().orElseThrow();
        }
        flipFirstByteOf(segment, "value-three");

        RepairReport report = FerrumDB.repair(dir, options);

        List<String> affected = report.keysAffected().stream().map(k -> new String(k, StandardCharsets.UTF_8))
                .toList();
        assertThat(affected).containsExactly("batch-1", "batch-2", "batch-3");
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            assertThat(db.get(b("batch-1"))).as("dropped with the damaged record of its batch").isNull();
            assertThat(db.get(b("before"))).isEqualTo(b("kept"));
            assertThat(db.get(b("after"))).isEqualTo(b("kept"));
        }
    }

    private static void flipFirstByteOf(Path file, String text) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        // ISO-8859-1 maps each byte to one char, so the string's index is the file offset.
        int at = new String(bytes, StandardCharsets.ISO_8859_1).indexOf(text);
        assertThat(at).as("'%s' in %s", text, file).isNotNegative();
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at);
            f.write(bytes[at] ^ 0x20);
        }
    }
}
