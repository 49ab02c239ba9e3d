package io.ferrumdb.internal.compaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.internal.format.CipherSuite;
import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.keydir.CompactionView;
import io.ferrumdb.internal.keydir.Key;
import io.ferrumdb.internal.keydir.KeyDir;
import io.ferrumdb.internal.keydir.Location;
import io.ferrumdb.internal.log.Segment;
import io.ferrumdb.internal.log.SegmentFiles;
import io.ferrumdb.internal.log.SegmentManifest;
import io.ferrumdb.internal.log.SegmentSet;
import io.ferrumdb.internal.log.TestWrites;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A compaction's live records alone: the walk marks exactly the records keys name in the inputs (records as close
 * as a header apart each get their own bit), the copies are numbered so that each record finds its own, only keys
 * still naming a copied record switch, and live bytes follow exactly the switched records.
 */
class LiveRecordsTest {
    @TempDir
    Path dir;

    private SegmentSet set;
    private Segment input;
    private Segment between;
    private Segment secondInput;
    private Segment output;
    private Segment secondOutput;
    private final KeyDir keyDir = new KeyDir(false, 16);

    @BeforeEach
    void setUp() throws Exception {
        SegmentFiles files = new SegmentFiles(FileIO.nio(), dir, new byte[16], CipherSuite.PLAINTEXT);
        SegmentManifest.write(files, new java.util.TreeSet<>());
        set = new SegmentSet(files, new SegmentManifest(files, List.of()));
        input = set.createActive();
        between = set.createActive();
        secondInput = set.createActive();
        output = set.createActive();
        secondOutput = set.createActive();
        for (Segment s : List.of(input, between, secondInput)) {
            // The bitmaps cover the inputs' written bytes: make room for the offsets the tests name.
            TestWrites.writtenUpTo(s, 2_000_000);
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        set.closeAll();
    }

    private static Key key(String s) {
        return new Key(s.getBytes(StandardCharsets.UTF_8));
    }

    private void put(String key, Segment in, long offset, int size) {
        Location at = new Location(in.id(), offset, size, 0);
        Location old = keyDir.put(key(key), at);
        if (old != null) {
            set.release(old);
        }
        set.addLive(at);
    }

    private LiveRecords walk() {
        return LiveRecords.of(new CompactionView(keyDir), List.of(secondInput, input));
    }

    @Test
    void theWalkMarksExactlyTheRecordsKeysName() {
        int n = 3_000;
        for (int i = 0; i < n; i++) {
            // Records a header apart: neighbours in the bitmap's grain.
            put("a-" + i, input, 64 + (long) LiveRecords.GRAIN * i, LiveRecords.GRAIN);
            put("b-" + i, i % 2 == 0 ? secondInput : between, 64 + 100L * i, 100);
        }
        put("a-7", output, 0, 30); // overwritten
        keyDir.remove(key("a-8"));

        LiveRecords live = walk();

        int in = live.input(input.id());
        int second = live.input(secondInput.id());
        for (int i = 0; i < n; i++) {
            assertThat(live.isLive(in, 64 + (long) LiveRecords.GRAIN * i)).as("a-%d", i).isEqualTo(i != 7 && i != 8);
            assertThat(live.isLive(second, 64 + 100L * i)).as("b-%d", i).isEqualTo(i % 2 == 0);
        }
        // Bytes between records carry no bit.
        assertThat(live.isLive(second, 64 + 100L * 2 + LiveRecords.GRAIN)).isFalse();
    }

    /**
     * Copied by bitmap, the live records come in file order at their exact offsets (wherever in its grain a record
     * starts), across bitmap words, each in the one share its first byte falls in; the other input is not.
     */
    @Test
    void theLiveRecordsOfAnInputCopiedByBitmapComeInFileOrderAtTheirExactOffsets() {
        java.util.TreeSet<Long> named = new java.util.TreeSet<>();
        long offset = 64;
        for (int i = 0; i < 3_000; i++) {
            // Gaps from a header to a few bitmap words: records start anywhere in their grains.
            if (i % 3 != 1) {
                put("a-" + i, input, offset, LiveRecords.GRAIN);
                named.add(offset);
            }
            offset += LiveRecords.GRAIN + (i * 7919L) % (i % 50 == 0 ? 9_000 : 90);
            put("b-" + i, secondInput, 64 + 100L * i, 100);
        }
        LiveRecords live = LiveRecords.of(new CompactionView(keyDir), List.of(secondInput, input),
                s -> s == input, new RunArrays());
        int in = live.input(input.id());
        assertThat(live.byBitmap(in)).isTrue();
        assertThat(live.byBitmap(live.input(secondInput.id()))).isFalse();

        List<Long> all = new java.util.ArrayList<>();
        long[] cuts = {0, 64, 65, 100, 50_000, 50_001, 333_333, offset - 1, offset, 2_000_000};
        for (int c = 0; c + 1 < cuts.length; c++) {
            List<Long> share = new java.util.ArrayList<>();
            for (long at = live.nextLive(in, cuts[c], cuts[c + 1]); at >= 0; at = live.nextLive(in, at + 1, cuts[c + 1])) {
                assertThat(at).isGreaterThanOrEqualTo(cuts[c]).isLessThan(cuts[c + 1]);
                share.add(at);
            }
            assertThat(share).as("share [%d, %d)", cuts[c], cuts[c + 1])
                    .containsExactlyElementsOf(named.subSet(cuts[c], cuts[c + 1]));
            all.addAll(share);
        }
        assertThat(all).containsExactlyElementsOf(named);
    }

    @Test
    void eachCopiedRecordSwitchesToItsOwnCopyAndLiveBytesFollowTheSwitches() {
        int n = 2_000;
        for (int i = 0; i < n; i++) {
            put("a-" + i, input, 64 + 50L * i, 30 + i % 7);
            put("b-" + i, secondInput, 64 + 50L * i, 30 + i % 7);
            put("c-" + i, between, 64 + 50L * i, 30);
        }
        LiveRecords live = walk();
        int in = live.input(input.id());
        int second = live.input(secondInput.id());
        long[] expected = new long[3]; // the input's bytes left, the outputs' bytes
        for (int i = 0; i < n; i++) {
            int size = 30 + i % 7;
            if (i % 10 == 3) {
                // Kept as it is (its newest record failed to be durable): no copy to switch to.
                expected[0] += size;
                continue;
            }
            // Sealed again under another cipher: the copies are larger; the second input's go to another output.
            live.copied(in, 64 + 50L * i, CompactionView.locationWord(output.id(), 32 + 60L * i), size + 16, 0);
            live.copied(second, 64 + 50L * i, CompactionView.locationWord(secondOutput.id(), 32 + 60L * i),
                    size + 16, 0);
            if (i % 10 == 5) {
                put("a-" + i, input, 1_000_000 + i, 30); // overwritten after its copy, before the switch
                expected[0] += 30;
            } else {
                expected[1] += size + 16;
            }
            expected[2] += size + 16;
        }

        int switched = live.apply(new CompactionView(keyDir), set);

        assertThat(switched).isEqualTo(n - n / 10 - n / 10 + n - n / 10);
        for (int i = 0; i < n; i++) {
            Location a = keyDir.get(key("a-" + i));
            Location b = keyDir.get(key("b-" + i));
            int size = 30 + i % 7;
            if (i % 10 == 3) {
                assertThat(a).isEqualTo(new Location(input.id(), 64 + 50L * i, size, 0));
                assertThat(b).isEqualTo(new Location(secondInput.id(), 64 + 50L * i, size, 0));
            } else {
                assertThat(a).isEqualTo(i % 10 == 5 ? new Location(input.id(), 1_000_000 + i, 30, 0)
                        : new Location(output.id(), 32 + 60L * i, size + 16, 0));
                assertThat(b).isEqualTo(new Location(secondOutput.id(), 32 + 60L * i, size + 16, 0));
            }
            assertThat(keyDir.get(key("c-" + i))).isEqualTo(new Location(between.id(), 64 + 50L * i, 30, 0));
        }
        assertThat(input.liveBytes()).isEqualTo(expected[0]);
        assertThat(output.liveBytes()).isEqualTo(expected[1]);
        assertThat(secondOutput.liveBytes()).isEqualTo(expected[2]);
        assertThat(secondInput.liveBytes()).isEqualTo(expected[0] - 30L * (n / 10));
        assertThat(between.liveBytes()).isEqualTo(30L * n);
    }
}
