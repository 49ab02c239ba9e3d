package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.state.Action;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.state.ActionChainArbitrary;
import net.jqwik.api.state.Transformer;

/**
 * Random sequences of put, put with TTL, delete, batch, clock advance, compaction, close and reopen, and range,
 * prefix and reversed scans, checked step by step against a {@code TreeMap<byte[], ...>} ordered by
 * {@link Arrays#compareUnsigned}. Keys are drawn from a tiny alphabet with 0x00 and 0xFF so that they collide,
 * prefix each other and sit at the ends of the order; values up to 300 bytes roll 4 KiB segments. Some scans have
 * writes (and a compaction) land after their first entries and are held to {@link RangeIterator}'s weak
 * consistency rules against the model before and after those writes. The same chains
 * run with {@code always()} and power losses ({@link FaultFileIO#crash()}) between the steps too: every step was
 * acknowledged, so the database reopens as the model says, and with an empty recovery report (the zero tail the writer
 * keeps ahead of its records is not reported, FORMAT.md "Zero tail").
 */
class ModelStatefulTest {
    private static final boolean SOAK = Boolean.getBoolean("ferrumdb.soak");
    private static final List<Machine> MACHINES = new ArrayList<>();

    @Property(tries = 20)
    void databaseBehavesLikeTheModel(@ForAll("chains") ActionChain<Machine> chain) {
        chain.withInvariant("matches the model", Machine::checkAgainstModel).run();
    }

    @Property(tries = 10)
    void alwaysSurvivesPowerLossLikeTheModel(@ForAll("crashChains") ActionChain<Machine> chain) {
        chain.withInvariant("matches the model", Machine::checkAgainstModel).run();
    }

    /** Issue 5: the model test in encrypted mode, with power losses between the steps. */
    @Property(tries = 8)
    void encryptedDatabaseBehavesLikeTheModel(@ForAll("encryptedChains") ActionChain<Machine> chain) {
        chain.withInvariant("matches the model", Machine::checkAgainstModel).run();
    }

    @AfterTry
    void closeMachines() {
        synchronized (MACHINES) {
            MACHINES.forEach(Machine::dispose);
            MACHINES.clear();
        }
    }

    @Provide
    Arbitrary<ActionChain<Machine>> chains() {
        return withActions(ActionChain.startWith(() -> new Machine(FsyncPolicy.never(), false)));
    }

    @Provide
    Arbitrary<ActionChain<Machine>> crashChains() {
        return withPowerLoss(withActions(ActionChain.startWith(() -> new Machine(FsyncPolicy.always(), false))));
    }

    @Provide
    Arbitrary<ActionChain<Machine>> encryptedChains() {
        return withPowerLoss(withActions(ActionChain.startWith(() -> new Machine(FsyncPolicy.always(), true))));
    }

    private static ActionChainArbitrary<Machine> withPowerLoss(ActionChainArbitrary<Machine> chain) {
        return chain.withAction(1, Action.just("power loss and reopen",
                Transformer.mutate("power loss and reopen", Machine::powerLoss)));
    }

    private static ActionChainArbitrary<Machine> withActions(ActionChainArbitrary<Machine> chain) {
        return chain
                .withAction(4, (Action.Independent<Machine>) () -> Combinators.combine(keys(), values())
                        .as((k, v) -> Transformer.mutate("put " + hex(k) + " " + v.length + "B", m -> m.put(k, v))))
                .withAction(2, (Action.Independent<Machine>) () -> Combinators.combine(keys(), values(),
                                Arbitraries.longs().between(1, 4000))
                        .as((k, v, ttl) -> Transformer.mutate("put " + hex(k) + " ttl " + ttl + "ms",
                                m -> m.putWithTtl(k, v, Duration.ofMillis(ttl)))))
                .withAction(2, (Action.Independent<Machine>) () -> keys()
                        .map(k -> Transformer.mutate("delete " + hex(k), m -> m.delete(k))))
                .withAction(2, (Action.Independent<Machine>) () -> batchOps().list().ofMinSize(1).ofMaxSize(6)
                        .map(ops -> Transformer.mutate("batch " + ops, m -> m.batch(ops))))
                .withAction(1, (Action.Independent<Machine>) () -> Arbitraries.longs().between(0, 3000)
                        .map(ms -> Transformer.mutate("advance clock " + ms + "ms", m -> m.advance(ms))))
                .withAction(1, Action.just("close and reopen", Transformer.mutate("close and reopen", Machine::reopen)))
                .withAction(1, Action.just("compact", Transformer.mutate("compact", Machine::compact)))
                .withAction(3, (Action.Independent<Machine>) () -> ranges()
                        .map(r -> Transformer.mutate("scan " + r, m -> m.scan(r))))
                .withAction(2, (Action.Independent<Machine>) () -> Combinators.combine(ranges(),
                                Arbitraries.integers().between(0, 4), batchOps().list().ofMinSize(1).ofMaxSize(6),
                                Arbitraries.of(false, true))
                        .as((r, before, writes, compact) -> Transformer.mutate("scan " + r + " with " + writes
                                + (compact ? " and compaction" : "") + " after " + before + " entries",
                                m -> m.scanWhileWriting(r, before, writes, compact))))
                .withMaxTransformations(SOAK ? 600 : 70);
    }

