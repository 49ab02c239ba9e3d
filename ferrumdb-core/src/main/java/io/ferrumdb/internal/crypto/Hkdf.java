package io.ferrumdb.internal.crypto;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HKDF with HMAC-SHA256 (RFC 5869), on the JDK's HmacSHA256. */
public final class Hkdf {
    private static final int HASH_LENGTH = 32;
    private static final String HMAC = "HmacSHA256";

    private Hkdf() {
    }

    /** HKDF-Extract: the pseudorandom key from {@code salt} (empty means 32 zero bytes) and input keying material. */
    public static byte[] extract(byte[] salt, byte[] ikm) {
        byte[] s = salt.length == 0 ? new byte[HASH_LENGTH] : salt;
        Mac mac = mac(s);
        return mac.doFinal(ikm);
    }

    /** HKDF-Expand: {@code length} bytes of output keying material (at most 255 * 32). */
    public static byte[] expand(byte[] prk, byte[] info, int length) {
        if (length < 0 || length > 255 * HASH_LENGTH) {
            throw new IllegalArgumentException("HKDF output length must be 0 to " + 255 * HASH_LENGTH + ", got "
                    + length);
        }
        Mac mac = mac(prk);
        byte[] out = new byte[length];
        byte[] t = new byte[0];
        int done = 0;
        for (int i = 1; done < length; i++) {
            mac.update(t);
            mac.update(info);
            mac.update((byte) i);
            byte[] next = mac.doFinal();
            Arrays.fill(t, (byte) 0);
            t = next;
            int n = Math.min(HASH_LENGTH, length - done);
            System.arraycopy(t, 0, out, done, n);
            done += n;
        }
        Arrays.fill(t, (byte) 0);
        return out;
    }

    /** Extract then expand; the intermediate pseudorandom key is wiped. */
    public static byte[] derive(byte[] ikm, byte[] salt, byte[] info, int length) {
        byte[] prk = extract(salt, ikm);
        try {
            return expand(prk, info, length);
        } finally {
            Arrays.fill(prk, (byte) 0);
        }
    }

    private static Mac mac(byte[] key) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(key, HMAC));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks " + HMAC + ", which every Java SE platform must provide", e);
        }
    }
}
