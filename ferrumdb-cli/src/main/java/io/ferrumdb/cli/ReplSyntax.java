package io.ferrumdb.cli;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * How a REPL line is read, as redis-cli reads its lines: words separated by blanks, "double quotes" with
 * backslash escapes ({@code \n \r \t \a \b \xHH}), 'single quotes' taken literally but for {@code \'}. Quoted
 * text may follow unquoted text in a word ({@code user:"a b"}), but a closing quote must be followed by a blank or
 * the end of the line: redis-cli refuses {@code "x"y} ("Invalid argument(s)") rather than guess whether the user
 * meant one word or two, and so does the REPL, when the command reads that word. The raw text after a command's
 * first words (a JSON value) is not held to that rule. JSON may span lines: input continues while braces or
 * brackets are open or a string is.
 */
final class ReplSyntax {
    private ReplSyntax() {
    }

    /**
     * The words of a line, and where each ends, so a command can also take the raw rest of the line. A word whose
     * closing quote was followed by more text is kept (its place counts for {@link #restAfter}) and refused when
     * read: {@code invalid} holds its text as typed, or null for a good word.
     */
    record Words(String line, List<String> words, List<Integer> ends, List<String> invalid) {
        int size() {
            return words.size();
        }

        String get(int i) {
            if (invalid.get(i) != null) {
                throw CliException.usage("invalid argument " + invalid.get(i) + ": a closing quote must be followed"
                        + " by a blank or the end of the line, as in redis-cli (\"a\"b is neither \"ab\" nor two"
                        + " words; write \"ab\" or \"a\" b)");
            }
            return words.get(i);
        }

        /** The raw text after the first {@code n} words, stripped. */
        String restAfter(int n) {
            return n == 0 ? line.strip() : line.substring(ends.get(n - 1)).strip();
        }
    }

    static Words split(String line) {
        List<String> words = new ArrayList<>();
        List<Integer> ends = new ArrayList<>();
        List<String> invalid = new ArrayList<>();
        int i = 0;
        int n = line.length();
        while (true) {
            while (i < n && Character.isWhitespace(line.charAt(i))) {
                i++;
            }
            if (i >= n) {
                return new Words(line, words, ends, invalid);
            }
            int start = i;
            boolean joined = false;
            StringBuilder word = new StringBuilder();
            while (i < n && !Character.isWhitespace(line.charAt(i))) {
                char c = line.charAt(i);
                if (c == '"' || c == '\'') {
                    i = c == '"' ? readDoubleQuoted(line, i + 1, word) : readSingleQuoted(line, i + 1, word);
                    joined |= i < n && !Character.isWhitespace(line.charAt(i));
                } else {
                    word.append(c);
                    i++;
                }
            }
            words.add(word.toString());
            ends.add(i);
            invalid.add(joined ? line.substring(start, i) : null);
        }
    }

    /** Single quotes, as redis-cli reads them: everything literally but {@code \'}, a quote. */
    private static int readSingleQuoted(String line, int i, StringBuilder word) {
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == '\'') {
                return i + 1;
            }
            if (c == '\\' && i + 1 < line.length() && line.charAt(i + 1) == '\'') {
                word.append('\'');
                i += 2;
            } else {
                word.append(c);
                i++;
            }
        }
        throw CliException.usage("unterminated ' quote");
    }

    private static int readDoubleQuoted(String line, int i, StringBuilder word) {
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == '"') {
                return i + 1;
            }
            if (hexEscapeAt(line, i)) {
                i = readHexEscapes(line, i, word);
            } else if (c == '\\' && i + 1 < line.length()) {
                char e = line.charAt(i + 1);
                word.append(switch (e) {
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    case 'r' -> '\r';
                    case 'a' -> '\u0007';
                    case 'b' -> '\b';
                    default -> e;
                });
                i += 2;
            } else {
                word.append(c);
                i++;
            }
        }
        throw CliException.usage("unterminated \" quote");
    }

    private static boolean hexEscapeAt(String line, int i) {
        return i + 3 < line.length() && line.charAt(i) == '\\' && line.charAt(i + 1) == 'x'
                && Character.digit(line.charAt(i + 2), 16) >= 0 && Character.digit(line.charAt(i + 3), 16) >= 0;
    }

    /**
     * A run of {@code \xHH} escapes, as redis-cli reads them in double quotes: the bytes, read as UTF-8. This is
     * how a terminal shows a control character of a key ({@code KEYS} prints ESC as {@code \x1B}, a C1 control
     * as the two bytes of its UTF-8 form), so that what was shown can be typed back.
     */
    private static int readHexEscapes(String line, int i, StringBuilder word) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int start = i;
        while (hexEscapeAt(line, i)) {
            bytes.write(Character.digit(line.charAt(i + 2), 16) << 4 | Character.digit(line.charAt(i + 3), 16));
            i += 4;
        }
        try {
            word.append(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray())));
        } catch (CharacterCodingException e) {
            throw CliException.usage(line.substring(start, i) + " is not UTF-8 text: binary keys and values take"
                    + " --hex or --base64");
        }
        return i;
    }

    /** True while a JSON object, array or double-quoted string opened in {@code text} is still open. */
    static boolean incomplete(String text) {
        int depth = 0;
        boolean inString = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                depth--;
            }
        }
        return inString || depth > 0;
    }
}
