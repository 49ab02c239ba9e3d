package io.ferrumdb.memory;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.FerrumException;
import io.ferrumdb.KeyRange;
import io.ferrumdb.WriteBatch;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Durable memory for AI agents inside one FerrumDB: {@link #remember} stores a text with tags, metadata, an
 * optional TTL and an optional client-supplied embedding; {@link #recall} finds memories by BM25 text relevance
 * (recency breaks ties), by exact tags, by time and by cosine similarity; {@link #forget} removes them.
 *
 * <p>The inverted index lives in the same database (layout: {@link MemoryKeys}) and every remember or forget is
 * one {@link WriteBatch}: memory, postings, tag postings, vector and namespace statistics change together or not
 * at all, so after any crash the index and the memories agree. When {@code remember} returns, the memory is as
 * durable as the database's fsync policy makes any write.
 *
 * <p>Thread-safe. Writers are serialized, across every instance on the same database (the namespace statistics
 * are read, changed and written back); readers never wait for them. The caller owns the database and closes it.
 */
public final class AgentMemory {
    /** Memories forgotten per write batch when forgetting by tags: each memory's removal is atomic on its own. */
    private static final int FORGET_BATCH = 512;
    private static final int MAX_U16 = 0xFFFF;
    /** Expiry entries swept per write: the rest wait for the next writes (recall leaves them out meanwhile). */
    private static final int SWEEP_BATCH = 256;

    private final FerrumDB db;
    private final Clock clock;
    private final MemoryIds ids;
    /**
     * Guards the read-modify-write of namespace statistics and id uniqueness: the database's lock, shared with every
     * other instance on it ({@link WriterLocks}).
     */
    private final ReentrantLock writeLock;

    private AgentMemory(FerrumDB db, ReentrantLock writeLock) {
        this.db = db;
        this.writeLock = writeLock;
        this.clock = db.options().clock();
        this.ids = new MemoryIds(clock);
    }

    /**
     * Agent memory in {@code db}, which must keep ordered keys (the default). A store written by a build older than
     * the expiry entries is upgraded here, once, when {@code db} is writable ({@link ExpiryEntryUpgrade}).
     *
     * @throws FerrumException if the database holds agent memory of a format this build does not read
     */
    public static AgentMemory on(FerrumDB db) {
        Objects.requireNonNull(db, "db");
        if (!db.options().orderedKeys()) {
            throw new IllegalArgumentException("agent memory needs ordered keys for its index scans: open the "
                    + "database with Options.orderedKeys(true) (the default)");
        }
        byte[] marker = db.get(MemoryKeys.FORMAT_MARKER);
        if (marker != null && !MemoryKeys.FORMAT.equals(new String(marker, StandardCharsets.UTF_8))) {
            throw new FerrumException("database " + db.directory() + " holds agent memory in format '"
                    + new String(marker, StandardCharsets.UTF_8) + "'; this build reads " + MemoryKeys.FORMAT);
        }
        ReentrantLock writeLock = WriterLocks.of(db);
        // Under the writers' lock: the upgrade recounts the statistics, and a remember or forget of an instance
        // already on this database must not change them between its count and its write.
        writeLock.lock();
        try {
            ExpiryEntryUpgrade.runIfNeeded(db);
        } finally {
            writeLock.unlock();
        }
        return new AgentMemory(db, writeLock);
    }

    // ---------------------------------------------------------------- remember

    public Remembered remember(MemoryInput input) {
        return rememberAsync(input).await();
    }

    /**
     * As {@link #remember}, without waiting for durability: the memory is stored (and recalled by later calls)
     * when this returns, and {@link PendingWrite#durable} completes once it is durable. Concurrent callers so share
     * group commits, as the Node.js binding's async writes do.
     */
    public PendingWrite<Remembered> rememberAsync(MemoryInput input) {
        Objects.requireNonNull(input, "input");
        String namespace = MemoryLimits.namespace(input.namespace());
        MemoryLimits.text(input.text());
        List<String> tags = MemoryLimits.tags(input.tags());
        MemoryLimits.ttl(input.ttl());
        MemoryLimits.vector(input.vector(), "vector");
        String metadata = MemoryCodec.metadata(input.metadataJson());
        List<String> terms = Tokenizer.terms(input.text());
        int length = Math.min(terms.size(), MAX_U16);

        writeLock.lock();
        try {
            String id = ids.next();
            while (db.contains(MemoryKeys.memory(namespace, id))) {
                id = ids.next(); // a clock that stepped back since an earlier run
            }
            Instant createdAt = MemoryIds.createdAt(id);
            // In whole milliseconds, as the record stores it: remember's answer then equals what recall shows later
            // (the system clock has nanoseconds, and the answer showed them).
            Instant expiresAt = input.ttl() == null ? null
                    : clock.instant().plus(input.ttl()).truncatedTo(ChronoUnit.MILLIS);
            Duration ttl = input.ttl();

            WriteBatch batch = new WriteBatch();
            if (!db.contains(MemoryKeys.FORMAT_MARKER)) {
                batch.put(MemoryKeys.FORMAT_MARKER, MemoryKeys.FORMAT.getBytes(StandardCharsets.UTF_8));
                // A new store: every memory it will hold gets its expiry entry, so there is nothing to upgrade.
                batch.put(MemoryKeys.EXPIRY_ENTRIES_COMPLETE, MemoryKeys.EXPIRY_ENTRIES_COMPLETE_VALUE);
            }
            byte[] record = MemoryCodec.encode(input.text(), tags, metadata, createdAt,
                    expiresAt == null ? 0 : expiresAt.toEpochMilli(), length);
            put(batch, MemoryKeys.memory(namespace, id), record, ttl);
            for (Map.Entry<String, Integer> term : Tokenizer.frequencies(terms).entrySet()) {
                put(batch, MemoryKeys.posting(namespace, term.getKey(), id, Math.min(term.getValue(), MAX_U16),
                        length), new byte[0], ttl);
            }
            for (String tag : tags) {
                put(batch, MemoryKeys.tag(namespace, tag, id), new byte[0], ttl);
            }
            if (input.vector() != null) {
                put(batch, MemoryKeys.vector(namespace, id), MemoryCodec.encodeVector(input.vector()), ttl);
            }
            if (expiresAt != null) {
                batch.put(MemoryKeys.expiry(namespace, expiresAt.toEpochMilli(), id, length), new byte[0]);
            }
            Stats stats = sweepExpired(namespace, batch, clock.millis());
            batch.put(MemoryKeys.stats(namespace), new Stats(stats.count + 1, stats.terms + length).encode());
            CompletableFuture<Void> durable = db.writeAsync(batch);
            return new PendingWrite<>(new Remembered(id, namespace, createdAt, Optional.ofNullable(expiresAt)),
                    durable);
        } finally {
            writeLock.unlock();
        }
    }

    private static void put(WriteBatch batch, byte[] key, byte[] value, Duration ttl) {
        if (ttl == null) {
            batch.put(key, value);
        } else {
            batch.put(key, value, ttl);
        }
    }

    // ---------------------------------------------------------------- recall

    /**
     * The memories that best match {@code query}, best first; without text or vector, the newest first. Ranking
     * with text: more distinct query terms matched first, then higher BM25, then newer. Tags filter exactly.
     */
    public List<RecalledMemory> recall(RecallQuery query) {
        Objects.requireNonNull(query, "query");
        String namespace = MemoryLimits.namespace(query.namespace());
        MemoryLimits.query(query.text());
        List<String> tags = MemoryLimits.tags(query.tags());
        int limit = MemoryLimits.limit(query.limit());
        MemoryLimits.vector(query.vector(), "vector");
        List<String> terms = query.text() == null ? List.of()
                : List.copyOf(new java.util.LinkedHashSet<>(Tokenizer.terms(query.text())));
        if (query.since() != null && query.since().isAfter(MemoryIds.LAST)) {
            return List.of(); // no memory can have been created then
        }
        String sinceId = query.since() == null ? null : MemoryIds.lowestAt(query.since());
        Set<String> tagged = tags.isEmpty() ? null : taggedWithAll(namespace, tags);

        if (terms.isEmpty() && query.vector() == null) {
            return newest(namespace, tagged, sinceId, limit);
        }
        Predicate<String> admitted = id -> (tagged == null || tagged.contains(id))
                && (sinceId == null || id.compareTo(sinceId) >= 0);
        Ranking ranking = new Ranking(admitted);
        if (!terms.isEmpty()) {
            Stats stats = liveStats(namespace);
            Bm25 bm25 = new Bm25(stats.count, stats.terms);
            // With a vector, a memory matching few terms or none can still rank by its similarity: no pruning.
            int candidatesNeeded = query.vector() == null ? limit : Integer.MAX_VALUE;
            TextRecall.rank(db, namespace, terms, bm25, admitted, candidatesNeeded, ranking);
        }
        if (query.vector() != null) {
            addSimilarities(namespace, query.vector(), ranking);
        }
        List<RecalledMemory> out = new ArrayList<>();
        for (Ranking.Scored scored : ranking.best(limit)) {
            read(namespace, scored.id()).ifPresent(m -> out.add(new RecalledMemory(m, scored.score())));
        }
        return out;
    }

    private void addSimilarities(String namespace, float[] query, Ranking ranking) {
        double queryNorm = norm(query);
        if (queryNorm == 0) {
            return;
        }
        try (var it = db.iterate(MemoryKeys.vectors(namespace))) {
            while (it.hasNext()) {
                var entry = it.next();
                float[] vector = MemoryCodec.decodeVector(entry.value());
                if (vector.length != query.length) {
                    continue; // a memory embedded by another model: cosine is undefined across dimensions
                }
                double dot = 0;
                for (int i = 0; i < vector.length; i++) {
                    dot += (double) vector[i] * query[i];
                }
                double n = norm(vector);
                if (n > 0) {
                    ranking.addSimilarity(MemoryKeys.trailingId(entry.key()), Math.max(0, dot / (n * queryNorm)));
                }
            }
        }
    }

    private static double norm(float[] v) {
        double sum = 0;
        for (float f : v) {
            sum += (double) f * f;
        }
        return Math.sqrt(sum);
    }

    private List<RecalledMemory> newest(String namespace, Set<String> tagged, String sinceId, int limit) {
        List<String> chosen;
        if (tagged != null) {
            chosen = tagged.stream().filter(id -> sinceId == null || id.compareTo(sinceId) >= 0)
                    .sorted(java.util.Comparator.reverseOrder()).collect(Collectors.toList());
        } else {
            KeyRange range = sinceId == null ? MemoryKeys.memories(namespace)
                    : MemoryKeys.memoriesFrom(namespace, sinceId);
            try (Stream<byte[]> keys = db.keys(range.reversed())) {
                // A few extra in case some expire between the key scan and the value read.
                chosen = keys.limit(limit + 8L).map(MemoryKeys::trailingId).collect(Collectors.toList());
            }
        }
        List<RecalledMemory> out = new ArrayList<>();
        for (String id : chosen) {
            if (out.size() == limit) {
                break;
            }
            read(namespace, id).ifPresent(m -> out.add(new RecalledMemory(m, 0)));
        }
        return out;
    }

    private Set<String> taggedWithAll(String namespace, List<String> tags) {
        Set<String> result = null;
        for (String tag : tags) {
            Set<String> withTag;
            try (Stream<byte[]> keys = db.keys(MemoryKeys.tagged(namespace, tag))) {
                withTag = keys.map(MemoryKeys::trailingId).collect(Collectors.toCollection(HashSet::new));
            }
            if (result == null) {
                result = withTag;
            } else {
                result.retainAll(withTag);
            }
            if (result.isEmpty()) {
                break;
            }
        }
        return result;
    }

    // ---------------------------------------------------------------- read, list

    /** The memory {@code id} of {@code namespace}; empty when absent, forgotten or expired. */
    public Optional<Memory> get(String namespace, String id) {
        String ns = MemoryLimits.namespace(namespace);
        checkId(id);
        return read(ns, id);
    }

    private Optional<Memory> read(String namespace, String id) {
        byte[] value = db.get(MemoryKeys.memory(namespace, id));
        return value == null ? Optional.empty() : Optional.of(MemoryCodec.decode(namespace, id, value).memory());
    }

    /** The ids of the live memories of {@code namespace}, newest first. */
    public List<String> ids(String namespace) {
        String ns = MemoryLimits.namespace(namespace);
        try (Stream<byte[]> keys = db.keys(MemoryKeys.memories(ns).reversed())) {
            return keys.map(MemoryKeys::trailingId).collect(Collectors.toList());
        }
    }

    /** Every namespace holding live memories, by name, with its count. */
    public List<NamespaceCount> listNamespaces() {
        List<String> names;
        try (Stream<byte[]> keys = db.keys(MemoryKeys.allStats())) {
            names = keys.map(MemoryKeys::namespaceOfStats).collect(Collectors.toList());
        }
        List<NamespaceCount> out = new ArrayList<>();
        for (String name : names) {
            long count = db.count(MemoryKeys.memories(name));
            if (count > 0) {
                out.add(new NamespaceCount(name, count));
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- forget

    /** Forgets what {@code request} names; returns the ids of the memories removed (empty when none matched). */
    public List<String> forget(ForgetRequest request) {
        return forgetAsync(request).await();
    }

    /**
     * As {@link #forget}, without waiting for durability: the memories are gone from recall when this returns, and
     * {@link PendingWrite#durable} completes once every batch of the removal is durable.
     */
    public PendingWrite<List<String>> forgetAsync(ForgetRequest request) {
        Objects.requireNonNull(request, "request");
        String namespace = MemoryLimits.namespace(request.namespace());
        List<String> tags = MemoryLimits.tags(request.tags());
        if (request.id() == null && tags.isEmpty()) {
            throw new InvalidMemoryRequestException("id", "give the id of a memory, or tags, or both");
        }
        if (request.id() != null) {
            checkId(request.id());
        }
        writeLock.lock();
        try {
            List<String> targets;
            if (request.id() != null) {
                targets = tags.isEmpty() || taggedWithAll(namespace, tags).contains(request.id())
                        ? List.of(request.id()) : List.of();
            } else {
                targets = new ArrayList<>(taggedWithAll(namespace, tags));
            }
            List<String> forgotten = new ArrayList<>();
            List<CompletableFuture<Void>> durable = new ArrayList<>();
            for (int from = 0; from < targets.size(); from += FORGET_BATCH) {
                forgotten.addAll(forgetBatch(namespace, targets.subList(from, Math.min(targets.size(),
                        from + FORGET_BATCH)), durable));
            }
            CompletableFuture<Void> all = CompletableFuture.allOf(durable.toArray(new CompletableFuture<?>[0]));
            return new PendingWrite<>(forgotten, all);
        } finally {
            writeLock.unlock();
        }
    }

    /** Issues the removal of {@code targets}, adding its durability to {@code durable}. REQUIRES: writeLock held. */
    private List<String> forgetBatch(String namespace, List<String> targets,
                                     List<CompletableFuture<Void>> durable) {
        assert writeLock.isHeldByCurrentThread();
        WriteBatch batch = new WriteBatch();
        long now = clock.millis();
        Stats stats = sweepExpired(namespace, batch, now);
        long count = stats.count;
        long totalTerms = stats.terms;
        List<String> forgotten = new ArrayList<>();
        for (String id : targets) {
            byte[] value = db.get(MemoryKeys.memory(namespace, id));
            if (value == null) {
                continue;
            }
            MemoryCodec.Stored stored = MemoryCodec.decode(namespace, id, value);
            Optional<Instant> expiresAt = stored.memory().expiresAt();
            if (expiresAt.isPresent() && expiresAt.get().toEpochMilli() <= now) {
                // Its time has come (the engine drops it within the millisecond): no longer counted, nothing to do.
                continue;
            }
            List<String> terms = Tokenizer.terms(stored.memory().text());
            int length = Math.min(terms.size(), MAX_U16);
            for (Map.Entry<String, Integer> term : Tokenizer.frequencies(terms).entrySet()) {
                batch.delete(MemoryKeys.posting(namespace, term.getKey(), id, Math.min(term.getValue(), MAX_U16),
                        length));
            }
            for (String tag : stored.memory().tags()) {
                batch.delete(MemoryKeys.tag(namespace, tag, id));
            }
            batch.delete(MemoryKeys.vector(namespace, id));
            batch.delete(MemoryKeys.memory(namespace, id));
            expiresAt.ifPresent(at -> batch.delete(MemoryKeys.expiry(namespace, at.toEpochMilli(), id, length)));
            count--;
            totalTerms -= stored.terms();
            forgotten.add(id);
        }
        if (!forgotten.isEmpty()) {
            batch.put(MemoryKeys.stats(namespace), new Stats(Math.max(0, count), Math.max(0, totalTerms)).encode());
            durable.add(db.writeAsync(batch));
        }
        return forgotten;
    }

    private static void checkId(String id) {
        if (id == null || !MemoryIds.isWellFormed(id)) {
            throw new InvalidMemoryRequestException("id", "'" + (id == null ? "null" : MemoryLimits.abbreviate(id))
                    + "' is not a memory id (" + MemoryIds.LENGTH + " lowercase hex digits, as remember returns)");
        }
    }

    // ---------------------------------------------------------------- statistics

    /**
     * Memories and index terms counted in a namespace, for BM25's N and average length. Changed in the same batch
     * as the memories. A memory with a TTL stays in the stored count until its expiry entry is swept; until then
     * {@link #liveStats} leaves it out, so that recall never ranks by memories that are gone.
     */
    record Stats(long count, long terms) {
        byte[] encode() {
            return ByteBuffer.allocate(16).putLong(count).putLong(terms).array();
        }

        Stats without(long memories, long memoryTerms) {
            return new Stats(Math.max(0, count - memories), Math.max(0, terms - memoryTerms));
        }
    }

    /** The statistics of the live memories of {@code namespace}: the stored ones less the memories expired since. */
    private Stats liveStats(String namespace) {
        long expired = 0;
        long expiredTerms = 0;
        try (Stream<byte[]> keys = db.keys(MemoryKeys.expiredBy(namespace, clock.millis()))) {
            for (byte[] key : (Iterable<byte[]>) keys::iterator) {
                expired++;
                expiredTerms += MemoryKeys.expiryLength(key);
            }
        }
        return stats(namespace).without(expired, expiredTerms);
    }

    /**
     * Adds to {@code batch} the removal of up to {@link #SWEEP_BATCH} expiry entries due at {@code now}, and
     * returns the statistics without their memories, to be written in the same batch. REQUIRES: writeLock held.
     */
    private Stats sweepExpired(String namespace, WriteBatch batch, long now) {
        assert writeLock.isHeldByCurrentThread();
        long expired = 0;
        long expiredTerms = 0;
        try (Stream<byte[]> keys = db.keys(MemoryKeys.expiredBy(namespace, now)).limit(SWEEP_BATCH)) {
            for (byte[] key : (Iterable<byte[]>) keys::iterator) {
                batch.delete(key);
                expired++;
                expiredTerms += MemoryKeys.expiryLength(key);
            }
        }
        return stats(namespace).without(expired, expiredTerms);
    }

    private Stats stats(String namespace) {
        byte[] value = db.get(MemoryKeys.stats(namespace));
        if (value == null) {
            return new Stats(0, 0);
        }
        if (value.length != 16) {
            throw new FerrumException("namespace statistics of '" + namespace + "' hold " + value.length
                    + " bytes, expected 16: " + Arrays.toString(Arrays.copyOf(value, Math.min(value.length, 16))));
        }
        ByteBuffer buffer = ByteBuffer.wrap(value);
        return new Stats(buffer.getLong(), buffer.getLong());
    }
}
