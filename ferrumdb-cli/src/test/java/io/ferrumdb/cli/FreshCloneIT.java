package io.ferrumdb.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fresh clone of this repository builds the command line itself on the first ./ferrumdb. It clones the
 * committed state of the repository, and the build takes about a minute on a loaded machine: soak runs only
 * ({@code -Dferrumdb.soak=true}).
 */
class FreshCloneIT {
    @TempDir
    Path tmp;

    @Test
    void firstRunOfTheLauncherBuildsTheJarThenStartsIt() {
        assumeTrue(Boolean.getBoolean("ferrumdb.soak"), "the fresh-clone build runs with -Dferrumdb.soak=true");
        Path clone = tmp.resolve("clone");
        Launcher.Result git = Launcher.exec(tmp, Map.of(), "", 120,
                List.of("git", "clone", "-q", Launcher.ROOT.toString(), clone.toString()));
        assertThat(git.code()).as(git.err()).isZero();
        assertThat(Files.exists(clone.resolve("ferrumdb-cli/target"))).isFalse();

        long start = System.nanoTime();
        Launcher.Result first = Launcher.exec(clone, Map.of(), "", 600, List.of("./ferrumdb", "--version"));
        long buildMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(first.code()).as(first.err()).isZero();
        assertThat(first.out()).startsWith("ferrumdb 0.1.0");
        assertThat(first.err()).contains("ferrumdb: building the command line");
        assertThat(Files.exists(clone.resolve("ferrumdb-cli/target/ferrumdb.jar"))).isTrue();

        Launcher.Result second = Launcher.exec(clone, Map.of(), "", 120, List.of("./ferrumdb", "--version"));
        assertThat(second.code()).isZero();
        assertThat(second.err()).as("no rebuild when nothing changed").isEmpty();
        System.out.println("fresh clone: first ./ferrumdb --version (with build) took " + buildMillis + " ms");
    }
}
