package io.ferrumdb.doc;

import java.util.Optional;

/**
 * Sorting and paging of a {@link DocumentCollection#find(Filter, FindOptions) find}. Immutable; each method
 * returns a new instance: {@code FindOptions.defaults().sortBy("age", Order.DESCENDING).offset(20).limit(10)}.
 *
 * <p>Without a sort, results come in id order (Unicode code-point order). Sorting on a path orders documents by
 * its values as {@link Filter} compares them, kinds ordered null &lt; booleans &lt; numbers &lt; strings; a
 * document with several values at the path (an array) sorts by its smallest value ascending and its largest
 * descending; documents with no scalar value there come first ascending and last descending. Ties are broken by
 * id, ascending, so paging is stable.
 */
public final class FindOptions {
    public enum Order { ASCENDING, DESCENDING }

    private static final FindOptions DEFAULTS = new FindOptions(null, Order.ASCENDING, 0, Integer.MAX_VALUE);

    private final FieldPath sortPath;
    private final Order order;
    private final int offset;
    private final int limit;

    private FindOptions(FieldPath sortPath, Order order, int offset, int limit) {
        this.sortPath = sortPath;
        this.order = order;
        this.offset = offset;
        this.limit = limit;
    }

    /** No sort (id order), no offset, no limit. */
    public static FindOptions defaults() {
        return DEFAULTS;
    }

    public FindOptions sortBy(String path) {
        return sortBy(path, Order.ASCENDING);
    }

    public FindOptions sortBy(String path, Order order) {
        if (order == null) {
            throw new IllegalArgumentException("sort order must not be null");
        }
        return new FindOptions(FieldPath.parse(path), order, offset, limit);
    }

    /** Skips the first {@code offset} results. */
    public FindOptions offset(int offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("offset must not be negative, got " + offset);
        }
        return new FindOptions(sortPath, order, offset, limit);
    }

    /** Returns at most {@code limit} results. */
    public FindOptions limit(int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative, got " + limit);
        }
        return new FindOptions(sortPath, order, offset, limit);
    }

    public Optional<String> sortPath() {
        return Optional.ofNullable(sortPath).map(FieldPath::text);
    }

    public Order order() {
        return order;
    }

    public int offset() {
        return offset;
    }

    public int limit() {
        return limit;
    }

    FieldPath sortFieldPath() {
        return sortPath;
    }

    @Override
    public String toString() {
        return "FindOptions{sort=" + (sortPath == null ? "id" : sortPath + " " + order) + ", offset=" + offset
                + ", limit=" + (limit == Integer.MAX_VALUE ? "none" : limit) + "}";
    }
}
