package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding 5 of issue 16: a mistyped path never becomes a database behind the user's back. */
class CreateIfMissingTest {
    @TempDir
    Path tmp;

    @Test
    void readOnlyOpenOfAMissingDirectoryCreatesNothing() {
        Path dir = tmp.resolve("typo");
        assertThatThrownBy(() -> FerrumDB.open(dir, Options.builder().readOnly(true).build()))
                .isInstanceOf(DatabaseNotFoundException.class)
                .hasMessage("no FerrumDB database at " + dir);
        assertThat(dir).doesNotExist();
    }

    @Test
    void readOnlyOpenOfAnEmptyDirectoryCreatesNothing() throws Exception {
        assertThatThrownBy(() -> FerrumDB.open(tmp, Options.builder().readOnly(true).build()))
                .isInstanceOf(DatabaseNotFoundException.class)
                .hasMessage("no FerrumDB database at " + tmp);
        assertThatThrownBy(() -> FerrumDB.verify(tmp, Options.defaults()))
                .isInstanceOf(DatabaseNotFoundException.class);
        assertThat(names(tmp)).isEmpty();
    }

    @Test
    void createIfMissingFalseRefusesAMissingDatabaseAndTrueCreatesIt() {
        Path dir = tmp.resolve("db");
        Options noCreate = Options.builder().createIfMissing(false).build();
        assertThat(Options.defaults().createIfMissing()).isTrue();
        assertThatThrownBy(() -> FerrumDB.open(dir, noCreate))
                .isInstanceOf(DatabaseNotFoundException.class)
                .hasMessage("no FerrumDB database at " + dir);
        assertThat(dir).doesNotExist();
        try (FerrumDB db = FerrumDB.open(dir)) {
            db.put(new byte[] {1}, new byte[] {2});
        }
        try (FerrumDB db = FerrumDB.open(dir, noCreate)) {
            assertThat(db.get(new byte[] {1})).containsExactly(2);
        }
    }

    @Test
    void writingOpenRefusesANonEmptyDirectoryWithoutADatabaseNamingItsFiles() throws Exception {
        Files.writeString(tmp.resolve("report.pdf"), "x");
        Files.writeString(tmp.resolve("a.txt"), "y");
        assertThatThrownBy(() -> FerrumDB.open(tmp))
                .isInstanceOfSatisfying(NotADatabaseException.class,
                        e -> assertThat(e.files()).containsExactly("a.txt", "report.pdf"))
                .hasMessageContaining(tmp.toString())
                .hasMessageContaining("a.txt, report.pdf");
        assertThat(names(tmp)).containsExactlyInAnyOrder("report.pdf", "a.txt");
    }

    private static Stream<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).toList().stream();
        }
    }
}
