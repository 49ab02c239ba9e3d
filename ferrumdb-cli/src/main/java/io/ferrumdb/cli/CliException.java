package io.ferrumdb.cli;

/** A failure the command line reports as one readable line with a given exit code. */
final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    static CliException usage(String message) {
        return new CliException(ExitCode.USAGE, message);
    }

    static CliException notFound(String message) {
        return new CliException(ExitCode.NOT_FOUND, message);
    }

    int exitCode() {
        return exitCode;
    }
}
