package io.ferrumdb.internal.keydir;

import java.util.Arrays;

/**
 * The key directory's changes of size (a key added: +1, removed: -1) made by the log writer's records, each noted
 * with the log position of the record that made it ({@link KeyDir#logPosition}) and its key's hash. After a write
 * failure the records it caught may be gone at reopen; leaving out their changes gives the size, and per key the
 * presence, that the durable records make ({@link KeyDir#durableSize}, {@link KeyDir#addedByLostRecords}). Which
 * records are durable the log writer says ({@link KeyDir.Durability}: a sealed segment's, a compaction output's
 * too whatever its number, and the active segment's up to the durable end). Changes of durable records are dropped
 * whenever the arrays fill up, so they hold about the changes of the records not yet written ({@code never()},
 * {@code periodic()}) or fsynced ({@code always()}): what one flush cycle takes, not the history. Guarded by the key
 * directory's mutation lock.
 */
final class SizeChanges {
    private static final int INITIAL = 64;

    /** Which records are durable; a durable record's change never needs leaving out. */
    private final KeyDir.Durability durable;
    private long[] positions = new long[INITIAL];
    /** The hash of each change's key ({@link KeyArena#hash}); 0 for a purge, which reads no key. */
    private long[] hashes = new long[INITIAL];
    private byte[] deltas = new byte[INITIAL];
    private int count;

    SizeChanges(KeyDir.Durability durable) {
        this.durable = durable;
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
        int kept = 0;
        for (int i = 0; i < count; i++) {
            if (lost(i)) {
                positions[kept] = positions[i];
                hashes[kept] = hashes[i];
                deltas[kept] = deltas[i];
                kept++;
            }
        }
        count = kept;
    }

    /** The net change of size made by records that are not durable. */
    int lost() {
        int sum = 0;
        for (int i = 0; i < count; i++) {
            if (lost(i)) {
                sum += deltas[i];
            }
        }
        return sum;
    }

    /** As {@link #lost()}, for the key of {@code hash} only. */
    int lost(long hash) {
        int sum = 0;
        for (int i = 0; i < count; i++) {
            if (hashes[i] == hash && lost(i)) {
                sum += deltas[i];
            }
        }
        return sum;
    }

    /** Whether change {@code i} was made by a record that is not durable. */
    private boolean lost(int i) {
        long position = positions[i];
        return !durable.isDurable(KeyDir.segmentOf(position), KeyDir.offsetOf(position));
    }
}
