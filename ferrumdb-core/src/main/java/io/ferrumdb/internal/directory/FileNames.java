package io.ferrumdb.internal.directory;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * Every file name a database directory may hold, built and parsed here and nowhere else (FORMAT.md, "Files").
 * Segment {@code 0000000042.seg} and its hint {@code 0000000042.hint}; {@code META}, {@code KEY}, {@code LOCK},
 * {@code COMPACTION}, {@code MANIFEST}, {@code BACKUP}, {@code KEYDIR}, {@code SERVING}; any of them with
 * {@code .tmp} appended while it is written (deleted at the next open). Beside the directory, repair's folder for
 * the damaged files it moves aside, {@code damaged-20261208T010203.456Z} ({@link #damagedFolder}).
 */
public final class FileNames {
    public static final String LOCK = "LOCK";
    public static final String META = "META";
    public static final String KEY = "KEY";
    public static final String COMPACTION = "COMPACTION";
    /** The segments that make up the database (format 2; FORMAT.md, "MANIFEST"). */
    public static final String MANIFEST = "MANIFEST";
    /** A backup's state: written first as "in progress", last as "complete" (FORMAT.md, "BACKUP"). */
    public static final String BACKUP = "BACKUP";
    /** The key directory's image, written at a clean close and read at the next open (FORMAT.md, "KEYDIR"). */
    public static final String KEYDIR = "KEYDIR";
    /**
     * The pid and address of the server serving the directory, for the lock message (FORMAT.md, "Directory layout").
     */
    public static final String SERVING = "SERVING";
    public static final String TMP_SUFFIX = ".tmp";
    private static final String SEGMENT_SUFFIX = ".seg";
    private static final String HINT_SUFFIX = ".hint";
    private static final int ID_DIGITS = 10;
    private static final DateTimeFormatter DAMAGED_STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private FileNames() {
    }

    // Names are joined with String.concat, not +: every open names its segments and hints (and the first roll its
    // temporary MANIFEST), and in a fresh JVM the first + of each shape bootstraps StringConcatFactory
    // (invokedynamic), spinning method-handle classes for the JIT to compile (docs/benchmarks.md, YCSB, session 11).

    /**
     * The folder, beside a database, where repair moves what it sets aside: {@code damaged-} and the UTC time, with
     * {@code -attempt} from the second name tried on (attempt 1 has none), for repairs within one millisecond.
     */
    public static String damagedFolder(Instant at, int attempt) {
        String name = "damaged-".concat(DAMAGED_STAMP.format(at));
        return attempt == 1 ? name : name.concat("-").concat(Integer.toString(attempt));
    }

    public static String segment(long id) {
        return padded(id).concat(SEGMENT_SUFFIX);
    }

    public static String hint(long id) {
        return padded(id).concat(HINT_SUFFIX);
    }

    /**
     * {@code id} in decimal, zero-padded to {@link #ID_DIGITS} digits (as {@code %010d}; longer ids are not cut).
     * Not String.format: its first call loads the formatter, regular expressions and locale data, several
     * milliseconds of every open in a fresh JVM.
     */
    private static String padded(long id) {
        String digits = Long.toString(id);
        if (id < 0 || digits.length() >= ID_DIGITS) {
            return id < 0 ? String.format("%0" + ID_DIGITS + "d", id) : digits;
        }
        return "0".repeat(ID_DIGITS - digits.length()).concat(digits);
    }

    /** The name a file is written under before it is renamed to {@code name}. */
    public static String temporary(String name) {
        return name.concat(TMP_SUFFIX);
    }

    public static boolean isTemporary(String name) {
        return name.endsWith(TMP_SUFFIX);
    }

    public static boolean isHint(String name) {
        return parseId(name, HINT_SUFFIX) >= 0;
    }

    /** The id in a segment file name, or -1 if the name is not a segment's. */
    public static long segmentId(String name) {
        return parseId(name, SEGMENT_SUFFIX);
    }

    private static long parseId(String name, String suffix) {
        if (!name.endsWith(suffix) || name.length() != ID_DIGITS + suffix.length()) {
            return -1;
        }
        for (int i = 0; i < ID_DIGITS; i++) {
            if (name.charAt(i) < '0' || name.charAt(i) > '9') {
                return -1;
            }
        }
        return Long.parseLong(name.substring(0, ID_DIGITS));
    }

    /** Up to ten of the file names {@code names}, and how many more there are, for a message. */
    public static String listing(List<String> names) {
        int shown = Math.min(names.size(), 10);
        String list = String.join(", ", names.subList(0, shown));
        return names.size() > shown ? list + " and " + (names.size() - shown) + " more" : list;
    }
}
