package io.ferrumdb.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.Gate;
import io.ferrumdb.MutableClock;
import io.ferrumdb.Options;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A memory store written by the build before the {@code FF 06} expiry entries (golden
 * {@code memory-before-expiry-entries}, {@link GoldenMemoryStore}): its memories with a TTL have no entry, so
 * before this upgrade an expired memory stayed in BM25's statistics until forgotten, and the namespace ranked
 * differently from one that never held it. The first writable open adds the entries and recounts the statistics,
 * once; a crash midway leaves a store whose next open finishes the upgrade.
 */
class ExpiryEntryUpgradeTest {
    @TempDir
    Path dir;
    /** Two minutes after the golden store was written: its short-lived memory has expired, the long-lived not. */
    private final MutableClock clock =
            new MutableClock(GoldenMemoryStore.WRITTEN_AT.plus(Duration.ofMinutes(2)).toEpochMilli());
    private FerrumDB db;

    @BeforeEach
    void copyGolden() throws URISyntaxException {
        Path golden = Path.of(getClass().getResource("/golden/memory-before-expiry-entries/META").toURI())
                .getParent();
        copy(golden, dir);
    }

    @AfterEach
    void close() {
        if (db != null) {
            db.close();
        }
    }

    private FerrumDB open(boolean readOnly) {
        if (db != null) {
            db.close();
        }
        db = FerrumDB.open(dir, Options.builder().clock(clock).readOnly(readOnly).build());
        return db;
    }

    @Test
    void theGoldenStoreHasNoExpiryEntries() {
        FerrumDB raw = open(true);
        for (String namespace : List.of("with", "without", "reference")) {
            assertThat(raw.count(MemoryKeys.expiries(namespace))).isZero();
        }
        assertThat(raw.contains(MemoryKeys.EXPIRY_ENTRIES_COMPLETE)).isFalse();
    }

    @Test
    void expiredMemoriesOfAnOlderBuildStopCountingAfterTheFirstWritableOpen() {
        AgentMemory memory = AgentMemory.on(open(false));
        assertThat(ranking(memory, "with")).as("the memory that expired before the upgrade")
                .isEqualTo(ranking(memory, "reference"));

        clock.advance(Duration.ofHours(1));
        assertThat(ranking(memory, "with")).as("the memory that expired after the upgrade, before any write")
                .isEqualTo(ranking(memory, "without"));
        memory.remember(new MemoryInput("with", "a note about the cluster", List.of(), null, null, null));
        memory.remember(new MemoryInput("without", "a note about the cluster", List.of(), null, null, null));
        assertThat(ranking(memory, "with")).as("after a remember swept it").isEqualTo(ranking(memory, "without"));

        memory = AgentMemory.on(open(false));
        assertThat(ranking(memory, "with")).as("after reopening").isEqualTo(ranking(memory, "without"));
    }

    @Test
    void aReadOnlyOpenChangesNothingAndTheNextWritableOneUpgrades() {
        AgentMemory.on(open(true));
        assertThat(db.contains(MemoryKeys.EXPIRY_ENTRIES_COMPLETE)).isFalse();
        assertThat(db.count(MemoryKeys.expiries("with"))).isZero();

        AgentMemory memory = AgentMemory.on(open(false));
        assertThat(db.contains(MemoryKeys.EXPIRY_ENTRIES_COMPLETE)).isTrue();
        assertThat(db.count(MemoryKeys.expiries("with"))).as("the long-lived memory's entry").isEqualTo(1);
        assertThat(ranking(memory, "with")).isEqualTo(ranking(memory, "reference"));
    }

