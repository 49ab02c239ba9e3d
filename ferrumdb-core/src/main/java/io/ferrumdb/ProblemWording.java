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

    /** The operating system's words (EISDIR) for reading or writing a directory as a file. */
    private static final String IS_A_DIRECTORY = "Is a directory";

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
        if (e instanceof FileSystemException fs && fs.getFile() != null) {
            return fileProblem(fs);
        }
        return IS_A_DIRECTORY.equals(e.getMessage()) ? isADirectory(file)
                : file + ": " + (e.getMessage() != null ? e.getMessage() : "I/O error");
    }

    /**
     * A directory given where a file belongs ({@code get -o DIR}, {@code put --file DIR}, {@code import -i DIR}):
     * one wording for every door, whether the JDK said "Is a directory" with the file, without it, or the caller
     * found it first.
     */
    public static String isADirectory(Path file) {
        return file + " is a directory";
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

    /** The characters hex text is written with, either case. */
    private static final String HEX_DIGITS = "0123456789abcdefABCDEF";
    /** The characters of base64 (RFC 4648's basic alphabet) with its padding. */
    private static final String BASE64_CHARACTERS =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";

    /**
     * What is wrong with {@code text}, which {@link java.util.HexFormat#parseHex} refused, in the user's terms: the
     * first character that is not a hex digit and its position (counted in characters from 1), else its odd
     * length; not the JDK's words ({@code not a hexadecimal digit: "z" = 122}). Every front end that takes hex
     * (the CLI's {@code --hex}, Studio's API) words it through here.
     */
    public static String notHex(String text) {
        String outside = firstOutside(text, HEX_DIGITS, "hex digit (0-9, a-f)");
        return outside != null ? outside : text.length() + " digits, an odd number (two hex digits make a byte)";
    }

    /**
     * What is wrong with {@code text}, which {@link java.util.Base64#getDecoder()} refused, in the user's terms: the
     * first character outside the alphabet and its position, a character after the padding, a last group of one
     * character, or padding that does not fill the last group to four; not the JDK's words ("Input byte[] should
     * at least have 2 bytes for base64 bytes", "Last unit does not have enough valid bits").
     */
    public static String notBase64(String text) {
        String outside = firstOutside(text, BASE64_CHARACTERS, "base64 character (A-Z, a-z, 0-9, +, /, =)");
        if (outside != null) {
            return outside;
        }
        int padding = text.indexOf('=');
        int data = padding < 0 ? text.length() : padding;
        for (int i = data; i < text.length(); i++) {
            if (text.charAt(i) != '=') {
                return "'" + text.charAt(i) + "' at position " + (i + 1) + " follows the padding '=' at position "
                        + (padding + 1) + ", which may only end the text";
            }
        }
        if (data % 4 == 1) {
            return data + " characters before any padding leave a last group of 1, which holds no whole byte"
                    + " (base64 comes in groups of 4 characters, the last of 2 to 4)";
        }
        if (data % 4 == 0) {
            return "'=' at position " + (data + 1) + " pads no group: the " + data + " characters before it are whole"
                    + " groups (base64 comes in groups of 4 characters)";
        }
        return "the padding (" + (text.length() - data) + " '=') must fill the last group of " + data % 4
                + " characters to 4 (base64 comes in groups of 4 characters)";
    }

    private static String firstOutside(String text, String alphabet, String what) {
        for (int i = 0; i < text.length(); i = text.offsetByCodePoints(i, 1)) {
            int c = text.codePointAt(i);
            if (alphabet.indexOf(c) < 0) {
                return "'" + new String(Character.toChars(c)) + "' at position " + (text.codePointCount(0, i) + 1)
                        + " is not a " + what;
            }
        }
        return null;
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
        } else if (IS_A_DIRECTORY.equals(e.getReason()) && e.getFile() != null && e.getOtherFile() == null) {
            return isADirectory(Path.of(e.getFile()));
        } else {
            what = e.getReason() != null ? e.getReason() : "file system error";
        }
        String file = e.getFile() == null ? "" : ": " + e.getFile()
                + (e.getOtherFile() == null ? "" : " -> " + e.getOtherFile());
        return what + file;
    }
}
