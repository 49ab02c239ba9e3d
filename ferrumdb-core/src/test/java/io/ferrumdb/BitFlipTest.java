package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.ferrumdb.SegmentLayout.Rec;
import io.ferrumdb.internal.directory.FileNames;
import io.ferrumdb.internal.format.Bytes;
import io.ferrumdb.internal.format.SegmentHeader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One flipped bit anywhere in a cleanly closed database. In a record: CorruptionException naming the file and the
 * record's offset (at open when the segment is scanned, at get or iterate when hints let open skip the data),
 * never wrong data. In a hint file: the hint is rebuilt from its segment and reported. In a segment header:
 * CorruptionException. A genuinely newer format version: FormatVersionException. Each case opens read-only, so
 * the bit is flipped in place and flipped back. CI samples a few bytes per record; -Dferrumdb.soak=true flips
 * every bit.
 */
class BitFlipTest {
    private static final boolean SOAK = Boolean.getBoolean("ferrumdb.soak");
    private static final Options READ_ONLY = Options.builder().readOnly(true).build();

    @TempDir
    Path dir;

    private List<Rec> records;
    private TreeMap<String, String> model;

    @BeforeEach
    void writeDatabase() {
        Random r = new Random(3);
        // No background compaction: the records the checks below flip stay where SegmentLayout found them.
        try (FerrumDB db = FerrumDB.open(dir, Options.builder().segmentSize(4096).autoCompaction(false).build())) {
            for (int i = 0; i < 100; i++) {
                byte[] key = {(byte) (i % 70), (byte) 0xFF, 0};
                if (i % 11 == 10) {
                    db.delete(key);
                } else if (i % 13 == 12) {
                    db.write(new WriteBatch().put(key, History.value(r, 60)).put(new byte[] {(byte) i}, new byte[0]));
                } else {
                    db.put(key, History.value(r, 250));
                }
            }
            db.write(new WriteBatch().put(new byte[] {1, (byte) 0xFF, 0}, new byte[] {1, 2})
                    .put(new byte[] {(byte) 200}, new byte[] {3}));
            model = History.dump(db);
        }
        records = SegmentLayout.records(dir);
        assertThat(SegmentLayout.segments(dir)).hasSizeGreaterThan(3);
    }

    @Test
    void flipInARecordWithHintsFailsTheReadOfThatRecordOnly() {
        for (long[] flip : recordFlips(new Random(11))) {
            Rec hit = records.get((int) flip[0]);
            withFlip(hit.file(), flip[1], (int) flip[2], () -> checkWithHints(hit, flip[1]));
        }
    }

    @Test
    void flipInARecordWithoutHintsFailsTheOpen() throws IOException {
        for (Path seg : SegmentLayout.segments(dir)) {
            Files.delete(SegmentLayout.hintOf(seg));
        }
        for (long[] flip : recordFlips(new Random(12))) {
            Rec hit = records.get((int) flip[0]);
            withFlip(hit.file(), flip[1], (int) flip[2], () -> checkWithoutHints(hit, flip[1]));
        }
    }

    @Test
    void flipInAHintFileRebuildsItFromTheSegment() throws IOException {
        // An open from the key directory image reads no hint (FORMAT.md, "KEYDIR"): these opens load the hints.
        Files.delete(dir.resolve(FileNames.KEYDIR));
        Random r = new Random(13);
        List<Path> segments = SegmentLayout.segments(dir);
        for (Path seg : SOAK ? segments : List.of(segments.get(1), segments.get(segments.size() - 1))) {
            Path hint = SegmentLayout.hintOf(seg).toAbsolutePath().normalize();
            long size = Files.size(hint);
            for (long pos = 0; pos < size; pos++) {
                if (!SOAK && r.nextInt(pos < 48 ? 3 : 24) != 0) {
                    continue;
                }
                String what = "bit flip in " + hint.getFileName() + " at " + pos;
                withFlip(hint, pos, r.nextInt(8), () -> {
                    try (FerrumDB db = FerrumDB.open(dir, READ_ONLY)) {
                        assertThat(db.recoveryReport()).as(what).extracting(DroppedRange::file).contains(hint);
                        assertThat(History.dump(db)).as(what).isEqualTo(model);
                    }
                });
            }
        }
    }

