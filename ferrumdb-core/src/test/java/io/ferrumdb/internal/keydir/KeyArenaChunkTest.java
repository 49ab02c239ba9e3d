package io.ferrumdb.internal.keydir;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Where the arena puts keys at its chunk boundaries: the first key of an arena, a key that fills a chunk to its
 * last byte, and the key after it (a chunk is added by the same test as when a key does not fit).
 */
class KeyArenaChunkTest {
    /** A key of {@code length} bytes (one length byte in the arena below 128) whose bytes name {@code i}. */
    private static byte[] key(int i, int length) {
        byte[] k = new byte[length];
        Arrays.fill(k, (byte) i);
        return k;
    }

    @Test
    void keysFillAChunkToItsLastByteAndTheNextKeyStartsTheNextChunk() {
        KeyArena arena = new KeyArena();
        assertThat(arena.bytesReserved()).as("no chunk before the first key").isZero();
        List<byte[]> keys = new ArrayList<>();
        List<Long> refs = new ArrayList<>();
        // 100-byte keys take 101 bytes; then one key sized so that the chunk ends exactly at its last byte.
        int full = KeyArena.CHUNK_SIZE / 101;
        for (int i = 0; i < full; i++) {
            keys.add(key(i, 100));
        }
        keys.add(key(full, KeyArena.CHUNK_SIZE - full * 101 - 1));
        keys.add(key(full + 1, 100));
        keys.add(key(full + 2, 100));
        for (byte[] k : keys) {
            refs.add(arena.append(k));
        }
        assertThat(refs.get(0)).as("the first key starts the first chunk").isZero();
        assertThat(arena.bytesUsed()).isEqualTo(KeyArena.CHUNK_SIZE + 2L * 101);
        assertThat(refs.get(full + 1)).as("the key after a chunk filled to its last byte starts the next chunk")
                .isEqualTo((long) KeyArena.CHUNK_SIZE);
        assertThat(arena.bytesReserved()).isEqualTo(2L * KeyArena.CHUNK_SIZE);
        for (int i = 0; i < keys.size(); i++) {
            assertThat(arena.matches(refs.get(i), keys.get(i))).as("key " + i).isTrue();
        }
    }

    @Test
    void aKeyThatDoesNotFitTheChunksTailStartsTheNextChunk() {
        KeyArena arena = new KeyArena();
        int full = KeyArena.CHUNK_SIZE / 101;
        for (int i = 0; i < full; i++) {
            arena.append(key(i, 100));
        }
        long tail = KeyArena.CHUNK_SIZE - (long) full * 101;
        byte[] big = key(7, (int) tail); // needs tail + 1 bytes: one more than is left
        long ref = arena.append(big);
        assertThat(ref).isEqualTo((long) KeyArena.CHUNK_SIZE);
        assertThat(arena.matches(ref, big)).isTrue();
        assertThat(arena.bytesReserved()).isEqualTo(2L * KeyArena.CHUNK_SIZE);
    }
}
