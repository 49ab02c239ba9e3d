package io.ferrumdb;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The errors of the calls on a whole database directory ({@link FerrumDB#open open}, {@link FerrumDB#verify verify},
 * {@link FerrumDB#repair repair}): their arguments checked, and an I/O failure turned into a {@link FerrumException}
 * naming the job and the directory. Out of the facade, which checks and delegates.
 */
final class DirectoryCalls {
    /** A job on a whole database directory. */
    interface Call<T> {
        T run() throws IOException;
    }

    private DirectoryCalls() {
    }

    /** Checks the arguments of {@code call} and turns its I/O failure into a FerrumException naming {@code job}. */
    static <T> T run(String job, Path dir, Options options, Call<T> call) {
        requireArguments(dir, options);
        try {
            return call.run();
        } catch (IOException e) {
            throw failed(job, dir, e);
        }
    }

    static void requireArguments(Path dir, Options options) {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(options, "options");
    }

    /** The FerrumException for {@code job} on the database in {@code dir} failing with {@code e}. */
    static FerrumException failed(String job, Path dir, IOException e) {
        return new FerrumException("could not " + job + " database " + dir.toAbsolutePath() + ": " + e, e);
    }
}
