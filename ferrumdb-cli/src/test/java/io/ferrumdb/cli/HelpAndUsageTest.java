package io.ferrumdb.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.ByteArrayInputStream;
import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The --help of every command and subcommand, as users of git and psql expect it: a usage line, every option and
 * parameter explained, and examples that are real command lines (each parses; at least one runs the command);
 * and a mistyped command or option answered with one line naming the closest one.
 */
class HelpAndUsageTest {
    @TempDir
    Path tmp;

    private static CommandLine commandLine() {
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
        return Main.commandLine(new Cli(new Io(new ByteArrayInputStream(new byte[0]), nowhere, nowhere, nowhere,
                Map.of(), Terminals.NONE, null)));
    }

    /** Every command, the top one included, depth first. */
    private static List<CommandLine> everyCommand(CommandLine line) {
        List<CommandLine> all = new ArrayList<>(List.of(line));
        for (CommandLine sub : line.getSubcommands().values()) {
            all.addAll(everyCommand(sub));
        }
        return all;
    }

    @Test
    void everyCommandsHelpHasAUsageLineExplainsEveryArgumentAndEndsWithExamplesThatParse() {
        List<CommandLine> commands = everyCommand(commandLine());
        assertThat(commands).hasSizeGreaterThan(20);
        for (CommandLine command : commands) {
            CommandSpec spec = command.getCommandSpec();
            String name = spec.qualifiedName();
            List<String> words = new ArrayList<>(List.of(name.split(" ")).subList(1, name.split(" ").length));
            words.add("--help");
            Run help = Run.of(null, "", words.toArray(String[]::new));
            assertThat(help.code()).as(name).isZero();
            assertThat(help.out()).as(name).startsWith("Usage: " + name).contains("\nExit codes:\n");
            List<ArgSpec> arguments = new ArrayList<>(spec.options());
            arguments.addAll(spec.positionalParameters());
            for (ArgSpec argument : arguments) {
                assertThat(String.join(" ", argument.description())).as("%s: %s", name, argument.paramLabel())
                        .isNotBlank();
            }
            List<String> examples = help.out().lines().dropWhile(l -> !l.equals("Examples:")).skip(1)
                    .filter(l -> l.startsWith("  ")).toList();
            assertThat(examples).as("%s --help ends with examples", name).isNotEmpty();
            int ofThisCommand = 0;
            for (String example : examples) {
                List<String> args = commandWords(example);
                if (args == null) {
                    continue; // another program's line, such as redis-cli talking to ferrumdb serve
                }
                CommandLine.ParseResult parsed = commandLine().parseArgs(args.toArray(String[]::new));
                while (parsed.hasSubcommand()) {
                    parsed = parsed.subcommand();
                }
                // A group (doc) shows its members' command lines; repair's examples start with verify.
                String ran = parsed.commandSpec().qualifiedName();
                if (ran.equals(name) || ran.startsWith(name + " ")) {
                    ofThisCommand++;
                }
            }
            assertThat(ofThisCommand).as("%s: examples that run it", name).isPositive();
        }
    }

