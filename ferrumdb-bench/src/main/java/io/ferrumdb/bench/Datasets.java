package io.ferrumdb.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Prepared data sets, built once per (storage kind, keys, value size, variant) under
 * {@code -Dferrumdb.bench.data} (default {@code target/bench-data}) and reused by every fork and benchmark, so that a
 * fork's set-up costs one open instead of one load.
 */
public final class Datasets {
    private static final String COMPLETE = "COMPLETE";

    private Datasets() {
    }

    public static Path root() {
        return Path.of(System.getProperty("ferrumdb.bench.data", "target/bench-data")).toAbsolutePath();
    }

    /** A fresh empty directory for a write benchmark; delete it with {@link #delete(Path)}. */
    public static Path scratch(String engine) {
        try {
            Files.createDirectories(root());
            return Files.createTempDirectory(root(), "scratch-" + engine + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The directory of a loaded data set for {@code engine}, building it first when missing or incomplete. */
    public static Path ready(String engine, long keys, int valueSize, String variant) {
        String kind = Stores.storageKind(engine);
        Path dir = root().resolve(kind + "-" + keys + "-" + valueSize + (variant.isEmpty() ? "" : "-" + variant));
        if (Files.exists(dir.resolve(COMPLETE))) {
            return dir;
        }
        delete(dir);
        String loader = kind.equals("raw") ? "raw-pread" : kind;
        long t0 = System.nanoTime();
        try (Store s = Stores.open(loader, dir, false)) {
            s.load(keys, Data.valuePool(valueSize));
        }
        try {
            Files.writeString(dir.resolve(COMPLETE), "loaded in " + (System.nanoTime() - t0) / 1_000_000 + " ms\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    /** Opens {@code engine} on its prepared data set (raw-chm is rebuilt in memory). */
    public static Store open(String engine, long keys, int valueSize, String variant) {
        if (engine.equals("raw-chm")) {
            Store s = Stores.open(engine, root(), false);
            s.load(keys, Data.valuePool(valueSize));
            return s;
        }
        return Stores.open(engine, ready(engine, keys, valueSize, variant), false);
    }

    public static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + dir, e);
        }
    }

    public static long size(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
