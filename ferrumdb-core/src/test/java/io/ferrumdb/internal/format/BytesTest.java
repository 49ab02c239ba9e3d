package io.ferrumdb.internal.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BytesTest {
    /** Every length around the eight-byte steps, each byte position changed in turn, at an offset in the first array. */
    @Test
    void differenceIsZeroExactlyWhenTheRangesAreEqual() {
        for (int n = 0; n <= 25; n++) {
            byte[] b = new byte[n];
            for (int i = 0; i < n; i++) {
                b[i] = (byte) (31 * i + 7);
            }
            byte[] a = new byte[n + 5];
            Arrays.fill(a, (byte) 0x55);
            System.arraycopy(b, 0, a, 3, n);
            assertEquals(0, Bytes.difference(a, 3, b, n), "equal ranges of " + n + " bytes");
            for (int i = 0; i < n; i++) {
                a[3 + i] ^= (byte) 0x80;
                assertNotEquals(0, Bytes.difference(a, 3, b, n), "byte " + i + " of " + n + " differs");
                a[3 + i] ^= (byte) 0x80;
            }
        }
    }
}
