package io.ferrumdb.process;

import io.ferrumdb.DatabaseLockedException;
import io.ferrumdb.FerrumDB;
import java.nio.file.Path;

/**
 * The child of {@link LockContentionTest}: opens the directory in its argument and exits with
 * {@link #LOCKED} after a DatabaseLockedException naming that directory ({@link #WRONG_DIRECTORY} if it names
 * another), {@link #OPENED} after a successful open and close, or lets any other failure end it (exit code 1, stack trace on stderr).
 */
public final class LockProbeChild {
    static final int OPENED = 0;
    static final int LOCKED = 3;
    static final int WRONG_DIRECTORY = 4;

    private LockProbeChild() {
    }

    public static void main(String[] args) {
        Path dir = Path.of(args[0]).toAbsolutePath().normalize();
        try (FerrumDB db = FerrumDB.open(dir)) {
            System.out.println("opened " + db.directory());
        } catch (DatabaseLockedException e) {
            System.out.println(e.getMessage());
            boolean named = dir.equals(e.directory()) && e.getMessage().contains(dir.toString());
            System.exit(named ? LOCKED : WRONG_DIRECTORY);
        }
        System.exit(OPENED);
    }
}
