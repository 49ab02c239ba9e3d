package io.ferrumdb.internal.keydir;

import static io.ferrumdb.internal.keydir.TestKeys.key;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Compaction's probe by record: true exactly while the key's entry names that record (segment and offset), through
 * puts of other keys, growth of the table, an overwrite and a removal; the probe's slot then takes the switch.
 */
class CompactionViewTest {
    private static final byte[] K = "k".getBytes(StandardCharsets.UTF_8);

    private static Location loc(int segment, long offset) {
        return new Location(segment, offset, 30, 0);
    }

    private static long hash(byte[] key) {
        return CompactionView.hash(key, 0, key.length);
    }

    @Test
    void pointsAtOnlyTheRecordTheKeyNames() {
        KeyDir dir = new KeyDir(false, 16);
        CompactionView view = new CompactionView(dir);
        SlotProbe probe = new SlotProbe();
        assertThat(view.pointsAt(hash(K), 1, 10, probe)).isFalse();

        dir.put(new Key(K), loc(1, 10));
        assertThat(view.pointsAt(hash(K), 1, 10, probe)).isTrue();
        assertThat(probe.location()).isEqualTo(loc(1, 10));
        assertThat(view.pointsAt(hash(K), 1, 11, probe)).isFalse();
        assertThat(view.pointsAt(hash(K), 2, 10, probe)).isFalse();
        // Another key's hash does not find the record, even at the same location (no slot of its probe names it).
        byte[] other = "other".getBytes(StandardCharsets.UTF_8);
        assertThat(view.pointsAt(hash(other), 1, 10, probe)).isFalse();

        dir.put(new Key(K), loc(3, 0));
        assertThat(view.pointsAt(hash(K), 1, 10, probe)).isFalse();
        assertThat(view.pointsAt(hash(K), 3, 0, probe)).isTrue();
        dir.remove(new Key(K));
        assertThat(view.pointsAt(hash(K), 3, 0, probe)).isFalse();
    }

    @Test
    void theProbesSlotTakesTheSwitchAndARacingWriteWins() {
        KeyDir dir = new KeyDir(false, 16);
        CompactionView view = new CompactionView(dir);
        dir.put(new Key(K), loc(1, 10));
        SlotProbe probe = new SlotProbe();
        assertThat(view.pointsAt(hash(K), 1, 10, probe)).isTrue();
        // The table grows several times after the probe: its slot is stale, the switch finds the key again.
        for (int i = 0; i < 5_000; i++) {
            dir.put(new Key(("filler-" + i).getBytes(StandardCharsets.UTF_8)), loc(2, i));
        }
        assertThat(view.pointsAt(hash(K), 1, 10, new SlotProbe())).isTrue();
        assertThat(view.relocate(probe.header(), probe.slot(), 1, 10, loc(9, 0))).isTrue();
        assertThat(dir.get(new Key(K))).isEqualTo(loc(9, 0));
        // A switch from a record the key no longer names is refused.
        assertThat(view.relocate(probe.header(), probe.slot(), 1, 10, loc(9, 40))).isFalse();
        assertThat(dir.get(new Key(K))).isEqualTo(loc(9, 0));
    }

    @Test
    void aSwitchToACopyOfAnotherSizeOrExpiryWritesTheWholeEntry() {
        KeyDir dir = new KeyDir(false, 16);
        CompactionView view = new CompactionView(dir);
        dir.put(new Key(K), loc(1, 10));
        SlotProbe probe = new SlotProbe();
        // Same size and expiry: only the location word changes.
        assertThat(view.pointsAt(hash(K), 1, 10, probe)).isTrue();
        assertThat(view.relocate(probe.header(), probe.slot(), 1, 10, loc(2, 0))).isTrue();
        assertThat(dir.get(new Key(K))).isEqualTo(loc(2, 0));
        // A copy sealed under another cipher has another size; the expiry is compared too.
        assertThat(view.pointsAt(hash(K), 2, 0, probe)).isTrue();
        assertThat(view.relocate(probe.header(), probe.slot(), 2, 0, new Location(3, 0, 58, 0))).isTrue();
        assertThat(dir.get(new Key(K))).isEqualTo(new Location(3, 0, 58, 0));
        assertThat(view.pointsAt(hash(K), 3, 0, probe)).isTrue();
        assertThat(view.relocate(probe.header(), probe.slot(), 3, 0, new Location(4, 0, 58, 9_000))).isTrue();
        assertThat(dir.get(new Key(K))).isEqualTo(new Location(4, 0, 58, 9_000));
    }

