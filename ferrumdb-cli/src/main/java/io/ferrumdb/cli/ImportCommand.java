package io.ferrumdb.cli;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.WriteBatch;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Reads JSON Lines written by 'export' and puts every record, TTLs included (records that "
                + "have expired since are skipped). Writes in atomic batches; on a bad line, every record before it "
                + "stays imported, the error says how many that is, and the exit code is 2. A progress bar shows on "
                + "standard error when it is a terminal.")
final class ImportCommand implements Callable<Integer> {
    private static final int BATCH_RECORDS = 1000;
    private static final long BATCH_BYTES = 8L << 20;

    @ParentCommand
    Cli cli;

    @Option(names = {"-i", "--input"}, paramLabel = "FILE",
            description = "Read FILE instead of standard input (- is standard input).")
    Path input;

    @Override
    public Integer call() throws IOException {
        // One fixed "now" for the whole import, so that the absolute expiry stored is exactly the one exported.
        Clock now = Clock.fixed(Clock.systemUTC().instant(), Clock.systemUTC().getZone());
        boolean fromFile = input != null && !input.toString().equals("-");
        long size = fromFile ? Files.size(input) : -1;
        try (FerrumDB db = FerrumDB.open(cli.db, cli.options().toBuilder().clock(now).build());
             InputStream in = fromFile ? Files.newInputStream(input) : cli.io.in();
             JsonParser parser = ExportCommand.JSON.createParser(in)) {
            parser.disable(JsonParser.Feature.AUTO_CLOSE_SOURCE);
            Counts counts = load(db, parser, now.millis(), new Progress(cli.io, "bytes", size));
            cli.io.out().printf("imported %d record(s), skipped %d expired%n", counts.imported, counts.expired);
        }
        return ExitCode.OK;
    }

    private static final class Counts {
        long imported;
        long expired;
    }

    private Counts load(FerrumDB db, JsonParser parser, long nowMillis, Progress progress) throws IOException {
        Counts counts = new Counts();
        WriteBatch batch = new WriteBatch();
        long batchBytes = 0;
        try {
            JsonToken token;
            while ((token = next(parser)) != null) {
                long line = parser.currentLocation().getLineNr();
                if (token != JsonToken.START_OBJECT) {
                    throw CliException.usage("line " + line + ": expected a JSON object, found " + token);
                }
                JsonLines rec = readRecord(parser, line);
                if (rec.expiresAt() > 0 && rec.expiresAt() <= nowMillis) {
                    counts.expired++;
                    continue;
                }
                if (rec.expiresAt() > 0) {
                    batch.put(rec.key(), rec.value(), Duration.ofMillis(rec.expiresAt() - nowMillis));
                } else {
                    batch.put(rec.key(), rec.value());
                }
                counts.imported++;
                batchBytes += rec.key().length + rec.value().length;
                if (batch.size() >= BATCH_RECORDS || batchBytes >= BATCH_BYTES) {
                    db.write(batch);
                    batch = new WriteBatch();
                    batchBytes = 0;
                    progress.at(parser.currentLocation().getByteOffset());
                }
            }
            db.write(batch);
        } catch (CliException badLine) {
            // Everything before the bad line goes in, so that the count below is exactly what the database holds.
            db.write(batch);
            throw new CliException(badLine.exitCode(), badLine.getMessage() + "; " + counts.imported
                    + " record(s) before it were imported" + (counts.expired > 0 ? " (" + counts.expired
                    + " expired skipped)" : "") + ", nothing from this line on");
        } finally {
            progress.finish();
        }
        return counts;
    }

    private static JsonToken next(JsonParser parser) throws IOException {
        try {
            return parser.nextToken();
        } catch (JsonParseException e) {
            throw malformed(e);
        }
    }

    /** The next token inside a record, where the end of the input means the record was cut short. */
    private static JsonToken nextInRecord(JsonParser parser, long line) throws IOException {
        JsonToken token = next(parser);
        if (token == null) {
            throw CliException.usage("line " + line + ": malformed JSON: the input ends inside a record");
        }
        return token;
    }

    private static CliException malformed(JsonParseException e) {
        return CliException.usage("line " + e.getLocation().getLineNr() + ": malformed JSON: "
                + e.getOriginalMessage());
    }

    private static JsonLines readRecord(JsonParser parser, long line) throws IOException {
        String key = null;
        String value = null;
        String encoding = JsonLines.TEXT;
        long expiresAt = 0;
        JsonToken token;
        while ((token = nextInRecord(parser, line)) == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken v = nextInRecord(parser, line);
            switch (field) {
                case "key" -> key = string(parser, v, field, line);
                case "value" -> value = string(parser, v, field, line);
                case "encoding" -> encoding = string(parser, v, field, line);
                case "expiresAt" -> {
                    if (v != JsonToken.VALUE_NUMBER_INT || parser.getLongValue() <= 0) {
                        throw CliException.usage("line " + line + ": expiresAt must be a positive integer "
                                + "(epoch milliseconds)");
                    }
                    expiresAt = parser.getLongValue();
                }
                default -> throw CliException.usage("line " + line + ": unknown field '" + field + "'");
            }
        }
        if (token != JsonToken.END_OBJECT) {
            throw CliException.usage("line " + line + ": malformed record");
        }
        if (key == null || value == null) {
            throw CliException.usage("line " + line + ": a record needs \"key\" and \"value\"");
        }
        if (!encoding.equals(JsonLines.TEXT) && !encoding.equals(JsonLines.BASE64)) {
            throw CliException.usage("line " + line + ": encoding must be \"text\" or \"base64\", got \""
                    + encoding + "\"");
        }
        return new JsonLines(JsonLines.decode(key, encoding, "key", line),
                JsonLines.decode(value, encoding, "value", line), expiresAt);
    }

    private static String string(JsonParser parser, JsonToken token, String field, long line) throws IOException {
        if (token != JsonToken.VALUE_STRING) {
            throw CliException.usage("line " + line + ": " + field + " must be a string");
        }
        try {
            return parser.getText();
        } catch (JsonParseException e) {
            throw malformed(e);
        }
    }
}
