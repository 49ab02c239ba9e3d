package io.ferrumdb.process;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.Options;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The holder of {@link LockContentionTest}: opens the directory in its first argument (read-only when the second
 * is "read-only"), prints "open" and keeps it open until its standard input ends.
 */
public final class LockHoldChild {
    private LockHoldChild() {
    }

    public static void main(String[] args) throws IOException {
        boolean readOnly = args.length > 1 && args[1].equals("read-only");
        try (FerrumDB db = FerrumDB.open(Path.of(args[0]), Options.builder().readOnly(readOnly).build())) {
            System.out.println("open");
            System.out.flush();
            System.in.readAllBytes();
        }
    }
}
