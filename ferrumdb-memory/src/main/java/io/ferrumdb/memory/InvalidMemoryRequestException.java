package io.ferrumdb.memory;

/**
 * A remember, recall or forget request that breaks a rule of {@link MemoryLimits}: the message names the field,
 * what was wrong and the limit, in words an agent can act on.
 */
public final class InvalidMemoryRequestException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String field;

    public InvalidMemoryRequestException(String field, String problem) {
        super(field + ": " + problem);
        this.field = field;
    }

    /** The request field at fault, e.g. {@code "text"} or {@code "tags[2]"}. */
    public String field() {
        return field;
    }
}
