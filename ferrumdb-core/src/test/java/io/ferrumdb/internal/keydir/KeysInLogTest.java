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

    @Test
    void loadingComparesKeysInAHeapArenaThatIsDroppedThenComparesRecords() {
        KeyDir dir = KeyDir.keysInLog(16, 0);
        assertThat(dir.keysInLog()).isTrue();
        KeyDirLoader loader = new KeyDirLoader(dir);
        // Segment 2 loads before the older segment 1: the newest record of each key wins by sequence number.
        loader.load(2, List.of(put(a, 0, 10), del(c, 40, 11), put(b, 80, 12)));
        loader.load(1, List.of(put(a, 0, 1), put(b, 40, 2), put(c, 80, 3), put(b, 120, 13)));
        assertThat(dir.keyBytesUsed()).as("the loading arena holds each key once").isEqualTo(3L + a.length + b.length + c.length);
        loader.finish();
        assertThat(dir.keyBytesUsed()).as("no key bytes once loaded").isZero();
        assertThat(dir.size()).isEqualTo(2);

        MapRecords records = new MapRecords();
        records.put(2, 0, a);
        records.put(1, 120, b);
        dir.keysInRecords(records);
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
