package io.ferrumdb.internal.concurrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class UninterruptiblyTest {
    @AfterEach
    void clearFlag() {
        Thread.interrupted();
    }

    @Test
    void anInterruptDuringTheWaitIsReassertedAfterIt() {
        AtomicInteger attempts = new AtomicInteger();
        Uninterruptibly.await(() -> {
            if (attempts.incrementAndGet() == 1) {
                throw new InterruptedException("first attempt interrupted");
            }
            return true;
        });
        assertThat(attempts).hasValue(2);
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
    }

    @Test
    void aWaitNotDoneIsRepeatedWithoutSettingTheFlag() {
        AtomicInteger attempts = new AtomicInteger();
        Uninterruptibly.await(() -> attempts.incrementAndGet() == 3);
        assertThat(attempts).hasValue(3);
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    @Test
    void tryLockTakesAFreeLockAndGivesUpOnOneHeldElsewhereKeepingAnInterrupt() throws InterruptedException {
        ReentrantLock lock = new ReentrantLock();
        assertThat(Uninterruptibly.tryLock(lock, 1_000)).isTrue();
        lock.unlock();
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = new Thread(() -> {
            lock.lock();
            try {
                held.countDown();
                release.await();
            } catch (InterruptedException e) {
                throw new AssertionError("the holder was interrupted", e);
            } finally {
                lock.unlock();
            }
        });
        holder.start();
        held.await();
        assertThat(Uninterruptibly.tryLock(lock, 200_000)).isFalse();
        Thread.currentThread().interrupt();
        assertThat(Uninterruptibly.tryLock(lock, 200_000)).isFalse();
        assertThat(Thread.currentThread().isInterrupted()).as("the interrupt, re-asserted").isTrue();
        Thread.interrupted();
        release.countDown();
        holder.join();
        assertThat(Uninterruptibly.tryLock(lock, 0)).isTrue();
        lock.unlock();
        assertThat(Uninterruptibly.tryLock(lock, -1)).as("a negative bound: wait as long as it takes").isTrue();
        assertThat(lock.isHeldByCurrentThread()).isTrue();
        lock.unlock();
    }

    @Test
    void joinWaitsForTheThreadThoughTheCallerIsInterrupted() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        Thread worker = new Thread(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        worker.start();
        Thread.currentThread().interrupt();
        // The pending interrupt fails the first join attempt at once; join must go on waiting for the worker.
        Thread releaser = new Thread(release::countDown);
        releaser.start();
        Uninterruptibly.join(worker);
        assertThat(worker.isAlive()).isFalse();
        assertThat(Thread.interrupted()).as("interrupt re-asserted").isTrue();
        releaser.join();
    }

    @Test
    void awaitTerminationWaitsForTheExecutorThoughTheCallerIsInterrupted() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService executor = Executors.newSingleThreadExecutor();
        executor.execute(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        executor.shutdown();
        Thread.currentThread().interrupt();
        // The pending interrupt fails the first attempt at once; the wait must go on until the task has ended.
        Thread releaser = new Thread(release::countDown);
        releaser.start();
        Uninterruptibly.awaitTermination(executor);
        assertThat(executor.isTerminated()).isTrue();
        assertThat(Thread.interrupted()).as("interrupt re-asserted").isTrue();
        releaser.join();
    }

    @Test
    void getReturnsTheValueOrThrowsTheTasksFailureThoughTheCallerIsInterrupted() throws Exception {
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            Thread.currentThread().interrupt();
            assertThat(Uninterruptibly.get(executor.submit(() -> "value"), "the task")).isEqualTo("value");
            assertThat(Thread.interrupted()).as("interrupt re-asserted").isTrue();
            IOException failure = new IOException("task failed");
            assertThatThrownBy(() -> Uninterruptibly.get(executor.submit(() -> {
                throw failure;
            }), "the task")).isSameAs(failure);
            assertThatThrownBy(() -> Uninterruptibly.get(executor.submit(() -> {
                throw new Exception("checked");
            }), "the task")).isInstanceOf(IOException.class).hasMessageContaining("the task failed");
        } finally {
            executor.shutdownNow();
        }
    }
}
