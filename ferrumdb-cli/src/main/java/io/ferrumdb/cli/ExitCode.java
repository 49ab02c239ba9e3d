package io.ferrumdb.cli;

/** The exit codes of every {@code ferrumdb} command, listed in each command's --help and in the README. */
public final class ExitCode {
    public static final int OK = 0;
    public static final int NOT_FOUND = 1;
    public static final int USAGE = 2;
    public static final int DATABASE = 3;
    public static final int PASSPHRASE = 4;

    /** The "Exit codes:" section of every command's --help. */
    static final String[] HELP_LIST = {
        "0:ok",
        "1:not found (get, del of a missing key or document)",
        "2:usage error or bad input",
        "3:database error (locked, corrupt, I/O) or verify found damage",
        "4:wrong or missing passphrase of an encrypted database",
        "5:the ./ferrumdb launcher could not build the jar",
        "130, 143:a server (serve, studio, mcp --http) stopped by Ctrl+C or SIGTERM",
    };

    private ExitCode() {
    }
}
