package io.ferrumdb.internal.crypto;

import io.ferrumdb.internal.format.HintFile;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;

/**
 * Seals a hint file's entry block: random 96-bit nonce || AES-256-GCM(entries) || tag, with the hint header
 * (segment id, database id, entry count, data length) as associated data. A hint is rewritten only a handful of
 * times per segment, each under the segment's hint subkey, so random nonces are far from the 2^32 bound.
 */
final class HintCipher implements HintFile.BodyCipher {
    private final Gcm gcm;
    private final SecureRandom random;

    HintCipher(byte[] subkey, SecureRandom random) {
        this.gcm = new Gcm(subkey);
        this.random = random;
    }

    @Override
    public int overhead() {
        return Gcm.NONCE_BYTES + Gcm.TAG_BYTES;
    }

    @Override
    public byte[] seal(byte[] header, byte[] body) {
        byte[] nonce = new byte[Gcm.NONCE_BYTES];
        random.nextBytes(nonce);
        Cipher c = gcm.encryptor(nonce);
        c.updateAAD(header);
        byte[] out = new byte[Gcm.NONCE_BYTES + body.length + Gcm.TAG_BYTES];
        System.arraycopy(nonce, 0, out, 0, Gcm.NONCE_BYTES);
        try {
            c.doFinal(body, 0, body.length, out, Gcm.NONCE_BYTES);
        } catch (GeneralSecurityException e) {
            throw Gcm.failure(e);
        }
        return out;
    }

    @Override
    public byte[] open(byte[] header, byte[] sealed) {
        if (sealed.length < overhead()) {
            return null;
        }
        byte[] nonce = java.util.Arrays.copyOf(sealed, Gcm.NONCE_BYTES);
        Cipher c = gcm.decryptor(nonce);
        c.updateAAD(header);
        try {
            return c.doFinal(sealed, Gcm.NONCE_BYTES, sealed.length - Gcm.NONCE_BYTES);
        } catch (AEADBadTagException e) {
            return null;
        } catch (GeneralSecurityException e) {
            throw Gcm.failure(e);
        }
    }

    @Override
    public boolean encrypted() {
        return true;
    }
}
