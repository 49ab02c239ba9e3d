package io.ferrumdb;

import io.ferrumdb.internal.concurrent.ProgressMeter;
import io.ferrumdb.internal.log.SegmentFiles;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * How far verify or repair has come through the segments of a closed database, in their bytes, for the listener of
 * {@link FerrumDB#verify(java.nio.file.Path, Options, Consumer)} and {@link FerrumDB#repair(java.nio.file.Path,
 * Options, Consumer)}: planned as the sizes of the segments to check, counted a segment at a time as each is done
 * (a segment's records are not counted one by one: the scanner is shared with open), the total reported only by
 * {@link #complete()}.
 */
final class SegmentProgress {
    private final Map<Integer, Long> sizes = new HashMap<>();
    private final ProgressMeter meter;

    SegmentProgress(SegmentFiles files, List<Integer> ids, Consumer<MaintenanceProgress> progress) {
        long planned = 0;
        for (int id : ids) {
            long size = sizeOrZero(files, id);
            sizes.put(id, size);
            planned += size;
        }
        meter = new ProgressMeter(planned, Maintenance.reporting(progress));
    }

    /**
     * A segment that cannot even be sized (a directory under its name, say) counts as empty: the tool's own check
     * of it reports why it cannot be read.
     */
    private static long sizeOrZero(SegmentFiles files, int id) {
        try {
            return files.size(files.dataPath(id));
        } catch (IOException unreadable) {
            return 0;
        }
    }

    /** Segment {@code id} is done. */
    void checked(int id) {
        meter.add(sizes.getOrDefault(id, 0L));
    }

    /** Every segment is done: reports the planned bytes. */
    void complete() {
        meter.complete();
    }
}
