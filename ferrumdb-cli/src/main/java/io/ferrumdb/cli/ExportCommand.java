package io.ferrumdb.cli;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.KeyRange;
import io.ferrumdb.KeyValue;
import io.ferrumdb.RangeIterator;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Writes every live key as JSON Lines: {\"key\":..,\"value\":..,\"encoding\":\"text|base64\","
                + "\"expiresAt\":epochMillis}. Binary-safe; 'import' restores it exactly, TTLs included.")
final class ExportCommand implements Callable<Integer> {
    static final JsonFactory JSON = new JsonFactory();

    @ParentCommand
    Cli cli;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of standard output.")
    Path output;

    @Option(names = "--prefix", paramLabel = "P", description = "Only keys starting with P (in --hex/--base64 "
            + "when given).")
    String prefix;

    @Override
    public Integer call() throws IOException {
        KeyRange range = DataCommands.range(cli.codec(), prefix);
        try (FerrumDB db = cli.open(true)) {
            if (output == null) {
                export(db, range, cli.io.out());
                cli.io.out().flush();
            } else {
                try (OutputStream file = Files.newOutputStream(output)) {
                    long exported = export(db, range, file);
                    cli.io.err().printf("exported %d record(s) to %s%n", exported, output);
                }
            }
        }
        return ExitCode.OK;
    }

    private long export(FerrumDB db, KeyRange range, OutputStream sink) throws IOException {
        Progress progress = new Progress(cli.io, "records", cli.io.terminals().err() ? db.count(range) : -1);
        long n = 0;
        JsonGenerator gen = JSON.createGenerator(sink, JsonEncoding.UTF8);
        gen.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        gen.setRootValueSeparator(null);
        try (gen; RangeIterator it = db.iterate(range)) {
            while (it.hasNext()) {
                KeyValue kv = it.next();
                long expiresAt = db.expiresAt(kv.key());
                if (expiresAt < 0) {
                    continue;
                }
                write(gen, new JsonLines(kv.key(), kv.value(), expiresAt));
                progress.at(++n);
            }
        } finally {
            progress.finish();
        }
        return n;
    }

    private static void write(JsonGenerator gen, JsonLines line) throws IOException {
        String encoding = line.encoding();
        gen.writeStartObject();
        gen.writeStringField("key", JsonLines.encode(line.key(), encoding));
        gen.writeStringField("value", JsonLines.encode(line.value(), encoding));
        gen.writeStringField("encoding", encoding);
        if (line.expiresAt() > 0) {
            gen.writeNumberField("expiresAt", line.expiresAt());
        }
        gen.writeEndObject();
        gen.writeRaw('\n');
    }
}
