package io.ferrumdb;

import static io.ferrumdb.EncryptionTest.b;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.io.ForwardingFileIO;
import io.ferrumdb.internal.io.StorageFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FerrumDB.changePassphrase: rewraps the data key in KEY atomically; a crash leaves old or new working. */
class PassphraseChangeTest {
    @TempDir
    Path dir;

    static Options pass(String p) {
        return Options.builder().passphrase(p.toCharArray()).build();
    }

    private void create(Path d) {
        try (FerrumDB db = FerrumDB.open(d, pass("old secret"))) {
            db.put(b("k"), b("v"));
        }
    }

    private void assertOpensWith(Path d, String good, String bad) {
        assertOpensWith(d, good);
        assertThatThrownBy(() -> FerrumDB.open(d, pass(bad))).isInstanceOf(EncryptionKeyException.class)
                .hasMessageContaining("wrong passphrase");
    }

    private void assertOpensWith(Path d, String good) {
        try (FerrumDB db = FerrumDB.open(d, pass(good))) {
            assertThat(db.get(b("k"))).isEqualTo(b("v"));
        }
    }

    @Test
    void changeRewrapsOnlyTheKeyFileAndWipesTheArrays() throws IOException {
        create(dir);
        byte[] segmentBefore = Files.readAllBytes(dir.resolve("0000000001.seg"));
        byte[] keyBefore = Files.readAllBytes(dir.resolve("KEY"));
        char[] oldPass = "old secret".toCharArray();
        char[] newPass = "new secret".toCharArray();
        FerrumDB.changePassphrase(dir, oldPass, newPass);
        assertThat(oldPass).containsOnly('\0');
        assertThat(newPass).containsOnly('\0');
        assertThat(Files.readAllBytes(dir.resolve("0000000001.seg"))).isEqualTo(segmentBefore);
        assertThat(Files.readAllBytes(dir.resolve("KEY"))).isNotEqualTo(keyBefore);
        assertThat(dir.resolve("KEY.tmp")).doesNotExist();
        assertOpensWith(dir, "new secret", "old secret");
    }

    @Test
    void wrongOldPassphraseChangesNothing() throws IOException {
        create(dir);
        byte[] keyBefore = Files.readAllBytes(dir.resolve("KEY"));
        assertThatThrownBy(() -> FerrumDB.changePassphrase(dir, "guess".toCharArray(), "new".toCharArray()))
                .isInstanceOf(EncryptionKeyException.class).hasMessageContaining("wrong passphrase");
        assertThat(Files.readAllBytes(dir.resolve("KEY"))).isEqualTo(keyBefore);
    }

    @Test
    void refusedWhileOpenOrWithoutAPassphraseDatabase() {
        create(dir);
        try (FerrumDB db = FerrumDB.open(dir, pass("old secret"))) {
            assertThatThrownBy(() -> FerrumDB.changePassphrase(dir, "old secret".toCharArray(), "n".toCharArray()))
                    .isInstanceOf(DatabaseLockedException.class);
            assertThat(db.get(b("k"))).isEqualTo(b("v"));
        }
        Path plain = dir.resolve("plain");
        FerrumDB.open(plain).close();
        assertThatThrownBy(() -> FerrumDB.changePassphrase(plain, "a".toCharArray(), "b".toCharArray()))
                .isInstanceOf(EncryptionKeyException.class).hasMessageContaining("not encrypted");
        Path raw = dir.resolve("raw");
        FerrumDB.open(raw, EncryptedOptions.builder().build()).close();
        assertThatThrownBy(() -> FerrumDB.changePassphrase(raw, "a".toCharArray(), "b".toCharArray()))
                .isInstanceOf(EncryptionKeyException.class).hasMessageContaining("raw encryption key");
        assertThatThrownBy(() -> FerrumDB.changePassphrase(dir.resolve("none"), "a".toCharArray(), "b".toCharArray()))
                .isInstanceOf(DatabaseNotFoundException.class).hasMessageContaining("no FerrumDB database at");
    }

