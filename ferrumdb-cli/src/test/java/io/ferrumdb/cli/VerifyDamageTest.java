package io.ferrumdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.Options;
import io.ferrumdb.WriteBatch;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code ferrumdb verify} on damage beside the segments: a damaged hint file, a damaged MANIFEST or META, a MANIFEST
 * naming a segment that is gone, a key directory image with a bad checksum. Each is exit code 3 with a line naming
 * the file.
 */
class VerifyDamageTest {
    private static final int KEYS = 2000;

    @TempDir
    Path tmp;

    /** Two sealed segments with hints, and a KEYDIR image written by the clean close. */
    private Path database() {
        Path db = tmp.resolve("db");
        Options options = Options.builder().segmentSize(64 * 1024).autoCompaction(false).build();
        try (FerrumDB d = FerrumDB.open(db, options)) {
            WriteBatch batch = new WriteBatch();
            for (int i = 0; i < KEYS; i++) {
                batch.put(("key-" + i).getBytes(StandardCharsets.UTF_8),
                        ("value-" + i + "-".repeat(40)).getBytes(StandardCharsets.UTF_8));
                if (batch.size() == 500) {
                    d.write(batch);
                    batch = new WriteBatch();
                }
            }
        }
        assertThat(db.resolve("KEYDIR")).exists();
        assertThat(Run.of(db, "", "verify").code()).isZero();
        return db;
    }

