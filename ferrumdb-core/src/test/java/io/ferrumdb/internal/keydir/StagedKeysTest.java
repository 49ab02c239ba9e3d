package io.ferrumdb.internal.keydir;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@link StagedKeys#racyProbe}, the GET's branch-free probe of the stage: it must answer staged with the entry's
 * location, not staged, or unsure, and never staged for an entry that holds another key. (Concurrent readers are
 * covered by KeyDirStagingTest's drains.)
 */
class StagedKeysTest {
    private static byte[] key(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void stage(StagedKeys stage, byte[] key, long hash, long offset) {
        stage.add(key, 0, key.length, hash, 7, offset, 100);
    }

    @Test
    void aStagedKeyIsFoundWithItsLocationAtEveryEntryNumber() {
        StagedKeys stage = new StagedKeys();
        for (int i = 0; i < StagedKeys.CAPACITY; i++) {
            byte[] k = key("user" + i);
            stage(stage, k, KeyArena.hash(k), 1_000L * i);
            for (int j = 0; j <= i; j++) {
                byte[] staged = key("user" + j);
                SlotProbe p = new SlotProbe();
                assertThat(stage.racyProbe(staged, KeyArena.hash(staged), p)).as("key %d of %d", j, i + 1).isEqualTo(1);
                assertThat(p.offset()).isEqualTo(1_000L * j);
                assertThat(p.segmentId()).isEqualTo(7);
                assertThat(p.recordSize()).isEqualTo(100);
                assertThat(p.slot()).isEqualTo(StagedKeys.SLOT);
            }
            byte[] other = key("other" + i);
            assertThat(stage.racyProbe(other, KeyArena.hash(other), new SlotProbe())).isZero();
        }
    }

    @Test
    void nothingIsStagedInAnEmptyOrClearedStage() {
        StagedKeys stage = new StagedKeys();
        byte[] k = key("user1");
        assertThat(stage.racyProbe(k, KeyArena.hash(k), new SlotProbe())).isZero();
        stage(stage, k, KeyArena.hash(k), 10);
        stage.clear();
        // The cleared entry's hash and key are still in the arrays: only the count says they are gone.
        assertThat(stage.racyProbe(k, KeyArena.hash(k), new SlotProbe())).isZero();
    }

    @Test
    void anEntryWithTheKeysHashButAnotherKeyMakesTheProbeUnsure() {
        StagedKeys stage = new StagedKeys();
        long shared = 0x1234_5678_9ABC_DEF0L;
        stage(stage, key("user1"), shared, 10);
        // Same length, one byte different; and a longer key than the stage keeps.
        assertThat(stage.racyProbe(key("user2"), shared, new SlotProbe()) >>> 1).isEqualTo(1);
        assertThat(stage.racyProbe(new byte[StagedKeys.MAX_KEY + 1], shared, new SlotProbe()) >>> 1).isEqualTo(1);
        assertThat(stage.racyProbe(key("user1"), shared, new SlotProbe())).isEqualTo(1);
    }

    @Test
    void twoEntriesWithOneHashMakeTheProbeUnsure() {
        StagedKeys stage = new StagedKeys();
        long shared = 42;
        stage(stage, key("a"), shared, 10);
        stage(stage, key("b"), shared, 20);
        assertThat(stage.racyProbe(key("a"), shared, new SlotProbe()) >>> 1).isEqualTo(1);
        assertThat(stage.racyProbe(key("b"), shared, new SlotProbe()) >>> 1).isEqualTo(1);
    }
}
