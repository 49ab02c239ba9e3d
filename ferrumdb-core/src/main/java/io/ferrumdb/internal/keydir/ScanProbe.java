package io.ferrumdb.internal.keydir;

/**
 * The probe of {@link KeyDir#orderedScan}: {@link KeyDir#locationOf}, and a read of a reference's home slot ahead of
 * it ({@link OrderedScan.Probe#touch}), so that the cache misses of a scan's probes overlap. A class of its own to
 * keep {@code KeyDir} under its size limit. Lock-free, as the probe is.
 */
final class ScanProbe implements OrderedScan.Probe {
    private final KeyDir dir;
    private final KeyArena arena;

    ScanProbe(KeyDir dir, KeyArena arena) {
        this.dir = dir;
        this.arena = arena;
    }

    @Override
    public Location locationOf(long ref) {
        return dir.locationOf(ref);
    }

    /** The header of {@code ref}'s home slot: where {@link KeyDir#slotOf} starts probing (same hash, same table). */
    @Override
    public long touch(long ref) {
        SlotTable t = dir.table;
        return t.headerAcquire(t.home(arena.hash(ref)));
    }
}
