package io.ferrumdb;

import io.ferrumdb.internal.crypto.Keyring;
import io.ferrumdb.internal.crypto.Secret;
import io.ferrumdb.internal.format.CipherSuite;
import io.ferrumdb.internal.format.MetaFile;
import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.io.StorageFile;
import io.ferrumdb.internal.log.SegmentFiles;
import java.io.IOException;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;

/**
 * Runs an offline tool (verify, repair) on a database that no handle has open: takes the directory lock (shared to
 * read, exclusive to write), reads META and checks the key, then hands the tool the database's files.
 */
final class ClosedDatabase {
    /** A tool's work on the locked database. */
    interface Task<T> {
        T run(MetaFile meta, SegmentFiles files) throws IOException;
    }

    private ClosedDatabase() {
    }

    static <T> T run(Path directory, Options options, boolean exclusive, Task<T> task) throws IOException {
        Path dir = directory.toAbsolutePath().normalize();
        FileIO io = options.fileIO();
        Path lockPath = dir.resolve("LOCK");
        if (!io.exists(lockPath) || !io.exists(dir.resolve(MetaFile.NAME))) {
            throw new FerrumException("no FerrumDB database at " + dir + " (no LOCK or META file)");
        }
        try (StorageFile lockFile = io.open(lockPath, exclusive)) {
            FileLock lock;
            try {
                lock = lockFile.tryLock(!exclusive);
            } catch (OverlappingFileLockException e) {
                throw new DatabaseLockedException(dir, e);
            }
            if (lock == null) {
                throw new DatabaseLockedException(dir, null);
            }
            try {
                SegmentFiles reader = new SegmentFiles(io, dir, new byte[16], CipherSuite.PLAINTEXT);
                Path metaPath = dir.resolve(MetaFile.NAME);
                MetaFile meta = MetaFile.decode(reader.readAll(metaPath, MetaFile.SIZE), metaPath);
                CipherSuite ciphers;
                try (Secret secret = options.secret()) {
                    ciphers = Keyring.open(io, dir, meta, secret, false);
                }
                return task.run(meta, new SegmentFiles(io, dir, meta.databaseId(), ciphers));
            } finally {
                lock.release();
            }
        }
    }
}
