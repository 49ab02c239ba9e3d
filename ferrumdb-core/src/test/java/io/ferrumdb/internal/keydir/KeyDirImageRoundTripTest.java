package io.ferrumdb.internal.keydir;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.io.ForwardingStorageFile;
import io.ferrumdb.internal.io.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A key directory written as an image and read back: the same table memory byte for byte, every key with the same
 * location (expiry included), the same key order, and a directory that goes on working (puts, removes, growth).
 */
class KeyDirImageRoundTripTest {
    @TempDir
    Path tmp;

    private static final List<KeyDirImage.SegmentState> SEGMENTS = List.of(
            new KeyDirImage.SegmentState(1, 4096, 1, 500, 3000), new KeyDirImage.SegmentState(3, 812, 501, 900, 700));
    private static final byte[] DATABASE_ID = new byte[16];

    private static Key key(int i) {
        return new Key(("k" + (i * 7919 % 100_003)).getBytes(StandardCharsets.UTF_8));
    }

    /** Puts (some with a TTL), overwrites and removes, applied to the model too. */
    private static void fill(KeyDir dir, Map<Key, Location> model, int keys, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int op = 0; op < keys * 3; op++) {
            Key k = key(rnd.nextInt(keys));
            if (rnd.nextInt(5) == 0) {
                dir.remove(k);
                model.remove(k);
            } else {
                Location loc = new Location(1 + rnd.nextInt(3), rnd.nextInt(1 << 20), 30 + rnd.nextInt(100),
                        rnd.nextInt(4) == 0 ? 5_000_000 + rnd.nextInt(1000) : 0);
                dir.put(k, loc);
                model.put(k, loc);
            }
        }
    }

    /** Files the last {@link #roundTrip} wrote, and what {@code mapPrivate} it made (a count per call). */
    private Path written;
    private int mapped;

    /**
     * Writes {@code dir}'s image and loads it back, mapped copy-on-write ({@code map}) or read into fresh memory (the
     * path of Windows, read-only opens and version-1 images).
     */
    private KeyDir roundTrip(KeyDir dir, String name, boolean map) throws IOException {
        Path file = tmp.resolve(name + "-" + map);
        written = file;
        try (StorageFile f = FileIO.nio().create(file)) {
            KeyDirImage.write(dir, f, DATABASE_ID, SEGMENTS);
        }
        assertThat(Files.size(file) % 8).as("an image ends on 8 bytes plus its checksum").isEqualTo(4);
        mapped = 0;
        try (StorageFile f = new ForwardingStorageFile(FileIO.nio().open(file, map)) {
            @Override
            public ByteBuffer mapPrivate(long position, int size) throws IOException {
                assertThat(position % 8).as("a mapped area's start").isZero();
                mapped++;
                return super.mapPrivate(position, size);
            }
        }) {
            KeyDirImage.Header header = KeyDirImage.Header.read(f, file);
            assertThat(header.version()).isEqualTo(2);
            assertThat(header.segments()).isEqualTo(SEGMENTS);
            assertThat(header.maxSequence()).isEqualTo(900);
            assertThat(header.databaseId()).isEqualTo(DATABASE_ID);
            KeyDir back = header.load(f, map);
            assertThat(mapped > 0).as("areas mapped").isEqualTo(map);
            return back;
        } catch (KeyDirImage.Invalid e) {
            throw new AssertionError("a fresh image is refused: " + e.getMessage(), e);
        }
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static Map<Key, Location> entries(KeyDir dir) {
        Map<Key, Location> out = new HashMap<>();
        for (Iterator<Map.Entry<Key, Location>> it = dir.entries(); it.hasNext(); ) {
            Map.Entry<Key, Location> e = it.next();
            assertThat(out.put(e.getKey(), e.getValue())).as("key seen twice").isNull();
        }
        return out;
    }

    private static List<Key> scanned(KeyDir dir) {
        List<Key> keys = new ArrayList<>();
        OrderedScan scan = dir.orderedScan(null, null, false);
        while (scan.next()) {
            keys.add(scan.key());
        }
        return keys;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void orderedDirectoryComesBackWhole(boolean map) throws IOException {
        for (boolean scanFirst : new boolean[] {false, true}) {
            KeyDir dir = new KeyDir(true, 100);
            Map<Key, Location> model = new HashMap<>();
            fill(dir, model, 3000, 1);
            if (scanFirst) {
                // Builds the index: the image then holds the sorted references, dead ones of removed keys among them.
                assertThat(scanned(dir)).hasSize(model.size());
                fill(dir, model, 3500, 2);
            }
            KeyDir back = roundTrip(dir, "ordered-" + scanFirst, map);
            byte[] image = Files.readAllBytes(written);
            assertThat(bytes(back.table.slotMemory())).isEqualTo(bytes(dir.table.slotMemory()));
            assertThat(bytes(back.table.expiryMemory())).isEqualTo(bytes(dir.table.expiryMemory()));
            assertThat(entries(back)).isEqualTo(model);
            assertThat(back.size()).isEqualTo(model.size());
            TreeMap<String, Key> sorted = new TreeMap<>();
            model.keySet().forEach(k -> sorted.put(new String(k.bytes(), StandardCharsets.UTF_8), k));
            assertThat(scanned(back)).containsExactlyElementsOf(sorted.values());
            // The TTLs are queued again: every entry with one expires.
            List<Location> expired = new ArrayList<>();
            back.purgeExpired(6_000_000, expired::add);
            assertThat(expired).hasSize((int) model.values().stream().filter(l -> l.expiresAt() != 0).count());
            // And the restored directory goes on: growth, new keys, removes.
            model.values().removeIf(l -> l.expiresAt() != 0);
            fill(back, model, 20_000, 3);
            assertThat(entries(back)).isEqualTo(model);
            sorted.clear();
            model.keySet().forEach(k -> sorted.put(new String(k.bytes(), StandardCharsets.UTF_8), k));
            assertThat(scanned(back)).containsExactlyElementsOf(sorted.values());
            assertThat(Files.readAllBytes(written)).as("the image file after the changes").isEqualTo(image);
        }
    }

    /**
     * An arena of more than one chunk: whole chunks come mapped, the partly filled last one is fresh memory, and the
     * keys appended after the load (into that chunk, then new ones) sit beside the mapped keys, in order.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void anArenaOfSeveralChunksGoesOnAfterTheLoad(boolean map) throws IOException {
        KeyDir dir = new KeyDir(true, 100);
        TreeMap<String, Key> model = new TreeMap<>();
        for (int i = 0; i < 40_000; i++) {
            putLong(dir, model, i);
        }
        assertThat(dir.arena().bytesUsed()).as("arena bytes").isGreaterThan(2L * KeyArena.CHUNK_SIZE)
                .matches(n -> n % KeyArena.CHUNK_SIZE != 0, "ends inside a chunk");
        assertThat(scanned(dir)).hasSize(model.size());
        KeyDir back = roundTrip(dir, "arena", map);
        byte[] image = Files.readAllBytes(written);
        for (int i = 40_000; i < 70_000; i++) {
            putLong(back, model, i);
        }
        for (int i = 0; i < 70_000; i += 7) {
            back.remove(key56(i));
            model.remove(new String(key56(i).bytes(), StandardCharsets.UTF_8));
        }
        assertThat(scanned(back)).containsExactlyElementsOf(model.values());
        for (Key k : model.values()) {
            assertThat(back.get(k)).as("%s", k).isNotNull();
        }
        assertThat(Files.readAllBytes(written)).as("the image file after the changes").isEqualTo(image);
    }

    /** A 56-byte key: about 19,000 fill a chunk of the arena. */
    private static Key key56(int i) {
        return new Key(String.format("%08d-%047d", i * 7919L % 1_000_003, i).getBytes(StandardCharsets.UTF_8));
    }

    private static void putLong(KeyDir dir, TreeMap<String, Key> model, int i) {
        Key k = key56(i);
        dir.put(k, new Location(1, 64L * i, 100, 0));
        model.put(new String(k.bytes(), StandardCharsets.UTF_8), k);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void hashOnlyDirectoryComesBackWithTheSameTable(boolean map) throws IOException {
        KeyDir dir = KeyDir.keysInLog(100, KeyDir.DEFAULT_KEY_HASH_BITS);
        MapRecords records = new MapRecords();
        dir.keysInRecords(records);
        Map<Key, Location> model = new HashMap<>();
        SplittableRandom rnd = new SplittableRandom(4);
        putInLog(dir, records, model, rnd, 0, 5000, 4000);
        KeyDir back = roundTrip(dir, "hash-only", map);
        byte[] image = Files.readAllBytes(written);
        back.keysInRecords(records);
        assertThat(back.keysInLog()).isTrue();
        assertThat(bytes(back.table.slotMemory())).isEqualTo(bytes(dir.table.slotMemory()));
        assertThat(back.table.expiryMemory()).isNull();
        for (Map.Entry<Key, Location> e : model.entrySet()) {
            assertThat(back.get(e.getKey())).isEqualTo(e.getValue());
        }
        assertThat(back.size()).isEqualTo(model.size());
        // Slot writes in place (on a mapping: on private copies of its pages).
        putInLog(back, records, model, rnd, 5000, 12_000, 9000);
        for (Map.Entry<Key, Location> e : model.entrySet()) {
            assertThat(back.get(e.getKey())).isEqualTo(e.getValue());
        }
        assertThat(Files.readAllBytes(written)).as("the image file after the changes").isEqualTo(image);
    }

    /** Puts records {@code from} to {@code to} (random keys below {@code keys}) in segment 2 and in {@code dir}. */
    private static void putInLog(KeyDir dir, MapRecords records, Map<Key, Location> model, SplittableRandom rnd,
                                 int from, int to, int keys) {
        for (int i = from; i < to; i++) {
            Key k = key(rnd.nextInt(keys));
            long offset = 64L * i;
            records.put(2, offset, k.bytes());
            Location loc = new Location(2, offset, 40, 0);
            dir.put(k, loc);
            model.put(k, loc);
        }
    }
}
