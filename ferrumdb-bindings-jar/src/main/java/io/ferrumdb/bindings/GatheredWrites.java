package io.ferrumdb.bindings;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.ProblemWording;
import io.ferrumdb.WriteBatch;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Independent puts and deletes submitted in packs and reported when durable, as the Node.js binding issues its
 * async writes: {@link #submit} issues the engine appends of a pack without waiting (so the writes of many packs
 * share group commits: one fsync covers every append pending when the engine's flusher runs) and returns a
 * ticket; {@link #completions} waits until some ticket's writes are all durable or failed and reports them.
 * One thread may submit while another waits for completions, so a java-bridge thread pool of two keeps writes
 * flowing while an fsync runs.
 *
 * <p>Writes that are not puts or deletes (agent memory's batches, {@link MemoryBridge#submit}) join the same
 * ticket order through {@link #submit(List)}.
 *
 * <p>Each operation of a pack stands alone (not all or nothing, unlike {@link FerrumDB#write}): a rejected one
 * fails by itself. Operations are appended in submission order, so writes of the same key apply in that order.
 *
 * <p>A pack too large to cross in one call (a large value, a large batch) comes in parts: {@link #stage} each
 * part but the last, then {@link #submit} (or {@link #write}) the last one, naming how many parts came before,
 * so that parts of an abandoned pack are never mixed into the next.
 *
 * <p>Pack layout, little-endian, repeated to the end: {@code byte} code ({@link #OP_PUT} or {@link #OP_DELETE}),
 * {@code int32} key length, {@code int32} value length (0 for a delete), {@code float64} TTL in milliseconds
 * (0 for none; whole and positive otherwise), the key's bytes, the value's bytes.
 *
 * <p>A delete reports whether it removed a live key, checked just before its tombstone is appended, so a write
 * of the same key by another thread in between (not one of these packs, which are ordered) can make the report
 * stale. A key that is not live gets a tombstone only when an expired value of it may be on disk, as
 * {@link FerrumDB#delete} does.
 *
 * <p>Invariant: every submitted ticket is reported by {@link #completions} exactly once, after each of its
 * operations has failed or become durable under the fsync policy.
 */
final class GatheredWrites {
    static final byte OP_PUT = 0;
    static final byte OP_DELETE = 1;
    /** Bytes before an operation's key: code, key length, value length, TTL. */
    static final int OP_HEADER = 1 + 4 + 4 + 8;

    /** The outcome of an operation that succeeded (a delete: that found no live key). */
    static final char DONE = '0';
    /** The outcome of a delete that removed a live key. */
    static final char REMOVED = '1';
    /** The outcome of an operation that failed. */
    static final char FAILED = 'E';

    /** One submitted pack: its outcomes, filled in as its operations are appended and then made durable. */
    private static final class Pack {
        final long ticket;
        final char[] outcome;
        final Throwable[] failures;

        Pack(long ticket, int size) {
            this.ticket = ticket;
            this.outcome = new char[size];
            this.failures = new Throwable[size];
        }

        void fail(int index, Throwable failure) {
            outcome[index] = FAILED;
            failures[index] = failure;
        }
    }

    private final FerrumDB db;
    /** Guards the staged parts and ticket order. */
    private final Object submitLock = new Object();
    private final ByteArrayOutputStream staged = new ByteArrayOutputStream();
    private int stagedParts;
    private long nextTicket;
    /** Packs whose operations are all settled, in the order they settled; guarded by itself. */
    private final ArrayDeque<Pack> settled = new ArrayDeque<>();

    GatheredWrites(FerrumDB db) {
        this.db = db;
    }

    /** Keeps {@code part} of a pack for the next {@link #submit} or {@link #write}; {@code first} drops older parts. */
    void stage(byte[] part, boolean first) {
        synchronized (submitLock) {
            if (first) {
                staged.reset();
                stagedParts = 0;
            }
            staged.writeBytes(part);
            stagedParts++;
        }
    }

    /** The whole pack: the staged parts, which must be {@code partsBefore}, then {@code last}. Under submitLock. */
    private byte[] assemble(byte[] last, int partsBefore) {
        try {
            if (partsBefore == 0) {
                return last;
            }
            if (stagedParts != partsBefore) {
                throw new IllegalArgumentException("a pack of " + (partsBefore + 1) + " parts found " + stagedParts
                        + " staged");
            }
            staged.writeBytes(last);
            return staged.toByteArray();
        } finally {
            staged.reset();
            stagedParts = 0;
        }
    }

    /** Where each operation of {@code in} starts, after checking the layout. */
    private static List<Integer> starts(ByteBuffer in) {
        List<Integer> starts = new ArrayList<>();
        while (in.hasRemaining()) {
            int start = in.position();
            if (in.remaining() < OP_HEADER) {
                throw new IllegalArgumentException("packed operation " + starts.size() + " is cut short at byte "
                        + start);
            }
            byte code = in.get();
            int keyLength = in.getInt();
            int valueLength = in.getInt();
            in.getDouble();
            if ((code != OP_PUT && code != OP_DELETE) || keyLength < 0 || valueLength < 0
                    || (code == OP_DELETE && valueLength != 0)
                    || (long) keyLength + valueLength > in.remaining()) {
                throw new IllegalArgumentException("packed operation " + starts.size() + " at byte " + start
                        + " is malformed");
            }
            in.position(in.position() + keyLength + valueLength);
            starts.add(start);
        }
        return starts;
    }

    /**
     * Appends the pack's operations in order without waiting for durability and returns its ticket.
     *
     * @param last        the pack, or its last part after {@code partsBefore} staged ones
     * @throws IllegalArgumentException when the pack does not follow the layout, or the staged parts are not
     *     {@code partsBefore} (nothing is written)
     */
    long submit(byte[] last, int partsBefore) {
        // One submitter at a time, so that packs are appended in ticket order.
        synchronized (submitLock) {
            ByteBuffer in = ByteBuffer.wrap(assemble(last, partsBefore)).order(ByteOrder.LITTLE_ENDIAN);
            List<Integer> starts = starts(in);
            Pack pack = new Pack(nextTicket++, starts.size());
            List<CompletableFuture<Void>> durable = new ArrayList<>();
            List<Integer> durableIndex = new ArrayList<>();
            for (int i = 0; i < starts.size(); i++) {
                try {
                    CompletableFuture<Void> done = apply(in, starts.get(i), pack, i);
                    if (done != null) {
                        durable.add(done);
                        durableIndex.add(i);
                    }
                } catch (RuntimeException e) {
                    pack.fail(i, e);
                }
            }
            settleWhenDone(pack, durable, durableIndex);
            return pack.ticket;
        }
    }

    /** Queues {@code pack} for {@link #completions} once {@code durable} (of operations {@code index}) completed. */
    private void settleWhenDone(Pack pack, List<CompletableFuture<Void>> durable, List<Integer> index) {
        CompletableFuture.allOf(durable.toArray(new CompletableFuture<?>[0])).whenComplete((ignored, e) -> {
            for (int j = 0; j < durable.size(); j++) {
                try {
                    durable.get(j).join();
                } catch (CompletionException | CancellationException failure) {
                    Throwable cause = failure.getCause() == null ? failure : failure.getCause();
                    pack.fail(index.get(j), cause);
                }
            }
            synchronized (settled) {
                settled.add(pack);
                settled.notifyAll();
            }
        });
    }

    /**
     * Issues writes that are not packed operations (agent memory's batches) as one pack, in ticket order with the
     * others, and returns its ticket: {@link #completions} reports operation {@code i} once the future
     * {@code issues[i]} returned completes, or as failed when {@code issues[i]} threw (it fails alone). The issues
     * run in order under the submission lock, so they are appended after every pack submitted before.
     */
    long submit(List<Supplier<CompletableFuture<Void>>> issues) {
        synchronized (submitLock) {
            Pack pack = new Pack(nextTicket++, issues.size());
            List<CompletableFuture<Void>> durable = new ArrayList<>();
            List<Integer> durableIndex = new ArrayList<>();
            for (int i = 0; i < issues.size(); i++) {
                try {
                    durable.add(issues.get(i).get());
                    durableIndex.add(i);
                    pack.outcome[i] = DONE;
                } catch (RuntimeException e) {
                    pack.fail(i, e);
                }
            }
            settleWhenDone(pack, durable, durableIndex);
            return pack.ticket;
        }
    }

    /**
     * Applies the pack's operations all or nothing, as {@link FerrumDB#write} (appended after every pack submitted
     * before), and returns once durable under the fsync policy.
     *
     * @throws IllegalArgumentException naming the index of the operation that was rejected; nothing is written
     */
    void write(byte[] last, int partsBefore) {
        CompletableFuture<Void> durable;
        synchronized (submitLock) {
            ByteBuffer in = ByteBuffer.wrap(assemble(last, partsBefore)).order(ByteOrder.LITTLE_ENDIAN);
            WriteBatch batch = new WriteBatch();
            List<Integer> starts = starts(in);
            for (int i = 0; i < starts.size(); i++) {
                int start = starts.get(i);
                byte[] key = new byte[in.getInt(start + 1)];
                in.get(start + OP_HEADER, key);
                try {
                    if (in.get(start) == OP_DELETE) {
                        batch.delete(key);
                    } else {
                        byte[] value = new byte[in.getInt(start + 5)];
                        in.get(start + OP_HEADER + key.length, value);
                        double ttlMillis = in.getDouble(start + 9);
                        if (ttlMillis == 0) {
                            batch.put(key, value);
                        } else {
                            batch.put(key, value, Duration.ofMillis(wholeMillis(ttlMillis)));
                        }
                    }
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("batch operation " + i + ": " + e.getMessage(), e);
                }
            }
            durable = db.writeAsync(batch);
        }
        try {
            durable.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    /** Issues operation {@code index} of {@code pack}, at {@code start}; its future, or null when already done. */
    private CompletableFuture<Void> apply(ByteBuffer in, int start, Pack pack, int index) {
        byte code = in.get(start);
        int keyLength = in.getInt(start + 1);
        int valueLength = in.getInt(start + 5);
        double ttlMillis = in.getDouble(start + 9);
        byte[] key = new byte[keyLength];
        in.get(start + OP_HEADER, key);
        if (code == OP_PUT) {
            byte[] value = new byte[valueLength];
            in.get(start + OP_HEADER + keyLength, value);
            pack.outcome[index] = DONE;
            if (ttlMillis == 0) {
                return db.putAsync(key, value);
            }
            return db.writeAsync(new WriteBatch().put(key, value, Duration.ofMillis(wholeMillis(ttlMillis))));
        }
        if (db.contains(key)) {
            pack.outcome[index] = REMOVED;
            return db.deleteAsync(key);
        }
        // Not live: FerrumDB.delete appends a tombstone only when an expired value may be on disk.
        pack.outcome[index] = db.delete(key) ? REMOVED : DONE;
        return null;
    }

    private static long wholeMillis(double ttlMillis) {
        if (!(ttlMillis > 0) || ttlMillis != Math.rint(ttlMillis) || ttlMillis >= Long.MAX_VALUE) {
            throw new IllegalArgumentException("ttl must be a positive whole number of milliseconds, got "
                    + ttlMillis);
        }
        return (long) ttlMillis;
    }

    /**
     * The packs settled since the last call, waiting up to {@code timeoutMillis} for one; empty when none settled
     * in time. For each pack: {@code "<ticket>\t<operations>\t"}, one character per operation ({@link #DONE},
     * {@link #REMOVED} or {@link #FAILED}), then for each failed operation in order
     * {@code "\n<index>\t<class>,<superclass>,...\t<message length>\t<message>"} (class names up to
     * {@code java.lang.Throwable}; the message, or the class name when there is none, in ASCII as {@link #ascii}
     * writes it), then {@code "\n\n"}.
     */
    String completions(long timeoutMillis) throws InterruptedException {
        List<Pack> packs = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, timeoutMillis));
        synchronized (settled) {
            while (settled.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return "";
                }
                TimeUnit.NANOSECONDS.timedWait(settled, left);
            }
            packs.addAll(settled);
            settled.clear();
        }
        StringBuilder out = new StringBuilder();
        for (Pack pack : packs) {
            out.append(pack.ticket).append('\t').append(pack.outcome.length).append('\t').append(pack.outcome);
            for (int i = 0; i < pack.failures.length; i++) {
                if (pack.failures[i] != null) {
                    appendFailure(out, i, pack.failures[i]);
                }
            }
            out.append("\n\n");
        }
        return out.toString();
    }

    private static void appendFailure(StringBuilder out, int index, Throwable failure) {
        out.append('\n').append(index).append('\t');
        for (Class<?> c = failure.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            if (c != failure.getClass()) {
                out.append(',');
            }
            out.append(c.getName());
        }
        String message = ascii(ProblemWording.describe(failure));
        out.append('\t').append(message.length()).append('\t').append(message);
    }

    /**
     * {@code text} with every character outside printable ASCII (but tab and newline) written as a backslash-u
     * escape: java-bridge passes strings through modified UTF-8, which would change the length of a message holding
     * characters outside the Basic Multilingual Plane, and {@link #completions} counts message lengths.
     */
    static String ascii(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c >= 0x20 && c < 0x7f) || c == '\n' || c == '\t') {
                out.append(c);
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out.toString();
    }
}
