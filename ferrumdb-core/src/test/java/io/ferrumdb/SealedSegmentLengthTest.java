package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.internal.format.Bytes;
import io.ferrumdb.internal.format.ManifestFile;
import io.ferrumdb.internal.format.MetaFile;
import io.ferrumdb.internal.format.RecordFormat;
import io.ferrumdb.internal.format.SegmentHeader;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The MANIFEST records each sealed segment's length and header checksum (FORMAT.md, "MANIFEST", version 3), so a
 * sealed segment cut exactly between two records, with its hint deleted, is found even where no key directory
 * image of a clean close records its length (an encrypted database, or any database after a crash): before, every
 * record left was valid and the segment read as a shorter complete one, and the records after the cut vanished
 * without a word.
 */
class SealedSegmentLengthTest {
    private static final int KEYS = 200;

    @TempDir
    Path root;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String key(int i) {
        return "key-" + i;
    }

    private static Options options(boolean encrypted) {
        Options o = Options.builder().segmentSize(4096).autoCompaction(false).build();
        return encrypted ? EncryptedOptions.encrypted(o) : o;
    }

    /** A database of several sealed segments, each key written once, left as a crash leaves it (no image). */
    private Path crashedDatabase(boolean encrypted) {
        Path dir = root.resolve("db");
        FaultFileIO io = new FaultFileIO(7);
        FerrumDB db = FerrumDB.open(dir, io.forOneOpen(options(encrypted).toBuilder()
                .fsyncPolicy(FsyncPolicy.always()).build()));
        for (int i = 0; i < KEYS; i++) {
            db.put(b(key(i)), b("value-" + i + "-" + "x".repeat(60 + i % 30)));
        }
        io.crash();
        try {
            db.close();
        } catch (FerrumException expected) {
            // The power loss took the files from under it.
        }
        assertThat(dir.resolve("KEYDIR")).doesNotExist();
        assertThat(SegmentLayout.segments(dir)).hasSizeGreaterThanOrEqualTo(4);
        return dir;
    }

    /** The offsets at which records start in {@code segment}, from its header on. */
    private static List<Long> recordOffsets(Path segment, boolean encrypted) throws IOException {
        byte[] bytes = Files.readAllBytes(segment);
        List<Long> out = new ArrayList<>();
        int pos = SegmentHeader.SIZE;
        while (pos + RecordFormat.HEADER_SIZE <= bytes.length) {
            out.add((long) pos);
            pos += RecordFormat.recordSize(RecordFormat.keyLength(bytes, pos), RecordFormat.valueLength(bytes, pos),
                    encrypted ? 16 : 0);
        }
        return out;
    }

    private static NavigableMap<Integer, ManifestFile.Listed> manifest(Path dir) throws IOException {
        MetaFile meta = MetaFile.decode(Files.readAllBytes(dir.resolve("META")), dir.resolve("META"));
        return ManifestFile.decode(Files.readAllBytes(dir.resolve("MANIFEST")), dir.resolve("MANIFEST"),
                meta.databaseId());
    }

