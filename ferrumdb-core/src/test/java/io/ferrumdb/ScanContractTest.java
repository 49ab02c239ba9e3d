package io.ferrumdb;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rules of issue 12 that the model tests do not reach: every ordered view refuses a hash-only database with an
 * IllegalStateException naming the option (never sorting the key directory instead), an inverted range is empty in
 * every view, an iterator left open neither blocks a compaction nor loses the entries that compaction moved, and
 * key-only views read no values.
 */
class ScanContractTest {
    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    private FerrumDB open(boolean orderedKeys) {
        return FerrumDB.open(dir, Options.builder().orderedKeys(orderedKeys).fsyncPolicy(FsyncPolicy.never())
                .segmentSize(4096).autoCompaction(false).build());
    }

    @Test
    void everyOrderedViewOfAHashOnlyDatabaseNamesTheOption() {
        try (FerrumDB db = open(false)) {
            db.put(b("a"), b("1"));
            List<Consumer<KeyRange>> views = List.of(r -> db.iterate(r).close(), r -> db.keys(r).count(),
                    db::count, db::firstKey, db::lastKey, r -> db.keyIterator(r).close());
            for (Consumer<KeyRange> view : views) {
                for (KeyRange r : List.of(KeyRange.all(), KeyRange.prefix(b("a")), KeyRange.all().reversed())) {
                    assertThatThrownBy(() -> view.accept(r)).as("%s", r).isInstanceOf(IllegalStateException.class)
                            .hasMessageContaining("orderedKeys(true)");
                }
            }
            assertThat(db.get(b("a"))).as("point reads still work").isEqualTo(b("1"));
        }
    }

    /** A KeyRange is an immutable value, so users compare and hash ranges (as Guava's Range) by bounds and order. */
    @Test
    void rangesAreValuesEqualByBoundsAndDirection() {
        assertThat(KeyRange.prefix(b("ab"))).isEqualTo(KeyRange.prefix(b("ab")))
                .isEqualTo(KeyRange.closedOpen(b("ab"), b("ac"))).hasSameHashCodeAs(KeyRange.prefix(b("ab")));
        assertThat(KeyRange.all()).isEqualTo(KeyRange.closedOpen(null, null)).isEqualTo(KeyRange.all().reversed()
                .reversed()).isNotEqualTo(KeyRange.all().reversed());
        assertThat(KeyRange.atLeast(b("a"))).isNotEqualTo(KeyRange.lessThan(b("a")))
                .isNotEqualTo(KeyRange.atLeast(b("b"))).isNotEqualTo(null).isNotEqualTo("a");
        assertThat(KeyRange.prefix(b("a")).reversed()).isEqualTo(KeyRange.closedOpen(b("a"), b("b")).reversed())
                .hasSameHashCodeAs(KeyRange.closedOpen(b("a"), b("b")).reversed());
        assertThat(java.util.Set.of(KeyRange.prefix(b("x")), KeyRange.prefix(b("y")))).contains(KeyRange.prefix(b("x")));
    }

    @Test
    void aRangeWhoseFromIsAfterItsToIsEmptyInEveryView() {
        try (FerrumDB db = open(true)) {
            for (String k : List.of("a", "b", "c")) {
                db.put(b(k), b(k));
            }
            for (KeyRange r : List.of(KeyRange.closedOpen(b("c"), b("a")), KeyRange.closedOpen(b("b"), b("b")),
                    KeyRange.closedOpen(b("c"), b("a")).reversed())) {
                try (RangeIterator it = db.iterate(r)) {
                    assertThat(it.hasNext()).as("%s", r).isFalse();
                }
                assertThat(db.keys(r)).as("%s", r).isEmpty();
                assertThat(db.count(r)).as("%s", r).isZero();
                assertThat(db.firstKey(r)).as("%s", r).isEmpty();
                assertThat(db.lastKey(r)).as("%s", r).isEmpty();
            }
        }
    }

    @Test
    void anIteratorLeftOpenDoesNotBlockCompactionAndReadsTheMovedEntries() {
        try (FerrumDB db = open(true)) {
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String k = String.format("k%03d", i);
                db.put(b(k), b("old-" + i + "-" + "x".repeat(40)));
                expected.add(k + "=" + (i % 2 == 0 ? "new-" + i : "old-" + i + "-" + "x".repeat(40)));
            }
            List<String> seen = new ArrayList<>();
            try (RangeIterator it = db.iterate(KeyRange.all())) {
                for (int i = 0; i < 10; i++) {
                    KeyValue kv = it.next();
                    seen.add(new String(kv.key(), UTF_8) + "=" + new String(kv.value(), UTF_8));
                }
                for (int i = 0; i < 200; i += 2) {
                    db.put(b(String.format("k%03d", i)), b("new-" + i));
                }
                CompactionResult result = db.compact();
                assertThat(result.segmentsCompacted()).as("the open iterator did not hold compaction back")
                        .isPositive();
                it.forEachRemaining(kv -> seen.add(new String(kv.key(), UTF_8) + "=" + new String(kv.value(),
                        UTF_8)));
            }
            // The first ten were read before the overwrites; every later entry is read after the compaction.
            assertThat(seen.subList(10, seen.size())).containsExactlyElementsOf(expected.subList(10, 200));
        }
    }

    /** A flipped bit in a stored value fails the value scan, so the key-only views passing shows they never read it. */
    @Test
    void keyOnlyViewsReadNoValues() {
        try (FerrumDB db = open(true)) {
            for (int i = 0; i < 100; i++) {
                db.put(b(String.format("k%03d", i)), b("v".repeat(200)));
            }
        }
        SegmentLayout.Rec victim = SegmentLayout.records(dir).get(3);
        SegmentLayout.flipBit(victim.file(), victim.offset() + victim.size() - 1, 0);
        try (FerrumDB db = open(true)) {
            assertThat(db.keys(KeyRange.all())).hasSize(100);
            assertThat(db.count(KeyRange.all())).isEqualTo(100);
            try (KeyIterator it = db.keyIterator(KeyRange.all())) {
                int n = 0;
                while (it.hasNext()) {
                    it.next();
                    n++;
                }
                assertThat(n).isEqualTo(100);
            }
            assertThat(db.lastKey(KeyRange.prefix(victim.key()))).contains(victim.key());
            assertThatThrownBy(() -> {
                try (RangeIterator it = db.iterate(KeyRange.all())) {
                    it.forEachRemaining(kv -> { });
                }
            }).as("the value scan reads the damaged value").isInstanceOf(CorruptionException.class);
        }
    }
}