    /**
     * Every step of the upgrade is one atomic batch, so a crash leaves one of these states: some entries added and
     * nothing else, or some namespaces recounted, without the marker. Both are made here by hand (an entry written
     * as the first batch writes it; the whole upgrade run, then its marker removed so that it runs again), and the
     * next open must end with the statistics the upgrade gives in one go.
     */
    @Test
    void anUpgradeCutShortIsFinishedByTheNextOpenWithTheSameResult() {
        FerrumDB raw = open(false);
        String id = null;
        MemoryCodec.Stored stored = null;
        try (var it = raw.iterate(MemoryKeys.memories("with"))) {
            while (stored == null || stored.memory().expiresAt().isEmpty()) {
                var entry = it.next();
                id = MemoryKeys.trailingId(entry.key());
                stored = MemoryCodec.decode("with", id, entry.value());
            }
        }
        raw.put(MemoryKeys.expiry("with", stored.memory().expiresAt().orElseThrow().toEpochMilli(), id,
                stored.terms()), new byte[0]);

        AgentMemory memory = AgentMemory.on(open(false));
        List<List<String>> once = ranking(memory, "with");
        assertThat(once).isEqualTo(ranking(memory, "reference"));
        assertThat(db.count(MemoryKeys.expiries("with"))).isEqualTo(1);

        db.delete(MemoryKeys.EXPIRY_ENTRIES_COMPLETE);
        memory = AgentMemory.on(open(false));
        assertThat(ranking(memory, "with")).as("run twice").isEqualTo(once);
        assertThat(db.count(MemoryKeys.expiries("with"))).isEqualTo(1);
        clock.advance(Duration.ofHours(1));
        assertThat(ranking(memory, "with")).isEqualTo(ranking(memory, "without"));
    }

    /**
     * The upgrade runs under the database's writer lock. Held inside it (a gate in the clock, which the engine reads
     * for the upgrade's first lookup), a second {@code AgentMemory} on the same database must wait to remember until
     * it has finished. Before, each instance had a lock of its own: the second ran the upgrade itself and then its
     * remember while the first was held mid-upgrade, whose recount could then overwrite the statistics that
     * remember had written. Whether the second caller finished or is queued on the lock is observed, not timed.
     */
    @Test
    void theUpgradeExcludesTheWritesOfAnotherInstanceOnTheSameDatabase() throws Exception {
        Gate upgrading = new Gate("a clock reading inside the upgrade");
        db = FerrumDB.open(dir, Options.builder().clock(new UpgradeGatedClock(clock, upgrading)).build());
        ExecutorService callers = Executors.newFixedThreadPool(2);
        try {
            upgrading.arm();
            Future<AgentMemory> first = callers.submit(() -> AgentMemory.on(db));
            upgrading.awaitHeld();
            AtomicReference<Thread> secondCaller = new AtomicReference<>();
            Future<Remembered> second = callers.submit(() -> {
                secondCaller.set(Thread.currentThread());
                return AgentMemory.on(db).remember(note("with"));
            });
            ReentrantLock writers = WriterLocks.of(db);
            while (!second.isDone() && (secondCaller.get() == null || !writers.hasQueuedThread(secondCaller.get()))) {
                Thread.onSpinWait();
            }
            assertThat(second.isDone()).as("another instance remembered while the upgrade was held").isFalse();

            upgrading.release();
            AgentMemory memory = first.get();
            second.get();
            memory.remember(note("reference"));
            assertThat(ranking(memory, "with")).isEqualTo(ranking(memory, "reference"));
        } finally {
            upgrading.release();
            callers.shutdownNow();
        }
    }

    private static MemoryInput note(String namespace) {
        return new MemoryInput(namespace, "a note about the cluster", List.of(), null, null, null);
    }

    /** {@code base}'s time; a reading made inside {@link ExpiryEntryUpgrade} passes {@code gate} first. */
    private static final class UpgradeGatedClock extends Clock {
        private final Clock base;
        private final Gate gate;

        UpgradeGatedClock(Clock base, Gate gate) {
            this.base = base;
            this.gate = gate;
        }

        @Override
        public long millis() {
            if (StackWalker.getInstance().walk(frames -> frames.anyMatch(
                    f -> f.getClassName().equals(ExpiryEntryUpgrade.class.getName())))) {
                try {
                    gate.pass();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return base.millis();
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis());
        }

        @Override
        public ZoneId getZone() {
            return base.getZone();
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    /** Every query's results in {@code namespace}: text and exact score, best first. */
    private static List<List<String>> ranking(AgentMemory memory, String namespace) {
        return AgentMemoryTest.QUERIES.stream().map(q -> memory.recall(new RecallQuery(namespace, q, null, 100, null, null))
                .stream().map(r -> r.memory().text() + " @ " + r.score()).toList()).toList();
    }

    private static void copy(Path from, Path to) {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
