package io.ferrumdb.internal.crypto;

import io.ferrumdb.internal.format.Bytes;
import io.ferrumdb.internal.format.CipherSuite;
import io.ferrumdb.internal.format.HintFile.BodyCipher;
import io.ferrumdb.internal.format.PayloadCipher;
import io.ferrumdb.internal.format.SegmentHeader;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * Encryption of one open database: holds the unwrapped data key and derives, once per segment, the segment's
 * record subkey and hint subkey with HKDF-SHA256 (salt = the segment header's random salt).
 */
final class AesGcmSuite implements CipherSuite {
    static final int SALT_BYTES = 16;
    private static final byte[] SEGMENT_LABEL = "ferrumdb segment".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HINT_LABEL = "ferrumdb hint".getBytes(StandardCharsets.US_ASCII);

    /** Needed for every segment created while the database is open; lives as long as the suite. */
    private final byte[] dataKey;
    private final byte[] databaseId;
    private final SecureRandom random;

    /** Takes ownership of {@code dataKey}. */
    AesGcmSuite(byte[] dataKey, byte[] databaseId, SecureRandom random) {
        this.dataKey = dataKey;
        this.databaseId = databaseId.clone();
        this.random = random;
    }

    @Override
    public boolean encrypted() {
        return true;
    }

    @Override
    public byte[] newSegmentSalt() {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        return salt;
    }

    @Override
    public PayloadCipher segmentCipher(SegmentHeader header) {
        byte[] subkey = subkey(SEGMENT_LABEL, header);
        try {
            return new SegmentCipher(subkey, databaseId, header.segmentId());
        } finally {
            Arrays.fill(subkey, (byte) 0);
        }
    }

    @Override
    public BodyCipher hintCipher(SegmentHeader header) {
        byte[] subkey = subkey(HINT_LABEL, header);
        try {
            return new HintCipher(subkey, random);
        } finally {
            Arrays.fill(subkey, (byte) 0);
        }
    }

    /** HKDF(data key, salt = segment salt, info = label || database id || segment id). */
    private byte[] subkey(byte[] label, SegmentHeader header) {
        if (!Arrays.equals(header.databaseId(), databaseId)) {
            // SegmentFiles checks this before asking for a cipher; deriving for a foreign id would be a bug.
            throw new IllegalArgumentException("segment header names another database");
        }
        byte[] info = new byte[label.length + 16 + 8];
        System.arraycopy(label, 0, info, 0, label.length);
        System.arraycopy(databaseId, 0, info, label.length, 16);
        Bytes.putI64(info, label.length + 16, header.segmentId());
        return Hkdf.derive(dataKey, header.salt(), info, Gcm.KEY_BYTES);
    }
}
