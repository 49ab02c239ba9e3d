package io.ferrumdb.internal.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.internal.format.CipherSuite;
import io.ferrumdb.internal.format.HintFile;
import io.ferrumdb.internal.format.RecordFormat;
import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.keydir.Location;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The segment set alone: ids, membership kept in step with the MANIFEST and the files, and live-byte bookkeeping
 * (table-driven: a sequence of key-directory changes and the live bytes each segment must show afterwards).
 */
class SegmentSetTest {
    @TempDir
    Path dir;

    private final FileIO io = FileIO.nio();
    private SegmentFiles files;
    private SegmentManifest manifest;
    private SegmentSet set;

    @BeforeEach
    void setUp() throws Exception {
        files = new SegmentFiles(io, dir, new byte[16], CipherSuite.PLAINTEXT);
        manifest = new SegmentManifest(files, List.of());
        SegmentManifest.write(files, new java.util.TreeSet<>());
        set = new SegmentSet(files, manifest);
    }

    @AfterEach
    void tearDown() throws Exception {
        set.closeAll();
    }

    @Test
    void activeSegmentsGetIncreasingIdsAboveEveryReservedOneAndAreListedBeforeTheyAreSeen() throws Exception {
        set.reserveThrough(6); // recovery saw segment 6 (perhaps deleted since): its id is never used again
        set.reserveThrough(3);
        Segment a = set.createActive();
        Segment b = set.createActive();
        assertThat(a.id()).isEqualTo(7);
        assertThat(b.id()).isEqualTo(8);
        assertThat(set.allocateId()).isEqualTo(9);
        assertThat(set.nextId()).isEqualTo(10);
        assertThat(set.ids()).containsExactly(7, 8);
        assertThat(SegmentManifest.read(files).keySet()).containsExactly(7, 8);
        assertThat(files.dataPath(7)).exists();
        assertThat(set.get(7)).isSameAs(a);
        assertThat(set.firstId()).isEqualTo(7);
    }

    @Test
    void aRecoveredSegmentRaisesTheNextIdToo() throws Exception {
        Segment s = files.create(12);
        set.addRecovered(s);
        assertThat(set.get(12)).isSameAs(s);
        assertThat(set.createActive().id()).isEqualTo(13);
    }

    @Test
    void recoveredSegmentsAreFoundWhileRecoveringAndThroughOneTableAfter() throws Exception {
        // Recovery adds segments without rebuilding the lookup table each time: lookups that miss it fall back
        // to the membership map until endRecovery (or any other change) rebuilds it.
        List<Segment> recovered = new java.util.ArrayList<>();
        for (int id : new int[] {3, 4, 9, 20}) {
            Segment s = files.create(id);
            set.addRecovered(s);
            recovered.add(s);
            for (Segment r : recovered) {
                assertThat(set.get(r.id())).isSameAs(r);
            }
        }
        set.addLive(new Location(9, 100, 40, 0));
        assertThat(set.get(9).liveBytes()).isEqualTo(40);
        set.endRecovery();
        for (Segment r : recovered) {
            assertThat(set.get(r.id())).isSameAs(r);
            assertThat(set.of(new Location(r.id(), 0, 1, 0))).isSameAs(r);
        }
        assertThat(set.get(5)).isNull();
        Segment late = files.create(30);
        set.addRecovered(late);
        assertThat(set.get(30)).as("added after the end of recovery: found through the fallback").isSameAs(late);
        Segment active = set.createActive();
        assertThat(set.get(active.id())).isSameAs(active);
        assertThat(set.get(30)).isSameAs(late);
        assertThat(set.get(31)).isSameAs(active);
    }

    @Test
    void emptySetHasNoFirstId() {
        assertThat(set.firstId()).isEqualTo(-1);
        assertThat(set.sealedExcept(-1)).isEmpty();
    }

    @Test
    void sealedSegmentsExcludeTheActiveOneAndOnesNotYetSealed() throws Exception {
        Segment a = set.createActive();
        Segment b = set.createActive();
        Segment c = set.createActive();
        set.seal(a, new HintFile.Builder());
        set.seal(c, new HintFile.Builder());
        assertThat(set.sealedExcept(c.id())).containsExactly(a);
        assertThat(set.sealedExcept(-1)).containsExactly(a, c);
        assertThat(files.hintPath(a.id())).exists();
        assertThat(files.hintPath(b.id())).doesNotExist();
    }

