package io.ferrumdb.bindings;

import io.ferrumdb.DatabaseLockedException;
import io.ferrumdb.EncryptionKeyException;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.Options;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.BiFunction;

/**
 * The entry points the Python and Node.js bindings call besides {@link FerrumDB} itself. They exist so that both
 * bindings parse their options the same way, with the same error messages. Scans go through {@link ScanCursor}.
 */
public final class BindingSupport {
    private BindingSupport() {
    }

    /**
     * Options from the bindings' keyword arguments.
     *
     * @param fsync          {@code "always"}, {@code "never"} or {@code "periodic"} (case-insensitive)
     * @param intervalMillis the fsync interval for {@code "periodic"}; must be positive then, and is ignored
     *                       otherwise
     * @param passphrase     the encryption passphrase, or null for an unencrypted database
     * @param readOnly       open without writing (a shared lock; several read-only processes may share it)
     * @throws IllegalArgumentException naming the bad argument
     */
    public static Options options(String fsync, long intervalMillis, String passphrase, boolean readOnly) {
        Options.Builder builder = Options.builder()
                .fsyncPolicy(fsyncPolicy(fsync, intervalMillis))
                .readOnly(readOnly);
        if (passphrase != null) {
            char[] chars = passphrase.toCharArray();
            builder.passphrase(chars);  // copies it
            Arrays.fill(chars, '\0');
        }
        return builder.build();
    }

    /** Opens the database in {@code path} as {@link #open(String, String, long, String, boolean, BiFunction)}. */
    public static FerrumDB open(String path, String fsync, long intervalMillis, String passphrase,
                                boolean readOnly) {
        return open(path, fsync, intervalMillis, passphrase, readOnly, FerrumDB::open);
    }

    /**
     * Opens a store in {@code path} with {@link #options}, through {@code opener} (a database or a document
     * store). The engine's errors are reworded where they speak of its Java API, which a binding's user never
     * sees.
     *
     * @throws DatabaseLockedException the engine's, which names the process that holds the lock when the operating
     *                                 system can tell
     * @throws EncryptionKeyException  when the database is encrypted and no passphrase was given
     */
    static <T> T open(String path, String fsync, long intervalMillis, String passphrase, boolean readOnly,
                      BiFunction<Path, Options, T> opener) {
        Path dir = path(path);
        Options options = options(fsync, intervalMillis, passphrase, readOnly);
        try {
            return opener.apply(dir, options);
        } catch (EncryptionKeyException e) {
            if (passphrase == null) {
                throw new EncryptionKeyException("database " + dir + " is encrypted: open it with its passphrase");
            }
            throw e;
        }
    }

    static FsyncPolicy fsyncPolicy(String fsync, long intervalMillis) {
        if (fsync == null) {
            throw new IllegalArgumentException("fsync must be \"always\", \"never\" or \"periodic\", got null");
        }
        switch (fsync.toLowerCase(Locale.ROOT)) {
            case "always":
                return FsyncPolicy.always();
            case "never":
                return FsyncPolicy.never();
            case "periodic":
                if (intervalMillis <= 0) {
                    throw new IllegalArgumentException(
                            "fsync \"periodic\" needs a positive interval, got " + intervalMillis + " ms");
                }
                return FsyncPolicy.periodic(Duration.ofMillis(intervalMillis));
            default:
                throw new IllegalArgumentException(
                        "fsync must be \"always\", \"never\" or \"periodic\", got \"" + fsync + "\"");
        }
    }

    static Path path(String path) {
        if (path == null || path.isEmpty()) {
            throw new IllegalArgumentException("path must be a non-empty directory path");
        }
        return Path.of(path);
    }
}
