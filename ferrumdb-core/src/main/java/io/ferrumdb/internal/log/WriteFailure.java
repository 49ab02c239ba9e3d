package io.ferrumdb.internal.log;

import io.ferrumdb.ReadOnlyDatabaseException;

/**
 * The failure that stopped the {@link LogWriter} for good, and whether a caller has been told of it. Like Linux's
 * fsync error reporting, a failure is reported once: by the call that meets it, or else by close. Every method but
 * {@link #isSet()} REQUIRES the writer's lock.
 */
final class WriteFailure {
    private Throwable failure;
    /**
     * Whether some caller has been handed the failure (a write or sync that threw, a waiter failed with it). When
     * none has, closing the database must report it: under never() and periodic, puts were acknowledged before the
     * failure that may have lost them, and nobody else will say so.
     */
    private boolean reported;
    /** failure != null, readable without the lock (every read asks {@link LogWriter#mayServe}). */
    private volatile boolean set;

    /** Records {@code e} unless a failure is recorded already (the first one stopped the writer). */
    void set(Throwable e) {
        if (failure == null) {
            failure = e;
            set = true;
        }
    }

    /** The failure, or null. */
    Throwable get() {
        return failure;
    }

    /** One volatile read, without the lock. */
    boolean isSet() {
        return set;
    }

    /** The failure if no caller has been told of it yet, else null; it counts as told from this call on. */
    Throwable takeUnreported() {
        if (failure == null || reported) {
            return null;
        }
        reported = true;
        return failure;
    }

    /** The failure as callers see it, marked as reported. */
    ReadOnlyDatabaseException reportedException() {
        reported = true;
        return new ReadOnlyDatabaseException("database stopped accepting writes after a failure of the write path: "
                + failure, failure);
    }
}
