package io.ferrumdb.internal.keydir;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@link StagedKeys#clear} leaves no entry behind in the hash index: a key staged before it is not found after it,
 * nor once other keys were staged in the emptied stage (whose entries reuse the numbers the old index slots name).
 * The writer's {@code entryOf} and {@code add} probe that index until an empty slot, and a lookup of a refilled
 * stage probes it too; session 27 also tried a lookup that probes it without testing the count first (reverted,
 * docs/benchmarks.md, "Session 27").
 */
class StagedKeysClearTest {
    private static byte[] key(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void stage(StagedKeys staged, String k, long offset) {
        byte[] b = key(k);
        staged.add(b, 0, b.length, KeyArena.hash(b), 1, offset, 40);
    }

    private static boolean find(StagedKeys staged, String k, SlotProbe into) {
        byte[] b = key(k);
        return staged.find(b, 0, b.length, KeyArena.hash(b), into);
    }

    @Test
    void anEmptiedStageFindsNoneOfItsFormerKeys() {
        StagedKeys staged = new StagedKeys();
        SlotProbe p = new SlotProbe();
        assertThat(find(staged, "never", p)).as("a stage that never held a key").isFalse();
        for (int i = 0; i < StagedKeys.CAPACITY; i++) {
            stage(staged, "key" + i, 40L * i);
        }
        assertThat(staged.isFull()).isTrue();
        assertThat(find(staged, "key7", p)).isTrue();
        assertThat(p.slot()).isEqualTo(StagedKeys.SLOT);
        assertThat(p.offset()).isEqualTo(280);

        staged.clear();
        for (int i = 0; i < StagedKeys.CAPACITY; i++) {
            assertThat(find(staged, "key" + i, p)).as("key%d after the clear", i).isFalse();
        }
    }

    @Test
    void aRefilledStageFindsItsNewEntriesOnly() {
        StagedKeys staged = new StagedKeys();
        SlotProbe p = new SlotProbe();
        for (int i = 0; i < StagedKeys.CAPACITY; i++) {
            stage(staged, "old" + i, 40L * i);
        }
        staged.clear();
        stage(staged, "new0", 4000);
        assertThat(find(staged, "new0", p)).isTrue();
        assertThat(p.offset()).isEqualTo(4000);
        // Entry 0 now holds new0: an index slot left from old0 would name it for old0's hash.
        for (int i = 0; i < StagedKeys.CAPACITY; i++) {
            assertThat(find(staged, "old" + i, p)).as("old%d", i).isFalse();
        }
    }
}
