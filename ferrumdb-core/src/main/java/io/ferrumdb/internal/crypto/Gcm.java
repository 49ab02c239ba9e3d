package io.ferrumdb.internal.crypto;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM under one key, with one JCE {@link Cipher} per thread. A Cipher per key and thread lets the JDK
 * keep the expanded AES key between records, so a record costs one init with a new nonce, not a key schedule.
 */
final class Gcm {
    static final int KEY_BYTES = 32;
    static final int NONCE_BYTES = 12;
    static final int TAG_BYTES = 16;
    private static final String TRANSFORMATION = "AES/GCM/NoPadding";

    private final SecretKeySpec key;
    private final ThreadLocal<Cipher> ciphers = ThreadLocal.withInitial(Gcm::newCipher);

    /** {@code key} is copied by the JCE key spec; the caller wipes its array. */
    Gcm(byte[] key) {
        if (key.length != KEY_BYTES) {
            throw new IllegalArgumentException("AES-256 needs a 32-byte key, got " + key.length + " bytes");
        }
        this.key = new SecretKeySpec(key, "AES");
    }

    /** The thread's Cipher, initialised for encryption with {@code nonce}; the caller adds AAD and data. */
    Cipher encryptor(byte[] nonce) {
        return init(Cipher.ENCRYPT_MODE, nonce);
    }

    Cipher decryptor(byte[] nonce) {
        return init(Cipher.DECRYPT_MODE, nonce);
    }

    private Cipher init(int mode, byte[] nonce) {
        Cipher c = ciphers.get();
        try {
            c.init(mode, key, new GCMParameterSpec(TAG_BYTES * 8, nonce));
        } catch (GeneralSecurityException e) {
            // The JDK refuses a repeated (key, nonce) for encryption: that would be a nonce-reuse bug, never data.
            throw new IllegalStateException("AES-GCM initialisation failed: " + e.getMessage(), e);
        }
        return c;
    }

    private static Cipher newCipher() {
        try {
            return Cipher.getInstance(TRANSFORMATION);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks " + TRANSFORMATION, e);
        }
    }

    /** Unexpected JCE failure while processing data (buffers are sized by the caller, so this is a bug). */
    static IllegalStateException failure(GeneralSecurityException e) {
        return new IllegalStateException("AES-GCM failed: " + e.getMessage(), e);
    }
}