    /**
     * The arguments of the ferrumdb command line in an example ({@code date | ferrumdb put stamp -  comment}): the
     * words after "ferrumdb" up to a redirection, a pipe or the comment (two blanks); null without "ferrumdb".
     */
    private static List<String> commandWords(String example) {
        int start = example.indexOf("ferrumdb");
        if (start < 0) {
            return null;
        }
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        String line = example.substring(start + "ferrumdb".length());
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (c == ' ' || c == ')') {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
                if (c == ')' || line.startsWith("  ", i)) {
                    break;
                }
            } else if (c == '>' || c == '<' || c == '|') {
                break;
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }

    @Test
    void helpCommandShowsTheSameAsHelpOption() {
        Run helpGet = Run.of(null, "", "help", "get");
        assertThat(helpGet.code()).isZero();
        assertThat(helpGet.out()).isEqualTo(Run.of(null, "", "get", "--help").out());
        assertThat(Run.of(null, "", "help", "doc").out()).isEqualTo(Run.of(null, "", "doc", "--help").out());
        assertThat(Run.of(null, "", "help").out()).isEqualTo(Run.of(null, "", "--help").out());
    }

    @Test
    void theHelpsExitCodesAreTheReadmesTable() throws Exception {
        List<String> readme = Files.readAllLines(Path.of("").toAbsolutePath().getParent().resolve("README.md"));
        List<String> table = readme.stream().dropWhile(l -> !l.startsWith("**Exit codes**")).skip(1)
                .dropWhile(String::isBlank).takeWhile(l -> l.startsWith("|")).skip(2)
                .map(l -> l.split("\\|")[1].trim()).toList();
        List<String> help = Run.of(null, "", "get", "--help").out().lines().dropWhile(l -> !l.equals("Exit codes:"))
                .skip(1).takeWhile(l -> !l.isBlank()).map(l -> l.trim().split("  +")[0]).toList();
        assertThat(table).containsExactly("0", "1", "2", "3", "4", "5", "130, 143");
        assertThat(help).isEqualTo(table);
    }

    @Test
    void aMistypedOptionGetsOneLineWithTheClosestOption() {
        Run r = Run.of(tmp.resolve("db"), "", "get", "--outpt", "copy", "k");
        assertThat(r.code()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).isEqualTo("ferrumdb: unknown option '--outpt'; did you mean '--output'? "
                + "(see 'ferrumdb get --help')\n");
        Run inherited = Run.of(null, "", "--fsyn=never", "count");
        assertThat(inherited.err()).isEqualTo("ferrumdb: unknown option '--fsyn'; did you mean '--fsync'? "
                + "(see 'ferrumdb --help')\n");
        Run unlike = Run.of(tmp.resolve("db"), "", "keys", "--zzzzzz");
        assertThat(unlike.err()).isEqualTo("ferrumdb: unknown option '--zzzzzz' (see 'ferrumdb keys --help')\n");
    }

    @Test
    void aMistypedSubcommandOfDocGetsOneLineWithTheClosestOne() {
        Run r = Run.of(tmp.resolve("db"), "", "doc", "fnd", "users");
        assertThat(r.code()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).isEqualTo("ferrumdb: unknown command 'doc fnd'; did you mean 'doc find'? "
                + "('ferrumdb doc --help' lists the commands)\n");
    }

    /**
     * Audit 27c: {@code help cout} said picocli's "unknown subcommand 'cout'." with no suggestion, and a number
     * option given a word said "'x' is not an int", a Java type.
     */
    @Test
    void aMistypedHelpTopicGetsTheClosestCommandAndABadNumberNamesNoJavaType() {
        Run topic = Run.of(tmp.resolve("db"), "", "help", "cout");
        assertThat(topic.code()).isEqualTo(ExitCode.USAGE);
        assertThat(topic.err()).isEqualTo("ferrumdb: unknown command 'cout'; did you mean 'help count'? "
                + "('ferrumdb --help' lists the commands)\n");
        Run limit = Run.of(tmp.resolve("db"), "", "keys", "--limit", "ten");
        assertThat(limit.code()).isEqualTo(ExitCode.USAGE);
        assertThat(limit.err()).isEqualTo("ferrumdb: invalid value for option '--limit': 'ten' is not a whole number "
                + "(see 'ferrumdb keys --help')\n");
        assertThat(Run.of(tmp.resolve("db"), "", "compact", "--threads", "x").err())
                .contains("'x' is not a whole number").doesNotContain(" int");
    }

    @Test
    void anArgumentTooManyIsNamedInLowerCaseWords() {
        Run r = Run.of(tmp.resolve("db"), "", "get", "k", "extra");
        assertThat(r.code()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).isEqualTo("ferrumdb: unexpected argument 'extra' (see 'ferrumdb get --help')\n");
        Run missing = Run.of(tmp.resolve("db"), "", "put");
        assertThat(missing.err()).startsWith("ferrumdb: missing required parameter").contains("KEY");
    }

    @Test
    void theReplAnswersAMistypedDocCommandOrHelpTopicWithOneLine() {
        Run r = Run.of(tmp.resolve("db"), "DOC FND users\nDOC\nHELP GTE\n");
        assertThat(r.code()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).isEqualTo("""
                (error) unknown DOC command 'FND'; did you mean 'FIND'? (HELP DOC lists them)
                (error) DOC needs a command: DOC PUT|GET|DEL|FIND|COUNT|INDEX|EXPLAIN|COLLECTIONS ... (HELP DOC \
                shows their syntax)
                (error) no command 'GTE'; did you mean 'GET'? (HELP lists the commands)
                """);
    }

    @Test
    void theClosestNameIsOnlyOfferedWhenItIsClose() {
        assertThat(Closest.to("cout", List.of("count", "compact", "keys"))).isEqualTo("count");
        assertThat(Closest.to("--prefx", List.of("--prefix", "--limit"))).isEqualTo("--prefix");
        assertThat(Closest.to("GTE", List.of("GET", "SET"))).isEqualTo("GET");
        assertThat(Closest.to("--pre", List.of("--prefix", "--limit"))).isEqualTo("--prefix");
        assertThat(Closest.to("co", List.of("count", "compact"))).isNull();
        assertThat(Closest.to("x", List.of("get"))).isNull();
        assertThat(Closest.to("frobnicate", List.of("find", "count"))).isNull();
        assertThatCode(() -> Closest.to("", List.of("get"))).doesNotThrowAnyException();
    }
}
