package io.ferrumdb.internal.compaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.internal.compaction.CompactionPolicy.Plan;
import io.ferrumdb.internal.compaction.CompactionPolicy.Usage;
import io.ferrumdb.internal.format.SegmentHeader;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The policy's choices, case by case (segment size 64 MiB, per-segment threshold 0.5, bound 1.5x). */
class CompactionPolicyTest {
    private static final long MB = 1 << 20;
    private static final long SEGMENT = 64 * MB;
    private final CompactionPolicy policy = new CompactionPolicy(0.5, 1.5, SEGMENT);

    /** A segment of {@code bytes} payload of which {@code live} are live. */
    private static Usage seg(int id, long bytes, long live) {
        return new Usage(id, SegmentHeader.SIZE + bytes, live);
    }

    @Test
    void nothingToDoForALiveDatabase() {
        assertThat(policy.plan(List.of(seg(1, SEGMENT, SEGMENT), seg(2, SEGMENT, SEGMENT)), seg(3, 10 * MB, 10 * MB)))
                .isEqualTo(Plan.NOTHING);
        assertThat(policy.plan(List.of(), null)).isEqualTo(Plan.NOTHING);
        assertThat(policy.plan(List.of(), seg(1, 0, 0))).isEqualTo(Plan.NOTHING);
    }

    @Test
    void aSegmentPastThePerSegmentThresholdIsCompacted() {
        Plan p = policy.plan(List.of(seg(1, SEGMENT, SEGMENT), seg(2, SEGMENT, SEGMENT / 2),
                seg(3, SEGMENT, SEGMENT)), seg(4, MB, MB));
        assertThat(p.inputs()).containsExactly(2);
        assertThat(p.rollActive()).isFalse();
    }

    @Test
    void theWholeDatabaseBoundPicksSegmentsBelowThePerSegmentThreshold() {
        // Each segment is 40% dead: none reaches 0.5, but the database is 1.67x its live data.
        List<Usage> sealed = List.of(seg(1, SEGMENT, SEGMENT * 6 / 10), seg(2, SEGMENT, SEGMENT * 6 / 10),
                seg(3, SEGMENT, SEGMENT * 6 / 10), seg(4, SEGMENT, SEGMENT * 6 / 10));
        Plan p = policy.plan(sealed, seg(5, MB, MB));
        // Down to half the allowed dead share (1/6): 4 x 25.6 MiB dead of 256 MiB -> needs 3 segments.
        assertThat(p.inputs()).hasSize(3);
        assertThat(p.rollActive()).isFalse();
    }

    @Test
    void theActiveSegmentIsRolledWhenItsDeadBytesKeepTheDatabaseOverTheBound() {
        // Steady overwrites of a small key set: all live data sits in the active segment, which is mostly dead.
        Plan p = policy.plan(List.of(seg(1, SEGMENT, 0)), seg(2, 40 * MB, 10 * MB));
        assertThat(p.inputs()).containsExactly(1);
        assertThat(p.rollActive()).isTrue();
    }

    @Test
    void aTinyActiveSegmentIsNotRolled() {
        Plan p = policy.plan(List.of(), seg(1, 100 << 10, 60 << 10));
        assertThat(p.rollActive()).as("40 KiB dead is below the minimum worth a roll").isFalse();
        assertThat(p).isEqualTo(Plan.NOTHING);
    }

    @Test
    void smallSegmentsAreMergedFromFourOn() {
        List<Usage> three = List.of(seg(1, MB, MB), seg(2, MB, MB), seg(3, MB, MB));
        assertThat(policy.plan(three, seg(9, 0, 0))).isEqualTo(Plan.NOTHING);
        List<Usage> four = List.of(seg(1, MB, MB), seg(2, SEGMENT, SEGMENT), seg(3, MB, MB), seg(4, MB, MB),
                seg(5, MB, MB));
        assertThat(policy.plan(four, seg(9, 0, 0)).inputs()).containsExactly(1, 3, 4, 5);
    }

    @Test
    void closeMergesWhenTheSealedActiveWouldMakeFourSmallSegments() {
        List<Usage> three = List.of(seg(1, 100, 100), seg(2, 100, 100), seg(3, 100, 100));
        assertThat(policy.mergeBeforeClose(three, seg(4, 100, 100))).isTrue();
        assertThat(policy.mergeBeforeClose(three, seg(4, 0, 0))).as("an empty active is deleted, not sealed")
                .isFalse();
        assertThat(policy.mergeBeforeClose(three.subList(0, 2), seg(4, 100, 100))).isFalse();
    }

    @Test
    void pendingBytesAreTheInputsOfThePlan() {
        assertThat(policy.pendingBytes(List.of(seg(1, SEGMENT, 0), seg(2, SEGMENT, SEGMENT)), seg(3, MB, MB)))
                .isEqualTo(SegmentHeader.SIZE + SEGMENT);
        assertThat(policy.pendingBytes(List.of(seg(1, SEGMENT, SEGMENT)), seg(3, MB, MB))).isZero();
    }

    @Test
    void settingsAreChecked() {
        assertThatThrownBy(() -> new CompactionPolicy(0, 1.5, SEGMENT)).hasMessageContaining("segmentThreshold");
        assertThatThrownBy(() -> new CompactionPolicy(0.5, 0.9, SEGMENT))
                .hasMessageContaining("maxSpaceAmplification");
    }
}
