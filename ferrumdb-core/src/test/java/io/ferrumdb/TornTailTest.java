package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.SegmentLayout.Rec;
import io.ferrumdb.internal.format.Bytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A crash mid-write leaves the newest segment ending in a partial record. The source database ends with an atomic
 * batch of three records; the newest segment is cut at every byte offset inside that batch, or random bytes are
 * appended after it. Open must succeed, report exactly the dropped range, keep everything before it, and accept
 * writes that survive the next reopen.
 */
class TornTailTest {
    private static final boolean SOAK = Boolean.getBoolean("ferrumdb.soak");
    private static final byte[] NEW_KEY = {0x7F, 0x7F};

    @TempDir
    Path tmp;

    private Path source;
    private Path newest;
    private long unitStart;
    private long end;
    private TreeMap<String, String> beforeBatch;
    private TreeMap<String, String> complete;

    @BeforeEach
    void writeSource() {
        source = tmp.resolve("source");
        Random r = new Random(42);
        try (FerrumDB db = FerrumDB.open(source, Options.builder().segmentSize(4096).build())) {
            for (int i = 0; i < 120; i++) {
                db.put(new byte[] {(byte) i, (byte) 0xFF}, History.value(r, 90));
            }
            db.delete(new byte[] {5, (byte) 0xFF});
            beforeBatch = History.dump(db);
            db.write(new WriteBatch().put(new byte[] {1, (byte) 0xFF}, new byte[] {9, 9, 9})
                    .put(new byte[] {0}, new byte[] {1}).delete(new byte[] {2, (byte) 0xFF}));
            complete = History.dump(db);
        }
        // The tests cut the newest segment as a crash while it was written would: a crash leaves no key directory
        // image describing that segment (a clean close writes one, and it would name the cut as damage).
        try {
            Files.deleteIfExists(source.resolve("KEYDIR"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        List<Rec> recs = SegmentLayout.records(source);
        Rec last = recs.get(recs.size() - 1);
        newest = last.file();
        unitStart = last.unitStart();
        end = last.offset() + last.size();
        assertThat(SegmentLayout.segments(source)).as("the source spans several segments").hasSizeGreaterThan(2);
        assertThat(recs.stream().filter(x -> x.unitStart() == unitStart && x.file().equals(newest))).hasSize(3);
    }

    @Test
    void tornAtEveryByteOfTheLastAtomicUnit() throws IOException {
        for (long length = unitStart; length < end; length++) {
            Path copy = tmp.resolve("cut-" + length);
            SegmentLayout.copyDir(source, copy);
            Path seg = copy.resolve(newest.getFileName()).toAbsolutePath().normalize();
            boolean keepHint = length % 2 == 1;
            if (!keepHint) {
                // A crash leaves the active segment without a hint and without a seal in the MANIFEST.
                SegmentLayout.asBeingWritten(seg);
            }
            try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
                ch.truncate(length);
            }
            if (keepHint) {
                // A hint is written only after its segment was fsynced whole, so a sealed segment that lost its
                // end was damaged at rest: that is corruption, never a torn write to truncate silently.
                long cut = length;
                assertThatThrownBy(() -> FerrumDB.open(copy, fastOptions()).close()).as("cut at " + cut)
                        .isInstanceOfSatisfying(CorruptionException.class, e -> assertThat(e.file()).isEqualTo(seg));
                continue;
            }
            List<DroppedRange> expected = length == unitStart ? List.of()
                    : List.of(new DroppedRange(seg, unitStart, length - unitStart, DroppedRange.Kind.TORN_TAIL, "ignored"));
            // Appending after the truncation and reopening is the same code path at every offset: CI samples it.
            boolean writeAndReopen = SOAK || length == unitStart || length == end - 1 || length % 5 == 0;
            reopenAndCheck(copy, beforeBatch, expected, "cut at " + length, writeAndReopen);
        }
    }

    @Test
    void readOnlyOpenOfATornDatabaseHidesTheTailAndWritesNothing() throws IOException {
        for (long length = unitStart + 1; length < end; length += 13) {
            Path copy = tmp.resolve("ro-" + length);
            SegmentLayout.copyDir(source, copy);
            Path seg = copy.resolve(newest.getFileName()).toAbsolutePath().normalize();
            SegmentLayout.asBeingWritten(seg);
            try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
                ch.truncate(length);
            }
            java.util.Map<Path, byte[]> before = contents(copy);
            try (FerrumDB db = FerrumDB.open(copy, Options.builder().readOnly(true).build())) {
                assertThat(db.recoveryReport()).as("cut at %d", length).singleElement()
                        .satisfies(d -> assertThat(d.offset()).isEqualTo(unitStart));
                assertThat(History.dump(db)).as("cut at %d", length).isEqualTo(beforeBatch);
            }
            java.util.Map<Path, byte[]> after = contents(copy);
            assertThat(after.keySet()).as("files after a read-only open").isEqualTo(before.keySet());
            before.forEach((p, b) -> assertThat(after.get(p)).as("%s after a read-only open", p).isEqualTo(b));
        }
    }

    private static java.util.Map<Path, byte[]> contents(Path dir) throws IOException {
        java.util.Map<Path, byte[]> out = new java.util.TreeMap<>();
        try (java.util.stream.Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                out.put(p.getFileName(), Files.readAllBytes(p));
            }
        }
        return out;
    }

