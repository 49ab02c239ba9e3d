package io.ferrumdb.internal.keydir;

import static io.ferrumdb.internal.keydir.TestKeys.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.FerrumException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;

/**
 * Compaction's two walks of the slot table: the live records of a range of segments are exactly the ones a key
 * names (not a removed key's stale words, not another segment's records), across growth; the switch walk points
 * exactly the keys still naming a copied record at the copy, refusing keys overwritten, removed or re-inserted
 * meanwhile, and starts again when the table grows under it.
 */
class CompactionViewTest {
    private static Location loc(int segment, long offset) {
        return new Location(segment, offset, 30, 0);
    }

    private static List<Location> live(KeyDir dir, int lo, int hi) {
        List<Location> found = new ArrayList<>();
        new CompactionView(dir).liveLocations(lo, hi, w -> found.add(new Location(CompactionView.segmentOf(w),
                CompactionView.offsetOf(w), 30, 0)));
        return found;
    }

    @Test
    void theWalkFindsExactlyTheRecordsKeysNameInItsSegments() {
        KeyDir dir = new KeyDir(false, 16);
        for (int i = 0; i < 5_000; i++) {
            // Segments 1 to 5 in turn; the table grows several times on the way.
            dir.put(key(i), loc(1 + i % 5, 100 + 30L * i));
        }
        dir.put(key(7), loc(9, 0)); // overwritten: its record in segment 3 is dead
        dir.remove(key(12)); // removed: the slot keeps the words of its record in segment 3
        List<Location> found = live(dir, 2, 3);
        List<Location> expected = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            int segment = 1 + i % 5;
            if ((segment == 2 || segment == 3) && i != 7 && i != 12) {
                expected.add(loc(segment, 100 + 30L * i));
            }
        }
        assertThat(found).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(live(dir, 10, 20)).isEmpty();
    }

    /**
     * A removed key's slot keeps its location words, and a new key written into it changes the header before the
     * location (under the slot's seqlock). A walk reading the slot in between, or while the writer is stopped there,
     * would see the new key beside the removed key's record and find that record live: it must read the slot again
     * once the write is done.
     */
    @Test
    void aSlotCaughtInTheMiddleOfAWriteIsReadAgainOnceTheWriteIsDone() throws Exception {
        KeyDir dir = new KeyDir(false, 16);
        int keys = 3_000;
        for (int i = 0; i < keys; i++) {
            dir.put(key(i), loc(1, 100 + 30L * i));
        }
        for (int i = 0; i < keys; i += 3) {
            dir.remove(key(i));
        }
        SlotTable t = dir.table;
        assertThat(t.capacity).isGreaterThan(2 * CompactionView.CHUNK);
        ByteBuffer words = t.slotMemory().order(ByteOrder.nativeOrder());
        // The first slot naming a live record, and a removed slot in a later chunk of the walk.
        int firstLive = -1;
        int removed = -1;
        for (int s = 0; s < t.capacity; s++) {
            long header = words.getLong(s * SlotTable.SLOT_BYTES);
            if (SlotTable.holdsKey(header) && firstLive < 0) {
                firstLive = s;
            } else if (header == SlotTable.REMOVED && firstLive >= 0 && removed < 0
                    && s / CompactionView.CHUNK > firstLive / CompactionView.CHUNK) {
                removed = s;
            }
        }
        assertThat(removed).isNotNegative();
        int at = removed * SlotTable.SLOT_BYTES;
        long header = words.getLong(firstLive * SlotTable.SLOT_BYTES);
        long stale = words.getLong(at + 8);
        CountDownLatch stopped = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        Thread writer = new Thread(() -> {
            synchronized (dir.mutation) {
                // A write of a new key into the removed slot, stopped after its header (the key's header is
                // another's here: the walk reads no key bytes).
                long version = words.getLong(at + 16);
                words.putLong(at + 16, version + (1L << 32));
                words.putLong(at, header);
                stopped.countDown();
                try {
                    finish.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                words.putLong(at + 8, CompactionView.locationWord(2, 0));
                words.putLong(at + 16, version + (2L << 32));
            }
        });
        List<Long> found = new ArrayList<>();
        Thread walk = new Thread(() -> new CompactionView(dir).liveLocations(1, 1, w -> {
            if (found.isEmpty()) {
                // The walk is past its start and in the first live slot's chunk: the writer stops in a later one.
                writer.start();
                try {
                    stopped.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            found.add(w);
        }));
        walk.start();
        stopped.await();
        walk.join(500);
        finish.countDown();
        walk.join();
        writer.join();

        assertThat(found).doesNotContain(stale).hasSize(keys - (keys + 2) / 3);
        assertThat(live(dir, 2, 2)).containsExactly(loc(2, 0));
    }

    /** Copies for {@link CompactionView#switchCopies}: from location to copy, with a hook called in copyOf. */
    private static final class Copies implements CompactionView.Copies {
        final List<Location> from = new ArrayList<>();
        final List<Location> to = new ArrayList<>();
        final Map<Long, Integer> index = new HashMap<>();
        final List<String> switched = new ArrayList<>();
        IntConsumer onLookup = i -> { };
        int lookups;

        void add(Location original, Location copy) {
            index.put(CompactionView.locationWord(original.segmentId(), original.offset()), from.size());
            from.add(original);
            to.add(copy);
        }

        @Override
        public int copyOf(long fromLocation) {
            onLookup.accept(lookups++);
            return index.getOrDefault(fromLocation, -1);
        }

        @Override
        public long location(int copy) {
            return CompactionView.locationWord(to.get(copy).segmentId(), to.get(copy).offset());
        }

        @Override
        public int size(int copy) {
            return to.get(copy).recordSize();
        }

        @Override
        public long expiresAt(int copy) {
            return to.get(copy).expiresAt();
        }

        @Override
        public void switched(long fromLocation, int fromSize, int copy) {
            assertThat(fromLocation).isEqualTo(CompactionView.locationWord(from.get(copy).segmentId(),
                    from.get(copy).offset()));
            switched.add(copy + ":" + fromSize);
        }
    }

    @Test
    void theSwitchWalkMovesOnlyKeysStillNamingACopiedRecord() {
        KeyDir dir = new KeyDir(false, 16);
        Copies copies = new Copies();
        for (int i = 0; i < 10; i++) {
            dir.put(key(i), new Location(1, 100 + 40L * i, 30 + i, 0));
            // Sealed again under another cipher, or with an expiry: the whole entry changes, else the word alone.
            copies.add(new Location(1, 100 + 40L * i, 30 + i, 0),
                    new Location(8, 40L * i, i % 3 == 0 ? 30 + i + 16 : 30 + i, i % 4 == 1 ? 5_000 : 0));
        }
        dir.put(key(1), loc(9, 0)); // overwritten after the copy
        dir.remove(key(2)); // removed
        dir.remove(key(3));
        dir.put(key(3), new Location(1, 220, 33, 0)); // removed and put back at the very record: a new entry
        dir.put(key(20), new Location(1, 2_000, 30, 0)); // a record of the input not copied (kept as it is)
        dir.put(key(21), loc(2, 100)); // another segment

        assertThat(new CompactionView(dir).switchCopies(1, 1, copies)).isEqualTo(8);

        for (int i = 0; i < 10; i++) {
            Location now = dir.get(key(i));
            if (i == 1) {
                assertThat(now).isEqualTo(loc(9, 0));
            } else if (i == 2) {
                assertThat(now).isNull();
            } else {
                // Key 3 was put back at the copied record: it names that record, so it moves with it.
                assertThat(now).as("key %d", i).isEqualTo(copies.to.get(i));
            }
        }
        assertThat(dir.get(key(20))).isEqualTo(new Location(1, 2_000, 30, 0));
        assertThat(dir.get(key(21))).isEqualTo(loc(2, 100));
        assertThat(copies.switched).contains("0:30", "3:33", "9:39").doesNotContain("1:31", "2:32");
    }

    @Test
    void writesBetweenTheLockFreeReadAndTheLockWin() {
        KeyDir dir = new KeyDir(false, 16);
        Copies copies = new Copies();
        for (int i = 0; i < 100; i++) {
            dir.put(key(i), loc(1, 100 + 30L * i));
            copies.add(loc(1, 100 + 30L * i), loc(8, 30L * i));
        }
        // The walk has read the chunk and asks for the first copy: keys change before it takes the lock.
        copies.onLookup = n -> {
            if (n == 0) {
                dir.put(key(5), loc(9, 0));
                dir.remove(key(6));
            }
        };

        assertThat(new CompactionView(dir).switchCopies(1, 1, copies)).isEqualTo(98);

        assertThat(dir.get(key(5))).isEqualTo(loc(9, 0));
        assertThat(dir.get(key(6))).isNull();
        for (int i = 0; i < 100; i++) {
            if (i != 5 && i != 6) {
                assertThat(dir.get(key(i))).isEqualTo(loc(8, 30L * i));
            }
        }
    }

    @Test
    void theSwitchWalkStartsAgainOverATableThatGrewUnderIt() {
        KeyDir dir = new KeyDir(false, 16);
        Copies copies = new Copies();
        int n = 3 * CompactionView.CHUNK;
        for (int i = 0; i < n; i++) {
            dir.put(key(i), loc(1, 100 + 30L * i));
            copies.add(loc(1, 100 + 30L * i), loc(8, 30L * i));
        }
        long before = dir.offHeapBytes();
        // Once the first chunk is switched, the table grows: the rest of the walk's slots are in the old table.
        copies.onLookup = c -> {
            if (copies.switched.size() > 0 && dir.offHeapBytes() == before) {
                for (int i = 0; i < 4 * n; i++) {
                    dir.put(key(n + i), loc(2, i));
                }
            }
        };

        assertThat(new CompactionView(dir).switchCopies(1, 1, copies)).isEqualTo(n);

        assertThat(dir.offHeapBytes()).isGreaterThan(before);
        for (int i = 0; i < n; i++) {
            assertThat(dir.get(key(i))).isEqualTo(loc(8, 30L * i));
        }
        assertThat(copies.switched).hasSize(n).doesNotHaveDuplicates();
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
        dir.put(key("k"), entry(1));
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<Location> torn = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            while (!done.get() && torn.get() == null) {
                Location seen = dir.get(key("k"));
                if (!seen.equals(entry(seen.segmentId()))) {
                    torn.set(seen);
                }
            }
        });
        reader.start();
        try {
            for (int s = 1; s < 5_000 && torn.get() == null; s++) {
                Copies copies = new Copies();
                copies.add(entry(s), entry(s + 1));
                assertThat(view.switchCopies(s, s, copies)).isEqualTo(1);
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
    void aCopyBeyondTheKeyDirectorysLimitsIsRefusedWhenItsWordIsMade() {
        assertThatThrownBy(() -> CompactionView.locationWord(3, 1L << 40))
                .isInstanceOf(FerrumException.class).hasMessageContaining("offset " + (1L << 40));
        long word = CompactionView.locationWord(3, (1L << 40) - 1);
        assertThat(CompactionView.segmentOf(word)).isEqualTo(3);
        assertThat(CompactionView.offsetOf(word)).isEqualTo((1L << 40) - 1);
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
}
