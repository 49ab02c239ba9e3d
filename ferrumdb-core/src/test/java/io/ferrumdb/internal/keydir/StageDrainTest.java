package io.ferrumdb.internal.keydir;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

/**
 * The drain of staged puts ({@link StageDrain}) alone: off until turned on; a drain from another thread runs through
 * the writer's lock it was given, and only when something is staged; it reports the table entries it replaced (the
 * segments' live bytes) and leaves every key readable; a full stage drains before the next key is staged; a lookup
 * that met damage drains only when it holds no mutation lock (the lock order: writer's, then mutation).
 */
class StageDrainTest {
    private static byte[] key(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The log writer's lock, and what ran under it. */
    private static final class WriterLock {
        final ReentrantLock lock = new ReentrantLock();
        int drains;

        void run(Runnable drain) {
            lock.lock();
            try {
                drains++;
                drain.run();
            } finally {
                lock.unlock();
            }
        }
    }

    /** A put as the log writer makes it: under its lock. */
    private static long put(KeyDir dir, WriterLock w, String k, int segment, long offset, long expiresAt) {
        w.lock.lock();
        try {
            byte[] b = key(k);
            return dir.put(b, 0, b.length, segment, offset, 40, expiresAt);
        } finally {
            w.lock.unlock();
        }
    }

    @Test
    void offUntilTurnedOnPutsGoStraightToTheTable() {
        KeyDir dir = new KeyDir(false, 16);
        WriterLock w = new WriterLock();
        assertThat(dir.stage.isOn()).isFalse();
        assertThat(put(dir, w, "a", 1, 0, 0)).isEqualTo(KeyDir.ABSENT);
        assertThat(dir.table.live).as("in the table at once").isEqualTo(1);
        assertThat(put(dir, w, "a", 1, 40, 0)).as("the table's previous entry").isEqualTo(1L << 32 | 40);

        dir.stageNewKeys(w::run, previous -> { });
        assertThat(dir.stage.isOn()).isTrue();
        assertThat(put(dir, w, "b", 1, 80, 0)).isEqualTo(KeyDir.ABSENT);
        assertThat(dir.table.live).as("b is staged, not in the table").isEqualTo(1);
        assertThat(dir.get(new Key(key("b")))).as("but readable").isEqualTo(new Location(1, 80, 40, 0));
    }

    @Test
    void aDrainRunsUnderTheWritersLockOnlyWhenSomethingIsStagedAndReportsWhatItReplaced() {
        KeyDir dir = new KeyDir(false, 16);
        WriterLock w = new WriterLock();
        List<Long> replaced = new ArrayList<>();
        dir.stageNewKeys(w::run, replaced::add);
        dir.drainStaged();
        assertThat(w.drains).as("nothing staged: no lock taken").isZero();

        // A put with a TTL is never staged: it goes to the table, and the staged put of its key replaces it there.
        put(dir, w, "a", 1, 0, 9_999);
        assertThat(put(dir, w, "a", 2, 0, 0)).as("the staged put does not report the table's entry").isEqualTo(
                KeyDir.ABSENT);
        put(dir, w, "b", 2, 40, 0);
        assertThat(replaced).isEmpty();

        dir.drainStaged();
        assertThat(w.drains).isEqualTo(1);
        assertThat(replaced).as("the drain reports it: segment 1, 40 bytes").containsExactly(1L << 32 | 40);
        assertThat(dir.table.live).isEqualTo(2);
        assertThat(dir.get(new Key(key("a")))).isEqualTo(new Location(2, 0, 40, 0));
        assertThat(dir.get(new Key(key("b")))).isEqualTo(new Location(2, 40, 40, 0));
        dir.drainStaged();
        assertThat(w.drains).as("drained: nothing left").isEqualTo(1);
    }

    @Test
    void aFullStageDrainsBeforeTheNextKeyIsStaged() {
        KeyDir dir = new KeyDir(false, 16);
        WriterLock w = new WriterLock();
        dir.stageNewKeys(w::run, previous -> { });
        for (int i = 0; i < StagedKeys.CAPACITY; i++) {
            put(dir, w, "k" + i, 1, 40L * i, 0);
        }
        assertThat(dir.table.live).isZero();
        put(dir, w, "one more", 1, 40L * StagedKeys.CAPACITY, 0);
        assertThat(dir.table.live).as("the full stage went into the table first").isEqualTo(StagedKeys.CAPACITY);
        assertThat(w.drains).as("on the writer's thread, which holds its lock").isZero();
        assertThat(dir.size()).isEqualTo(StagedKeys.CAPACITY + 1);
        for (int i = 0; i < StagedKeys.CAPACITY; i++) {
            assertThat(dir.get(new Key(key("k" + i)))).isEqualTo(new Location(1, 40L * i, 40, 0));
        }
    }

    @Test
    void aLookupThatMetDamageDrainsOnlyWithoutTheMutationLock() {
        KeyDir dir = new KeyDir(false, 16);
        WriterLock w = new WriterLock();
        assertThat(dir.stage.drainedForDamage()).as("staging off").isFalse();
        dir.stageNewKeys(w::run, previous -> { });
        assertThat(dir.stage.drainedForDamage()).as("nothing staged").isFalse();
        put(dir, w, "a", 1, 0, 0);
        synchronized (dir.mutation) {
            assertThat(dir.stage.drainedForDamage()).as("holding the mutation lock").isFalse();
        }
        assertThat(w.drains).isZero();
        assertThat(dir.stage.drainedForDamage()).isTrue();
        assertThat(w.drains).isEqualTo(1);
        assertThat(dir.table.live).isEqualTo(1);
    }
}
