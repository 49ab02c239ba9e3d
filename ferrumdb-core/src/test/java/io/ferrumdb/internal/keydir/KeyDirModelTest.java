package io.ferrumdb.internal.keydir;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The key directory against a {@code TreeMap} model (locations and order): random puts with
 * and without TTL, removes, compare-and-set relocations, TTL purges, flusher merges and range scans in both
 * directions, from a tiny key alphabet (0x00, 0x7F, 0x80, 0xFF) so keys collide and prefix each other, with a
 * starting size that forces growth.
 */
class KeyDirModelTest {
    private sealed interface Op {
    }

    private record Put(byte[] key, long expiresAt) implements Op {
    }

    private record Remove(byte[] key) implements Op {
    }

    private record Relocate(byte[] key, boolean stale) implements Op {
    }

    private record Purge(long now) implements Op {
    }

    private record Merge() implements Op {
    }

    private record Scan(byte[] from, byte[] to, boolean descending) implements Op {
    }

    /** Keys over a tiny alphabet, so that they collide and prefix each other (also {@link KeyDirStagingTest}'s). */
    /**
     * A small directory of the kind the flags ask for: ordered, hash-only with its keys in memory, or hash-only with
     * its keys only in {@code records} (never ordered: an ordered directory keeps its keys).
     */
    static KeyDir directoryUnderTest(boolean ordered, boolean keysInLog, MapRecords records) {
        if (!keysInLog || ordered) {
            return new KeyDir(ordered, 2);
        }
        KeyDir dir = KeyDir.keysInLog(2, 0);
        new KeyDirLoader(dir).finish();
        dir.keysInRecords(records);
        return dir;
    }

    static Arbitrary<byte[]> keys() {
        return Arbitraries.of((byte) 0x00, (byte) 0x7F, (byte) 0x80, (byte) 0xFF).list().ofMaxSize(4)
                .map(l -> {
                    byte[] b = new byte[l.size()];
                    for (int i = 0; i < b.length; i++) {
                        b[i] = l.get(i);
                    }
                    return b;
                });
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Op> op = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Combinators.combine(keys(), Arbitraries.of(0L, 0L, 50L, 150L, 400L))
                        .as(Put::new)),
                net.jqwik.api.Tuple.of(3, keys().map(Remove::new)),
                net.jqwik.api.Tuple.of(2, Combinators.combine(keys(), Arbitraries.of(true, false)).as(Relocate::new)),
                net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(0, 500).map(Purge::new)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(new Merge())),
                net.jqwik.api.Tuple.of(2, Combinators.combine(keys().injectNull(0.3), keys().injectNull(0.3),
                        Arbitraries.of(true, false)).as(Scan::new)));
        return op.list().ofMaxSize(300);
    }

    private static final class Model {
        final NavigableMap<byte[], Location> entries = new TreeMap<>(Arrays::compareUnsigned);
    }

    /**
     * With {@code keysInLog} (hash-only only), the directory keeps no keys and compares them with "records" in a
     * {@link MapRecords}, whose headers keep no hash bits beyond the tag.
     */
    @Property(tries = 200)
    void keyDirBehavesLikeTheModel(@ForAll("ops") List<Op> ops, @ForAll boolean ordered,
            @ForAll boolean buildFirst, @ForAll boolean keysInLog) {
        MapRecords records = new MapRecords();
        KeyDir dir = directoryUnderTest(ordered, keysInLog, records);
        Model model = new Model();
        if (buildFirst) {
            dir.buildOrderedIndex();
        }
        long sequence = 0;
        for (Op op : ops) {
            if (op instanceof Put p) {
                Location l = new Location(1, ++sequence * 10, 10, p.expiresAt());
                // The record, and where a relocation would copy it.
                records.put(1, l.offset(), p.key());
                records.put(2, l.offset(), p.key());
                Location prev = dir.put(new Key(p.key().clone()), l);
                assertThat(prev).isEqualTo(model.entries.put(p.key(), l));
            } else if (op instanceof Remove r) {
                assertThat(dir.remove(new Key(r.key().clone()))).isEqualTo(model.entries.remove(r.key()));
            } else if (op instanceof Relocate r) {
                Location current = model.entries.get(r.key());
                Location expected = current == null || !r.stale() ? current
                        : new Location(current.segmentId(), current.offset() + 1, current.recordSize(),
                                current.expiresAt());
                Location to = current == null ? new Location(2, 0, 10, 0)
                        : new Location(2, current.offset(), current.recordSize(), current.expiresAt());
                boolean moved = expected != null
                        && new CompactionView(dir).relocate(new Key(r.key().clone()), expected, to);
                assertThat(moved).isEqualTo(current != null && !r.stale());
                if (moved) {
                    model.entries.put(r.key(), to);
                }
            } else if (op instanceof Purge p) {
                List<Location> removed = new ArrayList<>();
                dir.purgeExpired(p.now(), removed::add);
                List<Location> expected = new ArrayList<>();
                model.entries.entrySet().removeIf(e -> {
                    if (e.getValue().isExpired(p.now())) {
                        expected.add(e.getValue());
                        return true;
                    }
                    return false;
                });
                assertThat(removed).containsExactlyInAnyOrderElementsOf(expected);
            } else if (op instanceof Merge) {
                dir.applyQueuedOrderedChanges();
            } else if (op instanceof Scan s && ordered) {
                if (!buildFirst) {
                    dir.buildOrderedIndex();
                    buildFirst = true;
                }
                NavigableMap<byte[], Location> view = model.entries;
                if (s.from() != null && s.to() != null) {
                    view = Arrays.compareUnsigned(s.from(), s.to()) < 0
                            ? view.subMap(s.from(), true, s.to(), false) : Collections.emptyNavigableMap();
                } else if (s.from() != null) {
                    view = view.tailMap(s.from(), true);
                } else if (s.to() != null) {
                    view = view.headMap(s.to(), false);
                }
                List<byte[]> expected = new ArrayList<>((s.descending() ? view.descendingMap() : view).keySet());
                List<byte[]> actual = new ArrayList<>();
                dir.orderedScan(s.from(), s.to(), s.descending()).keys().forEachRemaining(k -> actual.add(k.bytes()));
                assertThat(actual).containsExactlyElementsOf(expected);
            }
            assertThat(dir.size()).isEqualTo(model.entries.size());
        }
        for (Map.Entry<byte[], Location> e : model.entries.entrySet()) {
            assertThat(dir.get(new Key(e.getKey().clone()))).isEqualTo(e.getValue());
        }
        for (byte[] k : List.of(new byte[] {1}, new byte[] {0x7F, 0x7F, 0x7F, 0x7F, 0x7F})) {
            assertThat(dir.get(new Key(k))).isEqualTo(model.entries.get(k));
        }
        List<byte[]> all = new ArrayList<>();
        dir.entries().forEachRemaining(e -> all.add(e.getKey().bytes()));
        all.sort(Arrays::compareUnsigned);
        assertThat(all).containsExactlyElementsOf(model.entries.keySet());
    }
}
