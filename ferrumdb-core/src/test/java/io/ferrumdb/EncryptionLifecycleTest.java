package io.ferrumdb;

import static io.ferrumdb.EncryptionTest.assertNoMarker;
import static io.ferrumdb.EncryptionTest.b;
import static io.ferrumdb.EncryptionTamperTest.recordOffsets;
import static io.ferrumdb.EncryptionTamperTest.recordSize;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Encryption across compaction, backup, crashes and reopening: nonces never repeat, nothing leaks. */
class EncryptionLifecycleTest {
    @TempDir
    Path dir;

    static Options options() {
        return EncryptedOptions.builder().segmentSize(8192).autoCompaction(false).build();
    }

    @Test
    void noPlaintextAfterCompactionAndBackup() throws IOException {
        List<byte[]> markers = List.of(b("COMPACTKEYMARK"), b("COMPACTVALUEMARK"));
        Path backup = dir.resolveSibling(dir.getFileName() + "-backup");
        try (FerrumDB db = FerrumDB.open(dir, options())) {
            for (int round = 0; round < 4; round++) {
                for (int i = 0; i < 60; i++) {
                    db.put(b("COMPACTKEYMARK-" + i), b("COMPACTVALUEMARK-" + round + "-" + i + "-" + "z".repeat(40)));
                }
            }
            CompactionResult r = db.compact();
            assertThat(r.segmentsCompacted()).isPositive();
            assertNoMarker(dir, markers);
            db.backup(backup);
        }
        assertNoMarker(dir, markers);
        assertNoMarker(backup, markers);
        assertThat(backup.resolve("KEY")).exists();
        assertThatThrownBy(() -> FerrumDB.open(backup)).isInstanceOf(EncryptionKeyException.class);
        for (Path d : List.of(dir, backup)) {
            try (FerrumDB db = FerrumDB.open(d, options())) {
                for (int i = 0; i < 60; i++) {
                    assertThat(db.get(b("COMPACTKEYMARK-" + i)))
                            .isEqualTo(b("COMPACTVALUEMARK-3-" + i + "-" + "z".repeat(40)));
                }
            }
        }
    }

    /**
     * Every (segment salt, record offset) pair ever written, with the record written there: a pair seen again
     * with other bytes would be a nonce reused under one subkey.
     */
    private final Map<String, byte[]> nonces = new HashMap<>();
    private final Map<String, String> saltOwners = new HashMap<>();

    private void harvest(Path d) throws IOException {
        try (Stream<Path> files = Files.list(d)) {
            for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".seg")).toList()) {
                byte[] seg = Files.readAllBytes(p);
                if (seg.length < 64) {
                    continue;
                }
                String salt = HexFormat.of().formatHex(seg, 40, 56);
                String id = p.getFileName().toString();
                String owner = saltOwners.putIfAbsent(salt, id);
                assertThat(owner == null || owner.equals(id)).as("salt of %s reused by %s", owner, id).isTrue();
                for (int off : recordOffsets(seg)) {
                    if (off + 28 > seg.length || off + recordSize(seg, off) > seg.length) {
                        break;
                    }
                    byte[] rec = Arrays.copyOfRange(seg, off, off + recordSize(seg, off));
                    byte[] before = nonces.putIfAbsent(salt + ":" + off, rec);
                    assertThat(before == null || Arrays.equals(before, rec))
                            .as("nonce (salt %s, offset %d) used for two different records", salt, off).isTrue();
                }
            }
        }
    }

    @Test
    void noncesNeverRepeatAcrossReopensCrashesAndCompaction() throws IOException {
        Random random = new Random(42);
        Path fork = dir.resolveSibling(dir.getFileName() + "-crashed");
        for (int session = 0; session < 6; session++) {
            try (FerrumDB db = FerrumDB.open(dir, options())) {
                for (int i = 0; i < 150; i++) {
                    db.put(b("k" + random.nextInt(80)), new byte[random.nextInt(120)]);
                    if (i % 17 == 0) {
                        db.delete(b("k" + random.nextInt(80)));
                    }
                }
                if (session % 2 == 1) {
                    db.compact();
                }
                if (session == 2) {
                    // A crash image taken while the database is open (no compaction in this session, so the active
                    // segment is the newest), then given a torn tail.
                    db.sync();
                    Files.createDirectories(fork);
                    for (Path p : Files.list(dir).toList()) {
                        Files.copy(p, fork.resolve(p.getFileName()));
                    }
                }
                harvest(dir);
            }
            harvest(dir);
        }
        Path newest;
        try (Stream<Path> files = Files.list(fork)) {
            newest = files.filter(f -> f.getFileName().toString().endsWith(".seg")).sorted()
                    .reduce((a, c) -> c).orElseThrow();
        }
        byte[] torn = Files.readAllBytes(newest);
        Files.write(newest, Arrays.copyOf(torn, torn.length - 7));
        for (int session = 0; session < 2; session++) {
            try (FerrumDB db = FerrumDB.open(fork, options())) {
                for (int i = 0; i < 150; i++) {
                    db.put(b("k" + random.nextInt(80)), new byte[random.nextInt(120)]);
                }
            }
            harvest(fork);
        }
        assertThat(nonces.size()).isGreaterThan(800);
        assertThat(saltOwners.size()).isGreaterThan(10);
    }
}
