package io.ferrumdb.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.CorruptionException;
import io.ferrumdb.DatabaseNotFoundException;
import io.ferrumdb.EncryptionKeyException;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.Options;
import io.ferrumdb.WriteBatch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a child JVM ({@link MaintenanceKillChild}) at a random point of a loop of backups, passphrase changes
 * or data-key rotations: the database always opens afterwards, with the old or the new passphrase, and holds every
 * acknowledged record; an acknowledged backup opens and holds every write acknowledged before it; the backup the
 * kill interrupted either completed or refuses to open, saying so, and a retry into it works.
 */
class MaintenanceKill9Test {
    private static final int KEYS = 1500;
    private static final int ROUNDS = Boolean.getBoolean("ferrumdb.soak") ? 20 : 3;

    @TempDir
    Path tmp;

    private static byte[] baseKey(int i) {
        return ("base-" + i).getBytes(StandardCharsets.UTF_8);
    }

    private static void fill(Path dir, Options options) {
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            WriteBatch batch = new WriteBatch();
            for (int i = 0; i < KEYS; i++) {
                batch.put(baseKey(i), KillChild.value("base", i));
                if (batch.size() == 250) {
                    db.write(batch);
                    batch = new WriteBatch();
                }
            }
        }
    }

    /** Every base key, and after-0 to after-{@code through}, with their values. */
    private static void assertHolds(FerrumDB db, long through, String where) {
        for (int i = 0; i < KEYS; i++) {
            assertThat(db.get(baseKey(i))).as("%s: base-%d", where, i).isEqualTo(KillChild.value("base", i));
        }
        for (long n = 0; n <= through; n++) {
            assertThat(db.get(MaintenanceKillChild.afterKey(n))).as("%s: after-%d", where, n)
                    .isEqualTo(KillChild.value("after", n));
        }
    }

    private List<String> runAndKill(Random r, String where, String... args) throws Exception {
        Path stderr = Files.createTempFile(tmp, "child", ".err");
        Path stdout = Files.createTempFile(tmp, "child", ".out");
        Process child = ChildJvm.start(MaintenanceKillChild.class, stderr, stdout, args);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            // Killed once the loop has gone round at least once, at a random point after that.
            while (lines(stdout).size() < 3 && System.nanoTime() < deadline && child.isAlive()) {
                Thread.sleep(10);
            }
            assertThat(lines(stdout).size()).as("%s: child did not get going: %s", where, Files.readString(stderr))
                    .isGreaterThanOrEqualTo(3);
            Thread.sleep(r.nextInt(500));
            assertThat(child.isAlive()).as("%s: child died on its own: %s", where, Files.readString(stderr))
                    .isTrue();
        } finally {
            child.destroyForcibly();
            child.waitFor();
        }
        return lines(stdout);
    }

    private static List<String> lines(Path stdout) throws IOException {
        return Files.readAllLines(stdout, StandardCharsets.UTF_8).stream().filter(l -> l.endsWith(" .")).toList();
    }

    /** The number of the last "TAG n ." line, or {@code none}. */
    private static long last(List<String> lines, String tag, long none) {
        long n = none;
        for (String l : lines) {
            if (l.startsWith(tag + " ")) {
                n = Long.parseLong(l.split(" ")[1]);
            }
        }
        return n;
    }

    @Test
    void backupsKilledAtRandomPointsNeverLookCompleteUnlessTheyAre() throws Exception {
        long seed = Long.getLong("ferrumdb.seed", System.nanoTime());
        Random r = new Random(seed);
        Path dir = tmp.resolve("db");
        Path root = tmp.resolve("backups");
        Files.createDirectories(root);
        fill(dir, MaintenanceKillChild.options(null));
        long acknowledged = -1;
        int interrupted = 0;
        for (int round = 1; round <= ROUNDS; round++) {
            String where = "seed " + seed + " round " + round;
            List<String> lines = runAndKill(r, where, dir.toString(), "backup", root.toString(),
                    Long.toString(acknowledged + 1));
            acknowledged = last(lines, "PUT", acknowledged);
            long lastBackup = last(lines, "BACKUP", -1);
            assertThat(lastBackup).as(where).isGreaterThanOrEqualTo(0);
            try (FerrumDB copy = FerrumDB.open(root.resolve("b-" + lastBackup),
                    Options.builder().readOnly(true).build())) {
                assertHolds(copy, lastBackup, where + ": the last acknowledged backup");
            }
            Path inFlight = root.resolve("b-" + (lastBackup + 1));
            boolean opened = false;
            if (Files.exists(inFlight)) {
                try (FerrumDB copy = FerrumDB.open(inFlight, Options.builder().readOnly(true).build())) {
                    // Completed before the kill, which came before the child printed it.
                    assertHolds(copy, lastBackup + 1, where + ": the backup the kill interrupted, complete");
                    opened = true;
                } catch (CorruptionException | DatabaseNotFoundException refused) {
                    interrupted++;
                    assertThat(refused.getMessage()).as(where).containsAnyOf("incomplete backup",
                            "no database in " + inFlight, inFlight.toString());
                    assertThatThrownBy(() -> FerrumDB.verify(inFlight, Options.defaults()))
                            .as("%s: verify refuses it too", where)
                            .isInstanceOfAny(CorruptionException.class, DatabaseNotFoundException.class);
                }
            }
            try (FerrumDB db = FerrumDB.open(dir, MaintenanceKillChild.options(null))) {
                assertHolds(db, acknowledged, where + ": the database");
                if (Files.exists(inFlight) && !opened) {
                    db.backup(inFlight);
                    try (FerrumDB copy = FerrumDB.open(inFlight, Options.builder().readOnly(true).build())) {
                        assertHolds(copy, acknowledged, where + ": the retried backup");
                    }
                }
            }
        }
        System.out.println("MaintenanceKill9Test: seed " + seed + ", " + interrupted + " of " + ROUNDS
                + " kills left an incomplete backup");
    }

    @Test
    void passphraseChangesKilledAtRandomPointsLeaveTheOldOrTheNewPassphrase() throws Exception {
        long seed = Long.getLong("ferrumdb.seed", System.nanoTime());
        Random r = new Random(seed);
        Path dir = tmp.resolve("db");
        fill(dir, MaintenanceKillChild.options(MaintenanceKillChild.passphrase(0)));
        int current = 0;
        for (int round = 1; round <= ROUNDS; round++) {
            String where = "seed " + seed + " round " + round;
            List<String> lines = runAndKill(r, where, dir.toString(), "passphrase", Integer.toString(current));
            int changed = (int) last(lines, "CHANGED", current);
            int opens = opensWith(dir, changed) ? changed : changed + 1;
            try (FerrumDB db = FerrumDB.open(dir, MaintenanceKillChild.options(MaintenanceKillChild.passphrase(
                    opens)))) {
                assertHolds(db, -1, where + ": opened with pass-" + opens);
            }
            if (changed > 0) {
                assertThat(opensWith(dir, changed - 1)).as("%s: an acknowledged change is durable", where)
                        .isFalse();
            }
            current = opens;
        }
    }

    /**
     * Creating encrypted databases (META, then KEY, then the first segment) killed at a random point: every database
     * created opens with its passphrase, and so does the one being created (a writable open with the key finishes
     * it: SECURITY.md, "Creating a database").
     */
    @Test
    void encryptedDatabasesKilledWhileBeingCreatedOpenWithTheirPassphrase() throws Exception {
        long seed = Long.getLong("ferrumdb.seed", System.nanoTime());
        Random r = new Random(seed);
        Path root = tmp.resolve("created");
        Files.createDirectories(root);
        Options options = MaintenanceKillChild.options(MaintenanceKillChild.passphrase(0));
        long next = 0;
        for (int round = 1; round <= ROUNDS; round++) {
            String where = "seed " + seed + " round " + round;
            List<String> lines = runAndKill(r, where, root.toString(), "create", Long.toString(next));
            long created = last(lines, "CREATED", next - 1);
            for (long n = next; n <= created + 1; n++) {
                Path dir = root.resolve("c-" + n);
                if (n > created && !Files.exists(dir)) {
                    continue;
                }
                try (FerrumDB db = FerrumDB.open(dir, options)) {
                    byte[] value = db.get(MaintenanceKillChild.afterKey(n));
                    if (n <= created) {
                        assertThat(value).as("%s: database c-%d", where, n).isEqualTo(KillChild.value("after", n));
                    } else {
                        assertThat(value == null || Arrays.equals(value, KillChild.value("after", n)))
                                .as("%s: the database the kill interrupted, whole or empty", where).isTrue();
                    }
                }
            }
            next = created + 2;
        }
    }

    private static boolean opensWith(Path dir, int passphrase) {
        try (FerrumDB db = FerrumDB.open(dir, MaintenanceKillChild.options(MaintenanceKillChild.passphrase(
                passphrase)).toBuilder().readOnly(true).build())) {
            return db.get(baseKey(0)) != null;
        } catch (EncryptionKeyException wrong) {
            return false;
        }
    }

    @Test
    void dataKeyRotationsKilledAtRandomPointsLoseNoAcknowledgedRecord() throws Exception {
        long seed = Long.getLong("ferrumdb.seed", System.nanoTime());
        Random r = new Random(seed);
        Path dir = tmp.resolve("db");
        Options options = MaintenanceKillChild.options(MaintenanceKillChild.passphrase(0));
        fill(dir, options);
        long acknowledged = -1;
        for (int round = 1; round <= ROUNDS; round++) {
            String where = "seed " + seed + " round " + round;
            List<String> lines = runAndKill(r, where, dir.toString(), "rotate", Long.toString(acknowledged + 1));
            acknowledged = last(lines, "PUT", acknowledged);
            // Verify first, on the files as the kill left them (open would cut a torn tail).
            assertThat(FerrumDB.verify(dir, options).damage()).as("%s: verify", where).isEmpty();
            try (FerrumDB db = FerrumDB.open(dir, options)) {
                assertHolds(db, acknowledged, where);
            }
        }
    }
}
