package io.ferrumdb.internal.compaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.internal.format.SegmentHeader;
import io.ferrumdb.internal.log.Segment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link CompactionScheduler} alone (issue 17: a test per part), over a {@link CompactionScheduler.Host} that records
 * what it is asked: when its thread starts and ends, that a seal or the interval runs the policy's plan, that a busy
 * maintenance lock skips a run, that a failed run is reported and retried, that closing abandons a running copy and
 * then merges small segments (never abandoned), and that a failure of that merge leaves close with the maintenance
 * lock released.
 */
@Timeout(60)
class CompactionSchedulerTest {
    private static final long SEGMENT_SIZE = 1 << 20;
    private static final AtomicInteger NAMES = new AtomicInteger();

    /** A sealed segment of {@code bytes} whose records are all dead (no live bytes): the policy compacts it. */
    private static Segment dead(int id, long bytes) {
        return new Segment(id, Path.of(id + ".seg"), null, null, null, bytes);
    }

    /** A sealed segment holding nothing after its header: small, not dead. */
    private static Segment headerOnly(int id) {
        return new Segment(id, Path.of(id + ".seg"), null, null, null, SegmentHeader.SIZE);
    }

    private final String threadName = "test-compactor-" + NAMES.incrementAndGet();
    private final ReentrantLock maintenance = new ReentrantLock();
    private final Host host = new Host();
    private final CompactionPolicy policy = new CompactionPolicy(0.5, 10, SEGMENT_SIZE);

    /** Records every call; compact() removes its inputs from the sealed segments, as a compaction does. */
    private final class Host implements CompactionScheduler.Host {
        final List<Segment> sealed = new CopyOnWriteArrayList<>();
        volatile boolean writable = true;
        volatile CompactionPolicy.Usage active;
        final List<List<Integer>> compacted = new CopyOnWriteArrayList<>();
        final AtomicInteger rolls = new AtomicInteger();
        final List<Boolean> lockHeld = new CopyOnWriteArrayList<>();
        /** Runs inside compact() before it finishes; may throw. */
        volatile Compaction during = abandon -> { };

        @Override
        public boolean writable() {
            return writable;
        }

        @Override
        public List<Segment> sealedSegments() {
            return List.copyOf(sealed);
        }

        @Override
        public CompactionPolicy.Usage activeUsage() {
            return active;
        }

        @Override
        public void rollActive() {
            rolls.incrementAndGet();
            CompactionPolicy.Usage a = active;
            if (a != null) {
                sealed.add(new Segment(a.id(), Path.of(a.id() + ".seg"), null, null, null, a.bytes()));
                active = null;
            }
        }

        @Override
        public void compact(List<Segment> inputs, BooleanSupplier abandon) {
            lockHeld.add(maintenance.isHeldByCurrentThread());
            during.run(abandon);
            List<Integer> ids = new ArrayList<>();
            for (Segment s : inputs) {
                ids.add(s.id());
            }
            sealed.removeAll(inputs);
            compacted.add(ids);
        }
    }

    private interface Compaction {
        void run(BooleanSupplier abandon);
    }

    private CompactionScheduler scheduler(Duration interval) {
        return new CompactionScheduler(policy, maintenance, host, interval, threadName);
    }

