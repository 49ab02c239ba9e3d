package io.ferrumdb;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Test oracle for crash campaigns: a sequence of atomic mutations and the model states they lead to. Keys and
 * values are kept as lowercase hex strings, whose natural order equals unsigned lexicographic byte order.
 */
final class History {
    static final HexFormat HEX = HexFormat.of();

    /** One put (value non-null) or delete (value null) of an atomic mutation. */
    record Change(byte[] key, byte[] value) {
    }

    /** What one call of the public API did: a put, a delete, or a batch of several changes. */
    record Mutation(List<Change> changes, boolean batch) {
        void applyTo(FerrumDB db) {
            if (batch) {
                WriteBatch wb = new WriteBatch();
                for (Change c : changes) {
                    if (c.value() == null) {
                        wb.delete(c.key());
                    } else {
                        wb.put(c.key(), c.value());
                    }
                }
                db.write(wb);
            } else if (changes.get(0).value() == null) {
                db.delete(changes.get(0).key());
            } else {
                db.put(changes.get(0).key(), changes.get(0).value());
            }
        }

        void applyTo(TreeMap<String, String> model) {
            for (Change c : changes) {
                if (c.value() == null) {
                    model.remove(HEX.formatHex(c.key()));
                } else {
                    model.put(HEX.formatHex(c.key()), HEX.formatHex(c.value()));
                }
            }
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(batch ? "batch[" : "");
            for (Change c : changes) {
                sb.append(c.value() == null ? "del " : "put ").append(HEX.formatHex(c.key()))
                        .append(c.value() == null ? "" : "=" + c.value().length + "B").append(batch ? "; " : "");
            }
            return sb.append(batch ? "]" : "").toString();
        }
    }

    private History() {
    }

    /** Every key and value of the database, read through an ordered scan. */
    static TreeMap<String, String> dump(FerrumDB db) {
        TreeMap<String, String> out = new TreeMap<>();
        try (RangeIterator it = db.iterate(KeyRange.all())) {
            while (it.hasNext()) {
                KeyValue kv = it.next();
                String previous = out.put(HEX.formatHex(kv.key()), HEX.formatHex(kv.value()));
                if (previous != null) {
                    throw new AssertionError("scan returned key " + HEX.formatHex(kv.key()) + " twice");
                }
            }
        }
        return out;
    }

    /**
     * The smallest k in [min, mutations.size()] such that {@code start} with the first k mutations applied equals
     * {@code actual}, or -1 if there is none.
     */
    static int matchingPrefix(Map<String, String> start, List<Mutation> mutations, Map<String, String> actual,
                              int min) {
        TreeMap<String, String> state = new TreeMap<>(start);
        for (int k = 0; k <= mutations.size(); k++) {
            if (k >= min && state.equals(actual)) {
                return k;
            }
            if (k < mutations.size()) {
                mutations.get(k).applyTo(state);
            }
        }
        return -1;
    }

    /**
     * How {@code actual} differs from {@code expected}, key by key (missing, extra, other value with both lengths):
     * short enough to lead a failure message, which CI logs may cut.
     */
    static String diff(Map<String, String> expected, Map<String, String> actual) {
        StringBuilder sb = new StringBuilder();
        TreeMap<String, String> all = new TreeMap<>(expected);
        all.putAll(actual);
        for (String key : all.keySet()) {
            String want = expected.get(key);
            String got = actual.get(key);
            if (want == null) {
                sb.append("extra ").append(key).append('=').append(got.length() / 2).append("B; ");
            } else if (got == null) {
                sb.append("missing ").append(key).append('=').append(want.length() / 2).append("B; ");
            } else if (!want.equals(got)) {
                sb.append("other ").append(key).append(": ").append(got.length() / 2).append("B instead of ")
                        .append(want.length() / 2).append("B; ");
            }
        }
        return sb.length() == 0 ? "none" : sb.toString();
    }

    /** The keys whose values differ between the two states (present in one only, or with other values). */
    static java.util.Set<String> differingKeys(Map<String, String> a, Map<String, String> b) {
        java.util.Set<String> keys = new java.util.TreeSet<>(a.keySet());
        keys.addAll(b.keySet());
        keys.removeIf(k -> java.util.Objects.equals(a.get(k), b.get(k)));
        return keys;
    }

    static TreeMap<String, String> after(Map<String, String> start, List<Mutation> mutations, int k) {
        TreeMap<String, String> state = new TreeMap<>(start);
        mutations.subList(0, k).forEach(m -> m.applyTo(state));
        return state;
    }

    /** A small key space with 0x00 and 0xFF bytes, the empty key, and prefixes of other keys. */
    static List<byte[]> keySpace(Random r, int n) {
        List<byte[]> keys = new ArrayList<>();
        keys.add(new byte[0]);
        keys.add(new byte[] {0});
        keys.add(new byte[] {(byte) 0xFF});
        keys.add(new byte[] {(byte) 0xFF, 0});
        keys.add(new byte[] {0, (byte) 0xFF, 0});
        while (keys.size() < n) {
            byte[] k = new byte[1 + r.nextInt(12)];
            r.nextBytes(k);
            keys.add(k);
        }
        return keys;
    }

    /** A random put, delete or batch over {@code keys}; values up to {@code maxValue} bytes. */
    static Mutation randomMutation(Random r, List<byte[]> keys, int maxValue) {
        int kind = r.nextInt(10);
        if (kind < 6) {
            return new Mutation(List.of(new Change(pick(r, keys), value(r, maxValue))), false);
        }
        if (kind < 8) {
            return new Mutation(List.of(new Change(pick(r, keys), null)), false);
        }
        List<Change> changes = new ArrayList<>();
        int n = 2 + r.nextInt(5);
        for (int i = 0; i < n; i++) {
            changes.add(new Change(pick(r, keys), r.nextInt(4) == 0 ? null : value(r, maxValue)));
        }
        return new Mutation(changes, true);
    }

    private static byte[] pick(Random r, List<byte[]> keys) {
        return keys.get(r.nextInt(keys.size()));
    }

    static byte[] value(Random r, int maxValue) {
        byte[] v = new byte[r.nextInt(maxValue + 1)];
        r.nextBytes(v);
        return v;
    }
}
