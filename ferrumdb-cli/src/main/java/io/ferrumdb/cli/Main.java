package io.ferrumdb.cli;

import io.ferrumdb.CorruptionException;
import io.ferrumdb.EncryptionKeyException;
import io.ferrumdb.FerrumException;
import io.ferrumdb.ProblemWording;
import io.ferrumdb.doc.UniqueIndexViolationException;
import java.io.Console;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.util.List;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;

/** Entry point of the {@code ferrumdb} command (the runnable jar's Main-Class). */
public final class Main {
    private Main() {
    }

    /** The format of java.util.logging's console lines, the System.Logger of the engine by default. */
    static final String LOG_FORMAT_PROPERTY = "java.util.logging.SimpleFormatter.format";

    public static void main(String[] args) {
        // The engine's warnings (an unusable KEYDIR image, one that could not be written on a full disk) came as
        // two lines with a date and the Java class and method, and a stack trace: one line in the command's
        // words instead, the stack trace only under --verbose. A format given with -D still wins.
        if (System.getProperty(LOG_FORMAT_PROPERTY) == null) {
            System.setProperty(LOG_FORMAT_PROPERTY, "ferrumdb: %4$s: %5$s"
                    + (List.of(args).contains("--verbose") ? "%6$s" : "") + "%n");
        }
        PrintStream out = StandardOutput.ofProcess();
        PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        boolean console = isTerminal();
        Io.PassphrasePrompt prompt = console ? Main::readPassword : null;
        Terminals terminals = Terminals.detect(console);
        String notUtf8 = RawArguments.firstNotUtf8(args);
        if (notUtf8 != null) {
            PrintStream shownErr = terminals.err() ? safe(err) : err;
            shownErr.println("ferrumdb: " + notUtf8 + " is not UTF-8 text, so it could not be stored as given: binary"
                    + " keys and values take --hex or --base64 (or put KEY --file FILE)");
            shownErr.flush();
            System.exit(ExitCode.USAGE);
        }
        int code;
        try {
            code = run(args, System.in, out, err, System.getenv(), terminals, prompt);
        } catch (Error e) {
            // picocli passes Errors on (a broken class path: NoSuchFieldError, NoClassDefFoundError). Left to the
            // JVM, one ended the main thread while the database's and a server's threads kept the process alive:
            // `ferrumdb mcp --http` hung with no banner. Said, and the process ends.
            err.println("ferrumdb: internal error: " + e);
            e.printStackTrace(err);
            code = ExitCode.DATABASE;
        }
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs one command line as if from a script (no terminal) and returns its exit code; see {@link ExitCode}. */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        return run(args, in, out, err, System.getenv(), Terminals.NONE, null);
    }

    /** Runs one command line; output to a terminal among {@code terminals} goes through {@link TerminalSafeOutput}. */
    static int run(String[] args, InputStream in, PrintStream out, PrintStream err, Map<String, String> env,
                   Terminals terminals, Io.PassphrasePrompt prompt) {
        PrintStream shownOut = terminals.out() ? safe(out) : out;
        PrintStream shownErr = terminals.err() ? safe(err) : err;
        Cli cli = new Cli(new Io(in, shownOut, shownErr, err, env, terminals, prompt));
        CommandLine cmd = commandLine(cli);
        cmd.setOut(new PrintWriter(shownOut, true));
        cmd.setErr(new PrintWriter(shownErr, true));
        int code = cmd.execute(args);
        shownOut.flush();
        if (code == ExitCode.OK && shownOut.checkError() && !StandardOutput.readerWentAway(out)) {
            // A PrintStream swallows write errors: 'get k > file' on a full disk ended with 0 and a cut value.
            shownErr.println("ferrumdb: cannot write standard output (" + StandardOutput.failureOf(out)
                    + "): the output is incomplete");
            code = ExitCode.DATABASE;
        }
        shownErr.flush();
        return code;
    }

    private static PrintStream safe(PrintStream terminal) {
        return new PrintStream(new TerminalSafeOutput(terminal), true, StandardCharsets.UTF_8);
    }

    static CommandLine commandLine(Cli cli) {
        CommandLine cmd = new CommandLine(cli);
        // Help goes through the terminal filter, which would show colour codes as text.
        cmd.setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
        cmd.setExitCodeExceptionMapper(Main::exitCode);
        cmd.setParameterExceptionHandler(Main::usageError);
        cmd.setExecutionExceptionHandler((e, line, parseResult) -> {
            if (e instanceof StandardOutput.ReaderGone) {
                return ExitCode.OK; // as 'ferrumdb keys | head': the reader has what it wanted
            }
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
        // picocli's own help command ("ferrumdb help get", as git has) takes no annotations of ours: worded and
        // laid out here as every other command's help.
        cmd.getSubcommands().get("help").getCommandSpec().usageMessage().header(new String[0]).synopsisHeading("Usage: ")
                .description("Prints the help of COMMAND (of ferrumdb without one), as 'ferrumdb COMMAND --help' does.")
                .footerHeading(Cli.EXAMPLES).footer("  ferrumdb help get                     what get --help prints");
        return cmd;
    }

    private static void applyExitCodeHelp(CommandLine cmd, Map<String, String> codes) {
        cmd.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(codes);
        cmd.getCommandSpec().exitCodeOnInvalidInput(ExitCode.USAGE);
        for (CommandLine sub : cmd.getSubcommands().values()) {
            applyExitCodeHelp(sub, codes);
        }
    }

    /** A command line picocli cannot parse: one line ({@link UsageErrors}), exit code 2. */
    private static int usageError(CommandLine.ParameterException e, String[] args) {
        PrintWriter err = e.getCommandLine().getErr();
        err.println("ferrumdb: " + UsageErrors.describe(e));
        err.flush();
        return ExitCode.USAGE;
    }

    /** The exit code for an exception thrown by a command; also used by the REPL for each failed line. */
    static int exitCode(Throwable e) {
        if (e instanceof CliException c) {
            return c.exitCode();
        }
        if (e instanceof EncryptionKeyException) {
            return ExitCode.PASSPHRASE;
        }
        if (e instanceof UniqueIndexViolationException) {
            // The document or index the user gave is refused, as a value over the size limit is: bad input.
            return ExitCode.USAGE;
        }
        if (e instanceof FerrumException || e instanceof UncheckedIOException) {
            return ExitCode.DATABASE;
        }
        if (e instanceof IllegalArgumentException || e instanceof CommandLine.ParameterException) {
            return ExitCode.USAGE;
        }
        return ExitCode.DATABASE;
    }

    /**
     * One readable line for the user: what went wrong ({@link ProblemWording}, which every front end shares) and,
     * where it helps, the command or option to use.
     */
    static String message(Throwable e) {
        if (e instanceof EncryptionKeyException key && key.plaintextDatabase()) {
            return e.getMessage() + " (a plaintext database takes no passphrase: leave out --passphrase-file and"
                    + " --ask-passphrase, and unset " + Cli.PASSPHRASE_ENV + ")";
        }
        if (e instanceof EncryptionKeyException) {
            return e.getMessage().replaceAll(": open it with Options.*", "") + " (give the passphrase with "
                    + "--passphrase-file FILE, the environment variable " + Cli.PASSPHRASE_ENV
                    + " or --ask-passphrase)";
        }
        if (e instanceof CorruptionException c && ProblemWording.beyondRepair(c) == null
                && !c.getMessage().contains("ferrumdb repair")) {
            return c.getMessage() + " (run 'ferrumdb verify' to list every damaged record, 'ferrumdb repair' to"
                    + " keep every intact one)";
        }
        return ProblemWording.describe(e);
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
