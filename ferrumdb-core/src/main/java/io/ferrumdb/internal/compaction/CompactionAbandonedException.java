package io.ferrumdb.internal.compaction;

import java.util.List;

/**
 * A background compaction gave up because the database is closing, before it published anything: its outputs
 * are deleted, its inputs and the key directory are as they were. Not a failure: the next open's compaction
 * starts again from the same segments.
 */
public final class CompactionAbandonedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final List<Integer> inputIds;

    public CompactionAbandonedException(List<Integer> inputIds) {
        super("compaction of segments " + inputIds + " abandoned before publishing its outputs: the database is"
                + " closing");
        this.inputIds = List.copyOf(inputIds);
    }

    /** The segments the abandoned compaction was rewriting (left as they were). */
    public List<Integer> inputIds() {
        return inputIds;
    }
}