    @Test
    void discardUnlistsClosesAndDeletesEvenASegmentNotInTheSet() throws Exception {
        Segment a = set.createActive();
        Segment b = set.createActive();
        set.discard(a.id());
        assertThat(set.ids()).containsExactly(b.id());
        assertThat(SegmentManifest.read(files).keySet()).containsExactly(b.id());
        assertThat(files.dataPath(a.id())).doesNotExist();
        Segment orphan = files.create(40); // recovery: a torn header, never added to the set
        orphan.close();
        manifest.add(40);
        set.discard(40);
        assertThat(files.dataPath(40)).doesNotExist();
        assertThat(SegmentManifest.read(files).keySet()).containsExactly(b.id());
    }

    @Test
    void compactionOutputsArePublishedSealedAndInputsRemoved() throws Exception {
        Segment input = set.createActive();
        set.seal(input, new HintFile.Builder());
        SegmentOutput out = new SegmentOutput(files, set.allocateId(), 1 << 20);
        Location moved = out.append(RecordFormat.TYPE_PUT, bytes("k"), bytes("v"), 5, 0);
        out.finishUnderTemporaryName();
        io.rename(out.tmpPath(), files.dataPath(out.segment().id()));
        List<Segment> published = set.publish(List.of(out));
        assertThat(published).hasSize(1);
        Segment p = published.get(0);
        assertThat(p.isSealed()).isTrue();
        assertThat(p.minSequence()).isEqualTo(5);
        assertThat(set.get(moved.segmentId())).isSameAs(p);
        assertThat(SegmentManifest.read(files).keySet()).containsExactly(input.id(), p.id());
        set.remove(List.of(input));
        assertThat(set.ids()).containsExactly(p.id());
        assertThat(SegmentManifest.read(files).keySet()).containsExactly(p.id());
        assertThat(files.dataPath(input.id())).doesNotExist();
        assertThat(files.hintPath(input.id())).doesNotExist();
    }

    // ---------------------------------------------------------------- live bytes, table-driven

    /** One key-directory change mirrored in the set. */
    private sealed interface Change {
    }

    private record Add(int segment, int size) implements Change {
    }

    private record Release(int segment, int size) implements Change {
    }

    private record Move(int from, int to, int size) implements Change {
    }

    static Stream<Arguments> liveByteCases() {
        return Stream.of(
                Arguments.of("put", List.of(new Add(1, 40)), Map.of(1, 40L, 2, 0L)),
                Arguments.of("overwrite in the same segment", List.of(new Add(1, 40), new Add(1, 30),
                        new Release(1, 40)), Map.of(1, 30L, 2, 0L)),
                Arguments.of("overwrite in a later segment", List.of(new Add(1, 40), new Add(2, 30),
                        new Release(1, 40)), Map.of(1, 0L, 2, 30L)),
                Arguments.of("delete", List.of(new Add(2, 25), new Release(2, 25)), Map.of(1, 0L, 2, 0L)),
                Arguments.of("relocation", List.of(new Add(1, 40), new Move(1, 2, 40)), Map.of(1, 0L, 2, 40L)),
                Arguments.of("release of a retired segment is ignored", List.of(new Add(2, 10),
                        new Release(99, 40)), Map.of(1, 0L, 2, 10L)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("liveByteCases")
    void liveBytesFollowTheKeyDirectory(String name, List<Change> changes, Map<Integer, Long> expected)
            throws Exception {
        set.createActive();
        set.createActive();
        for (Change c : changes) {
            if (c instanceof Add a) {
                set.addLive(loc(a.segment(), a.size()));
            } else if (c instanceof Release r) {
                set.release(loc(r.segment(), r.size()));
            } else if (c instanceof Move m) {
                set.moveLive(loc(m.from(), m.size()), loc(m.to(), m.size()));
            }
        }
        expected.forEach((id, live) -> assertThat(set.get(id).liveBytes()).as("segment " + id).isEqualTo(live));
        set.release(null); // a put of a new key replaced nothing
        expected.forEach((id, live) -> assertThat(set.get(id).liveBytes()).isEqualTo(live));
    }

    @Test
    void anEntryPointingIntoAMissingSegmentIsABugNamedAsSuch() {
        assertThatThrownBy(() -> set.addLive(loc(77, 10)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("segment 77");
    }

    private static Location loc(int segment, int size) {
        return new Location(segment, 64, size, 0);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
