import io.ferrumdb.FerrumDB;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.Options;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongUnaryOperator;

/**
 * The Java side of the bindings' per-call overhead comparison: the same operations bench.py and bench.js make,
 * called directly on the engine. Run by run.sh with the source launcher (java -cp jar CallOverhead.java); prints
 * one JSON object of nanoseconds per call (median of the rounds).
 */
public class CallOverhead {
    static final int ROUNDS = 7;

    public static void main(String[] args) throws Exception {
        int ops = Integer.parseInt(args[0]);
        Path dir = Files.createTempDirectory("ferrumdb-overhead-java");
        byte[] key = "bench:0000000001".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] value = new byte[100];
        Arrays.fill(value, (byte) 7);
        Options options = Options.builder().fsyncPolicy(FsyncPolicy.never()).build();
        Map<String, Double> results = new LinkedHashMap<>();
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            db.put(key, value);
        }
        // Reopened, the value sits in a sealed, memory-mapped segment: a get is no system call, so the figures
        // show the crossing rather than the kernel.
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            results.put("get", median(ops, n -> {
                long sum = 0;
                for (long i = 0; i < n; i++) {
                    sum += db.get(key).length;
                }
                return sum;
            }));
            results.put("contains", median(ops, n -> {
                long sum = 0;
                for (long i = 0; i < n; i++) {
                    sum += db.contains(key) ? 1 : 0;
                }
                return sum;
            }));
            results.put("put", median(ops, n -> {
                for (long i = 0; i < n; i++) {
                    db.put(key, value);
                }
                return n;
            }));
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        StringBuilder json = new StringBuilder("{");
        results.forEach((k, v) -> json.append(json.length() > 1 ? ", " : "").append('"').append(k).append("\": ")
                .append(String.format(java.util.Locale.ROOT, "%.1f", v)));
        System.out.println(json.append('}'));
    }

    /** Nanoseconds per call: the median of ROUNDS timed rounds, after two rounds to warm up the JIT. */
    static double median(int ops, LongUnaryOperator loop) {
        long sink = 0;
        double[] perCall = new double[ROUNDS];
        for (int r = -2; r < ROUNDS; r++) {
            long start = System.nanoTime();
            sink += loop.applyAsLong(ops);
            long elapsed = System.nanoTime() - start;
            if (r >= 0) {
                perCall[r] = (double) elapsed / ops;
            }
        }
        if (sink == 42) {
            System.err.print("");
        }
        Arrays.sort(perCall);
        return perCall[ROUNDS / 2];
    }
}
