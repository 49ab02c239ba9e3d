package io.ferrumdb.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.Options;
import io.ferrumdb.Stats;
import io.ferrumdb.VerifyReport;
import io.ferrumdb.internal.directory.FileNames;
import io.ferrumdb.internal.format.RecordFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 during staged single puts ({@link StagedKillChild}): overwrites and deletes of the same few keys, puts
 * with a TTL and of long keys (which drain the stage), rolls of 16 KiB segments and compactions. Each round's child
 * opens from the key directory image that the previous round's clean close wrote (mapped copy-on-write), writes,
 * and is killed without closing; the next open must not use that image once the child changed anything (a
 * child whose acknowledged operations all were deletes of absent keys wrote nothing), and must find:
 * <ul>
 *   <li>{@code always()}: every key as the writer's acknowledged operations left it, but for the one operation a
 *   writer may have had in flight (applied or not): no acknowledged put lost, no acknowledged delete undone;</li>
 *   <li>{@code never()} with a clean close in the middle: every operation before the close, and then the state after
 *   some prefix of the operations after it (records reach the file in order, and a compaction makes every
 *   superseding write durable before it deletes an input).</li>
 * </ul>
 * After each round the parent compacts and checks the live bytes against a recount of the live keys' records,
 * closes, and verifies the files; that close writes the image the next child opens from.
 */
class StagedKill9Test {
    private static final boolean SOAK = Boolean.getBoolean("ferrumdb.soak");
    private static final long SEGMENT = 16 << 10;

    @TempDir
    Path tmp;

    @Test
    void acknowledgedOperationsSurviveKill9WithAlways() throws Exception {
        rounds(true);
    }

    @Test
    void aPrefixAtLeastUpToTheCleanCloseSurvivesKill9WithNever() throws Exception {
        rounds(false);
    }

    private void rounds(boolean always) throws Exception {
        Path dir = tmp.resolve("db");
        long seed = Long.getLong("ferrumdb.seed", System.nanoTime());
        Random r = new Random(seed);
        // The state the last round's check confirmed, which the next round's operations start from.
        Map<String, byte[]> state = new TreeMap<>();
        int rounds = SOAK ? 30 : 4;
        for (int round = 1; round <= rounds; round++) {
            String where = "seed " + seed + " round " + round + (always ? " always" : " never");
            Path image = dir.resolve(FileNames.KEYDIR);
            // The previous round's close wrote an image unless its arena held more removed keys than live ones
            // (KeyDirImage.worthWriting): deletes of a fifth of the operations may leave that.
            if (round == 1) {
                assertThat(image).as("%s: no image before the first child", where).doesNotExist();
            }
            List<String> lines = runAndKill(dir, always, round, r, where);
            long base = round * 1_000_000_000L;
            // No background compaction: the live bytes are checked right after the parent's own.
            Options options = StagedKillChild.options(FsyncPolicy.never(), SEGMENT).toBuilder().autoCompaction(false)
                    .build();
            try (FerrumDB db = FerrumDB.open(dir, options)) {
                // An open may use the image only while the database is as it describes: unchanged by the child.
                boolean imageUsed = Files.exists(image);
                assertThat(db.recoveryReport()).as("%s: recovery report", where).noneMatch(d -> d.kind().isDamage());
                Map<String, byte[]> found = contents(db);
                Map<String, byte[]> before = state;
                state = always ? checkAlways(lines, base, state, found, where)
                        : checkNever(lines, base, state, found, where);
                if (imageUsed) {
                    assertThat(sameState(before, found)).as("%s: the open used the image the child opened from,"
                            + " after the child changed the database (%s lines)", where, lines.size()).isTrue();
                }
                db.compact();
                checkLiveBytes(db, state, where);
            }
            VerifyReport report = FerrumDB.verify(dir, Options.defaults());
            assertThat(report.damage()).as("%s: verify after the round", where).isEmpty();
        }
    }

