package io.ferrumdb.internal.format;

/**
 * Turns a record's key and value into its stored payload and back. The plaintext cipher copies; the encrypting
 * one (crypto package) seals key||value with AES-256-GCM, authenticating the record header as associated data.
 * One instance serves one segment file, so per-file key material lives in the instance.
 */
public interface PayloadCipher {
    /** Bytes the stored payload adds to key length + value length (the GCM tag, or 0). */
    int overhead();

    /**
     * Writes the payload for {@code key||value} at {@code out[outOff]}. {@code header} holds the record header
     * (everything after the CRC) at {@code headerOff}; {@code recordOffset} is the record's offset in its file.
     */
    void seal(long recordOffset, byte[] header, int headerOff, int headerLen, byte[] key, byte[] value,
              byte[] out, int outOff);

    /**
     * Recovers {@code key||value} from a stored payload into {@code out[outOff]}; returns false when the payload
     * fails authentication.
     */
    boolean open(long recordOffset, byte[] record, int headerOff, int headerLen, int payloadOff, int payloadLen,
                 byte[] out, int outOff);

    /** Whether payload bytes are the plaintext itself (lets readers skip a copy). */
    boolean isPlaintext();

    PayloadCipher NONE = new PayloadCipher() {
        @Override
        public int overhead() {
            return 0;
        }

        @Override
        public void seal(long recordOffset, byte[] header, int headerOff, int headerLen, byte[] key, byte[] value,
                         byte[] out, int outOff) {
            System.arraycopy(key, 0, out, outOff, key.length);
            System.arraycopy(value, 0, out, outOff + key.length, value.length);
        }

        @Override
        public boolean open(long recordOffset, byte[] record, int headerOff, int headerLen, int payloadOff,
                            int payloadLen, byte[] out, int outOff) {
            System.arraycopy(record, payloadOff, out, outOff, payloadLen);
            return true;
        }

        @Override
        public boolean isPlaintext() {
            return true;
        }
    };
}
