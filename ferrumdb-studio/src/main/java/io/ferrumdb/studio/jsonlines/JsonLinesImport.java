package io.ferrumdb.studio.jsonlines;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.FerrumException;
import io.ferrumdb.Limits;
import io.ferrumdb.ProblemWording;
import io.ferrumdb.WriteBatch;
import io.ferrumdb.studio.jsonlines.JsonLinesRecord.LineProblem;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.function.LongConsumer;

/**
 * Reads JSON Lines written by {@link JsonLinesExport} and puts every record, TTLs included; records that have
 * expired since are skipped. Streams the input and writes atomic batches of bounded size, so memory stays small
 * whatever the input size. On a bad line, every record before it is written and {@link JsonLinesFormatException}
 * says how many that is.
 */
public final class JsonLinesImport {
    private static final int BATCH_RECORDS = 1000;
    private static final long BATCH_BYTES = 8L << 20;
    /**
     * The longest JSON string a record can need: a value at the engine's limit in base64 (the same value as text
     * is at most that many characters). Jackson's default cap (20 million characters) refused values from about
     * 15 MiB on, which {@code export} writes.
     */
    static final int MAX_STRING_CHARS = 4 * ((Limits.MAX_VALUE_SIZE + 2) / 3);
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(MAX_STRING_CHARS).build())
            .build();

    /** What an import did: records put, and records skipped because their expiry had passed. */
    public record Result(long imported, long expired) {
    }

    private JsonLinesImport() {
    }

    /**
     * Imports every record of {@code in} (left open) into {@code db}.
     *
     * <p>A record's TTL is its {@code expiresAt} minus {@code nowMillis}, applied by the database's clock when
     * the batch is written: pass the database clock's reading (a fixed clock makes the stored expiry exactly the
     * exported one; a running clock shifts it by at most the time the import takes).
     *
     * @param afterBatch told the input's byte offset after each batch written (for a progress display)
     * @throws JsonLinesFormatException on the first line that is not a valid record
     * @throws JsonLinesImportStoppedException when reading the input or writing the database fails, with the
     *                                         number of records written before
     */
    public static Result read(FerrumDB db, InputStream in, long nowMillis, LongConsumer afterBatch)
            throws IOException {
        long imported = 0;
        long committed = 0;
        long expired = 0;
        WriteBatch batch = new WriteBatch();
        long batchBytes = 0;
        long line = 1;
        try (JsonParser parser = JSON.createParser(in)) {
            parser.disable(JsonParser.Feature.AUTO_CLOSE_SOURCE);
            JsonToken token;
            long previousLine = 0;
            while ((token = next(parser)) != null) {
                line = parser.currentLocation().getLineNr();
                if (token != JsonToken.START_OBJECT) {
                    throw new LineProblem("expected a JSON object, found " + token);
                }
                if (line == previousLine) {
                    throw new LineProblem("a second record on the line (JSON Lines: one record a line)");
                }
                JsonLinesRecord rec = readRecordOnItsLine(parser, line);
                previousLine = line;
                if (rec.expiresAt() > 0 && rec.expiresAt() <= nowMillis) {
                    expired++;
                    continue;
                }
                add(batch, rec, nowMillis);
                imported++;
                batchBytes += rec.key().length + rec.value().length;
                if (batch.size() >= BATCH_RECORDS || batchBytes >= BATCH_BYTES) {
                    db.write(batch);
                    committed = imported;
                    batch = new WriteBatch();
                    batchBytes = 0;
                    afterBatch.accept(parser.currentLocation().getByteOffset());
                }
            }
            db.write(batch);
        } catch (FerrumException e) {
            // Writing a batch failed: the batches before it are in, this one landed whole or not at all.
            throw new JsonLinesImportStoppedException(line, committed, imported - committed, e);
        } catch (IOException e) {
            // Reading the input failed: what was read goes in, as before a bad line, so that the count is exact.
            db.write(batch);
            throw new JsonLinesImportStoppedException(line, imported, 0, e);
        } catch (Malformed e) {
            // Everything before the bad line goes in, so that the count reported is exactly what the database holds.
            db.write(batch);
            throw new JsonLinesFormatException(e.line, e.getMessage(), imported, expired);
        } catch (LineProblem e) {
            db.write(batch);
            throw new JsonLinesFormatException(line, e.getMessage(), imported, expired);
        }
        return new Result(imported, expired);
    }

    /** Adds a record to the batch; a key or value over the engine's limits is a problem of its line. */
    private static void add(WriteBatch batch, JsonLinesRecord rec, long nowMillis) {
        try {
            if (rec.expiresAt() > 0) {
                batch.put(rec.key(), rec.value(), Duration.ofMillis(rec.expiresAt() - nowMillis));
            } else {
                batch.put(rec.key(), rec.value());
            }
        } catch (IllegalArgumentException overLimit) {
            throw new LineProblem(overLimit.getMessage());
        }
    }

    /** Malformed JSON, carrying the line the parser was on (which may be past the record's first line). */
    private static final class Malformed extends RuntimeException {
        final long line;
        /** Whether the parser met the end of the input (then {@link #line} is past the last line when it ends in \n). */
        final boolean atEnd;

        Malformed(long line, String message, boolean atEnd) {
            super(message);
            this.line = line;
            this.atEnd = atEnd;
        }
    }

    private static JsonToken next(JsonParser parser) throws IOException {
        try {
            return parser.nextToken();
        } catch (JsonProcessingException e) {
            throw malformed(parser, e);
        }
    }

    /** The next token inside a record, where the end of the input means the record was cut short. */
    private static JsonToken nextInRecord(JsonParser parser) throws IOException {
        JsonToken token = next(parser);
        if (token == null) {
            throw new LineProblem("malformed JSON: the input ends inside a record");
        }
        return token;
    }

    /**
     * Bad JSON, or JSON beyond the parser's limits (a string longer than {@link #MAX_STRING_CHARS}, a number of
     * more than 1000 digits, nesting deeper than 1000): the latter said with its limit, without the name of the
     * Jackson setting.
     */
    private static Malformed malformed(JsonParser parser, JsonProcessingException e) {
        JsonLocation at = e.getLocation() != null ? e.getLocation() : parser.currentLocation();
        if (e instanceof StreamConstraintsException) {
            return new Malformed(at.getLineNr(), "too large to import: "
                    + e.getOriginalMessage().replaceAll(", from `[^`]*`\\)", ")"), false);
        }
        return new Malformed(at.getLineNr(), "malformed JSON: "
                + ProblemWording.jsonSyntax(e.getOriginalMessage()), e instanceof JsonEOFException);
    }

    /**
     * A record that starts and ends on {@code line}. The parser reads JSON, not lines: a record cut short at the
     * end of its line was reported at the next line, where the parser noticed (so the line named was not the bad
     * one), and a record spread over lines went in, though every line is counted as a record.
     */
    private static JsonLinesRecord readRecordOnItsLine(JsonParser parser, long line) throws IOException {
        JsonLinesRecord rec;
        try {
            rec = readRecord(parser);
        } catch (Malformed e) {
            if (e.line > line) {
                // At the end of the input the parser's line is the one after the last newline, which no editor shows.
                throw new LineProblem("malformed JSON: the record does not end on its line (" + e.getMessage()
                        .replaceFirst("^malformed JSON: ", "") + (e.atEnd ? ", at the end of the input)"
                        : ", on line " + e.line + ")"));
            }
            throw e;
        }
        if (parser.currentLocation().getLineNr() != line) {
            throw new LineProblem("the record goes on to line " + parser.currentLocation().getLineNr()
                    + " (JSON Lines: one record a line)");
        }
        return rec;
    }

    private static JsonLinesRecord readRecord(JsonParser parser) throws IOException {
        String key = null;
        String value = null;
        String encoding = JsonLinesRecord.TEXT;
        long expiresAt = 0;
        java.util.Set<String> seen = new java.util.HashSet<>();
        JsonToken token;
        while ((token = nextInRecord(parser)) == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            if (!seen.add(field)) {
                // Jackson keeps the last of two; which one the exporter meant is not for the importer to guess.
                throw new LineProblem("field '" + field + "' appears twice");
            }
            JsonToken v = nextInRecord(parser);
            switch (field) {
                case "key" -> key = string(parser, v, field);
                case "value" -> value = string(parser, v, field);
                case "encoding" -> encoding = string(parser, v, field);
                case "expiresAt" -> {
                    if (v != JsonToken.VALUE_NUMBER_INT || parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                            || parser.getLongValue() <= 0) {
                        throw new LineProblem("expiresAt must be a positive integer (epoch milliseconds)");
                    }
                    expiresAt = parser.getLongValue();
                }
                default -> throw new LineProblem("unknown field '" + field + "'");
            }
        }
        if (token != JsonToken.END_OBJECT) {
            throw new LineProblem("malformed record");
        }
        if (key == null || value == null) {
            throw new LineProblem("a record needs \"key\" and \"value\"");
        }
        if (!encoding.equals(JsonLinesRecord.TEXT) && !encoding.equals(JsonLinesRecord.BASE64)) {
            throw new LineProblem("encoding must be \"text\" or \"base64\", got \"" + encoding + "\"");
        }
        return new JsonLinesRecord(JsonLinesRecord.decode(key, encoding, "key"),
                JsonLinesRecord.decode(value, encoding, "value"), expiresAt);
    }

    private static String string(JsonParser parser, JsonToken token, String field) throws IOException {
        if (token != JsonToken.VALUE_STRING) {
            throw new LineProblem(field + " must be a string");
        }
        try {
            return parser.getText();
        } catch (JsonProcessingException e) {
            throw malformed(parser, e);
        }
    }
}
