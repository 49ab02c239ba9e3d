package io.ferrumdb.studio;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.Stats;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Live figures of one database. The engine's counters are lifetime totals; a sampler reads them once a second
 * and rates are differences between samples, so "ops/s" is what happens now: over the last
 * {@value #WINDOW_SECONDS} seconds, and per second for the charts' history.
 */
final class Metrics {
    static final int WINDOW_SECONDS = 5;
    static final int HISTORY_SECONDS = 120;

    private record Sample(long nanos, long gets, long puts, long deletes, long fsyncs, long syncedRecords) {
        static Sample of(long nanos, Stats s) {
            return new Sample(nanos, s.gets(), s.puts(), s.deletes(), s.fsyncs(), s.syncedRecords());
        }
    }

    private final FerrumDB db;
    private final LongSupplier nanoTime;
    private final Deque<Sample> samples = new ArrayDeque<>();
    final LatencyRecorder getLatency = new LatencyRecorder();
    final LatencyRecorder putLatency = new LatencyRecorder();
    final LatencyRecorder deleteLatency = new LatencyRecorder();

    Metrics(FerrumDB db, LongSupplier nanoTime) {
        this.db = db;
        this.nanoTime = nanoTime;
    }

    /** Called once a second by Studio's sampler thread. */
    void sample() {
        Sample s = Sample.of(nanoTime.getAsLong(), db.stats());
        synchronized (samples) {
            samples.addLast(s);
            while (samples.size() > HISTORY_SECONDS + 1) {
                samples.removeFirst();
            }
        }
    }

    /** The figures /api/metrics returns: rates over the window ending now, history, latencies and storage. */
    Map<String, Object> snapshot() {
        Stats stats = db.stats();
        Sample now = Sample.of(nanoTime.getAsLong(), stats);
        List<Sample> past;
        synchronized (samples) {
            past = new ArrayList<>(samples);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("windowSeconds", WINDOW_SECONDS);
        Sample base = windowStart(past, now);
        out.put("rates", base == null ? null : rates(base, now));
        out.put("history", history(past));
        Map<String, Object> latency = new LinkedHashMap<>();
        latency.put("get", getLatency.snapshot());
        latency.put("put", putLatency.snapshot());
        latency.put("delete", deleteLatency.snapshot());
        out.put("latency", latency);
        out.put("liveKeys", stats.liveKeys());
        out.put("totalBytes", stats.totalBytes());
        out.put("liveBytes", stats.liveBytes());
        out.put("deadBytes", stats.deadBytes());
        out.put("spaceAmplification", finiteOrNull(stats.spaceAmplification()));
        out.put("pendingCompactionBytes", stats.pendingCompactionBytes());
        out.put("compactionBytesPerSecond", stats.compactionBytesPerSecond());
        List<Map<String, Object>> segments = new ArrayList<>();
        for (Stats.SegmentStats seg : stats.segments()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", seg.id());
            m.put("totalBytes", seg.totalBytes());
            m.put("liveBytes", seg.liveBytes());
            m.put("deadBytes", seg.deadBytes());
            m.put("active", seg.active());
            segments.add(m);
        }
        out.put("segments", segments);
        Map<String, Object> totals = new LinkedHashMap<>();
        totals.put("gets", stats.gets());
        totals.put("puts", stats.puts());
        totals.put("deletes", stats.deletes());
        totals.put("fsyncs", stats.fsyncs());
        totals.put("syncedRecords", stats.syncedRecords());
        totals.put("recordsPerFsync", stats.recordsPerFsync());
        totals.put("compactions", stats.compactions());
        totals.put("reclaimedBytes", stats.reclaimedBytes());
        out.put("totals", totals);
        out.put("readOnly", stats.readOnly());
        return out;
    }

    /** The oldest sample not older than the window, or null before the sampler has run. */
    private static Sample windowStart(List<Sample> past, Sample now) {
        long limit = now.nanos - WINDOW_SECONDS * 1_000_000_000L;
        Sample base = null;
        for (int i = past.size() - 1; i >= 0; i--) {
            Sample s = past.get(i);
            if (s.nanos < limit) {
                break;
            }
            base = s;
        }
        return base == null || now.nanos - base.nanos < 200_000_000L ? null : base;
    }

    private static Map<String, Object> rates(Sample from, Sample to) {
        double seconds = (to.nanos - from.nanos) / 1e9;
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("seconds", Math.round(seconds * 1000) / 1000.0);
        r.put("getsPerSecond", round((to.gets - from.gets) / seconds));
        r.put("putsPerSecond", round((to.puts - from.puts) / seconds));
        r.put("deletesPerSecond", round((to.deletes - from.deletes) / seconds));
        r.put("opsPerSecond", round((to.gets - from.gets + to.puts - from.puts + to.deletes - from.deletes) / seconds));
        long fsyncs = to.fsyncs - from.fsyncs;
        r.put("fsyncsPerSecond", round(fsyncs / seconds));
        r.put("recordsPerFsync", fsyncs == 0 ? null : round((double) (to.syncedRecords - from.syncedRecords) / fsyncs));
        return r;
    }

    /** Per-second rates between consecutive samples, oldest first; {@code t} is seconds before now (negative). */
    private List<Map<String, Object>> history(List<Sample> past) {
        List<Map<String, Object>> points = new ArrayList<>();
        if (past.isEmpty()) {
            return points;
        }
        long last = past.get(past.size() - 1).nanos;
        for (int i = 1; i < past.size(); i++) {
            Map<String, Object> p = rates(past.get(i - 1), past.get(i));
            p.remove("seconds");
            p.put("t", Math.round((past.get(i).nanos - last) / 1e8) / 10.0);
            points.add(p);
        }
        return points;
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    private static Double finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
