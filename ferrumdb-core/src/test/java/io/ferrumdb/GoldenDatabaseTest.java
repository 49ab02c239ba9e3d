package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.internal.format.Bytes;
import io.ferrumdb.internal.format.ManifestFile;
import io.ferrumdb.internal.format.RecordFormat;
import io.ferrumdb.internal.format.SegmentHeader;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every version of FerrumDB must open the databases earlier versions wrote (see {@link GoldenDatabase}): v1 (no
 * MANIFEST; it gains one at its first writable open), v2 (database format 2, with a MANIFEST of version 2) and
 * manifest-v3 (a MANIFEST of version 3, recording each sealed segment's length and header).
 */
class GoldenDatabaseTest {
    @TempDir
    Path tmp;

    private Path copyOfGolden(String name) throws IOException, URISyntaxException {
        return copyOfGolden("v1", name);
    }

    private Path copyOfGolden(String version, String name) throws IOException, URISyntaxException {
        Path golden = Path.of(GoldenDatabaseTest.class.getResource("/golden/" + version + "/META").toURI())
                .getParent();
        Path copy = tmp.resolve(name);
        SegmentLayout.copyDir(golden, copy);
        return copy;
    }

    @Test
    void goldenFilesAreFormatVersionOne() throws Exception {
        Path dir = copyOfGolden("version");
        List<Path> segments = SegmentLayout.segments(dir);
        assertThat(segments).as("the golden database spans several segments").hasSizeGreaterThan(3);
        for (Path seg : segments) {
            assertThat(Bytes.u16(Files.readAllBytes(seg), 8)).as(seg.toString()).isEqualTo(1);
            assertThat(SegmentLayout.hintOf(seg)).exists();
        }
    }

    @Test
    void opensWithExactlyItsContent() throws Exception {
        Path dir = copyOfGolden("rw");
        TreeMap<String, String> expected = GoldenDatabase.expected();
        try (FerrumDB db = FerrumDB.open(dir)) {
            assertThat(db.recoveryReport()).isEmpty();
            assertThat(History.dump(db)).isEqualTo(expected);
            assertThat(db.size()).isEqualTo(expected.size());
            assertThat(db.get(GoldenDatabase.EXPIRED_KEY)).isNull();
            assertThat(db.get(GoldenDatabase.LASTING_KEY)).containsExactly(9, 9, 9, 9);
            db.put(new byte[] {'n', 'e', 'w'}, new byte[] {1});
        }
        expected.put("6e6577", "01");
        try (FerrumDB db = FerrumDB.open(dir)) {
            assertThat(History.dump(db)).isEqualTo(expected);
        }
    }

    @Test
    void opensReadOnlyAndWithoutHints() throws Exception {
        Path dir = copyOfGolden("ro");
        try (FerrumDB db = FerrumDB.open(dir, Options.builder().readOnly(true).build())) {
            assertThat(History.dump(db)).isEqualTo(GoldenDatabase.expected());
        }
        for (Path seg : SegmentLayout.segments(dir)) {
            Files.delete(SegmentLayout.hintOf(seg));
        }
        try (FerrumDB db = FerrumDB.open(dir)) {
            assertThat(db.recoveryReport()).isEmpty();
            assertThat(History.dump(db)).isEqualTo(GoldenDatabase.expected());
        }
    }

    @Test
    void aVersionOneDatabaseGainsItsManifestAtItsFirstWritableOpenOnly() throws Exception {
        Path dir = copyOfGolden("upgrade");
        try (FerrumDB db = FerrumDB.open(dir, Options.builder().readOnly(true).build())) {
            assertThat(History.dump(db)).isEqualTo(GoldenDatabase.expected());
        }
        assertThat(dir.resolve("MANIFEST")).doesNotExist();
        assertThat(Bytes.u16(Files.readAllBytes(dir.resolve("META")), 8)).isEqualTo(1);
        // Without background compaction, whose merge of small segments at close would leave too few to delete one.
        try (FerrumDB db = FerrumDB.open(dir, Options.builder().autoCompaction(false).build())) {
            assertThat(History.dump(db)).isEqualTo(GoldenDatabase.expected());
        }
        assertThat(dir.resolve("MANIFEST")).exists();
        assertThat(Bytes.u16(Files.readAllBytes(dir.resolve("META")), 8)).isEqualTo(2);
        Files.delete(SegmentLayout.segments(dir).get(3));
        assertThatThrownBy(() -> FerrumDB.open(dir)).isInstanceOf(MissingSegmentException.class);
    }

    @Test
    void goldenVersionTwoOpensWithExactlyItsContentAndKnowsItsSegments() throws Exception {
        Path dir = copyOfGolden("v2", "v2");
        assertThat(Bytes.u16(Files.readAllBytes(dir.resolve("META")), 8)).isEqualTo(2);
        assertThat(Bytes.i32(Files.readAllBytes(dir.resolve("MANIFEST")), 12))
                .isEqualTo(SegmentLayout.segments(dir).size());
        try (FerrumDB db = FerrumDB.open(dir, Options.builder().readOnly(true).build())) {
            assertThat(db.recoveryReport()).isEmpty();
            assertThat(History.dump(db)).isEqualTo(GoldenDatabase.expected());
        }
        assertThat(FerrumDB.verify(dir, Options.defaults()).problems()).isEmpty();
        Path newest = SegmentLayout.segments(dir).get(SegmentLayout.segments(dir).size() - 1);
        Files.delete(newest);
        assertThatThrownBy(() -> FerrumDB.open(dir)).isInstanceOf(MissingSegmentException.class)
                .hasMessageContaining(newest.getFileName().toString());
    }

    /** Every entry of {@code dir}'s MANIFEST, whose version must be {@code version}. */
    private static java.util.NavigableMap<Integer, ManifestFile.Listed> manifest(Path dir, int version)
            throws IOException {
        byte[] bytes = Files.readAllBytes(dir.resolve("MANIFEST"));
        assertThat(Bytes.u16(bytes, 8)).as("MANIFEST version").isEqualTo(version);
        byte[] id = Arrays.copyOfRange(Files.readAllBytes(dir.resolve("META")), 16, 32);
        return ManifestFile.decode(bytes, dir.resolve("MANIFEST"), id);
    }

    /** Each segment as a MANIFEST of version 3 records it once sealed: its length and header checksum. */
    private static void assertEverySegmentSealedAsItIs(Path dir, java.util.Map<Integer, ManifestFile.Listed> listed)
            throws IOException {
        List<Path> segments = SegmentLayout.segments(dir);
        assertThat(listed).hasSize(segments.size());
        for (Path seg : segments) {
            int id = Integer.parseInt(seg.getFileName().toString().replace(".seg", ""));
            byte[] bytes = Files.readAllBytes(seg);
            assertThat(listed.get(id)).as(seg.toString())
                    .isEqualTo(new ManifestFile.Listed(id, bytes.length, Bytes.i32(bytes, 60)));
        }
    }

    /**
     * {@code manifest-v3}: written by the release that records each sealed segment's length and header in the
     * MANIFEST. It opens with exactly its content, verifies clean, and a segment of it cut between two records with
     * its hint gone is refused naming the length recorded and the length found.
     */
    @Test
    void goldenManifestVersionThreeKnowsTheLengthOfEverySealedSegment() throws Exception {
        Path dir = copyOfGolden("manifest-v3", "manifest-v3");
        assertEverySegmentSealedAsItIs(dir, manifest(dir, 3));
        try (FerrumDB db = FerrumDB.open(dir, Options.builder().readOnly(true).build())) {
            assertThat(db.recoveryReport()).isEmpty();
            assertThat(History.dump(db)).isEqualTo(GoldenDatabase.expected());
        }
        assertThat(FerrumDB.verify(dir, Options.defaults()).problems()).isEmpty();
        Path victim = SegmentLayout.segments(dir).get(3).toAbsolutePath().normalize();
        long length = Files.size(victim);
        SegmentLayout.Rec last = SegmentLayout.records(dir).stream().filter(r -> r.file().equals(victim))
                .reduce((x, y) -> y).orElseThrow();
        Files.delete(SegmentLayout.hintOf(victim));
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(victim.toFile(), "rw")) {
            f.setLength(last.offset());
        }
        assertThatThrownBy(() -> FerrumDB.open(dir, Options.builder().readOnly(true).build()))
                .isInstanceOf(CorruptionException.class).hasMessageContaining(victim.getFileName().toString())
                .hasMessageContaining("segment is " + last.offset() + " bytes but the MANIFEST recorded " + length);
    }

    /**
     * A MANIFEST of version 2 records no seal: a read-only open leaves it as it is; the first writable open (every
     * segment is sealed by then) rewrites it in version 3 with the length and header of every segment.
     */
    @Test
    void aVersionTwoManifestGainsTheSealsAtItsFirstWritableOpenOnly() throws Exception {
        Path dir = copyOfGolden("v2", "v2-seals");
        byte[] before = Files.readAllBytes(dir.resolve("MANIFEST"));
        assertThat(manifest(dir, 2).values()).allSatisfy(s -> assertThat(s.sealed()).isFalse());
        try (FerrumDB db = FerrumDB.open(dir, Options.builder().readOnly(true).build())) {
            assertThat(History.dump(db)).isEqualTo(GoldenDatabase.expected());
        }
        assertThat(Files.readAllBytes(dir.resolve("MANIFEST"))).isEqualTo(before);
        FerrumDB.open(dir, Options.builder().autoCompaction(false).build()).close();
        assertEverySegmentSealedAsItIs(dir, manifest(dir, 3));
        try (FerrumDB db = FerrumDB.open(dir, Options.builder().readOnly(true).build())) {
            assertThat(History.dump(db)).isEqualTo(GoldenDatabase.expected());
        }
    }

    /** A version-1 compaction journal, byte by byte as FORMAT.md ("COMPACTION") gives it: no database id. */
    private static byte[] versionOneJournal(long... inputs) {
        byte[] b = new byte[16 + 8 * inputs.length + 4];
        System.arraycopy("FDBMRG01".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, b, 0, 8);
        b[9] = 1;
        b[15] = (byte) inputs.length;
        for (int i = 0; i < inputs.length; i++) {
            for (int j = 0; j < 8; j++) {
                b[16 + 8 * i + j] = (byte) (inputs[i] >>> (56 - 8 * j));
            }
        }
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(b, 0, b.length - 4);
        long c = crc.getValue();
        for (int j = 0; j < 4; j++) {
            b[b.length - 4 + j] = (byte) (c >>> (24 - 8 * j));
        }
        return b;
    }

    /**
     * A version-1 compaction journal (format-1 databases wrote no other) left by a crash after every input was
     * deleted: open finishes it (deletes the journal, nothing else) and keeps the exact content; the same journal in
     * a format-2 database carries no database id and is refused, never acted on.
     */
    @Test
    void aVersionOneCompactionJournalIsFinishedInAVersionOneDatabaseOnly() throws Exception {
        Path v1 = copyOfGolden("journal-v1");
        int next = SegmentLayout.segments(v1).size() + 100;
        Files.write(v1.resolve("COMPACTION"), versionOneJournal(next));
        try (FerrumDB db = FerrumDB.open(v1, Options.builder().autoCompaction(false).build())) {
            assertThat(History.dump(db)).isEqualTo(GoldenDatabase.expected());
        }
        assertThat(v1.resolve("COMPACTION")).doesNotExist();

        Path v2 = copyOfGolden("v2", "journal-v2");
        Files.write(v2.resolve("COMPACTION"), versionOneJournal(SegmentLayout.segments(v2).size() + 100));
        assertThatThrownBy(() -> FerrumDB.open(v2)).isInstanceOf(CorruptionException.class)
                .hasMessageContaining("COMPACTION").hasMessageContaining("carries no database id");
        assertThat(SegmentLayout.segments(v2)).hasSize(SegmentLayout.segments(copyOfGolden("v2", "v2-again")).size());
    }

    /**
     * encrypted-v1: the content under a passphrase (KEY version 1 with Argon2id parameters, encrypted segments and
     * hints). It opens with the passphrase only; a wrong one is a typed key error, not a checksum error.
     */
    @Test
    void goldenEncryptedOpensWithItsPassphraseOnly() throws Exception {
        Path dir = copyOfGolden("encrypted-v1", "encrypted");
        assertThat(Bytes.u16(Files.readAllBytes(dir.resolve("KEY")), 8)).as("KEY version").isEqualTo(1);
        for (Path seg : SegmentLayout.segments(dir)) {
            byte[] b = Files.readAllBytes(seg);
            assertThat(Bytes.u16(b, 10) & 1).as("encrypted flag of " + seg).isEqualTo(1);
            assertThat(SegmentLayout.hintOf(seg)).exists();
        }
        Options right = Options.builder().passphrase(GoldenDatabase.PASSPHRASE.toCharArray()).build();
        try (FerrumDB db = FerrumDB.open(dir, right.toBuilder().readOnly(true).build())) {
            assertThat(db.recoveryReport()).isEmpty();
            assertThat(History.dump(db)).isEqualTo(GoldenDatabase.expected());
        }
        assertThat(FerrumDB.verify(dir, right).problems()).isEmpty();
        assertThatThrownBy(() -> FerrumDB.open(dir, Options.builder().passphrase("wrong".toCharArray())
                .readOnly(true).build())).isInstanceOf(EncryptionKeyException.class);
        assertThatThrownBy(() -> FerrumDB.open(dir, Options.builder().readOnly(true).build()))
                .isInstanceOf(EncryptionKeyException.class);
        Options wrong = Options.builder().passphrase("wrong".toCharArray()).build();
        List<byte[]> before = new java.util.ArrayList<>();
        for (Path seg : SegmentLayout.segments(dir)) {
            before.add(Files.readAllBytes(seg));
        }
        assertThatThrownBy(() -> FerrumDB.verify(dir, wrong)).isInstanceOf(EncryptionKeyException.class);
        assertThatThrownBy(() -> FerrumDB.repair(dir, wrong)).as("repair with the wrong passphrase changes nothing")
                .isInstanceOf(EncryptionKeyException.class);
        assertThat(SegmentLayout.segments(dir)).hasSize(before.size());
        for (int i = 0; i < before.size(); i++) {
            assertThat(Files.readAllBytes(SegmentLayout.segments(dir).get(i))).isEqualTo(before.get(i));
        }
        try (FerrumDB db = FerrumDB.open(dir, right.toBuilder().autoCompaction(false).build())) {
            db.put(new byte[] {'n', 'e', 'w'}, new byte[] {1});
        }
        TreeMap<String, String> expected = GoldenDatabase.expected();
        expected.put("6e6577", "01");
        try (FerrumDB db = FerrumDB.open(dir, right)) {
            assertThat(History.dump(db)).isEqualTo(expected);
        }
    }

    /**
     * backup-v1: a completed backup of the content (its BACKUP marker of version 1 lists every segment with its
     * length). It opens read-only as it is; a writable open makes it a database of its own (the marker goes).
     */
    @Test
    void goldenBackupOpensAndBecomesADatabaseAtItsFirstWritableOpen() throws Exception {
        Path dir = copyOfGolden("backup-v1", "backup");
        assertThat(Bytes.u16(Files.readAllBytes(dir.resolve("BACKUP")), 8)).as("BACKUP version").isEqualTo(1);
        try (FerrumDB db = FerrumDB.open(dir, Options.builder().readOnly(true).build())) {
            assertThat(History.dump(db)).isEqualTo(GoldenDatabase.expected());
        }
        assertThat(FerrumDB.verify(dir, Options.defaults()).problems()).isEmpty();
        try (FerrumDB db = FerrumDB.open(dir, Options.builder().autoCompaction(false).build())) {
            assertThat(History.dump(db)).isEqualTo(GoldenDatabase.expected());
        }
        assertThat(dir.resolve("BACKUP")).doesNotExist();
    }

    /**
     * v2-zero-tail (segment version 2): power was lost under always() after the last write; the newest segment has
     * no hint and ends in the writer's zero tail, which open ends the log at, reports nothing about and cuts.
     */
    @Test
    void goldenZeroTailOpensWithExactlyItsContentAndCutsTheZeros() throws Exception {
        Path dir = copyOfGolden("v2-zero-tail", "zero-tail");
        List<Path> segments = SegmentLayout.segments(dir);
        Path newest = segments.get(segments.size() - 1);
        byte[] b = Files.readAllBytes(newest);
        assertThat(Bytes.u16(b, 8)).isEqualTo(2);
        assertThat(SegmentLayout.hintOf(newest)).doesNotExist();
        int end = SegmentHeader.SIZE;
        while (end + RecordFormat.HEADER_SIZE <= b.length && RecordFormat.headerProblem(b, end) == null) {
            end += RecordFormat.HEADER_SIZE + RecordFormat.keyLength(b, end) + RecordFormat.valueLength(b, end);
        }
        int recordsEnd = end;
        assertThat(b.length).as("zeros after the records").isGreaterThan(recordsEnd);
        assertThat(Arrays.copyOfRange(b, recordsEnd, b.length)).containsOnly(0);
        assertThat(FerrumDB.verify(dir, Options.defaults()).problems()).isEmpty();
        try (FerrumDB db = FerrumDB.open(dir, Options.builder().readOnly(true).build())) {
            assertThat(db.recoveryReport()).isEmpty();
            assertThat(History.dump(db)).isEqualTo(GoldenDatabase.expected());
        }
        assertThat(Files.readAllBytes(newest)).as("a read-only open writes nothing").isEqualTo(b);
        // No background compaction: it would merge the small segments at close, the one looked at below among them.
        try (FerrumDB db = FerrumDB.open(dir, Options.builder().autoCompaction(false).build())) {
            assertThat(db.recoveryReport()).isEmpty();
            assertThat(History.dump(db)).isEqualTo(GoldenDatabase.expected());
        }
        assertThat(Files.size(newest)).as("cut to its records").isEqualTo(recordsEnd);
        assertThat(SegmentLayout.hintOf(newest)).exists();
    }
}