    private List<String> runAndKill(Path dir, boolean always, int round, Random r, String where) throws Exception {
        Path stderr = tmp.resolve("child-" + round + ".err");
        Path stdout = tmp.resolve("child-" + round + ".out");
        Process child = ChildJvm.start(StagedKillChild.class, stderr, stdout, dir.toString(),
                always ? "always" : "never", Integer.toString(round), Long.toString(SEGMENT));
        // never(): the kill comes after the clean close and the open from its image, once writes went on after it.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!started(lines(stdout), always) && System.nanoTime() < deadline && child.isAlive()) {
            Thread.sleep(10);
        }
        assertThat(started(lines(stdout), always)).as("%s: child did not get going: %s", where,
                Files.readString(stderr)).isTrue();
        Thread.sleep(r.nextInt(SOAK ? 1500 : 600));
        assertThat(child.isAlive()).as("%s: child died on its own: %s", where, Files.readString(stderr)).isTrue();
        child.destroyForcibly();
        child.waitFor();
        return lines(stdout);
    }

    /** The whole lines the child wrote so far: a line cut by the kill (no " ." yet) is no acknowledgement. */
    private static List<String> lines(Path stdout) throws IOException {
        return Files.readAllLines(stdout, StandardCharsets.UTF_8).stream().filter(l -> l.endsWith(" .")).toList();
    }

    private static boolean started(List<String> lines, boolean always) {
        boolean closed = always || lines.stream().anyMatch(l -> l.startsWith("CLOSED "));
        return closed && lines.stream().anyMatch(l -> l.startsWith("OP "));
    }

    /** Every key any writer may have written, and its value in {@code db} (absent keys left out). */
    private static Map<String, byte[]> contents(FerrumDB db) {
        Map<String, byte[]> found = new TreeMap<>();
        for (int w = 0; w < StagedKillChild.WRITERS; w++) {
            for (int i = 0; i < StagedKillChild.SHORT_KEYS + StagedKillChild.LONG_KEYS; i++) {
                String key = StagedKillChild.key(w, i);
                byte[] v = db.get(key.getBytes(StandardCharsets.UTF_8));
                if (v != null) {
                    found.put(key, v);
                }
            }
        }
        assertThat(db.size()).as("size() against the keys found").isEqualTo(found.size());
        try (Stream<byte[]> keys = db.keys()) {
            assertThat(keys.map(k -> new String(k, StandardCharsets.UTF_8)).sorted().toList())
                    .containsExactlyElementsOf(found.keySet());
        }
        return found;
    }

    /**
     * always(): each writer's operations up to the last it acknowledged are applied; the next one (in flight at the
     * kill) may be. Returns the state found, once checked.
     */
    private static Map<String, byte[]> checkAlways(List<String> lines, long base, Map<String, byte[]> before,
                                                   Map<String, byte[]> found, String where) {
        long[] acked = new long[StagedKillChild.WRITERS];
        Arrays.fill(acked, base - 1);
        for (String line : lines) {
            String[] f = line.split(" ");
            if (f[0].equals("OP")) {
                int w = Integer.parseInt(f[1]);
                acked[w] = Math.max(acked[w], Long.parseLong(f[2]));
            }
        }
        assertThat(Arrays.stream(acked).anyMatch(a -> a >= base)).as("%s: nothing acknowledged", where).isTrue();
        Map<String, byte[]> expected = new TreeMap<>(before);
        Map<String, byte[]> ifInFlightApplied = new HashMap<>();
        for (int w = 0; w < StagedKillChild.WRITERS; w++) {
            for (long n = base; n <= acked[w]; n++) {
                StagedKillChild.op(w, n).applyTo(expected);
            }
        }
        for (int w = 0; w < StagedKillChild.WRITERS; w++) {
            StagedKillChild.Op next = StagedKillChild.op(w, acked[w] + 1);
            Map<String, byte[]> applied = new TreeMap<>(expected);
            next.applyTo(applied);
            ifInFlightApplied.put(next.key(), applied.get(next.key()));
        }
        TreeSet<String> keys = new TreeSet<>(expected.keySet());
        keys.addAll(found.keySet());
        keys.addAll(ifInFlightApplied.keySet());
        for (String key : keys) {
            byte[] actual = found.get(key);
            if (Arrays.equals(actual, expected.get(key))) {
                continue;
            }
            assertThat(ifInFlightApplied.containsKey(key) && Arrays.equals(actual, ifInFlightApplied.get(key)))
                    .as("%s: key %s is %s, its last acknowledged operation left %s", where, key, show(actual),
                            show(expected.get(key)))
                    .isTrue();
        }
        return found;
    }

    /**
     * never(): the operations before the clean close are all there, and the state is that after some prefix of the
     * later ones (at most one past the last printed). Returns the state found, once checked.
     */
    private static Map<String, byte[]> checkNever(List<String> lines, long base, Map<String, byte[]> before,
                                                  Map<String, byte[]> found, String where) {
        long closed = -1;
        long last = -1;
        for (String line : lines) {
            String[] f = line.split(" ");
            if (f[0].equals("CLOSED")) {
                closed = Long.parseLong(f[1]);
            } else if (f[0].equals("OP")) {
                last = Math.max(last, Long.parseLong(f[2]));
            }
        }
        assertThat(closed).as("%s: the child's clean close", where).isEqualTo(base + StagedKillChild.BEFORE_CLOSE - 1);
        Map<String, byte[]> model = new TreeMap<>(before);
        for (long n = base; n <= closed; n++) {
            StagedKillChild.op(0, n).applyTo(model);
        }
        Map<String, byte[]> atClose = new TreeMap<>(model);
        for (long n = closed + 1; ; n++) {
            if (sameState(model, found)) {
                return found;
            }
            if (n > last + 1) {
                break;
            }
            StagedKillChild.op(0, n).applyTo(model);
        }
        List<String> differences = new ArrayList<>();
        TreeSet<String> keys = new TreeSet<>(atClose.keySet());
        keys.addAll(found.keySet());
        for (String key : keys) {
            if (!Arrays.equals(atClose.get(key), found.get(key))) {
                differences.add(key + ": " + show(found.get(key)) + ", at the close " + show(atClose.get(key)));
            }
        }
        throw new AssertionError(where + ": " + lines.size() + " lines, the last " + lines.get(lines.size() - 1)
                + "; the database is in no state after a prefix of the operations from "
                + closed + " to " + (last + 1) + "; differences from the state at the clean close: " + differences);
    }

    private static boolean sameState(Map<String, byte[]> a, Map<String, byte[]> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        return a.entrySet().stream().allMatch(e -> Arrays.equals(e.getValue(), b.get(e.getKey())));
    }

    /** After a compaction, every byte counted live is a live key's record, and every live key's record is counted. */
    private static void checkLiveBytes(FerrumDB db, Map<String, byte[]> state, String where) {
        long recount = state.entrySet().stream()
                .mapToLong(e -> RecordFormat.HEADER_SIZE + e.getKey().getBytes(StandardCharsets.UTF_8).length
                        + e.getValue().length)
                .sum();
        Stats stats = db.stats();
        assertThat(stats.liveKeys()).as("%s: live keys", where).isEqualTo(state.size());
        assertThat(stats.liveBytes()).as("%s: live bytes after compaction against a recount", where)
                .isEqualTo(recount);
        assertThat(stats.segments().stream().mapToLong(Stats.SegmentStats::liveBytes).sum())
                .as("%s: the segments' live bytes", where).isEqualTo(recount);
    }

    private static String show(byte[] value) {
        if (value == null) {
            return "absent";
        }
        String s = new String(value, StandardCharsets.UTF_8);
        return s.substring(0, Math.min(s.length(), 30));
    }
}
