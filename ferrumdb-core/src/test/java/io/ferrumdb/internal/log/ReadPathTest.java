package io.ferrumdb.internal.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.CorruptionException;
import io.ferrumdb.FerrumException;
import io.ferrumdb.ReadRetriesExhaustedException;
import io.ferrumdb.internal.format.CipherSuite;
import io.ferrumdb.internal.format.RecordFormat;
import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.keydir.Key;
import io.ferrumdb.internal.keydir.Location;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read path alone, with a scripted key directory: the lookups a read makes while compaction moves its record,
 * the bound on its retries, and what it refuses to return.
 */
class ReadPathTest {
    private static final long NOW = 1_000_000;

    @TempDir
    Path dir;

    private SegmentSet set;
    /** Where the record "key" = "value" (sequence 7) lies. */
    private Location stored;
    /** Where a tombstone of "key" (sequence 8) lies, after it. */
    private Location tombstone;

    @BeforeEach
    void setUp() throws Exception {
        SegmentFiles files = new SegmentFiles(FileIO.nio(), dir, new byte[16], CipherSuite.PLAINTEXT);
        set = new SegmentSet(files, new SegmentManifest(files, List.of()));
        SegmentOutput out = new SegmentOutput(files, set.allocateId(), 1 << 20);
        stored = out.append(RecordFormat.TYPE_PUT, bytes("key"), bytes("value"), 7, 0);
        tombstone = out.append(RecordFormat.TYPE_DELETE, bytes("key"), new byte[0], 8, 0);
        out.finishUnderTemporaryName();
        files.io().rename(out.tmpPath(), files.dataPath(out.segment().id()));
        set.publish(List.of(out));
    }

    @AfterEach
    void tearDown() throws Exception {
        set.closeAll();
    }

    private ReadPath reads(Function<Key, Location> lookup) {
        return new ReadPath((key, into) -> {
            Location loc = lookup.apply(new Key(key));
            if (loc != null) {
                into.set(loc);
            }
            return loc != null;
        }, set, null, () -> NOW, () -> { });
    }

    @Test
    void readsAndVerifiesTheRecordTheKeyDirectoryNames() {
        RecordCheck.Valid p = reads(k -> stored).read(key("key"));
        assertThat(p.value()).isEqualTo(bytes("value"));
        assertThat(p.sequence()).isEqualTo(7);
    }

    @Test
    void absentAndExpiredKeysReadAsNull() {
        assertThat(reads(k -> null).read(key("key"))).isNull();
        Location expired = new Location(stored.segmentId(), stored.offset(), stored.recordSize(), NOW - 1);
        assertThat(reads(k -> expired).read(key("key"))).isNull();
    }

    @Test
    void aRecordMovedByCompactionIsLookedUpAgain() {
        Location retired = new Location(999, 64, stored.recordSize(), 0);
        // First lookup: the old location; the check after the failed read and the retry: the new one.
        ArrayDeque<Location> script = new ArrayDeque<>(List.of(retired, stored, stored));
        AtomicInteger lookups = new AtomicInteger();
        RecordCheck.Valid p = reads(k -> {
            lookups.incrementAndGet();
            return script.poll();
        }).read(key("key"));
        assertThat(p.value()).isEqualTo(bytes("value"));
        assertThat(lookups).hasValue(3);
    }

    @Test
    void retriesAreBoundedAndTheErrorNamesTheKey() {
        AtomicInteger lookups = new AtomicInteger();
        // Every lookup names a segment that is gone by the time it is read: compaction wins every race.
        ReadPath reads = reads(k -> new Location(1000 + lookups.incrementAndGet(), 64, 20, 0));
        assertThatThrownBy(() -> reads.read(key("hot")))
                .isInstanceOfSatisfying(ReadRetriesExhaustedException.class, e -> {
                    assertThat(e.key()).isEqualTo(bytes("hot"));
                    assertThat(e.attempts()).isEqualTo(ReadPath.MAX_ATTEMPTS);
                })
                .hasMessageContaining("686f74"); // "hot" in hex
        assertThat(lookups).hasValue(2 * ReadPath.MAX_ATTEMPTS);
    }

    @Test
    void aSegmentGoneWhileTheKeyDirectoryStillNamesItIsAnError() {
        Location dangling = new Location(999, 64, 20, 0);
        assertThatThrownBy(() -> reads(k -> dangling).read(key("key")))
                .isInstanceOf(FerrumException.class)
                .hasMessageContaining("segment 999 which is gone");
    }

    @Test
    void aRecordThatDoesNotMatchTheKeyDirectoryIsCorruptionNeverData() {
        // The entry names another record of the key (its tombstone): the location identifies the record, and the
        // record there must be a PUT of the key, on the GET fast path (readValue) as on the checked one (read).
        assertThatThrownBy(() -> reads(k -> tombstone).read(key("key")))
                .isInstanceOf(CorruptionException.class)
                .hasMessageContaining("does not match the key directory");
        assertThatThrownBy(() -> reads(k -> tombstone).readValue(bytes("key")))
                .isInstanceOf(CorruptionException.class)
                .hasMessageContaining("does not match the key directory");
        assertThatThrownBy(() -> reads(k -> stored).read(key("other")))
                .isInstanceOf(CorruptionException.class);
        assertThatThrownBy(() -> reads(k -> stored).readValue(bytes("other")))
                .isInstanceOf(CorruptionException.class);
    }

    private static Key key(String s) {
        return new Key(bytes(s));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
