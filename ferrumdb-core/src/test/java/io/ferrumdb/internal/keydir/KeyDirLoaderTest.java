package io.ferrumdb.internal.keydir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.internal.format.HintFile;
import io.ferrumdb.internal.format.RecordFormat;
import io.ferrumdb.internal.format.SegmentHeader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link KeyDirLoader}: records of several segments loaded in any order end as "highest sequence wins per key",
 * deletes included, with tombstones kept in the key directory only while loading.
 */
class KeyDirLoaderTest {
    private static final byte[] DB = new byte[16];
    private static final byte PUT = RecordFormat.TYPE_PUT;
    private static final byte DELETE = RecordFormat.TYPE_DELETE;

    /** One record of a segment: type, key, sequence, expiry. Offsets are assigned in order. */
    private record Rec(byte type, String key, long sequence, long expiresAt) {
    }

    private static Rec put(String key, long sequence) {
        return new Rec(PUT, key, sequence, 0);
    }

    private static Rec put(String key, long sequence, long expiresAt) {
        return new Rec(PUT, key, sequence, expiresAt);
    }

    private static Rec del(String key, long sequence) {
        return new Rec(DELETE, key, sequence, 0);
    }

    /** The offset of the {@code index}th record of a segment built by {@link #hint}. */
    private static long at(int index) {
        return SegmentHeader.SIZE + 100L * index;
    }

    /** Asserts that {@code key}'s entry names the {@code index}th record of segment {@code id}. */
    private static void assertAt(KeyDir dir, String key, int id, int index, String why) {
        Location loc = dir.get(new Key(k(key)));
        assertThat(loc).as(why).isNotNull();
        assertThat(List.of(loc.segmentId(), loc.offset())).as(why).isEqualTo(List.of(id, at(index)));
    }