    @Test
    void flipInASegmentHeaderIsCorruption() {
        Random r = new Random(14);
        List<Path> segments = SegmentLayout.segments(dir);
        // CI: the oldest segment and the newest (the last one the writer sealed); soak: all.
        for (Path seg : SOAK ? segments : List.of(segments.get(0), segments.get(segments.size() - 1))) {
            Path file = seg.toAbsolutePath().normalize();
            for (int pos = 0; pos < SegmentHeader.SIZE; pos++) {
                for (int bit = 0; bit < 8; bit++) {
                    if (!SOAK && bit != r.nextInt(8)) {
                        continue;
                    }
                    String what = "bit " + bit + " of header byte " + pos + " of " + seg.getFileName();
                    withFlip(file, pos, bit, () -> {
                        Throwable t = catchThrowable(() -> FerrumDB.open(dir, READ_ONLY).close());
                        assertThat(t).as(what).isInstanceOf(CorruptionException.class);
                        assertThat(((CorruptionException) t).file()).as(what).isEqualTo(file);
                    });
                }
            }
        }
    }

    @Test
    void newerFormatVersionIsRefusedAsSuch() throws IOException {
        Path seg = SegmentLayout.segments(dir).get(1).toAbsolutePath().normalize();
        byte[] original = Files.readAllBytes(seg);
        byte[] header = original.clone();
        Bytes.putU16(header, 8, 3);
        Bytes.putI32(header, 60, Bytes.crc32c(header, 0, 60));
        Files.write(seg, header);
        assertThatThrownBy(() -> FerrumDB.open(dir, READ_ONLY)).isInstanceOf(FormatVersionException.class)
                .hasMessageContaining(seg.toString())
                .satisfies(e -> assertThat(((FormatVersionException) e).foundVersion()).isEqualTo(3));
        Files.write(seg, original);

        Path meta = dir.resolve(FileNames.META);
        byte[] m = Files.readAllBytes(meta);
        Bytes.putU16(m, 8, 7);
        Bytes.putI32(m, 40, Bytes.crc32c(m, 0, 40));
        Files.write(meta, m);
        assertThatThrownBy(() -> FerrumDB.open(dir)).isInstanceOf(FormatVersionException.class)
                .hasMessageContaining(FileNames.META)
                .satisfies(e -> assertThat(((FormatVersionException) e).foundVersion()).isEqualTo(7));
    }

    /**
     * Salvage drops a damaged single-record unit and nothing else, and reports it. Damage inside a multi-record
     * batch is not covered: the format does not mark a batch's first record, so after a damaged record salvage
     * cannot tell whether the records up to the next COMMIT finish its batch or start a new unit, and today it
     * loads them (half a batch). Reported to the lead as a format limitation.
     */
    @Test
    void salvageSkipsExactlyTheDamagedRecordAndReportsIt() {
        Options salvage = Options.builder().readOnly(true).salvage(true).build();
        Random r = new Random(15);
        for (Rec hit : records) {
            boolean lastOfFile = records.stream().noneMatch(x -> x.file().equals(hit.file()) && x.offset() > hit.offset());
            boolean singleRecordUnit = records.stream()
                    .filter(x -> x.file().equals(hit.file()) && x.unitStart() == hit.unitStart()).count() == 1;
            if (lastOfFile || !singleRecordUnit || (!SOAK && r.nextInt(6) != 0)) {
                continue;
            }
            long unitEnd = records.stream().filter(x -> x.file().equals(hit.file()) && x.unitStart() == hit.unitStart())
                    .mapToLong(x -> x.offset() + x.size()).max().orElseThrow();
            long pos = hit.offset() + r.nextInt(hit.size());
            String what = "salvage after a bit flip at " + hit.file().getFileName() + ":" + pos;
            withFlip(hit.file(), pos, r.nextInt(8), () -> {
                try (FerrumDB db = FerrumDB.open(dir, salvage)) {
                    assertThat(db.recoveryReport()).as(what).anySatisfy(d -> {
                        assertThat(d.file()).isEqualTo(hit.file());
                        assertThat(d.offset()).isEqualTo(hit.unitStart());
                        assertThat(d.offset() + d.length()).isGreaterThanOrEqualTo(hit.offset() + hit.size());
                    });
                    // The damaged record is gone, nothing else.
                    assertThat(History.dump(db)).as(what + " (unit " + hit.unitStart() + "-" + unitEnd + ")")
                            .isEqualTo(SegmentLayout.replay(records, hit.file(), hit.unitStart()));
                }
            });
        }
    }