    private long threads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .filter(t -> t.getName().equals(threadName)).count();
    }

    private static void eventually(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    @Test
    void noThreadRunsBeforeStartOrTheFirstSealAndCloseEndsIt() throws Exception {
        CompactionScheduler s = scheduler(Duration.ofHours(1));
        assertThat(threads()).as("after construction").isZero();
        s.start();
        assertThat(threads()).as("after start").isEqualTo(1);
        s.start();
        assertThat(threads()).as("a second start starts nothing more").isEqualTo(1);
        s.close();
        assertThat(threads()).as("after close").isZero();
        s.start();
        assertThat(threads()).as("a start after close starts nothing").isZero();
        assertThat(host.compacted).isEmpty();
    }

    @Test
    void aSealRunsThePlanAtOnceUnderTheMaintenanceLock() throws Exception {
        host.sealed.add(dead(1, 10_000));
        host.sealed.add(headerOnly(2));
        CompactionScheduler s = scheduler(Duration.ofHours(1));
        try {
            s.segmentSealed(); // starts the thread too
            eventually(() -> !host.compacted.isEmpty(), "the sealed segment's nudge ran a compaction");
            assertThat(host.compacted).containsExactly(List.of(1));
            assertThat(host.lockHeld).containsExactly(true);
            assertThat(s.lastFailure()).isNull();
        } finally {
            s.close();
        }
    }

    @Test
    void theIntervalRunsThePlanWithoutAnySeal() throws Exception {
        CompactionScheduler s = scheduler(Duration.ofMillis(20));
        try {
            s.start();
            Thread.sleep(100);
            assertThat(host.compacted).as("nothing to do").isEmpty();
            host.sealed.add(dead(3, 10_000));
            eventually(() -> !host.compacted.isEmpty(), "a periodic check compacted the dead segment");
            assertThat(host.compacted).containsExactly(List.of(3));
        } finally {
            s.close();
        }
    }

    @Test
    void aRunIsSkippedWhileTheMaintenanceLockIsHeldOrWritesHaveFailed() throws Exception {
        host.sealed.add(dead(1, 10_000));
        CompactionScheduler s = scheduler(Duration.ofMillis(20));
        try {
            maintenance.lock(); // a backup or db.compact() runs
            host.writable = false;
            s.start();
            Thread.sleep(150);
            assertThat(host.compacted).as("lock busy").isEmpty();
            maintenance.unlock();
            Thread.sleep(150);
            assertThat(host.compacted).as("writes failed: background compaction stops").isEmpty();
            host.writable = true;
            eventually(() -> !host.compacted.isEmpty(), "a check after the lock was released compacted");
        } finally {
            if (maintenance.isHeldByCurrentThread()) {
                maintenance.unlock();
            }
            s.close();
        }
    }

    @Test
    void aFailedRunIsReportedAndRetried() throws Exception {
        host.sealed.add(dead(1, 10_000));
        AtomicInteger attempts = new AtomicInteger();
        RuntimeException full = new IllegalStateException("No space left on device");
        host.during = abandon -> {
            if (attempts.incrementAndGet() == 1) {
                throw full;
            }
        };
        CompactionScheduler s = scheduler(Duration.ofHours(1));
        try {
            s.segmentSealed();
            eventually(() -> s.lastFailure() != null, "the failed run is reported");
            assertThat(s.lastFailure()).isSameAs(full);
            assertThat(host.compacted).isEmpty();
            eventually(() -> !maintenance.isLocked(), "the failed run released the lock");
            s.segmentSealed(); // the next check (a seal here; the interval in general) retries
            eventually(() -> !host.compacted.isEmpty(), "the retry succeeded");
            assertThat(attempts.get()).isEqualTo(2);
            eventually(() -> s.lastFailure() == null, "cleared by the successful run");
        } finally {
            s.close();
        }
    }

    @Test
    void closeAbandonsARunningCopyWithoutCountingItAsAFailure() throws Exception {
        host.sealed.add(dead(1, 10_000));
        CountDownLatch copying = new CountDownLatch(1);
        host.during = abandon -> {
            copying.countDown();
            while (!abandon.getAsBoolean()) {
                Thread.onSpinWait();
            }
            throw new CompactionAbandonedException(List.of(1));
        };
        CompactionScheduler s = scheduler(Duration.ofHours(1));
        s.segmentSealed();
        assertThat(copying.await(30, TimeUnit.SECONDS)).isTrue();
        s.close();
        assertThat(s.lastFailure()).isNull();
        assertThat(host.compacted).as("the abandoned run published nothing").isEmpty();
        assertThat(host.sealed).extracting(Segment::id).containsExactly(1);
        assertThat(threads()).isZero();
    }

    @Test
    void closeRollsTheActiveSegmentAndMergesTheSmallOnesNeverAbandoned() throws Exception {
        for (int id = 1; id <= 3; id++) {
            host.sealed.add(headerOnly(id));
        }
        host.active = new CompactionPolicy.Usage(4, SegmentHeader.SIZE + 100, 100);
        List<Boolean> abandonAsked = new CopyOnWriteArrayList<>();
        host.during = abandon -> abandonAsked.add(abandon.getAsBoolean());
        CompactionScheduler s = scheduler(Duration.ofHours(1));
        s.close(); // no thread ever started: closing still merges
        assertThat(host.rolls.get()).isEqualTo(1);
        assertThat(host.compacted).containsExactly(List.of(1, 2, 3, 4));
        assertThat(abandonAsked).containsExactly(false);
        assertThat(host.lockHeld).containsExactly(true);
    }

    @Test
    void closeMergesNothingWhenFewerThanASmallRunWouldRemainOrWritesHaveFailed() {
        host.sealed.add(headerOnly(1));
        host.sealed.add(headerOnly(2));
        host.active = new CompactionPolicy.Usage(3, SegmentHeader.SIZE + 100, 100);
        scheduler(Duration.ofHours(1)).close();
        assertThat(host.rolls.get()).isZero();
        assertThat(host.compacted).isEmpty();

        host.sealed.add(headerOnly(5));
        host.writable = false;
        scheduler(Duration.ofHours(1)).close();
        assertThat(host.rolls.get()).as("a stopped writer is not rolled").isZero();
        assertThat(host.compacted).isEmpty();
    }

    @Test
    void aFailedClosingMergeLeavesCloseWithTheMaintenanceLockReleased() {
        for (int id = 1; id <= 4; id++) {
            host.sealed.add(headerOnly(id));
        }
        host.during = abandon -> {
            throw new IllegalStateException("compaction failed: No space left on device");
        };
        CompactionScheduler s = scheduler(Duration.ofHours(1));
        assertThatThrownBy(s::close).hasMessageContaining("No space left on device");
        assertThat(maintenance.isLocked()).isFalse();
        assertThat(host.sealed).as("the inputs stay").hasSize(4);
        assertThat(threads()).isZero();
    }
}
