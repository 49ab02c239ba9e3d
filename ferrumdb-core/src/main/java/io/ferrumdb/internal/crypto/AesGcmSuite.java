package io.ferrumdb.internal.crypto;

import io.ferrumdb.internal.format.Bytes;
import io.ferrumdb.internal.format.CipherSuite;
import io.ferrumdb.internal.format.HintFile.BodyCipher;
import io.ferrumdb.internal.format.PayloadCipher;
import io.ferrumdb.internal.format.SegmentHeader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Encryption of one open database: holds the unwrapped data keys and derives, once per segment, the segment's
 * record subkey and hint subkey with HKDF-SHA256 (salt = the segment header's random salt). Each data key
 * serves a range of segment numbers; there is more than one only while a data-key rotation is under way.
 */
final class AesGcmSuite implements CipherSuite {
    static final int SALT_BYTES = 16;
    private static final byte[] SEGMENT_LABEL = "ferrumdb segment".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HINT_LABEL = "ferrumdb hint".getBytes(StandardCharsets.US_ASCII);

    /** A data key and the first segment number it encrypts; it serves segments up to the next key's first. */
    record DataKey(long firstSegment, byte[] key) {
    }

    /** Writes the KEY file for a new list of data keys. */
    interface Persister {
        void persist(List<DataKey> keys) throws IOException;
    }

    private final byte[] databaseId;
    private final SecureRandom random;
    /** Ascending by first segment, the first 0. Needed for every segment created while the database is open. */
    private List<DataKey> keys;
    /** The highest segment number a cipher was made for: a new data key starts above it. */
    private long highestSegment;

    /** Takes ownership of the key arrays. */
    AesGcmSuite(List<DataKey> keys, byte[] databaseId, SecureRandom random) {
        this.keys = List.copyOf(keys);
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

    /**
     * Adds {@code key} for every segment whose cipher is made from now on. The KEY file is written while the lock
     * is held, so no segment gets records under a key that KEY does not list yet.
     */
    synchronized void addKey(byte[] key, Persister persister) throws IOException {
        List<DataKey> next = new ArrayList<>(keys);
        next.add(new DataKey(highestSegment + 1, key));
        persister.persist(next);
        keys = List.copyOf(next);
    }

    /**
     * Drops the data keys that serve only segment numbers below {@code lowestSegment} (none of which exists any
     * more) and wipes them; returns how many were dropped.
     */
    synchronized int retireBelow(long lowestSegment, Persister persister) throws IOException {
        int firstKept = 0;
        while (firstKept + 1 < keys.size() && keys.get(firstKept + 1).firstSegment() <= lowestSegment) {
            firstKept++;
        }
        if (firstKept == 0) {
            return 0;
        }
        List<DataKey> next = new ArrayList<>(keys.subList(firstKept, keys.size()));
        next.set(0, new DataKey(0, next.get(0).key()));
        persister.persist(next);
        for (DataKey retired : keys.subList(0, firstKept)) {
            Arrays.fill(retired.key(), (byte) 0);
        }
        keys = List.copyOf(next);
        return firstKept;
    }

    synchronized int keyCount() {
        return keys.size();
    }

    /** HKDF(data key of the segment, salt = segment salt, info = label || database id || segment id). */
    private synchronized byte[] subkey(byte[] label, SegmentHeader header) {
        if (!Arrays.equals(header.databaseId(), databaseId)) {
            // SegmentFiles checks this before asking for a cipher; deriving for a foreign id would be a bug.
            throw new IllegalArgumentException("segment header names another database");
        }
        long id = header.segmentId();
        highestSegment = Math.max(highestSegment, id);
        byte[] dataKey = keys.get(0).key();
        for (DataKey k : keys) {
            if (k.firstSegment() <= id) {
                dataKey = k.key();
            }
        }
        byte[] info = new byte[label.length + 16 + 8];
        System.arraycopy(label, 0, info, 0, label.length);
        System.arraycopy(databaseId, 0, info, label.length, 16);
        Bytes.putI64(info, label.length + 16, id);
        return Hkdf.derive(dataKey, header.salt(), info, Gcm.KEY_BYTES);
    }
}
