package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FerrumDB#keyIterator}, the stream-free key walk the bindings' cursors use: the same keys as
 * {@link FerrumDB#keys(KeyRange)} for prefixes, bounds and descending ranges, expired keys hidden, and the
 * iterator's close contract.
 */
class KeyIteratorTest {
    private static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(T0);

    private FerrumDB open() {
        return FerrumDB.open(dir, Options.builder().orderedKeys(true).clock(clock).fsyncPolicy(FsyncPolicy.never())
                .autoCompaction(false).build());
    }

    @Test
    void walksPrefixesBoundsAndDescendingRangesLikeTheKeyStream() {
        try (FerrumDB db = open()) {
            for (String k : List.of("a", "ab", "abc", "abd", "b", "ba", "c")) {
                db.put(bytes(k), bytes("v-" + k));
            }
            db.delete(bytes("abc"));
            assertThat(walk(db, KeyRange.prefix(bytes("ab")))).containsExactly("ab", "abd");
            assertThat(walk(db, KeyRange.prefix(bytes("ab")).reversed())).containsExactly("abd", "ab");
            assertThat(walk(db, KeyRange.closedOpen(bytes("ab"), bytes("ba")))).containsExactly("ab", "abd", "b");
            assertThat(walk(db, KeyRange.all().reversed())).containsExactly("c", "ba", "b", "abd", "ab", "a");
            for (KeyRange r : List.of(KeyRange.all(), KeyRange.prefix(bytes("b")), KeyRange.all().reversed())) {
                assertThat(walk(db, r)).containsExactlyElementsOf(db.keys(r).map(KeyIteratorTest::s).toList());
                assertThat(db.count(r)).isEqualTo(walk(db, r).size());
            }
        }
    }

    @Test
    void hidesKeysThatExpiredBeforeTheWalkReachedThem() {
        try (FerrumDB db = open()) {
            db.put(bytes("k1"), bytes("v"));
            db.put(bytes("k2"), bytes("v"), Duration.ofSeconds(10));
            db.put(bytes("k3"), bytes("v"), Duration.ofSeconds(30));
            KeyIterator it = db.keyIterator(KeyRange.all());
            assertThat(s(it.next())).isEqualTo("k1");
            clock.advance(Duration.ofSeconds(20)); // k2 expires after the walk started, before it got there
            assertThat(it.hasNext()).isTrue();
            assertThat(s(it.next())).isEqualTo("k3");
            assertThat(it.hasNext()).isFalse();
            assertThat(walk(db, KeyRange.all())).containsExactly("k1", "k3");
            try (RangeIterator values = db.iterate(KeyRange.all())) {
                List<String> keys = new ArrayList<>();
                values.forEachRemaining(kv -> keys.add(s(kv.key())));
                assertThat(keys).containsExactly("k1", "k3");
            }
        }
    }

    @Test
    void closingTheDatabaseEndsEveryKeyWalk() {
        FerrumDB db = open();
        db.put(bytes("k1"), bytes("v"));
        db.put(bytes("k2"), bytes("v"));
        KeyIterator it = db.keyIterator(KeyRange.all());
        Iterator<byte[]> unordered = db.keys().iterator();
        Iterator<byte[]> ordered = db.keys(KeyRange.all()).iterator();
        assertThat(s(it.next())).isEqualTo("k1");
        db.close();
        // the keys are still in memory, but a closed database reports none of them
        assertThatThrownBy(it::hasNext).isInstanceOf(DatabaseClosedException.class);
        assertThatThrownBy(unordered::hasNext).isInstanceOf(DatabaseClosedException.class);
        assertThatThrownBy(ordered::hasNext).isInstanceOf(DatabaseClosedException.class);
    }

    @Test
    void closingEndsTheWalk() {
        try (FerrumDB db = open()) {
            db.put(bytes("k"), bytes("v"));
            KeyIterator it = db.keyIterator(KeyRange.all());
            it.close();
            it.close();
            assertThatThrownBy(it::hasNext).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        }
    }

    @Test
    void returnsArraysTheCallerOwns() {
        try (FerrumDB db = open()) {
            db.put(bytes("k"), bytes("v"));
            byte[] first = db.keyIterator(KeyRange.all()).next();
            first[0] = 'x';
            assertThat(walk(db, KeyRange.all())).containsExactly("k");
        }
    }

    private static List<String> walk(FerrumDB db, KeyRange range) {
        List<String> out = new ArrayList<>();
        try (KeyIterator it = db.keyIterator(range)) {
            it.forEachRemaining(k -> out.add(s(k)));
        }
        return out;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
