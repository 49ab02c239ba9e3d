package io.ferrumdb;

import static io.ferrumdb.BasicOperationsTest.b;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When background compaction's thread starts: at open when the store may already have work for it (dead records,
 * keys that expire), else at the first write; a session that only reads a store at rest starts none.
 */
class CompactorThreadTest {
    @TempDir
    Path dir;

    private static long compactorThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .filter(t -> t.getName().equals("ferrumdb-compactor")).count();
    }

    private static Options options(boolean autoCompaction) {
        return Options.builder().fsyncPolicy(FsyncPolicy.never()).segmentSize(64 * 1024)
                .autoCompaction(autoCompaction).build();
    }

    @Test
    void aStoreAtRestStartsItsCompactorAtTheFirstWrite() {
        try (FerrumDB db = FerrumDB.open(dir, options(true))) {
            for (int i = 0; i < 100; i++) {
                db.put(b("k" + i), b("v" + i));
            }
        }
        long before = compactorThreads();
        try (FerrumDB db = FerrumDB.open(dir, options(true))) {
            assertThat(db.get(b("k7"))).isEqualTo(b("v7"));
            assertThat(compactorThreads()).as("after open and a read").isEqualTo(before);
            db.put(b("k7"), b("new"));
            assertThat(compactorThreads()).as("after the first write").isEqualTo(before + 1);
        }
        assertThat(compactorThreads()).as("after close").isEqualTo(before);
    }

    @Test
    void aStoreWithDeadRecordsStartsItsCompactorAtOpen() {
        try (FerrumDB db = FerrumDB.open(dir, options(false))) {
            // Every record of the first segments is overwritten: they are all dead once later segments are sealed.
            for (int round = 0; round < 20; round++) {
                for (int i = 0; i < 100; i++) {
                    db.put(b("k" + i), new byte[100]);
                }
            }
        }
        long before = compactorThreads();
        try (FerrumDB db = FerrumDB.open(dir, options(true))) {
            assertThat(compactorThreads()).isEqualTo(before + 1);
        }
        assertThat(compactorThreads()).isEqualTo(before);
    }

    @Test
    void aStoreWithExpiringKeysStartsItsCompactorAtOpen() {
        try (FerrumDB db = FerrumDB.open(dir, options(true))) {
            db.put(b("session"), b("token"), Duration.ofDays(1));
        }
        long before = compactorThreads();
        try (FerrumDB db = FerrumDB.open(dir, options(true))) {
            assertThat(compactorThreads()).isEqualTo(before + 1);
        }
    }

    @Test
    void aReadOnlyOrNonCompactingStoreNeverStartsOne() {
        try (FerrumDB db = FerrumDB.open(dir, options(false))) {
            db.put(b("k"), b("v"));
            db.put(b("k"), b("w"));
        }
        long before = compactorThreads();
        try (FerrumDB db = FerrumDB.open(dir, options(false))) {
            db.put(b("k"), b("x"));
            assertThat(compactorThreads()).isEqualTo(before);
        }
    }
}
