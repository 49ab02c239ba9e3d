package io.ferrumdb.internal.keydir;

import static io.ferrumdb.internal.keydir.TestKeys.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The slot table's changes ({@link SlotWriter}): a set reports what it replaced, a removal frees its slot for reuse
 * and counts the removed key, growth happens exactly past the maximum fill and publishes the grown table with every
 * word of every entry, the TTL purge removes only entries still expired, and every change asserts the mutation lock.
 */
class SlotWriterTest {
    private static Location loc(int segment, long offset) {
        return new Location(segment, offset, 40, 0);
    }

    /** {@link SlotWriter#set} of {@code k}, as the key directory calls it: under the mutation lock. */
    private static long set(KeyDir dir, String k, int segment, long offset, int size) {
        byte[] b = k.getBytes(StandardCharsets.UTF_8);
        synchronized (dir.mutation) {
            return dir.writer.set(b, 0, b.length, KeyArena.hash(b), segment, offset, size, 0, true);
        }
    }

    private static int find(KeyDir dir, String k) {
        byte[] b = k.getBytes(StandardCharsets.UTF_8);
        synchronized (dir.mutation) {
            return dir.writer.find(dir.table, b, 0, b.length, KeyArena.hash(b));
        }
    }

    @Test
    void aSetReportsTheEntryItReplacedAndARemovalFreesItsSlotForTheNextKey() {
        KeyDir dir = new KeyDir(false, 16);
        assertThat(set(dir, "a", 3, 0, 77)).isEqualTo(KeyDir.ABSENT);
        assertThat(set(dir, "a", 4, 100, 50)).as("segment 3, 77 bytes").isEqualTo(3L << 32 | 77);
        assertThat(dir.size()).isEqualTo(1);
        int slot = find(dir, "a");
        assertThat(slot).isNotNegative();
        int used = dir.table.used;
        synchronized (dir.mutation) {
            assertThat(dir.writer.remove(dir.table, slot)).isEqualTo(new Location(4, 100, 50, 0));
            assertThat(dir.writer.removedKeys()).isEqualTo(1);
        }
        assertThat(find(dir, "a")).isEqualTo(-1);
        assertThat(dir.size()).isZero();
        assertThat(dir.table.used).as("a removed slot stays used until growth drops it").isEqualTo(used);
        // The key comes back into the removed slot of its probe sequence, which is used already.
        set(dir, "a", 5, 0, 10);
        assertThat(find(dir, "a")).isEqualTo(slot);
        assertThat(dir.table.used).isEqualTo(used);
    }

    @Test
    void theTableGrowsExactlyPastTheMaximumFillAndPublishesTheGrownTable() {
        KeyDir dir = new KeyDir(false, 0);
        SlotTable first = dir.table;
        int fits = (int) Math.floor(first.capacity * SlotWriter.MAX_FILL);
        for (int i = 0; i < fits; i++) {
            set(dir, "k" + i, 1, i, 40);
        }
        assertThat(dir.table).as("%d keys fit in %d slots", fits, first.capacity).isSameAs(first);
        set(dir, "k" + fits, 1, fits, 40);
        assertThat(dir.table).isNotSameAs(first);
        assertThat(dir.table.capacity).isGreaterThan(first.capacity);
        synchronized (dir.mutation) {
            SlotTable t = dir.table;
            assertThat(dir.writer.withRoomForOne(t)).as("room in the grown table").isSameAs(t);
        }
        for (int i = 0; i <= fits; i++) {
            assertThat(dir.get(key("k" + i))).isEqualTo(new Location(1, i, 40, 0));
        }
    }

    @Test
    void growsFromTinyAndKeepsEveryKey() {
        KeyDir dir = new KeyDir(false, 0);
        long before = dir.offHeapBytes();
        for (int i = 0; i < 100_000; i++) {
            dir.put(key(i), loc(1, i));
        }
        assertThat(dir.offHeapBytes()).isGreaterThan(before);
        for (int i = 0; i < 100_000; i++) {
            assertThat(dir.get(key(i))).isEqualTo(loc(1, i));
        }
        assertThat(dir.get(key(100_000))).isNull();
    }

    @Test
    void growthCopiesEveryWordOfEachEntry() {
        // Growth copies slots word by word: segment id, offset, size, sequence and expiry must all survive it,
        // including sizes and offsets with high bits set and expiries added before the first growth.
        KeyDir dir = new KeyDir(false, 0);
        for (int i = 0; i < 20_000; i++) {
            long expiresAt = i % 3 == 0 ? 0 : 1_000_000_000_000L + i;
            dir.put(key(i), new Location(i % 5 + 1, (1L << 39) + i, Integer.MAX_VALUE - i, expiresAt));
        }
        for (int i = 0; i < 20_000; i++) {
            long expiresAt = i % 3 == 0 ? 0 : 1_000_000_000_000L + i;
            Location expected = new Location(i % 5 + 1, (1L << 39) + i, Integer.MAX_VALUE - i,
                    expiresAt);
            assertThat(dir.get(key(i))).isEqualTo(expected);
        }
        // Entries written after growth (same slot rewritten in the grown table) still read back.
        dir.put(key(7), loc(9, 9));
        assertThat(dir.get(key(7))).isEqualTo(loc(9, 9));
        assertThat(dir.size()).isEqualTo(20_000);
    }

