package io.ferrumdb.internal.log;

import java.util.concurrent.locks.Condition;

/**
 * When, and how, the flusher wakes for records pending without fsync waiters ({@code never()}, {@code periodic()}), so that a
 * writer need not wake it. Before, the first record after each cycle signalled the flusher (a futex wake on the
 * writer's thread), which then slept its linger out and woke again to run the cycle: two wake-ups a cycle, one of
 * them paid by a writer. YCSB B's updates, a cycle's worth of which arrive within each millisecond, spent about 4.5
 * GETs of samples per put, the wake-ups the largest part.
 *
 * <p>Now, while records keep coming ({@link #TICKING_NANOS} after the last cycle's first record), the flusher sleeps
 * in ticks of the linger whether or not anything is pending, and at the end of a tick takes whatever arrived during
 * it: no record waits longer than the linger (it arrived after the tick began, which ends a linger after that), and
 * no writer wakes the flusher ({@link #parked} is false). Once writes stop, the flusher parks (an untimed wait, or
 * a periodic fsync's timer; no wake-ups) and the next first record wakes it, as before. All methods REQUIRE the
 * writer's lock.
 */
final class FlusherTicks {
    /** How long the flusher keeps ticking after the last cycle's first record: 16 lingers. */
    static final long TICKING_LINGERS = 16;

    private final long lingerNanos;
    /** False under {@code always()}: its writers wait for each cycle and wake the flusher themselves. */
    private final boolean enabled;
    /** True while the flusher waits without a timeout: the next first record must wake it. */
    private boolean parked;
    /** Whether records were ever pending ({@link #due} was asked): before, {@code pendingSince} means nothing. */
    private boolean recordsSeen;
    /** Whether the flusher's last wait was a tick, and when it began (System.nanoTime). */
    private boolean ticked;
    private long tickStart;

    FlusherTicks(long lingerNanos, boolean enabled) {
        this.lingerNanos = lingerNanos;
        this.enabled = enabled;
    }

    /**
     * The flusher's next wait: {@code wait} when it ends within a linger (records pending, a periodic fsync about due);
     * else a tick of the linger while records arrived recently (their first at {@code pendingSince}); else {@code
     * wait} as a park: the next first record must wake the flusher. A long wait is a park whether it is untimed
     * ({@link Long#MAX_VALUE}) or a periodic fsync's timer: a record that came during the timer's wait unwoken sat in
     * the process up to the whole interval (a second by default), and a process crash lost it.
     */
    long nextWait(long wait, long now, long pendingSince) {
        boolean longerThanLinger = wait > lingerNanos;
        if (enabled && recordsSeen && longerThanLinger && now - pendingSince < TICKING_LINGERS * lingerNanos) {
            ticked = true;
            tickStart = now;
            parked = false;
            return lingerNanos;
        }
        ticked = false;
        parked = longerThanLinger;
        return wait;
    }

    /**
     * Whether the records pending since {@code pendingSince} are due at {@code now}: they have waited the linger, or
     * they arrived during the tick the flusher just slept (which began before them and lasted a linger). Records that
     * arrived after that tick ended (while the flusher ran a cycle) wait their own linger: else every cycle would be
     * followed at once by another of the few records that came meanwhile. The flusher asks whenever records are
     * pending, before it takes them.
     */
    boolean due(long now, long pendingSince) {
        recordsSeen = true;
        long intoTick = pendingSince - tickStart;
        return now - pendingSince >= lingerNanos
                || ticked && intoTick >= 0 && intoTick < lingerNanos && now - tickStart >= lingerNanos;
    }

    /**
     * The flusher's timed wait on {@code work} (whose lock it holds): {@code nanos}, at least {@code atLeast}. Nothing
     * interrupts the private flusher thread; a stray interrupt only ends this wait early, and the flusher's loop
     * re-checks its conditions. Keeping the flag set would turn every later wait into a spin.
     */
    static void await(Condition work, long nanos, long atLeast) {
        try {
            work.awaitNanos(Math.max(nanos, atLeast));
        } catch (InterruptedException e) {
            Thread.interrupted();
        }
    }

    /** Whether a writer's first pending record must wake the flusher: it waits over a linger (or ticks are off). */
    boolean parked() {
        return parked || !enabled;
    }
}
