package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.internal.directory.FileNames;
import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.io.ForwardingFileIO;
import io.ferrumdb.internal.io.StorageFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * close() does not wait for a background compaction to copy its inputs (YCSB "Run 6" in docs/benchmarks.md): the
 * run abandons its copy, and the reopened database holds every key with its newest value and nothing left over.
 *
 * <p>The compaction is held in its copy loop by a rate limit of one byte per second (it would copy for hours):
 * the test waits until its first output file exists, then closes. Without abandonment close() would wait for the
 * whole copy; the timeout only stops such a hang, nothing here measures time.
 */
class CloseDuringCompactionTest {
    private static final int KEYS = 300;
    private static final int ROUNDS = 4;

    @TempDir
    Path tmp;

    private static byte[] key(int i) {
        return ("key-" + i).getBytes(StandardCharsets.UTF_8);
    }

    private static String value(int i, int round) {
        return "value-" + i + "-round-" + round + "-" + "x".repeat(60);
    }

    /**
     * Overwrites every key {@code ROUNDS} times with automatic compaction off: many full sealed segments, most of
     * them dead. Returns the newest value of every key.
     */
    private static TreeMap<String, String> fill(Path dir, FileIO io) {
        TreeMap<String, String> expected = new TreeMap<>();
        try (FerrumDB db = FerrumDB.open(dir, Options.builder().segmentSize(8192).autoCompaction(false).fileIO(io)
                .build())) {
            for (int round = 0; round < ROUNDS; round++) {
                for (int i = 0; i < KEYS; i++) {
                    db.put(key(i), value(i, round).getBytes(StandardCharsets.UTF_8));
                    expected.put("key-" + i, value(i, round));
                }
            }
        }
        return expected;
    }

    /** Background compaction at once, held in its copy loop by the rate limit. */
    private static Options slowCompaction(FileIO io) {
        return Options.builder().segmentSize(8192).autoCompaction(true).compactionInterval(Duration.ofMillis(10))
                .compactionRateLimit(1).fileIO(io).build();
    }

    /**
     * Opens {@code dir} with a background compaction running, closes it while the compaction copies (after some
     * acknowledged writes), and checks what close left: the segments from before all there (nothing was
     * published or retired), no compaction output under a temporary name, no hint without its segment.
     */
    private static void closeWhileCompacting(Path dir, FileIO io, TreeMap<String, String> expected)
            throws Exception {
        TreeSet<Long> before = segmentIds(dir);
        OutputWatch watch = new OutputWatch(io);
        FerrumDB db = FerrumDB.open(dir, slowCompaction(watch));
        try {
            assertThat(watch.outputCreated.await(2, TimeUnit.MINUTES))
                    .as("a background compaction started copying").isTrue();
            for (int i = 0; i < KEYS; i += 10) {
                String v = "during-compaction-" + i;
                db.put(key(i), v.getBytes(StandardCharsets.UTF_8));
                expected.put("key-" + i, v);
            }
            db.delete(key(1));
            expected.remove("key-1");
            assertThat(db.stats().compactions()).as("the held compaction has not finished").isZero();
        } finally {
            db.close();
        }
        assertThat(segmentIds(dir)).as("the compaction's inputs are untouched").containsAll(before);
        assertNoStrayFiles(dir);
    }

    private static void assertReopensWith(Path dir, Options options, TreeMap<String, String> expected) {
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            assertContents(db, expected);
            db.compact();
            assertContents(db, expected);
        }
        assertThat(FerrumDB.verify(dir, Options.defaults()).ok()).isTrue();
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void closeAbandonsARunningBackgroundCompactionAndLosesNothing() throws Exception {
        Path dir = tmp.resolve("db");
        TreeMap<String, String> expected = fill(dir, FileIO.nio());
        closeWhileCompacting(dir, FileIO.nio(), expected);
        assertReopensWith(dir, Options.builder().segmentSize(8192).autoCompaction(false).build(), expected);
        assertNoStrayFiles(dir);
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void powerLostRightAfterAnAbandoningCloseLosesNothing() throws Exception {
        Path dir = tmp.resolve("db");
        FaultFileIO io = new FaultFileIO(7);
        TreeMap<String, String> expected = fill(dir, io.session());
        closeWhileCompacting(dir, io.session(), expected);
        // Deletions of the abandoned outputs that no directory sync made durable are undone: a hint written
        // durably under the output's final name comes back without its segment.
        io.crash();
        assertReopensWith(dir, Options.builder().segmentSize(8192).autoCompaction(false).fileIO(io.session())
                .build(), expected);
        assertNoStrayFiles(dir);
    }

    private static void assertContents(FerrumDB db, TreeMap<String, String> expected) {
        assertThat(db.size()).isEqualTo(expected.size());
        for (int i = 0; i < KEYS; i++) {
            byte[] v = db.get(key(i));
            String want = expected.get("key-" + i);
            assertThat(v == null ? null : new String(v, StandardCharsets.UTF_8)).as("key-%d", i).isEqualTo(want);
        }
    }

    private static TreeSet<Long> segmentIds(Path dir) throws IOException {
        TreeSet<Long> ids = new TreeSet<>();
        for (String name : names(dir)) {
            long id = FileNames.segmentId(name);
            if (id >= 0) {
                ids.add(id);
            }
        }
        return ids;
    }

    private static void assertNoStrayFiles(Path dir) throws IOException {
        List<String> names = names(dir);
        assertThat(names).as("no file under a temporary name").noneMatch(FileNames::isTemporary);
        TreeSet<Long> segments = segmentIds(dir);
        for (String name : names) {
            if (FileNames.isHint(name)) {
                long id = Long.parseLong(name.substring(0, name.indexOf('.')));
                assertThat(segments).as("segment of hint %s", name).contains(id);
            }
        }
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return new ArrayList<>(s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    /** Delegates everything; counts down {@link #outputCreated} when a compaction output file is created. */
    private static final class OutputWatch extends ForwardingFileIO {
        final CountDownLatch outputCreated = new CountDownLatch(1);

        OutputWatch(FileIO delegate) {
            super(delegate);
        }

        @Override
        public StorageFile create(Path file) throws IOException {
            StorageFile created = delegate.create(file);
            if (file.getFileName().toString().endsWith(FileNames.temporary(".seg"))) {
                outputCreated.countDown();
            }
            return created;
        }
    }
}
