package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.internal.format.SegmentHeader;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Open, verify and repair apply one rule to the end of a segment (FORMAT.md, "Which records are trusted, and torn
 * tails"): only a writer segment without a hint, after which no writer segment holds a byte, may end in a torn
 * write, a zero tail or (before anything was listed) a torn header. Each case here is one where open and
 * verify/repair used to decide differently: open accepted damage as a torn tail (dropping a durable record without
 * an error) or verify reported a crash's normal leftovers as damage.
 */
class TailRuleTest {
    @TempDir
    Path root;
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Options options() {
        return Options.builder().segmentSize(4096).autoCompaction(false).build();
    }

    @BeforeEach
    void fill() {
        dir = root.resolve("db");
        try (FerrumDB db = FerrumDB.open(dir, options())) {
            for (int i = 0; i < 200; i++) {
                db.put(b("key-" + i), b("value-" + i + "-" + "x".repeat(60 + i % 30)));
            }
        }
        assertThat(SegmentLayout.segments(dir)).hasSizeGreaterThanOrEqualTo(4);
    }

    private static void truncate(Path file, long length) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(length);
        }
    }

    /**
     * The newest segment holds only a torn record, the one before it ends in a damaged record, neither has a hint.
     * The writer fsyncs a segment's end before it writes a byte of the next, so the damaged record was durable (and
     * may have been acknowledged): damage, not a torn tail. Open used to truncate it as a torn tail (only a later
     * segment with a whole record counted), while verify reported it as damage.
     */
    @Test
    void aDamagedEndBeforeASegmentHoldingOnlyATornRecordIsDamageForOpenVerifyAndRepair() throws IOException {
        List<Path> segs = SegmentLayout.segments(dir);
        Path newest = segs.get(segs.size() - 1);
        Path before = segs.get(segs.size() - 2);
        SegmentLayout.asBeingWritten(newest);
        Files.delete(SegmentLayout.hintOf(before));
        // As a crash leaves it: the image of the last clean close describes sealed segments only.
        Files.delete(dir.resolve("KEYDIR"));
        List<SegmentLayout.Rec> records = SegmentLayout.records(dir);
        SegmentLayout.Rec last = records.stream().filter(r -> r.file().equals(before.toAbsolutePath().normalize()))
                .reduce((x, y) -> y).orElseThrow();
        SegmentLayout.Rec firstOfNewest = records.stream()
                .filter(r -> r.file().equals(newest.toAbsolutePath().normalize())).findFirst().orElseThrow();
        truncate(newest, firstOfNewest.offset() + firstOfNewest.size() / 2);
        SegmentLayout.flipBit(before, last.offset() + last.size() - 1, 3);

        assertThatThrownBy(() -> FerrumDB.open(dir, options()).close()).isInstanceOf(CorruptionException.class)
                .hasMessageContaining(before.getFileName().toString())
                .hasMessageContaining("offset " + last.offset())
                .hasMessageContaining("ferrumdb repair");
        assertThatThrownBy(() -> FerrumDB.open(dir, options().toBuilder().readOnly(true).build()).close())
                .isInstanceOf(CorruptionException.class);
        VerifyReport v = FerrumDB.verify(dir, options());
        assertThat(v.ok()).isFalse();
        assertThat(v.damage()).extracting(DroppedRange::file, DroppedRange::offset)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(before.toAbsolutePath().normalize(),
                        last.offset()));
        assertThat(v.problems()).filteredOn(p -> p.kind() == DroppedRange.Kind.TORN_TAIL)
                .extracting(DroppedRange::file).containsExactly(newest.toAbsolutePath().normalize());

        RepairReport repair = FerrumDB.repair(dir, options());
        assertThat(repair.rewritten()).containsExactly(before.toAbsolutePath().normalize());
        assertThat(FerrumDB.verify(dir, options()).damage()).isEmpty();
        TreeMap<String, String> expected = SegmentLayout.replay(records, null, -1);
        expected.remove(History.HEX.formatHex(last.key()));
        expected.remove(History.HEX.formatHex(firstOfNewest.key()));
        records.stream().filter(r -> r.file().equals(newest.toAbsolutePath().normalize()))
                .forEach(r -> expected.remove(History.HEX.formatHex(r.key())));
        try (FerrumDB db = FerrumDB.open(dir, options())) {
            assertThat(History.dump(db)).isEqualTo(expected);
        }
    }

    /**
     * A listed segment cut to nothing (or into its header) with its hint gone: the header of a listed segment is
     * fsynced before it is listed, so this is damage, not a segment torn while it was created. Open used to delete
     * such a file wherever it lay (its records silently lost, older values of its keys back) while verify reported
     * it as damage.
     */
    @Test
    void aListedSegmentCutIntoItsHeaderIsDamageNotATornCreation() throws IOException {
        for (long length : new long[] {0, SegmentHeader.SIZE / 2}) {
            Path copy = root.resolve("cut-" + length);
            SegmentLayout.copyDir(dir, copy);
            List<Path> segs = SegmentLayout.segments(copy);
            for (Path cut : List.of(segs.get(1), segs.get(segs.size() - 1))) {
                Path db = root.resolve("cut-" + length + "-" + cut.getFileName());
                SegmentLayout.copyDir(copy, db);
                Path victim = db.resolve(cut.getFileName());
                Files.delete(SegmentLayout.hintOf(victim));
                truncate(victim, length);
                assertThatThrownBy(() -> FerrumDB.open(db, options()).close()).as("%s at %d", cut, length)
                        .isInstanceOf(CorruptionException.class)
                        .hasMessageContaining(victim.getFileName().toString());
                VerifyReport v = FerrumDB.verify(db, options());
                assertThat(v.damage()).isNotEmpty().extracting(DroppedRange::file)
                        .containsOnly(victim.toAbsolutePath().normalize());
                assertThat(Files.exists(victim)).as("nothing deleted").isTrue();
            }
        }
    }

    /**
     * A database of format 1 (no MANIFEST) whose newest segment was torn while it was created: open deletes it and
     * reports it; verify used to report it as a damaged segment (exit code 3) though nothing was lost.
     */
    @Test
    void aSegmentTornWhileCreatedInAFormatOneDatabaseIsATornTailForVerifyAsForOpen() throws Exception {
        Path golden = Path.of(TailRuleTest.class.getResource("/golden/v1/META").toURI()).getParent();
        Path v1 = root.resolve("v1");
        SegmentLayout.copyDir(golden, v1);
        List<Path> segs = SegmentLayout.segments(v1);
        Path newest = segs.get(segs.size() - 1);
        int id = Integer.parseInt(newest.getFileName().toString().replace(".seg", "")) + 1;
        Path torn = v1.resolve(String.format("%010d.seg", id));
        Files.write(torn, Arrays.copyOf(Files.readAllBytes(newest), 20));

        VerifyReport v = FerrumDB.verify(v1, Options.defaults());
        assertThat(v.ok()).as("%s", v.problems()).isTrue();
        assertThat(v.problems()).extracting(DroppedRange::kind, DroppedRange::file)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(DroppedRange.Kind.TORN_TAIL,
                        torn.toAbsolutePath().normalize()));
        try (FerrumDB db = FerrumDB.open(v1, Options.builder().readOnly(true).build())) {
            assertThat(db.recoveryReport()).extracting(DroppedRange::kind)
                    .containsExactly(DroppedRange.Kind.TORN_TAIL);
            assertThat(History.dump(db)).isEqualTo(GoldenDatabase.expected());
        }
        RepairReport repair = FerrumDB.repair(v1, Options.defaults());
        assertThat(repair.rewritten()).isEmpty();
        assertThat(FerrumDB.verify(v1, Options.defaults()).problems()).isEmpty();
        try (FerrumDB db = FerrumDB.open(v1, Options.builder().autoCompaction(false).build())) {
            assertThat(db.recoveryReport()).isEmpty();
            assertThat(History.dump(db)).isEqualTo(GoldenDatabase.expected());
        }
    }

    /**
     * A sealed segment cut exactly between two records with its hint deleted reads as a shorter complete segment;
     * the key directory image written at the last clean close still records its length, and sealed segments never
     * shrink: open and verify name the cut (file, offset), repair reports it. Before, open and verify found nothing,
     * and the records after the cut were lost without a word.
     */
    @Test
    void aSealedSegmentCutBetweenRecordsWithoutItsHintIsFoundByTheImage() throws IOException {
        assertThat(dir.resolve("KEYDIR")).as("a clean close of a plaintext database writes the image").exists();
        List<Path> segs = SegmentLayout.segments(dir);
        Path victim = segs.get(1).toAbsolutePath().normalize();
        List<SegmentLayout.Rec> in = SegmentLayout.records(dir).stream().filter(r -> r.file().equals(victim))
                .toList();
        long cut = in.get(in.size() - 2).offset();
        Files.delete(SegmentLayout.hintOf(victim));
        truncate(victim, cut);

        assertThatThrownBy(() -> FerrumDB.open(dir, options().toBuilder().readOnly(true).build()).close())
                .isInstanceOf(CorruptionException.class).hasMessageContaining(victim.getFileName().toString())
                .hasMessageContaining("offset " + cut).hasMessageContaining("cut short");
        assertThatThrownBy(() -> FerrumDB.open(dir, options()).close()).isInstanceOf(CorruptionException.class)
                .hasMessageContaining("ferrumdb repair");
        assertThat(dir.resolve("KEYDIR")).as("kept, so that every open finds the cut").exists();
        VerifyReport v = FerrumDB.verify(dir, options());
        assertThat(v.damage()).extracting(DroppedRange::file, DroppedRange::offset)
                .contains(org.assertj.core.groups.Tuple.tuple(victim, cut));
        RepairReport repair = FerrumDB.repair(dir, options());
        assertThat(repair.problems()).extracting(DroppedRange::file).contains(victim);
        assertThat(FerrumDB.verify(dir, options()).damage()).isEmpty();
        try (FerrumDB db = FerrumDB.open(dir, options())) {
            assertThat(db.get(in.get(0).key())).isNotNull();
            assertThat(db.get(in.get(in.size() - 1).key())).as("lost with the cut").isNull();
        }
    }
}
