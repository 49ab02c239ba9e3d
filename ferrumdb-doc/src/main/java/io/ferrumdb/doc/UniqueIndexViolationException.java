package io.ferrumdb.doc;

import io.ferrumdb.FerrumException;

/**
 * A write (or the creation of a unique index) would give two documents the same value on a unique index.
 * Nothing was written.
 */
public class UniqueIndexViolationException extends FerrumException {
    private static final long serialVersionUID = 1L;
    /** Longest part of the duplicated value the message shows. */
    static final int SHOWN_VALUE_CHARS = 100;

    private final String collection;
    private final String path;
    private final String value;
    private final String existingId;
    private final String conflictingId;

    public UniqueIndexViolationException(String collection, String path, String value, String existingId,
            String conflictingId) {
        super("unique index '" + path + "' of collection '" + collection + "' already has the value " + shown(value)
                + " in document '" + existingId + "', so document '" + conflictingId + "' cannot have it");
        this.collection = collection;
        this.path = path;
        this.value = value;
        this.existingId = existingId;
        this.conflictingId = conflictingId;
    }

    public String collection() {
        return collection;
    }

    /** The indexed path. */
    public String path() {
        return path;
    }

    /** The duplicated value, as JSON. */
    public String value() {
        return value;
    }

    /** The document that already holds the value. */
    public String existingId() {
        return existingId;
    }

    /** The document that was refused. */
    public String conflictingId() {
        return conflictingId;
    }

    /** The value for the message: an indexed value may be kilobytes long, so a long one is cut and its size told. */
    private static String shown(String value) {
        if (value.length() <= SHOWN_VALUE_CHARS) {
            return value;
        }
        // Never half a surrogate pair, which would print as a replacement character.
        int end = Character.isHighSurrogate(value.charAt(SHOWN_VALUE_CHARS - 1)) ? SHOWN_VALUE_CHARS - 1
                : SHOWN_VALUE_CHARS;
        return value.substring(0, end) + "... (" + value.length() + " characters)";
    }
}
