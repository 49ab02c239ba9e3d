package io.ferrumdb.internal.crypto;

import io.ferrumdb.internal.format.Bytes;
import io.ferrumdb.internal.format.PayloadCipher;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;

/**
 * Seals the records of one segment file with AES-256-GCM under the segment's own subkey (SECURITY.md).
 * Nonce: 4 zero bytes || the record's 8-byte offset in the file. Associated data: the record header after the
 * CRC, then database id, segment id and record offset, so a record only opens at the place it was written.
 */
final class SegmentCipher implements PayloadCipher {
    private static final int CONTEXT_BYTES = 16 + 8;

    private final Gcm gcm;
    /** database id || segment id: the part of the associated data that is the same for every record here. */
    private final byte[] context;

    SegmentCipher(byte[] subkey, byte[] databaseId, long segmentId) {
        this.gcm = new Gcm(subkey);
        this.context = new byte[CONTEXT_BYTES];
        System.arraycopy(databaseId, 0, context, 0, 16);
        Bytes.putI64(context, 16, segmentId);
    }

    @Override
    public int overhead() {
        return Gcm.TAG_BYTES;
    }

    @Override
    public void seal(long recordOffset, byte[] header, int headerOff, int headerLen, byte[] key, byte[] value,
                     byte[] out, int outOff) {
        Cipher c = gcm.encryptor(nonce(recordOffset));
        c.updateAAD(aad(recordOffset, header, headerOff, headerLen));
        try {
            int n = c.update(key, 0, key.length, out, outOff);
            c.doFinal(value, 0, value.length, out, outOff + n);
        } catch (GeneralSecurityException e) {
            throw Gcm.failure(e);
        }
    }

    @Override
    public boolean open(long recordOffset, byte[] record, int headerOff, int headerLen, int payloadOff,
                        int payloadLen, byte[] out, int outOff) {
        if (payloadLen < Gcm.TAG_BYTES) {
            return false;
        }
        Cipher c = gcm.decryptor(nonce(recordOffset));
        c.updateAAD(aad(recordOffset, record, headerOff, headerLen));
        try {
            c.doFinal(record, payloadOff, payloadLen, out, outOff);
            return true;
        } catch (AEADBadTagException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw Gcm.failure(e);
        }
    }

    @Override
    public boolean isPlaintext() {
        return false;
    }

    static byte[] nonce(long recordOffset) {
        byte[] nonce = new byte[Gcm.NONCE_BYTES];
        Bytes.putI64(nonce, 4, recordOffset);
        return nonce;
    }

    private byte[] aad(long recordOffset, byte[] header, int headerOff, int headerLen) {
        byte[] aad = new byte[headerLen + CONTEXT_BYTES + 8];
        System.arraycopy(header, headerOff, aad, 0, headerLen);
        System.arraycopy(context, 0, aad, headerLen, CONTEXT_BYTES);
        Bytes.putI64(aad, headerLen + CONTEXT_BYTES, recordOffset);
        return aad;
    }
}
