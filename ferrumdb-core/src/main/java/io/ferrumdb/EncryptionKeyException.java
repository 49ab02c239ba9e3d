package io.ferrumdb;

/**
 * The encryption key or passphrase does not fit the database: wrong key or passphrase, a key given for a
 * plaintext database, or none given for an encrypted one. Thrown by open before any record is read or anything
 * is written. The message never contains key material.
 */
public class EncryptionKeyException extends FerrumException {
    private static final long serialVersionUID = 1L;

    private final boolean plaintextDatabase;

    public EncryptionKeyException(String message) {
        this(message, false);
    }

    /**
     * @param plaintextDatabase the database is not encrypted: a key or passphrase was given for it, or an operation
     *     of encrypted databases (passphrase change, data-key rotation) was asked of it
     */
    public EncryptionKeyException(String message, boolean plaintextDatabase) {
        super(message);
        this.plaintextDatabase = plaintextDatabase;
    }

    /**
     * True when the database is not encrypted, so the way out is to give no key or passphrase, not another one.
     */
    public boolean plaintextDatabase() {
        return plaintextDatabase;
    }
}
