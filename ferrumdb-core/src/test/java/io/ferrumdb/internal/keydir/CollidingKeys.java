package io.ferrumdb.internal.keydir;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Keys whose 28 hash bits in a slot header ({@link SlotTable#tag} of {@link KeyArena#hash}) are equal: found by
 * search over the generated keys "collide-0", "collide-1", ... (a birthday search: about 2.7 triples are expected
 * among a million keys, 21 among two million). They share a home slot, so they probe the same slots in order.
 */
public final class CollidingKeys {
    private static final int SEARCHED = 1 << 21;

    private CollidingKeys() {
    }

    /** Three distinct keys with one tag, always the same three. */
    public static byte[][] three() {
        long[] tagged = new long[SEARCHED];
        for (int i = 0; i < SEARCHED; i++) {
            tagged[i] = tagOf(key(i)) << 24 | i;
        }
        Arrays.sort(tagged);
        for (int i = 2; i < SEARCHED; i++) {
            if (tagged[i] >>> 24 == tagged[i - 2] >>> 24) {
                return new byte[][] {key(tagged[i - 2] & 0xFFFFFF), key(tagged[i - 1] & 0xFFFFFF),
                        key(tagged[i] & 0xFFFFFF)};
            }
        }
        throw new AssertionError("no three keys among " + SEARCHED + " share a tag");
    }

    /** The header tag of {@code key}. */
    public static long tagOf(byte[] key) {
        return SlotTable.tag(KeyArena.hash(key));
    }

    private static byte[] key(long i) {
        return ("collide-" + i).getBytes(StandardCharsets.UTF_8);
    }
}
