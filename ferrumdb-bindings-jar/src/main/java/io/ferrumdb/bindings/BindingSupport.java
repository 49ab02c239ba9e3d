package io.ferrumdb.bindings;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.KeyRange;
import io.ferrumdb.Options;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * The entry points the Python and Node.js bindings call besides {@link FerrumDB} itself. They exist so that both
 * bindings parse their options the same way, with the same error messages, and so that a whole key listing
 * crosses the language boundary as one array instead of one call per key.
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

    /** Opens {@code path} with {@link #options}. */
    public static FerrumDB open(String path, String fsync, long intervalMillis, String passphrase,
                                boolean readOnly) {
        return FerrumDB.open(path(path), options(fsync, intervalMillis, passphrase, readOnly));
    }

    /**
     * The live keys, in unsigned byte order, optionally only those starting with {@code prefix}.
     *
     * @param prefix null for every key
     */
    public static byte[][] keys(FerrumDB db, byte[] prefix) {
        Objects.requireNonNull(db, "db");
        KeyRange range = prefix == null ? KeyRange.all() : KeyRange.prefix(prefix);
        return db.keys(range).toArray(byte[][]::new);
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
