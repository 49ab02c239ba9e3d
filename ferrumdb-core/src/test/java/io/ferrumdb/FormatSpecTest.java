package io.ferrumdb;

import static io.ferrumdb.BasicOperationsTest.b;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FORMAT.md tested by example: an independent reader written from the spec alone (no engine classes) must see
 * exactly what the engine sees. It reads segment data (not hints), so it also checks that hints agree with data.
 */
class FormatSpecTest {
    @TempDir
    Path dir;

    record Rec(int type, byte[] key, byte[] value, long seq, long expiry) {
    }

    @Test
    void independentReaderAgreesWithTheEngine() throws IOException {
        MutableClock clock = new MutableClock(1_700_000_000_000L);
        Options o = Options.builder().segmentSize(4096).clock(clock).autoCompaction(false).build();
        Map<String, String> expected = new TreeMap<>();
        try (FerrumDB db = FerrumDB.open(dir, o)) {
            for (int i = 0; i < 120; i++) {
                db.put(b("k" + i), b("v" + i));
            }
            db.write(new WriteBatch().put(b("batch1"), b("x")).delete(b("k3")).put(b("k4"), b("new4")));
            db.put(b("ttl"), b("gone"), Duration.ofSeconds(1));
            db.delete(b("k5"));
            db.compact();
            db.put(b("after"), b("compaction"));
            db.keys().forEach(k -> expected.put(new String(k, StandardCharsets.UTF_8),
                    new String(db.get(k), StandardCharsets.UTF_8)));
        }
        clock.advance(Duration.ofSeconds(2));
        expected.remove("ttl");
        assertThat(readBySpec(dir, clock.millis())).isEqualTo(expected);
        try (FerrumDB db = FerrumDB.open(dir, o)) {
            assertThat(db.size()).isEqualTo(expected.size());
        }
    }

    /**
     * A crash under always() leaves the active segment with a zero tail (FORMAT.md, "Zero tail"): the reader ends
     * that segment's log where only zeros remain and sees what the engine sees.
     */
    @Test
    void independentReaderEndsTheLogAtAZeroTail() throws IOException {
        MutableClock clock = new MutableClock(1_700_000_000_000L);
        FaultFileIO io = new FaultFileIO(5);
        Options o = Options.builder().segmentSize(64 << 10).clock(clock).autoCompaction(false)
                .fsyncPolicy(FsyncPolicy.always()).build();
        FerrumDB db = FerrumDB.open(dir, io.forOneOpen(o));
        for (int i = 0; i < 700; i++) {
            db.put(b("k" + i), b("v" + i + "-".repeat(i % 90)));
        }
        db.write(new WriteBatch().put(b("batch1"), b("x")).delete(b("k3")));
        io.crash();
        try {
            db.close();
        } catch (FerrumException expected) {
            // The crashed instance's files are gone from under it.
        }
        Map<String, String> bySpec = readBySpec(dir, clock.millis());
        Map<String, String> expected = new TreeMap<>();
        try (FerrumDB reopened = FerrumDB.open(dir, o.toBuilder().readOnly(true).build())) {
            assertThat(reopened.recoveryReport()).isEmpty();
            reopened.keys().forEach(k -> expected.put(new String(k, StandardCharsets.UTF_8),
                    new String(reopened.get(k), StandardCharsets.UTF_8)));
        }
        assertThat(expected).hasSize(700);
        assertThat(bySpec).isEqualTo(expected);
    }

    /** Reads a plaintext database following FORMAT.md, "Reading a database". */
    static Map<String, String> readBySpec(Path dir, long nowMillis) throws IOException {
        byte[] meta = Files.readAllBytes(dir.resolve("META"));
        assertThat(new String(meta, 0, 8, StandardCharsets.US_ASCII)).isEqualTo("FDBMETA1");
        assertThat(crc(meta, 0, 40)).isEqualTo(ByteBuffer.wrap(meta).getInt(40));
        byte[] dbId = Arrays.copyOfRange(meta, 16, 32);
        assertThat(Files.exists(dir.resolve("COMPACTION"))).isFalse();
        List<Path> segments;
        try (Stream<Path> s = Files.list(dir)) {
            segments = s.filter(p -> p.getFileName().toString().matches("\\d{10}\\.seg")).sorted()
                    .collect(Collectors.toList());
        }
        Map<String, Rec> newest = new HashMap<>();
        for (Path seg : segments) {
            ByteBuffer f = ByteBuffer.wrap(Files.readAllBytes(seg));
            byte[] h = new byte[64];
            f.get(0, h);
            assertThat(new String(h, 0, 8, StandardCharsets.US_ASCII)).isEqualTo("FDBSEG01");
            assertThat(f.getShort(8)).isBetween((short) 1, (short) 2);
            assertThat(crc(h, 0, 60)).isEqualTo(f.getInt(60));
            assertThat(f.getLong(16)).isEqualTo(Long.parseLong(seg.getFileName().toString().substring(0, 10)));
            assertThat(Arrays.copyOfRange(h, 24, 40)).isEqualTo(dbId);
            int pos = 64;
            List<Rec> unit = new java.util.ArrayList<>();
            boolean mayEndInZeros = f.getShort(8) >= 2 && !Files.exists(dir.resolve(
                    seg.getFileName().toString().replace(".seg", ".hint"))) && (f.getShort(10) & 2) == 0;
            while (pos < f.limit()) {
                if (mayEndInZeros && onlyZerosFrom(f, pos)) {
                    break;
                }
                int k = Short.toUnsignedInt(f.getShort(pos + 6));
                int v = f.getInt(pos + 8);
                int size = 28 + k + v;
                byte[] rec = new byte[size];
                f.get(pos, rec);
                assertThat(crc(rec, 4, size - 4)).as("CRC at %s:%d", seg, pos).isEqualTo(f.getInt(pos));
                unit.add(new Rec(rec[4], Arrays.copyOfRange(rec, 28, 28 + k), Arrays.copyOfRange(rec, 28 + k, size),
                        f.getLong(pos + 12), f.getLong(pos + 20)));
                if ((rec[5] & 1) != 0) {
                    for (Rec r : unit) {
                        String key = new String(r.key, StandardCharsets.UTF_8);
                        Rec old = newest.get(key);
                        if (old == null || r.seq > old.seq) {
                            newest.put(key, r);
                        }
                    }
                    unit.clear();
                }
                pos += size;
            }
            assertThat(unit).as("incomplete unit in a cleanly closed database").isEmpty();
        }
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, Rec> e : newest.entrySet()) {
            Rec r = e.getValue();
            if (r.type == 1 && (r.expiry == 0 || r.expiry > nowMillis)) {
                out.put(e.getKey(), new String(r.value, StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static boolean onlyZerosFrom(ByteBuffer f, int pos) {
        for (int i = pos; i < f.limit(); i++) {
            if (f.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    private static int crc(byte[] b, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(b, off, len);
        return (int) c.getValue();
    }
}
