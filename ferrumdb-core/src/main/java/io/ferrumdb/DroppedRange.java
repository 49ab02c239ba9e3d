package io.ferrumdb;

import java.nio.file.Path;

/**
 * A byte range of a database file that was not (or could not be) loaded: a torn tail truncated after a crash, a
 * damaged record skipped by salvage, verify or repair, a hint rebuilt from its segment, a segment missing from
 * or unknown to the manifest, a damaged file beside the segments (MANIFEST, META, KEYDIR, COMPACTION, LOCK).
 *
 * @param file   the file the range lies in
 * @param offset first byte of the range
 * @param length bytes in the range (0 when the problem is a whole file, e.g. a missing segment)
 * @param kind   what the range is, for code to act on
 * @param reason what was found there, for people
 */
public record DroppedRange(Path file, long offset, long length, Kind kind, String reason) {
    /** What a dropped range is. Only {@link #isDamage() damage} means data that was written is not readable. */
    public enum Kind {
        /**
         * Bytes after the last complete record of the segment that was being written when the process stopped:
         * a write that was never acknowledged. Open truncates them; not damage. Zeros alone there are not one: they
         * are the region the writer zero-filled ahead of its records (FORMAT.md, "Zero tail"), cut without a report.
         */
        TORN_TAIL,
        /** A record (or the records up to the next valid one) that fails its checks in the middle of the log. */
        DAMAGED_RECORD,
        /**
         * A segment file whose header is unreadable, names another segment, or belongs to another database, or that
         * is not the length or header the MANIFEST recorded when it was sealed (cut short, grown, replaced).
         */
        DAMAGED_SEGMENT,
        /** A hint file that is damaged or describes another length of its segment; the segment is read instead. */
        DAMAGED_HINT,
        /** A segment the manifest lists whose file is gone. */
        MISSING_SEGMENT,
        /** A segment file the manifest does not list (copied in, or left from another copy of the database). */
        UNLISTED_SEGMENT,
        /** A COMPACTION journal that is damaged or belongs to another database. */
        DAMAGED_JOURNAL,
        /**
         * A key directory image ({@code KEYDIR}) that is damaged: a cache of the hint files, so no record is
         * affected (open ignores it and loads the hints; repair and a writable open delete it), but the disk
         * changed bytes it was given.
         */
        DAMAGED_IMAGE,
        /**
         * A {@code MANIFEST} (the list of the database's segments) that is damaged, belongs to another database or
         * is missing in a database that needs one: open refuses the database, since it cannot tell whether a
         * segment file is gone; repair rebuilds it from the segment files present and sets the damaged one aside.
         */
        DAMAGED_MANIFEST,
        /**
         * A {@code META} (the database's identity and format version) that is damaged, missing beside segment files,
         * or something other than a file: open refuses the database; verify checks the rest with the identity the
         * segments' headers name, and repair rebuilds META from them and sets the damaged one aside. Where the
         * headers cannot say (none readable, or they name more than one database) both refuse, naming META.
         */
        DAMAGED_META,
        /**
         * Something other than a plain file where {@code LOCK} should be (a directory): no lock can be taken through
         * it, so nothing could open the database. Repair sets it aside and creates a new {@code LOCK}; no record is
         * affected.
         */
        DAMAGED_LOCK,
        /**
         * A {@code KEY} file that opens none of the segments of an encrypted database: each one's first record has an
         * intact checksum but fails authentication, so the segments are under a data key the file does not hold (a
         * copy from before a data-key rotation, put back). Reported in place of those segments' failures: restoring
         * the {@code KEY} file that goes with them is the way out, and repair refuses (it would set every segment
         * aside).
         */
        MISMATCHED_KEY;

        /**
         * Whether this kind is damage to stored files (what verify fails on). A torn tail is not: it is a write
         * that was never acknowledged, and open truncates it.
         */
        public boolean isDamage() {
            return this != TORN_TAIL;
        }
    }
}
