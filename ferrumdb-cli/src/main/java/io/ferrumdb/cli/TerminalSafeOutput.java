package io.ferrumdb.cli;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Wraps an output that is a terminal so that no byte of a key, value or message can drive it: C0 control
 * characters (except newline and tab), DEL, and the UTF-8 encodings of the C1 controls U+0080..U+009F (whose
 * U+009B is a one-character CSI on some terminals) are written as {@code \xNN}, one escape per byte. Everything
 * else, including all other UTF-8, passes through. Only ever used for a terminal: piped output stays exact.
 */
final class TerminalSafeOutput extends FilterOutputStream {
    /** Lead byte of the two-byte UTF-8 encodings U+0080..U+00BF, among which the C1 controls. */
    private static final int C1_LEAD = 0xC2;

    /** True when the previous byte was {@link #C1_LEAD}, held back until the next byte says what it begins. */
    private boolean heldLead;

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
        if (heldLead) {
            heldLead = false;
            if (octet >= 0x80 && octet <= 0x9F) {
                escapeByte(C1_LEAD);
                escapeByte(octet);
                return;
            }
            out.write(C1_LEAD);
        }
        if (octet == C1_LEAD) {
            heldLead = true;
        } else if ((octet < 0x20 && octet != '\n' && octet != '\t') || octet == 0x7F) {
            escapeByte(octet);
        } else {
            out.write(octet);
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
        if (heldLead) {
            heldLead = false;
            out.write(C1_LEAD);
        }
        super.close();
    }

    private void escapeByte(int octet) throws IOException {
        out.write(String.format("\\x%02X", octet).getBytes(StandardCharsets.US_ASCII));
    }
}
