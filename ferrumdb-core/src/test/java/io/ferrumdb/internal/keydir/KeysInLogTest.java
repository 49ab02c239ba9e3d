package io.ferrumdb.internal.keydir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.FerrumException;
import io.ferrumdb.internal.format.HintFile;
import io.ferrumdb.internal.format.RecordFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A hash-only key directory that keeps no key bytes ({@link KeyDir#keysInLog}), over records held by a map: keys
 * are compared with "records" only. Headers keep no hash bits beyond the tag, so three keys of one tag share one
 * header (a forced collision) and every compare goes to the records.
 */
class KeysInLogTest {
    private static byte[] a;
    private static byte[] b;
    private static byte[] c;

    @BeforeAll
    static void collidingKeys() {
        byte[][] keys = CollidingKeys.three();
        a = keys[0];
        b = keys[1];
        c = keys[2];
    }

    private static HintFile.Entry put(byte[] key, long offset, long sequence) {
        return new HintFile.Entry(RecordFormat.TYPE_PUT, key, 40, offset, sequence, 0);
    }

    private static HintFile.Entry del(byte[] key, long offset, long sequence) {
        return new HintFile.Entry(RecordFormat.TYPE_DELETE, key, 40, offset, sequence, 0);
    }

    /** "Records" holding the keys of {@code entries}, segment {@code id}'s, added to {@code records}. */
    private static List<HintFile.Entry> segment(MapRecords records, int id, HintFile.Entry... entries) {
        for (HintFile.Entry e : entries) {
            records.put(id, e.offset(), e.key());
        }
        return List.of(entries);
    }

    @Test
    void loadingComparesKeysWithTheRecordsAndKeepsNoKeyBytes() {
        KeyDir dir = KeyDir.keysInLog(16, 0);
        assertThat(dir.keysInLog()).isTrue();
        MapRecords records = new MapRecords();
        dir.keysInRecords(records);
        KeyDirLoader loader = new KeyDirLoader(dir);
        // Segment 2 loads before the older segment 1: the newest record of each key wins by sequence number.
        loader.load(2, segment(records, 2, put(a, 0, 10), del(c, 40, 11), put(b, 80, 12)));
        int afterFirst = records.compares;
        loader.load(1, segment(records, 1, put(a, 0, 1), put(b, 40, 2), put(c, 80, 3), put(b, 120, 13)));
        assertThat(records.compares).as("each record of segment 1 compared with the slots sharing its header")
                .isGreaterThanOrEqualTo(afterFirst + 4);
        assertThat(dir.keyBytesUsed()).as("no key bytes while loading").isZero();
        loader.finish();
        assertThat(dir.keyBytesUsed()).as("no key bytes once loaded").isZero();
        assertThat(dir.size()).isEqualTo(2);

        assertThat(dir.get(new Key(a))).isEqualTo(new Location(2, 0, 40, 0));
        assertThat(dir.get(new Key(b))).isEqualTo(new Location(1, 120, 40, 0));
        assertThat(dir.get(new Key(c))).isNull();
        assertThat(records.compares).as("c's lookup compared both records sharing its header").isGreaterThanOrEqualTo(2);

        // A put of c compares both records before taking a free slot; a put of a finds a's own slot.
        dir.put(new Key(c), new Location(3, 0, 40, 0));
        records.put(3, 0, c);
        Location previous = dir.put(new Key(a), new Location(3, 40, 40, 0));
        records.put(3, 40, a);
        assertThat(previous).isEqualTo(new Location(2, 0, 40, 0));
        assertThat(dir.size()).isEqualTo(3);
        assertThat(dir.remove(new Key(b))).isEqualTo(new Location(1, 120, 40, 0));
        assertThat(dir.get(new Key(b))).isNull();
        assertThat(dir.get(new Key(c))).isEqualTo(new Location(3, 0, 40, 0));
        assertThat(dir.get(new Key(a))).isEqualTo(new Location(3, 40, 40, 0));
        Set<String> iterated = new HashSet<>();
        dir.entries().forEachRemaining(e -> iterated.add(e.getKey().toString()));
        assertThat(iterated).containsExactlyInAnyOrder(new Key(a).toString(), new Key(c).toString());
    }

    /**
     * Tombstones of keys sharing one header, across segments loaded in any order: a tombstone names its delete
     * record, so a later-loaded record sharing its header is compared with that record (a record never written
     * fails {@link MapRecords}), and shadows only older records of its own key.
     */
    @Test
    void tombstonesOfKeysSharingAHeaderShadowOnlyTheirOwnKeyWhateverTheLoadOrder() {
        MapRecords records = new MapRecords();
        java.util.Map<Integer, List<HintFile.Entry>> segs = java.util.Map.of(
                1, segment(records, 1, put(a, 0, 1), put(b, 40, 2), put(c, 80, 3)),
                2, segment(records, 2, del(a, 0, 4), del(b, 40, 5), put(c, 80, 6)),
                // a compaction output: a higher id, older records (b re-put after its delete, c's delete older)
                7, segment(records, 7, put(b, 0, 7), del(c, 40, 2), del(a, 80, 8)),
                8, segment(records, 8, put(a, 0, 9), del(b, 40, 10)));
        for (List<Integer> order : List.of(List.of(1, 2, 7, 8), List.of(8, 7, 2, 1), List.of(2, 8, 1, 7),
                List.of(7, 1, 8, 2))) {
            KeyDir dir = KeyDir.keysInLog(4, 0); // grows while loading, tombstones with it
            dir.keysInRecords(records);
            KeyDirLoader loader = new KeyDirLoader(dir);
            for (int id : order) {
                loader.load(id, segs.get(id));
            }
            assertThat(loader.finish()).as("tombstones cleared, order %s", order).isEqualTo(1);
            assertThat(dir.get(new Key(a))).as("a put at 9, order %s", order).isEqualTo(new Location(8, 0, 40, 0));
            assertThat(dir.get(new Key(b))).as("b deleted at 10, order %s", order).isNull();
            assertThat(dir.get(new Key(c))).as("c put at 6, order %s", order).isEqualTo(new Location(2, 80, 40, 0));
            assertThat(dir.size()).isEqualTo(2);
            assertThat(new long[] {loader.liveBytes(1), loader.liveBytes(2), loader.liveBytes(7), loader.liveBytes(8)})
                    .as("order %s", order).containsExactly(0, 40, 0, 40);
        }
    }

    @Test
    void anEntryWhoseSegmentIsGoneWhileItStillNamesItIsAnErrorNotAnAbsentKey() {
        KeyDir dir = KeyDir.keysInLog(16, 0);
        new KeyDirLoader(dir).finish();
        MapRecords records = new MapRecords();
        dir.keysInRecords(records);
        dir.put(new Key(a), new Location(1, 0, 40, 0));
        records.put(1, 0, a);
        records.gone.add(1);
        assertThatThrownBy(() -> dir.get(new Key(b))).isInstanceOf(FerrumException.class)
                .hasMessageContaining("segment 1 which is gone");
    }

    @Test
    void aCompareBeforeTheLogIsAttachedIsRefused() {
        KeyDir dir = KeyDir.keysInLog(16, 0);
        new KeyDirLoader(dir).finish();
        dir.put(new Key(a), new Location(1, 0, 40, 0));
        assertThatThrownBy(() -> dir.get(new Key(b))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no log to compare keys with");
    }
}
