package io.ferrumdb.internal.keydir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Packed references ({@link KeyArena#pack}): the ordered index's 4-byte form of a key's arena position. */
class KeyArenaPackTest {

    @Test
    void packingIsExactBelowTheLimitAndReachesTheWholeReferenceRangePastIt() {
        KeyArena arena = new KeyArena(KeyArena.DENSE_LIMIT);
        long lastAligned = (1L << KeyArena.REF_BITS) - KeyArena.PACKED_ALIGN;
        for (long ref : new long[] {0, 1, 12_345, KeyArena.DENSE_LIMIT - 1, KeyArena.DENSE_LIMIT,
                KeyArena.DENSE_LIMIT + KeyArena.PACKED_ALIGN, 3L << 32, lastAligned}) {
            assertThat(arena.unpack(arena.pack(ref))).as("reference %d", ref).isEqualTo(ref);
        }
        assertThat(arena.pack(KeyArena.DENSE_LIMIT - 1)).isEqualTo(Integer.MAX_VALUE);
        // Unsigned: order of packed values (as unsigned ints) is the order of references.
        assertThat(Integer.compareUnsigned(arena.pack(KeyArena.DENSE_LIMIT), arena.pack(lastAligned))).isNegative();
        assertThat(arena.unpack(-1)).isGreaterThanOrEqualTo(lastAligned);
    }

    @Test
    void keysPastTheDenseLimitAreAlignedAndReadBackThroughTheirPackedReferences() {
        int limit = 1_024;
        KeyArena arena = new KeyArena(limit);
        SplittableRandom rnd = new SplittableRandom(18);
        List<byte[]> keys = new ArrayList<>();
        List<Long> refs = new ArrayList<>();
        // Past a chunk too (keys never split across chunks, and alignment may push a key into the next one), with
        // a few keys of the three-byte length form.
        while (arena.bytesUsed() < KeyArena.CHUNK_SIZE + 100_000L) {
            byte[] k = new byte[rnd.nextInt(10) == 0 ? 200 + rnd.nextInt(300) : rnd.nextInt(40)];
            rnd.nextBytes(k);
            keys.add(k);
            refs.add(arena.append(k));
        }
        boolean padded = false;
        for (int i = 0; i < keys.size(); i++) {
            long ref = refs.get(i);
            if (ref >= limit) {
                assertThat((ref - limit) % KeyArena.PACKED_ALIGN).as("key %d at %d", i, ref).isZero();
                padded = true;
            }
            long back = arena.unpack(arena.pack(ref));
            assertThat(back).isEqualTo(ref);
            assertThat(arena.copy(back)).isEqualTo(keys.get(i));
        }
        assertThat(padded).isTrue();
    }

    @Test
    void anArenaNotMadeForPackingRefusesToPackAndNeverPads() {
        KeyArena arena = new KeyArena();
        long first = arena.append(new byte[] {1, 2, 3});
        long second = arena.append(new byte[] {4});
        assertThat(second - first).isEqualTo(4); // length byte and three key bytes, no padding
        assertThatThrownBy(() -> arena.pack(first)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not made for packed references");
        assertThatThrownBy(() -> new KeyArena(100)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dense limit 100");
    }

    @Test
    void aMisalignedReferencePastTheLimitIsRefused() {
        KeyArena arena = new KeyArena(KeyArena.DENSE_LIMIT);
        assertThatThrownBy(() -> arena.pack(KeyArena.DENSE_LIMIT + 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not aligned");
    }
}
