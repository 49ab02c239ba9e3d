package io.ferrumdb.doc;

import java.util.List;

/**
 * How a query runs, from {@link DocumentCollection#explain(Filter)}: through one or more index lookups (whose
 * candidates are then checked against the whole filter) or by scanning every document of the collection.
 *
 * @param usesIndex whether the query reads index entries instead of scanning
 * @param indexes   the paths of the indexes it reads, empty for a scan
 * @param detail    what is looked up ("eq(age, 36) on index 'age'") or why it scans ("no index on 'name'")
 * @param filter    the filter, as text
 */
public record QueryPlan(boolean usesIndex, List<String> indexes, String detail, String filter) {
    public QueryPlan {
        indexes = List.copyOf(indexes);
    }

    @Override
    public String toString() {
        return (usesIndex ? "INDEX " : "SCAN ") + detail;
    }
}
