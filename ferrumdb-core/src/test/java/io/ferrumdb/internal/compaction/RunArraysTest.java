package io.ferrumdb.internal.compaction;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The arrays a compaction keeps for the next: reused ones start as a new one would where the run relies on it,
 * the sizing policy frees what a huge run left once runs are smaller, and no two users get one array.
 */
class RunArraysTest {
    @Test
    void reusedBitmapsAndCopiesStartZeroedOverWhatTheRunUses() {
        RunArrays a = new RunArrays();
        long[] bits = a.bits(100);
        long[] copies = a.copies(1000);
        Arrays.fill(bits, -1L);
        Arrays.fill(copies, 42L);

        assertThat(a.bits(60)).isSameAs(bits);
        assertThat(a.copies(700)).isSameAs(copies);
        // A stale bit would make a dead record live (copied for nothing); a stale copy would switch a key to it.
        assertThat(Arrays.copyOf(bits, 60)).containsOnly(0L);
        assertThat(Arrays.copyOf(copies, 700)).containsOnly(0L);
    }

    @Test
    void anArrayServesRunsNeedingAQuarterToAllOfItAndIsReplacedOtherwise() {
        RunArrays a = new RunArrays();
        int[] ranks = a.ranks(4000);
        assertThat(ranks.length).isEqualTo(4500); // an eighth of room for a slightly larger next run
        assertThat(a.ranks(4500)).isSameAs(ranks);
        assertThat(a.ranks(1125)).isSameAs(ranks);
        int[] smaller = a.ranks(1000);
        assertThat(smaller).isNotSameAs(ranks).hasSize(1125);
        assertThat(a.ranks(1126)).isNotSameAs(smaller).hasSize(1266);
    }

    @Test
    void theHintBuffersKeptAreExactlyThoseTheLastRunUsed() {
        RunArrays a = new RunArrays();
        byte[] big = a.hintBuffer(800_000);
        byte[] small = a.hintBuffer(100_000);
        assertThat(small).isNotSameAs(big);
        a.endRun();
        long both = a.bytes();

        // The next run takes the smallest kept buffer that serves each hint, never one twice.
        byte[] first = a.hintBuffer(90_000);
        byte[] second = a.hintBuffer(90_000);
        assertThat(first).isSameAs(small);
        assertThat(second).isNotSameAs(small).isNotSameAs(big).hasSize(101_250);
        a.endRun();
        // The big buffer served no hint of that run: it is dropped.
        assertThat(a.bytes()).isEqualTo(both - big.length + second.length);
        assertThat(a.hintBuffer(200_000)).isNotSameAs(first).isNotSameAs(second);
    }

    @Test
    void theKeeperHandsItsArraysToOneRunAtATimeAndKeepsNothingOnceClosed() {
        RunArrays.Keeper keeper = new RunArrays.Keeper();
        RunArrays first = keeper.take();
        // A run overlapping the first (none does: the maintenance lock serializes them) gets arrays of its own.
        RunArrays overlapping = keeper.take();
        assertThat(overlapping).isNotSameAs(first);
        keeper.give(first);
        assertThat(keeper.holds()).isTrue();
        assertThat(keeper.take()).isSameAs(first);
        assertThat(keeper.holds()).isFalse();
        keeper.give(first);

        keeper.close();
        assertThat(keeper.holds()).isFalse();
        RunArrays afterClose = keeper.take();
        assertThat(afterClose).isNotSameAs(first);
        keeper.give(afterClose);
        assertThat(keeper.holds()).isFalse();
    }
}
