package io.ferrumdb.internal.keydir;

import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * The key directory's changes of size (a key added: +1, removed: -1) made by the log writer's records, each noted
 * with the log position of the record that made it ({@link KeyDir#logPosition}) and its key's hash. After a write
 * failure the records at or past the writer's durable end may be gone at reopen; leaving out their changes gives the
 * size, and per key the presence, that the durable records make ({@link KeyDir#sizeBefore}, {@link
 * KeyDir#addedFrom}). Changes of records before the durable end are dropped whenever the arrays fill up, so they
 * hold about the changes of the records not yet written ({@code never()}, {@code periodic()}) or fsynced ({@code
 * always()}): what one flush cycle takes, not the history. Guarded by the key directory's mutation lock.
 */
final class SizeChanges {
    private static final int INITIAL = 64;

    /** Where the durable records end, as a log position; a change before it never needs leaving out. */
    private final LongSupplier durableEnd;
    private long[] positions = new long[INITIAL];
    /** The hash of each change's key ({@link KeyArena#hash}); 0 for a purge, which reads no key. */
    private long[] hashes = new long[INITIAL];
    private byte[] deltas = new byte[INITIAL];
    private int count;

    SizeChanges(LongSupplier durableEnd) {
        this.durableEnd = durableEnd;
    }

    void add(long position, long hash, int delta) {
        if (count == positions.length) {
            dropDurable();
            if (count > positions.length / 2) {
                positions = Arrays.copyOf(positions, positions.length * 2);
                hashes = Arrays.copyOf(hashes, hashes.length * 2);
                deltas = Arrays.copyOf(deltas, deltas.length * 2);
            }
        }
        positions[count] = position;
        hashes[count] = hash;
        deltas[count] = (byte) delta;
        count++;
    }

    /** Forgets the changes of durable records. */
    private void dropDurable() {
        long end = durableEnd.getAsLong();
        int kept = 0;
        for (int i = 0; i < count; i++) {
            if (positions[i] >= end) {
                positions[kept] = positions[i];
                hashes[kept] = hashes[i];
                deltas[kept] = deltas[i];
                kept++;
            }
        }
        count = kept;
    }

    /** The net change of size made by the records at or past {@code end}. */
    int from(long end) {
        int sum = 0;
        for (int i = 0; i < count; i++) {
            if (positions[i] >= end) {
                sum += deltas[i];
            }
        }
        return sum;
    }

    /** As {@link #from(long)}, for the key of {@code hash} only. */
    int from(long end, long hash) {
        int sum = 0;
        for (int i = 0; i < count; i++) {
            if (positions[i] >= end && hashes[i] == hash) {
                sum += deltas[i];
            }
        }
        return sum;
    }
}
