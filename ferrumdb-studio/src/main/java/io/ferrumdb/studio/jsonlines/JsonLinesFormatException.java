package io.ferrumdb.studio.jsonlines;

/**
 * A line of a JSON Lines import that is not a valid record. Every record before it was imported (and is in the
 * database), nothing from this line on; the message says so with the counts.
 */
public final class JsonLinesFormatException extends RuntimeException {
    private final long line;
    private final String reason;
    private final long importedBefore;
    private final long expiredBefore;

    JsonLinesFormatException(long line, String reason, long importedBefore, long expiredBefore) {
        super("line " + line + ": " + reason + "; " + importedBefore + " record(s) before it were imported"
                + (expiredBefore > 0 ? " (" + expiredBefore + " expired skipped)" : "") + ", nothing from this line on");
        this.line = line;
        this.reason = reason;
        this.importedBefore = importedBefore;
        this.expiredBefore = expiredBefore;
    }

    /** The 1-based line number of the bad record. */
    public long line() {
        return line;
    }

    /** What is wrong with the line, without the line number and counts. */
    public String reason() {
        return reason;
    }

    /** Records imported from the lines before it. */
    public long importedBefore() {
        return importedBefore;
    }

    /** Records before it that were skipped because they had expired. */
    public long expiredBefore() {
        return expiredBefore;
    }
}
