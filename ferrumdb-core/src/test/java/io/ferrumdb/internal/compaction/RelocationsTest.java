package io.ferrumdb.internal.compaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.FerrumException;
import io.ferrumdb.internal.format.CipherSuite;
import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.keydir.CompactionView;
import io.ferrumdb.internal.keydir.Key;
import io.ferrumdb.internal.keydir.KeyDir;
import io.ferrumdb.internal.keydir.SlotProbe;
import io.ferrumdb.internal.keydir.Location;
import io.ferrumdb.internal.log.Segment;
import io.ferrumdb.internal.log.SegmentFiles;
import io.ferrumdb.internal.log.SegmentManifest;
import io.ferrumdb.internal.log.SegmentSet;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relocation list alone: only keys still pointing at the record that was copied are switched (a write,
 * removal or re-insertion in between wins), live bytes follow exactly the switched records, and the list grows
 * past its first chunks and holds slots beyond the table it was sized for.
 */
class RelocationsTest {
    @TempDir
    Path dir;

    private SegmentSet set;
    private Segment input;
    private Segment output;
    private final KeyDir keyDir = new KeyDir(false, 16);

    @BeforeEach
    void setUp() throws Exception {
        SegmentFiles files = new SegmentFiles(FileIO.nio(), dir, new byte[16], CipherSuite.PLAINTEXT);
        SegmentManifest.write(files, new java.util.TreeSet<>());
        set = new SegmentSet(files, new SegmentManifest(files, List.of()));
        input = set.createActive();
        output = set.createActive();
    }

