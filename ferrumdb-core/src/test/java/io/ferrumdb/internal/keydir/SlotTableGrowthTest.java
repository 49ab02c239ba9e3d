package io.ferrumdb.internal.keydir;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The key directory's growth steps: 2x while the grown table is small, about 1.55x beyond; and the probe's step to
 * the next slot, which wraps at the table's end.
 */
class SlotTableGrowthTest {
    @Test
    void smallTablesDoubleLargeOnesGrowByAboutAHalf() {
        long lastDoubling = (long) (SlotTable.DOUBLE_UP_TO * SlotTable.FILL_AFTER_DOUBLING);
        assertThat(SlotTable.FILL_AFTER_DOUBLING).isEqualTo(SlotWriter.MAX_FILL / 2);
        assertThat(SlotTable.fillAfterGrowth(1_000)).isEqualTo(SlotTable.FILL_AFTER_DOUBLING);
        assertThat(SlotTable.fillAfterGrowth(lastDoubling)).isEqualTo(SlotTable.FILL_AFTER_DOUBLING);
        assertThat(SlotTable.fillAfterGrowth(lastDoubling + 1)).isEqualTo(0.55);
        assertThat(SlotTable.fillAfterGrowth(10_000_000)).isEqualTo(0.55);
    }

    /**
     * Session 29: right after a bulk load from empty, the table is between half full and {@link SlotWriter#MAX_FILL}
     * full, every step a doubling. With the 4x steps before, each step was about 4.25x, and 1M keys loaded into a
     * new database left it 56% full.
     */
    @Test
    void aDirectoryFilledFromEmptyDoublesAndStaysAtLeastAboutHalfFull() {
        KeyDir dir = new KeyDir(false, 0);
        int previous = dir.table.capacity;
        int n = 300_000;
        for (int i = 0; i < n; i++) {
            dir.put(new Key(("d" + i).getBytes()), new Location(1, i, 30, 0));
            int capacity = dir.table.capacity;
            if (capacity != previous) {
                assertThat((double) capacity / previous).as("growth step at key %d", i + 1).isBetween(1.9, 2.1);
                previous = capacity;
            }
        }
        assertThat((double) n / dir.table.capacity).isBetween(SlotTable.FILL_AFTER_DOUBLING, SlotWriter.MAX_FILL);
        assertThat(dir.offHeapBytes()).isLessThanOrEqualTo((long) (n / SlotTable.FILL_AFTER_DOUBLING + 1)
                * SlotTable.SLOT_BYTES + dir.keys.bytesReserved());
    }

    @Test
    void theSlotAfterTheLastIsTheFirstAndEveryOtherIsItsSuccessor() {
        for (int capacity : new int[] {1, 2, 3, 7, 64, 1_000, 1 << 16}) {
            SlotTable t = new SlotTable(capacity);
            for (int slot = 0; slot < capacity - 1; slot++) {
                assertThat(t.next(slot)).isEqualTo(slot + 1);
            }
            assertThat(t.next(capacity - 1)).isZero();
        }
    }

    @Test
    void aDirectoryFilledFromEmptyKeepsEveryKeyThroughDoublingAndSmallerSteps() {
        KeyDir dir = new KeyDir(false, 0);
        // past the last doubling, into a 1.55x step
        int n = (int) (SlotTable.DOUBLE_UP_TO * SlotTable.FILL_AFTER_DOUBLING) + 100_000;
        for (int i = 0; i < n; i++) {
            dir.put(new Key(("g" + i).getBytes()), new Location(1, i, 30, 0));
        }
        assertThat(dir.size()).isEqualTo(n);
        for (int i = 0; i < n; i += 97) {
            assertThat(dir.get(new Key(("g" + i).getBytes())).offset()).isEqualTo(i);
        }
    }
}
