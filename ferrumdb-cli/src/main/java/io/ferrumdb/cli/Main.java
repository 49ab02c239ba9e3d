package io.ferrumdb.cli;

import io.ferrumdb.CorruptionException;
import io.ferrumdb.DatabaseLockedException;
import io.ferrumdb.EncryptionKeyException;
import io.ferrumdb.FerrumException;
import java.io.Console;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;

/** Entry point of the {@code ferrumdb} command (the runnable jar's Main-Class). */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        boolean terminal = isTerminal();
        Io.PassphrasePrompt prompt = terminal ? Main::readPassword : null;
        int code = run(args, System.in, out, err, System.getenv(), terminal, prompt);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs one command line as if from a script (no terminal) and returns its exit code; see {@link ExitCode}. */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        return run(args, in, out, err, System.getenv(), false, null);
    }

    static int run(String[] args, InputStream in, PrintStream out, PrintStream err, Map<String, String> env,
                   boolean terminal, Io.PassphrasePrompt prompt) {
        Cli cli = new Cli(new Io(in, out, err, env, terminal, prompt));
        CommandLine cmd = commandLine(cli);
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        return cmd.execute(args);
    }

    static CommandLine commandLine(Cli cli) {
        CommandLine cmd = new CommandLine(cli);
        cmd.setExitCodeExceptionMapper(Main::exitCode);
        cmd.setExecutionExceptionHandler((e, line, parseResult) -> {
            PrintWriter err = line.getErr();
            err.println("ferrumdb: " + message(e));
            if (cli.verbose) {
                e.printStackTrace(err);
            }
            err.flush();
            return exitCode(e);
        });
        Map<String, String> codes = new LinkedHashMap<>();
        for (String entry : ExitCode.HELP_LIST) {
            int colon = entry.indexOf(':');
            codes.put(entry.substring(0, colon), entry.substring(colon + 1));
        }
        applyExitCodeHelp(cmd, codes);
        return cmd;
    }

    private static void applyExitCodeHelp(CommandLine cmd, Map<String, String> codes) {
        cmd.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(codes);
        cmd.getCommandSpec().exitCodeOnInvalidInput(ExitCode.USAGE);
        for (CommandLine sub : cmd.getSubcommands().values()) {
            applyExitCodeHelp(sub, codes);
        }
    }

    /** The exit code for an exception thrown by a command; also used by the REPL for each failed line. */
    static int exitCode(Throwable e) {
        if (e instanceof CliException c) {
            return c.exitCode();
        }
        if (e instanceof EncryptionKeyException) {
            return ExitCode.PASSPHRASE;
        }
        if (e instanceof FerrumException || e instanceof UncheckedIOException) {
            return ExitCode.DATABASE;
        }
        if (e instanceof IllegalArgumentException || e instanceof CommandLine.ParameterException) {
            return ExitCode.USAGE;
        }
        return ExitCode.DATABASE;
    }

    /** One readable line for the user: what went wrong and, where it helps, what to do. */
    static String message(Throwable e) {
        if (e instanceof DatabaseLockedException locked) {
            return "the database " + locked.directory() + " is in use by another process (or another ferrumdb"
                    + " command); close it first";
        }
        if (e instanceof EncryptionKeyException) {
            return e.getMessage().replaceAll(": open it with Options.*", "") + " (give the passphrase with "
                    + "--passphrase-file FILE, the environment variable " + Cli.PASSPHRASE_ENV
                    + " or --ask-passphrase)";
        }
        if (e instanceof CorruptionException) {
            return e.getMessage().contains("ferrumdb repair") ? e.getMessage()
                    : e.getMessage() + " (run 'ferrumdb verify' to list every damaged record, 'ferrumdb repair' to"
                    + " keep every intact one)";
        }
        if (e instanceof FerrumException || e instanceof CliException || e instanceof IllegalArgumentException) {
            return e.getMessage();
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private static char[] readPassword(String prompt) {
        Console console = System.console();
        return console == null ? null : console.readPassword("%s", prompt);
    }

    /**
     * Whether stdin and stdout are an interactive terminal. From Java 22 System.console() exists even when
     * redirected and Console.isTerminal() tells; that method is looked up because the code targets Java 17.
     */
    private static boolean isTerminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (NoSuchMethodException e) {
            return true;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Console.isTerminal() failed", e);
        }
    }
}
