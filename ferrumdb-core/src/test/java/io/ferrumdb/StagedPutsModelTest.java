package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.ModelStatefulTest.Entry;
import io.ferrumdb.internal.directory.FileNames;
import io.ferrumdb.internal.format.RecordFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.state.Action;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.state.ActionChainArbitrary;
import net.jqwik.api.state.Transformer;

/**
 * Staged single puts (ARCHITECTURE.md, "The key directory") through the public API, against a {@code TreeMap}
 * model, in the kinds of key directory: ordered (keys in the arena), hash-only (keys compared with their
 * records), hash-only with no hash bits beyond the tag (every probe of a drain compares records), ordered and
 * encrypted, under {@code never()}, {@code always()} and {@code periodic}.
 *
 * <p>Unlike {@link ModelStatefulTest}, whose step check calls {@code size()} and {@code keys()} (each drains the
 * stage, so the stage never holds more than one step's puts), the check after each step only reads: GET and
 * {@code contains} of every key the chains can write, absent ones included, so a step's keys stay staged across
 * later steps until something drains them. Bursts of up to 40 single puts (and asynchronous ones) over 57 short
 * keys fill the stage (32 entries), replace staged entries and drain at a full stage and at rolls of 4 KiB
 * segments; 64-byte keys are the longest staged; keys of 65 bytes (never staged), puts with a TTL, deletes and
 * batches drain the stage from the other paths.
 *
 * <p>Whole-directory steps (size, scans, stats, compaction, reopen) drain and are checked exactly, and stats'
 * live bytes against a recount from the model: the record size of every live key ({@link RecordFormat#HEADER_SIZE}
 * + key + value), so an entry replaced in the stage or by a drain that was not released (or released twice)
 * shows. A reopen compares each segment's live bytes before the close, after the open from the key directory image,
 * and after an open from the hint files alone.
 */
class StagedPutsModelTest {
    private static final boolean SOAK = Boolean.getBoolean("ferrumdb.soak");
    private static final List<Machine> MACHINES = new ArrayList<>();

    /**
     * The kinds of key directory: ordered keys (an arena), hash-only with the default hash bits beyond the tag or with
     * none, and ordered and encrypted (its records carry the GCM tag, 16 bytes, and it has no image).
     */
    enum Kind {
        ORDERED(true, 0, false), HASH_ONLY(false, io.ferrumdb.internal.keydir.KeyDir.DEFAULT_KEY_HASH_BITS, false),
        HASH_ONLY_SHARED_HEADERS(false, 0, false), ENCRYPTED(true, 0, true);

        final boolean ordered;
        final int extraHashBits;
        final boolean encrypted;

        Kind(boolean ordered, int extraHashBits, boolean encrypted) {
            this.ordered = ordered;
            this.extraHashBits = extraHashBits;
            this.encrypted = encrypted;
        }

        /** Bytes a record takes beyond its header, key and value. */
        int recordOverhead() {
            return encrypted ? 16 : 0;
        }
    }

    @Property(tries = 12)
    void orderedNever(@ForAll("orderedNeverChains") ActionChain<Machine> chain) {
        chain.withInvariant("reads match the model", Machine::checkReads).run();
    }

    @Property(tries = 8)
    void hashOnlyAlways(@ForAll("hashOnlyAlwaysChains") ActionChain<Machine> chain) {
        chain.withInvariant("reads match the model", Machine::checkReads).run();
    }

    @Property(tries = 12)
    void sharedHeadersNever(@ForAll("sharedHeadersNeverChains") ActionChain<Machine> chain) {
        chain.withInvariant("reads match the model", Machine::checkReads).run();
    }

    @Property(tries = 6)
    void encryptedNever(@ForAll("encryptedNeverChains") ActionChain<Machine> chain) {
        chain.withInvariant("reads match the model", Machine::checkReads).run();
    }

    @Property(tries = 8)
    void orderedPeriodic(@ForAll("orderedPeriodicChains") ActionChain<Machine> chain) {
        chain.withInvariant("reads match the model", Machine::checkReads).run();
    }

    @AfterTry
    void closeMachines() {
        synchronized (MACHINES) {
            MACHINES.forEach(Machine::dispose);
            MACHINES.clear();
        }
    }

    @Provide
    Arbitrary<ActionChain<Machine>> orderedNeverChains() {
        return chains(Kind.ORDERED, FsyncPolicy.never());
    }