    /**
     * A path that cannot even be locked (a file) changed nothing, and the message must not say that the new
     * passphrase may open it now (it said "either the old or the new passphrase opens it now", as after a failed
     * rename).
     */
    @Test
    void aFileInsteadOfADirectoryIsNamedAndNotCalledAHalfDoneChange() throws IOException {
        Path file = Files.writeString(dir.resolve("not-a-directory"), "x");
        assertThatThrownBy(() -> FerrumDB.changePassphrase(file, "a".toCharArray(), "b".toCharArray()))
                .isInstanceOf(FerrumException.class)
                .hasMessageStartingWith("could not change the passphrase of database " + file)
                .hasMessageNotContaining("opens it now");
        assertThat(Files.readString(file)).isEqualTo("x");
    }

    @Test
    void crashBeforeTheRenameLeavesTheOldPassphrase() throws IOException {
        create(dir);
        // The crash image: the new KEY complete under its temporary name, the old one in place.
        Path copy = dir.resolveSibling(dir.getFileName() + "-copy");
        Files.createDirectories(copy);
        for (Path p : Files.list(dir).toList()) {
            Files.copy(p, copy.resolve(p.getFileName()));
        }
        FerrumDB.changePassphrase(copy, "old secret".toCharArray(), "new secret".toCharArray());
        Files.copy(copy.resolve("KEY"), dir.resolve("KEY.tmp"));
        assertOpensWith(dir, "old secret", "new secret");
        assertThat(dir.resolve("KEY.tmp")).doesNotExist();
        // A torn temporary file from an earlier crash does not disturb a later change either.
        Files.write(dir.resolve("KEY.tmp"), new byte[] {1, 2, 3});
        FerrumDB.changePassphrase(dir, "old secret".toCharArray(), "third".toCharArray());
        assertOpensWith(dir, "third", "old secret");
    }

    @Test
    void crashAfterTheRenameLeavesTheNewPassphrase() throws IOException {
        create(dir);
        Path copy = dir.resolveSibling(dir.getFileName() + "-copy");
        Files.createDirectories(copy);
        for (Path p : Files.list(dir).toList()) {
            Files.copy(p, copy.resolve(p.getFileName()));
        }
        FerrumDB.changePassphrase(copy, "old secret".toCharArray(), "new secret".toCharArray());
        Files.copy(copy.resolve("KEY"), dir.resolve("KEY"), StandardCopyOption.REPLACE_EXISTING);
        assertOpensWith(dir, "new secret", "old secret");
    }

    @Test
    void injectedFailuresAtEachStepLeaveOneWorkingPassphrase() {
        create(dir);
        for (String failAt : List.of("create", "rename")) {
            FailingIO io = new FailingIO(failAt);
            assertThatThrownBy(() -> FerrumDB.changePassphrase(dir, "old secret".toCharArray(),
                    "new secret".toCharArray(), io)).isInstanceOf(FerrumException.class)
                    .hasMessageContaining("injected");
            assertOpensWith(dir, "old secret");
        }
        // After the rename the new KEY is in place even though the directory fsync failed.
        assertThatThrownBy(() -> FerrumDB.changePassphrase(dir, "old secret".toCharArray(),
                "new secret".toCharArray(), new FailingIO("syncDirectory"))).isInstanceOf(FerrumException.class)
                .hasMessageContaining("either the old or the new passphrase");
        assertOpensWith(dir, "new secret", "old secret");
    }

    /** The real file layer, failing the first call of one operation on the KEY file's directory. */
    private static final class FailingIO extends ForwardingFileIO {
        private final String failAt;

        FailingIO(String failAt) {
            super(FileIO.nio());
            this.failAt = failAt;
        }

        private void maybeFail(String op, Path p) throws IOException {
            if (op.equals(failAt) && (p.getFileName().toString().startsWith("KEY") || op.equals("syncDirectory"))) {
                throw new IOException("injected failure in " + op);
            }
        }

        @Override
        public StorageFile create(Path file) throws IOException {
            maybeFail("create", file);
            return delegate.create(file);
        }

        @Override
        public void rename(Path source, Path target) throws IOException {
            maybeFail("rename", source);
            delegate.rename(source, target);
        }

        @Override
        public void syncDirectory(Path directory) throws IOException {
            maybeFail("syncDirectory", directory);
            delegate.syncDirectory(directory);
        }
    }
}