    /**
     * Switches that keep the size (the location word alone) and switches that change it (the whole slot under its
     * seqlock), in turns, while a reader checks that every entry it reads is one the directory held: a location
     * never appears beside another location's size.
     */
    @Test
    void readersNeverSeeALocationBesideAnotherCopysSize() throws Exception {
        KeyDir dir = new KeyDir(false, 16);
        CompactionView view = new CompactionView(dir);
        dir.put(new Key(K), entry(1));
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<Location> torn = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            while (!done.get() && torn.get() == null) {
                Location seen = dir.get(new Key(K));
                if (!seen.equals(entry(seen.segmentId()))) {
                    torn.set(seen);
                }
            }
        });
        reader.start();
        SlotProbe probe = new SlotProbe();
        try {
            for (int s = 1; s < 200_000 && torn.get() == null; s++) {
                Location from = entry(s);
                assertThat(view.pointsAt(hash(K), from.segmentId(), from.offset(), probe)).isTrue();
                assertThat(view.relocate(probe.header(), probe.slot(), from.segmentId(), from.offset(), entry(s + 1)))
                        .isTrue();
            }
        } finally {
            done.set(true);
            reader.join();
        }
        assertThat(torn.get()).as("an entry no switch wrote").isNull();
    }

    /** The copy in segment {@code s}: its size changes every third segment, its expiry every fifth. */
    private static Location entry(int s) {
        return new Location(s, 100L * s, 30 + 8 * (s / 3), s / 5 % 2 == 0 ? 0 : 1_000L * (s / 5));
    }

    @Test
    void relocateIsCompareAndSetByValue() {
        KeyDir dir = new KeyDir(false, 0);
        CompactionView view = new CompactionView(dir);
        dir.put(key("k"), loc(1, 10));
        assertThat(view.relocate(key("k"), loc(1, 11), loc(9, 0))).isFalse();
        assertThat(view.relocate(key("absent"), loc(1, 10), loc(9, 0))).isFalse();
        // An equal but distinct Location object matches: the directory stores values, not objects.
        assertThat(view.relocate(key("k"), new Location(1, 10, 30, 0), loc(9, 0))).isTrue();
        assertThat(dir.get(key("k"))).isEqualTo(loc(9, 0));
        dir.put(key("k"), loc(2, 0));
        assertThat(view.relocate(key("k"), loc(9, 0), loc(10, 0))).isFalse();
        assertThat(dir.get(key("k"))).isEqualTo(loc(2, 0));
    }


    @Test
    void relocateBySlotIsCompareAndSetOnTheRecordsSegmentAndOffset() {
        KeyDir dir = new KeyDir(false, 0);
        CompactionView view = new CompactionView(dir);
        dir.put(key("k"), loc(1, 10));
        SlotProbe p = new SlotProbe();
        dir.probe("k".getBytes(StandardCharsets.UTF_8), 0, 1, p);

        assertThat(view.relocate(p.header(), p.slot(), 1, 11, loc(9, 0))).isFalse();
        assertThat(view.relocate(p.header(), p.slot(), 2, 10, loc(9, 0))).isFalse();
        assertThat(view.relocate(p.header(), p.slot(), 1, 10, loc(9, 0))).isTrue();
        assertThat(dir.get(key("k"))).isEqualTo(loc(9, 0));
        // A put after the probe wins.
        dir.put(key("k"), loc(2, 0));
        assertThat(view.relocate(p.header(), p.slot(), 9, 0, loc(10, 0))).isFalse();
        assertThat(dir.get(key("k"))).isEqualTo(loc(2, 0));
    }


    @Test
    void relocateBySlotRefusesAKeyRemovedAndPutBackAtTheSameLocation() {
        KeyDir dir = new KeyDir(false, 0);
        dir.put(key("k"), loc(1, 10));
        SlotProbe p = new SlotProbe();
        dir.probe("k".getBytes(StandardCharsets.UTF_8), 0, 1, p);
        dir.remove(key("k"));
        dir.put(key("k"), loc(1, 10));

        assertThat(new CompactionView(dir).relocate(p.header(), p.slot(), 1, 10, loc(9, 0))).isFalse();
        assertThat(dir.get(key("k"))).isEqualTo(loc(1, 10));
    }


    @Test
    void relocateBySlotFindsTheKeyAgainAfterTheTableGrew() {
        KeyDir dir = new KeyDir(false, 16);
        dir.put(key(0), loc(1, 10));
        SlotProbe p = new SlotProbe();
        dir.probe(key(0).bytes(), 0, key(0).bytes().length, p);
        long before = dir.offHeapBytes();
        for (int i = 1; i < 5_000; i++) {
            dir.put(key(i), loc(2, i));
        }
        assertThat(dir.offHeapBytes()).isGreaterThan(before);

        assertThat(new CompactionView(dir).relocate(p.header(), p.slot(), 1, 10, loc(9, 0))).isTrue();
        assertThat(dir.get(key(0))).isEqualTo(loc(9, 0));
        for (int i = 1; i < 5_000; i += 97) {
            assertThat(dir.get(key(i))).isEqualTo(loc(2, i));
        }
    }
}
