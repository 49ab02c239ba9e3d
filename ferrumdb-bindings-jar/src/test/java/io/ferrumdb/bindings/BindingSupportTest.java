package io.ferrumdb.bindings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.EncryptionKeyException;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.Options;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BindingSupportTest {
    @TempDir
    Path dir;

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void fsyncNamesMapToPolicies() {
        assertThat(BindingSupport.options("always", 0, null, false).fsyncPolicy()).isEqualTo(FsyncPolicy.always());
        assertThat(BindingSupport.options("NEVER", 0, null, false).fsyncPolicy()).isEqualTo(FsyncPolicy.never());
        Options periodic = BindingSupport.options("periodic", 250, null, true);
        assertThat(periodic.fsyncPolicy()).isEqualTo(FsyncPolicy.periodic(Duration.ofMillis(250)));
        assertThat(periodic.readOnly()).isTrue();
    }

    @Test
    void badOptionsNameTheProblem() {
        assertThatThrownBy(() -> BindingSupport.options("sometimes", 0, null, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"sometimes\"");
        assertThatThrownBy(() -> BindingSupport.options(null, 0, null, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fsync");
        assertThatThrownBy(() -> BindingSupport.options("periodic", 0, null, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive interval");
        assertThatThrownBy(() -> BindingSupport.open("", "always", 0, null, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("path");
    }

    @Test
    void passphraseEncryptsAndMustMatchOnReopen() {
        try (FerrumDB db = BindingSupport.open(dir.toString(), "always", 0, "correct horse", false)) {
            db.put(b("k"), b("v"));
        }
        assertThatThrownBy(() -> BindingSupport.open(dir.toString(), "always", 0, "wrong", false))
                .isInstanceOf(EncryptionKeyException.class);
        assertThatThrownBy(() -> BindingSupport.open(dir.toString(), "always", 0, null, false))
                .isInstanceOf(EncryptionKeyException.class);
        try (FerrumDB db = BindingSupport.open(dir.toString(), "always", 0, "correct horse", true)) {
            assertThat(db.get(b("k"))).isEqualTo(b("v"));
        }
    }

    @Test
    void keysComeBackSortedAndFilteredByPrefix() {
        try (FerrumDB db = BindingSupport.open(dir.toString(), "never", 0, null, false)) {
            for (String k : new String[] {"mem:b", "other", "mem:a", "mem:c"}) {
                db.put(b(k), b("v"));
            }
            db.delete(b("mem:c"));
            assertThat(Arrays.stream(BindingSupport.keys(db, b("mem:"))).map(String::new))
                    .containsExactly("mem:a", "mem:b");
            assertThat(BindingSupport.keys(db, null).length).isEqualTo(3);
        }
    }
}
