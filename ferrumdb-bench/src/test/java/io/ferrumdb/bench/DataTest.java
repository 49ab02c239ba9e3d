package io.ferrumdb.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DataTest {
    @Test
    void keysRoundTripAndSortInIndexOrder() {
        long[] indexes = {0, 1, 9, 10, 999_999, 1_000_000, 123_456_789_012L};
        for (int i = 0; i < indexes.length; i++) {
            byte[] k = Data.key(indexes[i]);
            assertThat(k).hasSize(Data.KEY_SIZE);
            assertThat(Data.index(k)).isEqualTo(indexes[i]);
            if (i > 0) {
                assertThat(Arrays.compareUnsigned(Data.key(indexes[i - 1]), k)).isNegative();
            }
        }
        assertThat(new String(Data.key(42), java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("k000000000000042");
        assertThatThrownBy(() -> Data.key(-1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
    }

    @Test
    void valuePoolIsDeterministicAndDistinct() {
        byte[][] a = Data.valuePool(100);
        byte[][] b = Data.valuePool(100);
        assertThat(a[7]).isEqualTo(b[7]).hasSize(100);
        assertThat(a[7]).isNotEqualTo(a[8]);
        assertThat(Data.value(a, 1024 + 7)).isSameAs(a[7]);
    }
}
