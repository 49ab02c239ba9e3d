package io.ferrumdb.internal.format;

import io.ferrumdb.internal.format.HintFile.BodyCipher;

/** The database's choice of payload protection: plaintext, or per-segment AES-256-GCM (crypto package). */
public interface CipherSuite {
    boolean encrypted();

    /** Salt for a new segment header: random when encrypted, zeros otherwise. */
    byte[] newSegmentSalt();

    PayloadCipher segmentCipher(SegmentHeader header);

    BodyCipher hintCipher(SegmentHeader header);

    CipherSuite PLAINTEXT = new CipherSuite() {
        @Override
        public boolean encrypted() {
            return false;
        }

        @Override
        public byte[] newSegmentSalt() {
            return new byte[16];
        }

        @Override
        public PayloadCipher segmentCipher(SegmentHeader header) {
            return PayloadCipher.NONE;
        }

        @Override
        public BodyCipher hintCipher(SegmentHeader header) {
            return HintFile.PLAIN;
        }
    };
}
