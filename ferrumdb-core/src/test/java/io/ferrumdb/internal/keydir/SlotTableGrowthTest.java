package io.ferrumdb.internal.keydir;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The key directory's growth steps: about 4x while the grown table is small, about 1.55x beyond; and the probe's step
 * to the next slot, which wraps at the table's end.
 */
class SlotTableGrowthTest {
    @Test
    void smallTablesGrowFourfoldLargeOnesByAboutAHalf() {
        assertThat(SlotTable.fillAfterGrowth(1_000)).isEqualTo(0.2);
        assertThat(SlotTable.fillAfterGrowth(SlotTable.QUADRUPLE_UP_TO / 5)).isEqualTo(0.2);
        assertThat(SlotTable.fillAfterGrowth(SlotTable.QUADRUPLE_UP_TO / 5 + 1)).isEqualTo(0.55);
        assertThat(SlotTable.fillAfterGrowth(10_000_000)).isEqualTo(0.55);
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
    void aDirectoryFilledFromEmptyKeepsEveryKeyThroughFourfoldAndSmallerSteps() {
        KeyDir dir = new KeyDir(false, 0);
        int n = SlotTable.QUADRUPLE_UP_TO / 5 + 100_000; // past the last fourfold step, into a 1.55x one
        for (int i = 0; i < n; i++) {
            dir.put(new Key(("g" + i).getBytes()), new Location(1, i, 30, 0));
        }
        assertThat(dir.size()).isEqualTo(n);
        for (int i = 0; i < n; i += 97) {
            assertThat(dir.get(new Key(("g" + i).getBytes())).offset()).isEqualTo(i);
        }
    }
}
