package io.ferrumdb.internal.log;

import io.ferrumdb.internal.format.HintFile;
import io.ferrumdb.internal.log.CycleIo.Sealing;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The writer's segments waiting to be sealed (fsynced whole and given their hint file: {@link CycleIo#sealed}), in
 * roll order, each with the hint entries built while its records were appended; and the segment the last roll
 * queued. Seals run in roll order and stop at the first failure, so once that one is sealed every segment rolled
 * before it is too ({@link LogWriter#rollAndSync()}). REQUIRES the writer's lock.
 */
final class SealQueue {
    private final ArrayDeque<Sealing> queue = new ArrayDeque<>();
    private Segment lastRolled;

    /** Queues {@code segment}, just rolled, with the hint entries of its records. */
    void rolled(Segment segment, HintFile.Builder hint) {
        queue.add(new Sealing(segment, hint));
        lastRolled = segment;
    }

    /** Queues the active segment at close, with the hint entries of its records; no roll: {@link #lastRolled} stays. */
    void closing(Segment active, HintFile.Builder hint) {
        queue.add(new Sealing(active, hint));
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    /** Takes every queued segment, in roll order, for a cycle to seal. */
    List<Sealing> takeAll() {
        List<Sealing> all = new ArrayList<>(queue);
        queue.clear();
        return all;
    }

    /** The segment the last roll queued, sealed or not by now; null before the first roll. */
    Segment lastRolled() {
        return lastRolled;
    }
}