    @Provide
    Arbitrary<ActionChain<Machine>> hashOnlyAlwaysChains() {
        return chains(Kind.HASH_ONLY, FsyncPolicy.always());
    }

    @Provide
    Arbitrary<ActionChain<Machine>> sharedHeadersNeverChains() {
        return chains(Kind.HASH_ONLY_SHARED_HEADERS, FsyncPolicy.never());
    }

    @Provide
    Arbitrary<ActionChain<Machine>> encryptedNeverChains() {
        return chains(Kind.ENCRYPTED, FsyncPolicy.never());
    }

    @Provide
    Arbitrary<ActionChain<Machine>> orderedPeriodicChains() {
        return chains(Kind.ORDERED, FsyncPolicy.periodic(Duration.ofMillis(3)));
    }

    private static Arbitrary<ActionChain<Machine>> chains(Kind kind, FsyncPolicy policy) {
        ActionChainArbitrary<Machine> chain = ActionChain.startWith(() -> new Machine(kind, policy));
        return chain
                .withAction(6, (Action.Independent<Machine>) () -> puts().list().ofMinSize(1).ofMaxSize(40)
                        .map(ps -> Transformer.mutate("puts " + ps, m -> m.puts(ps, false))))
                .withAction(1, (Action.Independent<Machine>) () -> puts().list().ofMinSize(1).ofMaxSize(40)
                        .map(ps -> Transformer.mutate("putAsync " + ps, m -> m.puts(ps, true))))
                .withAction(1, (Action.Independent<Machine>) () -> Combinators.combine(keys(), values(),
                                Arbitraries.longs().between(1, 4000))
                        .as((k, v, ttl) -> Transformer.mutate("put " + hex(k) + " ttl " + ttl,
                                m -> m.putWithTtl(k, v, ttl))))
                .withAction(2, (Action.Independent<Machine>) () -> keys()
                        .map(k -> Transformer.mutate("delete " + hex(k), m -> m.delete(k))))
                .withAction(1, (Action.Independent<Machine>) () -> puts().list().ofMinSize(1).ofMaxSize(8)
                        .flatMap(ps -> Arbitraries.integers().between(0, ps.size()).map(d -> Tuple.of(ps, d)))
                        .map(t -> Transformer.mutate("batch " + t.get1() + " deleting the first " + t.get2(),
                                m -> m.batch(t.get1(), t.get2()))))
                .withAction(1, (Action.Independent<Machine>) () -> Arbitraries.longs().between(0, 3000)
                        .map(ms -> Transformer.mutate("advance " + ms + "ms", m -> m.clock.advance(
                                Duration.ofMillis(ms)))))
                .withAction(1, Action.just("stats", Transformer.mutate("stats", Machine::checkStats)))
                .withAction(1, Action.just("scan", Transformer.mutate("scan", Machine::scan)))
                .withAction(1, Action.just("compact", Transformer.mutate("compact", Machine::compact)))
                .withAction(1, Action.just("reopen", Transformer.mutate("reopen", m -> m.reopen(false))))
                .withAction(1, Action.just("reopen from hints", Transformer.mutate("reopen from hints",
                        m -> m.reopen(true))))
                .withMaxTransformations(SOAK ? 400 : 60);
    }

    // ------------------------------------------------------------------ generators

    private static final byte[] ALPHABET = {0x00, 0x01, 0x61, 0x7F, (byte) 0x80, (byte) 0xFE, (byte) 0xFF};
    /**
     * Long keys: 64 bytes, the longest the stage takes ({@code StagedKeys.MAX_KEY}), and 65, put straight into the
     * table; {@link #LONG_KEY_ENDS} tells them apart.
     */
    private static final List<Integer> LONG_KEY_LENGTHS = List.of(64, 65);
    private static final List<Byte> LONG_KEY_ENDS = List.of((byte) 0x00, (byte) 0x61, (byte) 0xFF);

    /**
     * Short keys of up to two bytes of {@link #ALPHABET} (57 keys, the empty one included: more than the stage holds,
     * so bursts of puts fill it), and the long keys.
     */
    static Arbitrary<byte[]> keys() {
        Arbitrary<byte[]> shortKeys = Arbitraries.of(ALPHABET[0], ALPHABET[1], ALPHABET[2], ALPHABET[3],
                ALPHABET[4], ALPHABET[5], ALPHABET[6]).array(byte[].class).ofMaxSize(2);
        Arbitrary<byte[]> longKeys = Combinators.combine(Arbitraries.of(LONG_KEY_LENGTHS),
                Arbitraries.of(LONG_KEY_ENDS)).as(StagedPutsModelTest::longKey);
        return Arbitraries.frequencyOf(Tuple.of(10, shortKeys), Tuple.of(1, longKeys));
    }