    private static byte[] k(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    /** The checked hint body of segment {@code id} holding {@code records}, walked in place by the loader. */
    private static HintFile.Cursor hint(int id, List<Rec> records) {
        HintFile.Builder b = new HintFile.Builder();
        long offset = SegmentHeader.SIZE;
        for (Rec r : records) {
            b.add(r.type(), k(r.key()), 100, offset, r.sequence(), r.expiresAt());
            offset += 100;
        }
        byte[] file = b.encode(id, DB, offset, HintFile.PLAIN);
        return HintFile.open(file, Path.of(id + ".hint"), DB, HintFile.PLAIN).check();
    }

    private static KeyDir load(boolean ordered, Map<Integer, List<Rec>> segments, List<Integer> order) {
        return load(ordered, segments, order, KeyDirLoader.CHUNK_ENTRIES);
    }

    /**
     * A directory to load {@code segments} into: keeping its keys in an arena (ordered or not), or, {@code inLog},
     * hash-only over the segments' "records" ({@link MapRecords}) with no hash bits beyond the 28-bit tag, so that
     * every record of a key already loaded (a put's or a delete's) is compared with the record its slot names.
     */
    private static KeyDir newDir(boolean ordered, boolean inLog, Map<Integer, List<Rec>> segments) {
        if (!inLog) {
            return new KeyDir(ordered, 16);
        }
        KeyDir dir = KeyDir.keysInLog(16, 0);
        MapRecords records = new MapRecords();
        segments.forEach((id, recs) -> {
            for (int i = 0; i < recs.size(); i++) {
                records.put(id, at(i), k(recs.get(i).key()));
            }
        });
        dir.keysInRecords(records);
        return dir;
    }

    private static KeyDir load(boolean ordered, Map<Integer, List<Rec>> segments, List<Integer> order,
                               int chunkEntries) {
        return load(newDir(ordered, false, segments), segments, order, chunkEntries);
    }

    private static KeyDir load(KeyDir dir, Map<Integer, List<Rec>> segments, List<Integer> order, int chunkEntries) {
        KeyDirLoader loader = new KeyDirLoader(dir, chunkEntries);
        for (int id : order) {
            loader.load(id, hint(id, segments.get(id)));
        }
        loader.finish();
        return dir;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aDeleteWinsOnlyOverOlderSequencesWhateverTheLoadOrder(boolean inLog) {
        // Compaction outputs carry higher ids than the segments they replace but older records: load order is
        // not sequence order.
        Map<Integer, List<Rec>> segs = Map.of(
                1, List.of(put("a", 1), put("b", 2), put("c", 3)),
                2, List.of(del("a", 4), del("b", 5), put("d", 6)),
                9, List.of(put("b", 7), put("a", 3), del("d", 2), put("e", 8), del("e", 7)));
        for (List<Integer> order : List.of(List.of(1, 2, 9), List.of(9, 2, 1), List.of(2, 9, 1))) {
            KeyDir dir = load(newDir(false, inLog, segs), segs, order, KeyDirLoader.CHUNK_ENTRIES);
            assertThat(dir.get(new Key(k("a")))).as("a deleted at 4, put at 1 and 3; order %s", order).isNull();
            assertAt(dir, "b", 9, 0, "b re-put at 7 after delete at 5, order " + order);
            assertAt(dir, "c", 1, 2, "c put at 3, order " + order);
            assertAt(dir, "d", 2, 2, "delete at 2 is older than put at 6, order " + order);
            assertAt(dir, "e", 9, 3, "delete at 7 older than put at 8, order " + order);
            assertThat(dir.size()).isEqualTo(4);
        }
    }

    @Test
    void aKeyDeletedThenPutAgainAcrossSegmentsIsLiveAtItsNewestLocation() {
        Map<Integer, List<Rec>> segs = Map.of(
                1, List.of(put("k", 1), put("other", 2)),
                2, List.of(del("k", 3)),
                3, List.of(put("k", 4)),
                4, List.of(del("k", 5)),
                5, List.of(put("k", 6)));
        for (List<Integer> order : List.of(List.of(1, 2, 3, 4, 5), List.of(5, 4, 3, 2, 1), List.of(3, 5, 1, 4, 2))) {
            KeyDir dir = load(true, segs, order);
            Location loc = dir.get(new Key(k("k")));
            assertThat(loc).as("order %s", order).isNotNull();
            assertThat(loc.segmentId()).isEqualTo(5);
            assertThat(loc.offset()).isEqualTo(at(0));
            assertThat(dir.size()).isEqualTo(2);
            dir.buildOrderedIndex();
            List<String> keys = new ArrayList<>();
            dir.orderedScan(null, null, false).keys().forEachRemaining(key -> keys.add(new String(key.bytes(),
                    StandardCharsets.UTF_8)));
            assertThat(keys).containsExactly("k", "other");
        }
    }

    @Test
    void tombstonesAreClearedAtTheEndAndNeverSeenAsKeys() {
        Map<Integer, List<Rec>> segs = Map.of(1, List.of(del("gone", 5), del("never-put", 6), put("x", 1)),
                2, List.of(put("gone", 2)));
        KeyDir dir = new KeyDir(true, 16);
        KeyDirLoader loader = new KeyDirLoader(dir);
        loader.load(1, hint(1, segs.get(1)));
        loader.load(2, hint(2, segs.get(2)));
        assertThat(loader.minSequence()).isEqualTo(2);
        assertThat(loader.maxSequence()).isEqualTo(2);
        assertThat(loader.finish()).isEqualTo(2);
        assertThat(dir.size()).isEqualTo(1);
        List<Location> all = new ArrayList<>();
        dir.forEachLocation(all::add);
        assertThat(all).containsExactly(new Location(1, at(2), 100, 0));
        assertThat(dir.entries()).toIterable().extracting(e -> new String(e.getKey().bytes(),
                StandardCharsets.UTF_8)).containsExactly("x");
        // A later put of a key that was a tombstone at open is an ordinary insert.
        dir.put(new Key(k("never-put")), new Location(3, SegmentHeader.SIZE, 50, 0));
        assertThat(dir.get(new Key(k("never-put")))).isEqualTo(new Location(3, SegmentHeader.SIZE, 50, 0));
        assertThat(dir.size()).isEqualTo(2);
    }

    /** The sequence numbers that decide which record wins are dropped when loading ends: later loads are refused. */
    @Test
    void loadingAfterFinishIsRefusedRatherThanDecidedWithoutSequenceNumbers() {
        KeyDir dir = new KeyDir(false, 16);
        KeyDirLoader loader = new KeyDirLoader(dir);
        loader.load(1, hint(1, List.of(put("a", 5))));
        loader.finish();
        assertThatThrownBy(() -> loader.load(2, hint(2, List.of(put("a", 1)))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("finished loading");
        assertAt(dir, "a", 1, 0, "the newer record loaded first stays");
    }

    @Test
    void expiredEntriesArePurgedAfterLoadingUnlessANewerRecordReplacedThem() {
        Map<Integer, List<Rec>> segs = Map.of(
                1, List.of(put("ttl", 1, 1_000), put("renewed", 2, 1_000), put("later", 3, 5_000)),
                2, List.of(put("renewed", 4), put("keep", 5)));
        KeyDir dir = load(false, segs, List.of(2, 1));
        assertThat(dir.mayHaveExpired(2_000)).isTrue();
        List<Location> purged = new ArrayList<>();
        dir.purgeExpired(2_000, purged::add);
        assertThat(purged).hasSize(1);
        assertThat(purged.get(0).segmentId()).isEqualTo(1);
        assertThat(purged.get(0).expiresAt()).isEqualTo(1_000);
        assertThat(dir.get(new Key(k("ttl")))).isNull();
        assertThat(dir.get(new Key(k("renewed"))).expiresAt()).isZero();
        assertThat(dir.get(new Key(k("later"))).expiresAt()).isEqualTo(5_000);
        assertThat(dir.size()).isEqualTo(3);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void liveBytesSumTheRecordsEntriesPointAtPerSegment(boolean inLog) {
        // a: put in 3, replaced by 7; b: put in 3; c: put in 7, deleted in 9; d: deleted in 9 (older), put in 3;
        // e: older put in 7 loaded after the newer one in 9.
        Map<Integer, List<Rec>> segs = Map.of(
                3, List.of(put("a", 1), put("b", 2), put("d", 10)),
                7, List.of(put("a", 3), put("c", 4), put("e", 5)),
                9, List.of(del("c", 6), del("d", 7), put("e", 8)));
        for (List<Integer> order : List.of(List.of(3, 7, 9), List.of(9, 7, 3), List.of(7, 9, 3))) {
            KeyDir dir = newDir(false, inLog, segs);
            KeyDirLoader loader = new KeyDirLoader(dir);
            for (int id : order) {
                loader.load(id, hint(id, segs.get(id)));
            }
            loader.finish();
            assertThat(new long[] {loader.liveBytes(3), loader.liveBytes(7), loader.liveBytes(9)})
                    .as("order %s", order).containsExactly(200, 100, 100);
            assertThat(loader.liveBytes(4)).as("a segment never loaded").isZero();
        }
    }

    /**
     * Many keys with random puts and deletes in shuffled segments, sized too small so that loading grows; ordered
     * (then scanned), or hash-only, comparing keys with the records only (tombstones with their delete records).
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void matchesAModelAtScaleAndThroughGrowthWithTombstones(boolean inLog) {
        SplittableRandom rnd = new SplittableRandom(42);
        Map<Integer, List<Rec>> segs = new HashMap<>();
        Map<String, Rec> newest = new HashMap<>();
        Map<String, List<Long>> newestAt = new HashMap<>();
        long seq = 0;
        for (int id = 1; id <= 12; id++) {
            List<Rec> recs = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                String key = "key-" + rnd.nextInt(5_000);
                Rec r = rnd.nextInt(4) == 0 ? del(key, ++seq) : put(key, ++seq);
                recs.add(r);
                newest.put(key, r);
                newestAt.put(key, List.of((long) id, at(i)));
            }
            segs.put(id, recs);
        }
        List<Integer> order = new ArrayList<>(segs.keySet());
        Collections.shuffle(order, new java.util.Random(7));
        KeyDir dir = newDir(!inLog, inLog, segs);
        KeyDirLoader loader = new KeyDirLoader(dir, 333); // each hint ordered in several chunks
        for (int id : order) {
            loader.load(id, hint(id, segs.get(id)));
        }
        loader.finish();
        long live = newest.values().stream().filter(r -> r.type() == PUT).count();
        assertThat(dir.size()).isEqualTo(live);
        // Live bytes as counted while loading: 100 bytes per key whose newest record (a put) is in the segment.
        Map<Integer, Long> liveBytes = new HashMap<>();
        segs.forEach((id, recs) -> recs.stream().filter(r -> r.type() == PUT && newest.get(r.key()) == r)
                .forEach(r -> liveBytes.merge(id, 100L, Long::sum)));
        for (int id : segs.keySet()) {
            assertThat(loader.liveBytes(id)).as("segment %d", id).isEqualTo(liveBytes.getOrDefault(id, 0L));
        }
        newest.forEach((key, r) -> {
            Location loc = dir.get(new Key(k(key)));
            if (r.type() == PUT) {
                assertThat(loc).as(key).isNotNull();
                assertThat(List.of((long) loc.segmentId(), loc.offset())).as(key).isEqualTo(newestAt.get(key));
            } else {
                assertThat(loc).as(key).isNull();
            }
        });
        assertThat(dir.keyBytesUsed()).as("key bytes in memory").isEqualTo(inLog ? 0
                : newest.keySet().stream().mapToLong(key -> 1 + key.length()).sum());
        if (inLog) {
            return;
        }
        // The ordered index is built from the references the loader noted, deleted keys' among them: a scan
        // shows exactly the live keys, in order, before and after later puts and removes.
        dir.buildOrderedIndex();
        java.util.TreeSet<String> model = new java.util.TreeSet<>();
        newest.forEach((key, r) -> {
            if (r.type() == PUT) {
                model.add(key);
            }
        });
        assertThat(scan(dir)).containsExactlyElementsOf(model);
        for (int i = 0; i < 5_000; i += 7) {
            String key = "key-" + i;
            if (i % 2 == 0) {
                dir.put(new Key(k(key)), new Location(20, SegmentHeader.SIZE, 100, 0));
                model.add(key);
            } else if (dir.remove(new Key(k(key))) != null) {
                model.remove(key);
            }
        }
        dir.applyQueuedOrderedChanges();
        assertThat(scan(dir)).containsExactlyElementsOf(model);
    }

    /**
     * Open applies a hint's entries in hash order, not file order: two records of one key with the same sequence
     * number in one hint must still resolve as in file order (the first stays), among enough other keys that
     * the hint's order has many buckets.
     */
    @Test
    void withinAHintTheFileOrderStillDecidesBetweenEqualSequences() {
        List<Rec> recs = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            recs.add(put("filler-" + i, 10 + i));
            if (i == 1_000) {
                recs.add(put("twice", 5));
            }
        }
        recs.add(put("twice", 5));
        recs.add(put("twice", 4));
        long firstOffset = SegmentHeader.SIZE + 100L * 1_001;
        // Whole, and in chunks (a large hint is ordered a chunk at a time), one boundary between the two records.
        for (int chunk : new int[] {KeyDirLoader.CHUNK_ENTRIES, 1_500, 7}) {
            KeyDir dir = load(false, Map.of(1, recs), List.of(1), chunk);
            assertThat(dir.get(new Key(k("twice"))).offset()).as("the first of two records with sequence 5,"
                    + " chunks of %d", chunk).isEqualTo(firstOffset);
            assertThat(dir.get(new Key(k("filler-2999"))).offset()).isEqualTo(SegmentHeader.SIZE + 100L * 3_000);
            assertThat(dir.size()).isEqualTo(3_001);
        }
    }

    /**
     * Open orders each hint on its reader thread while the loader still loads the hint before, and ordering reuses
     * the buffers of hints already loaded: hints ordered ahead, in several chunks each, must keep their own
     * buffers until they are loaded, whatever the thread that ordered them.
     */
    @Test
    void hintsOrderedAheadOnAnotherThreadKeepTheirOwnBuffers() throws Exception {
        Map<Integer, List<Rec>> segs = new HashMap<>();
        for (int id = 1; id <= 4; id++) {
            List<Rec> recs = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                recs.add(put("s" + id + "-key-" + i, id * 10_000L + i));
            }
            recs.add(put("shared", id)); // the newest, in segment 4, wins
            segs.put(id, recs);
        }
        HashOrderedHint.Orderer orderer = new HashOrderedHint.Orderer(300, true); // 4 chunks a hint
        java.util.concurrent.ExecutorService reader = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            KeyDir dir = new KeyDir(false, 16);
            KeyDirLoader loader = new KeyDirLoader(dir, 300);
            // Two hints ordered before either is loaded, a third after the first is loaded (reusing its buffers).
            var first = reader.submit(() -> orderer.order(hint(1, segs.get(1))));
            var second = reader.submit(() -> orderer.order(hint(2, segs.get(2))));
            loader.load(1, first.get());
            var third = reader.submit(() -> orderer.order(hint(3, segs.get(3))));
            var fourth = reader.submit(() -> orderer.order(hint(4, segs.get(4))));
            loader.load(2, second.get());
            loader.load(3, third.get());
            loader.load(4, fourth.get());
            loader.finish();
            assertThat(dir.size()).isEqualTo(4 * 1_000 + 1);
            for (int id = 1; id <= 4; id++) {
                for (int i = 0; i < 1_000; i += 37) {
                    assertAt(dir, "s" + id + "-key-" + i, id, i, "segment " + id + ", record " + i);
                }
                assertThat(loader.liveBytes(id)).as("segment %d", id).isEqualTo(id == 4 ? 100_100 : 100_000);
            }
            assertAt(dir, "shared", 4, 1_000, "the newest record of a key in every segment");
        } finally {
            reader.shutdownNow();
        }
    }

    @ParameterizedTest(name = "expected keys {0}")
    @ValueSource(longs = {16, HashOrderedHint.ORDER_FROM_KEYS})
    void anEmptyHintOrdersToNoChunkAndLoadsNothing(long expectedKeys) {
        KeyDir dir = new KeyDir(false, 16);
        KeyDirLoader loader = new KeyDirLoader(dir);
        HashOrderedHint empty = new HashOrderedHint.Orderer(expectedKeys).order(hint(1, List.of()));
        assertThat(empty.count()).isZero();
        loader.load(1, empty);
        assertThat(loader.minSequence()).isEqualTo(Long.MAX_VALUE);
        assertThat(loader.finish()).isZero();
        assertThat(dir.size()).isZero();
    }

    /**
     * Below {@link HashOrderedHint#ORDER_FROM_KEYS} open loads hints in file order, hashed in the walk that checks
     * them: the directory must be the one hash order gives, keys overwritten and deleted within a segment and
     * across segments loaded in any order included.
     */
    @ParameterizedTest(name = "ordered keys {0}")
    @ValueSource(booleans = {false, true})
    void hintsLoadedInFileOrderGiveTheDirectoryHashOrderGives(boolean orderedKeys) {
        SplittableRandom random = new SplittableRandom(18);
        Map<Integer, List<Rec>> segs = new HashMap<>();
        long sequence = 1;
        for (int id = 1; id <= 3; id++) {
            List<Rec> recs = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                String key = "key-" + random.nextInt(1_500);
                recs.add(random.nextInt(8) == 0 ? del(key, sequence++) : put(key, sequence++));
            }
            segs.put(id, recs);
        }
        for (List<Integer> order : List.of(List.of(1, 2, 3), List.of(3, 1, 2))) {
            KeyDir inHashOrder = new KeyDir(orderedKeys, 16);
            KeyDir inFileOrder = new KeyDir(orderedKeys, 16);
            KeyDirLoader hashLoader = new KeyDirLoader(inHashOrder, 700, true);
            KeyDirLoader fileLoader = new KeyDirLoader(inFileOrder, KeyDirLoader.CHUNK_ENTRIES, false);
            for (int id : order) {
                hashLoader.load(id, hint(id, segs.get(id)));
                fileLoader.load(id, hint(id, segs.get(id)));
                assertThat(fileLoader.maxSequence()).isEqualTo(hashLoader.maxSequence());
                assertThat(fileLoader.minSequence()).isEqualTo(hashLoader.minSequence());
            }
            assertThat(fileLoader.finish()).as("tombstones, order %s", order).isEqualTo(hashLoader.finish());
            assertThat(inFileOrder.size()).isEqualTo(inHashOrder.size()).isGreaterThan(1_000);
            for (int i = 0; i < 1_500; i++) {
                Location expected = inHashOrder.get(new Key(k("key-" + i)));
                Location actual = inFileOrder.get(new Key(k("key-" + i)));
                assertThat(actual == null ? null : List.of(actual.segmentId(), actual.offset()))
                        .as("key-%d, order %s", i, order)
                        .isEqualTo(expected == null ? null : List.of(expected.segmentId(), expected.offset()));
            }
            for (int id = 1; id <= 3; id++) {
                assertThat(fileLoader.liveBytes(id)).as("segment %d", id).isEqualTo(hashLoader.liveBytes(id));
            }
            if (orderedKeys) {
                assertThat(scan(inFileOrder)).isEqualTo(scan(inHashOrder));
            }
        }
    }

    /**
     * The walk that hashes the keys is the check (in file order, and in hash order for a hint of one chunk): an
     * inconsistent entry (checksum intact) or bytes after the last entry must be refused by
     * {@link HashOrderedHint.Orderer#order}, before the loader gets anything, as {@link HintFile.Cursor#check}
     * refuses them.
     */
    @ParameterizedTest(name = "expected keys {0}")
    @ValueSource(longs = {16, HashOrderedHint.ORDER_FROM_KEYS})
    void aDamagedHintIsRefusedByTheOrdererBeforeAnythingIsLoaded(long expectedKeys) {
        List<Rec> recs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            recs.add(put("key-" + i, i + 1));
        }
        HintFile.Builder b = new HintFile.Builder();
        for (int i = 0; i < recs.size(); i++) {
            b.add(PUT, k(recs.get(i).key()), 100, at(i), recs.get(i).sequence(), 0);
        }
        long dataLength = at(recs.size());
        int entry7 = HintFile.HEADER_SIZE + 7 * (HintFile.ENTRY_FIXED_SIZE + "key-0".length());
        byte[] beyond = b.encode(1, DB, dataLength, HintFile.PLAIN);
        io.ferrumdb.internal.format.Bytes.putI64(beyond, entry7 + 8, dataLength); // record 7 past the segment's end
        byte[] trailing = b.encode(1, DB, dataLength, HintFile.PLAIN);
        io.ferrumdb.internal.format.Bytes.putI32(trailing, 12, recs.size() - 1); // one entry fewer claimed
        HashOrderedHint.Orderer orderer = new HashOrderedHint.Orderer(expectedKeys);
        for (byte[] file : List.of(beyond, trailing)) {
            io.ferrumdb.internal.format.Bytes.putI32(file, file.length - 4,
                    io.ferrumdb.internal.format.Bytes.crc32c(file, 0, file.length - 4));
            HintFile.Cursor unchecked = HintFile.open(file, Path.of("1.hint"), DB, HintFile.PLAIN);
            assertThatThrownBy(() -> orderer.order(unchecked))
                    .isInstanceOf(io.ferrumdb.CorruptionException.class)
                    .hasMessageContaining(file == beyond ? "hint entry 7 is inconsistent" : "trailing bytes after 9");
            // In chunks (a hint larger than one chunk): checked whole before its first chunk is ordered.
            HintFile.Cursor again = HintFile.open(file, Path.of("1.hint"), DB, HintFile.PLAIN);
            assertThatThrownBy(() -> new HashOrderedHint.Orderer(3, true).order(again))
                    .isInstanceOf(io.ferrumdb.CorruptionException.class)
                    .hasMessageContaining(file == beyond ? "hint entry 7 is inconsistent" : "trailing bytes after 9");
        }
    }

    private static List<String> scan(KeyDir dir) {
        List<String> keys = new ArrayList<>();
        dir.orderedScan(null, null, false).keys().forEachRemaining(key -> keys.add(new String(key.bytes(),
                StandardCharsets.UTF_8)));
        return keys;
    }
}
