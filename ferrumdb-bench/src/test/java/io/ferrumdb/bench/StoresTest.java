package io.ferrumdb.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every embedded engine adapter stores and returns what the benchmarks expect, before any timing is trusted. */
class StoresTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"ferrum", "ferrum-hash", "rocksdb", "lmdb", "mvstore", "mapdb", "sqlite", "raw-chm",
        "raw-pread", "raw-mmap"})
    void loadedDataSetReadsBackAndSurvivesReopen(String engine) {
        byte[][] values = Data.valuePool(100);
        Path dir = tmp.resolve(engine);
        try (Store s = Stores.open(engine, dir, false)) {
            s.load(2_000, values);
            assertThat(s.get(Data.key(1_234))).isEqualTo(Data.value(values, 1_234));
            assertThat(s.get(Data.key(2_000))).isNull();
        }
        if (engine.equals("raw-chm")) {
            return;
        }
        try (Store s = Stores.open(engine, dir, false)) {
            assertThat(s.get(Data.key(1_999))).isEqualTo(Data.value(values, 1_999));
            if (!engine.startsWith("raw-")) {
                s.put(Data.key(5), Data.value(values, 6));
                s.flush(); // SQLite without sync commits every 1000 puts; other connections see a put after that
                assertThat(s.get(Data.key(5))).isEqualTo(Data.value(values, 6));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ferrum", "rocksdb", "lmdb", "sqlite"})
    void durablePutsAreReadable(String engine) {
        try (Store s = Stores.open(engine, tmp.resolve(engine), true)) {
            s.put(Data.key(1), new byte[] {1, 2, 3});
            assertThat(s.get(Data.key(1))).containsExactly(1, 2, 3);
        }
    }

    @Test
    void unknownEngineAndUnsupportedDurabilityAreNamed() {
        assertThatThrownBy(() -> Stores.open("bogus", tmp.resolve("x"), false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bogus");
        assertThatThrownBy(() -> Stores.open("mapdb", tmp.resolve("m"), true))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("mapdb");
    }
}
