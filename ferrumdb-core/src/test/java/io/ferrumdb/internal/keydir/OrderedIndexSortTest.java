package io.ferrumdb.internal.keydir;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The ordered index's word sort against a plain unsigned byte-order sort of the same keys. */
class OrderedIndexSortTest {

    @Test
    void sortsLikeUnsignedByteOrder() {
        sortsLikeUnsignedByteOrder(new KeyArena(KeyArena.DENSE_LIMIT));
    }

    /** Most keys past a dense limit of 4 KiB: packed references to padded keys sort the same. */
    @Test
    void sortsPackedReferencesPastTheDenseLimit() {
        sortsLikeUnsignedByteOrder(new KeyArena(4_096));
    }

    private static void sortsLikeUnsignedByteOrder(KeyArena arena) {
        SplittableRandom rnd = new SplittableRandom(18);
        List<byte[]> keys = new ArrayList<>();
        // Shapes that stress the word sort: common prefixes longer than a word, keys ending inside a word,
        // trailing zero bytes (which zero padding cannot tell apart), high bytes (unsigned order), long keys.
        for (int i = 0; i < 3_000; i++) {
            keys.add(String.format("k%015d", rnd.nextInt(1_000_000)).getBytes());
        }
        for (int i = 0; i < 2_000; i++) {
            byte[] k = new byte[rnd.nextInt(0, 20)];
            for (int j = 0; j < k.length; j++) {
                k[j] = (byte) (rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(3) == 0 ? 0xFF : rnd.nextInt(256));
            }
            keys.add(k);
        }
        byte[] prefix = new byte[300];
        Arrays.fill(prefix, (byte) 'p');
        for (int i = 0; i < 200; i++) {
            byte[] k = Arrays.copyOf(prefix, 300 + rnd.nextInt(3));
            if (k.length > 300) {
                k[300] = (byte) rnd.nextInt(256);
            }
            keys.add(k);
        }
        keys.add(new byte[] {'a'});
        keys.add(new byte[] {'a', 0});
        keys.add(new byte[] {'a', 0, 0, 0, 0, 0, 0, 0, 0});
        keys.add(new byte[] {'a', 0, 0, 0, 0, 0, 0, 0});

        int[] refs = new int[keys.size()];
        for (int i = 0; i < refs.length; i++) {
            refs[i] = arena.pack(arena.append(keys.get(i)));
        }
        new OrderedIndex(arena, ref -> true, new Object()).sort(refs);

        List<byte[]> expected = new ArrayList<>(keys);
        expected.sort(Arrays::compareUnsigned);
        for (int i = 0; i < refs.length; i++) {
            assertThat(arena.copy(arena.unpack(refs[i]))).as("position %d", i).isEqualTo(expected.get(i));
        }
    }
}
