package io.ferrumdb.cli;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * A command line picocli cannot parse, said in one line: what is wrong, the closest command or option to a mistyped
 * one ({@link Closest}), and where help is; never the whole usage text.
 */
final class UsageErrors {
    /** picocli's HelpCommand refusing a topic: "Unknown subcommand 'cout'.". */
    private static final Pattern UNKNOWN_HELP_TOPIC = Pattern.compile("Unknown subcommand '(.*)'\\.");

    /** The end of picocli's message for a number option given something else: " is not an int" (or a long). */
    private static final Pattern JAVA_TYPE = Pattern.compile(" is not an? (int|long|short|byte)$");

    private UsageErrors() {
    }

    /** The line to print after "ferrumdb: ". */
    static String describe(CommandLine.ParameterException e) {
        CommandLine line = e.getCommandLine();
        CommandSpec spec = line.getCommandSpec();
        String help = "'" + spec.qualifiedName() + " --help'";
        if (e instanceof CommandLine.UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
            String typed = unmatched.getUnmatched().get(0);
            if (typed.startsWith("-") && typed.length() > 1) {
                String option = typed.contains("=") ? typed.substring(0, typed.indexOf('=')) : typed;
                return "unknown option '" + option + "'" + Closest.suggestion(option, spec.optionsMap().keySet())
                        + " (see " + help + ")";
            }
            if (!spec.subcommands().isEmpty()) {
                // "doc fnd": the words after "ferrumdb", so that the suggestion can be typed as shown.
                String parent = spec.qualifiedName().replaceFirst("^ferrumdb ?", "");
                String prefix = parent.isEmpty() ? "" : parent + " ";
                String close = Closest.to(typed, spec.subcommands().keySet());
                return "unknown command '" + prefix + typed + "'"
                        + (close == null ? "" : "; did you mean '" + prefix + close + "'?")
                        + " (" + help + " lists the commands)";
            }
            return "unexpected argument" + (unmatched.getUnmatched().size() > 1 ? "s " : " ")
                    + quoted(unmatched.getUnmatched()) + " (see " + help + ")";
        }
        String message = e.getMessage();
        Matcher topic = UNKNOWN_HELP_TOPIC.matcher(message);
        if (topic.matches()) {
            // "ferrumdb help cout": picocli's own "Unknown subcommand 'cout'.", without the closest command.
            String close = Closest.to(topic.group(1), spec.subcommands().keySet());
            return "unknown command '" + topic.group(1) + "'" + (close == null ? "" : "; did you mean 'help " + close
                    + "'?") + " (" + help + " lists the commands)";
        }
        // picocli names the Java type a value did not convert to ("'x' is not an int"): say what was expected.
        message = JAVA_TYPE.matcher(message).replaceFirst(" is not a whole number");
        return message.substring(0, 1).toLowerCase(Locale.ROOT) + message.substring(1) + " (see " + help + ")";
    }

    private static String quoted(List<String> words) {
        return String.join(" ", words.stream().map(w -> "'" + w + "'").toList());
    }
}