    @Test
    void randomBytesAppendedAfterTheLastRecord() throws IOException {
        Random r = new Random(7);
        for (int i = 0; i < (SOAK ? 400 : 16); i++) {
            Path copy = tmp.resolve("garbage-" + i);
            SegmentLayout.copyDir(source, copy);
            Path seg = copy.resolve(newest.getFileName()).toAbsolutePath().normalize();
            SegmentLayout.asBeingWritten(seg);
            byte[] garbage = new byte[1 + r.nextInt(i % 2 == 0 ? 40 : 3000)];
            if (i % 4 != 0) {
                r.nextBytes(garbage);
            }
            // Zeros after the last record of a version-2 segment are the writer's zero tail (FORMAT.md, "Zero tail"):
            // not reported. In a version-1 segment (the header rewritten as an older release wrote it) they are a torn
            // tail as they always were.
            boolean versionOne = i % 8 == 0;
            if (versionOne) {
                byte[] header = new byte[64];
                try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                    ch.read(ByteBuffer.wrap(header), 0);
                    Bytes.putU16(header, 8, 1);
                    Bytes.putI32(header, 60, Bytes.crc32c(header, 0, 60));
                    ch.write(ByteBuffer.wrap(header), 0);
                }
            }
            Files.write(seg, garbage, StandardOpenOption.APPEND);
            boolean zeroTail = i % 4 == 0 && !versionOne;
            reopenAndCheck(copy, complete, zeroTail ? List.of()
                            : List.of(new DroppedRange(seg, end, garbage.length, DroppedRange.Kind.TORN_TAIL, "ignored")),
                    "garbage of " + garbage.length + " bytes (" + (i % 4 != 0 ? "random" : versionOne
                            ? "zeros, version-1 segment" : "zeros") + ")", true);
            assertThat(Files.size(seg)).as("the zeros or garbage are cut at open").isEqualTo(end);
        }
    }

    private static void reopenAndCheck(Path dir, TreeMap<String, String> expectedData, List<DroppedRange> dropped,
                                       String what, boolean writeAndReopen) {
        try (FerrumDB db = FerrumDB.open(dir, fastOptions())) {
            assertThat(db.recoveryReport()).as(what).hasSize(dropped.size());
            for (int i = 0; i < dropped.size(); i++) {
                DroppedRange got = db.recoveryReport().get(i);
                assertThat(got.file()).as(what).isEqualTo(dropped.get(i).file());
                assertThat(got.offset()).as(what).isEqualTo(dropped.get(i).offset());
                assertThat(got.length()).as(what).isEqualTo(dropped.get(i).length());
                assertThat(got.kind()).as(what).isEqualTo(DroppedRange.Kind.TORN_TAIL);
            }
            assertThat(History.dump(db)).as(what).isEqualTo(expectedData);
            if (!writeAndReopen) {
                return;
            }
            db.put(NEW_KEY, new byte[] {42});
        }
        try (FerrumDB db = FerrumDB.open(dir, fastOptions())) {
            TreeMap<String, String> expected = new TreeMap<>(expectedData);
            expected.put(History.HEX.formatHex(NEW_KEY), "2a");
            assertThat(db.recoveryReport()).as(what + ", second reopen").isEmpty();
            assertThat(History.dump(db)).as(what + ", second reopen").isEqualTo(expected);
        }
    }

    /** The real file layer minus real fsyncs (see {@link FaultFileIO}): fsync latency is not what is tested here. */
    private static Options fastOptions() {
        return Options.builder().segmentSize(4096).fileIO(new FaultFileIO(0).session()).build();
    }
}
