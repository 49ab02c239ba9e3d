package io.ferrumdb.internal.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The segment set's lookup table by id alone: every member found, every other id (between, around, and sharing
 * the members' low bits) absent, against a sorted map as the reference.
 */
class SegmentsByIdTest {
    private static Segment segment(int id) {
        return new Segment(id, Path.of(id + ".seg"), null, null, null, 0);
    }

    @ParameterizedTest(name = "{0} segments")
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 7, 8, 9, 31, 64, 1000})
    void findsEveryMemberAndNothingElse(int count) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        for (int round = 0; round < 20; round++) {
            Map<Integer, Segment> reference = new TreeMap<>();
            // Contiguous runs with gaps (compaction outputs beside old segments), and ids far apart whose low bits
            // collide in any table that small.
            int id = 1 + rnd.nextInt(5);
            while (reference.size() < count) {
                reference.put(id, segment(id));
                id += rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(round % 2 == 0 ? 3 : 4096) : 1;
            }
            SegmentsById table = SegmentsById.of(new ArrayList<>(reference.values()));
            for (Segment s : reference.values()) {
                assertThat(table.get(s.id())).as("segment %d of %s", s.id(), reference.keySet()).isSameAs(s);
            }
            for (int probe = 0; probe < 5000 + id; probe += 1 + probe / 64) {
                if (!reference.containsKey(probe)) {
                    assertThat(table.get(probe)).as("absent id %d of %s", probe, reference.keySet()).isNull();
                }
            }
            for (int step : new int[] {1, 2, 4, 8, 1 << 12, 1 << 20, 1 << 23}) {
                for (int member : reference.keySet()) {
                    int other = member + step;
                    assertThat(table.get(other)).isSameAs(reference.get(other));
                }
            }
        }
    }

    @Test
    void aFullRunOfCollidingIdsEndsAtAFreeSlot() {
        List<Segment> colliding = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            colliding.add(segment(1 + 8 * i)); // 1, 9, 17, 25: one home slot in a table of 8
        }
        SegmentsById table = SegmentsById.of(colliding);
        for (Segment s : colliding) {
            assertThat(table.get(s.id())).isSameAs(s);
        }
        assertThat(table.get(33)).isNull();
        assertThat(table.get(2)).isNull();
    }

    @Test
    void anIdTwiceIsRefusedNamingIt() {
        assertThatThrownBy(() -> SegmentsById.of(List.of(segment(5), segment(6), segment(5))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("segment id 5 appears twice");
    }
}
