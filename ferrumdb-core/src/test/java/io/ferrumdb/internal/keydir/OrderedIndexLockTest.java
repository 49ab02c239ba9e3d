package io.ferrumdb.internal.keydir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The ordered index's methods that only the hash table's mutator may call (the loader's {@link OrderedIndex#loaded}
 * and {@link OrderedIndex#takeLoaded}, the image's {@link OrderedIndex#sortedForImage}) assert that it holds the
 * mutation lock, as their comments require: without it the loaded references race the loader (an unguarded array).
 */
class OrderedIndexLockTest {
    private final KeyArena arena = new KeyArena(1 << 16);
    private final Object mutation = new Object();
    private final OrderedIndex index = new OrderedIndex(arena, ref -> true, mutation);

    private long key(String k) {
        return arena.append(k.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void theLoadersCallsRequireTheMutationLock() {
        long ref = key("a");
        assertThatThrownBy(() -> index.loaded(ref)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("mutation lock");
        assertThatThrownBy(() -> index.takeLoaded(1)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("mutation lock");
        synchronized (mutation) {
            index.loaded(ref);
            assertThat(index.takeLoaded(1).refs()).hasSize(1);
        }
    }

    @Test
    void anImagesReferencesRequireTheMutationLock() {
        index.added(key("b"));
        assertThatThrownBy(() -> index.sortedForImage(1)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("mutation lock");
        synchronized (mutation) {
            assertThat(index.sortedForImage(1).refs()).hasSize(1);
        }
    }
}
