package io.ferrumdb.internal.log;

import io.ferrumdb.DatabaseClosedException;
import io.ferrumdb.FerrumException;
import io.ferrumdb.ReadOnlyDatabaseException;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;

/**
 * The failure that stopped a {@link LogWriter} for good, and whether a user has been told of it.
 *
 * <p>Like Linux's fsync error reporting, a failure is reported once: by the user's call that meets it (a put, a
 * sync, a waiter of a put), or else by close. Only a user's call counts. The database's own background work (a
 * compaction's sync before it deletes its inputs, its roll of the active segment) meets the failure too, but
 * nobody reads what it is told: counting it let close return normally after puts acknowledged under
 * {@code never()} or {@code periodic} were lost (found by PowerLossTest, in CI). Such work waits with a
 * {@link #maintenanceWaiter()}, which does not count.
 *
 * <p>A failure that left every file the writer holds sound (the next segment could not be created: a full disk, too
 * many open files) lets one last cycle write out, and fsync, the records appended before it ({@link #drainDue}):
 * under {@code never()} and {@code periodic} their puts had returned, and their segment has room for them. That
 * cycle's own failure loses them; it is then reported by close, although the first failure was told.
 *
 * <p>Guarded by the writer's lock, except {@link #failed()}.
 */
final class WriteFailure {
    /** A waiter of the database's own work: failing it tells no user. */
    private static final class MaintenanceWaiter extends CompletableFuture<Void> {
    }

    private Throwable cause;
    /** Whether a user's call has been handed {@link #cause}. */
    private boolean told;
    /** cause != null, readable without the lock (every read asks LogWriter#mayServe). */
    private volatile boolean failed;
    /** Whether one last cycle is still to write out the records appended before the failure (see the class). */
    private boolean drainDue;
    /** Whether that cycle is taken and has not ended yet. */
    private boolean draining;
    /** Whether that cycle wrote and fsynced them. */
    private boolean drained;
    /**
     * That cycle's failure, or the one that cancelled it, until close reports it (its records are lost); null when
     * none.
     */
    private Throwable lostInDrain;

    /**
     * Records {@code e} as the failure, unless one is recorded already (the first one is what went wrong; it may be
     * recorded again, as failing the waiters does). A later failure (a cycle's write or fsync, a seal, an early writeback) cancels a last cycle not yet taken: the files it
     * touched are not trusted, and a failed fsync is never retried. The records it was to write are then lost, and
     * close reports it.
     */
    void set(Throwable e) {
        if (cause == null) {
            cause = e;
            failed = true;
        } else if (drainDue && e != cause) {
            drainDue = false;
            lostInDrain = e;
        }
    }

    /**
     * {@link #set} for a failure that left every file sound, so that one last cycle writes out the records appended
     * before it, when {@code acknowledged} (they were acknowledged without their fsync). No effect after another
     * failure: the files of that one are not trusted.
     */
    void setLeavingFilesSound(Throwable e, boolean acknowledged) {
        drainDue = cause == null && acknowledged;
        set(e);
    }

    /**
     * Whether the last cycle runs now: due ({@link #setLeavingFilesSound}) and {@code hasWork} (records to write or
     * to fsync). True at most once; its end is {@link #cycleEnded}. Due without work, every acknowledged write is
     * durable already.
     */
    boolean takeDrain(boolean hasWork) {
        if (!drainDue) {
            return false;
        }
        drainDue = false;
        draining = hasWork;
        drained = !hasWork;
        return hasWork;
    }

    /** A cycle ended, {@code failure} null when its records were written (and forced). Ends the last cycle. */
    void cycleEnded(Throwable failure) {
        if (draining) {
            drained = failure == null;
            lostInDrain = failure;
        }
        draining = false;
    }

    /** Whether the last cycle after a failure wrote and fsynced every record appended before it. */
    boolean drained() {
        return drained;
    }

    /** Waits for a future returned by {@link LogWriter#append}, turning its failure into a FerrumException. */
    static void await(CompletableFuture<Void> future) {
        if (future == null) {
            return;
        }
        try {
            future.join();
        } catch (java.util.concurrent.CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof FerrumException fe) {
                throw fe;
            }
            throw new FerrumException("write failed", cause);
        }
    }

    /** The failure, or null. */
    Throwable cause() {
        return cause;
    }

    /** True once a failure is recorded. Lock-free. */
    boolean failed() {
        return failed;
    }

    /** A future for the database's own work to wait on: failing it does not count as telling a user. */
    static CompletableFuture<Void> maintenanceWaiter() {
        return new MaintenanceWaiter();
    }

    /** The failure as a caller sees it; counts as told when {@code user}. REQUIRES: a failure is recorded. */
    ReadOnlyDatabaseException exception(boolean user) {
        return exception(user, "database stopped accepting writes after a failure of the write path");
    }

    /** {@link #exception(boolean)} saying {@code what} failed. REQUIRES: a failure is recorded. */
    ReadOnlyDatabaseException exception(boolean user, String what) {
        assert cause != null : "no failure to report";
        told |= user;
        return new ReadOnlyDatabaseException(what + ": " + cause, cause);
    }

    /** Throws once the writer stopped (told to the caller when {@code user}) or began {@code closing}. */
    void ensureWritable(boolean user, boolean closing) {
        if (cause != null) {
            throw exception(user);
        }
        if (closing) {
            throw new DatabaseClosedException("database");
        }
    }

    /** Fails every waiter of {@code waiters} with the failure; counts as told when one of them is a user's. */
    void fail(Collection<CompletableFuture<Void>> waiters) {
        if (waiters.isEmpty()) {
            return;
        }
        boolean user = false;
        for (CompletableFuture<Void> w : waiters) {
            user |= !(w instanceof MaintenanceWaiter);
        }
        ReadOnlyDatabaseException ex = exception(user);
        for (CompletableFuture<Void> w : waiters) {
            w.completeExceptionally(ex);
        }
    }

    /**
     * The failure if no user has been told of it, else null; it counts as told from this call on (close). A failure
     * of the last cycle is returned even when the first failure was told: it lost records acknowledged before it.
     */
    Throwable takeUntold() {
        if (lostInDrain != null) {
            Throwable lost = lostInDrain;
            lostInDrain = null;
            told = true;
            return lost;
        }
        if (cause == null || told) {
            return null;
        }
        told = true;
        return cause;
    }
}
