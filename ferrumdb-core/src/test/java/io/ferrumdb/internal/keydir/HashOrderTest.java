package io.ferrumdb.internal.keydir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link HashOrder}: the order open applies a hint's entries in. It must be a permutation, ascend by the hash's
 * leading bits (the sweep of the slot table), and be stable: entries of one key (equal hashes) keep their file
 * order, which decides between two records of a key with the same sequence number.
 */
class HashOrderTest {
    @Test
    void entriesComeInOrderOfTheirHashesLeadingBitsAndStableWithinABucket() {
        SplittableRandom rnd = new SplittableRandom(5);
        HashOrder order = new HashOrder(100_000);
        for (int n : new int[] {1, 2, 3, 17, 1_000, 65_536, 100_000}) {
            long[] hashes = new long[n];
            order.reset(n);
            for (int i = 0; i < n; i++) {
                // Every third entry repeats an earlier hash: the same key written again later in the hint.
                hashes[i] = i % 3 == 2 ? hashes[rnd.nextInt(i)] : rnd.nextLong();
                order.add(i, 10 * i, hashes[i]);
            }
            order.sort();
            int bits = Math.max(1, Math.min(HashOrder.MAX_BITS, 32 - Integer.numberOfLeadingZeros(n)));
            int[] starts = order.entryStarts();
            boolean[] seen = new boolean[n];
            for (int i = 0; i < n; i++) {
                int entry = starts[i] / 10;
                assertThat(seen[entry]).as("entry %d given twice (n=%d)", entry, n).isFalse();
                seen[entry] = true;
                assertThat(order.hash(i)).isEqualTo(hashes[entry]);
                if (i > 0) {
                    long previous = order.hash(i - 1) >>> (64 - bits);
                    long current = order.hash(i) >>> (64 - bits);
                    assertThat(current).as("bucket order at %d (n=%d)", i, n).isGreaterThanOrEqualTo(previous);
                    if (current == previous) {
                        assertThat(starts[i]).as("file order within a bucket at %d", i).isGreaterThan(starts[i - 1]);
                    }
                }
            }
        }
    }

    @Test
    void anEmptyHintHasAnEmptyOrder() {
        HashOrder order = new HashOrder(0).reset(0);
        order.sort();
        assertThat(order.entryStarts()).isEmpty();
    }

    @Test
    void misuseIsRefusedWithWhatWasWrong() {
        HashOrder order = new HashOrder(4);
        assertThatThrownBy(() -> order.reset(5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("5 entries do not fit an order of 4");
        order.reset(2);
        order.add(0, 0, 1);
        order.add(1, 32, 2);
        assertThatThrownBy(() -> order.hash(0)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("before it is sorted");
        order.sort();
        assertThatThrownBy(() -> order.hash(2)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("entry 2 of an order of 2");
    }
}
