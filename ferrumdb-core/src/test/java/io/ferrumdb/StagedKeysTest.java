package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The key directory's staged keys (ARCHITECTURE.md, "The key directory") seen through the database: single puts
 * stage their keys and drains write them into the slot table, at a full stage, before every roll, before scans,
 * {@code size} and close. A key whose put returned is found by every reader, whichever of the two holds it, while
 * segments roll and compaction copies and retires them.
 */
class StagedKeysTest {
    @TempDir
    Path dir;

    private static byte[] key(int i) {
        return ByteBuffer.allocate(8).putInt(0x6b657921).putInt(i).array();
    }

    private static byte[] value(int i, int round) {
        return ByteBuffer.allocate(40).putInt(i).putInt(round).array();
    }

    private static int roundOf(int i, byte[] value) {
        ByteBuffer b = ByteBuffer.wrap(value);
        assertThat(b.getInt()).as("value of key %d names its key", i).isEqualTo(i);
        return b.getInt();
    }

    /**
     * One writer puts keys 0..n-1, then each again (round 1), in 32 KiB segments (a roll about every 500 puts); a
     * compaction thread compacts all the while and two readers check every key whose put returned: found, with that
     * put's value or a newer one. Then a reopen finds every key's last value.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aKeyOncePutIsFoundThroughRollsAndCompactions(boolean ordered) throws Exception {
        int n = 20_000;
        Options options = Options.builder().segmentSize(32 << 10).fsyncPolicy(FsyncPolicy.never())
                .orderedKeys(ordered).autoCompaction(false).build();
        AtomicInteger firstDone = new AtomicInteger();
        AtomicInteger secondDone = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            List<Thread> threads = new ArrayList<>();
            threads.add(new Thread(() -> {
                try {
                    while (!stop.get()) {
                        db.compact();
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }, "compactor"));
            for (int r = 0; r < 2; r++) {
                int seed = r;
                threads.add(new Thread(() -> {
                    SplittableRandom rnd = new SplittableRandom(seed);
                    try {
                        while (!stop.get()) {
                            int second = secondDone.get();
                            int first = firstDone.get();
                            if (first == 0) {
                                Thread.onSpinWait();
                                continue;
                            }
                            int i = rnd.nextInt(first);
                            byte[] v = db.get(key(i));
                            assertThat(v).as("key %d, put %s", i, i < second ? "twice" : "once").isNotNull();
                            assertThat(roundOf(i, v)).as("round of key %d", i).isGreaterThanOrEqualTo(i < second ? 1 : 0);
                            assertThat(db.contains(key(i))).isTrue();
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }, "reader-" + r));
            }
            threads.forEach(Thread::start);
            try {
                for (int round = 0; round < 2 && failures.isEmpty(); round++) {
                    AtomicInteger done = round == 0 ? firstDone : secondDone;
                    for (int i = 0; i < n && failures.isEmpty(); i++) {
                        db.put(key(i), value(i, round));
                        done.set(i + 1);
                    }
                }
            } finally {
                stop.set(true);
                for (Thread t : threads) {
                    t.join();
                }
            }
            assertThat(failures).isEmpty();
            assertThat(db.size()).isEqualTo(n);
        }
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            assertThat(db.size()).isEqualTo(n);
            for (int i = 0; i < n; i++) {
                assertThat(roundOf(i, db.get(key(i)))).isEqualTo(1);
            }
        }
    }

    /**
     * Keys staged when {@code compact()} rolls the active segment: the roll drains them into the table first, so
     * compaction, which switches table entries, copies their records and no reader is left with an entry in a
     * retired segment.
     */
    @Test
    void compactionRightAfterPutsKeepsTheStagedKeys() {
        Options options = Options.builder().fsyncPolicy(FsyncPolicy.never()).autoCompaction(false).build();
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < 10; i++) {
                    db.put(key(i), value(i, round));
                }
                db.compact();
                for (int i = 0; i < 10; i++) {
                    assertThat(db.get(key(i))).as("key %d after compaction %d", i, round).isEqualTo(value(i, round));
                }
            }
        }
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            for (int i = 0; i < 10; i++) {
                assertThat(db.get(key(i))).isEqualTo(value(i, 2));
            }
        }
    }

    /**
     * What reads the whole directory drains the stage first: {@code size}, a scan and key iteration see keys put
     * just before, as do the live bytes a compaction judges segments by (an overwrite whose put was staged must
     * count its old record dead before compaction chooses).
     */
    @Test
    void wholeDirectoryReadsSeeStagedKeys() {
        Options options = Options.builder().fsyncPolicy(FsyncPolicy.never()).orderedKeys(true).build();
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            for (int i = 0; i < 10; i++) {
                db.put(key(i), value(i, 0));
            }
            assertThat(db.size()).isEqualTo(10);
            db.put(key(10), value(10, 0));
            assertThat(db.keys().count()).isEqualTo(11);
            db.put(key(11), value(11, 0));
            assertThat(db.keys(KeyRange.all()).count()).isEqualTo(12);
            assertThat(db.lastKey(KeyRange.all())).hasValueSatisfying(k -> assertThat(k).isEqualTo(key(11)));
            db.put(key(12), value(12, 0));
            assertThat(db.delete(key(12))).isTrue();
            assertThat(db.get(key(12))).isNull();
            assertThat(db.size()).isEqualTo(12);
        }
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            assertThat(db.size()).isEqualTo(12);
            assertThat(db.get(key(11))).isEqualTo(value(11, 0));
        }
    }
}
