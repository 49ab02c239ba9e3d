package io.ferrumdb;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.regex.Pattern;

/**
 * A failure in words for the people who use the front ends (the CLI, Studio, MCP, {@code serve}): what went wrong,
 * to which file, and where it helps what to do; never a Java class name. Java writes a wrapped I/O failure as
 * "java.nio.file.NoSuchFileException: /data/META" and an exception without a message as its class name; every
 * front end words them through here so they say the same thing.
 */
public final class ProblemWording {
    /** Jackson's advice to enable a read feature ("...: enable `JsonReadFeature.X` to allow"). */
    private static final Pattern JSON_READ_SETTING = Pattern.compile(": enable `[A-Za-z]+\\.[A-Z_]+` to allow");
    /** Jackson's reason for not reading a comment. */
    private static final Pattern JSON_COMMENT_SETTING =
            Pattern.compile(" \\(not recognized as one since Feature '[A-Z_]+' not enabled for parser\\)");
    /**
     * Where Jackson's processing limits come from ("exceeds the maximum allowed (1000, from
     * `StreamReadConstraints.getMaxNestingDepth()`)"): the limit is what the user needs, not the setting's name.
     */
    private static final Pattern JSON_CONSTRAINT_SETTING =
            Pattern.compile(", from `Stream(?:Read|Write)Constraints\\.[A-Za-z]+\\(\\)`");
    /** NaN, Infinity or a signed form of them, once the advice is gone: "Non-standard token 'NaN'". */
    private static final Pattern NON_NUMBER_TOKEN = Pattern.compile("^Non-standard token '[^']*'$");
    /**
     * Jackson's place of an unclosed object or array, "[Source: REDACTED (`StreamReadFeature.X` disabled); line:
     * 1, column: 1]": the source is a parser setting, the line and column are what the user needs.
     */
    private static final Pattern JSON_LOCATION =
            Pattern.compile("\\[Source: [^;\\]]*; line: (\\d+), column: (\\d+)\\]");

    private ProblemWording() {
    }

    /** One line for a user saying what went wrong with {@code e}. */
    public static String describe(Throwable e) {
        if ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            return describe(e.getCause());
        }
        if (e instanceof CorruptionException c) {
            return corruption(c);
        }
        if (e instanceof UncheckedIOException && e.getCause() != null
                && e.getCause().toString().equals(e.getMessage())) {
            // Without a message of its own, an UncheckedIOException's message is its cause's class and message.
            return describe(e.getCause());
        }
        if (e instanceof FileSystemException fs) {
            return fileProblem(fs);
        }
        if (e.getMessage() != null) {
            return withCauseInWords(e);
        }
        if (e.getCause() != null) {
            return describe(e.getCause());
        }
        return e instanceof IOException ? "I/O error" : "unexpected failure";
    }

    /**
     * What went wrong reading or writing {@code file}, naming it: reads of a directory fail with a bare
     * "Is a directory", which names no file.
     */
    public static String fileProblem(Path file, IOException e) {
        return e instanceof FileSystemException fs && fs.getFile() != null ? fileProblem(fs)
                : file + ": " + (e.getMessage() != null ? e.getMessage() : "I/O error");
    }

    /**
     * A JSON parser's complaint about text a user gave (a filter, a document, a request body, an import line) in
     * the user's words: Jackson ends some of its messages with the parser setting that would accept the text
     * ("enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow", "since Feature 'ALLOW_COMMENTS' not enabled
     * for parser"), which no user of the front ends can change; those endings become what JSON does not allow.
     * Takes the message as text, so that this module needs no JSON library.
     */
    public static String jsonSyntax(String parserMessage) {
        if (parserMessage == null) {
            return "malformed JSON";
        }
        String text = JSON_READ_SETTING.matcher(parserMessage).replaceAll("");
        text = JSON_COMMENT_SETTING.matcher(text).replaceAll(" (JSON has no comments)");
        text = JSON_LOCATION.matcher(text).replaceAll("line $1, column $2");
        text = JSON_CONSTRAINT_SETTING.matcher(text).replaceAll("");
        return NON_NUMBER_TOKEN.matcher(text).matches() ? text + "; JSON has no NaN or Infinity" : text;
    }

    /**
     * What to do about damage to a file that repair cannot mend ({@code KEY}, a {@code BACKUP} marker: repair opens
     * them as open does and stops at the same damage), or null for every other file, whose damage
     * {@code ferrumdb repair} can cut out (a damaged {@code META} it rebuilds from the segments' headers).
     */
    public static String beyondRepair(CorruptionException e) {
        String name = e.file() == null || e.file().getFileName() == null ? "" : e.file().getFileName().toString();
        return switch (name) {
            case "KEY" -> "'ferrumdb repair' cannot rebuild KEY, which holds the data key every record is encrypted"
                    + " with: restore it from a backup or copy of this database (SECURITY.md)";
            case "BACKUP" -> "this directory is a backup whose marker is damaged, so it may be incomplete: take the"
                    + " backup again from its database";
            default -> null;
        };
    }

    /**
     * Damage to a file repair cannot mend is worded from the first failure in that file (a wrapping one only
     * repeats it) with what to do instead; other damage keeps the engine's message.
     */
    private static String corruption(CorruptionException c) {
        String beyondRepair = beyondRepair(c);
        if (beyondRepair == null) {
            return withCauseInWords(c);
        }
        CorruptionException first = c;
        while (first.getCause() instanceof CorruptionException inner && c.file().equals(inner.file())) {
            first = inner;
        }
        return "corruption in " + first.file() + " at offset " + first.offset() + ": " + first.problem()
                + " (" + beyondRepair + ")";
    }

    /**
     * The message of {@code e}, where one that ends with its cause as Java prints it ("...: " followed by
     * {@code java.nio.file.NotDirectoryException: /data}, as the engine and libraries write them) ends with the
     * cause in words instead ("not a directory: /data").
     */
    private static String withCauseInWords(Throwable e) {
        String text = e.getMessage();
        Throwable cause = e.getCause();
        if (cause == null || !text.endsWith(cause.toString())) {
            return text;
        }
        return text.substring(0, text.length() - cause.toString().length()) + describe(cause);
    }

    /** A file-system failure in the user's words: what happened, and to which file. */
    private static String fileProblem(FileSystemException e) {
        String what;
        if (e instanceof AccessDeniedException) {
            what = "permission denied";
        } else if (e instanceof NoSuchFileException) {
            what = "no such file or directory";
        } else if (e instanceof FileAlreadyExistsException) {
            what = "already exists";
        } else if (e instanceof NotDirectoryException) {
            what = "not a directory";
        } else if (e instanceof DirectoryNotEmptyException) {
            what = "directory not empty";
        } else {
            what = e.getReason() != null ? e.getReason() : "file system error";
        }
        String file = e.getFile() == null ? "" : ": " + e.getFile()
                + (e.getOtherFile() == null ? "" : " -> " + e.getOtherFile());
        return what + file;
    }
}
