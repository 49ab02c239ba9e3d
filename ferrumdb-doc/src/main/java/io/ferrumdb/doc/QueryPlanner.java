package io.ferrumdb.doc;

import io.ferrumdb.KeyRange;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Chooses index lookups for a filter. An access yields a superset of the matching documents' ids; the executor
 * checks every candidate against the whole filter, so a plan only has to be complete, never exact:
 * <ul>
 *   <li>eq / in / startsWith / between / a range on an indexed path: the key ranges of those values;</li>
 *   <li>and: the cheapest of its conjuncts' accesses (the others are checked on the documents). Ranges on the same
 *   path are not intersected: with arrays, {@code gt(a, 5)} and {@code lt(a, 3)} can hold through different
 *   elements of one document;</li>
 *   <li>or: the union of its branches' accesses when every branch has one, else a scan;</li>
 *   <li>not, ne, exists, all: a scan (objects and arrays are not indexed, and a negation matches documents that
 *   have no index entry at all).</li>
 * </ul>
 */
final class QueryPlanner {
    private static final int UNIQUE_EQ = 1;
    private static final int EQ = 2;
    private static final int IN = 3;
    private static final int BOUNDED = 4;
    private static final int RANGE = 5;

    /** Key ranges of index entries whose ids are the candidates, cheaper when {@code cost} is lower. */
    record Access(List<KeyRange> ranges, Set<String> indexes, String detail, int cost) {
    }

    private final Map<FieldPath, IndexDef> indexes;

    QueryPlanner(Map<FieldPath, IndexDef> indexes) {
        this.indexes = indexes;
    }

    /** The access for {@code filter}, or null when it must scan. */
    Access access(Filter filter) {
        if (filter instanceof Filter.Eq eq) {
            IndexDef def = indexes.get(eq.path);
            return def == null ? null : single(def, List.of(Keys.prefix(def.entryPrefix, eq.encoded)), eq,
                    def.unique ? UNIQUE_EQ : EQ);
        }
        if (filter instanceof Filter.In in) {
            IndexDef def = indexes.get(in.path);
            if (def == null) {
                return null;
            }
            Set<byte[]> distinct = new TreeSet<>(java.util.Arrays::compareUnsigned);
            distinct.addAll(in.encoded);
            List<KeyRange> ranges = distinct.stream().map(v -> Keys.prefix(def.entryPrefix, v)).toList();
            return single(def, ranges, in, IN);
        }
        if (filter instanceof Filter.StartsWith sw) {
            IndexDef def = indexes.get(sw.path);
            return def == null ? null : single(def, List.of(Keys.prefix(def.entryPrefix, sw.encodedPrefix)), sw,
                    BOUNDED);
        }
        if (filter instanceof Filter.Between b) {
            IndexDef def = indexes.get(b.path);
            return def == null ? null : single(def, List.of(KeyRange.closedOpen(Keys.concat(def.entryPrefix, b.from),
                    Keys.concat(def.entryPrefix, b.to))), b, BOUNDED);
        }
        if (filter instanceof Filter.Range r) {
            IndexDef def = indexes.get(r.path);
            return def == null ? null : single(def, List.of(range(def, r)), r, RANGE);
        }
        if (filter instanceof Filter.And and) {
            Access best = null;
            for (Filter f : and.filters) {
                Access a = access(f);
                if (a != null && (best == null || a.cost() < best.cost())) {
                    best = a;
                }
            }
            return best;
        }
        if (filter instanceof Filter.Or or) {
            List<KeyRange> ranges = new ArrayList<>();
            Set<String> used = new LinkedHashSet<>();
            List<String> details = new ArrayList<>();
            int cost = 0;
            for (Filter f : or.filters) {
                Access a = access(f);
                if (a == null) {
                    return null;
                }
                ranges.addAll(a.ranges());
                used.addAll(a.indexes());
                details.add(a.detail());
                cost += a.cost();
            }
            String detail = details.isEmpty() ? "or() of nothing matches no document"
                    : details.stream().collect(Collectors.joining("; ", "union of: ", ""));
            return new Access(ranges, used, detail, cost);
        }
        return null;
    }

    /** Why {@code filter} scans, for {@link QueryPlan#detail()}. */
    String scanReason(Filter filter) {
        Set<String> paths = new TreeSet<>();
        collectPaths(filter, paths);
        if (paths.isEmpty()) {
            return "full scan: " + filter + " names no path";
        }
        Set<String> indexed = paths.stream().filter(p -> indexes.containsKey(FieldPath.parse(p)))
                .collect(Collectors.toCollection(TreeSet::new));
        if (indexed.isEmpty()) {
            return "full scan: no index on " + paths.stream().map(p -> "'" + p + "'")
                    .collect(Collectors.joining(", "));
        }
        return "full scan: " + filter + " has no indexable condition (not, ne, exists, and an or with a branch "
                + "that has no index are evaluated on every document)";
    }

    private static void collectPaths(Filter filter, Set<String> paths) {
        if (filter instanceof Filter.OnPath f) {
            paths.add(f.path.text());
        } else if (filter instanceof Filter.Not f) {
            collectPaths(f.filter, paths);
        } else if (filter instanceof Filter.Junction f) {
            f.filters.forEach(c -> collectPaths(c, paths));
        }
    }

    private static Access single(IndexDef def, List<KeyRange> ranges, Filter filter, int cost) {
        return new Access(ranges, Set.of(def.path.text()), filter + " on index '" + def.path + "'", cost);
    }

    /** The entries whose value is of the operand's kind and on the operand's side of it. */
    private static KeyRange range(IndexDef def, Filter.Range r) {
        byte[] p = def.entryPrefix;
        byte[] kindStart = Keys.concat(p, new byte[] {r.kind.firstTag});
        byte[] kindEnd = Keys.concat(p, new byte[] {(byte) (r.kind.lastTag + 1)});
        byte[] at = Keys.concat(p, r.encoded);
        return switch (r.op) {
            case GT -> KeyRange.closedOpen(Keys.after(at), kindEnd);
            case GTE -> KeyRange.closedOpen(at, kindEnd);
            case LT -> KeyRange.closedOpen(kindStart, at);
            case LTE -> KeyRange.closedOpen(kindStart, Keys.after(at));
        };
    }
}
