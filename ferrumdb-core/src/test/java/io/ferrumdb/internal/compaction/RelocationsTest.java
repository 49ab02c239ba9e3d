package io.ferrumdb.internal.compaction;

import static org.assertj.core.api.Assertions.assertThat;

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
 * past the room made for it.
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
        Relocations r = new Relocations();
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

    @Test
    void theListGrowsPastTheRoomMadeForItAndSwitchesEveryEntry() {
        Relocations r = new Relocations();
        r.ensureRoom(3);
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
    void switchesInBatchesFindTheirKeysAgainAfterTheTableGrew() {
        Relocations r = new Relocations();
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
