package io.ferrumdb.bench;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.KeyRange;
import io.ferrumdb.Options;
import io.ferrumdb.RangeIterator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * YCSB workload E's engine work without YCSB's client, JMH-free, one thread: {@code records} records of 100 bytes
 * (keys loaded in a scattered order), then rounds of {@code ops} operations, 95% short scans (keys and values of
 * 1-100 records, uniform, from a uniform random existing key) and 5% inserts of new keys, as E does. Prints one
 * tab-separated line per round: round, operations per second, entries scanned. The first rounds warm the JIT;
 * compare the later ones. Run each engine build in its own JVM, alternating:
 * {@code java -cp benchmarks.jar io.ferrumdb.bench.ShortScanHarness DIR [records] [ops] [rounds]} (the source also
 * runs on an older build's jar with {@code java -cp old.jar ShortScanHarness.java}).
 */
public final class ShortScanHarness {
    private ShortScanHarness() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        int records = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        int ops = args.length > 2 ? Integer.parseInt(args[2]) : 50_000;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 6;
        if (Files.exists(dir)) {
            throw new IllegalArgumentException("the harness needs a fresh directory, " + dir + " exists");
        }
        byte[] value = new byte[100];
        SplittableRandom random = new SplittableRandom(5);
        try (FerrumDB db = FerrumDB.open(dir, Options.builder().orderedKeys(true).fsyncPolicy(FsyncPolicy.never())
                .build())) {
            for (int i = 0; i < records; i++) {
                db.put(key((i * 7_919L) % records), value);
            }
            long inserted = records;
            for (int round = 1; round <= rounds; round++) {
                long scanned = 0;
                long t0 = System.nanoTime();
                for (int op = 0; op < ops; op++) {
                    if (random.nextInt(100) < 5) {
                        db.put(key(inserted++), value);
                        continue;
                    }
                    int length = 1 + random.nextInt(100);
                    try (RangeIterator it = db.iterate(KeyRange.atLeast(key(random.nextLong(inserted))))) {
                        for (int n = 0; n < length && it.hasNext(); n++) {
                            scanned += it.next().value().length > 0 ? 1 : 0;
                        }
                    }
                }
                long nanos = System.nanoTime() - t0;
                System.out.printf("%d\t%.0f\t%d%n", round, ops * 1e9 / nanos, scanned);
            }
        } finally {
            Datasets.delete(dir);
        }
    }

    /** YCSB-like keys, spread over the key space by a multiplicative hash so that inserts land everywhere. */
    private static byte[] key(long i) {
        return String.format("user%019d", (i * 0x9E3779B97F4A7C15L) >>> 1).getBytes(StandardCharsets.UTF_8);
    }
}
