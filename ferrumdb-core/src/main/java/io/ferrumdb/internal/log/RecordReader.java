package io.ferrumdb.internal.log;

import io.ferrumdb.CorruptionException;

/** Verifies a record read from a segment at a known place (key directory, hint) and exposes its key and value. */
public final class RecordReader {
    private RecordReader() {
    }

    /**
     * Checks the record {@code rec} read at {@code fileOffset} of {@code segment} with {@link RecordCheck}; any
     * failure, or a record whose size is not {@code rec.length}, is a CorruptionException naming file and offset.
     */
    public static RecordCheck.Valid open(Segment segment, long fileOffset, byte[] rec) {
        return open(segment, fileOffset, rec, rec.length);
    }

    /** Like {@link #open(Segment, long, byte[])} for a record in the first {@code size} bytes of {@code buf}. */
    public static RecordCheck.Valid open(Segment segment, long fileOffset, byte[] buf, int size) {
        RecordCheck check = RecordCheck.check(buf, 0, size, fileOffset, segment.cipher());
        if (check instanceof RecordCheck.Valid valid) {
            if (valid.size() != size) {
                throw new CorruptionException(segment.path(), fileOffset, "record of " + valid.size()
                        + " bytes where the key directory expects " + size);
            }
            return valid;
        }
        String reason;
        if (check instanceof RecordCheck.Damaged d) {
            reason = d.kind() == RecordCheck.DamageKind.PAST_END_OF_FILE
                    ? "record length does not match the key directory (" + size + " bytes)" : d.reason();
        } else {
            reason = ((RecordCheck.Unauthentic) check).reason();
        }
        throw new CorruptionException(segment.path(), fileOffset, reason);
    }
}
