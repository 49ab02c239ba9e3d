package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Readers on other threads while one writer stages single puts, overwrites and deletes a few keys, puts with a
 * TTL and long keys (which drain the stage), segments roll every 16 KiB and a thread compacts all the while. Each
 * read is checked against the writer's history: operation {@code n} is a function of {@code n} ({@link #op}),
 * the writer publishes, per key, the number of the operation it starts and, once it returned, of the one it
 * finished. A reader notes a key's finished operation {@code a} before it reads and its started one {@code b}
 * after: the value read must be one an operation in {@code [a, b]} wrote (never older than the acknowledged
 * one, never another key's, never one not written yet), and the key may be absent only if the acknowledged
 * operation deleted it or a delete in {@code (a, b]} may have. Scans (ordered, and the hash-only key iteration)
 * note every key before they start: a key they miss must be one that could be absent, and the values they yield
 * follow the GET rule; an ordered scan yields each key once, in order, and the key iteration yields a key twice only
 * if it was deleted (and put again) meanwhile.
 */
class StagedReadersTest {
    private static final boolean SOAK = Boolean.getBoolean("ferrumdb.soak");
    private static final int SHORT_KEYS = 48;
    private static final int KEYS = SHORT_KEYS + 4;

    @TempDir
    Path dir;

    enum Kind { PUT, PUT_WITH_TTL, DELETE }

    record Op(int key, Kind kind) {
    }

    /** Operation {@code n} (from 1) of the writer. */
    static Op op(long n) {
        long z = n * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        int k = (int) Long.remainderUnsigned(z, 20);
        int key = k < 19 ? (int) Long.remainderUnsigned(z >>> 8, SHORT_KEYS) : SHORT_KEYS + (int) ((z >>> 8) & 3);
        int kind = (int) Long.remainderUnsigned(z >>> 24, 20);
        return new Op(key, kind < 3 ? Kind.DELETE : kind < 4 ? Kind.PUT_WITH_TTL : Kind.PUT);
    }

    static byte[] key(int i) {
        String k = "k" + i;
        return (i < SHORT_KEYS ? k : k + "-" + "L".repeat(64)).getBytes(StandardCharsets.UTF_8);
    }

    static int keyIndex(byte[] key) {
        String s = new String(key, StandardCharsets.UTF_8);
        int dash = s.indexOf('-');
        return Integer.parseInt(s.substring(1, dash < 0 ? s.length() : dash));
    }

    static byte[] value(int key, long n) {
        StringBuilder sb = new StringBuilder().append(key).append('#').append(n).append('#');
        sb.append("v".repeat((int) (n % 90)));
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The operation that wrote {@code value} of key {@code key}, checking the whole value. */
    static long writtenBy(int key, byte[] value) {
        String[] parts = new String(value, StandardCharsets.UTF_8).split("#", 3);
        assertThat(Integer.parseInt(parts[0])).as("value read for key %d names its key", key).isEqualTo(key);
        long n = Long.parseLong(parts[1]);
        assertThat(value).as("value of key %d written by operation %d", key, n).isEqualTo(value(key, n));
        Op op = op(n);
        assertThat(op.key() == key && op.kind() != Kind.DELETE).as("operation %d put key %d", n, key).isTrue();
        return n;
    }

    /** The writer's history as readers see it: per key, the operation finished last, and the one started last. */
    static final class Writes {
        final AtomicLongArray finished = new AtomicLongArray(KEYS);
        final AtomicLongArray started = new AtomicLongArray(KEYS);

        /** Whether key {@code key}, after its finished operation {@code a}, may be absent until operation {@code b}. */
        boolean mayBeAbsent(int key, long a, long b) {
            return a == 0 || op(a).kind() == Kind.DELETE || deletedBetween(key, a, b);
        }

        /** Whether an operation in {@code (a, b]} deletes key {@code key}. */
        boolean deletedBetween(int key, long a, long b) {
            for (long n = a + 1; n <= b; n++) {
                Op op = op(n);
                if (op.key() == key && op.kind() == Kind.DELETE) {
                    return true;
                }
            }
            return false;
        }

        /** Checks key {@code key} read as {@code value} (null: absent) between operations {@code a} and {@code b}. */
        void check(int key, byte[] value, long a, long b, String read) {
            if (value == null) {
                assertThat(mayBeAbsent(key, a, b)).as("%s: key %d absent, its operation %d (a %s) finished before",
                        read, key, a, a == 0 ? "none" : op(a).kind()).isTrue();
                return;
            }
            long n = writtenBy(key, value);
            boolean deleted = a > 0 && op(a).kind() == Kind.DELETE;
            assertThat(deleted ? n > a : n >= a).as("%s: key %d holds operation %d's value, operation %d (%s) had"
                    + " finished before", read, key, n, a, a == 0 ? "none" : op(a).kind()).isTrue();
            assertThat(n).as("%s: key %d holds the value of an operation not started", read, key)
                    .isLessThanOrEqualTo(b);
        }

        long[] finishedNow() {
            long[] a = new long[KEYS];
            for (int k = 0; k < KEYS; k++) {
                a[k] = finished.get(k);
            }
            return a;
        }
    }

    /**
     * {@code ordered}: keys in the arena; {@code hash-only}: keys compared with their records; {@code shared-headers}:
     * hash-only with no hash bits beyond the tag, so every lookup compares the records of all keys of its tag, which
     * the writer and compaction move meanwhile.
     */
    @ParameterizedTest
    @ValueSource(strings = {"ordered", "hash-only", "shared-headers"})
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void readersSeeNoValueOlderThanAcknowledgedBeforeTheyStarted(String kind) throws Exception {
        long operations = SOAK ? 1_000_000 : 40_000;
        boolean ordered = kind.equals("ordered");
        Options.Builder builder = Options.builder().segmentSize(16 << 10).fsyncPolicy(FsyncPolicy.never())
                .orderedKeys(ordered).autoCompaction(false);
        if (kind.equals("shared-headers")) {
            builder.keyHashBits(0);
        }
        Options options = builder.build();
        Writes history = new Writes();
        AtomicBoolean done = new AtomicBoolean();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            List<Thread> threads = new ArrayList<>();
            threads.add(new Thread(guarded(failures, done, () -> {
                while (!done.get()) {
                    db.compact();
                }
            }), "compactor"));
            for (int r = 0; r < 2; r++) {
                Random rnd = new Random(r);
                threads.add(new Thread(guarded(failures, done, () -> {
                    while (!done.get()) {
                        int k = rnd.nextInt(KEYS);
                        long a = history.finished.get(k);
                        byte[] v = db.get(key(k));
                        history.check(k, v, a, history.started.get(k), "get");
                    }
                }), "get-" + r));
            }
            threads.add(new Thread(guarded(failures, done, () -> {
                Random rnd = new Random(7);
                while (!done.get()) {
                    scan(db, history, ordered, rnd);
                }
            }), "scan"));
            threads.forEach(Thread::start);
            try {
                for (long n = 1; n <= operations && failures.isEmpty(); n++) {
                    Op op = op(n);
                    history.started.set(op.key(), n);
                    byte[] key = key(op.key());
                    switch (op.kind()) {
                        case DELETE -> db.delete(key);
                        case PUT_WITH_TTL -> db.put(key, value(op.key(), n), Duration.ofDays(1));
                        case PUT -> db.put(key, value(op.key(), n));
                    }
                    history.finished.set(op.key(), n);
                }
            } finally {
                done.set(true);
                for (Thread t : threads) {
                    t.join();
                }
            }
            assertThat(failures).isEmpty();
            long[] last = history.finishedNow();
            for (int k = 0; k < KEYS; k++) {
                history.check(k, db.get(key(k)), last[k], last[k], "final get");
            }
        }
    }

    /** One scan: the keys in it must follow {@link Writes#check} between the finished operations before it. */
    private static void scan(FerrumDB db, Writes history, boolean ordered, Random rnd) {
        long[] before = history.finishedNow();
        boolean[] seen = new boolean[KEYS];
        if (ordered) {
            boolean reversed = rnd.nextBoolean();
            KeyRange range = reversed ? KeyRange.all().reversed() : KeyRange.all();
            byte[] previous = null;
            try (RangeIterator it = db.iterate(range)) {
                while (it.hasNext()) {
                    KeyValue kv = it.next();
                    int k = keyIndex(kv.key());
                    assertThat(seen[k]).as("key %d twice in a scan", k).isFalse();
                    seen[k] = true;
                    if (previous != null) {
                        int cmp = Arrays.compareUnsigned(previous, kv.key());
                        assertThat(reversed ? cmp > 0 : cmp < 0).as("scan order at key %d", k).isTrue();
                    }
                    previous = kv.key();
                    history.check(k, kv.value(), before[k], history.started.get(k), "scan");
                }
            }
        } else {
            try (Stream<byte[]> keys = db.keys()) {
                keys.forEach(key -> {
                    int k = keyIndex(key);
                    // Weakly consistent: a key present throughout is seen once; one deleted and put again meanwhile
                    // may be seen at its old slot and at its new one.
                    assertThat(!seen[k] || history.deletedBetween(k, before[k], history.started.get(k)))
                            .as("key %d twice in keys(), not deleted meanwhile", k).isTrue();
                    seen[k] = true;
                });
            }
        }
        for (int k = 0; k < KEYS; k++) {
            if (!seen[k]) {
                history.check(k, null, before[k], history.started.get(k), ordered ? "scan" : "keys()");
            }
        }
    }

    private interface Body {
        void run() throws Exception;
    }

    /** {@code body}, its failure recorded and ending the test (the writer stops at the next operation). */
    private static Runnable guarded(ConcurrentLinkedQueue<Throwable> failures, AtomicBoolean done, Body body) {
        return () -> {
            try {
                body.run();
            } catch (Throwable e) {
                failures.add(e);
                done.set(true);
            }
        };
    }
}
