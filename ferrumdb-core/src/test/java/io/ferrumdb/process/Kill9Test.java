package io.ferrumdb.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.EncryptedOptions;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.internal.directory.FileNames;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9: a child JVM ({@link KillChild}) writes with {@code always()} from sync writers, a batch writer and a
 * putAsync pipeline, printing each acknowledged write; it is killed with destroyForcibly() at a random moment.
 * After each kill the database is reopened: every acknowledged write is present with its value or a later value
 * of the same writer, and the batch keys hold one batch's value, all of them (never half a batch), no older than
 * the last acknowledged batch. Rounds accumulate in one directory; -Dferrumdb.soak=true runs many more. Each
 * reopen closes cleanly, so every child after the first opens from a key directory image and is killed after it
 * wrote: the image must never outlive those writes.
 */
class Kill9Test {
    private static final boolean SOAK = Boolean.getBoolean("ferrumdb.soak");

    @TempDir
    Path tmp;

    @Test
    void acknowledgedWritesSurviveKill9() throws Exception {
        killRounds(16384, false);
    }

    /** Issue 5: the same in encrypted mode (an encrypted database writes no key directory image). */
    @Test
    void acknowledgedWritesSurviveKill9Encrypted() throws Exception {
        killRounds(16384, true);
    }

    /**
     * The same with the default 64 MiB segments: the active segment is zero-filled up to 2 MiB ahead of its records
     * and never rolls, so every kill leaves a zero tail for the next open to end the log at and cut.
     */
    @Test
    void acknowledgedWritesSurviveKill9InAZeroFilledSegment() throws Exception {
        killRounds(io.ferrumdb.Options.DEFAULT_SEGMENT_SIZE, false);
    }

    private void killRounds(long segmentSize, boolean encrypted) throws Exception {
        io.ferrumdb.Options options = encrypted ? EncryptedOptions.builder().build() : io.ferrumdb.Options.defaults();
        Path dir = tmp.resolve("db");
        long seed = Long.getLong("ferrumdb.seed", System.nanoTime());
        Random r = new Random(seed);
        Map<String, Long> acked = new HashMap<>();
        long ackedBatch = -1;
        int rounds = SOAK ? 60 : 5;
        for (int round = 1; round <= rounds; round++) {
            String where = "seed " + seed + " round " + round;
            Path stderr = tmp.resolve("child-" + round + ".err");
            // From the second round on the child opens from the key directory image the parent's clean close wrote
            // (an open keeps an image it uses), and is killed after writing: the next open must refuse that image,
            // which names fewer segments, and so deletes it.
            Path image = dir.resolve(FileNames.KEYDIR);
            assertThat(Files.exists(image)).as("%s: key directory image before the child", where)
                    .isEqualTo(round > 1 && !encrypted);
            Process child = ChildJvm.start(KillChild.class, stderr, dir.toString(), Integer.toString(round),
                    Long.toString(segmentSize), Boolean.toString(encrypted));
            List<String> lines = new ArrayList<>();
            CountDownLatch ready = new CountDownLatch(1);
            Thread reader = new Thread(() -> readLines(child, lines, ready));
            reader.start();
            boolean started = ready.await(60, TimeUnit.SECONDS);
            assertThat(started).as("%s: child did not start: %s", where, Files.readString(stderr)).isTrue();
            // The kill comes at a random moment after the first acknowledgement (a loaded machine may be slow).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (ackCount(lines) == 0 && System.nanoTime() < deadline && child.isAlive()) {
                Thread.sleep(10);
            }
            Thread.sleep(r.nextInt(SOAK ? 1500 : 700));
            assertThat(child.isAlive()).as("%s: child died on its own: %s", where, Files.readString(stderr)).isTrue();
            child.destroyForcibly();
            child.waitFor();
            reader.join();
            int acks = 0;
            synchronized (lines) {
                for (String line : lines) {
                    String[] f = line.split(" ");
                    if (f[0].equals("PUT")) {
                        acked.merge(f[1], Long.parseLong(f[2]), Math::max);
                        acks++;
                    } else if (f[0].equals("BATCH")) {
                        ackedBatch = Math.max(ackedBatch, Long.parseLong(f[1]));
                        acks++;
                    }
                }
            }
            assertThat(acks).as("%s: the child acknowledged no write before the kill", where).isPositive();
            try (FerrumDB db = FerrumDB.open(dir, options)) {
                assertThat(image).as("%s: the image the child opened from is refused after its writes", where)
                        .doesNotExist();
                assertThat(db.recoveryReport()).as("%s: recovery report", where).noneMatch(d -> d.kind().isDamage());
                for (Map.Entry<String, Long> e : acked.entrySet()) {
                    byte[] v = db.get(e.getKey().getBytes(StandardCharsets.UTF_8));
                    assertThat(v).as("%s: acknowledged key %s is missing", where, e.getKey()).isNotNull();
                    long n = sequenceOf(new String(v, StandardCharsets.UTF_8), e.getKey(), where);
                    assertThat(n).as("%s: %s holds an older value than acknowledged", where, e.getKey())
                            .isGreaterThanOrEqualTo(e.getValue());
                }
                checkBatch(db, ackedBatch, where);
            }
        }
    }

    private static long ackCount(List<String> lines) {
        synchronized (lines) {
            return lines.stream().filter(l -> l.startsWith("PUT ") || l.startsWith("BATCH ")).count();
        }
    }

    private static void checkBatch(FerrumDB db, long ackedBatch, String where) {
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < KillChild.BATCH_KEYS; i++) {
            values.add(db.get(KillChild.batchKey(i).getBytes(StandardCharsets.UTF_8)));
        }
        if (values.get(0) == null) {
            assertThat(values).as("%s: half a batch", where).containsOnlyNulls();
            assertThat(ackedBatch).as("%s: an acknowledged batch is missing", where).isEqualTo(-1);
            return;
        }
        for (byte[] v : values) {
            assertThat(v).as("%s: batch keys hold different batches (half-applied)", where).isEqualTo(values.get(0));
        }
        long n = sequenceOf(new String(values.get(0), StandardCharsets.UTF_8), "batch", where);
        assertThat(n).as("%s: batch older than the last acknowledged one", where).isGreaterThanOrEqualTo(ackedBatch);
    }

    /** The writer's sequence number in a value, checking that the whole value is what the child wrote. */
    private static long sequenceOf(String value, String key, String where) {
        String[] parts = value.split("#", 3);
        assertThat(parts).as("%s: malformed value of %s: %s", where, key, value).hasSize(3);
        assertThat(parts[0]).as("%s: value of %s names another key", where, key).isEqualTo(key);
        long n = Long.parseLong(parts[1]);
        assertThat(value).as("%s: value of %s is damaged", where, key)
                .isEqualTo(new String(KillChild.value(key, n), StandardCharsets.UTF_8));
        return n;
    }

    private static void readLines(Process child, List<String> lines, CountDownLatch ready) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.endsWith(" .")) {
                    continue; // cut by the kill: not an acknowledgement the parent can rely on
                }
                if (line.equals("READY .")) {
                    ready.countDown();
                }
                synchronized (lines) {
                    lines.add(line);
                }
            }
        } catch (IOException e) {
            synchronized (lines) {
                lines.add("READ-ERROR " + e);
            }
        }
    }
}
