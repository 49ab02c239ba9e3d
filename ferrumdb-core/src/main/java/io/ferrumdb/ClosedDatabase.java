package io.ferrumdb;

import io.ferrumdb.internal.crypto.Keyring;
import io.ferrumdb.internal.crypto.Secret;
import io.ferrumdb.internal.directory.DatabaseDirectory;
import io.ferrumdb.internal.format.CipherSuite;
import io.ferrumdb.internal.log.SegmentFiles;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Runs an offline tool (verify, repair) on a database that no handle has open: takes the directory lock through
 * {@link DatabaseDirectory} and the process-wide lock registry (shared to verify, exclusive to repair; both take
 * a damaged or missing META from the segments' headers, {@link DatabaseDirectory.Access#VERIFY} and
 * {@link DatabaseDirectory.Access#REPAIR}, and the tool reports it; nothing is ever created), reads META and checks
 * the key, then hands the tool the database's files.
 */
final class ClosedDatabase {
    /** A tool's work on the locked database. */
    interface Task<T> {
        T run(DatabaseDirectory directory, SegmentFiles files) throws IOException;
    }

    private ClosedDatabase() {
    }

    /**
     * @throws DatabaseNotFoundException when there is no database in {@code directory}
     * @throws DatabaseLockedException   when a handle, in this process or another, holds a conflicting lock
     */
    static <T> T run(Path directory, Options options, boolean exclusive, String purpose, Task<T> task)
            throws IOException {
        try (DatabaseDirectory locked = DatabaseDirectory.lock(options.fileIO(), directory,
                exclusive ? DatabaseDirectory.Access.REPAIR : DatabaseDirectory.Access.VERIFY, false, false, purpose)) {
            CipherSuite ciphers;
            try (Secret secret = options.secret()) {
                ciphers = Keyring.open(locked.io(), locked.path(), locked.meta(), secret, false);
            }
            return task.run(locked, new SegmentFiles(locked.io(), locked.path(), locked.meta().databaseId(),
                    ciphers));
        }
    }
}