    /** {record index, absolute file offset, bit} triples: every bit under soak, else a few bytes per record. */
    private List<long[]> recordFlips(Random r) {
        List<long[]> flips = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            Rec rec = records.get(i);
            for (int off = 0; off < rec.size(); off++) {
                boolean header = off < 28;
                if (!SOAK && r.nextInt(header ? 20 : Math.max(1, rec.size() - 28)) != 0) {
                    continue;
                }
                for (int bit = 0; bit < 8; bit++) {
                    if (SOAK || bit == (off * 5 + i) % 8) {
                        flips.add(new long[] {i, rec.offset() + off, bit});
                    }
                }
            }
        }
        return flips;
    }

    private void checkWithHints(Rec hit, long pos) {
        String what = "bit flip at " + hit.file().getFileName() + ":" + pos + " in the record at " + hit.offset();
        boolean live = SegmentLayout.isLive(records, hit);
        try (FerrumDB db = FerrumDB.open(dir, READ_ONLY)) {
            for (String hex : model.keySet()) {
                byte[] key = History.HEX.parseHex(hex);
                if (live && Arrays.equals(key, hit.key())) {
                    assertCorruption(catchThrowable(() -> db.get(key)), hit, what + ": get");
                } else {
                    byte[] value = db.get(key);
                    assertThat(value == null ? null : History.HEX.formatHex(value)).as(what).isEqualTo(model.get(hex));
                }
            }
            if (live) {
                assertCorruption(catchThrowable(() -> History.dump(db)), hit, what + ": iterate");
            } else {
                assertThat(History.dump(db)).as(what + " (a record no key reads)").isEqualTo(model);
            }
        }
    }

    private void checkWithoutHints(Rec hit, long pos) {
        String what = "bit flip at " + hit.file().getFileName() + ":" + pos + " in the record at " + hit.offset()
                + ", no hints";
        // Damage in the last record of the newest segment too: the clean close sealed that segment, and the MANIFEST
        // records it as sealed, so it was complete and is never read as a write torn by a crash (which dropped the
        // record without an error before session 22; TornTailTest has the segment a crash leaves being written).
        assertCorruption(catchThrowable(() -> FerrumDB.open(dir, READ_ONLY).close()), hit, what + ": open");
    }

    private static void assertCorruption(Throwable t, Rec hit, String what) {
        assertThat(t).as(what).isInstanceOf(CorruptionException.class);
        CorruptionException c = (CorruptionException) t;
        assertThat(c.file()).as(what + ": " + c.getMessage()).isEqualTo(hit.file());
        assertThat(c.offset()).as(what + ": " + c.getMessage()).isIn(hit.offset(), hit.unitStart());
    }

    private static void withFlip(Path file, long pos, int bit, Runnable check) {
        SegmentLayout.flipBit(file, pos, bit);
        try {
            check.run();
        } finally {
            SegmentLayout.flipBit(file, pos, bit);
        }
    }
}
