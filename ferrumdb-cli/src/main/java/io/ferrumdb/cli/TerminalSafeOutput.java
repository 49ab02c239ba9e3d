package io.ferrumdb.cli;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Wraps an output that is a terminal so that no byte of a key, value or message can drive it: C0 control
 * characters (except newline and tab), DEL, the UTF-8 encodings of the C1 controls U+0080..U+009F (whose U+009B is a
 * one-character CSI on some terminals), and any byte 0x80..0x9F that is not part of a well-formed UTF-8 sequence (RFC 3629) (a
 * terminal not in UTF-8 mode reads it as a C1 control: 0x9B as CSI) are written as {@code \xNN}, one escape per
 * byte. Everything else, including all other UTF-8 (whose continuation bytes may be 0x80..0x9F, as in U+20AC's
 * E2 82 AC), passes through. Only ever used for a terminal: piped output stays exact.
 *
 * <p>A UTF-8 sequence is held back until it is complete, so that its bytes are judged together: complete, it is
 * written as it is (or escaped whole if it encodes a C1 control); cut short by a byte that cannot continue it (or by
 * the end), its held bytes are written as stray bytes would be, and that byte is judged anew.
 */
final class TerminalSafeOutput extends FilterOutputStream {
    /** Lead byte of the two-byte UTF-8 encodings U+0080..U+00BF, among which the C1 controls. */
    private static final int C1_LEAD = 0xC2;

    /** The bytes of an incomplete UTF-8 sequence, its lead first; {@link #held} of them so far. */
    private final int[] sequence = new int[4];
    private int held;
    /** Continuation bytes the held sequence still needs; 0 when nothing is held. */
    private int needed;

    TerminalSafeOutput(OutputStream out) {
        super(out);
    }

    /** {@code text} as it would be shown on a terminal through this filter. */
    static String escape(String text) {
        java.io.ByteArrayOutputStream sink = new java.io.ByteArrayOutputStream();
        try (TerminalSafeOutput safe = new TerminalSafeOutput(sink)) {
            safe.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("a byte array stream does not fail", e);
        }
        return sink.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void write(int b) throws IOException {
        int octet = b & 0xFF;
        boolean continuation = octet >= 0x80 && octet <= 0xBF;
        if (needed > 0) {
            if (continuation && (held > 1 || secondByteFits(sequence[0], octet))) {
                sequence[held++] = octet;
                if (--needed == 0) {
                    writeSequence();
                }
                return;
            }
            writeHeld();
        }
        if (octet < 0x80) {
            if ((octet < 0x20 && octet != '\n' && octet != '\t') || octet == 0x7F) {
                escapeByte(octet);
            } else {
                out.write(octet);
            }
        } else if (continuation) {
            // A continuation byte with no lead before it: not UTF-8, and 0x80..0x9F is a C1 control in 8 bits.
            if (octet <= 0x9F) {
                escapeByte(octet);
            } else {
                out.write(octet);
            }
        } else if (octet >= C1_LEAD && octet <= 0xF4) {
            sequence[0] = octet;
            held = 1;
            needed = octet < 0xE0 ? 1 : octet < 0xF0 ? 2 : 3;
        } else {
            out.write(octet); // 0xC0, 0xC1, 0xF5..0xFF: never UTF-8, never a C1 control
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        for (int i = off; i < off + len; i++) {
            write(b[i]);
        }
    }

    @Override
    public void close() throws IOException {
        writeHeld();
        super.close();
    }

    /**
     * Whether {@code octet} may follow {@code lead} in well-formed UTF-8 (RFC 3629): no overlong form (E0 80..9F,
     * F0 80..8F), no surrogate (ED A0..BF), nothing past U+10FFFF (F4 90..BF). So E0 9B is not a sequence but a
     * lead and a stray 0x9B, which is escaped.
     */
    private static boolean secondByteFits(int lead, int octet) {
        return switch (lead) {
            case 0xE0 -> octet >= 0xA0;
            case 0xED -> octet <= 0x9F;
            case 0xF0 -> octet >= 0x90;
            case 0xF4 -> octet <= 0x8F;
            default -> true;
        };
    }

    /** Writes a complete sequence: escaped whole when it encodes a C1 control (0xC2 0x80..0x9F). */
    private void writeSequence() throws IOException {
        boolean c1 = held == 2 && sequence[0] == C1_LEAD && sequence[1] <= 0x9F;
        for (int i = 0; i < held; i++) {
            if (c1) {
                escapeByte(sequence[i]);
            } else {
                out.write(sequence[i]);
            }
        }
        held = 0;
    }

    /**
     * Writes what an incomplete sequence held, each byte as a stray one would be: its lead (0xC2 or more) as it is,
     * a continuation in 0x80..0x9F escaped (not UTF-8 any more, so a C1 control to a terminal in 8-bit mode).
     */
    private void writeHeld() throws IOException {
        for (int i = 0; i < held; i++) {
            int octet = sequence[i];
            if (octet <= 0x9F) {
                escapeByte(octet);
            } else {
                out.write(octet);
            }
        }
        held = 0;
        needed = 0;
    }

    private void escapeByte(int octet) throws IOException {
        out.write(String.format("\\x%02X", octet).getBytes(StandardCharsets.US_ASCII));
    }
}