    /** Changes the byte at {@code offset} of {@code file}, as a failing disk may. */
    static void flip(Path file, long offset) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            int b = f.read();
            f.seek(offset);
            f.write(b ^ 0x5a);
        }
    }

    /** {@code ferrumdb verify} after a byte of {@code file} changed ({@link #flip}): exit code 3. */
    private static Run verifyAfterFlip(Path file, long offset) throws Exception {
        flip(file, offset);
        Run r = Run.of(file.getParent(), "", "verify");
        assertThat(r.code()).isEqualTo(ExitCode.DATABASE);
        return r;
    }

    private static long size(Path file) throws Exception {
        return Files.size(file);
    }

    @Test
    void aKeyDirectoryImageWithABadBodyChecksumIsReportedAndRepairDeletesIt() throws Exception {
        Path db = database();
        Path image = db.resolve("KEYDIR");
        flip(image, size(image) / 2);
        Run r = Run.of(db, "", "verify");
        assertThat(r.code()).as(r.out()).isEqualTo(ExitCode.DATABASE);
        assertThat(r.out()).contains("DAMAGED KEYDIR " + image + ": body checksum mismatch")
                .contains("no record is affected");
        Run repair = Run.of(db, "", "repair");
        assertThat(repair.code()).as(repair.out() + repair.err()).isZero();
        assertThat(Run.of(db, "", "verify").code()).isZero();
        assertThat(Run.of(db, "", "count").out().trim()).isEqualTo(String.valueOf(KEYS));
    }

    /**
     * A segment torn while it was created (a crash of a format-1 database, which lists no segments) holds no
     * record: the line says what the engine found, not "bytes after the last complete record ... truncated".
     */
    @Test
    void aSegmentTornWhileCreatedIsNotDescribedAsATruncatedRecord() {
        Path seg = tmp.resolve("0000000009.seg");
        String line = VerifyCommand.describe(new io.ferrumdb.DroppedRange(seg, 0, 20,
                io.ferrumdb.DroppedRange.Kind.TORN_TAIL, "segment header torn while the segment was created (it holds"
                + " no record): segment header is shorter than 64 bytes; the next writable open deletes it"));
        assertThat(line).isEqualTo("TORN TAIL " + seg + " (20 bytes): segment header torn while the segment was"
                + " created (it holds no record): segment header is shorter than 64 bytes; the next writable open"
                + " deletes it; no acknowledged write is affected");
    }

    @Test
    void aKeyDirectoryImageWithABadHeaderIsReported() throws Exception {
        Path db = database();
        Path image = db.resolve("KEYDIR");
        assertThat(verifyAfterFlip(image, 20).out()).contains("DAMAGED KEYDIR " + image + ": ");
    }

    @Test
    void aDamagedHintFileIsReportedWithItsName() throws Exception {
        Path db = database();
        Path hint = db.resolve("0000000001.hint");
        assertThat(verifyAfterFlip(hint, size(hint) / 2).out()).containsPattern("DAMAGED HINT " + java.util.regex.Pattern.quote(hint.toString())
                + " at offset \\d+: ");
    }

    /** A damaged MANIFEST is named as such (it was reported as a damaged segment), and repair rebuilds it. */
    @Test
    void aDamagedManifestIsReportedAsTheManifestAndRepairRebuildsIt() throws Exception {
        Path db = database();
        Path manifest = db.resolve("MANIFEST");
        assertThat(verifyAfterFlip(manifest, 20).out()).contains("DAMAGED MANIFEST " + manifest + ": MANIFEST checksum mismatch (the list"
                + " of the database's segments: open refuses the database until 'ferrumdb repair' rebuilds it");
        Run repair = Run.of(db, "", "repair");
        assertThat(repair.code()).as(repair.err()).isZero();
        assertThat(repair.out()).contains("DAMAGED MANIFEST " + manifest + ": ")
                .contains("rebuilt from the segment files present");
        assertThat(Run.of(db, "", "verify").out()).contains("OK");
        assertThat(Run.of(db, "", "count").out().strip()).isEqualTo(Integer.toString(KEYS));
    }

    /** The ways META is found damaged, each with what verify and repair say was wrong. */
    enum MetaDamage {
        TORN("META file has 30 bytes, expected 44"),
        FLIPPED_BYTE("META checksum mismatch"),
        WRONG_MAGIC("bad magic: not a FerrumDB meta file"),
        TRUNCATED("META file has 0 bytes, expected 44"),
        DIRECTORY("is a directory, not a file");

        final String problem;

        MetaDamage(String problem) {
            this.problem = problem;
        }

        void applyTo(Path meta) throws Exception {
            switch (this) {
                case TORN -> Files.write(meta, java.util.Arrays.copyOf(Files.readAllBytes(meta), 30));
                case FLIPPED_BYTE -> flip(meta, 20);
                case WRONG_MAGIC -> {
                    byte[] b = Files.readAllBytes(meta);
                    System.arraycopy("FDBMAN01".getBytes(StandardCharsets.US_ASCII), 0, b, 0, 8);
                    Files.write(meta, b);
                }
                case TRUNCATED -> Files.write(meta, new byte[0]);
                case DIRECTORY -> {
                    Files.delete(meta);
                    Files.createDirectory(meta);
                }
                default -> throw new IllegalStateException(name());
            }
        }
    }

    /**
     * A damaged META is a line of its own, DAMAGED META, and verify goes on to check the segments; open still
     * refuses naming it, and repair reports it the same way and rebuilds it. Before, verify stopped at it with an
     * error (exit code 3 and no report) and repair reported it as a damaged segment.
     */
    @ParameterizedTest
    @EnumSource(MetaDamage.class)
    void aDamagedMetaIsReportedAsMetaAndRepairRebuildsIt(MetaDamage damage) throws Exception {
        Path db = database();
        Path meta = db.resolve("META");
        damage.applyTo(meta);
        Run verify = Run.of(db, "", "verify");
        assertThat(verify.code()).as(verify.err()).isEqualTo(ExitCode.DATABASE);
        assertThat(verify.out()).contains("DAMAGED META " + meta + ": " + damage.problem + "; the rest is checked as"
                + " the segments' headers name the database (the database's identity and format version: open"
                + " refuses the database until 'ferrumdb repair' rebuilds it from the segments' headers)")
                .contains("1 problem(s) found");
        Run count = Run.of(db, "", "count");
        assertThat(count.code()).isEqualTo(ExitCode.DATABASE);
        assertThat(count.err()).contains("corruption in " + meta).contains(damage.problem);
        Run repair = Run.of(db, "", "repair");
        assertThat(repair.code()).as(repair.err()).isZero();
        assertThat(repair.out()).contains("DAMAGED META " + meta + ": " + damage.problem
                + "; rebuilt from the segments' headers").contains("moved 1 original file(s) to ");
        assertThat(Run.of(db, "", "verify").out()).contains("OK");
        assertThat(Run.of(db, "", "count").out().strip()).isEqualTo(Integer.toString(KEYS));
    }

    @Test
    void aManifestNamingAMissingSegmentIsReportedWithItsName() throws Exception {
        Path db = database();
        Path segment = db.resolve("0000000002.seg");
        Files.delete(segment);
        Run r = Run.of(db, "", "verify");
        assertThat(r.code()).isEqualTo(ExitCode.DATABASE);
        assertThat(r.out()).contains("MISSING " + segment + ": segment listed in the MANIFEST is missing");
        // The advice is the command that works: plain repair refuses a missing segment (it said 'ferrumdb repair').
        assertThat(r.out()).contains("1 problem(s) found; 'ferrumdb repair --allow-missing-segments' keeps every"
                + " intact record");
        assertThat(Run.of(db, "", "repair").code()).isEqualTo(ExitCode.DATABASE);
        Run repaired = Run.of(db, "", "repair", "--allow-missing-segments");
        assertThat(repaired.code()).as(repaired.err()).isZero();
        assertThat(Run.of(db, "", "verify").out()).contains("OK");
    }

    /**
     * One sealed segment cut by 7 bytes is one problem, listed once, in verify and in repair: the MANIFEST, its hint
     * file and the key directory image all recorded its length, and the scan finds the record the cut went through;
     * each was a line of its own ("4 problem(s) found" for one cut), as fsck reports a damaged file once.
     */
    @Test
    void aSegmentCutShortIsOneProblemListedOnce() throws Exception {
        Path db = database();
        Path segment = db.resolve("0000000001.seg");
        long length = size(segment);
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            f.setLength(length - 7);
        }
        Run r = Run.of(db, "", "verify");
        assertThat(r.code()).as(r.out()).isEqualTo(ExitCode.DATABASE);
        assertThat(r.out().lines().filter(l -> l.startsWith("DAMAGED"))).as(r.out()).hasSize(1);
        String line = r.out().lines().filter(l -> l.startsWith("DAMAGED")).findFirst().orElseThrow();
        assertThat(line).startsWith("DAMAGED " + segment + " at offset ")
                .contains("the MANIFEST recorded " + length).contains("its hint file describes " + length)
                .contains("key directory image").contains("the cut goes through the record at offset");
        long offset = Long.parseLong(line.replaceAll(".* at offset (\\d+) \\((\\d+) bytes\\).*", "$1"));
        long bytes = Long.parseLong(line.replaceAll(".* at offset (\\d+) \\((\\d+) bytes\\).*", "$2"));
        assertThat(offset + bytes).as("the range ends where the segment ended").isEqualTo(length);
        assertThat(r.out()).contains("1 problem(s) found");
        Run repair = Run.of(db, "", "repair");
        assertThat(repair.code()).as(repair.out() + repair.err()).isZero();
        assertThat(repair.out().lines().filter(l -> l.startsWith("DAMAGED"))).as(repair.out()).hasSize(1);
        assertThat(repair.out()).contains("dropped " + bytes + " damaged byte(s)");
        assertThat(Run.of(db, "", "verify").out()).contains("OK");
        // The cut went through the last batch's commit record: the batch of 500 is gone whole, never half-applied.
        assertThat(Run.of(db, "", "count").out().strip()).isEqualTo(Integer.toString(KEYS - 500));
    }

    /**
     * A hint file replaced by another segment's intact hint (files swapped or copied in): open ignores it and reads
     * the segment, so nothing served is wrong, but verify said "OK"; it is damage to the files as a flipped byte in
     * a hint is, and repair rewrites it.
     */
    @Test
    void aHintFileOfAnotherSegmentIsReportedAndRepairRewritesIt() throws Exception {
        Path db = database();
        Path hint = db.resolve("0000000002.hint");
        Files.copy(db.resolve("0000000001.hint"), hint, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Run r = Run.of(db, "", "verify");
        assertThat(r.code()).as(r.out()).isEqualTo(ExitCode.DATABASE);
        assertThat(r.out()).contains("DAMAGED HINT " + hint + " at offset 0")
                .contains("hint file describes segment 1, not segment 2").contains("1 problem(s) found");
        Run repair = Run.of(db, "", "repair");
        assertThat(repair.code()).as(repair.out() + repair.err()).isZero();
        assertThat(repair.out()).contains("hint file describes segment 1, not segment 2");
        assertThat(Run.of(db, "", "verify").out()).contains("OK");
        assertThat(Run.of(db, "", "count").out().strip()).isEqualTo(Integer.toString(KEYS));
        assertThat(Run.of(db, "", "get", "key-1999").out().strip()).isEqualTo("value-1999" + "-".repeat(40));
    }
}
