package io.ferrumdb.cli;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.KeyRange;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.EOFError;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.ParsedLine;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * The REPL. On a terminal: JLine line editing, tab completion of commands and keys, history in a file, a
 * continuation prompt while JSON is open. Otherwise (piped input): reads lines silently, no prompt or banner,
 * so that it can be scripted; lines starting with # are comments.
 */
final class Repl {
    static final String HISTORY_ENV = "FERRUMDB_HISTORY";
    private static final int KEY_CANDIDATES = 200;

    private final Cli cli;
    private final ReplHandles handles;

    Repl(Cli cli, ReplHandles handles) {
        this.cli = cli;
        this.handles = handles;
    }

    int run() {
        return cli.io.terminal() ? interactive() : piped();
    }

    /** Runs every line; the exit code is 0 when all succeeded, else that of the first failure. */
    private int piped() {
        ReplSession session = new ReplSession(handles, cli.codec(), cli.io.out(), cli.io.err(), cli.verbose,
                new ReplInterrupt());
        Utf8Lines in = new Utf8Lines(new BufferedInputStream(cli.io.in()));
        int status = ExitCode.OK;
        try {
            StringBuilder pending = new StringBuilder();
            String line;
            while (!session.exitRequested() && (line = in.next()) != null) {
                if (line == Utf8Lines.NOT_UTF8) {
                    // A decoder that replaced the bytes would write another key or value than the one piped in.
                    cli.io.err().println("(error) line " + in.number() + " is not valid UTF-8; give binary keys and"
                            + " values with --hex or --base64" + (pending.length() > 0 ? " (the open value before it"
                            + " is dropped)" : ""));
                    pending.setLength(0);
                    status = status == ExitCode.OK ? ExitCode.USAGE : status;
                    continue;
                }
                if (pending.length() == 0 && line.strip().startsWith("#")) {
                    continue;
                }
                pending.append(pending.length() == 0 ? "" : "\n").append(line);
                if (ReplSyntax.incomplete(pending.toString())) {
                    continue;
                }
                int code = session.execute(pending.toString());
                pending.setLength(0);
                status = status == ExitCode.OK ? code : status;
            }
            if (pending.length() > 0) {
                cli.io.err().println("(error) input ended inside an unclosed JSON value or string");
                status = status == ExitCode.OK ? ExitCode.USAGE : status;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read standard input", e);
        } finally {
            session.close();
        }
        return status;
    }

    private int interactive() {
        try (Terminal terminal = TerminalBuilder.builder().system(true).provider("exec").build()) {
            // Keys, values and messages are shown through the filter, so none of them can drive the terminal.
            ReplInterrupt interrupt = new ReplInterrupt();
            PrintStream out = new PrintStream(interrupt.dropWhileRequested(new TerminalSafeOutput(terminal.output())),
                    true, StandardCharsets.UTF_8);
            ReplSession session = new ReplSession(handles, cli.codec(), out, out, cli.verbose, interrupt);
            // While a command runs; the line reader has its own handler while it reads (UserInterruptException).
            terminal.handle(Terminal.Signal.INT, signal -> interrupt.request());
            LineReader reader = LineReaderBuilder.builder()
                    .terminal(terminal)
                    .appName("ferrumdb")
                    .parser(new JsonAwareParser())
                    .completer(new ReplCompleter(session))
                    .variable(LineReader.HISTORY_FILE, historyFile())
                    .variable(LineReader.SECONDARY_PROMPT_PATTERN, "%P...> ")
                    .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                    .option(LineReader.Option.CASE_INSENSITIVE, true)
                    .build();
            out.println("FerrumDB " + Version.current() + " on " + handles.kv().directory()
                    + ". HELP lists the commands, EXIT (or Ctrl-D) leaves.");
            try {
                while (!session.exitRequested()) {
                    String line;
                    try {
                        line = reader.readLine(session.inBatch() ? "ferrumdb(multi)> " : "ferrumdb> ");
                    } catch (UserInterruptException e) {
                        continue;
                    } catch (EndOfFileException e) {
                        break;
                    }
                    session.execute(line);
                }
            } finally {
                session.close();
                reader.getHistory().save();
            }
            return ExitCode.OK;
        } catch (IOException e) {
            throw new UncheckedIOException("terminal error", e);
        }
    }

    /**
     * Lines of standard input (ended by LF or CR LF), each decoded as UTF-8 on its own, so that a line that is not
     * UTF-8 is reported with its number while the lines around it run.
     */
    private static final class Utf8Lines {
        /** Stands for a line whose bytes are not UTF-8. */
        static final String NOT_UTF8 = new String("not UTF-8");
        private final InputStream in;
        private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private long number;

        Utf8Lines(InputStream in) {
            this.in = in;
        }

        /** The 1-based number of the line {@link #next()} returned last. */
        long number() {
            return number;
        }

        /** The next line without its end, {@link #NOT_UTF8}, or null at the end of the input. */
        String next() throws IOException {
            line.reset();
            int b;
            while ((b = in.read()) >= 0 && b != '\n') {
                line.write(b);
            }
            if (b < 0 && line.size() == 0) {
                return null;
            }
            number++;
            byte[] bytes = line.toByteArray();
            int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
            try {
                return utf8.decode(ByteBuffer.wrap(bytes, 0, end)).toString();
            } catch (CharacterCodingException e) {
                return NOT_UTF8;
            }
        }
    }

    /** $FERRUMDB_HISTORY, else ~/.ferrumdb_history. */
    private Path historyFile() {
        String configured = cli.io.env().get(HISTORY_ENV);
        return configured != null && !configured.isBlank() ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".ferrumdb_history");
    }

    /** Asks JLine for another line (continuation prompt) while a JSON value or string is open. */
    private static final class JsonAwareParser extends DefaultParser {
        JsonAwareParser() {
            escapeChars(new char[0]);
        }

        @Override
        public ParsedLine parse(String line, int cursor, ParseContext context) {
            if (context == ParseContext.ACCEPT_LINE && ReplSyntax.incomplete(line)) {
                throw new EOFError(-1, cursor, "open JSON value", "}");
            }
            return super.parse(line, cursor, context);
        }
    }

    /**
     * Completes command names, DOC's subcommands, then (in text mode) existing keys for commands that take a key.
     */
    private static final class ReplCompleter implements Completer {
        private final ReplSession session;

        ReplCompleter(ReplSession session) {
            this.session = session;
        }

        @Override
        public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
            if (line.wordIndex() == 0) {
                for (String c : ReplSession.COMMANDS.keySet()) {
                    candidates.add(new Candidate(c));
                }
                return;
            }
            String command = line.words().get(0).toUpperCase(Locale.ROOT);
            if (line.wordIndex() == 1 && command.equals("DOC")) {
                for (String sub : ReplSession.DOC_COMMANDS) {
                    candidates.add(new Candidate(sub));
                }
                return;
            }
            if (line.wordIndex() != 1 || session.codec() != Codec.TEXT
                    || !ReplSession.KEY_COMMANDS.contains(command)) {
                return;
            }
            byte[] prefix = line.word().getBytes(StandardCharsets.UTF_8);
            FerrumDB db = session.handles().kvIfOpen();
            if (db == null) {
                return;
            }
            try (Stream<byte[]> keys = db.keys(KeyRange.prefix(prefix))) {
                Iterator<byte[]> it = keys.limit(KEY_CANDIDATES).iterator();
                while (it.hasNext()) {
                    candidates.add(new Candidate(new String(it.next(), StandardCharsets.UTF_8)));
                }
            }
        }
    }
}
