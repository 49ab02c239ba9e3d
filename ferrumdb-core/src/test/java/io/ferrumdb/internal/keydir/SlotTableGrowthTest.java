package io.ferrumdb.internal.keydir;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The key directory's growth steps: about 4x while the grown table is small, about 1.55x beyond. */
class SlotTableGrowthTest {
    @Test
    void smallTablesGrowFourfoldLargeOnesByAboutAHalf() {
        assertThat(SlotTable.fillAfterGrowth(1_000)).isEqualTo(0.2);
        assertThat(SlotTable.fillAfterGrowth(SlotTable.QUADRUPLE_UP_TO / 5)).isEqualTo(0.2);
        assertThat(SlotTable.fillAfterGrowth(SlotTable.QUADRUPLE_UP_TO / 5 + 1)).isEqualTo(0.55);
        assertThat(SlotTable.fillAfterGrowth(10_000_000)).isEqualTo(0.55);
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