    private static void truncate(Path file, long length) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(length);
        }
    }

    /** How many of the keys written (each once) the database no longer holds. */
    private static int keysGone(Path dir, boolean encrypted) {
        int count = 0;
        try (FerrumDB db = FerrumDB.open(dir, options(encrypted))) {
            for (int i = 0; i < KEYS; i++) {
                if (db.get(b(key(i))) == null) {
                    count++;
                }
            }
        }
        return count;
    }

    @ParameterizedTest(name = "encrypted={0}")
    @ValueSource(booleans = {false, true})
    void aSealedSegmentCutBetweenRecordsWithoutItsHintIsFoundAfterACrash(boolean encrypted) throws IOException {
        Path dir = crashedDatabase(encrypted);
        List<Path> segs = SegmentLayout.segments(dir);
        Path victim = segs.get(1).toAbsolutePath().normalize();
        long sealed = Files.size(victim);
        NavigableMap<Integer, ManifestFile.Listed> listed = manifest(dir);
        assertThat(listed.get(2)).as("sealed at its roll, before the crash")
                .isEqualTo(new ManifestFile.Listed(2, sealed, Bytes.i32(Files.readAllBytes(victim), 60)));
        assertThat(listed.lastEntry().getValue().sealed()).as("the segment being written is not sealed").isFalse();
        List<Long> offsets = recordOffsets(victim, encrypted);
        long cut = offsets.get(offsets.size() - 2);
        Files.delete(SegmentLayout.hintOf(victim));
        truncate(victim, cut);

        String expectedAndActual = "segment is " + cut + " bytes but the MANIFEST recorded " + sealed;
        for (boolean readOnly : new boolean[] {true, false}) {
            assertThatThrownBy(() -> FerrumDB.open(dir, options(encrypted).toBuilder().readOnly(readOnly).build())
                    .close())
                    .isInstanceOf(CorruptionException.class)
                    .hasMessageContaining(victim.getFileName().toString())
                    .hasMessageContaining(expectedAndActual).hasMessageContaining("ferrumdb repair")
                    .satisfies(e -> assertThat(((CorruptionException) e).offset()).isEqualTo(cut));
        }
        VerifyReport verify = FerrumDB.verify(dir, options(encrypted));
        assertThat(verify.damage()).as("verify names the cut").anySatisfy(d -> {
            assertThat(d.file()).isEqualTo(victim);
            assertThat(d.offset()).isEqualTo(cut);
            assertThat(d.length()).isEqualTo(sealed - cut);
            assertThat(d.reason()).contains(expectedAndActual);
        });

        RepairReport repair = FerrumDB.repair(dir, options(encrypted));
        assertThat(repair.problems()).as("repair reports the range lost").anySatisfy(d -> {
            assertThat(d.file()).isEqualTo(victim);
            assertThat(d.kind()).isEqualTo(DroppedRange.Kind.DAMAGED_SEGMENT);
            assertThat(d.offset()).isEqualTo(cut);
            assertThat(d.length()).isEqualTo(sealed - cut);
        });
        assertThat(repair.rewritten()).contains(victim);
        assertThat(repair.bytesDropped()).isGreaterThanOrEqualTo(sealed - cut);
        assertThat(FerrumDB.verify(dir, options(encrypted)).damage()).as("verify after repair").isEmpty();
        assertThat(keysGone(dir, encrypted)).as("the two records after the cut, and no other").isEqualTo(2);
    }

    /**
     * The newest segment, sealed by a clean close, its hint (and the image) gone and a byte of its last record
     * flipped: it was complete, so the bad record is damage, not a torn write of a crash. Before, open took it for
     * the torn tail of the segment being written and cut the acknowledged record off without an error.
     */
    @Test
    void aSegmentTheManifestRecordsAsSealedNeverEndsInATornTail() throws IOException {
        Path dir = root.resolve("db");
        try (FerrumDB db = FerrumDB.open(dir, options(false))) {
            for (int i = 0; i < KEYS; i++) {
                db.put(b(key(i)), b("value-" + i + "-" + "x".repeat(60 + i % 30)));
            }
        }
        List<Path> segs = SegmentLayout.segments(dir);
        Path newest = segs.get(segs.size() - 1).toAbsolutePath().normalize();
        List<Long> offsets = recordOffsets(newest, false);
        long last = offsets.get(offsets.size() - 1);
        Files.delete(SegmentLayout.hintOf(newest));
        Files.delete(dir.resolve("KEYDIR"));
        SegmentLayout.flipBit(newest, Files.size(newest) - 2, 3);

        assertThatThrownBy(() -> FerrumDB.open(dir, options(false)).close()).isInstanceOf(CorruptionException.class)
                .hasMessageContaining(newest.getFileName().toString())
                .hasMessageContaining("the MANIFEST records it as sealed")
                .satisfies(e -> assertThat(((CorruptionException) e).offset()).isEqualTo(last));
        assertThat(FerrumDB.verify(dir, options(false)).damage()).extracting(DroppedRange::file, DroppedRange::kind)
                .contains(org.assertj.core.groups.Tuple.tuple(newest, DroppedRange.Kind.DAMAGED_RECORD));
    }

    /** Another file put in a sealed segment's place, with an intact header and the same length, is refused. */
    @Test
    void aSealedSegmentReplacedByAnotherFileOfItsLengthIsRefused() throws IOException {
        Path dir = crashedDatabase(true);
        Path victim = SegmentLayout.segments(dir).get(1).toAbsolutePath().normalize();
        byte[] bytes = Files.readAllBytes(victim);
        // Another salt (as a segment of this number written by another copy of the database would have).
        bytes[40] ^= 1;
        Bytes.putI32(bytes, 60, Bytes.crc32c(bytes, 0, 60));
        Files.write(victim, bytes);
        assertThatThrownBy(() -> FerrumDB.open(dir, options(true)).close()).isInstanceOf(CorruptionException.class)
                .hasMessageContaining(victim.getFileName().toString())
                .hasMessageContaining("is not the one the MANIFEST recorded");
    }
}
