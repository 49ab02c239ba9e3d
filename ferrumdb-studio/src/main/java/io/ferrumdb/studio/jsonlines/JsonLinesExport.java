package io.ferrumdb.studio.jsonlines;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.KeyRange;
import io.ferrumdb.KeyValue;
import io.ferrumdb.RangeIterator;
import java.io.IOException;
import java.io.OutputStream;
import java.util.function.LongConsumer;

/** Writes the live keys of a range as JSON Lines ({@link JsonLinesRecord}), streaming: one record in memory. */
public final class JsonLinesExport {
    static final JsonFactory JSON = new JsonFactory();

    private JsonLinesExport() {
    }

    /**
     * Writes every live key of {@code range} to {@code sink} (left open), one line each, in key order.
     *
     * @param afterRecord told the number of records written so far, after each one (for a progress display)
     * @return the number of records written
     */
    public static long write(FerrumDB db, KeyRange range, OutputStream sink, LongConsumer afterRecord)
            throws IOException {
        long n = 0;
        JsonGenerator gen = JSON.createGenerator(sink, JsonEncoding.UTF8);
        gen.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        gen.setRootValueSeparator(null);
        try (gen; RangeIterator it = db.iterate(range)) {
            while (it.hasNext()) {
                KeyValue kv = it.next();
                long expiresAt = db.expiresAt(kv.key());
                if (expiresAt < 0) {
                    continue; // deleted or expired since the iterator passed it
                }
                write(gen, new JsonLinesRecord(kv.key(), kv.value(), expiresAt));
                afterRecord.accept(++n);
            }
        }
        return n;
    }

    private static void write(JsonGenerator gen, JsonLinesRecord line) throws IOException {
        String encoding = line.encoding();
        gen.writeStartObject();
        gen.writeStringField("key", JsonLinesRecord.encode(line.key(), encoding));
        gen.writeStringField("value", JsonLinesRecord.encode(line.value(), encoding));
        gen.writeStringField("encoding", encoding);
        if (line.expiresAt() > 0) {
            gen.writeNumberField("expiresAt", line.expiresAt());
        }
        gen.writeEndObject();
        gen.writeRaw('\n');
    }
}
