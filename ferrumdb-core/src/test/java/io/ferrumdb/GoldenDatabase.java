package io.ferrumdb;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

/**
 * The golden database in {@code src/test/resources/golden/v1}: written once by FerrumDB 0.1 (format version 1)
 * and committed, so that every later version is tested against files it did not write itself
 * ({@code GoldenDatabaseTest}). Never regenerate v1: a format change gets a new directory (v2) beside it.
 *
 * <p>How v1 was made, from the repository root:
 * <pre>
 * mvn -q -o -pl ferrumdb-core test-compile
 * java -cp ferrumdb-core/target/classes:ferrumdb-core/target/test-classes \
 *      io.ferrumdb.GoldenDatabase ferrumdb-core/src/test/resources/golden/v1
 * </pre>
 * The content is a fixed sequence of operations (java.util.Random with a fixed seed is specified to give the
 * same numbers on every JVM): keys with 0x00 and 0xFF bytes, the empty key, empty and 10 KB values, overwrites,
 * deletes, batches and TTLs, written with 4 KiB segments so that it spans several segments with hint files, on a
 * clock fixed at 2024-01-01T00:00:00Z. One TTL expired long ago by any later clock; one lasts until 9999.
 *
 * <p>{@code v2-zero-tail} (segment format version 2) is the same content written with {@code always()} and no
 * background compaction, then a simulated power loss ({@link FaultFileIO#crash()}) after the last write was
 * acknowledged, by the release that introduced the zero tail (FORMAT.md, "Zero tail"): its newest segment has no hint
 * and ends in the zeros the writer wrote ahead of its records. Made with a second argument, {@code crash}:
 * <pre>
 * java -cp ferrumdb-core/target/classes:ferrumdb-core/target/test-classes \
 *      io.ferrumdb.GoldenDatabase ferrumdb-core/src/test/resources/golden/v2-zero-tail crash
 * </pre>
 *
 * <p>{@code keydir-v1} and {@code keydir-v1-hash-only} hold the same content with a version-1 key directory image
 * ({@code KEYDIR}, FORMAT.md), written by the last release before version 2 (main at 5c6a0ed) with a second
 * argument {@code image} or {@code image-hash-only}: the content as above, then one more open and close with
 * ordered keys or without, whose close writes the image (the first close writes none: its arena holds more removed
 * keys than live ones). The classpath of that release's classes and test classes plus the module's dependencies.
 *
 * <p>Made by the release of session 21 (main at b9ae6b2 plus its branch), each with a second argument:
 * {@code encrypted-v1} ({@code encrypted}: the content written under {@link #PASSPHRASE}, so its {@code KEY} file
 * of version 1 carries Argon2id parameters, and its segments and hints are encrypted), {@code backup-v1}
 * ({@code backup}: the content written, then {@code db.backup} of it, whose {@code BACKUP} marker is version 1)
 * and {@code keydir-v2} ({@code image}, as above: a version-2 key directory image).
 *
 * <p>{@code manifest-v3} was made by the release of session 22, which records each sealed segment's length and
 * header checksum in the MANIFEST (version 3), with a second argument {@code sealed}: the content written without
 * background compaction, so that every segment is one the writer sealed as it rolled (the last one at the close).
 */
final class GoldenDatabase {
    static final long CLOCK_MILLIS = 1_704_067_200_000L;
    /** The passphrase of {@code encrypted-v1}. */
    static final String PASSPHRASE = "golden passphrase";
    static final byte[] EXPIRED_KEY = {'t', 't', 'l', '-', 'p', 'a', 's', 't'};
    static final byte[] LASTING_KEY = {'t', 't', 'l', '-', '9', '9', '9', '9'};

    private GoldenDatabase() {
    }

    /** One put (value non-null) or delete; consecutive ops with the same batch number above 0 form one batch. */
    record Op(byte[] key, byte[] value, int batch) {
    }

