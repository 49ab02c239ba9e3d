package io.ferrumdb.memory;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.KeyValue;
import io.ferrumdb.WriteBatch;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The one-time upgrade of a memory store written before {@code FF 06} expiry entries (session 22): its memories
 * with a TTL have no entry, so BM25's statistics ({@code FF 04}) counted them until forgotten, and memories that
 * had expired already are counted there with nothing left to say so. At the first writable open, for each
 * namespace: the missing expiry entries are added (batches of {@link #BATCH}; an entry that is there already is
 * left alone), then the statistics are recounted from what the store holds, as the writes keep them: every live
 * memory without a TTL plus every expiry entry not yet swept (each memory with a TTL has one, and the sweep
 * subtracts it once its time has come). Finally {@link MemoryKeys#EXPIRY_ENTRIES_COMPLETE} is written.
 *
 * <p>Crash-safe and idempotent: each step is one atomic batch that a rerun repeats to the same result, and the
 * engine's log keeps writes in order, so the marker is durable only after every step before it; a crash midway
 * leaves a store without the marker, which opens as before and whose next writable open finishes the upgrade.
 * It runs under the database's writer lock ({@link WriterLocks}), as remember and forget do: a memory remembered
 * by another instance between a namespace's recount and its write would otherwise be left out of the statistics.
 */
final class ExpiryEntryUpgrade {
    /** Expiry entries added per write batch. */
    static final int BATCH = 512;

    private ExpiryEntryUpgrade() {
    }

    /**
     * Upgrades the store in {@code db} if it needs it and can be written; a read-only handle changes nothing.
     * REQUIRES: the database's writer lock held.
     */
    static void runIfNeeded(FerrumDB db) {
        assert WriterLocks.of(db).isHeldByCurrentThread();
        if (db.options().readOnly() || !db.contains(MemoryKeys.FORMAT_MARKER)
                || db.contains(MemoryKeys.EXPIRY_ENTRIES_COMPLETE)) {
            return;
        }
        List<String> namespaces;
        try (Stream<byte[]> keys = db.keys(MemoryKeys.allStats())) {
            namespaces = keys.map(MemoryKeys::namespaceOfStats).collect(Collectors.toList());
        }
        for (String namespace : namespaces) {
            addMissingEntries(db, namespace);
            db.put(MemoryKeys.stats(namespace), recount(db, namespace).encode());
        }
        db.put(MemoryKeys.EXPIRY_ENTRIES_COMPLETE, MemoryKeys.EXPIRY_ENTRIES_COMPLETE_VALUE);
    }

    /** Writes the expiry entry of every live memory of {@code namespace} that has a TTL and no entry. */
    private static void addMissingEntries(FerrumDB db, String namespace) {
        List<byte[]> missing = new ArrayList<>();
        forEachMemory(db, namespace, stored -> {
            Optional<Instant> expiresAt = stored.stored().memory().expiresAt();
            if (expiresAt.isPresent()) {
                byte[] entry = MemoryKeys.expiry(namespace, expiresAt.get().toEpochMilli(), stored.id(),
                        stored.stored().terms());
                if (!db.contains(entry)) {
                    missing.add(entry);
                }
            }
        });
        for (int from = 0; from < missing.size(); from += BATCH) {
            WriteBatch batch = new WriteBatch();
            for (byte[] entry : missing.subList(from, Math.min(missing.size(), from + BATCH))) {
                batch.put(entry, new byte[0]);
            }
            db.write(batch);
        }
    }

    /** What the statistics of {@code namespace} are once every memory with a TTL has its expiry entry. */
    private static AgentMemory.Stats recount(FerrumDB db, String namespace) {
        long[] counted = new long[2];
        forEachMemory(db, namespace, stored -> {
            if (stored.stored().memory().expiresAt().isEmpty()) {
                counted[0]++;
                counted[1] += stored.stored().terms();
            }
        });
        try (Stream<byte[]> keys = db.keys(MemoryKeys.expiries(namespace))) {
            for (byte[] key : (Iterable<byte[]>) keys::iterator) {
                counted[0]++;
                counted[1] += MemoryKeys.expiryLength(key);
            }
        }
        return new AgentMemory.Stats(counted[0], counted[1]);
    }

    private record Found(String id, MemoryCodec.Stored stored) {
    }

    private static void forEachMemory(FerrumDB db, String namespace, Consumer<Found> action) {
        try (var it = db.iterate(MemoryKeys.memories(namespace))) {
            while (it.hasNext()) {
                KeyValue entry = it.next();
                String id = MemoryKeys.trailingId(entry.key());
                action.accept(new Found(id, MemoryCodec.decode(namespace, id, entry.value())));
            }
        }
    }
}