    @Test
    void removedMarkersAreReusedAndCleared() {
        KeyDir dir = new KeyDir(false, 16);
        // Churn many distinct keys through a small live set: without reuse and rehash the probe sequences would
        // fill with removed markers and lookups of absent keys would never end.
        for (int i = 0; i < 50_000; i++) {
            dir.put(key(i), loc(1, i));
            if (i >= 8) {
                assertThat(dir.remove(key(i - 8))).isEqualTo(loc(1, i - 8));
            }
        }
        assertThat(dir.size()).isEqualTo(8);
        assertThat(dir.get(key("absent"))).isNull();
        for (int i = 50_000 - 8; i < 50_000; i++) {
            assertThat(dir.get(key(i))).isEqualTo(loc(1, i));
        }
    }

    @Test
    void expiryPurgeRemovesOnlyEntriesStillExpired() {
        KeyDir dir = new KeyDir(true, 0);
        dir.put(key("a"), new Location(1, 0, 10, 100));
        dir.put(key("b"), new Location(1, 10, 10, 200));
        dir.put(key("c"), new Location(1, 20, 10, 0));
        dir.put(key("a"), new Location(1, 30, 10, 300)); // a's first expiry is now stale
        assertThat(dir.mayHaveExpired(99)).isFalse();
        assertThat(dir.mayHaveExpired(100)).isTrue();
        List<Long> removed = new ArrayList<>();
        dir.purgeExpired(250, l -> removed.add(l.offset()));
        assertThat(removed).as("offsets of the purged records").containsExactly(10L); // b
        assertThat(dir.mayHaveExpired(299)).isFalse();
        dir.purgeExpired(300, l -> removed.add(l.offset()));
        assertThat(removed).containsExactly(10L, 30L); // b, a
        assertThat(dir.size()).isEqualTo(1);
        assertThat(dir.get(key("c"))).isEqualTo(new Location(1, 20, 10, 0));
        assertThat(dir.get(key("a"))).isNull();
    }

    @Test
    void everyChangeAssertsTheMutationLock() {
        assumeTrue(SlotWriter.class.desiredAssertionStatus(), "assertions are enabled (surefire's default)");
        KeyDir dir = new KeyDir(false, 16);
        byte[] k = "k".getBytes(StandardCharsets.UTF_8);
        long hash = KeyArena.hash(k);
        assertThatThrownBy(() -> dir.writer.set(k, 0, 1, hash, 1, 0, 40, 0, true))
                .isInstanceOf(AssertionError.class).hasMessageContaining("mutation lock");
        assertThatThrownBy(() -> dir.writer.claimSlot(dir.table, hash))
                .isInstanceOf(AssertionError.class).hasMessageContaining("mutation lock");
        dir.put(key("k"), loc(1, 0));
        assertThatThrownBy(() -> dir.writer.remove(dir.table, 0))
                .isInstanceOf(AssertionError.class).hasMessageContaining("mutation lock");
        assertThat(dir.get(key("k"))).as("nothing changed").isEqualTo(loc(1, 0));
    }

    /** The TTL queue and the size bookkeeping say "REQUIRES: the mutation lock" too (issue 17: asserted). */
    @Test
    void theExpiryQueueAndTheSizeBookkeepingAssertTheMutationLockToo() {
        assumeTrue(SlotWriter.class.desiredAssertionStatus(), "assertions are enabled (surefire's default)");
        KeyDir dir = new KeyDir(false, 16);
        List<Runnable> calls = List.of(
                () -> dir.writer.noteExpiry(1, 1),
                () -> dir.writer.requeueExpiries(dir.table),
                () -> dir.writer.purgeExpired(Long.MAX_VALUE, removed -> { }),
                () -> dir.writer.trackSizeChanges((segmentId, offset) -> true),
                () -> dir.writer.lostSizeChange(),
                () -> dir.writer.lostSizeChange(1),
                () -> dir.writer.removedKeys(),
                () -> dir.writer.restoreRemovedKeys(0));
        for (int i = 0; i < calls.size(); i++) {
            Runnable call = calls.get(i);
            assertThatThrownBy(call::run).as("call %d without the lock", i)
                    .isInstanceOf(AssertionError.class).hasMessageContaining("mutation lock");
            synchronized (dir.mutation) {
                call.run();
            }
        }
    }
}