    @AfterEach
    void tearDown() throws Exception {
        set.closeAll();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Puts {@code key} at {@code offset} of the input, as the write path does, and notes its relocation. */
    private void putAndCopy(Relocations r, String key, long offset, long copiedTo) {
        putAndCopy(r, key, offset, copiedTo, 30);
    }

    private void putAndCopy(Relocations r, String key, long offset, long copiedTo, int copySize) {
        Location at = new Location(input.id(), offset, 30, 0);
        keyDir.put(new Key(bytes(key)), at);
        set.addLive(at);
        SlotProbe probe = new SlotProbe();
        assertThat(keyDir.probe(bytes(key), 0, key.length(), probe)).isEqualTo(at);
        r.add(probe, output.id(), copiedTo, copySize, 0);
    }

    @Test
    void onlyKeysStillAtTheCopiedRecordAreSwitchedAndLiveBytesFollowThem() {
        Relocations r = relocations();
        // Sealed again under another cipher: the copy is larger than the original.
        putAndCopy(r, "kept", 100, 10, 44);
        putAndCopy(r, "overwritten", 130, 40);
        putAndCopy(r, "removed", 160, 70);
        putAndCopy(r, "reinserted", 190, 100);
        // Writes racing the compaction, after the copies and before the switch.
        Location newer = new Location(input.id(), 220, 30, 0);
        set.release(keyDir.put(new Key(bytes("overwritten")), newer));
        set.addLive(newer);
        set.release(keyDir.remove(new Key(bytes("removed"))));
        Location same = new Location(input.id(), 190, 30, 0);
        set.release(keyDir.remove(new Key(bytes("reinserted"))));
        // Put back at the very location copied: a new entry (new arena reference), not the one the probe found.
        keyDir.put(new Key(bytes("reinserted")), same);
        set.addLive(same);

        assertThat(r.apply(new CompactionView(keyDir), set)).isEqualTo(1);

        assertThat(keyDir.get(new Key(bytes("kept")))).isEqualTo(new Location(output.id(), 10, 44, 0));
        assertThat(keyDir.get(new Key(bytes("overwritten")))).isEqualTo(newer);
        assertThat(keyDir.get(new Key(bytes("removed")))).isNull();
        assertThat(keyDir.get(new Key(bytes("reinserted")))).isEqualTo(same);
        assertThat(output.liveBytes()).isEqualTo(44);
        assertThat(input.liveBytes()).isEqualTo(60); // "overwritten" at 220 and "reinserted"
    }

    private Relocations relocations() {
        return new Relocations(new CompactionView(keyDir).slotCount());
    }

    @Test
    void theListGrowsPastItsFirstChunksAndSwitchesEveryEntry() {
        Relocations r = relocations();
        int n = 5_000;
        for (int i = 0; i < n; i++) {
            putAndCopy(r, "key-" + i, 100 + 30L * i, 10 + 30L * i);
        }
        assertThat(r.size()).isEqualTo(n);

        assertThat(r.apply(new CompactionView(keyDir), set)).isEqualTo(n);

        for (int i = 0; i < n; i += 499) {
            assertThat(keyDir.get(new Key(bytes("key-" + i))))
                    .isEqualTo(new Location(output.id(), 10 + 30L * i, 30, 0));
        }
        assertThat(input.liveBytes()).isZero();
        assertThat(output.liveBytes()).isEqualTo(30L * n);
    }

    @Test
    void liveBytesMoveBetweenEverySegmentPairTheSwitchesInterleave() throws Exception {
        Segment secondInput = set.createActive();
        Segment secondOutput = set.createActive();
        Relocations r = relocations();
        int n = 4 * Relocations.BATCH;
        long[] expected = new long[4];
        for (int i = 0; i < n; i++) {
            // Inputs alternate record by record and outputs switch half way: in slot order the four segments'
            // records are interleaved, as the hint's order and the slot order never agree.
            Segment from = i % 2 == 0 ? input : secondInput;
            Segment to = i < n / 2 ? output : secondOutput;
            int size = 30 + i % 7;
            int copySize = size + 16;
            Location at = new Location(from.id(), 100 + 50L * i, size, 0);
            keyDir.put(new Key(bytes("key-" + i)), at);
            set.addLive(at);
            SlotProbe probe = new SlotProbe();
            keyDir.probe(bytes("key-" + i), 0, ("key-" + i).length(), probe);
            r.add(probe, to.id(), 10 + 50L * i, copySize, 0);
            if (i % 5 == 0) {
                // Overwritten before the switch: stays where the write put it, in the first input.
                Location newer = new Location(input.id(), 1_000_000 + i, 30, 0);
                set.release(keyDir.put(new Key(bytes("key-" + i)), newer));
                set.addLive(newer);
                expected[0] += 30;
            } else {
                expected[to == output ? 2 : 3] += copySize;
            }
        }

        assertThat(r.apply(new CompactionView(keyDir), set)).isEqualTo(n - (n + 4) / 5);

        assertThat(input.liveBytes()).isEqualTo(expected[0]);
        assertThat(secondInput.liveBytes()).isZero();
        assertThat(output.liveBytes()).isEqualTo(expected[2]);
        assertThat(secondOutput.liveBytes()).isEqualTo(expected[3]);
        for (int i = 1; i < n; i += 97) {
            Segment to = i < n / 2 ? output : secondOutput;
            Location now = keyDir.get(new Key(bytes("key-" + i)));
            assertThat(now).isEqualTo(i % 5 == 0 ? new Location(input.id(), 1_000_000 + i, 30, 0)
                    : new Location(to.id(), 10 + 50L * i, 30 + i % 7 + 16, 0));
        }
    }

    @Test
    void aCopyBeyondTheKeyDirectorysLimitsIsRefusedWhenAddedBeforeAnythingIsPublished() {
        Relocations r = relocations();
        keyDir.put(new Key(bytes("k")), new Location(input.id(), 100, 30, 0));
        SlotProbe probe = new SlotProbe();
        keyDir.probe(bytes("k"), 0, 1, probe);

        assertThatThrownBy(() -> r.add(probe, output.id(), 1L << 40, 30, 0))
                .isInstanceOf(FerrumException.class).hasMessageContaining("offset " + (1L << 40));
        assertThat(r.size()).isZero();
    }

    @Test
    void slotsBeyondTheTableTheListWasSizedForAreFiledLastAndStillSwitched() {
        // Sized for a 16-slot table: every slot the grown table hands out beyond it goes to the last group.
        Relocations r = new Relocations(16);
        int n = 2_000;
        for (int i = 0; i < n; i++) {
            putAndCopy(r, "key-" + i, 100 + 30L * i, 10 + 30L * i);
        }
        assertThat(new CompactionView(keyDir).slotCount()).isGreaterThan(16);

        assertThat(r.apply(new CompactionView(keyDir), set)).isEqualTo(n);

        for (int i = 0; i < n; i++) {
            assertThat(keyDir.get(new Key(bytes("key-" + i))))
                    .isEqualTo(new Location(output.id(), 10 + 30L * i, 30, 0));
        }
        assertThat(output.liveBytes()).isEqualTo(30L * n);
    }

    @Test
    void switchesInBatchesFindTheirKeysAgainAfterTheTableGrew() {
        Relocations r = relocations();
        int n = 3 * Relocations.BATCH + 7;
        for (int i = 0; i < n; i++) {
            putAndCopy(r, "key-" + i, 100 + 30L * i, 10 + 30L * i);
        }
        // Growth after the probes: every slot they noted is stale.
        for (int i = 0; i < 4 * n; i++) {
            keyDir.put(new Key(bytes("filler-" + i)), new Location(input.id(), 1_000_000 + i, 30, 0));
        }

        assertThat(r.apply(new CompactionView(keyDir), set)).isEqualTo(n);

        for (int i = 0; i < n; i++) {
            assertThat(keyDir.get(new Key(bytes("key-" + i))))
                    .isEqualTo(new Location(output.id(), 10 + 30L * i, 30, 0));
        }
    }
}
