package io.ferrumdb;

import java.util.HexFormat;

/**
 * A read of {@code key} found its record moved away (compaction retired the segment between the key-directory
 * lookup and the read) more times in a row than the read path retries. Each retry looks the key up again, so
 * this means compactions kept racing one read; nothing is damaged and the read may simply be tried again.
 */
public class ReadRetriesExhaustedException extends FerrumException {
    private static final long serialVersionUID = 1L;
    private final byte[] key;
    private final int attempts;

    public ReadRetriesExhaustedException(byte[] key, int attempts) {
        super("read of key " + HexFormat.of().formatHex(key, 0, Math.min(key.length, 64))
                + (key.length > 64 ? "... (" + key.length + " bytes)" : "") + " gave up after " + attempts
                + " attempts: each time, compaction retired the segment holding its record between lookup and read;"
                + " the read may be retried");
        this.key = key.clone();
        this.attempts = attempts;
    }

    /** The key that was being read (hex in the message, at most its first 64 bytes). */
    public byte[] key() {
        return key.clone();
    }

    /** How many lookups the read made. */
    public int attempts() {
        return attempts;
    }
}
