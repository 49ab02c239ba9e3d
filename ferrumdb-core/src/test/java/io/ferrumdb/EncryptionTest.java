package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Encryption at rest through the public API: round trips, key checks, no plaintext on disk. */
class EncryptionTest {
    @TempDir
    Path dir;

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Options keyed() {
        return EncryptedOptions.builder().segmentSize(Options.MIN_SEGMENT_SIZE).build();
    }

    /** Every file of a directory, by name, with its bytes. */
    static Map<String, byte[]> snapshot(Path d) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(d)) {
            for (Path p : files.toList()) {
                out.put(p.getFileName().toString(), Files.readAllBytes(p));
            }
        }
        return out;
    }

    static void assertNoMarker(Path d, List<byte[]> markers) throws IOException {
        Map<String, byte[]> files = snapshot(d);
        assertThat(files).isNotEmpty();
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            for (byte[] m : markers) {
                assertThat(indexOf(f.getValue(), m)).as("marker %s in %s", new String(m, StandardCharsets.UTF_8),
                        f.getKey()).isEqualTo(-1);
            }
        }
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void roundTripAcrossReopenAndSegments() {
        try (FerrumDB db = FerrumDB.open(dir, keyed())) {
            for (int i = 0; i < 300; i++) {
                db.put(b("key-" + i), b("value-" + i + "-" + "x".repeat(i % 50)));
            }
            db.delete(b("key-7"));
            db.write(new WriteBatch().put(b("batch-a"), b("A")).delete(b("key-8")));
            db.put(b("ttl"), b("soon"), Duration.ofHours(1));
            assertThat(db.get(b("key-5"))).isEqualTo(b("value-5-" + "x".repeat(5)));
            assertThat(db.stats().segments().size()).isGreaterThan(3);
        }
        try (FerrumDB db = FerrumDB.open(dir, keyed())) {
            assertThat(db.recoveryReport()).isEmpty();
            for (int i = 0; i < 300; i++) {
                byte[] expected = i == 7 || i == 8 ? null : b("value-" + i + "-" + "x".repeat(i % 50));
                assertThat(db.get(b("key-" + i))).isEqualTo(expected);
            }
            assertThat(db.get(b("batch-a"))).isEqualTo(b("A"));
            assertThat(db.get(b("ttl"))).isEqualTo(b("soon"));
            assertThat(db.count(KeyRange.prefix(b("key-")))).isEqualTo(298);
        }
        try (FerrumDB db = FerrumDB.open(dir, keyed().toBuilder().readOnly(true).build())) {
            assertThat(db.get(b("key-299"))).isEqualTo(b("value-299-" + "x".repeat(49)));
        }
    }

    @Test
    void noPlaintextInAnyFile() throws IOException {
        List<byte[]> markers = List.of(b("SECRETKEYMARK"), b("SECRETVALUEMARK"), b("TOMBSTONEMARK"),
                b("BATCHMARK"), b("TTLMARK"));
        try (FerrumDB db = FerrumDB.open(dir, keyed())) {
            for (int i = 0; i < 200; i++) {
                db.put(b("SECRETKEYMARK-" + i), b("SECRETVALUEMARK-" + i + "-" + "v".repeat(i)));
            }
            db.put(b("TOMBSTONEMARK"), b("x"));
            db.delete(b("TOMBSTONEMARK"));
            db.write(new WriteBatch().put(b("BATCHMARK"), b("BATCHMARK-value")));
            db.put(b("TTLMARK"), b("TTLMARK-value"), Duration.ofDays(1));
            db.sync();
            assertNoMarker(dir, markers);
        }
        assertNoMarker(dir, markers);
        assertThat(snapshot(dir).keySet()).anyMatch(n -> n.endsWith(".hint"));
        try (FerrumDB db = FerrumDB.open(dir, keyed())) {
            assertThat(db.get(b("SECRETKEYMARK-3"))).isEqualTo(b("SECRETVALUEMARK-3-vvv"));
            db.put(b("SECRETKEYMARK-after"), b("SECRETVALUEMARK-after"));
        }
        assertNoMarker(dir, markers);
    }

    @Test
    void plaintextDatabaseDoesShowItsMarkers() throws IOException {
        // Guards the scanner above: the same workload without a key must be found on disk.
        try (FerrumDB db = FerrumDB.open(dir)) {
            db.put(b("SECRETKEYMARK"), b("SECRETVALUEMARK"));
        }
        assertThatThrownBy(() -> assertNoMarker(dir, List.of(b("SECRETVALUEMARK")))).isInstanceOf(AssertionError.class);
    }

    @Test
    void passphraseRoundTrip() throws IOException {
        Options options = Options.builder().passphrase("correct horse".toCharArray()).build();
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            db.put(b("k"), b("PASSPHRASEVALUE"));
        }
        assertNoMarker(dir, List.of(b("PASSPHRASEVALUE"), b("correct horse")));
        try (FerrumDB db = FerrumDB.open(dir, Options.builder().passphrase("correct horse".toCharArray()).build())) {
            assertThat(db.get(b("k"))).isEqualTo(b("PASSPHRASEVALUE"));
        }
    }

    @Test
    void wrongMissingOrSuperfluousKeysFailBeforeAnythingIsWritten() throws IOException {
        try (FerrumDB db = FerrumDB.open(dir, keyed())) {
            db.put(b("k"), b("v"));
        }
        Map<String, byte[]> before = snapshot(dir);
        byte[] wrong = EncryptedOptions.testKey();
        wrong[31] ^= 1;
        assertThatThrownBy(() -> FerrumDB.open(dir, Options.builder().encryptionKey(wrong).build()))
                .isInstanceOf(EncryptionKeyException.class).hasMessageContaining("wrong encryption key")
                .extracting(e -> ((EncryptionKeyException) e).plaintextDatabase()).isEqualTo(false);
        assertThatThrownBy(() -> FerrumDB.open(dir))
                .isInstanceOf(EncryptionKeyException.class).hasMessageContaining("is encrypted")
                .extracting(e -> ((EncryptionKeyException) e).plaintextDatabase()).isEqualTo(false);
        assertThatThrownBy(() -> FerrumDB.open(dir, Options.builder().passphrase("pw".toCharArray()).build()))
                .isInstanceOf(EncryptionKeyException.class).hasMessageContaining("raw encryption key");
        assertThat(snapshot(dir)).usingRecursiveComparison().isEqualTo(before);

        Path plain = dir.resolve("plain");
        try (FerrumDB db = FerrumDB.open(plain)) {
            db.put(b("k"), b("v"));
        }
        Map<String, byte[]> plainBefore = snapshot(plain);
        assertThatThrownBy(() -> FerrumDB.open(plain, keyed()))
                .isInstanceOf(EncryptionKeyException.class).hasMessageContaining("not encrypted")
                .extracting(e -> ((EncryptionKeyException) e).plaintextDatabase()).isEqualTo(true);
        assertThat(snapshot(plain)).usingRecursiveComparison().isEqualTo(plainBefore);
        try (FerrumDB db = FerrumDB.open(plain)) {
            assertThat(db.get(b("k"))).isEqualTo(b("v"));
        }
    }

    @Test
    void wrongPassphraseIsReportedWithoutRevealingIt() {
        try (FerrumDB db = FerrumDB.open(dir, Options.builder().passphrase("right one".toCharArray()).build())) {
            db.put(b("k"), b("v"));
        }
        assertThatThrownBy(() -> FerrumDB.open(dir, Options.builder().passphrase("wrong one".toCharArray()).build()))
                .isInstanceOf(EncryptionKeyException.class).hasMessageContaining("wrong passphrase")
                .message().doesNotContain("wrong one").doesNotContain("right one");
        assertThatThrownBy(() -> FerrumDB.open(dir, keyed()))
                .isInstanceOf(EncryptionKeyException.class).hasMessageContaining("protected by a passphrase");
    }

    @Test
    void optionsCopyTheKeyAndNeverPrintIt() {
        byte[] key = EncryptedOptions.testKey();
        char[] pass = "hunter2-passphrase".toCharArray();
        Options options = Options.builder().encryptionKey(key).build();
        Options withPass = Options.builder().passphrase(pass).build();
        java.util.Arrays.fill(key, (byte) 0);
        java.util.Arrays.fill(pass, '\0');
        assertThat(options.toString()).contains("encryption=key")
                .doesNotContain(java.util.HexFormat.of().formatHex(EncryptedOptions.testKey()));
        assertThat(withPass.toString()).contains("encryption=passphrase").doesNotContain("hunter2");
        assertThat(options.encrypted()).isTrue();
        assertThat(Options.defaults().encrypted()).isFalse();
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            db.put(b("k"), b("v"));
        }
        try (FerrumDB db = FerrumDB.open(dir, keyed().toBuilder().build())) {
            assertThat(db.get(b("k"))).isEqualTo(b("v"));
        }
        assertThatThrownBy(() -> Options.builder().encryptionKey(new byte[16]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32 bytes");
        assertThatThrownBy(() -> Options.builder().passphrase(new char[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> Options.builder().encryptionKey(new byte[32]).passphrase("x".toCharArray()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not both");
    }

    @Test
    void keyFileDamageIsCorruptionNotAWrongKey() throws IOException {
        try (FerrumDB db = FerrumDB.open(dir, keyed())) {
            db.put(b("k"), b("v"));
        }
        Path key = dir.resolve("KEY");
        byte[] good = Files.readAllBytes(key);
        for (int i = 0; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[i] ^= (byte) (1 << (i % 8));
            Files.write(key, bad);
            assertThatThrownBy(() -> FerrumDB.open(dir, keyed())).as("flip at %d", i)
                    .isInstanceOfAny(CorruptionException.class, FormatVersionException.class);
        }
        Files.write(key, java.util.Arrays.copyOf(good, good.length - 1));
        assertThatThrownBy(() -> FerrumDB.open(dir, keyed())).isInstanceOf(CorruptionException.class);
        Files.delete(key);
        assertThatThrownBy(() -> FerrumDB.open(dir, keyed())).isInstanceOf(CorruptionException.class)
                .hasMessageContaining("KEY file of an encrypted database is missing");
        Files.write(key, good);
        try (FerrumDB db = FerrumDB.open(dir, keyed())) {
            assertThat(db.get(b("k"))).isEqualTo(b("v"));
        }
    }

    @Test
    void keyFileOfAnotherDatabaseIsRejected() throws IOException {
        Path other = dir.resolve("other");
        try (FerrumDB db = FerrumDB.open(other, keyed())) {
            db.put(b("k"), b("other"));
        }
        Path mine = dir.resolve("mine");
        try (FerrumDB db = FerrumDB.open(mine, keyed())) {
            db.put(b("k"), b("mine"));
        }
        Files.copy(other.resolve("KEY"), mine.resolve("KEY"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> FerrumDB.open(mine, keyed())).isInstanceOf(CorruptionException.class)
                .hasMessageContaining("another database");
    }

    @Test
    void crashBetweenMetaAndKeyOfANewDatabaseIsRepaired() throws IOException {
        try (FerrumDB db = FerrumDB.open(dir, keyed())) {
            assertThat(db.size()).isZero();
        }
        // META (encrypted flag) was written first; a crash before KEY leaves no segment, so nothing is lost.
        Files.delete(dir.resolve("KEY"));
        try (FerrumDB db = FerrumDB.open(dir, keyed())) {
            db.put(b("k"), b("v"));
        }
        try (FerrumDB db = FerrumDB.open(dir, keyed())) {
            assertThat(db.get(b("k"))).isEqualTo(b("v"));
        }
    }

    @Test
    void plaintextMetaWithAKeyFileIsCorruption() throws IOException {
        try (FerrumDB db = FerrumDB.open(dir)) {
            db.put(b("k"), b("v"));
        }
        Files.write(dir.resolve("KEY"), new byte[136]);
        assertThatThrownBy(() -> FerrumDB.open(dir)).isInstanceOf(CorruptionException.class)
                .hasMessageContaining("KEY file exists");
    }
}
