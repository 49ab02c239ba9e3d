package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BasicOperationsTest {
    @TempDir
    Path dir;

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String s(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void putGetDeleteAcrossReopen() {
        try (FerrumDB db = FerrumDB.open(dir)) {
            db.put(b("a"), b("1"));
            db.put(b("b"), b("2"));
            db.put(b("a"), b("3"));
            assertThat(s(db.get(b("a")))).isEqualTo("3");
            assertThat(db.delete(b("b"))).isTrue();
            assertThat(db.delete(b("b"))).isFalse();
            assertThat(db.delete(b("never"))).isFalse();
            assertThat(db.get(b("b"))).isNull();
            assertThat(db.size()).isEqualTo(1);
            assertThat(db.contains(b("a"))).isTrue();
        }
        try (FerrumDB db = FerrumDB.open(dir)) {
            assertThat(s(db.get(b("a")))).isEqualTo("3");
            assertThat(db.get(b("b"))).isNull();
            assertThat(db.size()).isEqualTo(1);
            assertThat(db.recoveryReport()).isEmpty();
        }
    }

    @Test
    void anEmptyBatchOnAClosedHandleIsRefusedSyncAndAsync() {
        FerrumDB db = FerrumDB.open(dir);
        assertThat(db.writeAsync(new WriteBatch())).isCompleted();
        db.close();
        assertThatThrownBy(() -> db.write(new WriteBatch())).isInstanceOf(DatabaseClosedException.class);
        assertThat(db.writeAsync(new WriteBatch())).isCompletedExceptionally();
        assertThatThrownBy(() -> db.writeAsync(new WriteBatch()).join())
                .hasCauseInstanceOf(DatabaseClosedException.class);
    }

    @Test
    void emptyKeyAndEmptyValueAreAllowed() {
        try (FerrumDB db = FerrumDB.open(dir)) {
            db.put(new byte[0], new byte[0]);
            assertThat(db.get(new byte[0])).isEmpty();
        }
        try (FerrumDB db = FerrumDB.open(dir)) {
            assertThat(db.get(new byte[0])).isEmpty();
        }
    }

    @Test
    void rollsSegmentsAndReadsFromSealedOnes() {
        Options small = Options.builder().segmentSize(4096).fsyncPolicy(FsyncPolicy.never()).build();
        try (FerrumDB db = FerrumDB.open(dir, small)) {
            for (int i = 0; i < 2000; i++) {
                db.put(b("key" + i), b("value" + i));
            }
            assertThat(db.stats().segments().size()).isGreaterThan(10);
            for (int i = 0; i < 2000; i++) {
                assertThat(s(db.get(b("key" + i)))).isEqualTo("value" + i);
            }
        }
        try (FerrumDB db = FerrumDB.open(dir, small)) {
            assertThat(db.size()).isEqualTo(2000);
            for (int i = 0; i < 2000; i++) {
                assertThat(s(db.get(b("key" + i)))).isEqualTo("value" + i);
            }
        }
    }

    @Test
    void asyncPutsCompleteWhenDurable() {
        try (FerrumDB db = FerrumDB.open(dir)) {
            List<CompletableFuture<Void>> fs = new java.util.ArrayList<>();
            for (int i = 0; i < 500; i++) {
                fs.add(db.putAsync(b("k" + i), b("v" + i)));
            }
            CompletableFuture.allOf(fs.toArray(new CompletableFuture[0])).join();
            assertThat(db.stats().fsyncs()).isLessThan(500);
            assertThat(db.size()).isEqualTo(500);
        }
    }

    @Test
    void batchAndTtl() {
        MutableClock clock = new MutableClock(1_000_000);
        Options o = Options.builder().clock(clock).build();
        try (FerrumDB db = FerrumDB.open(dir, o)) {
            db.write(new WriteBatch().put(b("x"), b("1")).put(b("y"), b("2"), Duration.ofSeconds(10)).delete(b("z")));
            assertThat(db.size()).isEqualTo(2);
            clock.advance(Duration.ofSeconds(10));
            assertThat(db.get(b("y"))).isNull();
            assertThat(db.contains(b("y"))).isFalse();
            assertThat(db.size()).isEqualTo(1);
            assertThat(db.keys().map(FerrumDB_s::s).collect(Collectors.toList())).containsExactly("x");
        }
    }

    @Test
    void statsCountEveryPutAndDeleteSingleBatchedAsyncAndFromSeveralThreads() throws Exception {
        try (FerrumDB db = FerrumDB.open(dir, Options.builder().fsyncPolicy(FsyncPolicy.never()).build())) {
            db.put(b("a"), b("1"));
            db.delete(b("a"));
            db.delete(b("never")); // absent: nothing is written, nothing counted
            db.write(new WriteBatch().put(b("x"), b("1")).put(b("y"), b("2")).delete(b("z")));
            db.putAsync(b("p"), b("1")).join();
            db.deleteAsync(b("p")).join();
            Thread[] writers = new Thread[3];
            for (int t = 0; t < writers.length; t++) {
                int id = t;
                writers[t] = new Thread(() -> {
                    for (int i = 0; i < 1_000; i++) {
                        db.put(b("w" + id + "-" + i), b("v"));
                    }
                });
                writers[t].start();
            }
            for (Thread w : writers) {
                w.join();
            }
            Stats stats = db.stats();
            assertThat(stats.puts()).isEqualTo(1 + 2 + 1 + 3_000);
            assertThat(stats.deletes()).isEqualTo(1 + 1 + 1);
        }
    }

    static final class FerrumDB_s {
        static String s(byte[] b) {
            return BasicOperationsTest.s(b);
        }
    }

    @Test
    void badInputGetsClearErrors() {
        try (FerrumDB db = FerrumDB.open(dir)) {
            assertThatThrownBy(() -> db.put(null, b("v"))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("key");
            assertThatThrownBy(() -> db.put(new byte[Limits.MAX_KEY_SIZE + 1], b("v")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("65535");
            db.put(b("ok"), b("still usable"));
            assertThat(s(db.get(b("ok")))).isEqualTo("still usable");
        }
    }

    @Test
    void secondOpenIsLocked() {
        try (FerrumDB db = FerrumDB.open(dir)) {
            assertThatThrownBy(() -> FerrumDB.open(dir)).isInstanceOf(DatabaseLockedException.class)
                    .hasMessageContaining(dir.toString());
        }
        FerrumDB.open(dir).close();
    }

    /** The ordered index is built in the background at open: scans right after open, and writes meanwhile, see it. */
    @Test
    void scanRightAfterReopenSeesEveryKeyAndTheWritesMadeWhileTheIndexWasBuilt() {
        Options o = Options.builder().fsyncPolicy(FsyncPolicy.never()).autoCompaction(false).build();
        int n = 200_000;
        try (FerrumDB db = FerrumDB.open(dir, o)) {
            WriteBatch batch = new WriteBatch();
            for (int i = 0; i < n; i++) {
                batch.put(b(String.format("k%07d", i)), new byte[] {1});
                if (batch.size() == 10_000) {
                    db.write(batch);
                    batch = new WriteBatch();
                }
            }
        }
        try (FerrumDB db = FerrumDB.open(dir, o)) {
            db.delete(b("k0000000"));
            db.put(b("k9999999"), b("new"));
            assertThat(db.count(KeyRange.all())).isEqualTo(n);
            assertThat(db.firstKey(KeyRange.all())).hasValueSatisfying(k -> assertThat(s(k)).isEqualTo("k0000001"));
            assertThat(db.lastKey(KeyRange.all())).hasValueSatisfying(k -> assertThat(s(k)).isEqualTo("k9999999"));
        }
    }

    @Test
    void scansInKeyOrder() {
        try (FerrumDB db = FerrumDB.open(dir)) {
            for (String k : List.of("b", "a", "c", "ab", "ba")) {
                db.put(b(k), b(k.toUpperCase()));
            }
            try (RangeIterator it = db.iterate(KeyRange.prefix(b("a")))) {
                assertThat(it.next().key()).isEqualTo(b("a"));
                assertThat(s(it.next().value())).isEqualTo("AB");
                assertThat(it.hasNext()).isFalse();
            }
            assertThat(db.keys(KeyRange.all().reversed()).map(BasicOperationsTest::s).collect(Collectors.toList()))
                    .containsExactly("c", "ba", "b", "ab", "a");
            assertThat(db.count(KeyRange.closedOpen(b("ab"), b("c")))).isEqualTo(3);
        }
        assertThat(Files.exists(dir.resolve("LOCK"))).isTrue();
    }
}
