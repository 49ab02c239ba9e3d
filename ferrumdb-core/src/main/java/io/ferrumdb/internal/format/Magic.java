package io.ferrumdb.internal.format;

import io.ferrumdb.CorruptionException;
import io.ferrumdb.FormatVersionException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The 8-byte magic and 2-byte format version that open every FerrumDB file (FORMAT.md, "Common file prologue").
 */
public enum Magic {
    SEGMENT("FDBSEG01"),
    HINT("FDBHNT01"),
    META("FDBMETA1"),
    MERGE("FDBMRG01"),
    KEYFILE("FDBKEY01"),
    BACKUP("FDBBAK01");

    /** The format version this code writes; it reads every version up to it. */
    public static final int FORMAT_VERSION = 1;

    private final byte[] bytes;

    Magic(String text) {
        this.bytes = text.getBytes(StandardCharsets.US_ASCII);
    }

    public void write(byte[] b, int off) {
        System.arraycopy(bytes, 0, b, off, 8);
        Bytes.putU16(b, off + 8, FORMAT_VERSION);
    }

    /** Whether the magic bytes at {@code off} are this kind's, whatever the version after them. */
    public boolean matches(byte[] b, int off) {
        return b.length >= off + 8 && Arrays.equals(b, off, off + 8, bytes, 0, 8);
    }

    /**
     * Checks a file's prologue and its CRC32C of bytes [0, crcAt), stored at {@code crcAt}: the checksum before the
     * version, so that a damaged version field is reported as corruption, not as a file from a newer FerrumDB (an
     * intact file with a newer version still is).
     */
    public void checkWithChecksum(byte[] b, int crcAt, Path file, String what) {
        boolean intact = crcAt >= 10 && b.length >= crcAt + 4 && Bytes.crc32c(b, 0, crcAt) == Bytes.i32(b, crcAt);
        if (intact || !matches(b, 0)) {
            check(b, 0, file);
        }
        if (!intact) {
            throw new CorruptionException(file, crcAt, what + " checksum mismatch");
        }
    }

    /** Checks magic and version at {@code off}; returns the version. */
    public int check(byte[] b, int off, Path file) {
        if (b.length < off + 10 || !Arrays.equals(b, off, off + 8, bytes, 0, 8)) {
            throw new CorruptionException(file, off, "bad magic: not a FerrumDB " + name().toLowerCase() + " file");
        }
        int version = Bytes.u16(b, off + 8);
        if (version > FORMAT_VERSION || version == 0) {
            throw new FormatVersionException(file, version, FORMAT_VERSION);
        }
        return version;
    }
}
