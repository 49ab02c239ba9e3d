package io.ferrumdb;

import static io.ferrumdb.EncryptionTest.b;
import static io.ferrumdb.EncryptionTest.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.io.ForwardingFileIO;
import io.ferrumdb.internal.io.StorageFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FerrumDB.rotateDataKey: a new data key, every segment rewritten under it, the old key gone from KEY. */
class DataKeyRotationTest {
    @TempDir
    Path dir;

    static Options options() {
        return EncryptedOptions.builder().segmentSize(8192).autoCompaction(false).build();
    }

    private static void fill(FerrumDB db, String tag) {
        for (int i = 0; i < 120; i++) {
            db.put(b("key-" + i), b(tag + "-" + i + "-" + "p".repeat(30)));
        }
        db.delete(b("key-5"));
        db.put(b("ttl"), b(tag + "-ttl"), Duration.ofDays(2));
    }

    private static void verify(FerrumDB db, String tag) {
        for (int i = 0; i < 120; i++) {
            assertThat(db.get(b("key-" + i))).isEqualTo(i == 5 ? null : b(tag + "-" + i + "-" + "p".repeat(30)));
        }
        assertThat(db.get(b("ttl"))).isEqualTo(b(tag + "-ttl"));
    }

    @Test
    void rotationRewritesEverySegmentAndAnOldKeyFileNoLongerOpensTheData() throws IOException {
        try (FerrumDB db = FerrumDB.open(dir, options())) {
            fill(db, "before");
        }
        Map<String, byte[]> before = snapshot(dir);
        try (FerrumDB db = FerrumDB.open(dir, options())) {
            db.rotateDataKey();
            verify(db, "before");
            fill(db, "after");
            verify(db, "after");
        }
        Map<String, byte[]> after = snapshot(dir);
        assertThat(after.get("KEY")).hasSize(before.get("KEY").length).isNotEqualTo(before.get("KEY"));
        // No segment of the old generation is left: every segment file is new.
        assertThat(after.keySet().stream().filter(n -> n.endsWith(".seg")))
                .isNotEmpty().noneMatch(before::containsKey);
        try (FerrumDB db = FerrumDB.open(dir, options())) {
            verify(db, "after");
            assertThat(db.recoveryReport()).isEmpty();
        }
        // The attacker who kept the old KEY (and knows the old key) can no longer read the rotated files.
        Files.write(dir.resolve("KEY"), before.get("KEY"));
        assertThatThrownBy(() -> {
            try (FerrumDB db = FerrumDB.open(dir, options())) {
                db.get(b("key-1"));
            }
        }).isInstanceOf(CorruptionException.class);
    }

    @Test
    void rotationOfAnEmptyActiveSegmentAndWithAPassphrase() {
        Options options = Options.builder().passphrase("rotate me".toCharArray()).autoCompaction(false).build();
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            db.put(b("k"), b("v"));
        }
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            db.rotateDataKey();
            db.rotateDataKey();
            assertThat(db.get(b("k"))).isEqualTo(b("v"));
            db.put(b("k2"), b("v2"));
        }
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            assertThat(db.get(b("k"))).isEqualTo(b("v"));
            assertThat(db.get(b("k2"))).isEqualTo(b("v2"));
        }
    }

    @Test
    void interruptedRotationLeavesAnOpenableDatabaseAndIsFinishedByTheNext() throws IOException {
        try (FerrumDB db = FerrumDB.open(dir, options())) {
            fill(db, "one");
        }
        assertThat(Files.size(dir.resolve("KEY"))).isEqualTo(144);
        // Compaction fails after the new key was added: KEY holds both keys, old segments are still there.
        try (FerrumDB db = FerrumDB.open(dir, options().toBuilder().fileIO(new FailingCompactionIO()).build())) {
            assertThatThrownBy(db::rotateDataKey).isInstanceOf(FerrumException.class)
                    .hasMessageContaining("injected");
        }
        assertThat(Files.size(dir.resolve("KEY"))).isEqualTo(144 + 68);
        try (FerrumDB db = FerrumDB.open(dir, options())) {
            verify(db, "one");
            db.put(b("between"), b("rotations"));
            db.rotateDataKey();
            verify(db, "one");
        }
        assertThat(Files.size(dir.resolve("KEY"))).isEqualTo(144);
        try (FerrumDB db = FerrumDB.open(dir, options())) {
            verify(db, "one");
            assertThat(db.get(b("between"))).isEqualTo(b("rotations"));
        }
    }

    @Test
    void plaintextDatabaseCannotRotate() {
        try (FerrumDB db = FerrumDB.open(dir)) {
            assertThatThrownBy(db::rotateDataKey).isInstanceOf(EncryptionKeyException.class)
                    .hasMessageContaining("not encrypted");
        }
    }

    /** The real file layer, failing the creation of compaction output files (named *.tmp until published). */
    private static final class FailingCompactionIO extends ForwardingFileIO {
        FailingCompactionIO() {
            super(FileIO.nio());
        }

        @Override
        public StorageFile create(Path file) throws IOException {
            String name = file.getFileName().toString();
            if (name.endsWith(".seg.tmp") || name.startsWith("compact")) {
                throw new IOException("injected failure creating " + name);
            }
            return delegate.create(file);
        }
    }
}
