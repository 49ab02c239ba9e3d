package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.internal.directory.FileNames;
import io.ferrumdb.internal.format.CompactionJournal;
import io.ferrumdb.internal.keydir.Key;
import io.ferrumdb.internal.log.Segment;
import io.ferrumdb.internal.log.SegmentManifest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Open and recovery as one part: {@link Recovery#open} on databases left in the states a crash or damage leaves,
 * table-driven (each scenario damages a closed database; the table says what recovery must report, which keys it
 * must load and what it must have repaired on disk).
 */
class RecoveryTest {
    private static final int KEYS = 60;

    @TempDir
    Path tmp;

    private Path dir;

    private static Options options(boolean readOnly) {
        return Options.builder().segmentSize(4096).fsyncPolicy(FsyncPolicy.never()).autoCompaction(false)
                .readOnly(readOnly).build();
    }

    /** Writes KEYS keys of 300 bytes (several segments), then closes: every segment sealed, with its hint. */
    private void populate() {
        dir = tmp.resolve("db").toAbsolutePath().normalize();
        try (FerrumDB db = FerrumDB.open(dir, options(false))) {
            for (int i = 0; i < KEYS; i++) {
                db.put(key(i), new byte[300]);
            }
        }
    }

    @Test
    void aCleanDatabaseLoadsFromItsHintsAndOpenWritesNoFile() throws Exception {
        populate();
        Map<String, byte[]> before = snapshot();
        Recovery.Opened opened = Recovery.open(dir, options(false));
        try {
            assertThat(opened.report()).isEmpty();
            assertThat(opened.keyDir().size()).isEqualTo(KEYS);
            assertThat(opened.maxSequence()).isEqualTo(KEYS);
            assertThat(opened.segments().all()).hasSizeGreaterThan(3).allMatch(Segment::isSealed);
            long live = opened.segments().all().stream().mapToLong(Segment::liveBytes).sum();
            assertThat(live).isEqualTo(sumOfRecordSizes(opened));
            assertThat(opened.segments().nextId()).isGreaterThan(opened.segments().ids().last());
        } finally {
            close(opened);
        }
        Map<String, byte[]> after = snapshot();
        assertThat(after).containsOnlyKeys(before.keySet());
        before.forEach((name, bytes) -> assertThat(after.get(name)).as(name).isEqualTo(bytes));
    }

    /** A state a crash or damage leaves in a closed database, and what recovery must make of it. */
    enum Scenario {
        /** The newest segment was never sealed: no hint. Scanned, and its hint written. */
        NEWEST_WITHOUT_HINT(List.of(), KEYS),
        /** ... and a write was torn: the tail is cut off (fsynced) and reported. */
        TORN_TAIL(List.of(DroppedRange.Kind.TORN_TAIL), KEYS),
        /** A hint file is damaged: never trusted, rebuilt from its segment. */
        DAMAGED_HINT(List.of(DroppedRange.Kind.DAMAGED_HINT), KEYS),
        /** A crash right after the active segment was created: it holds no record and is deleted. */
        EMPTY_ACTIVE_SEGMENT(List.of(), KEYS),
        /**
         * A crash after a segment file was created and before the MANIFEST listed it: it holds nothing acknowledged,
         * is deleted, and its id is not used again.
         */
        UNPUBLISHED_SEGMENT(List.of(), KEYS),
        /** A compaction crashed while deleting its inputs: the journal's segments are deleted (here: the first). */
        INTERRUPTED_COMPACTION(List.of(), -1);

        final List<DroppedRange.Kind> reported;
        /** Keys loaded afterwards; -1: fewer than KEYS (the journal's segment held some). */
        final int keys;

        Scenario(List<DroppedRange.Kind> reported, int keys) {
            this.reported = reported;
            this.keys = keys;
        }
    }

    @ParameterizedTest
    @EnumSource(Scenario.class)
    void recoveryRepairsWhatACrashLeavesAndReportsIt(Scenario scenario) throws Exception {
        populate();
        List<Path> segments = SegmentLayout.segments(dir);
        Path newest = segments.get(segments.size() - 1);
        long newestLength = Files.size(newest);
        int extraId = -1;
        switch (scenario) {
            case NEWEST_WITHOUT_HINT -> Files.delete(SegmentLayout.hintOf(newest));
            case TORN_TAIL -> {
                SegmentLayout.asBeingWritten(newest);
                Files.write(newest, new byte[] {1, 2, 3, 4, 5, 6, 7}, StandardOpenOption.APPEND);
            }
            case DAMAGED_HINT -> {
                SegmentLayout.flipBit(SegmentLayout.hintOf(segments.get(1)), 40, 3);
                // An open from the clean close's key directory image reads no hint (FORMAT.md, "KEYDIR"): the
                // damage is met by an open without one, as here, by verify, or by compaction.
                Files.delete(dir.resolve(io.ferrumdb.internal.directory.FileNames.KEYDIR));
            }
            case EMPTY_ACTIVE_SEGMENT -> extraId = createListedEmptySegment();
            case UNPUBLISHED_SEGMENT -> extraId = createUnlistedEmptySegment();
            case INTERRUPTED_COMPACTION -> writeJournal(List.of(1));
            default -> throw new AssertionError(scenario);
        }
        Recovery.Opened opened = Recovery.open(dir, options(false));
        try {
            assertThat(opened.report()).extracting(DroppedRange::kind).containsExactlyElementsOf(scenario.reported);
            if (scenario.keys >= 0) {
                assertThat(opened.keyDir().size()).isEqualTo(scenario.keys);
                for (int i = 0; i < KEYS; i++) {
                    assertThat(opened.keyDir().get(new Key(key(i)))).as("key %d", i).isNotNull();
                }
            } else {
                assertThat(opened.keyDir().size()).isBetween(1, KEYS - 1);
            }
            assertThat(SegmentManifest.read(opened.files()).keySet()).isEqualTo(opened.segments().ids());
            for (Segment s : opened.segments().all()) {
                assertThat(opened.files().hintPath(s.id())).as("hint of %s", s).exists();
            }
            switch (scenario) {
                case TORN_TAIL -> assertThat(Files.size(newest)).isEqualTo(newestLength);
                case EMPTY_ACTIVE_SEGMENT, UNPUBLISHED_SEGMENT -> {
                    assertThat(opened.files().dataPath(extraId)).doesNotExist();
                    assertThat(opened.segments().nextId()).as("a deleted segment's id is not used again")
                            .isGreaterThan(extraId);
                }
                case INTERRUPTED_COMPACTION -> {
                    assertThat(dir.resolve(FileNames.COMPACTION)).doesNotExist();
                    assertThat(opened.segments().get(1)).isNull();
                    assertThat(opened.files().dataPath(1)).doesNotExist();
                }
                default -> { }
            }
        } finally {
            close(opened);
        }
    }

    @Test
    void aReadOnlyOpenHidesATornTailButWritesNothing() throws Exception {
        populate();
        List<Path> segments = SegmentLayout.segments(dir);
        Path newest = segments.get(segments.size() - 1);
        SegmentLayout.asBeingWritten(newest);
        Files.write(newest, new byte[] {9, 9, 9}, StandardOpenOption.APPEND);
        Map<String, byte[]> before = snapshot();
        Recovery.Opened opened = Recovery.open(dir, options(true));
        try {
            assertThat(opened.report()).extracting(DroppedRange::kind).containsExactly(DroppedRange.Kind.TORN_TAIL);
            assertThat(opened.keyDir().size()).isEqualTo(KEYS);
        } finally {
            close(opened);
        }
        Map<String, byte[]> after = snapshot();
        assertThat(after).containsOnlyKeys(before.keySet());
        before.forEach((name, bytes) -> assertThat(after.get(name)).as(name).isEqualTo(bytes));
    }

    @Test
    void damageBeforeTheEndOfTheLogFailsTheOpenWithTheWayOutAndReleasesTheLock() throws Exception {
        populate();
        Path first = SegmentLayout.segments(dir).get(0);
        Files.delete(SegmentLayout.hintOf(first));
        SegmentLayout.Rec rec = SegmentLayout.records(dir).stream().filter(r -> r.file().equals(first)).toList().get(2);
        SegmentLayout.flipBit(first, rec.offset() + rec.size() - 1, 0);
        for (int attempt = 0; attempt < 2; attempt++) { // the second attempt finds the lock released
            assertThatThrownBy(() -> Recovery.open(dir, options(false)))
                    .isInstanceOf(CorruptionException.class)
                    .hasMessageContaining("not a torn tail")
                    .hasMessageContaining("ferrumdb repair");
        }
    }

    // ---------------------------------------------------------------- helpers

    /** As the writer does before its first append: a new segment, durable and listed, holding no record. */
    private int createListedEmptySegment() throws IOException {
        Recovery.Opened opened = Recovery.open(dir, options(false));
        try {
            return opened.segments().createActive().id();
        } finally {
            close(opened);
        }
    }

    /** A header-only segment file, ids above every segment, that the MANIFEST does not list. */
    private int createUnlistedEmptySegment() throws IOException {
        Recovery.Opened opened = Recovery.open(dir, options(false));
        try {
            int id = opened.segments().nextId() + 5;
            opened.files().create(id).close();
            return id;
        } finally {
            close(opened);
        }
    }

    private void writeJournal(List<Integer> ids) throws IOException {
        byte[] databaseId;
        Recovery.Opened opened = Recovery.open(dir, options(true));
        try {
            databaseId = opened.files().databaseId();
        } finally {
            close(opened);
        }
        Files.write(dir.resolve(FileNames.COMPACTION), CompactionJournal.encode(databaseId, ids));
    }

    private static long sumOfRecordSizes(Recovery.Opened opened) {
        long[] sum = {0};
        opened.keyDir().forEachLocation(loc -> sum[0] += loc.recordSize());
        return sum[0];
    }

    private Map<String, byte[]> snapshot() throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                out.put(p.getFileName().toString(), Files.readAllBytes(p));
            }
        }
        return out;
    }

    private static void close(Recovery.Opened opened) throws IOException {
        opened.segments().closeAll();
        opened.directory().close();
    }

    private static byte[] key(int i) {
        return String.format("key-%04d", i).getBytes(StandardCharsets.UTF_8);
    }
}
