package io.ferrumdb.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The bytes of the command's arguments as the shell passed them. The JVM decodes each argument as UTF-8 and puts
 * U+FFFD in place of bytes that are not, so {@code put $'bin\xff' v} stored the key "bin\uFFFD": different bytes
 * from the ones given, without a word. Where Linux tells ({@code /proc/self/cmdline}), such an argument is refused
 * instead, as the piped REPL refuses a line that is not UTF-8; binary keys and values take --hex or --base64.
 */
final class RawArguments {
    private static final Path CMDLINE = Path.of("/proc/self/cmdline");

    private RawArguments() {
    }

    /**
     * The first of {@code args} whose bytes were not UTF-8, as "argument N ('shown')", or null when all were
     * (or when the operating system does not tell).
     */
    static String firstNotUtf8(String[] args) {
        byte[] cmdline;
        try {
            cmdline = Files.readAllBytes(CMDLINE);
        } catch (IOException | UnsupportedOperationException | SecurityException notLinux) {
            return null; // no /proc: the arguments cannot be checked, as before
        }
        return firstNotUtf8(args, cmdline);
    }

    /** As {@link #firstNotUtf8(String[])}, with {@code cmdline} the NUL-terminated arguments of the whole JVM. */
    static String firstNotUtf8(String[] args, byte[] cmdline) {
        List<byte[]> raw = split(cmdline);
        // The program's arguments are the last ones, after java, its options, -jar and the jar (or -cp and Main).
        int first = raw.size() - args.length;
        if (first < 0) {
            return null;
        }
        for (int i = 0; i < args.length; i++) {
            byte[] bytes = raw.get(first + i);
            // Only an argument the JVM decoded from exactly these bytes: anything else means the list is not ours.
            if (!new String(bytes, StandardCharsets.UTF_8).equals(args[i])) {
                return null;
            }
        }
        for (int i = 0; i < args.length; i++) {
            if (!isUtf8(raw.get(first + i))) {
                return "argument " + (i + 1) + " ('" + args[i] + "')";
            }
        }
        return null;
    }

    private static List<byte[]> split(byte[] cmdline) {
        List<byte[]> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < cmdline.length; i++) {
            if (cmdline[i] == 0) {
                parts.add(Arrays.copyOfRange(cmdline, start, i));
                start = i + 1;
            }
        }
        return parts;
    }

    private static boolean isUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
