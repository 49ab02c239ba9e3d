package io.ferrumdb.mcp;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The client's side of stdio, a line at a time (one JSON-RPC message a line), each at most
 * {@link MessageLimit#MAX_BYTES}: a longer line is read to its end keeping only its two ends, enough to answer it.
 */
final class StdinLines {
    /** One line of stdin. */
    sealed interface Line permits Text, TooLong {
    }

    /** A line within the limit, without its line end. */
    record Text(String text) implements Line {
    }

    /** A line over the limit: its length and two ends. */
    record TooLong(OversizedLine line) implements Line {
    }

    private final InputStream in;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private boolean ended;

    StdinLines(InputStream in) {
        this.in = new BufferedInputStream(in);
    }

    /** The next line, or null at the end of stdin (a last line without a newline is still returned). */
    Line next() throws IOException {
        if (ended) {
            return null;
        }
        line.reset();
        OversizedLine oversized = null;
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (oversized != null) {
                oversized.add(b);
            } else if (line.size() < MessageLimit.MAX_BYTES) {
                line.write(b);
            } else {
                oversized = new OversizedLine();
                oversized.add(line.toByteArray());
                oversized.add(b);
                line.reset();
            }
        }
        ended = b < 0;
        if (oversized != null) {
            return new TooLong(oversized);
        }
        if (ended && line.size() == 0) {
            return null;
        }
        return new Text(line.toString(StandardCharsets.UTF_8));
    }
}
