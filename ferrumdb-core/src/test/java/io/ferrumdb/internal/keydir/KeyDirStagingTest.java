package io.ferrumdb.internal.keydir;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The key directory with staged keys ({@link KeyDir#stageNewKeys}): against a {@code TreeMap} model, the puts
 * through the log writer's call (staged when they have no TTL), and what else changes or reads the directory between
 * drains; and lock-free readers that must find every key once its put returned, while drains and growth run.
 */
class KeyDirStagingTest {
    private sealed interface Op {
    }

    /** A put as the log writer applies it, into the active segment. */
    private record Put(byte[] key, long expiresAt) implements Op {
    }

    private record Remove(byte[] key) implements Op {
    }

    /** Compaction's compare-and-set, of a key whose record is in a sealed segment. */
    private record Relocate(byte[] key) implements Op {
    }

    /** The writer rolls: staged keys drain, the active segment is sealed and a new one starts. */
    private record Roll() implements Op {
    }

    private record Get(byte[] key) implements Op {
    }

    private record Size() implements Op {
    }

    private record Purge(long now) implements Op {
    }

    private record Scan(byte[] from, boolean descending) implements Op {
    }

    private static Arbitrary<byte[]> keys() {
        // Few keys, so that puts replace staged and drained entries; lengths up to past what the stage keeps.
        Arbitrary<byte[]> small = KeyDirModelTest.keys();
        Arbitrary<byte[]> large = Arbitraries.integers().between(0, 3).map(i -> {
            byte[] k = new byte[StagedKeys.MAX_KEY + 1];
            k[0] = (byte) (int) i;
            return k;
        });
        return Arbitraries.frequencyOf(Tuple.of(12, small), Tuple.of(1, large));
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Op> op = Arbitraries.frequencyOf(
                Tuple.of(12, Combinators.combine(keys(), Arbitraries.of(0L, 0L, 0L, 0L, 0L, 150L)).as(Put::new)),
                Tuple.of(2, keys().map(Remove::new)),
                Tuple.of(2, keys().map(Relocate::new)),
                Tuple.of(1, Arbitraries.just(new Roll())),
                Tuple.of(6, keys().map(Get::new)),
                Tuple.of(1, Arbitraries.just(new Size())),
                Tuple.of(1, Arbitraries.longs().between(0, 300).map(Purge::new)),
                Tuple.of(1, Combinators.combine(keys().injectNull(0.3), Arbitraries.of(true, false))
                        .as(Scan::new)));
        return op.list().ofMaxSize(400);
    }

    /**
     * Record sizes are unique (the put's number), so the entries a directory reports replaced by puts, in a put's
     * answer or by a drain, name the records the model's puts replaced.
     */
    @Property(tries = 200)
    void stagedDirectoryBehavesLikeTheModel(@ForAll("ops") List<Op> ops, @ForAll boolean ordered,
                                            @ForAll boolean keysInLog) {
        MapRecords records = new MapRecords();
        KeyDir dir = KeyDirModelTest.directoryUnderTest(ordered, keysInLog, records);
        if (ordered) {
            dir.buildOrderedIndex();
        }
        List<Long> released = new ArrayList<>();
        dir.stageNewKeys(Runnable::run, released::add);
        NavigableMap<byte[], Location> model = new TreeMap<>(Arrays::compareUnsigned);
        List<Long> replaced = new ArrayList<>();
        int active = 1;
        int sealedCopies = 1_000;
        int n = 0;
        for (Op op : ops) {
            if (op instanceof Put p) {
                Location l = new Location(active, ++n * 10L, n, p.expiresAt());
                records.put(active, l.offset(), p.key());
                long previous = dir.put(p.key().clone(), 0, p.key().length, l.segmentId(), l.offset(),
                        l.recordSize(), l.expiresAt());
                if (previous != KeyDir.ABSENT) {
                    released.add(previous);
                }
                Location old = model.put(p.key(), l);
                if (old != null) {
                    replaced.add(packed(old));
                }
            } else if (op instanceof Remove r) {
                assertThat(dir.remove(r.key(), 0, r.key().length)).isEqualTo(model.remove(r.key()));
            } else if (op instanceof Relocate r) {
                Location current = model.get(r.key());
                if (current != null && current.segmentId() < active) {
                    Location to = new Location(sealedCopies++, current.offset(), current.recordSize(),
                            current.expiresAt());
                    records.put(to.segmentId(), to.offset(), r.key());
                    assertThat(new CompactionView(dir).relocate(new Key(r.key().clone()), current, to)).isTrue();
                    model.put(r.key(), to);
                }
            } else if (op instanceof Roll) {
                dir.drainBeforeRoll();
                active++;
            } else if (op instanceof Get g) {
                assertThat(dir.get(new Key(g.key().clone()))).isEqualTo(model.get(g.key()));
                SlotProbe p = new SlotProbe();
                assertThat(dir.find(g.key().clone(), p)).isEqualTo(model.containsKey(g.key()));
                if (model.containsKey(g.key())) {
                    assertThat(p.location()).isEqualTo(model.get(g.key()));
                    SlotProbe c = new SlotProbe();
                    boolean found = dir.firstCandidate(g.key().clone(), c);
                    while (found && !(c.location().equals(model.get(g.key())) && dir.isKey(g.key(), c))) {
                        found = dir.nextCandidate(c);
                    }
                    assertThat(found).as("a candidate probe reaches the key's entry").isTrue();
                }
            } else if (op instanceof Size) {
                assertThat(dir.size()).isEqualTo(model.size());
            } else if (op instanceof Purge p) {
                List<Location> removed = new ArrayList<>();
                dir.purgeExpired(p.now(), removed::add);
                List<Location> expected = new ArrayList<>();
                model.entrySet().removeIf(e -> {
                    if (e.getValue().isExpired(p.now())) {
                        expected.add(e.getValue());
                        return true;
                    }
                    return false;
                });
                assertThat(removed).containsExactlyInAnyOrderElementsOf(expected);
            } else if (op instanceof Scan s && ordered) {
                NavigableMap<byte[], Location> view = s.from() == null ? model : model.tailMap(s.from(), true);
                List<byte[]> expected = new ArrayList<>((s.descending() ? view.descendingMap() : view).keySet());
                List<byte[]> actual = new ArrayList<>();
                dir.orderedScan(s.from(), null, s.descending()).keys().forEachRemaining(k -> actual.add(k.bytes()));
                assertThat(actual).containsExactlyElementsOf(expected);
            }
        }
        for (Map.Entry<byte[], Location> e : model.entrySet()) {
            assertThat(dir.get(new Key(e.getKey().clone()))).isEqualTo(e.getValue());
        }
        List<byte[]> all = new ArrayList<>();
        dir.entries().forEachRemaining(e -> all.add(e.getKey().bytes()));
        all.sort(Arrays::compareUnsigned);
        assertThat(all).containsExactlyElementsOf(model.keySet());
        assertThat(dir.size()).isEqualTo(model.size());
        Collections.sort(released);
        Collections.sort(replaced);
        assertThat(released).as("entries reported replaced: the segments' live bytes").isEqualTo(replaced);
    }

    private static long packed(Location l) {
        return (long) l.segmentId() << 32 | l.recordSize();
    }

    private static final int KEYS = 200_000;

    private static byte[] key(int i) {
        return new byte[] {(byte) (i >>> 24), (byte) (i >>> 16), (byte) (i >>> 8), (byte) i, 42};
    }

    /**
     * One writer puts keys 0, 1, ... from an empty directory (so the table grows several times), then puts each
     * again; readers check meanwhile that every key whose put returned is found, at that put's record or a newer
     * one, by {@code get}, {@code find} and the candidate probe, while drains (a full stage, {@code size} from a
     * reader, rolls) move keys from the stage into the table.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aKeyOncePutIsAlwaysFoundDuringDrains() throws Exception {
        KeyDir dir = new KeyDir(true, 16);
        dir.buildOrderedIndex();
        ReentrantLock writerLock = new ReentrantLock();
        dir.stageNewKeys(drain -> {
            writerLock.lock();
            try {
                drain.run();
            } finally {
                writerLock.unlock();
            }
        }, previous -> { });
        // Keys below done[0] have their first record, keys below done[1] their second.
        AtomicReference<int[]> done = new AtomicReference<>(new int[] {0, 0});
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            int seed = r;
            Thread t = new Thread(() -> {
                java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
                SlotProbe p = new SlotProbe();
                try {
                    for (int check = 0; !stop.get(); check++) {
                        int[] d = done.get();
                        if (d[0] == 0) {
                            continue;
                        }
                        int i = rnd.nextInt(d[0]);
                        byte[] k = key(i);
                        long first = 10L * i;
                        long second = 10L * (KEYS + i);
                        long least = i < d[1] ? second : first;
                        Location l = dir.get(new Key(k));
                        assertThat(l).as("key %d", i).isNotNull();
                        assertThat(l.offset()).as("key %d", i).isIn(first, second).isGreaterThanOrEqualTo(least);
                        assertThat(dir.find(k, p)).isTrue();
                        assertThat(p.offset()).isIn(first, second).isGreaterThanOrEqualTo(least);
                        assertThat(dir.firstCandidate(k, p)).isTrue();
                        if (check % 1_000 == 0) {
                            assertThat(dir.size()).isGreaterThanOrEqualTo(d[0]);
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }, "reader-" + r);
            t.start();
            readers.add(t);
        }
        try {
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < KEYS; i++) {
                    byte[] k = key(i);
                    long offset = 10L * (round * KEYS + i);
                    writerLock.lock();
                    try {
                        dir.put(k, 0, k.length, 1, offset, 10, 0);
                        if (i % 10_007 == 0) {
                            dir.drainBeforeRoll();
                        }
                    } finally {
                        writerLock.unlock();
                    }
                    int[] d = done.get();
                    done.set(round == 0 ? new int[] {i + 1, 0} : new int[] {d[0], i + 1});
                    if (!failures.isEmpty()) {
                        break;
                    }
                }
            }
        } finally {
            stop.set(true);
            for (Thread t : readers) {
                t.join();
            }
        }
        assertThat(failures).isEmpty();
        assertThat(dir.size()).isEqualTo(KEYS);
    }
}
