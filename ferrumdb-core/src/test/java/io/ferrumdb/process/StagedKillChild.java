package io.ferrumdb.process;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.Options;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The child of {@link StagedKill9Test}: single puts, overwrites and deletes of a few keys per writer thread, whose
 * sequence is a function of the writer and the operation's number ({@link #op}), so the parent can replay it.
 * Arguments: directory, mode, round, segment size. Lines printed (each ending in " ." so that one cut by the kill
 * is ignored):
 * <pre>
 * OP w n .      operation n of writer w returned
 * CLOSED n .    mode never: close() returned after operations up to n; the database was then opened again
 * READY .
 * </pre>
 * Mode {@code always}: {@link #WRITERS} threads with {@code always()} (group commit across them) and a thread
 * compacting. Mode {@code never}: one writer with {@code never()}; after {@link #BEFORE_CLOSE} operations it closes
 * the database (writing the key directory image), opens it again (from that image, mapped) and goes on.
 */
public final class StagedKillChild {
    static final int WRITERS = 3;
    /** Short keys per writer (staged by a put; more than the stage holds), long ones (over 64 bytes: not staged). */
    static final int SHORT_KEYS = 40;
    static final int LONG_KEYS = 3;
    static final int BEFORE_CLOSE = 1500;

    private StagedKillChild() {
    }

    enum Kind { PUT, PUT_WITH_TTL, DELETE }

    /** Operation {@code n} of writer {@code w}: on its key {@code key}, of kind {@code kind}. */
    record Op(String key, Kind kind, long n) {
        /** Applies the operation to {@code model} as the database applies it. */
        void applyTo(Map<String, byte[]> model) {
            if (kind == Kind.DELETE) {
                model.remove(key);
            } else {
                model.put(key, KillChild.value(key, n));
            }
        }
    }

    static String key(int writer, int i) {
        String k = "w" + writer + "-" + i;
        return i < SHORT_KEYS ? k : k + "-" + "L".repeat(64);
    }

    static Op op(int writer, long n) {
        long h = mix(writer * 0x9E3779B97F4A7C15L + n);
        int i = (int) Long.remainderUnsigned(h, 20);
        int key = i < 17 ? (int) Long.remainderUnsigned(h >>> 8, SHORT_KEYS)
                : SHORT_KEYS + (int) Long.remainderUnsigned(h >>> 8, LONG_KEYS);
        int k = (int) Long.remainderUnsigned(h >>> 24, 20);
        Kind kind = k < 4 ? Kind.DELETE : k < 5 ? Kind.PUT_WITH_TTL : Kind.PUT;
        return new Op(key(writer, key), kind, n);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    static Options options(FsyncPolicy policy, long segmentSize) {
        return Options.builder().fsyncPolicy(policy).segmentSize(segmentSize).build();
    }

    private static void apply(FerrumDB db, Op op) {
        byte[] key = op.key().getBytes(StandardCharsets.UTF_8);
        switch (op.kind()) {
            case DELETE -> db.delete(key);
            // A day: no TTL runs out during the test; the put is not staged and drains the stage.
            case PUT_WITH_TTL -> db.put(key, KillChild.value(op.key(), op.n()), Duration.ofDays(1));
            case PUT -> db.put(key, KillChild.value(op.key(), op.n()));
        }
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        boolean always = args[1].equals("always");
        long base = Long.parseLong(args[2]) * 1_000_000_000L;
        long segmentSize = Long.parseLong(args[3]);
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        if (!always) {
            FerrumDB db = FerrumDB.open(dir, options(FsyncPolicy.never(), segmentSize));
            out.println("READY .");
            long n = base;
            for (; n < base + BEFORE_CLOSE; n++) {
                apply(db, op(0, n));
            }
            db.close();
            out.println("CLOSED " + (n - 1) + " .");
            db = FerrumDB.open(dir, options(FsyncPolicy.never(), segmentSize));
            for (; ; n++) {
                apply(db, op(0, n));
                out.println("OP 0 " + n + " .");
            }
        }
        FerrumDB db = FerrumDB.open(dir, options(FsyncPolicy.always(), segmentSize));
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            threads.add(new Thread(() -> {
                for (long n = base; ; n++) {
                    apply(db, op(writer, n));
                    out.println("OP " + writer + " " + n + " .");
                }
            }));
        }
        threads.add(new Thread(() -> {
            while (true) {
                db.compact();
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }));
        threads.forEach(Thread::start);
        out.println("READY .");
        for (Thread t : threads) {
            t.join();
        }
    }
}
