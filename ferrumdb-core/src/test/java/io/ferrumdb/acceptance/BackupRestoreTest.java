package io.ferrumdb.acceptance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.EncryptionKeyException;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.KeyRange;
import io.ferrumdb.Options;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4's online backup as a user takes and restores one, through the public API only: a backup taken while a
 * writer goes on holds every write acknowledged before the call and is a point in time; restoring it (the original
 * gone, the copy moved into its place) gives a database that takes writes and reopens. A backup of an encrypted
 * database opens only with its key and holds no plaintext nor the key; a backup of a database a crash interrupted,
 * taken through a read-only open (as {@code ferrumdb backup} opens), opens with every record.
 */
class BackupRestoreTest {
    @TempDir
    Path tmp;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static long number(byte[] value) {
        return Long.parseLong(new String(value, StandardCharsets.UTF_8));
    }

    @Test
    void aBackupTakenUnderWritesRestoresToAPointInTimeWithEveryEarlierAcknowledgedWrite() throws Exception {
        Path dir = tmp.resolve("db");
        Path backup = tmp.resolve("backup");
        Options options = Options.builder().segmentSize(16 * 1024).fsyncPolicy(FsyncPolicy.never()).build();
        long acknowledgedBefore;
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong acknowledged = new AtomicLong(-1);
            // Each round writes the counter key last: a copy holding counter n holds every key of rounds up to n.
            Thread writer = new Thread(() -> {
                for (long n = 0; !stop.get(); n++) {
                    db.put(b("round-key-" + (n % 100)), b(Long.toString(n)));
                    db.put(b("counter"), b(Long.toString(n)));
                    acknowledged.set(n);
                }
            });
            writer.start();
            awaitAcknowledged(acknowledged, 500, writer);
            acknowledgedBefore = acknowledged.get();
            db.backup(backup);
            awaitAcknowledged(acknowledged, acknowledged.get() + 500, writer);
            stop.set(true);
            writer.join();
        }
        // Restore: the original is lost, the copy takes its place.
        deleteTree(dir);
        Files.move(backup, dir);
        long counter;
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            counter = number(db.get(b("counter")));
            assertThat(counter).as("every write acknowledged before the call").isGreaterThanOrEqualTo(acknowledgedBefore);
            for (int k = 0; k < 100; k++) {
                long latest = counter - Math.floorMod(counter - k, 100);
                // The copy may have been taken between the next round's two puts.
                long next = counter + 1;
                assertThat(number(db.get(b("round-key-" + k)))).as("round-key-%d: a point in time", k)
                        .isIn(latest, next % 100 == k ? next : latest);
            }
            assertThat(db.size()).isEqualTo(101);
            db.put(b("after restore"), b("written"));
            db.compact();
        }
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            assertThat(db.get(b("after restore"))).isEqualTo(b("written"));
            assertThat(number(db.get(b("counter")))).isEqualTo(counter);
        }
        assertThat(FerrumDB.verify(dir, options).problems()).isEmpty();
    }

    @Test
    void aBackupOfAnEncryptedDatabaseOpensOnlyWithItsKeyAndHoldsNoPlaintextNorTheKey() throws IOException {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) 0x3C);
        byte[] otherKey = new byte[32];
        Options options = Options.builder().encryptionKey(key).segmentSize(4096).build();
        Path dir = tmp.resolve("db");
        Path backup = tmp.resolve("backup");
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            for (int i = 0; i < 100; i++) {
                db.put(b("KNOWNKEY-" + i), b("KNOWNVALUE-" + i));
            }
            db.compact();
            db.put(b("KNOWNKEY-active"), b("KNOWNVALUE-active"));
            db.backup(backup);
        }
        for (Path d : List.of(dir, backup)) {
            assertThat(d.resolve("KEYDIR")).as("an encrypted database writes no key directory image").doesNotExist();
            for (Path file : files(d)) {
                // One char per byte: a byte string inside the file is a substring of this text.
                String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                assertThat(text).as("%s", file).doesNotContain("KNOWNKEY").doesNotContain("KNOWNVALUE")
                        .doesNotContain(new String(key, StandardCharsets.ISO_8859_1));
            }
        }
        assertThatThrownBy(() -> FerrumDB.open(backup)).isInstanceOf(EncryptionKeyException.class)
                .hasMessageContaining("is encrypted");
        assertThatThrownBy(() -> FerrumDB.open(backup, Options.builder().encryptionKey(otherKey).build()))
                .isInstanceOf(EncryptionKeyException.class).hasMessageContaining("wrong encryption key");
        assertThatThrownBy(() -> FerrumDB.open(backup, Options.builder().passphrase("pw".toCharArray()).build()))
                .isInstanceOf(EncryptionKeyException.class).hasMessageContaining("raw encryption key");
        try (FerrumDB db = FerrumDB.open(backup, options)) {
            assertThat(db.count(KeyRange.prefix(b("KNOWNKEY-")))).isEqualTo(101);
            assertThat(db.get(b("KNOWNKEY-active"))).isEqualTo(b("KNOWNVALUE-active"));
            assertThat(db.get(b("KNOWNKEY-42"))).isEqualTo(b("KNOWNVALUE-42"));
        }
    }

    /**
     * A crash image (the files copied while the database is open under {@code always()}, whose active segment is
     * zero-filled ahead of its records) backed up through a read-only open, which leaves the image as it is.
     */
    @Test
    void aBackupOfACrashedDatabaseThroughAReadOnlyOpenOpensWithEveryRecord() throws IOException {
        Path dir = tmp.resolve("db");
        Path crashed = tmp.resolve("crashed");
        Path backup = tmp.resolve("backup");
        try (FerrumDB db = FerrumDB.open(dir, Options.builder().fsyncPolicy(FsyncPolicy.always()).build())) {
            for (int i = 0; i < 300; i++) {
                db.put(b("key-" + i), b("value-" + i));
            }
            copyTree(dir, crashed);
        }
        try (FerrumDB db = FerrumDB.open(crashed, Options.builder().readOnly(true).build())) {
            assertThat(db.size()).isEqualTo(300);
            db.backup(backup);
        }
        assertThat(FerrumDB.verify(backup, Options.defaults()).problems()).isEmpty();
        for (Options options : List.of(Options.builder().readOnly(true).build(), Options.defaults())) {
            try (FerrumDB db = FerrumDB.open(backup, options)) {
                assertThat(db.size()).isEqualTo(300);
                assertThat(db.get(b("key-299"))).isEqualTo(b("value-299"));
            }
        }
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    /** Waits until the writer acknowledged write {@code n}; fails if it died first. */
    /**
     * A backup target inside the database directory is refused however it is spelled: through a symbolic link to the
     * directory, or from a database opened through one (before, only the spelled paths were compared, so such a
     * backup was written into the database directory itself: hard links to its own segments that compaction could no
     * longer free, and `ferrumdb backup` exited 0 where README promises exit code 2).
     */
    @Test
    void aBackupTargetInsideTheDatabaseIsRefusedAlsoThroughASymbolicLink() throws IOException {
        Path dir = tmp.resolve("db");
        Path link = Files.createSymbolicLink(tmp.resolve("link"), dir.getFileName());
        Files.createDirectories(dir);
        try (FerrumDB db = FerrumDB.open(dir)) {
            db.put(new byte[] {1}, new byte[] {1});
            for (Path target : List.of(link.resolve("copy"), link.resolve("copy/deeper"))) {
                assertThatThrownBy(() -> db.backup(target)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("must lie outside the database directory");
            }
        }
        try (FerrumDB db = FerrumDB.open(link)) {
            assertThatThrownBy(() -> db.backup(dir.resolve("copy"))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("must lie outside the database directory");
            db.backup(tmp.resolve("outside"));
        }
        assertThat(dir.resolve("copy")).as("nothing was written into the database").doesNotExist();
        try (FerrumDB copy = FerrumDB.open(tmp.resolve("outside"), Options.builder().readOnly(true).build())) {
            assertThat(copy.get(new byte[] {1})).containsExactly(1);
        }
    }

    private static void awaitAcknowledged(AtomicLong acknowledged, long n, Thread writer) throws InterruptedException {
        while (acknowledged.get() < n) {
            assertThat(writer.isAlive()).as("the writer thread is running").isTrue();
            Thread.sleep(1);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        for (Path p : files(from)) {
            Files.copy(p, to.resolve(p.getFileName()));
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        for (Path p : files(dir)) {
            Files.delete(p);
        }
        Files.delete(dir);
    }
}
