package io.ferrumdb.internal.compaction;

import io.ferrumdb.internal.format.SegmentHeader;
import io.ferrumdb.internal.log.Segment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Decides what background compaction does next, from the size and live bytes of each segment alone (no I/O). Three
 * rules, each bounding one way space is wasted:
 * <ol>
 *   <li>a sealed segment whose dead share reaches {@code segmentThreshold} is rewritten (the per-segment rule);</li>
 *   <li>when the dead share of the whole database passes {@code 1 - 1/maxSpaceAmplification}, sealed segments are
 *   picked, most dead bytes first, until the rest would be at half that share (the margin keeps steady overwrites
 *   from triggering a run at every check); if the active segment's dead bytes alone keep the database over the
 *   bound, the active segment is rolled so that they become compactable: under steady overwrites most dead data
 *   sits in the active segment, and a per-segment rule alone leaves it there until the segment fills;</li>
 *   <li>{@link #SMALL_RUN} or more sealed segments under a quarter of the segment size (short sessions, rolled
 *   active segments) are merged into one, so that files do not accumulate.</li>
 * </ol>
 */
public final class CompactionPolicy {
    /** How many small sealed segments make a merge worthwhile. */
    public static final int SMALL_RUN = 4;
    /** Rolling the active segment for fewer dead bytes than this costs more (an fsync, a file) than it frees. */
    static final long MIN_ACTIVE_DEAD_TO_ROLL = 64 << 10;

    /** One segment as the policy sees it: file length (header included) and bytes of live records. */
    public record Usage(int id, long bytes, long liveBytes) {
        long payload() {
            return Math.max(0, bytes - SegmentHeader.SIZE);
        }

        long dead() {
            return Math.max(0, payload() - liveBytes);
        }
    }

    /**
     * What to do: compact {@code inputs} (sealed segment ids, oldest first); first roll the active segment when
     * {@code rollActive} (its dead bytes then join the inputs at the next plan).
     */
    public record Plan(List<Integer> inputs, boolean rollActive) {
        public static final Plan NOTHING = new Plan(List.of(), false);

        public boolean isEmpty() {
            return inputs.isEmpty() && !rollActive;
        }
    }

    private final double segmentThreshold;
    private final double maxDeadShare;
    private final long segmentSize;

    /**
     * @param segmentThreshold      dead share of one sealed segment that makes it worth rewriting, in (0, 1]
     * @param maxSpaceAmplification bound on disk bytes / live bytes for the whole database, at least 1
     * @param segmentSize           the configured segment size (what "small" is measured against)
     */
    public CompactionPolicy(double segmentThreshold, double maxSpaceAmplification, long segmentSize) {
        if (!(segmentThreshold > 0 && segmentThreshold <= 1)) {
            throw new IllegalArgumentException("segmentThreshold must be in (0, 1], got " + segmentThreshold);
        }
        if (!(maxSpaceAmplification >= 1)) {
            throw new IllegalArgumentException("maxSpaceAmplification must be >= 1, got " + maxSpaceAmplification);
        }
        this.segmentThreshold = segmentThreshold;
        this.maxDeadShare = 1 - 1 / maxSpaceAmplification;
        this.segmentSize = segmentSize;
    }

    /** The plan for {@code sealed} (oldest first) and the {@code active} segment (null when there is none). */
    public Plan plan(List<Usage> sealed, Usage active) {
        Set<Usage> picked = new LinkedHashSet<>();
        List<Usage> small = new ArrayList<>();
        for (Usage s : sealed) {
            if (s.payload() > 0 && (double) s.dead() / s.payload() >= segmentThreshold) {
                picked.add(s);
            } else if (isSmall(s.bytes())) {
                small.add(s);
            }
        }
        if (small.size() >= SMALL_RUN) {
            picked.addAll(small);
        }
        boolean roll = false;
        long total = active == null ? 0 : active.payload();
        long dead = active == null ? 0 : active.dead();
        for (Usage s : sealed) {
            total += s.payload();
            dead += s.dead();
        }
        if (share(dead, total) > maxDeadShare) {
            for (Usage s : picked) {
                dead -= s.dead();
                total -= s.dead();
            }
            List<Usage> byDead = new ArrayList<>(sealed);
            byDead.removeAll(picked);
            byDead.sort(Comparator.comparingLong(Usage::dead).reversed());
            for (Usage s : byDead) {
                if (s.dead() == 0 || share(dead, total) <= maxDeadShare / 2) {
                    break;
                }
                picked.add(s);
                dead -= s.dead();
                total -= s.dead();
            }
            roll = active != null && share(dead, total) > maxDeadShare
                    && active.dead() >= MIN_ACTIVE_DEAD_TO_ROLL;
        }
        List<Integer> ids = new ArrayList<>();
        for (Usage s : picked) {
            ids.add(s.id());
        }
        // Natural order, not Integer::compare: every writable open plans once (ARCHITECTURE.md, "Start-up cost").
        ids.sort(null);
        return ids.isEmpty() && !roll ? Plan.NOTHING : new Plan(List.copyOf(ids), roll);
    }

    /** The usage of each of {@code segments}, in the same order. */
    public static List<Usage> usages(List<Segment> segments) {
        List<Usage> out = new ArrayList<>(segments.size());
        for (Segment s : segments) {
            out.add(new Usage(s.id(), s.writtenLength(), s.liveBytes()));
        }
        return out;
    }

    /**
     * Pending compaction work, for operators: the bytes the plan for this state would read (its inputs, and the
     * active segment when it would be rolled).
     */
    public long pendingBytes(List<Usage> sealed, Usage active) {
        Plan plan = plan(sealed, active);
        long bytes = 0;
        for (Usage s : sealed) {
            if (plan.inputs().contains(s.id())) {
                bytes += s.bytes();
            }
        }
        if (plan.rollActive()) {
            bytes += active.bytes();
        }
        return bytes;
    }

    /** Whether a segment of {@code bytes} (file length) counts as small: under a quarter of the segment size. */
    public boolean isSmall(long bytes) {
        return bytes < segmentSize / 4;
    }

    private static double share(long dead, long total) {
        return total <= 0 ? 0 : (double) dead / total;
    }

    /**
     * Whether closing should merge small segments first: the active segment (when it holds records) is about to
     * become one more small sealed segment; one-shot sessions (a command per write) would otherwise leave a file per
     * session.
     */
    public boolean mergeBeforeClose(List<Usage> sealed, Usage active) {
        int small = active != null && active.payload() > 0 && isSmall(active.bytes()) ? 1 : 0;
        for (Usage s : sealed) {
            if (isSmall(s.bytes())) {
                small++;
            }
        }
        return small >= SMALL_RUN;
    }
}
