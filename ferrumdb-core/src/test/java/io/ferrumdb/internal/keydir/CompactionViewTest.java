package io.ferrumdb.internal.keydir;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Compaction's probe by record: true exactly while the key's entry names that record (segment and offset), through
 * puts of other keys, growth of the table, an overwrite and a removal; the probe's slot then takes the switch.
 */
class CompactionViewTest {
    private static final byte[] K = "k".getBytes(StandardCharsets.UTF_8);

    private static Location loc(int segment, long offset) {
        return new Location(segment, offset, 30, 0);
    }

    private static long hash(byte[] key) {
        return CompactionView.hash(key, 0, key.length);
    }

    @Test
    void pointsAtOnlyTheRecordTheKeyNames() {
        KeyDir dir = new KeyDir(false, 16);
        CompactionView view = new CompactionView(dir);
        SlotProbe probe = new SlotProbe();
        assertThat(view.pointsAt(hash(K), 1, 10, probe)).isFalse();

        dir.put(new Key(K), loc(1, 10));
        assertThat(view.pointsAt(hash(K), 1, 10, probe)).isTrue();
        assertThat(probe.location()).isEqualTo(loc(1, 10));
        assertThat(view.pointsAt(hash(K), 1, 11, probe)).isFalse();
        assertThat(view.pointsAt(hash(K), 2, 10, probe)).isFalse();
        // Another key's hash does not find the record, even at the same location (no slot of its probe names it).
        byte[] other = "other".getBytes(StandardCharsets.UTF_8);
        assertThat(view.pointsAt(hash(other), 1, 10, probe)).isFalse();

        dir.put(new Key(K), loc(3, 0));
        assertThat(view.pointsAt(hash(K), 1, 10, probe)).isFalse();
        assertThat(view.pointsAt(hash(K), 3, 0, probe)).isTrue();
        dir.remove(new Key(K));
        assertThat(view.pointsAt(hash(K), 3, 0, probe)).isFalse();
    }

    @Test
    void theProbesSlotTakesTheSwitchAndARacingWriteWins() {
        KeyDir dir = new KeyDir(false, 16);
        CompactionView view = new CompactionView(dir);
        dir.put(new Key(K), loc(1, 10));
        SlotProbe probe = new SlotProbe();
        assertThat(view.pointsAt(hash(K), 1, 10, probe)).isTrue();
        // The table grows several times after the probe: its slot is stale, the switch finds the key again.
        for (int i = 0; i < 5_000; i++) {
            dir.put(new Key(("filler-" + i).getBytes(StandardCharsets.UTF_8)), loc(2, i));
        }
        assertThat(view.pointsAt(hash(K), 1, 10, new SlotProbe())).isTrue();
        assertThat(dir.relocate(probe.header(), probe.slot(), 1, 10, loc(9, 0))).isTrue();
        assertThat(dir.get(new Key(K))).isEqualTo(loc(9, 0));
        // A switch from a record the key no longer names is refused.
        assertThat(dir.relocate(probe.header(), probe.slot(), 1, 10, loc(9, 40))).isFalse();
        assertThat(dir.get(new Key(K))).isEqualTo(loc(9, 0));
    }
}