    /**
     * The operations, in order. Self-contained on purpose: the committed files are fixed, so this must never
     * change, whatever happens to the other test helpers.
     */
    static List<Op> operations() {
        Random r = new Random(20240101);
        List<byte[]> keys = new ArrayList<>(List.of(new byte[0], new byte[] {0}, new byte[] {(byte) 0xFF},
                new byte[] {(byte) 0xFF, 0}, new byte[] {0, (byte) 0xFF, 0}));
        while (keys.size() < 40) {
            byte[] k = new byte[1 + r.nextInt(12)];
            r.nextBytes(k);
            keys.add(k);
        }
        List<Op> ops = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            int kind = r.nextInt(10);
            int ops1 = kind < 8 ? 1 : 2 + r.nextInt(5);
            for (int j = 0; j < ops1; j++) {
                byte[] key = keys.get(r.nextInt(keys.size()));
                boolean delete = kind < 8 ? kind >= 6 : r.nextInt(4) == 0;
                byte[] value = null;
                if (!delete) {
                    value = new byte[r.nextInt((i % 50 == 49 ? 10_000 : 200) + 1)];
                    r.nextBytes(value);
                }
                ops.add(new Op(key, value, kind < 8 ? 0 : i + 1));
            }
        }
        return ops;
    }

    /** The content a reader must find, at any time after 2024-01-01 and before 9999. */
    static TreeMap<String, String> expected() {
        TreeMap<String, String> model = new TreeMap<>();
        for (Op op : operations()) {
            if (op.value() == null) {
                model.remove(History.HEX.formatHex(op.key()));
            } else {
                model.put(History.HEX.formatHex(op.key()), History.HEX.formatHex(op.value()));
            }
        }
        model.put(History.HEX.formatHex(LASTING_KEY), History.HEX.formatHex(new byte[] {9, 9, 9, 9}));
        return model;
    }

    private static void write(FerrumDB db, List<Op> ops) {
        WriteBatch batch = new WriteBatch();
        for (int i = 0; i < ops.size(); i++) {
            Op op = ops.get(i);
            if (op.batch() == 0) {
                if (op.value() == null) {
                    db.delete(op.key());
                } else {
                    db.put(op.key(), op.value());
                }
                continue;
            }
            if (op.value() == null) {
                batch.delete(op.key());
            } else {
                batch.put(op.key(), op.value());
            }
            if (i + 1 == ops.size() || ops.get(i + 1).batch() != op.batch()) {
                db.write(batch);
                batch = new WriteBatch();
            }
        }
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        if (Files.exists(dir)) {
            throw new IllegalArgumentException(dir + " exists: the golden database is written once, never over");
        }
        Options options = Options.builder().segmentSize(4096).clock(new MutableClock(CLOCK_MILLIS)).build();
        if (args.length > 1 && args[1].startsWith("image")) {
            try (FerrumDB db = FerrumDB.open(dir, options)) {
                writeAll(db);
            }
            boolean ordered = args[1].equals("image");
            FerrumDB.open(dir, options.toBuilder().orderedKeys(ordered).build()).close();
            if (!Files.exists(dir.resolve("KEYDIR"))) {
                throw new IllegalStateException("no key directory image written in " + dir);
            }
            System.out.println("golden database with a key directory image written to " + dir.toAbsolutePath());
            return;
        }
        if (args.length > 1 && args[1].equals("encrypted")) {
            try (FerrumDB db = FerrumDB.open(dir, options.toBuilder().passphrase(PASSPHRASE.toCharArray()).build())) {
                writeAll(db);
            }
            System.out.println("encrypted golden database written to " + dir.toAbsolutePath());
            return;
        }
        if (args.length > 1 && args[1].equals("backup")) {
            Path source = Files.createTempDirectory("golden-source").resolve("db");
            try (FerrumDB db = FerrumDB.open(source, options)) {
                writeAll(db);
                db.backup(dir);
            }
            System.out.println("golden backup written to " + dir.toAbsolutePath() + " (source left in " + source
                    + ")");
            return;
        }
        if (args.length > 1 && args[1].equals("sealed")) {
            // Without background compaction, so that every segment is one the writer sealed as it rolled.
            try (FerrumDB db = FerrumDB.open(dir, options.toBuilder().autoCompaction(false).build())) {
                writeAll(db);
            }
            System.out.println("golden database of writer-sealed segments written to " + dir.toAbsolutePath());
            return;
        }
        if (args.length > 1 && args[1].equals("crash")) {
            FaultFileIO io = new FaultFileIO(20240101);
            FerrumDB db = FerrumDB.open(dir, io.forOneOpen(options.toBuilder().fsyncPolicy(FsyncPolicy.always())
                    .autoCompaction(false).build()));
            writeAll(db);
            io.crash();
            try {
                db.close();
            } catch (FerrumException expected) {
                // The power loss took the files from under it: close says it could not finish.
            }
            System.out.println("golden database written, then power lost, in " + dir.toAbsolutePath());
            return;
        }
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            writeAll(db);
        }
        System.out.println("golden database written to " + dir.toAbsolutePath());
    }

    private static void writeAll(FerrumDB db) {
        write(db, operations());
        db.put(EXPIRED_KEY, new byte[] {1}, Duration.ofDays(1));
        long untilYear9999 = 253_370_764_800_000L - CLOCK_MILLIS;
        db.put(LASTING_KEY, new byte[] {9, 9, 9, 9}, Duration.ofMillis(untilYear9999));
    }
}
