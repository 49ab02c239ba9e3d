package io.ferrumdb;

import static io.ferrumdb.BasicOperationsTest.b;
import static io.ferrumdb.BasicOperationsTest.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompactionTest {
    @TempDir
    Path dir;

    private static Options small() {
        return Options.builder().segmentSize(8192).fsyncPolicy(FsyncPolicy.never()).autoCompaction(false).build();
    }

    static long directoryBytes(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    /**
     * Each database keeps its compactions' arrays for its next run (issue 23, session 28): two databases in one JVM,
     * compacted in turn with more and then far fewer records a run (a reused hint buffer then holds a longer hint
     * of the run before, or is replaced by a smaller one), each read back whole after every run and after a reopen;
     * a compaction after close is refused with the typed error.
     */
    @Test
    void twoDatabasesCompactedInTurnKeepTheirOwnArraysAndEveryValue() throws IOException {
        Path[] dirs = {dir.resolve("one"), dir.resolve("two")};
        Map<String, String> expected0 = new java.util.HashMap<>();
        Map<String, String> expected1 = new java.util.HashMap<>();
        List<Map<String, String>> expected = List.of(expected0, expected1);
        FerrumDB[] dbs = {FerrumDB.open(dirs[0], small()), FerrumDB.open(dirs[1], small())};
        try {
            int[] keysPerRound = {300, 900, 40, 5, 600};
            for (int round = 0; round < keysPerRound.length; round++) {
                for (int d = 0; d < 2; d++) {
                    int n = keysPerRound[round] + 37 * d;
                    for (int i = 0; i < n; i++) {
                        String key = "db" + d + "-key" + (i * 7 % 1000);
                        String value = "r" + round + "-" + "v".repeat((i + round + d) % 120);
                        dbs[d].put(b(key), b(value));
                        expected.get(d).put(key, value);
                    }
                    dbs[d].compact();
                }
                for (int d = 0; d < 2; d++) {
                    for (Map.Entry<String, String> e : expected.get(d).entrySet()) {
                        assertThat(s(dbs[d].get(b(e.getKey())))).as("round %d, db %d", round, d)
                                .isEqualTo(e.getValue());
                    }
                    assertThat(dbs[d].stats().liveKeys()).isEqualTo(expected.get(d).size());
                }
            }
        } finally {
            dbs[0].close();
            dbs[1].close();
        }
        FerrumDB closed = dbs[0];
        assertThatThrownBy(closed::compact).isInstanceOf(DatabaseClosedException.class);
        for (int d = 0; d < 2; d++) {
            try (FerrumDB db = FerrumDB.open(dirs[d], small())) {
                for (Map.Entry<String, String> e : expected.get(d).entrySet()) {
                    assertThat(s(db.get(b(e.getKey())))).as("db %d after reopen", d).isEqualTo(e.getValue());
                }
            }
        }
    }

    /**
     * Compaction moves live bytes from its inputs to its outputs in one update per segment. The per-segment figures
     * it leaves must equal what an open recomputes from the key directory, across several inputs and outputs.
     */
    @Test
    void liveBytesPerSegmentAfterCompactionEqualTheRecountAtOpen() throws IOException {
        Map<Long, Long> afterCompaction = new java.util.TreeMap<>();
        try (FerrumDB db = FerrumDB.open(dir, small())) {
            for (int round = 0; round < 4; round++) {
                for (int i = 0; i < 400; i++) {
                    if (round == 0 || i % (round + 1) == 0) {
                        db.put(b("key" + i), b("v" + round + "-" + "y".repeat(i % 90)));
                    }
                }
            }
            db.compact();
            db.put(b("after"), b("compaction"));
            Stats st = db.stats();
            assertThat(st.segments().stream().filter(g -> !g.active()).count()).isGreaterThan(2);
            long sum = 0;
            for (Stats.SegmentStats g : st.segments()) {
                afterCompaction.put(g.id(), g.liveBytes());
                sum += g.liveBytes();
            }
            assertThat(sum).isEqualTo(st.liveBytes());
        }
        try (FerrumDB db = FerrumDB.open(dir, small())) {
            Map<Long, Long> recounted = new java.util.TreeMap<>();
            for (Stats.SegmentStats g : db.stats().segments()) {
                recounted.put(g.id(), g.liveBytes());
            }
            assertThat(recounted).isEqualTo(afterCompaction);
        }
    }

    @Test
    void compactionReclaimsOverwrittenDataAndKeepsEveryLiveValue() throws IOException {
        try (FerrumDB db = FerrumDB.open(dir, small())) {
            for (int round = 0; round < 10; round++) {
                for (int i = 0; i < 300; i++) {
                    db.put(b("key" + i), b("value-" + round + "-" + i + "-" + "x".repeat(40)));
                }
            }
            for (int i = 0; i < 300; i += 3) {
                db.delete(b("key" + i));
            }
            // Under never() the records may still be in the writer's buffer: on a busy machine the flusher lagged
            // and the directory held less than was written, which made the size check below fail.
            db.sync();
            long before = directoryBytes(dir);
            CompactionResult r = db.compact();
            assertThat(r.segmentsCompacted()).isGreaterThan(1);
            assertThat(r.bytesReclaimed()).isPositive();
            assertThat(r.bytesRead()).isEqualTo(r.bytesWritten() + r.bytesReclaimed());
            long after = directoryBytes(dir);
            assertThat(after).isLessThan(before / 5);
            Stats st = db.stats();
            assertThat(st.compactions()).isEqualTo(1);
            assertThat(st.spaceAmplification()).isLessThan(1.3);
            assertValues(db);
        }
        try (FerrumDB db = FerrumDB.open(dir, small())) {
            assertValues(db);
            assertThat(db.recoveryReport()).isEmpty();
        }
    }

    /**
     * Compaction reads a run of consecutive live records with one copy and checks each record of the run once read:
     * a damaged record in the middle of a run of live records is still refused, by its own offset, and the run
     * leaves no output behind and loses nothing.
     */
    @Test
    void aDamagedRecordInsideARunOfLiveRecordsFailsTheCompactionAtItsOffset() throws IOException {
        String value = "v".repeat(60);
        try (FerrumDB db = FerrumDB.open(dir, small())) {
            for (int i = 0; i < 400; i++) {
                db.put(b("key" + i), b(value + i));
            }
        }
        Path first;
        try (Stream<Path> files = Files.list(dir)) {
            first = files.filter(p -> p.getFileName().toString().endsWith(".seg")).sorted().findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(first);
        int flipped = bytes.length / 2;
        bytes[flipped] ^= 0x40;
        Files.write(first, bytes);
        try (FerrumDB db = FerrumDB.open(dir, small())) {
            assertThatThrownBy(db::compact).isInstanceOfSatisfying(CorruptionException.class, e -> {
                assertThat(e.file().getFileName()).isEqualTo(first.getFileName());
                assertThat(e.problem()).isEqualTo("record checksum mismatch");
                // The damaged record starts at or before the flipped byte, and less than one record before it.
                assertThat(e.offset()).isBetween(flipped - 28L - 6 - 63, (long) flipped);
            });
            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp"))).isEmpty();
            }
            assertThat(s(db.get(b("key399")))).isEqualTo(value + 399);
            assertThat(db.size()).isEqualTo(400);
        }
    }

    /**
     * A compaction of every segment copies each live record from its header read in the input's map (by bitmap, with
     * no hint read): a flipped bit in any byte of one live record's header, or in its key or value, fails the run
     * with a CorruptionException naming the file and that record's offset (a damaged length too: the record then runs
     * into its neighbour, past the limit or past the file), leaves no output behind and loses nothing else.
     */
    @Test
    void aFlippedBitAnywhereInALiveRecordFailsTheCompactionAtThatRecordsOffset() throws IOException {
        Path pristine = dir.resolve("pristine");
        String value = "v".repeat(60);
        try (FerrumDB db = FerrumDB.open(pristine, small())) {
            for (int i = 0; i < 200; i++) {
                db.put(b(String.format("key%03d", i)), b(value));
            }
        }
        // Records of 28 + 6 + 60 bytes, one after the other from the segment's header on: the sixth's offset.
        long offset = io.ferrumdb.internal.format.SegmentHeader.SIZE + 5 * 94L;
        String first;
        try (Stream<Path> files = Files.list(pristine)) {
            first = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".seg")).sorted().findFirst()
                    .orElseThrow();
        }
        for (int at : new int[] {0, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 19, 20, 27, 28, 33, 34, 60, 93}) {
            Path copy = dir.resolve("flipped-" + at);
            Files.createDirectories(copy);
            try (Stream<Path> files = Files.list(pristine)) {
                for (Path f : files.toList()) {
                    Files.copy(f, copy.resolve(f.getFileName()));
                }
            }
            byte[] bytes = Files.readAllBytes(copy.resolve(first));
            bytes[(int) offset + at] ^= 0x40;
            Files.write(copy.resolve(first), bytes);
            try (FerrumDB db = FerrumDB.open(copy, small())) {
                assertThatThrownBy(db::compact).as("byte %d flipped", at)
                        .isInstanceOfSatisfying(CorruptionException.class, e -> {
                            assertThat(e.file().getFileName().toString()).as("byte %d flipped", at).isEqualTo(first);
                            assertThat(e.offset()).as("byte %d flipped: %s", at, e.problem()).isEqualTo(offset);
                        });
                try (Stream<Path> files = Files.list(copy)) {
                    assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp"))).isEmpty();
                }
                assertThat(db.size()).isEqualTo(200);
                assertThat(s(db.get(b("key199")))).isEqualTo(value);
                assertThat(s(db.get(b("key004")))).isEqualTo(value);
            }
        }
    }

    private static void assertValues(FerrumDB db) {
        assertThat(db.size()).isEqualTo(200);
        for (int i = 0; i < 300; i++) {
            String v = s(db.get(b("key" + i)));
            if (i % 3 == 0) {
                assertThat(v).isNull();
            } else {
                assertThat(v).isEqualTo("value-9-" + i + "-" + "x".repeat(40));
            }
        }
    }

    @Test
    void aDamagedVersionFieldInTheCompactionJournalIsCorruptionNotANewerFormat() throws IOException {
        FerrumDB.open(dir, small()).close();
        byte[] journal = io.ferrumdb.internal.format.CompactionJournal.encode(new byte[16], List.of(7));
        journal[9] ^= 0x40; // the low byte of the format version
        Files.write(dir.resolve("COMPACTION"), journal);
        assertThatThrownBy(() -> FerrumDB.open(dir, small())).isInstanceOf(CorruptionException.class)
                .hasMessageContaining("COMPACTION").hasMessageContaining("checksum mismatch");
    }

    @Test
    void deletedKeysStayDeletedAfterFullCompactionAndReopen() {
        try (FerrumDB db = FerrumDB.open(dir, small())) {
            for (int i = 0; i < 200; i++) {
                db.put(b("k" + i), b("v" + i + "-".repeat(50)));
            }
            for (int i = 0; i < 200; i += 2) {
                db.delete(b("k" + i));
            }
            db.compact();
            db.compact();
        }
        try (FerrumDB db = FerrumDB.open(dir, small())) {
            for (int i = 0; i < 200; i++) {
                assertThat(db.contains(b("k" + i))).isEqualTo(i % 2 == 1);
            }
        }
    }

    /**
     * Bitcask issue #82: the value lives in an old, mostly live segment; its tombstone lands in a later segment
     * that becomes all dead. Compacting only the later segment must keep the tombstone.
     */
    @Test
    void partialCompactionKeepsTombstonesThatHideOlderValues() throws Exception {
        Options o = small().toBuilder().autoCompaction(true).compactionInterval(Duration.ofMillis(20))
                .compactionThreshold(0.9).build();
        try (FerrumDB db = FerrumDB.open(dir, o)) {
            db.put(b("victim"), b("old value"));
            for (int i = 0; i < 150; i++) { // fills the first segments with live data
                db.put(b("live" + i), b("x".repeat(60)));
            }
            db.delete(b("victim"));
            for (int round = 0; round < 5; round++) { // later segments: all dead after the overwrites
                for (int i = 0; i < 60; i++) {
                    db.put(b("churn" + i), b("y".repeat(60) + round));
                }
            }
            db.sync();
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (db.stats().compactions() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(db.stats().compactions()).as("a background compaction ran within 120 s").isPositive();
            assertThat(db.get(b("victim"))).isNull();
        }
        try (FerrumDB db = FerrumDB.open(dir, small())) {
            assertThat(db.get(b("victim"))).isNull();
            assertThat(db.size()).isEqualTo(150 + 60);
            db.compact();
        }
        try (FerrumDB db = FerrumDB.open(dir, small())) {
            assertThat(db.get(b("victim"))).isNull();
        }
    }

    @Test
    void expiredRecordsAreDroppedByCompaction() {
        MutableClock clock = new MutableClock(5_000_000);
        Options o = small().toBuilder().clock(clock).build();
        try (FerrumDB db = FerrumDB.open(dir, o)) {
            for (int i = 0; i < 100; i++) {
                db.put(b("t" + i), b("z".repeat(100)), Duration.ofMinutes(1));
            }
            db.put(b("keep"), b("forever"));
            clock.advance(Duration.ofMinutes(2));
            db.compact();
            assertThat(db.stats().liveBytes()).isLessThan(200);
            assertThat(db.size()).isEqualTo(1);
        }
        try (FerrumDB db = FerrumDB.open(dir, o)) {
            assertThat(db.size()).isEqualTo(1);
            assertThat(s(db.get(b("keep")))).isEqualTo("forever");
        }
    }

    @Test
    void readersAndWritersSeeCorrectValuesDuringCompaction() throws Exception {
        Options o = small().toBuilder().segmentSize(16384).build();
        int keys = 200;
        try (FerrumDB db = FerrumDB.open(dir, o)) {
            Map<String, Integer> lastWritten = new ConcurrentHashMap<>();
            for (int i = 0; i < keys; i++) {
                db.put(b("k" + i), b("k" + i + "=0"));
                lastWritten.put("k" + i, 0);
            }
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> threads = new ArrayList<>();
            // One writer per key stripe, so the newest version of each key is known exactly.
            for (int w = 0; w < 2; w++) {
                int stripe = w;
                threads.add(new Thread(() -> {
                    int version = 0;
                    while (!stop.get()) {
                        version++;
                        for (int i = stripe; i < keys; i += 2) {
                            db.put(b("k" + i), b("k" + i + "=" + version));
                            lastWritten.put("k" + i, version);
                        }
                    }
                }));
            }
            for (int r = 0; r < 2; r++) {
                threads.add(new Thread(() -> {
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    while (!stop.get()) {
                        int i = rnd.nextInt(keys);
                        int floor = lastWritten.get("k" + i);
                        String v = s(db.get(b("k" + i)));
                        assertThat(v).startsWith("k" + i + "=");
                        assertThat(Integer.parseInt(v.substring(v.indexOf('=') + 1))).isGreaterThanOrEqualTo(floor);
                    }
                }));
            }
            for (Thread t : threads) {
                t.setUncaughtExceptionHandler((th, e) -> failure.compareAndSet(null, e));
                t.start();
            }
            for (int c = 0; c < 5; c++) {
                db.compact();
            }
            stop.set(true);
            for (Thread t : threads) {
                t.join();
            }
            assertThat(failure.get()).isNull();
            for (int i = 0; i < keys; i++) {
                assertThat(s(db.get(b("k" + i)))).isEqualTo("k" + i + "=" + lastWritten.get("k" + i));
            }
        }
    }

    @Test
    void backupUnderConcurrentWritesOpensWithEveryWriteAcknowledgedBeforeIt() throws Exception {
        Path backup = dir.resolveSibling(dir.getFileName() + "-backup");
        Map<String, String> acknowledged = new ConcurrentHashMap<>();
        try (FerrumDB db = FerrumDB.open(dir, small())) {
            for (int i = 0; i < 500; i++) {
                db.put(b("a" + i), b("v" + i));
                acknowledged.put("a" + i, "v" + i);
            }
            AtomicBoolean stop = new AtomicBoolean();
            Thread writer = new Thread(() -> {
                int n = 0;
                while (!stop.get()) {
                    db.put(b("late" + n), b("x" + n));
                    n++;
                }
            });
            writer.start();
            db.backup(backup);
            stop.set(true);
            writer.join();
            assertThatThrownBy(() -> db.backup(backup)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not empty");
        }
        try (FerrumDB readOnly = FerrumDB.open(backup, small().toBuilder().readOnly(true).build())) {
            assertThat(readOnly.size()).isGreaterThanOrEqualTo(acknowledged.size());
        }
        try (FerrumDB copy = FerrumDB.open(backup, small())) {
            for (Map.Entry<String, String> e : acknowledged.entrySet()) {
                assertThat(s(copy.get(b(e.getKey())))).isEqualTo(e.getValue());
            }
            long late = copy.keys().filter(k -> s(k).startsWith("late")).count();
            // Whatever late writes made it in form a prefix of what the writer wrote.
            for (int n = 0; n < late; n++) {
                assertThat(s(copy.get(b("late" + n)))).isEqualTo("x" + n);
            }
        }
    }
}
