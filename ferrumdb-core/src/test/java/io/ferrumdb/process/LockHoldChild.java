package io.ferrumdb.process;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.Options;
import io.ferrumdb.ServingFile;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * The holder of {@link LockContentionTest}: opens the directory in its first argument (read-only when the second
 * is "read-only"), prints "open" and keeps it open until its standard input ends. With a third argument, a port, it
 * announces itself in the directory's {@link ServingFile} as a server on 127.0.0.1 at that port meanwhile.
 */
public final class LockHoldChild {
    private LockHoldChild() {
    }

    public static void main(String[] args) throws IOException {
        boolean readOnly = args.length > 1 && args[1].equals("read-only");
        Path dir = Path.of(args[0]);
        try (FerrumDB db = FerrumDB.open(dir, Options.builder().readOnly(readOnly).build())) {
            if (args.length > 2) {
                try (ServingFile notice = ServingFile.write(dir,
                        new InetSocketAddress("127.0.0.1", Integer.parseInt(args[2])), false)) {
                    holdUntilStdinEnds();
                }
            } else {
                holdUntilStdinEnds();
            }
        }
    }

    private static void holdUntilStdinEnds() throws IOException {
        System.out.println("open");
        System.out.flush();
        System.in.readAllBytes();
    }
}
