package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerifyAndExpiryTest {
    private static final int FIRST_RECORD = 64;
    private static final int RECORD_HEADER = 28;

    @TempDir
    Path dir;

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void soundDatabaseVerifiesEveryRecord() {
        try (FerrumDB db = FerrumDB.open(dir)) {
            for (int i = 0; i < 50; i++) {
                db.put(b("k" + i), b("v" + i));
            }
            db.write(new WriteBatch().put(b("x"), b("1")).delete(b("k0")));
        }
        VerifyReport report = FerrumDB.verify(dir, Options.defaults());
        assertThat(report.ok()).isTrue();
        assertThat(report.segments()).isEqualTo(1);
        assertThat(report.records()).isEqualTo(52);
        assertThat(report.bytes()).isGreaterThan(FIRST_RECORD);
    }

    @Test
    void flippedByteIsReportedWithFileAndOffsetAndNothingIsWritten() throws IOException {
        try (FerrumDB db = FerrumDB.open(dir)) {
            db.put(b("first"), b("value-one"));
            db.put(b("second"), b("value-two"));
        }
        Path segment = Files.list(dir).filter(p -> p.toString().endsWith(".seg")).findFirst().orElseThrow();
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            int at = FIRST_RECORD + RECORD_HEADER + 2;
            f.seek(at);
            int old = f.read();
            f.seek(at);
            f.write(old ^ 0x40);
        }
        long sizeBefore = Files.size(segment);
        VerifyReport report = FerrumDB.verify(dir, Options.defaults());
        assertThat(report.ok()).isFalse();
        assertThat(report.problems()).hasSize(1);
        DroppedRange p = report.problems().get(0);
        assertThat(p.file()).isEqualTo(segment.toAbsolutePath().normalize());
        assertThat(p.offset()).isEqualTo(FIRST_RECORD);
        assertThat(p.reason()).contains("checksum");
        assertThat(report.records()).isEqualTo(1);
        assertThat(Files.size(segment)).isEqualTo(sizeBefore);
    }

    @Test
    void encryptedDatabaseVerifiesWithItsPassphraseOnly() {
        Options encrypted = Options.builder().passphrase("verify me".toCharArray()).build();
        try (FerrumDB db = FerrumDB.open(dir, encrypted)) {
            db.put(b("secret"), b("value"));
        }
        VerifyReport report = FerrumDB.verify(dir, encrypted);
        assertThat(report.problems()).isEmpty();
        assertThat(report.records()).isEqualTo(1);
        assertThatThrownBy(() -> FerrumDB.verify(dir, Options.defaults()))
                .isInstanceOf(EncryptionKeyException.class);
        assertThatThrownBy(() -> FerrumDB.verify(dir,
                Options.builder().passphrase("wrong".toCharArray()).build()))
                .isInstanceOf(EncryptionKeyException.class);
    }

    @Test
    void verifyRefusesADirectoryHeldByAWriter() {
        try (FerrumDB db = FerrumDB.open(dir)) {
            db.put(b("a"), b("1"));
            assertThatThrownBy(() -> FerrumDB.verify(dir, Options.defaults()))
                    .isInstanceOf(DatabaseLockedException.class);
        }
    }

    @Test
    void verifyOfAMissingDatabaseNamesIt() {
        Path missing = dir.resolve("nothing-here");
        assertThatThrownBy(() -> FerrumDB.verify(missing, Options.defaults()))
                .isInstanceOf(FerrumException.class)
                .hasMessageContaining("nothing-here");
        assertThat(Files.exists(missing)).isFalse();
    }

    @Test
    void expiresAtTellsNoTtlAbsentAndTheAbsoluteExpiry() {
        MutableClock clock = new MutableClock(1_000_000);
        try (FerrumDB db = FerrumDB.open(dir, Options.builder().clock(clock).build())) {
            db.put(b("plain"), b("1"));
            db.put(b("ttl"), b("2"), Duration.ofSeconds(10));
            assertThat(db.expiresAt(b("plain"))).isZero();
            assertThat(db.expiresAt(b("ttl"))).isEqualTo(1_010_000);
            assertThat(db.expiresAt(b("absent"))).isEqualTo(-1);
            clock.advance(Duration.ofSeconds(10));
            assertThat(db.expiresAt(b("ttl"))).isEqualTo(-1);
        }
    }
}
