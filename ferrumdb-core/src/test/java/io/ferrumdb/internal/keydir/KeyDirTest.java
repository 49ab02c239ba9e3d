package io.ferrumdb.internal.keydir;

import static io.ferrumdb.internal.keydir.TestKeys.key;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class KeyDirTest {
    private static Location loc(int segment, long offset) {
        return new Location(segment, offset, 40, 0);
    }

    private static List<String> scan(KeyDir dir, String from, String to, boolean descending) {
        List<String> out = new ArrayList<>();
        Iterator<Key> it = dir.orderedScan(from == null ? null : from.getBytes(StandardCharsets.UTF_8),
                to == null ? null : to.getBytes(StandardCharsets.UTF_8), descending).keys();
        it.forEachRemaining(k -> out.add(new String(k.bytes(), StandardCharsets.UTF_8)));
        return out;
    }

    @Test
    void candidateProbeYieldsEveryEntryWithTheKeysTagInProbeOrderAndIsKeyTellsThemApart() {
        byte[][] colliding = CollidingKeys.three();
        KeyDir dir = new KeyDir(false, 0);
        dir.put(new Key(colliding[0]), loc(1, 10));
        dir.put(new Key(colliding[1]), loc(1, 20));
        SlotProbe p = new SlotProbe();
        // The second key's probe meets the first key's slot, then its own; the absent key's meets both, then ends.
        assertThat(dir.firstCandidate(colliding[1], p)).isTrue();
        assertThat(p.offset()).isEqualTo(10);
        assertThat(dir.isKey(colliding[1], p)).isFalse();
        assertThat(dir.isKey(colliding[0], p)).isTrue();
        assertThat(dir.nextCandidate(p)).isTrue();
        assertThat(p.offset()).isEqualTo(20);
        assertThat(dir.isKey(colliding[1], p)).isTrue();
        assertThat(dir.nextCandidate(p)).isFalse();
        assertThat(dir.firstCandidate(colliding[2], p)).isTrue();
        assertThat(dir.isKey(colliding[2], p)).isFalse();
        assertThat(dir.nextCandidate(p)).isTrue();
        assertThat(dir.isKey(colliding[2], p)).isFalse();
        assertThat(dir.nextCandidate(p)).isFalse();
        // find compares keys: it skips the other key's slot.
        assertThat(dir.find(colliding[1], p)).isTrue();
        assertThat(p.offset()).isEqualTo(20);
        assertThat(dir.find(colliding[2], p)).isFalse();
        // A removed key's slot is no candidate.
        dir.remove(new Key(colliding[0]));
        assertThat(dir.firstCandidate(colliding[1], p)).isTrue();
        assertThat(p.offset()).isEqualTo(20);
    }

    @Test
    void putGetOverwriteRemove() {
        KeyDir dir = new KeyDir(false, 0);
        assertThat(dir.get(key("a"))).isNull();
        assertThat(dir.put(key("a"), loc(1, 10))).isNull();
        assertThat(dir.put(key("a"), loc(2, 20))).isEqualTo(loc(1, 10));
        assertThat(dir.get(key("a"))).isEqualTo(loc(2, 20));
        assertThat(dir.size()).isEqualTo(1);
        assertThat(dir.remove(key("a"))).isEqualTo(loc(2, 20));
        assertThat(dir.remove(key("a"))).isNull();
        assertThat(dir.get(key("a"))).isNull();
        assertThat(dir.size()).isZero();
    }

    @Test
    void keysOfEveryLengthIncludingEmptyAndTwoByteLengths() {
        KeyDir dir = new KeyDir(true, 0);
        List<byte[]> keys = new ArrayList<>();
        for (int len : new int[] {0, 1, 7, 8, 9, 15, 16, 17, 127, 128, 300, 65_535}) {
            byte[] k = new byte[len];
            for (int i = 0; i < len; i++) {
                k[i] = (byte) (i * 31 + len);
            }
            keys.add(k);
            dir.put(new Key(k.clone()), loc(1, len));
        }
        for (byte[] k : keys) {
            assertThat(dir.get(new Key(k.clone()))).isEqualTo(loc(1, k.length));
        }
        List<byte[]> scanned = new ArrayList<>();
        dir.orderedScan(null, null, false).keys().forEachRemaining(k -> scanned.add(k.bytes()));
        keys.sort(java.util.Arrays::compareUnsigned);
        assertThat(scanned).containsExactlyElementsOf(keys);
    }

    @Test
    void arenaHashOfStoredKeyEqualsHashOfBytes() {
        KeyArena arena = new KeyArena();
        for (int len = 0; len < 40; len++) {
            byte[] k = new byte[len];
            for (int i = 0; i < len; i++) {
                k[i] = (byte) (0xF0 + i);
            }
            long ref = arena.append(k);
            assertThat(arena.hash(ref)).isEqualTo(KeyArena.hash(k));
            assertThat(arena.matches(ref, k)).isTrue();
            assertThat(arena.copy(ref)).isEqualTo(k);
        }
    }

    @Test
    void unsignedOrderAcrossHighBytes() {
        KeyDir dir = new KeyDir(true, 0);
        byte[][] keys = {{(byte) 0xFF}, {0x00}, {0x7F}, {(byte) 0x80}, {0x00, 0x00}, {}};
        for (int i = 0; i < keys.length; i++) {
            dir.put(new Key(keys[i]), loc(1, i));
        }
        List<byte[]> out = new ArrayList<>();
        dir.orderedScan(null, null, false).keys().forEachRemaining(k -> out.add(k.bytes()));
        assertThat(out).containsExactly(new byte[] {}, new byte[] {0x00}, new byte[] {0x00, 0x00},
                new byte[] {0x7F}, new byte[] {(byte) 0x80}, new byte[] {(byte) 0xFF});
    }

    /**
     * Memory of a directory open sized for its keys: 24-byte slots at 80% fill, the keys' bytes in whole arena
     * chunks, no expiry area until a key has a TTL (then 8 bytes a slot), and no growth while the keys arrive.
     */
    @Test
    void aDirectorySizedForItsKeysTakesTwentyFourBytesASlotAtEightyPercentFill() {
        int keys = 100_000;
        KeyDir dir = new KeyDir(false, keys);
        long slots = (long) Math.ceil(keys / 0.8) + 1;
        assertThat(dir.offHeapBytes()).isEqualTo(slots * 24);
        for (int i = 0; i < keys; i++) {
            dir.put(key(i), loc(1, i));
        }
        // 100,000 keys of 12 bytes and a length byte: 1.3 MB of arena in two 1 MiB chunks; the table did not grow.
        assertThat(dir.offHeapBytes()).isEqualTo(slots * 24 + 2L * KeyArena.CHUNK_SIZE);
        dir.put(key(0), new Location(1, 0, 40, 5_000));
        assertThat(dir.offHeapBytes()).isEqualTo(slots * 32 + 2L * KeyArena.CHUNK_SIZE);
    }

    @Test
    void findFillsTheCallersHolderFromTheKeyBytes() {
        KeyDir dir = new KeyDir(false, 0);
        SlotProbe entry = new SlotProbe();
        assertThat(dir.find(key("k").bytes(), entry)).isFalse();
        dir.put(key("k"), new Location(3, 1L << 39, 77, 5_000));
        dir.put(key("other"), loc(1, 1));
        assertThat(dir.find("k".getBytes(StandardCharsets.UTF_8), entry)).isTrue();
        assertThat(entry.location()).isEqualTo(new Location(3, 1L << 39, 77, 5_000));
        assertThat(entry.isExpired(4_999)).isFalse();
        assertThat(entry.isExpired(5_000)).isTrue();
        // The same holder, reused: overwritten by the next lookup.
        dir.put(key("k"), loc(4, 40));
        assertThat(dir.find(key("k").bytes(), entry)).isTrue();
        assertThat(entry.location()).isEqualTo(loc(4, 40));
        dir.remove(key("k"));
        assertThat(dir.find(key("k").bytes(), entry)).isFalse();
        assertThat(dir.get(key("other"))).isEqualTo(loc(1, 1));
    }

    @Test
    void headersPackTheWidestReferenceAndEveryHashWithoutClashingWithMarkers() {
        long maxRef = (1L << KeyArena.REF_BITS) - KeyArena.CHUNK_SIZE - 1;
        for (long ref : new long[] {0, 1, 12_345_678_901L, maxRef}) {
            for (long hash : new long[] {0, -1L, Long.MIN_VALUE, Long.MAX_VALUE, 0x0123_4567_89AB_CDEFL}) {
                long header = SlotTable.header(ref, hash);
                assertThat(header).isNotIn(SlotTable.NEVER_USED, SlotTable.REMOVED);
                assertThat(SlotTable.ref(header)).isEqualTo(ref);
                assertThat(header & SlotTable.TAG_MASK).isEqualTo(SlotTable.tag(hash));
            }
        }
    }

    @Test
    void homeComesFromTheHeadersHashBitsMonotoneAndInRangeAtEveryCapacity() {
        // Growth places a key by its header alone: the home slot must be a function of the tag, and monotone in it
        // (walking the old table in slot order then writes the new one nearly in order).
        for (int capacity : new int[] {1, 17, 1 << 20, SlotTable.MAX_CAPACITY}) {
            SlotTable t = capacity <= 1 << 20 ? new SlotTable(capacity) : null;
            int previous = 0;
            for (long tag = 0; tag <= SlotTable.TAG_MASK; tag += 4_099) {
                int home = homeOf(capacity, tag);
                assertThat(home).isBetween(previous, capacity - 1);
                previous = home;
                if (t != null) {
                    long hash = tag << (64 - SlotTable.TAG_BITS) | 0xFFFF_FFFFL;
                    assertThat(t.home(hash)).isEqualTo(t.homeOfTag(tag)).isEqualTo(home);
                }
            }
            assertThat(homeOf(capacity, SlotTable.TAG_MASK)).isEqualTo(capacity - 1);
        }
    }

    private static int homeOf(int capacity, long tag) {
        return SlotTable.homeOfTag(tag, capacity);
    }

    @Test
    void probeFindsAKeyInsideALargerBufferAndNotesItsSlot() {
        KeyDir dir = new KeyDir(false, 0);
        dir.put(key("key"), loc(1, 10));
        dir.put(key("ke"), loc(1, 20));
        byte[] buffer = "xxkeyyy".getBytes(StandardCharsets.UTF_8);
        SlotProbe probe = new SlotProbe();

        assertThat(dir.probe(buffer, 2, 3, probe)).isEqualTo(loc(1, 10));
        int keySlot = probe.slot();
        assertThat(dir.probe(buffer, 2, 2, probe)).isEqualTo(loc(1, 20));
        assertThat(probe.slot()).isNotEqualTo(keySlot);
        assertThat(dir.probe(buffer, 3, 3, probe)).isNull();
        assertThat(dir.probe(buffer, 2, 0, probe)).isNull();
    }

    @Test
    void packedLimitsAreCheckedWithTypedErrors() {
        KeyDir dir = new KeyDir(false, 0);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> dir.put(key("k"),
                        new Location(SlotTable.MAX_SEGMENT_ID + 1, 0, 1, 0)))
                .isInstanceOf(io.ferrumdb.FerrumException.class).hasMessageContaining("segment id");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> dir.put(key("k"),
                        new Location(1, SlotTable.MAX_OFFSET + 1, 1, 0)))
                .isInstanceOf(io.ferrumdb.FerrumException.class).hasMessageContaining("offset");
        Location extreme = new Location(SlotTable.MAX_SEGMENT_ID, SlotTable.MAX_OFFSET, Integer.MAX_VALUE,
                Long.MAX_VALUE);
        dir.put(key("k"), extreme);
        assertThat(dir.get(key("k"))).isEqualTo(extreme);
    }

    @Test
    void orderedScanSeesChangesBeforeAndAfterMerges() {
        KeyDir dir = new KeyDir(true, 0);
        dir.buildOrderedIndex();
        for (int i = 0; i < 5_000; i += 2) {
            dir.put(key(i), loc(1, i));
        }
        dir.applyQueuedOrderedChanges();
        for (int i = 1; i < 5_000; i += 2) {
            dir.put(key(i), loc(1, i));
        }
        for (int i = 0; i < 5_000; i += 3) {
            dir.remove(key(i));
        }
        dir.put(key(0), loc(2, 0)); // removed and added again: one entry, not two
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            if (i % 3 != 0 || i == 0) {
                expected.add(new String(key(i).bytes(), StandardCharsets.UTF_8));
            }
        }
        assertThat(scan(dir, null, null, false)).containsExactlyElementsOf(expected);
        dir.applyQueuedOrderedChanges();
        assertThat(scan(dir, null, null, false)).containsExactlyElementsOf(expected);
        List<String> reversed = new ArrayList<>(expected.subList(10, 20));
        java.util.Collections.reverse(reversed);
        assertThat(scan(dir, expected.get(10), expected.get(20), true)).containsExactlyElementsOf(reversed);
        assertThat(scan(dir, expected.get(10), expected.get(10), false)).isEmpty();
    }

    @Test
    void scanWaitsForTheBuildAtOpenAndSeesKeysAddedMeanwhile() throws Exception {
        KeyDir dir = new KeyDir(true, 200_000);
        for (int i = 0; i < 200_000; i += 2) {
            dir.load(key(i), loc(1, i));
        }
        dir.buildOrderedIndex();
        // Writers run while the background sort is still going: their keys must not be lost or doubled.
        for (int i = 1; i < 2_000; i += 2) {
            dir.put(key(i), loc(2, i));
            dir.applyQueuedOrderedChanges(); // the flusher must not wait for the build nor merge into it
        }
        dir.remove(key(0));
        List<String> keys = scan(dir, null, null, false);
        assertThat(keys).hasSize(100_000 - 1 + 1_000);
        assertThat(keys).isSorted().doesNotHaveDuplicates();
        assertThat(keys.get(0)).isEqualTo("key-00000001");
    }

    @Test
    void theBuildAtOpenWaitsForTheFirstScanWhileFewKeysAreAdded() {
        KeyDir dir = new KeyDir(true, 10_000);
        for (int i = 0; i < 10_000; i += 2) {
            dir.load(key(i), loc(1, i));
        }
        dir.buildOrderedIndex();
        for (int i = 1; i < 2_001; i += 2) {
            dir.put(key(i), loc(2, i));
            dir.applyQueuedOrderedChanges();
        }
        assertThat(dir.orderedBuild.isDeferred()).as("no scan yet, few keys added: nothing sorted").isTrue();
        List<String> keys = scan(dir, null, null, false);
        assertThat(dir.orderedBuild.isDeferred()).isFalse();
        assertThat(keys).hasSize(5_000 + 1_000).isSorted().doesNotHaveDuplicates();
        assertThat(keys.get(1)).isEqualTo("key-00000001");
    }

    @Test
    void writersStartTheDeferredBuildOnceTheyAddedManyKeys() throws Exception {
        KeyDir dir = new KeyDir(true, 1_000);
        for (int i = 0; i < 1_000; i++) {
            dir.load(key(i), loc(1, i));
        }
        dir.buildOrderedIndex();
        int added = OrderedBuild.START_AFTER_ADDED;
        for (int i = 0; i < added; i++) {
            dir.put(key(1_000 + i), loc(2, i));
            if (i % 1_000 == 0) {
                dir.applyQueuedOrderedChanges();
            }
        }
        dir.applyQueuedOrderedChanges();
        assertThat(dir.orderedBuild.isDeferred()).as("exactly the threshold: still deferred").isTrue();
        dir.put(key(1_000 + added), loc(2, added));
        dir.applyQueuedOrderedChanges();
        assertThat(dir.orderedBuild.isDeferred()).as("one more key starts it").isFalse();
        List<String> keys = scan(dir, null, null, false);
        assertThat(keys).hasSize(1_000 + added + 1).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void readersNeverSeeATornOrMissingEntryWhileTheTableGrowsAndSlotsChange() throws Exception {
        KeyDir dir = new KeyDir(true, 0);
        int stable = 2_000;
        for (int i = 0; i < stable; i++) {
            dir.put(key(i), new Location(1, i, 41, 0));
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<String> failure = new AtomicReference<>();
        AtomicLong reads = new AtomicLong();
        CountDownLatch started = new CountDownLatch(2);
        Runnable reader = () -> {
            started.countDown();
            long n = 0;
            while (!stop.get()) {
                int i = (int) (n++ % stable);
                Location l = dir.get(key(i));
                // Every stable key is always present, and its words belong together: the writer keeps
                // offset == (segment - 1) * 1_000_000 + i and record size == 40 + segment for its current version.
                if (l == null) {
                    failure.compareAndSet(null, "key " + i + " missing");
                } else if (l.recordSize() != 40 + l.segmentId() || l.offset() % 1_000_000 != i
                        || l.offset() / 1_000_000 != l.segmentId() - 1) {
                    failure.compareAndSet(null, "torn entry for key " + i + ": " + l);
                }
            }
            reads.addAndGet(n);
        };
        Thread r1 = new Thread(reader);
        Thread r2 = new Thread(reader);
        r1.start();
        r2.start();
        started.await();
        // Grow the table many times over (new keys), overwrite and relocate the stable keys meanwhile.
        for (int i = 0; i < 300_000; i++) {
            dir.put(key(stable + i), loc(1, i));
            int k = i % stable;
            int segment = 1 + (i / stable) % 50;
            long value = (long) (segment - 1) * 1_000_000 + k;
            Location current = dir.get(key(k));
            if (i % 2 == 0) {
                dir.put(key(k), new Location(segment, value, 40 + segment, 0));
            } else {
                assertThat(new CompactionView(dir).relocate(key(k), current,
                        new Location(segment, value, 40 + segment, 0))).isTrue();
            }
            if (i % 3 == 0) {
                dir.remove(key(stable + i / 2));
            }
        }
        stop.set(true);
        r1.join();
        r2.join();
        assertThat(failure.get()).isNull();
        assertThat(reads.get()).isPositive();
        assertThat(dir.size()).isEqualTo(stable + 300_000 - 100_000);
    }

    @Test
    void scanRacingWritersSeesEveryKeyAddedBeforeItStarted() throws Exception {
        KeyDir dir = new KeyDir(true, 0);
        dir.buildOrderedIndex();
        AtomicBoolean stop = new AtomicBoolean();
        Thread merger = new Thread(() -> {
            while (!stop.get()) {
                dir.applyQueuedOrderedChanges();
            }
        });
        merger.start();
        try {
            for (int i = 0; i < 20_000; i++) {
                dir.put(key(i), loc(1, i));
                if (i % 997 == 0) {
                    List<String> seen = scan(dir, null, null, false);
                    assertThat(seen).hasSize(i + 1).isSorted();
                }
            }
        } finally {
            stop.set(true);
            merger.join();
        }
    }
}
