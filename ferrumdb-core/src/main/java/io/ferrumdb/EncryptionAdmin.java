package io.ferrumdb;

import io.ferrumdb.internal.crypto.Keyring;
import io.ferrumdb.internal.crypto.Secret;
import io.ferrumdb.internal.directory.DatabaseDirectory;
import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.log.LogWriter;
import io.ferrumdb.internal.log.SegmentFiles;
import io.ferrumdb.internal.log.SegmentSet;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Encryption administration (SECURITY.md): changing the passphrase of a closed database, and rotating the data
 * key of an open one. Checking the key at open is {@link Recovery}'s first step ({@code Keyring.open}).
 */
final class EncryptionAdmin {
    private EncryptionAdmin() {
    }

    /** See {@link FerrumDB#changePassphrase(Path, char[], char[])}; {@code dir} is absolute and normalized. */
    static void changePassphrase(Path dir, char[] oldPassphrase, char[] newPassphrase, FileIO io) {
        try (Secret oldSecret = Secret.passphrase(oldPassphrase);
             Secret newSecret = Secret.passphrase(newPassphrase)) {
            DatabaseDirectory locked;
            try {
                locked = DatabaseDirectory.lock(io, dir, DatabaseDirectory.Access.WRITE, false, false,
                        "passphrase change");
            } catch (IOException e) {
                // Nothing was written yet (a path that is a file, an unreadable directory): the old passphrase
                // still opens the database, if there is one.
                throw DirectoryCalls.failed("change the passphrase of", dir, e);
            }
            try (locked) {
                Keyring.rewrap(io, dir, locked.meta(), oldSecret, newSecret);
            } catch (IOException e) {
                throw new FerrumException("could not complete the passphrase change of " + dir
                        + " (either the old or the new passphrase opens it now): " + e, e);
            }
        }
    }

    /**
     * See {@link FerrumDB#rotateDataKey()}: adds a new data key to KEY, seals the active segment (even an empty
     * one), rewrites every sealed segment by a full compaction, then retires the old keys from KEY.
     */
    static void rotateDataKey(Path dir, Options options, SegmentSet segments, LogWriter writer,
                              Maintenance maintenance, Runnable ensureOpen) {
        maintenance.exclusively(() -> {
            SegmentFiles files = segments.files();
            try (Secret secret = options.secret()) {
                ensureOpen.run();
                if (secret == null) {
                    throw new EncryptionKeyException("database " + dir + " is not encrypted", true);
                }
                Keyring.addDataKey(options.fileIO(), dir, files.ciphers(), files.databaseId(), secret);
                writer.rollAndSync(true);
                maintenance.compactNow(maintenance.sealedSegments());
                int remaining = Keyring.retireDataKeys(options.fileIO(), dir, files.ciphers(), files.databaseId(),
                        secret, segments.firstId());
                if (remaining != 1) {
                    throw new FerrumException("data-key rotation of " + dir + " left " + remaining + " data keys"
                            + " in use: segment " + segments.firstId() + " was not rewritten");
                }
            } catch (IOException e) {
                throw new FerrumException("data-key rotation of " + dir + " failed: " + e, e);
            }
            return null;
        });
    }
}
