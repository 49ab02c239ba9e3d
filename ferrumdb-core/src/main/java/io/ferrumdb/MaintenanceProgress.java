package io.ferrumdb;

/**
 * How far a {@link FerrumDB#compact(java.util.function.Consumer) compaction} or a
 * {@link FerrumDB#backup(java.nio.file.Path, java.util.function.Consumer) backup} has come, in bytes: of a
 * compaction, the input segments' bytes whose records were decided and copied; of a backup, the sealed segments'
 * bytes linked or copied (META, KEY and the hints go along with their segments, uncounted); of a
 * {@link FerrumDB#verify(java.nio.file.Path, Options, java.util.function.Consumer) verify} or a
 * {@link FerrumDB#repair(java.nio.file.Path, Options, java.util.function.Consumer) repair}, the bytes of the
 * segments checked (and, by a repair, copied), counted a whole segment at a time.
 *
 * <p>The listener is called on the job's own threads (a compaction's parts run on several), never two calls at once,
 * each call happening after the one before; {@code doneBytes} never decreases, and {@code plannedBytes} is the same
 * in every call of one job. The first call comes as the work begins ({@code doneBytes} 0); the last, with
 * {@code doneBytes == plannedBytes}, once the job is complete (for a compaction, once its inputs are deleted), and
 * only then: a job that fails never reports its total. Calls are spaced by about a thousandth of the total (at
 * least 64 KiB) of work, so a listener may draw on each. A listener that throws stops the job as a failure there
 * would: a compaction deletes its outputs and leaves the database as it was, unless it already published them.
 *
 * @param doneBytes    bytes done, from 0 to {@code plannedBytes}
 * @param plannedBytes bytes the job set out to do
 */
public record MaintenanceProgress(long doneBytes, long plannedBytes) {
    public MaintenanceProgress {
        if (doneBytes < 0 || doneBytes > plannedBytes) {
            throw new IllegalArgumentException("progress of " + doneBytes + " bytes out of " + plannedBytes);
        }
    }

    /** Whether the job is complete: the last report of a job that succeeded. */
    public boolean complete() {
        return doneBytes == plannedBytes;
    }
}
