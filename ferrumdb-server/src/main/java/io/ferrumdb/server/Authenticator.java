package io.ferrumdb.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Checks AUTH passwords in constant time: both sides are hashed with SHA-256 first, so the comparison
 * ({@link MessageDigest#isEqual}, constant-time in the JDK) never depends on where the inputs differ nor on
 * their lengths. Only the default user exists, as in a Redis configured with {@code requirepass}.
 */
final class Authenticator {
    static final String DEFAULT_USER = "default";
    private final byte[] passwordDigest;

    Authenticator(byte[] password) {
        this.passwordDigest = password == null ? null : sha256(password);
    }

    boolean required() {
        return passwordDigest != null;
    }

    boolean check(byte[] user, byte[] password) {
        if (passwordDigest == null) {
            return false;
        }
        boolean userOk = user == null || new String(user, StandardCharsets.UTF_8).equals(DEFAULT_USER);
        boolean passwordOk = MessageDigest.isEqual(passwordDigest, sha256(password));
        return userOk & passwordOk;
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
