package io.ferrumdb.internal.crypto;

import java.util.Arrays;

/**
 * What the user gave to unlock a database: a raw 256-bit key or a passphrase. Owns its array and wipes it on
 * {@link #close()}; never printed.
 */
public final class Secret implements AutoCloseable {
    private final byte[] rawKey;
    private final char[] passphrase;

    private Secret(byte[] rawKey, char[] passphrase) {
        this.rawKey = rawKey;
        this.passphrase = passphrase;
    }

    /** Takes ownership of {@code key} (32 bytes). */
    public static Secret rawKey(byte[] key) {
        if (key.length != Gcm.KEY_BYTES) {
            throw new IllegalArgumentException("encryption key must be 32 bytes, got " + key.length);
        }
        return new Secret(key, null);
    }

    /** Takes ownership of {@code passphrase} (not empty). */
    public static Secret passphrase(char[] passphrase) {
        if (passphrase.length == 0) {
            throw new IllegalArgumentException("passphrase must not be empty");
        }
        return new Secret(null, passphrase);
    }

    public boolean isPassphrase() {
        return passphrase != null;
    }

    /** "passphrase" or "encryption key", for messages. */
    public String kind() {
        return isPassphrase() ? "passphrase" : "encryption key";
    }

    byte[] rawKey() {
        return rawKey;
    }

    char[] passphrase() {
        return passphrase;
    }

    @Override
    public void close() {
        if (rawKey != null) {
            Arrays.fill(rawKey, (byte) 0);
        }
        if (passphrase != null) {
            Arrays.fill(passphrase, '\0');
        }
    }

    /** "a passphrase" or "an encryption key". */
    public String withArticle() {
        return isPassphrase() ? "a passphrase" : "an encryption key";
    }

    @Override
    public String toString() {
        return "Secret[" + kind() + "]";
    }
}
