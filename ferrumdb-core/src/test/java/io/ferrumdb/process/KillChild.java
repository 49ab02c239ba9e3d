package io.ferrumdb.process;

import io.ferrumdb.EncryptedOptions;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.Options;
import io.ferrumdb.WriteBatch;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * The child of {@link Kill9Test}: writes with {@code always()} from several threads until it is killed, and prints
 * one line per acknowledged write, ending in " ." so that a line cut by the kill is recognised and ignored:
 * <pre>
 * PUT key n .      put(key, value(key, n)) returned (sync writers) or its putAsync future completed
 * BATCH n .        write(batch) returned: every key BATCH_KEYS[i] holds value("batch", n)
 * </pre>
 * Sequence numbers n start at round * 10^9, so they grow across rounds; each key has one writer thread.
 * Arguments: directory, round, and optionally the segment size (16 KiB when absent) and "true" to encrypt.
 */
public final class KillChild {
    static final int KEYS_PER_WRITER = 40;
    static final int BATCH_KEYS = 8;
    static final int SYNC_WRITERS = 3;

    private KillChild() {
    }

    static byte[] value(String key, long n) {
        StringBuilder sb = new StringBuilder(key).append('#').append(n).append('#');
        while (sb.length() < 40 + (int) (n % 300)) {
            sb.append((char) ('a' + (n + sb.length()) % 26));
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    static String batchKey(int i) {
        return "batch-" + i;
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long base = Long.parseLong(args[1]) * 1_000_000_000L;
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        // The optional third argument is the segment size: small segments roll often; large ones keep one active
        // segment zero-filled far ahead of its records (FORMAT.md, "Zero tail").
        long segmentSize = args.length > 2 ? Long.parseLong(args[2]) : 16384;
        // The optional fourth, "true", encrypts the database (with the tests' fixed key).
        boolean encrypted = args.length > 3 && Boolean.parseBoolean(args[3]);
        Options.Builder options = encrypted ? EncryptedOptions.builder() : Options.builder();
        FerrumDB db = FerrumDB.open(dir, options.fsyncPolicy(FsyncPolicy.always()).segmentSize(segmentSize).build());
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < SYNC_WRITERS; t++) {
            String prefix = "sync" + t + "-";
            threads.add(new Thread(() -> {
                for (long n = base; ; n++) {
                    String key = prefix + (n % KEYS_PER_WRITER);
                    db.put(key.getBytes(StandardCharsets.UTF_8), value(key, n));
                    out.println("PUT " + key + " " + n + " .");
                }
            }));
        }
        threads.add(new Thread(() -> {
            for (long n = base; ; n++) {
                WriteBatch batch = new WriteBatch();
                for (int i = 0; i < BATCH_KEYS; i++) {
                    batch.put(batchKey(i).getBytes(StandardCharsets.UTF_8), value("batch", n));
                }
                db.write(batch);
                out.println("BATCH " + n + " .");
            }
        }));
        threads.add(new Thread(() -> {
            Semaphore inFlight = new Semaphore(32);
            for (long n = base; ; n++) {
                String key = "async-" + (n % KEYS_PER_WRITER);
                long seq = n;
                inFlight.acquireUninterruptibly();
                CompletableFuture<Void> f = db.putAsync(key.getBytes(StandardCharsets.UTF_8), value(key, n));
                f.whenComplete((ok, failure) -> {
                    inFlight.release();
                    if (failure == null) {
                        out.println("PUT " + key + " " + seq + " .");
                    }
                });
            }
        }));
        threads.forEach(Thread::start);
        out.println("READY .");
        for (Thread t : threads) {
            t.join();
        }
    }
}
