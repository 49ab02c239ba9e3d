package io.ferrumdb.process;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.FsyncPolicy;
import io.ferrumdb.Options;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The child of {@link MaintenanceKill9Test}: runs one maintenance operation over and over until it is killed.
 * Arguments: directory, mode, and for each mode what it needs. Lines printed (each ending in " ." so that one cut
 * by the kill is ignored):
 * <pre>
 * READY .
 * PUT n .        mode backup, rotate: key "after-n" was put (fsync always) and acknowledged
 * BACKUP n .     mode backup: db.backup(ROOT/b-n) returned
 * CHANGED n .    mode passphrase: FerrumDB.changePassphrase from "pass-(n-1)" to "pass-n" returned
 * ROTATED n .    mode rotate: db.rotateDataKey() returned
 * CREATED n .    mode create: the encrypted database ROOT/c-n was created, given key "after-n", and closed
 * </pre>
 */
public final class MaintenanceKillChild {
    private MaintenanceKillChild() {
    }

    static final int SEGMENT_SIZE = 16 << 10;

    static char[] passphrase(int n) {
        return ("pass-" + n).toCharArray();
    }

    static byte[] afterKey(long n) {
        return ("after-" + n).getBytes(StandardCharsets.UTF_8);
    }

    static Options options(char[] passphrase) {
        Options.Builder b = Options.builder().fsyncPolicy(FsyncPolicy.always()).segmentSize(SEGMENT_SIZE);
        return (passphrase == null ? b : b.passphrase(passphrase)).build();
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        switch (args[1]) {
            case "backup" -> {
                Path root = Path.of(args[2]);
                long first = Long.parseLong(args[3]);
                try (FerrumDB db = FerrumDB.open(dir, options(null))) {
                    out.println("READY .");
                    for (long n = first; ; n++) {
                        db.put(afterKey(n), KillChild.value("after", n));
                        out.println("PUT " + n + " .");
                        db.backup(root.resolve("b-" + n));
                        out.println("BACKUP " + n + " .");
                    }
                }
            }
            case "passphrase" -> {
                int current = Integer.parseInt(args[2]);
                out.println("READY .");
                for (int n = current + 1; ; n++) {
                    FerrumDB.changePassphrase(dir, passphrase(n - 1), passphrase(n));
                    out.println("CHANGED " + n + " .");
                }
            }
            case "rotate" -> {
                long first = Long.parseLong(args[2]);
                try (FerrumDB db = FerrumDB.open(dir, options(passphrase(0)))) {
                    out.println("READY .");
                    for (long n = first; ; n++) {
                        db.put(afterKey(n), KillChild.value("after", n));
                        out.println("PUT " + n + " .");
                        db.rotateDataKey();
                        out.println("ROTATED " + n + " .");
                    }
                }
            }
            case "create" -> {
                out.println("READY .");
                for (long n = Long.parseLong(args[2]); ; n++) {
                    try (FerrumDB db = FerrumDB.open(dir.resolve("c-" + n), options(passphrase(0)))) {
                        db.put(afterKey(n), KillChild.value("after", n));
                    }
                    out.println("CREATED " + n + " .");
                }
            }
            default -> throw new IllegalArgumentException("unknown mode " + args[1]);
        }
    }
}
