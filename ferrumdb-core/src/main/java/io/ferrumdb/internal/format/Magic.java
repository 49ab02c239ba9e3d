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
    /** Version 2: a segment that was never sealed may end in a zero tail (FORMAT.md, "Zero tail"). */
    SEGMENT("FDBSEG01", 2),
    HINT("FDBHNT01", 1),
    /** Version 2: the database has a MANIFEST (database format version 2). */
    META("FDBMETA1", 2),
    /** Version 2: the journal carries the database id. */
    MERGE("FDBMRG01", 2),
    KEYFILE("FDBKEY01", 1),
    /** Version 3: the length and header checksum of every sealed segment (version 2, without them, is read). */
    MANIFEST("FDBMAN01", 3),
    /** A backup's marker (FORMAT.md, "BACKUP"). */
    BACKUP("FDBBAK01", 1),
    /** The key directory's image, written at a clean close (FORMAT.md, "KEYDIR"); version 2: mappable areas. */
    KEYDIR("FDBKDI01", 2);

    private final byte[] bytes;
    private final int version;

    Magic(String text, int version) {
        this.bytes = text.getBytes(StandardCharsets.US_ASCII);
        this.version = version;
    }

    /** The version of this kind of file this code writes; it reads every version from 1 up to it. */
    public int version() {
        return version;
    }

    /** Writes the magic and the current version of this kind at {@code off}. */
    public void write(byte[] b, int off) {
        write(b, off, version);
    }

    /** Writes the magic and an older {@code fileVersion} (for files whose older layout is still written). */
    public void write(byte[] b, int off, int fileVersion) {
        if (fileVersion < 1 || fileVersion > version) {
            throw new IllegalArgumentException(name() + " version " + fileVersion + " is not writable");
        }
        System.arraycopy(bytes, 0, b, off, 8);
        Bytes.putU16(b, off + 8, fileVersion);
    }

    /** Whether the magic bytes at {@code off} are this kind's, whatever the version after them. */
    public boolean matches(byte[] b, int off) {
        return b.length >= off + 8 && Arrays.equals(b, off, off + 8, bytes, 0, 8);
    }

    /**
     * Checks a file's prologue and its CRC32C of bytes [0, crcAt), stored at {@code crcAt}, and returns the file's
     * version: the checksum before the version, so that a damaged version field is reported as corruption, not as a
     * file from a newer FerrumDB (an intact file with a newer version still is).
     */
    public int checkWithChecksum(byte[] b, int crcAt, Path file, String what) {
        boolean intact = crcAt >= 10 && b.length >= crcAt + 4 && Bytes.crc32c(b, 0, crcAt) == Bytes.i32(b, crcAt);
        if (intact || !matches(b, 0)) {
            int found = check(b, 0, file);
            if (intact) {
                return found;
            }
        }
        throw new CorruptionException(file, crcAt, what + " checksum mismatch");
    }

    /** Checks magic and version at {@code off}; returns the version. */
    public int check(byte[] b, int off, Path file) {
        if (b.length < off + 10 || !Arrays.equals(b, off, off + 8, bytes, 0, 8)) {
            throw new CorruptionException(file, off, "bad magic: not a FerrumDB " + name().toLowerCase() + " file");
        }
        int found = Bytes.u16(b, off + 8);
        if (found > version || found == 0) {
            throw new FormatVersionException(file, found, version);
        }
        return found;
    }
}
