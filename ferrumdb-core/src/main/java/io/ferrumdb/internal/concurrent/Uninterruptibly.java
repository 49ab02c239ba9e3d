package io.ferrumdb.internal.concurrent;

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

    /** Joins {@code thread}, through interrupts. */
    public static void join(Thread thread) {
        await(() -> {
            thread.join();
            return true;
        });
    }
}
