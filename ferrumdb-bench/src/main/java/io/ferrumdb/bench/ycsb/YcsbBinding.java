package io.ferrumdb.bench.ycsb;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Properties;

import site.ycsb.DBException;
import site.ycsb.Status;

/** What both YCSB bindings share: the directory property, key encoding and how an engine failure is reported. */
final class YcsbBinding {
    private YcsbBinding() {
    }

    static Path directory(Properties properties, String property) throws DBException {
        String dir = properties.getProperty(property);
        if (dir == null || dir.isBlank()) {
            throw new DBException("YCSB property " + property + " (the database directory) is not set");
        }
        return Path.of(dir);
    }

    /** YCSB keys ("user" + digits) as UTF-8; the table name is ignored, one table per directory. */
    static byte[] key(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * YCSB counts a failed operation by its Status (the run's [OP-FAILED] lines, which run-ycsb.sh checks); the
     * engine's exception goes to stderr so that the cause is not lost.
     */
    static Status failed(String engine, String operation, String key, Exception e) {
        System.err.println(engine + " " + operation + " of key " + key + " failed:");
        e.printStackTrace(System.err);
        return Status.ERROR;
    }
}
