package io.ferrumdb.bench;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.KeyRange;
import io.ferrumdb.Options;
import io.ferrumdb.RangeIterator;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.stream.Stream;

/**
 * Issue 22's figure from Java, JMH-free: prefix scans of {@code keys} keys (out of twice as many) in a fresh JVM,
 * the first (cold: nothing compiled yet) and the median of the last five of {@code scans} (warm), for three walks:
 * the key stream ({@code keys(KeyRange)}), the key iterator the bindings' cursors use ({@code keyIterator}, when
 * the engine has it) and keys with values ({@code iterate}). Run it in its own JVM per engine build, one after the
 * other, so that two builds meet the same machine:
 * {@code java -cp benchmarks.jar io.ferrumdb.bench.PrefixScanHarness DIR [keys] [scans] [reopen]} (the source also
 * runs on an older build's jar with {@code java -cp old.jar PrefixScanHarness.java}). With {@code reopen} the
 * database is closed and opened again after loading, so that the scans read sealed, memory-mapped segments (as a
 * binding that opens an existing database does) and the first scan waits for the ordered index's build; without
 * it every record is in the active segment. Prints one tab-separated line per walk: walk, first scan ms, warm
 * median ms, keys seen.
 */
public final class PrefixScanHarness {
    private PrefixScanHarness() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int keys = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        int scans = args.length > 2 ? Integer.parseInt(args[2]) : 12;
        boolean reopen = args.length > 3 && args[3].equals("reopen");
        if (args.length > 3 && !reopen) {
            throw new IllegalArgumentException("the fourth argument can only be \"reopen\", got " + args[3]);
        }
        if (Files.exists(dir)) {
            throw new IllegalArgumentException("the harness needs a fresh directory, " + dir + " exists");
        }
        byte[] value = new byte[100];
        Arrays.fill(value, (byte) 'v');
        KeyRange prefix = KeyRange.prefix(bytes("user:"));
        Method keyIterator = keyIteratorMethod();
        Options options = Options.builder().orderedKeys(true).fsyncPolicy(FsyncPolicy.never()).build();
        FerrumDB db = FerrumDB.open(dir, options);
        try {
            // Interleaved prefixes, loaded in a scattered order, as the bindings' test loads them.
            for (int i = 0; i < keys; i++) {
                int k = (int) ((i * 7_919L) % keys);
                db.put(bytes(String.format("user:%08d", k)), value);
                db.put(bytes(String.format("item:%08d", k)), value);
            }
            if (reopen) {
                db.close();
                db = FerrumDB.open(dir, options);
            }
            long[] stream = new long[scans];
            long[] iterator = new long[scans];
            long[] values = new long[scans];
            long seen = 0;
            for (int s = 0; s < scans; s++) {
                long t0 = System.nanoTime();
                try (Stream<byte[]> ks = db.keys(prefix)) {
                    seen = expect(ks.count(), keys, "key stream");
                }
                long t1 = System.nanoTime();
                if (keyIterator != null) {
                    Iterator<?> it = (Iterator<?>) keyIterator.invoke(db, prefix);
                    long n = 0;
                    for (; it.hasNext(); it.next()) {
                        n++;
                    }
                    ((AutoCloseable) it).close();
                    expect(n, keys, "key iterator");
                }
                long t2 = System.nanoTime();
                try (RangeIterator it = db.iterate(prefix)) {
                    long n = 0;
                    long bytes = 0;
                    while (it.hasNext()) {
                        bytes += it.next().value().length;
                        n++;
                    }
                    expect(n, keys, "value iterator");
                    expect(bytes, (long) keys * value.length, "value bytes");
                }
                long t3 = System.nanoTime();
                stream[s] = t1 - t0;
                iterator[s] = t2 - t1;
                values[s] = t3 - t2;
            }
            print("keys-stream", stream, seen);
            if (keyIterator != null) {
                print("key-iterator", iterator, seen);
            }
            print("iterate-values", values, seen);
        } finally {
            db.close();
            Datasets.delete(dir);
        }
    }

    /** {@code FerrumDB.keyIterator(KeyRange)} where the build has it (it is newer than the harness's baseline). */
    private static Method keyIteratorMethod() {
        try {
            return FerrumDB.class.getMethod("keyIterator", KeyRange.class);
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    private static long expect(long actual, long expected, String what) {
        if (actual != expected) {
            throw new IllegalStateException(what + ": " + actual + " entries where " + expected + " were expected");
        }
        return actual;
    }

    private static void print(String walk, long[] nanos, long seen) {
        long[] warm = Arrays.copyOfRange(nanos, Math.max(1, nanos.length - 5), nanos.length);
        Arrays.sort(warm);
        System.out.printf("%s\t%.1f\t%.1f\t%d%n", walk, nanos[0] / 1e6, warm[warm.length / 2] / 1e6, seen);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
