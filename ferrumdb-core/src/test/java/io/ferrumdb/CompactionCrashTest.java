package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Power lost at every I/O step of a compaction, and kill -9 of a child JVM in the middle of long compactions: the
 * reopened database always holds exactly the acknowledged data, and no deleted key comes back (also after a
 * further compaction, which is when a wrongly dropped tombstone would show).
 */
class CompactionCrashTest {
    private static final boolean SOAK = Boolean.getBoolean("ferrumdb.soak");

    @TempDir
    Path tmp;

    /** {@code threads}: db.compact()'s subcompactions (the workload's live bytes give four a part each). */
    private static Options options(FaultFileIO io, int threads) {
        return Options.builder().segmentSize(4096).autoCompaction(false).compactionThreads(threads)
                .fileIO(io.session()).build();
    }

    /**
     * Overwrites and deletes spread over many segments; deleted keys have values in older segments. After a first
     * compaction, deletes land in a writer segment numbered below the compaction output that holds the values they
     * hide: a compaction that deleted its inputs in number order without the journal could resurrect them.
     */
    static TreeMap<String, String> workload(FerrumDB db, long seed) {
        Random r = new Random(seed);
        for (int round = 0; round < 4; round++) {
            for (int i = 0; i < 60; i++) {
                byte[] value = History.value(r, 20 + r.nextInt(80));
                db.put(key(i), value);
            }
            for (int i = round; i < 60; i += 7) {
                db.delete(key(i));
            }
        }
        db.compact();
        for (int i = 1; i < 60; i += 3) {
            db.delete(key(i));
        }
        return History.dump(db);
    }

    static byte[] key(int i) {
        return ("key-" + i).getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "{0} thread(s)")
    @ValueSource(ints = {1, 4})
    void powerLossAtEveryStepOfACompaction(int threads) {
        int crashes = 0;
        for (FaultFileIO.Op op : FaultFileIO.Op.values()) {
            for (int nth = 1; ; nth++) {
                Path dir = tmp.resolve(op + "-" + nth);
                FaultFileIO io = new FaultFileIO(nth);
                TreeMap<String, String> expected;
                try (FerrumDB db = FerrumDB.open(dir, options(io, threads))) {
                    expected = workload(db, 99);
                    io.crashOn(op, nth);
                    try {
                        db.compact();
                    } catch (FerrumException e) {
                        assertThat(io.armed()).as("only the injected crash may fail compaction: " + e).isFalse();
                    }
                    if (io.armed()) {
                        io.disarm();
                        break; // the compaction made fewer than nth calls of op: every step is covered
                    }
                } catch (FerrumException closingAfterCrash) {
                    // close() of the crashed instance fails: its files are gone with the simulated power.
                    expected = null;
                }
                crashes++;
                String where = "power lost at " + op + " #" + nth;
                try (FerrumDB db = FerrumDB.open(dir, options(io, threads))) {
                    assertThat(History.dump(db)).as(where).isEqualTo(expectedFor(dir, expected));
                    db.compact();
                }
                try (FerrumDB db = FerrumDB.open(dir, options(io, threads))) {
                    assertThat(History.dump(db)).as(where + ", after a second compaction").isEqualTo(
                            expectedFor(dir, expected));
                }
            }
        }
        assertThat(crashes).isGreaterThan(20);
    }

    /** The workload is deterministic: replay it on a scratch database to know what the crashed one held. */
    private TreeMap<String, String> expectedFor(Path crashedDir, TreeMap<String, String> known) {
        if (known != null) {
            return known;
        }
        Path scratch = crashedDir.resolveSibling(crashedDir.getFileName() + "-model");
        try (FerrumDB db = FerrumDB.open(scratch, Options.builder().fsyncPolicy(FsyncPolicy.never())
                .autoCompaction(false).build())) {
            return workload(db, 99);
        }
    }

    @Test
    void killDuringLongCompactions() throws Exception {
        int rounds = SOAK ? 30 : 4;
        Random r = new Random();
        for (int round = 0; round < rounds; round++) {
            Path dir = tmp.resolve("kill-" + round);
            long seed = r.nextLong();
            // Every other round compacts in four subcompactions.
            int threads = round % 2 == 0 ? 1 : 4;
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), CompactingChild.class.getName(), dir.toString(),
                    Long.toString(seed), Integer.toString(threads)).redirectErrorStream(true).start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null && !line.equals("COMPACTING")) {
                    assertThat(line).as("child output").doesNotContain("Exception");
                }
                assertThat(line).as("child reached its compaction loop").isEqualTo("COMPACTING");
                Thread.sleep(50 + r.nextInt(400));
                child.destroyForcibly();
                assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("the killed child exited").isTrue();
            }
            TreeMap<String, String> expected;
            try (FerrumDB model = FerrumDB.open(tmp.resolve("model-" + round),
                    Options.builder().fsyncPolicy(FsyncPolicy.never()).autoCompaction(false).build())) {
                expected = CompactingChild.load(model, seed);
            }
            try (FerrumDB db = FerrumDB.open(dir, Options.builder().autoCompaction(false).build())) {
                assertThat(History.dump(db)).as("round " + round + " seed " + seed).isEqualTo(expected);
                db.compact();
            }
            try (FerrumDB db = FerrumDB.open(dir, Options.builder().autoCompaction(false).build())) {
                assertThat(History.dump(db)).as("round " + round + ", after a second compaction").isEqualTo(expected);
            }
        }
    }

    /**
     * Child JVM: loads a dataset durably, then compacts (in the threads given) until killed. Arguments: directory,
     * seed, compaction threads.
     */
    public static final class CompactingChild {
        static TreeMap<String, String> load(FerrumDB db, long seed) {
            Random r = new Random(seed);
            for (int round = 0; round < 6; round++) {
                WriteBatch batch = new WriteBatch();
                for (int i = 0; i < 400; i++) {
                    byte[] v = History.value(r, 50 + r.nextInt(200));
                    if (i % 5 == round % 5) {
                        batch.delete(key(i));
                    } else {
                        batch.put(key(i), v);
                    }
                    if (batch.size() == 50) {
                        db.write(batch);
                        batch = new WriteBatch();
                    }
                }
                db.write(batch);
            }
            return History.dump(db);
        }

        public static void main(String[] args) {
            Path dir = Path.of(args[0]);
            long seed = Long.parseLong(args[1]);
            int threads = Integer.parseInt(args[2]);
            try (FerrumDB db = FerrumDB.open(dir, Options.builder().segmentSize(8192).autoCompaction(false)
                    .compactionThreads(threads).build())) {
                load(db, seed);
                System.out.println("COMPACTING");
                System.out.flush();
                while (true) {
                    db.compact();
                }
            }
        }
    }
}
