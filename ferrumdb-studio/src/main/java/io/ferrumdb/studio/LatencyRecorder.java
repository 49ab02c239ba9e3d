package io.ferrumdb.studio;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The most recent {@value #CAPACITY} latencies of one operation, for percentiles of what happens now rather than
 * since start. A ring of longs: no allocation per sample.
 */
final class LatencyRecorder {
    static final int CAPACITY = 2048;

    private final long[] ring = new long[CAPACITY];
    private long recorded;

    synchronized void record(long nanos) {
        ring[(int) (recorded % CAPACITY)] = nanos;
        recorded++;
    }

    /** count (lifetime), then p50, p90, p99 and max in microseconds over the recent samples (absent when none). */
    Map<String, Object> snapshot() {
        long[] samples;
        long count;
        synchronized (this) {
            count = recorded;
            samples = Arrays.copyOf(ring, (int) Math.min(recorded, CAPACITY));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("count", count);
        out.put("window", samples.length);
        if (samples.length > 0) {
            Arrays.sort(samples);
            out.put("p50Micros", micros(percentile(samples, 0.50)));
            out.put("p90Micros", micros(percentile(samples, 0.90)));
            out.put("p99Micros", micros(percentile(samples, 0.99)));
            out.put("maxMicros", micros(samples[samples.length - 1]));
        }
        return out;
    }

    /** Nearest-rank percentile of sorted samples. */
    static long percentile(long[] sorted, double p) {
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    private static double micros(long nanos) {
        return Math.round(nanos / 100.0) / 10.0;
    }
}
