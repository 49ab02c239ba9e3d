package io.ferrumdb.internal.keydir;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The ordered index's merges (the skipped sort of a batch already in order, the galloping merge) against a sorted
 * map of the live keys: batches above a level, in clusters inside it, interleaved with it, and keys removed and
 * added again (a dead and a live reference to equal key bytes, dropped by a filtering merge).
 */
class OrderedIndexMergeTest {
    /**
     * A dense limit of 64 KiB: the first few thousand keys pack as their positions, the rest are padded and packed
     * as a production arena packs keys past 2 GiB ({@link KeyArena#pack}), so both kinds meet in every level.
     */
    private final KeyArena arena = new KeyArena(1 << 16);
    private final Set<Long> dead = new HashSet<>();
    private final OrderedIndex index = new OrderedIndex(arena, ref -> !dead.contains(ref), new Object());
    private final TreeMap<String, Long> live = new TreeMap<>();

    /** "k" and nine decimal digits, so that key order is number order (built by hand: String.format is slow). */
    private static String key(int i) {
        char[] c = {'k', '0', '0', '0', '0', '0', '0', '0', '0', '0'};
        for (int p = c.length - 1, v = i; p >= 1; p--, v /= 10) {
            c[p] = (char) ('0' + v % 10);
        }
        return new String(c);
    }

    private void add(int i) {
        String k = key(i);
        long ref = arena.append(k.getBytes(StandardCharsets.US_ASCII));
        Long old = live.put(k, ref);
        if (old != null) {
            dead.add(old);
        }
        index.added(ref);
    }

    private void remove(int i) {
        Long old = live.remove(key(i));
        if (old != null) {
            dead.add(old);
            index.removed();
        }
    }

    private void assertScanMatches() {
        OrderedScan scan = index.scan(null, null, false,
                ref -> dead.contains(ref) ? null : new Location(1, ref, 20, 0));
        List<String> seen = new ArrayList<>();
        for (Iterator<Key> it = scan.keys(); it.hasNext(); ) {
            seen.add(new String(it.next().bytes(), StandardCharsets.US_ASCII));
        }
        assertThat(seen).containsExactlyElementsOf(live.keySet());
    }

    @Test
    void keysAddedInOrderReachEveryLevelInOrder() {
        // 70,000 keys in batches of 1,000, merged as the acknowledger does: mid reaches base (past MID_MIN) twice.
        for (int batch = 0; batch < 70; batch++) {
            for (int i = batch * 1_000; i < (batch + 1) * 1_000; i++) {
                add(i);
            }
            index.merge(false);
            if (batch % 17 == 0) {
                assertScanMatches();
            }
        }
        index.merge(true);
        assertScanMatches();
    }

    @Test
    void clustersInsideALevelAndKeysAboveAndBelowIt() {
        SplittableRandom rnd = new SplittableRandom(18);
        List<Integer> evens = new ArrayList<>();
        for (int i = 2_000; i < 100_000; i += 2) {
            evens.add(i);
        }
        java.util.Collections.shuffle(evens, new java.util.Random(18));
        evens.forEach(this::add);
        index.merge(true);
        assertScanMatches();
        // Clusters of odd keys (long runs of the level between them), keys below and above every key, a few
        // scattered ones: 17,500 in all, over MID_MIN, so that mid is merged into base too.
        for (int start : new int[] {20_001, 50_001, 80_001}) {
            for (int i = start; i < start + 8_000; i += 2) {
                add(i);
            }
        }
        for (int i = 1; i < 2_000; i++) {
            add(i);
        }
        for (int i = 100_000; i < 103_000; i++) {
            add(i);
        }
        for (int n = 0; n < 500; n++) {
            add(2 * rnd.nextInt(1_000, 50_000) + 1);
        }
        assertThat(index.pendingCount()).isGreaterThan(OrderedIndex.MID_MIN);
        index.merge(true);
        assertScanMatches();
    }

    @Test
    void removedKeysAddedAgainKeepOneLiveReferenceAcrossFilteringMerges() {
        for (int i = 0; i < 40_000; i++) {
            add(i);
        }
        index.merge(true);
        // Over an eighth of the level removed, so the next merges filter; half of them added again under new
        // references equal in bytes to the dead ones still in the level.
        for (int i = 0; i < 40_000; i += 3) {
            remove(i);
        }
        for (int i = 0; i < 40_000; i += 6) {
            add(i);
        }
        for (int i = 40_000; i < 60_000; i++) {
            add(i);
        }
        assertScanMatches();
        index.merge(true);
        assertScanMatches();
        for (int i = 1; i < 40_000; i += 3) {
            add(i); // added again without a removal: the earlier reference dead, a new one live
        }
        index.merge(true);
        assertScanMatches();
    }
}
