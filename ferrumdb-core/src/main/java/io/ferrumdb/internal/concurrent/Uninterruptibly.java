package io.ferrumdb.internal.concurrent;

import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;

/**
 * Waits that must finish even when the waiting thread is interrupted (closing a database must not stop half-way
 * because its caller was interrupted), with the interrupt flag restored afterwards so the caller still sees it.
 */
public final class Uninterruptibly {
    /** One attempt at a wait: returns true when the wait is over, false to try again. */
    @FunctionalInterface
    public interface Wait {
        boolean attempt() throws InterruptedException;
    }

    private Uninterruptibly() {
    }

    /** Repeats {@code wait} until it reports done; an interrupt meanwhile is re-asserted once it is. */
    public static void await(Wait wait) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    if (wait.attempt()) {
                        return;
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The result of {@code future}, waited for through interrupts. A failed task's cause is thrown as it is when
     * it is an {@link IOException}, a {@link RuntimeException} or an {@link Error}; any other cause is wrapped in an
     * {@code IOException} naming {@code what} failed.
     */
    public static <T> T get(Future<T> future, String what) throws IOException {
        Outcome<T> outcome = new Outcome<>(future);
        await(outcome);
        if (outcome.failure == null) {
            return outcome.value;
        }
        throw asIOException(outcome.failure, what);
    }

    /**
     * The waits of {@link #get}, {@link #join} and {@link #awaitTermination} are classes rather than lambdas: opens
     * and closes run them, and a fresh JVM spins a class and method-handle forms for each lambda at its first use,
     * 3-5x what loading a small class costs (ARCHITECTURE.md, "Start-up cost").
     */
    private static final class Outcome<T> implements Wait {
        private final Future<T> future;
        T value;
        /** The cause the task failed with, or null. */
        Throwable failure;

        Outcome(Future<T> future) {
            this.future = future;
        }

        @Override
        public boolean attempt() throws InterruptedException {
            try {
                value = future.get();
            } catch (ExecutionException e) {
                failure = e.getCause();
            }
            return true;
        }
    }

    /**
     * The failure of work that ran on another thread, for its waiter to throw: {@code cause} itself when it is an
     * {@link IOException}; a {@link RuntimeException} or an {@link Error} is thrown from here as it is; any other
     * cause is wrapped in an {@code IOException} naming {@code what} failed.
     */
    public static IOException asIOException(Throwable cause, String what) {
        if (cause instanceof IOException io) {
            return io;
        }
        if (cause instanceof RuntimeException re) {
            throw re;
        }
        if (cause instanceof Error error) {
            throw error;
        }
        return new IOException(what + " failed: " + cause, cause);
    }

    /**
     * Takes {@code lock} if it is free or becomes free within {@code nanos}, through interrupts (re-asserted); true
     * when taken. Allocates nothing when the lock is free. A negative {@code nanos} waits as long as it takes.
     */
    public static boolean tryLock(Lock lock, long nanos) {
        if (nanos < 0) {
            lock.lock();
            return true;
        }
        if (lock.tryLock()) {
            return true;
        }
        long deadline = System.nanoTime() + nanos;
        boolean[] taken = new boolean[1];
        await(() -> {
            taken[0] = lock.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return true;
        });
        return taken[0];
    }

    /** Joins {@code thread}, through interrupts. */
    public static void join(Thread thread) {
        await(new Join(thread));
    }

    /** {@link #join}'s wait (see {@link Outcome}). */
    private static final class Join implements Wait {
        private final Thread thread;

        Join(Thread thread) {
            this.thread = thread;
        }

        @Override
        public boolean attempt() throws InterruptedException {
            thread.join();
            return true;
        }
    }

    /** Waits until {@code executor}, shut down, has ended, through interrupts. */
    public static void awaitTermination(ExecutorService executor) {
        await(new Termination(executor));
    }

    /** {@link #awaitTermination}'s wait (see {@link Outcome}), a minute an attempt. */
    private static final class Termination implements Wait {
        private final ExecutorService executor;

        Termination(ExecutorService executor) {
            this.executor = executor;
        }

        @Override
        public boolean attempt() throws InterruptedException {
            return executor.awaitTermination(1, TimeUnit.MINUTES);
        }
    }
}
