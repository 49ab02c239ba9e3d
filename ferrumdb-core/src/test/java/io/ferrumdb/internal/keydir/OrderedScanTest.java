package io.ferrumdb.internal.keydir;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Scans over the sorted pending keys that scans keep between them ({@link OrderedIndex#UNSORTED_MAX}): whether a
 * scan reuses the sorted run as it is, walks a few unsorted additions beside it, folds many into it, or finds it
 * outdated by a merge, it reports exactly the live keys of its range, in order, each with its current location
 * (the one probe per key that checked liveness).
 */
class OrderedScanTest {
    @Test
    void scansBetweenAdditionsRemovalsAndMergesMatchAModel() {
        KeyDir dir = new KeyDir(true, 0);
        dir.buildOrderedIndex();
        Random random = new Random(42);
        NavigableMap<String, Location> model = new TreeMap<>();
        long sequence = 0;
        for (int op = 0; op < 20_000; op++) {
            int i = random.nextInt(6_000);
            int action = random.nextInt(100);
            if (action < 70) {
                Location loc = new Location(1 + random.nextInt(3), 64 + op, 40, 0);
                dir.put(key(i), loc);
                model.put(name(i), loc);
            } else if (action < 85) {
                dir.remove(key(i));
                model.remove(name(i));
            } else if (action < 86) {
                dir.applyQueuedOrderedChanges(); // a merge starts a new generation of pending keys
            }
            // Scans after 0, 1, a few and many (past UNSORTED_MAX) additions since the previous one.
            int gap = op < 5_000 ? 1 : op < 10_000 ? 7 : op < 15_000 ? 1 + OrderedIndex.UNSORTED_MAX : 400;
            if (op % gap == 0) {
                checkScan(dir, model, random);
            }
        }
        for (int n = 0; n < 50; n++) {
            checkScan(dir, model, random);
        }
    }

    @Test
    void aKeyRemovedAndAddedAgainBetweenScansIsReportedOnceWithItsNewLocation() {
        KeyDir dir = new KeyDir(true, 0);
        dir.buildOrderedIndex();
        for (int i = 0; i < 3 * OrderedIndex.UNSORTED_MAX; i++) {
            dir.put(key(i), new Location(1, i, 40, 0));
        }
        assertThat(walk(dir, null, null, false)).hasSize(3 * OrderedIndex.UNSORTED_MAX); // folds into the sorted run
        dir.remove(key(5));
        Location again = new Location(2, 7, 40, 0);
        dir.put(key(5), again); // a second reference, in the unsorted tail
        Map<String, Location> seen = walk(dir, null, null, false);
        assertThat(seen).hasSize(3 * OrderedIndex.UNSORTED_MAX);
        assertThat(seen.get(name(5))).isEqualTo(again);
        assertThat(walk(dir, null, null, true).keySet()).containsExactlyElementsOf(
                new TreeMap<>(seen).descendingMap().keySet());
    }

    @Test
    void everyReferenceIsTouchedOnceAheadOfItsProbe() {
        KeyArena arena = new KeyArena(KeyArena.DENSE_LIMIT);
        // Two runs, interleaved in key order, each longer than one batch of touches; one key in both.
        int[] even = new int[100];
        int[] odd = new int[100];
        for (int i = 0; i < 100; i++) {
            even[i] = arena.pack(arena.append(key(2 * i).bytes()));
            // key 100 in both runs, 101 in neither
            odd[i] = arena.pack(arena.append(key(i == 50 ? 100 : 2 * i + 1).bytes()));
        }
        for (boolean descending : new boolean[] {false, true}) {
            Map<Long, Integer> touches = new HashMap<>();
            List<Long> probedUntouched = new ArrayList<>();
            OrderedScan.Probe probe = new OrderedScan.Probe() {
                @Override
                public Location locationOf(long ref) {
                    if (!touches.containsKey(ref)) {
                        probedUntouched.add(ref);
                    }
                    return new Location(1, ref, 40, 0);
                }

                @Override
                public long touch(long ref) {
                    touches.merge(ref, 1, Integer::sum);
                    return ref;
                }
            };
            OrderedScan scan = new OrderedScan(arena, probe, new int[][] {even, odd}, key(10).bytes(), null,
                    descending);
            int n = 0;
            while (scan.next()) {
                n++;
            }
            assertThat(n).as("keys 10 to 199 but 101, key 100 once").isEqualTo(189);
            assertThat(probedUntouched).isEmpty();
            assertThat(touches.values()).containsOnly(1);
            assertThat(touches).as("both references of key 100").hasSize(190);
        }
    }

    private static void checkScan(KeyDir dir, NavigableMap<String, Location> model, Random random) {
        String from = random.nextInt(4) == 0 ? null : name(random.nextInt(6_000));
        String to = random.nextInt(4) == 0 ? null : name(random.nextInt(6_000));
        boolean descending = random.nextBoolean();
        NavigableMap<String, Location> expected = model;
        if (from != null && to != null && from.compareTo(to) > 0) {
            String t = from;
            from = to;
            to = t;
        }
        if (from != null) {
            expected = expected.tailMap(from, true);
        }
        if (to != null) {
            expected = expected.headMap(to, false);
        }
        if (descending) {
            expected = expected.descendingMap();
        }
        Map<String, Location> actual = walk(dir, from, to, descending);
        assertThat(new ArrayList<>(actual.keySet())).containsExactlyElementsOf(expected.keySet());
        assertThat(actual).containsExactlyEntriesOf(expected);
    }

    /** The scan's keys and locations in the order reported (a repeated key would fail the caller's size check). */
    private static Map<String, Location> walk(KeyDir dir, String from, String to, boolean descending) {
        OrderedScan scan = dir.orderedScan(bytesOrNull(from), bytesOrNull(to), descending);
        Map<String, Location> out = new java.util.LinkedHashMap<>();
        List<String> order = new ArrayList<>();
        while (scan.next()) {
            String k = new String(scan.key().bytes(), StandardCharsets.UTF_8);
            order.add(k);
            out.put(k, scan.location());
        }
        assertThat(order).as("each key once").doesNotHaveDuplicates();
        return out;
    }

    private static byte[] bytesOrNull(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    private static String name(int i) {
        return String.format("key-%06d", i);
    }

    private static Key key(int i) {
        return new Key(name(i).getBytes(StandardCharsets.UTF_8));
    }
}
