package io.ferrumdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.Options;
import io.ferrumdb.internal.format.ManifestFile;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ferrumdb repair} and what {@code verify} and the other commands say about damage, as a script sees it. */
class RepairCommandTest {
    @TempDir
    Path tmp;
    Path db;

    @BeforeEach
    void fill() {
        db = tmp.resolve("db");
        try (FerrumDB fdb = FerrumDB.open(db, Options.builder().segmentSize(4096).autoCompaction(false).build())) {
            for (int i = 0; i < 300; i++) {
                fdb.put(("key-" + i).getBytes(StandardCharsets.UTF_8),
                        ("value-" + i + "-".repeat(30)).getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private List<Path> segments() throws Exception {
        try (Stream<Path> s = Files.list(db)) {
            return s.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
        }
    }

    @Test
    void aSealedSegmentCutShortFailsInOneLineThenRepairKeepsTheRest() throws Exception {
        Path seg = segments().get(2);
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            f.setLength(f.length() - 7);
        }
        Run count = Run.of(db, "", "count");
        assertThat(count.code()).isEqualTo(ExitCode.DATABASE);
        assertThat(count.err().strip()).doesNotContain("\n").contains(seg.getFileName().toString())
                .contains("ferrumdb repair");
        Run verify = Run.of(db, "", "verify");
        assertThat(verify.code()).isEqualTo(ExitCode.DATABASE);
        assertThat(verify.out()).contains("DAMAGED " + seg.toAbsolutePath());

        Run repair = Run.of(db, "", "repair");
        assertThat(repair.code()).as(repair.err()).isZero();
        assertThat(repair.out()).contains("copied the intact records of " + seg.toAbsolutePath() + " into new segments")
                .containsPattern("new segment .*\\.seg").contains("moved 2 original file(s) to")
                .contains("damaged-").contains("key affected: key-")
                .contains("a key whose newest put or delete was among them now shows its previous value, or none");
        assertThat(Run.of(db, "", "verify").code()).isZero();
        Run after = Run.of(db, "", "count");
        assertThat(after.code()).isZero();
        assertThat(Integer.parseInt(after.out().strip())).isEqualTo(299);
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("damaged-"));
        }
        assertThat(Run.of(db, "", "compact").code()).isZero();
        assertThat(Run.of(db, "", "backup", tmp.resolve("copy").toString()).code()).isZero();
        assertThat(Run.of(tmp.resolve("copy"), "", "count").out().strip()).isEqualTo("299");
    }

    @Test
    void discardDamagedLeavesNoFolderBehind() throws Exception {
        Path seg = segments().get(1);
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            f.seek(200);
            f.write(f.read() ^ 0x10);
        }
        Run repair = Run.of(db, "", "repair", "--discard-damaged");
        assertThat(repair.code()).as(repair.err()).isZero();
        assertThat(repair.out()).contains("deleted 2 original file(s)");
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("damaged-"));
        }
        assertThat(Run.of(db, "", "verify").code()).isZero();
    }

    /**
     * A sealed segment cut exactly between two records with its hint deleted, in an encrypted database (which has no
     * key directory image to record its length): the MANIFEST recorded its length when it was sealed, so every
     * command refuses it in one line naming both lengths, verify reports it, and repair reports the range lost.
     */
    @Test
    void aSealedSegmentCutBetweenRecordsWithoutItsHintIsFoundInAnEncryptedDatabase() throws Exception {
        Path enc = tmp.resolve("enc");
        String passphrase = "correct horse battery staple";
        try (FerrumDB fdb = FerrumDB.open(enc, Options.builder().segmentSize(4096).autoCompaction(false)
                .passphrase(passphrase.toCharArray()).build())) {
            for (int i = 0; i < 300; i++) {
                fdb.put(("key-" + i).getBytes(StandardCharsets.UTF_8),
                        ("value-" + i + "-".repeat(30)).getBytes(StandardCharsets.UTF_8));
            }
        }
        Path seg = enc.resolve("0000000002.seg");
        long sealed = Files.size(seg);
        // Where its last record starts: records follow the 64-byte header back to back, each 28 bytes of header
        // (key length at 6, value length at 8), the key and value, and a 16-byte tag (FORMAT.md, "Record").
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(Files.readAllBytes(seg));
        long cut = 64;
        long recordSize = 0;
        while (cut + recordSize < sealed) {
            cut += recordSize;
            recordSize = 28 + Short.toUnsignedInt(bytes.getShort((int) cut + 6)) + bytes.getInt((int) cut + 8) + 16;
        }
        Files.delete(enc.resolve("0000000002.hint"));
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            f.setLength(cut);
        }
        Path file = tmp.resolve("passphrase");
        Files.writeString(file, passphrase + "\n");
        String[] key = {"--passphrase-file", file.toString()};
        Run count = Run.of(enc, "", key[0], key[1], "count");
        assertThat(count.code()).isEqualTo(ExitCode.DATABASE);
        assertThat(count.err().strip()).doesNotContain("\n").contains(seg.toString())
                .contains("segment is " + cut + " bytes but the MANIFEST recorded " + sealed)
                .contains("ferrumdb repair");
        Run verify = Run.of(enc, "", key[0], key[1], "verify");
        assertThat(verify.code()).isEqualTo(ExitCode.DATABASE);
        assertThat(verify.out()).contains("DAMAGED " + seg + " at offset " + cut + " (" + recordSize + " bytes)");
        Run repair = Run.of(enc, "", key[0], key[1], "repair");
        assertThat(repair.code()).as(repair.err()).isZero();
        assertThat(repair.out()).contains("DAMAGED " + seg + " at offset " + cut + " (" + recordSize + " bytes)")
                .contains("copied the intact records of " + seg + " into new segments");
        assertThat(Run.of(enc, "", key[0], key[1], "verify").code()).isZero();
        assertThat(Run.of(enc, "", key[0], key[1], "count").out().strip()).isEqualTo("299");
    }

    /** A directory where LOCK should be stops every command, naming it; repair sets it aside and makes a new one. */
    @Test
    void aDirectoryInPlaceOfLockIsSetAsideByRepair() throws Exception {
        Path lock = db.resolve("LOCK").toAbsolutePath();
        Files.delete(lock);
        Files.createDirectory(lock);
        Run count = Run.of(db, "", "count");
        assertThat(count.code()).isEqualTo(ExitCode.DATABASE);
        assertThat(count.err().strip()).doesNotContain("\n").contains(lock + " at offset 0: is a directory")
                .contains("'ferrumdb repair' sets it aside");
        Run repair = Run.of(db, "", "repair");
        assertThat(repair.code()).as(repair.err()).isZero();
        assertThat(repair.out()).contains("DAMAGED LOCK " + lock + ": a directory stands where the LOCK file should be")
                .contains("moved 1 original file(s) to");
        assertThat(lock).isRegularFile();
        assertThat(Run.of(db, "", "count").out().strip()).isEqualTo("300");
    }

    @Test
    void aTornTailIsReportedAsSuchWithExitCodeZero() throws Exception {
        List<Path> segs = segments();
        Path newest = segs.get(segs.size() - 1);
        // As a crash leaves the segment being written: no hint, and no seal (length) recorded in the MANIFEST.
        Files.deleteIfExists(newest.resolveSibling(newest.getFileName().toString().replace(".seg", ".hint")));
        Path manifest = db.resolve("MANIFEST");
        byte[] databaseId = java.util.Arrays.copyOfRange(Files.readAllBytes(db.resolve("META")), 16, 32);
        var listed = ManifestFile.decode(Files.readAllBytes(manifest), manifest, databaseId);
        listed.put(listed.lastKey(), ManifestFile.Listed.unsealed(listed.lastKey()));
        Files.write(manifest, ManifestFile.encode(databaseId, listed.values()));
        Files.write(newest, new byte[] {1, 2, 3, 4, 5}, StandardOpenOption.APPEND);
        Run verify = Run.of(db, "", "verify");
        assertThat(verify.code()).isZero();
        assertThat(verify.out()).contains("TORN TAIL " + newest.toAbsolutePath() + ": 5 bytes after the last complete"
                + " record").contains("truncated at the next open; no acknowledged write is affected");
    }

    @Test
    void aMissingSegmentIsRepairedOnlyWhenAskedExplicitly() throws Exception {
        Path seg = segments().get(1);
        Files.delete(seg);
        Run get = Run.of(db, "", "get", "key-1");
        assertThat(get.code()).isEqualTo(ExitCode.DATABASE);
        assertThat(get.err()).contains("--allow-missing-segments");
        assertThat(Run.of(db, "", "verify").out()).contains("MISSING " + seg.toAbsolutePath());
        Run refused = Run.of(db, "", "repair");
        assertThat(refused.code()).isEqualTo(ExitCode.DATABASE);
        assertThat(refused.err()).contains(seg.getFileName().toString()).contains("--allow-missing-segments");
        Run repair = Run.of(db, "", "repair", "--allow-missing-segments");
        assertThat(repair.code()).as(repair.err()).isZero();
        assertThat(repair.out()).contains("GONE " + seg.toAbsolutePath())
                .contains("keys deleted or overwritten in it may show older values");
        assertThat(Run.of(db, "", "verify").code()).isZero();
        assertThat(Run.of(db, "", "count").code()).isZero();
    }
}