    // ------------------------------------------------------------------ generators

    private static final byte[] ALPHABET = {0x00, 0x01, 0x61, 0x7F, (byte) 0x80, (byte) 0xFE, (byte) 0xFF};

    static Arbitrary<byte[]> keys() {
        return Arbitraries.of(ALPHABET[0], ALPHABET[1], ALPHABET[2], ALPHABET[3], ALPHABET[4], ALPHABET[5],
                ALPHABET[6]).array(byte[].class).ofMaxSize(3);
    }

    static Arbitrary<byte[]> values() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
    }

    /** One operation of a batch; {@code value} null means delete, {@code ttlMillis} 0 means no TTL. */
    record BatchOp(byte[] key, byte[] value, long ttlMillis) {
        @Override
        public String toString() {
            return value == null ? "del " + hex(key) : "put " + hex(key) + (ttlMillis > 0 ? " ttl " + ttlMillis : "");
        }
    }

    static Arbitrary<BatchOp> batchOps() {
        return Combinators.combine(keys(), values().injectNull(0.3), Arbitraries.longs().between(1, 4000),
                        Arbitraries.integers().between(0, 3))
                .as((k, v, ttl, withTtl) -> new BatchOp(k, v, v != null && withTtl == 0 ? ttl : 0));
    }

    enum RangeKind { ALL, CLOSED_OPEN, AT_LEAST, LESS_THAN, PREFIX }

    /** A range to scan, described independently of KeyRange so the model can evaluate it on its own. */
    record RangeSpec(RangeKind kind, byte[] a, byte[] b, boolean reversed) {
        KeyRange toKeyRange() {
            KeyRange r = switch (kind) {
                case ALL -> KeyRange.all();
                case CLOSED_OPEN -> KeyRange.closedOpen(a, b);
                case AT_LEAST -> KeyRange.atLeast(a);
                case LESS_THAN -> KeyRange.lessThan(b);
                case PREFIX -> KeyRange.prefix(a);
            };
            return reversed ? r.reversed() : r;
        }

        boolean matches(byte[] key) {
            return switch (kind) {
                case ALL -> true;
                case CLOSED_OPEN -> (a == null || Arrays.compareUnsigned(key, a) >= 0)
                        && (b == null || Arrays.compareUnsigned(key, b) < 0);
                case AT_LEAST -> Arrays.compareUnsigned(key, a) >= 0;
                case LESS_THAN -> Arrays.compareUnsigned(key, b) < 0;
                case PREFIX -> key.length >= a.length && Arrays.equals(key, 0, a.length, a, 0, a.length);
            };
        }

        @Override
        public String toString() {
            return kind + "(" + (a == null ? "null" : hex(a)) + ", " + (b == null ? "null" : hex(b)) + ")"
                    + (reversed ? " reversed" : "");
        }
    }

    static Arbitrary<RangeSpec> ranges() {
        return Combinators.combine(Arbitraries.of(RangeKind.class), keys().injectNull(0.2), keys().injectNull(0.2),
                        Arbitraries.of(true, false))
                .as((kind, a, b, reversed) -> new RangeSpec(kind,
                        a == null && (kind == RangeKind.AT_LEAST || kind == RangeKind.PREFIX) ? new byte[0] : a,
                        b == null && kind == RangeKind.LESS_THAN ? new byte[0] : b, reversed));
    }

    static String hex(byte[] b) {
        return "0x" + History.HEX.formatHex(b);
    }

    // ------------------------------------------------------------------ the system under test and its model

    /** A model's value of a key and when it expires (0: never); {@link StagedPutsModelTest} keeps the same. */
    record Entry(byte[] value, long expiresAt) {
        boolean liveAt(long now) {
            return expiresAt == 0 || expiresAt > now;
        }
    }

    /** Closes a chain's database (if still open) and deletes its directory, after a try. */
    static void closeAndDelete(FerrumDB db, Path dir) {
        if (!db.isClosed()) {
            db.close();
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
            Files.delete(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static final class Machine {
        private final Path dir;
        private final FsyncPolicy policy;
        private final boolean encrypted;
        private final MutableClock clock = new MutableClock(1_700_000_000_000L);
        private final FaultFileIO io = new FaultFileIO(1);
        private final NavigableMap<byte[], Entry> model = new TreeMap<>(Arrays::compareUnsigned);
        private FerrumDB db;

        Machine(FsyncPolicy policy, boolean encrypted) {
            this.policy = policy;
            this.encrypted = encrypted;
            try {
                dir = Files.createTempDirectory("ferrumdb-model");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            synchronized (MACHINES) {
                MACHINES.add(this);
            }
            db = open();
        }

        private FerrumDB open() {
            // Durability is the crash chains' business: elsewhere never() spares a flusher hand-off per write, and
            // FaultFileIO spares the real fsyncs of close and segment rolls, keeping every other file operation real.
            Options options = Options.builder().segmentSize(4096).clock(clock).fsyncPolicy(policy)
                    .fileIO(io.session()).build();
            return FerrumDB.open(dir, encrypted ? EncryptedOptions.encrypted(options) : options);
        }

        private long now() {
            return clock.millis();
        }

        void put(byte[] k, byte[] v) {
            db.put(k, v);
            model.put(k, new Entry(v, 0));
        }

        void putWithTtl(byte[] k, byte[] v, Duration ttl) {
            db.put(k, v, ttl);
            model.put(k, new Entry(v, now() + ttl.toMillis()));
        }

        void delete(byte[] k) {
            Entry e = model.remove(k);
            boolean wasLive = e != null && e.liveAt(now());
            assertThat(db.delete(k)).as("delete(%s) result", hex(k)).isEqualTo(wasLive);
        }

        void batch(List<BatchOp> ops) {
            WriteBatch wb = new WriteBatch();
            for (BatchOp op : ops) {
                if (op.value() == null) {
                    wb.delete(op.key());
                } else if (op.ttlMillis() > 0) {
                    wb.put(op.key(), op.value(), Duration.ofMillis(op.ttlMillis()));
                } else {
                    wb.put(op.key(), op.value());
                }
            }
            db.write(wb);
            for (BatchOp op : ops) {
                if (op.value() == null) {
                    model.remove(op.key());
                } else {
                    model.put(op.key(), new Entry(op.value(), op.ttlMillis() > 0 ? now() + op.ttlMillis() : 0));
                }
            }
        }

        void advance(long millis) {
            clock.advance(Duration.ofMillis(millis));
        }

        /** Compaction must change nothing visible; the next actions (reopen among them) check that. */
        void compact() {
            CompactionResult r = db.compact();
            assertThat(r.bytesRead()).as("compaction accounting").isEqualTo(r.bytesWritten() + r.bytesReclaimed());
            assertThat(db.stats().deadBytes()).as("no dead bytes right after a full compaction")
                    .isLessThanOrEqualTo(db.stats().segments().size() * 64L);
        }

        void reopen() {
            db.close();
            db = open();
            assertThat(db.recoveryReport()).as("nothing to recover after a clean close").isEmpty();
        }

        /** Power is lost after the last step was acknowledged (always()): nothing to recover but the zero tail. */
        void powerLoss() {
            io.crash();
            try {
                db.close();
            } catch (FerrumException expected) {
                // The crashed instance's files are gone from under it; close says so.
            }
            db = open();
            assertThat(db.recoveryReport()).as("nothing to recover: every step was acknowledged").isEmpty();
        }

        void scan(RangeSpec spec) {
            long now = now();
            List<Map.Entry<byte[], Entry>> expected = model.entrySet().stream()
                    .filter(e -> e.getValue().liveAt(now) && spec.matches(e.getKey()))
                    .collect(Collectors.toCollection(ArrayList::new));
            if (spec.reversed()) {
                java.util.Collections.reverse(expected);
            }
            List<String> expectedPairs = expected.stream()
                    .map(e -> hex(e.getKey()) + "=" + hex(e.getValue().value())).toList();
            List<String> expectedKeys = expected.stream().map(e -> hex(e.getKey())).toList();
            KeyRange range = spec.toKeyRange();
            List<String> actual = new ArrayList<>();
            try (RangeIterator it = db.iterate(range)) {
                it.forEachRemaining(kv -> actual.add(hex(kv.key()) + "=" + hex(kv.value())));
            }
            assertThat(actual).as("iterate(%s)", spec).containsExactlyElementsOf(expectedPairs);
            assertThat(db.keys(range).map(ModelStatefulTest::hex)).as("keys(%s)", spec)
                    .containsExactlyElementsOf(expectedKeys);
            assertThat(db.count(range)).as("count(%s)", spec).isEqualTo(expected.size());
            assertThat(db.firstKey(range).map(ModelStatefulTest::hex)).as("firstKey(%s)", spec)
                    .isEqualTo(expectedKeys.stream().findFirst());
            Optional<String> last = expectedKeys.isEmpty() ? Optional.empty()
                    : Optional.of(expectedKeys.get(expectedKeys.size() - 1));
            assertThat(db.lastKey(range).map(ModelStatefulTest::hex)).as("lastKey(%s)", spec).isEqualTo(last);
        }

        /**
         * Scans {@code spec}, applying {@code writes} (and a compaction) after the first {@code before} entries, and
         * holds the result to RangeIterator's weak consistency: entries in range order (so each key at most once),
         * none deleted or expired before the scan began, each with a value it had before or was written during
         * the scan, and every key the writes left alone with its value from before.
         */
        void scanWhileWriting(RangeSpec spec, int before, List<BatchOp> writes, boolean compactToo) {
            long now = now();
            Map<String, String> atStart = new TreeMap<>();
            model.forEach((k, e) -> {
                if (e.liveAt(now) && spec.matches(k)) {
                    atStart.put(hex(k), hex(e.value()));
                }
            });
            Map<String, List<String>> written = new TreeMap<>();
            for (BatchOp op : writes) {
                written.computeIfAbsent(hex(op.key()), k -> new ArrayList<>())
                        .add(op.value() == null ? null : hex(op.value()));
            }
            List<KeyValue> seen = new ArrayList<>();
            try (RangeIterator it = db.iterate(spec.toKeyRange())) {
                while (seen.size() < before && it.hasNext()) {
                    seen.add(it.next());
                }
                batch(writes);
                if (compactToo) {
                    db.compact();
                }
                it.forEachRemaining(seen::add);
            }
            Comparator<byte[]> order = spec.reversed() ? (x, y) -> Arrays.compareUnsigned(y, x)
                    : Arrays::compareUnsigned;
            for (int i = 1; i < seen.size(); i++) {
                assertThat(order.compare(seen.get(i - 1).key(), seen.get(i).key())).as("%s: %s after %s", spec,
                        hex(seen.get(i).key()), hex(seen.get(i - 1).key())).isNegative();
            }
            Map<String, String> returned = new TreeMap<>();
            for (KeyValue kv : seen) {
                String k = hex(kv.key());
                assertThat(spec.matches(kv.key())).as("%s returned %s", spec, k).isTrue();
                List<String> possible = new ArrayList<>(written.getOrDefault(k, List.of()));
                possible.add(atStart.get(k));
                assertThat(possible).as("%s: value of %s, live before the scan or written during it", spec, k)
                        .contains(hex(kv.value()));
                returned.put(k, hex(kv.value()));
            }
            atStart.forEach((k, v) -> {
                if (!written.containsKey(k)) {
                    assertThat(returned).as("%s: a key no write touched", spec).containsEntry(k, v);
                }
            });
        }

        void checkAgainstModel() {
            long now = now();
            long live = model.values().stream().filter(e -> e.liveAt(now)).count();
            for (Map.Entry<byte[], Entry> e : model.entrySet()) {
                byte[] expected = e.getValue().liveAt(now) ? e.getValue().value() : null;
                assertThat(db.get(e.getKey())).as("get(%s)", hex(e.getKey())).isEqualTo(expected);
                assertThat(db.contains(e.getKey())).as("contains(%s)", hex(e.getKey())).isEqualTo(expected != null);
            }
            assertThat(db.size()).as("size()").isEqualTo(live);
            assertThat(db.keys().map(ModelStatefulTest::hex).sorted()).as("keys()")
                    .containsExactlyElementsOf(model.entrySet().stream().filter(e -> e.getValue().liveAt(now))
                            .map(e -> hex(e.getKey())).sorted(Comparator.naturalOrder()).toList());
        }

        void dispose() {
            closeAndDelete(db, dir);
        }

        @Override
        public String toString() {
            return "Machine[" + model.size() + " keys in the model]";
        }
    }
}
