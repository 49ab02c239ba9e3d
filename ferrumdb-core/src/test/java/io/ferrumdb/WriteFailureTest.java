package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.FaultFileIO.Op;
import io.ferrumdb.internal.directory.FileNames;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Findings 11 and 12 of issue 16: any throwable on the flusher fails its waiters instead of hanging them; a full
 * disk can be recovered from inside (compaction on the same handle, an open that creates nothing); a failed open
 * leaves no file behind; and a write that did not become durable is never served.
 */
class WriteFailureTest {
    @TempDir
    Path dir;

    private final FaultFileIO io = new FaultFileIO(16);

    private Options options() {
        return Options.builder().segmentSize(4096).autoCompaction(false).fsyncPolicy(FsyncPolicy.always())
                .fileIO(io.session()).build();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] value(int round, int key) {
        byte[] v = new byte[300];
        Arrays.fill(v, (byte) (round * 31 + key));
        return v;
    }

    /** Twenty keys overwritten ten times: about 15 sealed segments, nine tenths garbage. */
    private TreeMap<String, byte[]> writeGarbage(FerrumDB db) {
        TreeMap<String, byte[]> model = new TreeMap<>();
        for (int round = 0; round < 10; round++) {
            for (int k = 0; k < 20; k++) {
                db.put(bytes("k" + k), value(round, k));
                model.put("k" + k, value(round, k));
            }
        }
        return model;
    }

    private static void assertHolds(FerrumDB db, TreeMap<String, byte[]> model) {
        model.forEach((k, v) -> assertThat(db.get(bytes(k))).as(k).containsExactly(v));
        assertThat(db.size()).isEqualTo(model.size());
    }

