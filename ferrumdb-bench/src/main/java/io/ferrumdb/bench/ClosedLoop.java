package io.ferrumdb.bench;

import io.ferrumdb.bench.Harness.Load;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.Phaser;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writer threads that put random keys as fast as acknowledgements come back, in timed rounds ({@link #round}), the
 * same threads in every round. Why not new threads per round: the durable harness measures ten rounds a run, and
 * starting and ending 64 threads each round cost the writers a sixth of their CPU samples (thread-local NIO
 * buffers allocated and unmapped again, stacks faulted in, TLB shootdowns; docs/benchmarks.md, issue 23, session
 * 10), work a long-running application's writers do once and the raw append + fsync loop they are compared with
 * never does; under load it stretched a 6 s run to 9.4 s.
 *
 * <p>A round counts the puts that end inside its window, which opens {@link #RAMP} of the window after the writers'
 * release and closes at the deadline; the writers run through the whole window and stop after it. Why not from the
 * release to the last writer's last put: those edges are 64 threads woken one by one, groups forming from one record,
 * and a drain of ever smaller groups as writers stop, twice a round and twenty times a run, which an application's
 * writers and the raw append + fsync loop the rounds are compared with do not have; they cost 0-10% of the rate at
 * 64 writers, median 7% (docs/benchmarks.md, issue 23, session 11).
 */
final class ClosedLoop implements AutoCloseable {
    private final Store store;
    private final byte[][] values;
    private final Thread[] threads;
    /** The coordinator and every writer: one phase starts a round, the next one ends it. */
    private final Phaser rounds;
    /** How much longer than its window a round runs first, as a fraction of the window (see the class comment). */
    static final double RAMP = 0.1;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    // Written by the coordinator before the phase that starts a round, read by the writers after it.
    private volatile long from;
    private volatile long deadline;
    private volatile boolean stopping;
    // Written by each writer into its own slot before the phase that ends a round, read by the coordinator after it.
    /** Puts that ended inside the window. */
    private final long[] counts;
    /** All puts of the round, which {@link #sched} covers. */
    private final long[] all;
    private final long[][] samples;
    /** Per writer: {on-CPU ns, waiting-for-a-CPU ns, voluntary switches, involuntary switches} ({@link SchedStats}). */
    private final long[][] sched;

    ClosedLoop(Store store, int writers, byte[][] values) {
        this.store = store;
        this.values = values;
        this.threads = new Thread[writers];
        this.rounds = new Phaser(writers + 1);
        this.counts = new long[writers];
        this.all = new long[writers];
        this.samples = new long[writers][];
        this.sched = new long[writers][4];
        for (int t = 0; t < writers; t++) {
            int id = t;
            threads[t] = new Thread(() -> write(id), "writer-" + t);
            threads[t].setDaemon(true); // a failed run that never closes the loop must not keep the JVM alive
            threads[t].start();
        }
    }

    /** One round whose window lasts {@code seconds}: the puts that ended inside it (see the class comment). */
    Load round(double seconds) {
        long window = (long) (seconds * 1e9);
        long release = System.nanoTime();
        from = release + (long) (window * RAMP);
        deadline = from + window;
        rounds.arriveAndAwaitAdvance(); // start
        rounds.arriveAndAwaitAdvance(); // every writer has finished
        double roundSeconds = (System.nanoTime() - release) / 1e9;
        if (failure.get() != null) {
            throw new BenchException("durable writer failed", failure.get());
        }
        long[] total = new long[4];
        for (long[] s : sched) {
            for (int i = 0; i < total.length; i++) {
                total[i] += s[i];
            }
        }
        return new Load(Arrays.stream(counts).sum(), window / 1e9,
                Arrays.stream(samples).flatMapToLong(Arrays::stream).toArray(), total, Arrays.stream(all).sum(),
                roundSeconds);
    }

    private void write(int id) {
        SplittableRandom rnd = new SplittableRandom(id * 31L + 1);
        long[] lat = new long[1 << 16];
        while (true) {
            rounds.arriveAndAwaitAdvance();
            if (stopping) {
                return;
            }
            writeRound(id, rnd, lat);
            rounds.arriveAndAwaitAdvance();
        }
    }

    /**
     * One writer's round. A method of its own, called once a round, and not the body of {@link #write}'s loop: a
     * method that never returns runs interpreted until its loop is compiled on the stack (OSR), which under load
     * took 12 of a 26 s run's seconds, then in C1's profiling code; called every round, this one is compiled as a
     * whole and later rounds start in compiled code (docs/benchmarks.md, issue 23, session 11).
     */
    private void writeRound(int id, SplittableRandom rnd, long[] lat) {
        long from = this.from;
        long deadline = this.deadline;
        long n = 0;
        long counted = 0;
        long[] s0 = SchedStats.self();
        long[] c0 = SchedStats.switches();
        try {
            for (long now = System.nanoTime(); now < deadline && failure.get() == null; ) {
                long i = rnd.nextLong(Harness.DURABLE_KEYSPACE);
                store.put(Data.key(i), Data.value(values, i));
                long end = System.nanoTime();
                if (end - from >= 0 && end - deadline < 0) {
                    lat[(int) (counted & (lat.length - 1))] = end - now;
                    counted++;
                }
                now = end;
                n++;
            }
        } catch (RuntimeException | Error e) {
            failure.compareAndSet(null, e);
        }
        long[] s1 = SchedStats.self();
        long[] c1 = SchedStats.switches();
        long[] s = sched[id];
        Arrays.fill(s, 0);
        if (s0 != null && s1 != null) {
            s[0] = s1[0] - s0[0];
            s[1] = s1[1] - s0[1];
        }
        if (c0 != null && c1 != null) {
            s[2] = c1[0] - c0[0];
            s[3] = c1[1] - c0[1];
        }
        counts[id] = counted;
        all[id] = n;
        samples[id] = Arrays.copyOf(lat, (int) Math.min(counted, lat.length));
    }

    /** Ends the writers (between rounds) and waits for them. */
    @Override
    public void close() throws InterruptedException {
        stopping = true;
        rounds.arriveAndDeregister();
        for (Thread t : threads) {
            t.join();
        }
    }
}
