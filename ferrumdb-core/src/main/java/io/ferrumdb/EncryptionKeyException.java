package io.ferrumdb;

/**
 * The encryption key or passphrase does not fit the database: wrong key or passphrase, a key given for a
 * plaintext database, or none given for an encrypted one. Thrown by open before any record is read or anything
 * is written. The message never contains key material.
 */
public class EncryptionKeyException extends FerrumException {
    private static final long serialVersionUID = 1L;

    public EncryptionKeyException(String message) {
        super(message);
    }
}