    private TreeSet<String> files() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return new TreeSet<>(s.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void anOutOfMemoryErrorOnTheFlusherFailsEveryWaiterAndStopsWrites() throws Exception {
        FerrumDB db = FerrumDB.open(dir, options());
        db.put(bytes("before"), bytes("v"));
        io.failWithError(Op.WRITE, 1, new OutOfMemoryError("injected: Java heap space"));
        List<CompletableFuture<Void>> writers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            byte[] key = bytes("w" + i);
            writers.add(CompletableFuture.runAsync(() -> db.put(key, new byte[100])));
        }
        for (CompletableFuture<Void> w : writers) {
            // A hang guard, not a timing assertion: before the fix these writers waited forever.
            assertThatThrownBy(() -> w.get(60, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(ReadOnlyDatabaseException.class)
                    .hasRootCauseInstanceOf(OutOfMemoryError.class);
        }
        assertThatThrownBy(() -> db.put(bytes("after"), bytes("x")))
                .isInstanceOf(ReadOnlyDatabaseException.class)
                .hasMessageContaining("OutOfMemoryError")
                .hasRootCauseInstanceOf(OutOfMemoryError.class);
        assertThatThrownBy(db::sync).isInstanceOf(ReadOnlyDatabaseException.class);
        assertThat(db.get(bytes("before"))).containsExactly(bytes("v"));
        assertThat(db.stats().readOnly()).isTrue();
        db.close();
        try (FerrumDB reopened = FerrumDB.open(dir, options())) {
            assertThat(reopened.get(bytes("before"))).containsExactly(bytes("v"));
        }
    }

    @Test
    void afterADiskFullWriteCompactionOnTheSameHandleFreesSpaceOnceThereIsRoom() {
        FerrumDB db = FerrumDB.open(dir, options());
        TreeMap<String, byte[]> model = writeGarbage(db);
        io.diskSpace(0);
        assertThatThrownBy(() -> db.put(bytes("k0"), bytes("lost")))
                .isInstanceOf(ReadOnlyDatabaseException.class)
                .hasMessageContaining("No space left on device");
        assertThatThrownBy(db::compact).as("still no room for the compacted copy")
                .isInstanceOf(FerrumException.class)
                .hasMessageContaining("No space left on device");
        io.diskSpace(Long.MAX_VALUE);
        CompactionResult r = db.compact();
        assertThat(r.segmentsCompacted()).isGreaterThan(10);
        assertThat(r.bytesWritten()).isLessThan(r.bytesRead() / 5);
        model.remove("k0");
        model.forEach((k, v) -> assertThat(db.get(bytes(k))).as(k).containsExactly(v));
        assertThatThrownBy(() -> db.put(bytes("k1"), bytes("y"))).isInstanceOf(ReadOnlyDatabaseException.class);
        db.close();
        try (FerrumDB reopened = FerrumDB.open(dir, options())) {
            model.forEach((k, v) -> assertThat(reopened.get(bytes(k))).as(k).containsExactly(v));
            assertThat(reopened.get(bytes("k0"))).as("the failed write never became visible")
                    .containsExactly(value(9, 0));
        }
    }

    @Test
    void aGarbageHeavyDatabaseOnAFullDiskOpensWithoutCreatingAFileAndCompactsOnceThereIsRoom() throws Exception {
        TreeMap<String, byte[]> model;
        try (FerrumDB db = FerrumDB.open(dir, options())) {
            model = writeGarbage(db);
        }
        TreeSet<String> before = files();
        io.diskSpace(0);
        try (FerrumDB db = FerrumDB.open(dir, options())) {
            assertThat(files()).as("open wrote no file").isEqualTo(before);
            assertThatThrownBy(db::compact).isInstanceOf(FerrumException.class);
            assertThat(files()).as("a failed compaction leaves nothing behind").isEqualTo(before);
            io.diskSpace(Long.MAX_VALUE);
            db.compact();
            assertHolds(db, model);
        }
        assertThat(files().size()).isLessThan(before.size() / 4);
        try (FerrumDB db = FerrumDB.open(dir, options())) {
            assertHolds(db, model);
        }
    }

    @Test
    void anOpenThatFailsOnAFullDiskLeavesNoNewFileBehind() throws Exception {
        TreeMap<String, byte[]> model;
        try (FerrumDB db = FerrumDB.open(dir, options())) {
            model = writeGarbage(db);
        }
        Files.delete(dir.resolve("0000000002.hint")); // open rebuilds it, which needs room
        Files.delete(dir.resolve("KEYDIR")); // which an open from the key directory image would not
        TreeSet<String> before = files();
        io.diskSpace(0);
        assertThatThrownBy(() -> FerrumDB.open(dir, options()))
                .isInstanceOf(FerrumException.class)
                .hasMessageContaining("No space left on device");
        assertThat(files()).isEqualTo(before);
        io.diskSpace(Long.MAX_VALUE);
        try (FerrumDB db = FerrumDB.open(dir, options())) {
            assertHolds(db, model);
        }
    }

    @Test
    void aWriteWhoseFsyncFailedIsNeverServed() {
        FerrumDB db = FerrumDB.open(dir, options());
        db.put(bytes("K"), bytes("v1"));
        io.failOn(Op.FORCE, 1, ".seg");
        assertThatThrownBy(() -> db.put(bytes("K"), bytes("v2"))).isInstanceOf(ReadOnlyDatabaseException.class);
        assertThatThrownBy(() -> db.get(bytes("K")))
                .isInstanceOf(ReadOnlyDatabaseException.class)
                .hasMessageContaining("not served");
        // Power loss after the failed fsync: v2 was never durable.
        io.crash();
        try (FerrumDB reopened = FerrumDB.open(dir, options())) {
            assertThat(reopened.get(bytes("K"))).containsExactly(bytes("v1"));
        }
    }

    @Test
    void aWriteThatTheDiskHadNoRoomForIsNeverServed() {
        FerrumDB db = FerrumDB.open(dir, options());
        db.put(bytes("K"), bytes("v1"));
        db.put(bytes("other"), bytes("o"));
        io.diskSpace(0);
        assertThatThrownBy(() -> db.put(bytes("K"), bytes("v2"))).isInstanceOf(ReadOnlyDatabaseException.class);
        assertThatThrownBy(() -> db.get(bytes("K"))).isInstanceOf(ReadOnlyDatabaseException.class);
        assertThat(db.get(bytes("other"))).containsExactly(bytes("o"));
        db.close();
        io.diskSpace(Long.MAX_VALUE);
        try (FerrumDB reopened = FerrumDB.open(dir, options())) {
            assertThat(reopened.get(bytes("K"))).containsExactly(bytes("v1"));
        }
    }

    /** The hint file the writer writes first, as it is written (the lowest segment's: the first one rolled). */
    private String firstHintWritten() throws Exception {
        long first = files().stream().filter(n -> n.endsWith(".seg")).mapToLong(FileNames::segmentId).min()
                .orElseThrow();
        return FileNames.temporary(FileNames.hint(first));
    }

    /**
     * Under always() the group of the put that fills a segment is fsynced, then the segment is sealed (its hint file
     * written) in the same cycle. When only that hint write fails, the put's record is durable: the put returns, the
     * writer stops, and the next put is refused naming the hint file (it used to be the put itself that threw).
     */
    @Test
    void aFailedHintWriteAfterTheGroupWasFsyncedIsReportedByTheNextPut() throws Exception {
        FerrumDB db = FerrumDB.open(dir, options());
        io.failOn(Op.WRITE, 1, ".hint.tmp");
        TreeMap<String, byte[]> model = new TreeMap<>();
        for (int k = 0; io.armed(); k++) {
            assertThat(k).as("a 4 KiB segment fills within 40 puts of 300 bytes").isLessThan(40);
            db.put(bytes("k" + k), value(0, k));
            model.put("k" + k, value(0, k));
        }
        String hint = firstHintWritten();
        assertThatThrownBy(() -> db.put(bytes("after"), bytes("x")))
                .isInstanceOf(ReadOnlyDatabaseException.class)
                .hasMessageContaining(hint)
                .hasRootCauseInstanceOf(FaultFileIO.InjectedIOException.class);
        assertHolds(db, model);
        db.close(); // the refused put reported the failure
        try (FerrumDB reopened = FerrumDB.open(dir, options())) {
            assertHolds(reopened, model);
        }
    }

    /**
     * When no call meets that failure, close reports it, and under always() it says what is true: every put that
     * returned was fsynced before the hint write failed, so none is lost (it said "could not make all writes durable").
     */
    @Test
    void aFailedHintWriteThatOnlyCloseReportsSaysNoAcknowledgedWriteIsLost() throws Exception {
        FerrumDB db = FerrumDB.open(dir, options());
        io.failOn(Op.WRITE, 1, ".hint.tmp");
        TreeMap<String, byte[]> model = new TreeMap<>();
        for (int k = 0; io.armed(); k++) {
            assertThat(k).as("a 4 KiB segment fills within 40 puts of 300 bytes").isLessThan(40);
            db.put(bytes("k" + k), value(0, k));
            model.put("k" + k, value(0, k));
        }
        assertThatThrownBy(db::close).isInstanceOf(ReadOnlyDatabaseException.class)
                .hasMessageContaining("the write path failed after every acknowledged write was fsynced (none is lost)")
                .hasMessageContaining(firstHintWritten())
                .hasMessageNotContaining("could not make all writes durable");
        try (FerrumDB reopened = FerrumDB.open(dir, options())) {
            assertHolds(reopened, model);
        }
    }

    /**
     * The same with writers in groups (puts leading and following, asynchronous puts the flusher and the
     * acknowledger complete): every put that returned is served and there after reopen, and every put that threw
     * really failed (its record never reached the file: absent after reopen).
     */
    @Test
    void underAFailedHintWriteEveryPutThatReturnedIsDurableAndEveryPutThatThrewIsAbsent() throws Exception {
        FerrumDB db = FerrumDB.open(dir, options());
        db.put(bytes("first"), bytes("v")); // the active segment exists before the writers start
        io.failOn(Op.WRITE, 1, ".hint.tmp");
        List<String> returned = new CopyOnWriteArrayList<>();
        List<String> threw = new CopyOnWriteArrayList<>();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            int id = t;
            writers.add(new Thread(() -> {
                // Each writer stops at its first failure (the bound only ends a run whose failure never came).
                for (int n = 0; n < 2_000; n++) {
                    String key = "w" + id + "-" + n;
                    try {
                        if (id % 3 == 2) {
                            db.putAsync(bytes(key), value(id, n)).join();
                        } else {
                            db.put(bytes(key), value(id, n));
                        }
                        returned.add(key);
                    } catch (RuntimeException e) {
                        threw.add(key);
                        errors.add(e instanceof CompletionException ? e.getCause() : e);
                        return;
                    }
                }
            }));
        }
        writers.forEach(Thread::start);
        for (Thread w : writers) {
            w.join();
        }
        assertThat(io.armed()).as("the hint write failed").isFalse();
        assertThat(threw).hasSize(writers.size());
        assertThat(errors).allSatisfy(e -> assertThat(e).isInstanceOf(ReadOnlyDatabaseException.class)
                .hasRootCauseInstanceOf(FaultFileIO.InjectedIOException.class));
        for (String key : returned) {
            assertThat(db.get(bytes(key))).as(key).isNotNull();
        }
        db.close();
        try (FerrumDB reopened = FerrumDB.open(dir, options())) {
            for (String key : returned) {
                assertThat(reopened.get(bytes(key))).as("returned: " + key).isNotNull();
            }
            for (String key : threw) {
                assertThat(reopened.get(bytes(key))).as("threw: " + key).isNull();
            }
            assertThat(reopened.size()).isEqualTo(returned.size() + 1);
        }
    }

    /**
     * A backup seals the active segment first and copies the sealed segments: when that seal's hint write fails,
     * the backup's sync succeeds (the records are fsynced) but the segment is not sealed, so the backup must fail
     * rather than copy a database without it.
     */
    @ParameterizedTest
    @ValueSource(strings = {"always", "never"})
    void aBackupWhoseSealFailsThrowsInsteadOfCopyingWithoutTheSegment(String policy, @TempDir Path target)
            throws Exception {
        Options options = options().toBuilder()
                .fsyncPolicy(policy.equals("always") ? FsyncPolicy.always() : FsyncPolicy.never()).build();
        FerrumDB db = FerrumDB.open(dir, options);
        db.put(bytes("K"), bytes("v"));
        io.failOn(Op.WRITE, 1, ".hint.tmp");
        String hint = firstHintWritten();
        assertThatThrownBy(() -> db.backup(target))
                .isInstanceOf(ReadOnlyDatabaseException.class)
                .hasMessageContaining(hint);
        assertThat(db.get(bytes("K"))).containsExactly(bytes("v"));
        db.close();
        try (FerrumDB reopened = FerrumDB.open(dir, options)) {
            assertThat(reopened.get(bytes("K"))).containsExactly(bytes("v"));
        }
    }

    private static List<String> strings(java.util.Iterator<byte[]> keys) {
        List<String> out = new ArrayList<>();
        keys.forEachRemaining(k -> out.add(new String(k, StandardCharsets.UTF_8)));
        return out;
    }

    /**
     * Puts of new keys until the disk is full (issue: 82 puts acknowledged, the 83rd failed, size() said 83 and a
     * reopen 82): size() and the key views count the acknowledged puts only, on the failed handle as after reopen.
     */
    @ParameterizedTest
    @ValueSource(strings = {"always", "never"})
    void afterPutsFillTheDiskSizeCountsTheAcknowledgedOnes(String policy) {
        Options options = options().toBuilder()
                .fsyncPolicy(policy.equals("always") ? FsyncPolicy.always() : FsyncPolicy.never()).build();
        FerrumDB db = FerrumDB.open(dir, options);
        db.put(bytes("first"), bytes("v")); // the active segment exists before the disk is limited
        io.diskSpace(25_000);
        TreeSet<String> acknowledged = new TreeSet<>(List.of("first"));
        RuntimeException failure = null;
        for (int k = 0; failure == null; k++) {
            assertThat(k).as("the disk fills within 200 puts").isLessThan(200);
            try {
                db.put(bytes("n" + k), value(1, k));
                if (policy.equals("never")) {
                    db.sync(); // under never() a put meets the full disk only in the next cycle
                }
                acknowledged.add("n" + k);
            } catch (ReadOnlyDatabaseException e) {
                failure = e;
            }
        }
        assertThat(db.size()).isEqualTo(acknowledged.size());
        assertThat(db.count(KeyRange.all())).isEqualTo(acknowledged.size());
        assertThat(new TreeSet<>(strings(db.keys().iterator()))).isEqualTo(acknowledged);
        db.close();
        WriteFault.heal(io);
        try (FerrumDB reopened = FerrumDB.open(dir, options)) {
            assertThat(reopened.size()).isEqualTo(acknowledged.size());
            assertThat(new TreeSet<>(strings(reopened.keys().iterator()))).isEqualTo(acknowledged);
        }
    }

    /**
     * A batch that adds two keys (one with a TTL), overwrites one and deletes another fails on a full disk. On the failed handle
     * size() counts what the durable records hold, what the reopen finds: not the added keys (get refuses them, the
     * key views and scans skip them), the overwritten key (get refuses its value) and the deleted one (which the
     * handle reads as absent: a failed delete is not detectable, README "After a write failure").
     */
    @Test
    void afterAFailedBatchSizeCountsWhatTheDurableRecordsHold() {
        FerrumDB db = FerrumDB.open(dir, options());
        TreeSet<String> durable = new TreeSet<>();
        for (int k = 0; k < 20; k++) {
            db.put(bytes("k" + (char) ('a' + k)), value(0, k));
            durable.add("k" + (char) ('a' + k));
        }
        io.diskSpace(0);
        // new2 has a TTL: not staged (KeyDir), the key directory takes it at once.
        WriteBatch batch = new WriteBatch().put(bytes("new1"), bytes("x"))
                .put(bytes("new2"), bytes("y"), java.time.Duration.ofHours(1))
                .put(bytes("kb"), bytes("overwritten")).delete(bytes("kc"));
        assertThatThrownBy(() -> db.write(batch)).isInstanceOf(ReadOnlyDatabaseException.class);

        assertThat(db.size()).as("what a reopen finds").isEqualTo(durable.size());
        TreeSet<String> listed = new TreeSet<>(durable);
        listed.remove("kc");
        assertThat(strings(db.keyIterator(KeyRange.all()))).containsExactlyElementsOf(listed);
        assertThat(new TreeSet<>(strings(db.keys().iterator()))).isEqualTo(listed);
        assertThat(db.count(KeyRange.all())).isEqualTo(listed.size());
        assertThatThrownBy(() -> db.get(bytes("new1"))).isInstanceOf(ReadOnlyDatabaseException.class);
        assertThatThrownBy(() -> db.get(bytes("kb"))).isInstanceOf(ReadOnlyDatabaseException.class);
        assertThat(db.get(bytes("kc"))).isNull();
        List<String> scanned = new ArrayList<>();
        try (RangeIterator it = db.iterate(KeyRange.atLeast(bytes("kd")))) {
            it.forEachRemaining(kv -> scanned.add(new String(kv.key(), StandardCharsets.UTF_8)));
        }
        assertThat(scanned).as("a scan skips the added keys").containsExactlyElementsOf(durable.tailSet("kd"));
        db.close();
        WriteFault.heal(io);
        try (FerrumDB reopened = FerrumDB.open(dir, options())) {
            assertThat(reopened.size()).isEqualTo(durable.size());
            assertThat(strings(reopened.keyIterator(KeyRange.all()))).containsExactlyElementsOf(durable);
            assertThat(reopened.get(bytes("kb"))).containsExactly(value(0, 1));
        }
    }

    /**
     * Changes of the size made by records in compaction outputs are durable ones whatever their segment numbers
     * (outputs are numbered after the active segment): a key compacted into an output that then expires is purged,
     * and a later failed write must not count that purge among the failed writes' changes.
     */
    @Test
    void aKeyPurgedFromACompactionOutputStaysUncountedAfterAFailedWrite() {
        MutableClock clock = new MutableClock(5_000_000);
        Options options = options().toBuilder().clock(clock).build();
        FerrumDB db = FerrumDB.open(dir, options);
        writeGarbage(db);
        db.put(bytes("ttl"), bytes("v"), java.time.Duration.ofMinutes(1));
        db.compact(); // "ttl" now lies in an output numbered after the active segment
        clock.advance(java.time.Duration.ofMinutes(2));
        assertThat(db.size()).as("purged").isEqualTo(20);
        io.diskSpace(0);
        assertThatThrownBy(() -> db.put(bytes("new"), bytes("x"))).isInstanceOf(ReadOnlyDatabaseException.class);
        assertThat(db.size()).isEqualTo(20);
        assertThat(db.count(KeyRange.all())).isEqualTo(20);
        db.close();
        WriteFault.heal(io);
        try (FerrumDB reopened = FerrumDB.open(dir, options)) {
            assertThat(reopened.size()).isEqualTo(20);
        }
    }
}