    private static byte[] longKey(int length, byte last) {
        byte[] k = new byte[length];
        Arrays.fill(k, (byte) 0x61);
        k[length - 1] = last;
        return k;
    }

    /** Every key {@link #keys} can give: the check after each step reads them all. */
    private static final List<byte[]> UNIVERSE = universe();

    private static List<byte[]> universe() {
        List<byte[]> all = new ArrayList<>();
        all.add(new byte[0]);
        for (byte a : ALPHABET) {
            all.add(new byte[] {a});
            for (byte b : ALPHABET) {
                all.add(new byte[] {a, b});
            }
        }
        for (int length : LONG_KEY_LENGTHS) {
            for (byte last : LONG_KEY_ENDS) {
                all.add(longKey(length, last));
            }
        }
        return List.copyOf(all);
    }

    static Arbitrary<byte[]> values() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(120);
    }

    record Put(byte[] key, byte[] value) {
        @Override
        public String toString() {
            return hex(key) + "=" + value.length + "B";
        }
    }

    static Arbitrary<Put> puts() {
        return Combinators.combine(keys(), values()).as(Put::new);
    }

    static String hex(byte[] b) {
        return b.length > 2 ? "long" + b.length + "-" + History.HEX.formatHex(b, b.length - 1, b.length)
                : History.HEX.formatHex(b);
    }

    // ------------------------------------------------------------------ the machine

    static final class Machine {
        private final Kind kind;
        private final FsyncPolicy policy;
        private final Path dir;
        final MutableClock clock = new MutableClock(1_700_000_000_000L);
        private final NavigableMap<byte[], Entry> model = new TreeMap<>(Arrays::compareUnsigned);
        private FerrumDB db;

        Machine(Kind kind, FsyncPolicy policy) {
            this.kind = kind;
            this.policy = policy;
            try {
                dir = Files.createTempDirectory("ferrumdb-staged-model");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            synchronized (MACHINES) {
                MACHINES.add(this);
            }
            db = open();
        }

        private FerrumDB open() {
            Options.Builder b = Options.builder().segmentSize(4096).clock(clock).fsyncPolicy(policy)
                    .autoCompaction(false).orderedKeys(kind.ordered);
            if (!kind.ordered) {
                b.keyHashBits(kind.extraHashBits);
            }
            return FerrumDB.open(dir, kind.encrypted ? EncryptedOptions.encrypted(b.build()) : b.build());
        }

        private long now() {
            return clock.millis();
        }

        void puts(List<Put> puts, boolean async) {
            List<CompletableFuture<Void>> pending = new ArrayList<>();
            for (Put p : puts) {
                if (async) {
                    pending.add(db.putAsync(p.key(), p.value()));
                } else {
                    db.put(p.key(), p.value());
                }
                model.put(p.key(), new Entry(p.value(), 0));
            }
            pending.forEach(CompletableFuture::join);
        }

        void putWithTtl(byte[] k, byte[] v, long ttlMillis) {
            db.put(k, v, Duration.ofMillis(ttlMillis));
            model.put(k, new Entry(v, now() + ttlMillis));
        }

        void delete(byte[] k) {
            Entry e = model.remove(k);
            assertThat(db.delete(k)).as("delete(%s)", hex(k)).isEqualTo(e != null && e.liveAt(now()));
        }

        /** A batch of {@code puts}, the keys of its first {@code deletes} deleted after their puts, in the batch. */
        void batch(List<Put> puts, int deletes) {
            WriteBatch wb = new WriteBatch();
            for (Put p : puts) {
                wb.put(p.key(), p.value());
            }
            for (int i = 0; i < deletes; i++) {
                wb.delete(puts.get(i).key());
            }
            db.write(wb);
            puts.forEach(p -> model.put(p.key(), new Entry(p.value(), 0)));
            puts.subList(0, deletes).forEach(p -> model.remove(p.key()));
        }

        /**
         * The step check: reads only (GET, contains, the memory-only GET), so that staged keys stay staged (a read
         * never drains, but after damage).
         */
        void checkReads() {
            long now = now();
            for (byte[] k : UNIVERSE) {
                Entry e = model.get(k);
                byte[] expected = e != null && e.liveAt(now) ? e.value() : null;
                assertThat(db.get(k)).as("get(%s)", hex(k)).isEqualTo(expected);
                assertThat(db.contains(k)).as("contains(%s)", hex(k)).isEqualTo(expected != null);
                // No disk I/O: any answer may be "not in memory", but one given must be right.
                MemoryRead inMemory = db.getIfInMemory(k);
                if (inMemory instanceof MemoryRead.Found found) {
                    assertThat(found.value()).as("getIfInMemory(%s)", hex(k)).isEqualTo(expected);
                } else if (inMemory == MemoryRead.ABSENT) {
                    assertThat(expected).as("getIfInMemory(%s) said absent", hex(k)).isNull();
                }
            }
        }

        private List<byte[]> liveKeys() {
            long now = now();
            return model.entrySet().stream().filter(e -> e.getValue().liveAt(now)).map(Map.Entry::getKey).toList();
        }

        /** Bytes of the live keys' records: what stats must count live, whatever staged, drained or compacted. */
        private long recountedLiveBytes() {
            long now = now();
            return model.entrySet().stream().filter(e -> e.getValue().liveAt(now))
                    .mapToLong(e -> RecordFormat.HEADER_SIZE + e.getKey().length + e.getValue().value().length
                            + kind.recordOverhead())
                    .sum();
        }

        void checkStats() {
            Stats s = db.stats();
            assertThat(s.liveKeys()).as("stats live keys").isEqualTo(liveKeys().size());
            assertThat(s.liveBytes()).as("stats live bytes against the model's records")
                    .isEqualTo(recountedLiveBytes());
            assertThat(s.segments().stream().mapToLong(Stats.SegmentStats::liveBytes).sum()).as("segments' live bytes")
                    .isEqualTo(s.liveBytes());
            assertThat(s.segments()).as("no segment has more live bytes than it has bytes")
                    .allMatch(seg -> seg.liveBytes() >= 0 && seg.liveBytes() <= seg.totalBytes());
            assertThat(db.size()).as("size()").isEqualTo(liveKeys().size());
        }

        void scan() {
            List<String> expected = liveKeys().stream().map(StagedPutsModelTest::hex).toList();
            if (kind.ordered) {
                List<String> pairs = new ArrayList<>();
                try (RangeIterator it = db.iterate(KeyRange.all())) {
                    it.forEachRemaining(kv -> {
                        assertThat(kv.value()).as("scanned value of %s", hex(kv.key()))
                                .isEqualTo(model.get(kv.key()).value());
                        pairs.add(hex(kv.key()));
                    });
                }
                assertThat(pairs).as("iterate(all)").containsExactlyElementsOf(expected);
                List<String> reversed = new ArrayList<>(expected);
                Collections.reverse(reversed);
                try (Stream<byte[]> keys = db.keys(KeyRange.all().reversed())) {
                    assertThat(keys.map(StagedPutsModelTest::hex).toList()).as("keys(all reversed)")
                            .containsExactlyElementsOf(reversed);
                }
            } else {
                try (Stream<byte[]> keys = db.keys()) {
                    assertThat(keys.map(StagedPutsModelTest::hex).toList()).as("keys()")
                            .containsExactlyInAnyOrderElementsOf(expected);
                }
            }
        }

        void compact() {
            db.compact();
            checkStats();
        }

        /** Each segment's live bytes (segments without any left out: an empty active one is discarded at close). */
        private Map<Long, Long> liveBySegment() {
            Map<Long, Long> live = new TreeMap<>();
            for (Stats.SegmentStats s : db.stats().segments()) {
                if (s.liveBytes() != 0) {
                    live.put(s.id(), s.liveBytes());
                }
            }
            return live;
        }

        void reopen(boolean fromHints) {
            Map<Long, Long> before = liveBySegment();
            db.close();
            if (fromHints) {
                try {
                    Files.deleteIfExists(dir.resolve(FileNames.KEYDIR));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            db = open();
            assertThat(db.recoveryReport()).as("nothing to recover after a clean close").isEmpty();
            assertThat(liveBySegment()).as("each segment's live bytes after the open %s",
                    fromHints ? "from the hints" : "from the image").isEqualTo(before);
            checkStats();
        }

        void dispose() {
            ModelStatefulTest.closeAndDelete(db, dir);
        }

        @Override
        public String toString() {
            return "Machine[" + kind + ", " + model.size() + " keys in the model]";
        }
    }
}
