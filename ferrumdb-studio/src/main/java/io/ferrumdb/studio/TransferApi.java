package io.ferrumdb.studio;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.KeyRange;
import io.ferrumdb.studio.jsonlines.JsonLinesExport;
import io.ferrumdb.studio.jsonlines.JsonLinesFormatException;
import io.ferrumdb.studio.jsonlines.JsonLinesImportStoppedException;
import io.ferrumdb.studio.jsonlines.JsonLinesImport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Export and import of JSON Lines, in exactly the format of {@code ferrumdb export}/{@code import} (the code is
 * the same: {@link JsonLinesExport}, {@link JsonLinesImport}). Both directions stream: neither the database nor
 * the uploaded file is ever held whole in memory.
 */
final class TransferApi {
    static final String NDJSON = "application/x-ndjson";

    private final FerrumDB db;

    TransferApi(FerrumDB db) {
        this.db = db;
    }

    /**
     * {@code GET /api/export?prefix=|prefixHex=}: every live key of the prefix as a JSON Lines download, named
     * after the database directory and the prefix. A failure after the first bytes cuts the download short (the
     * status line is already sent), which the browser reports as a failed download.
     */
    void export(Call call) throws IOException {
        byte[] prefix = KeyValueApi.prefixFrom(call.param("prefix"), call.param("prefixHex"));
        call.header("Content-Disposition", Bytes.attachment(fileName(prefix)));
        OutputStream out = call.stream(200, NDJSON);
        if (out != null) {
            JsonLinesExport.write(db, KeyRange.prefix(prefix), out, written -> { });
            // Closed only on success: an export that fails part way is left open, and the exchange's end cuts
            // the download short rather than completing it.
            out.close();
        }
    }

    /** {@code <database directory name>[-<prefix>].jsonl}; the prefix in hex when it is not text. */
    private byte[] fileName(byte[] prefix) {
        Path name = db.directory().toAbsolutePath().normalize().getFileName();
        StringBuilder file = new StringBuilder(name == null ? "ferrumdb" : name.toString());
        if (prefix.length > 0) {
            String text = Bytes.utf8OrNull(prefix);
            file.append('-').append(text != null ? text : Bytes.hex(prefix));
        }
        return file.append(".jsonl").toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * {@code POST /api/import} with a JSON Lines body (as written by export): puts every record, TTLs included,
     * skipping those expired since, and answers {@code {"imported":n,"expired":m}}. The body is parsed as it
     * arrives. A bad line answers 400 naming the line and how many records before it were imported (they stay).
     */
    void importLines(Call call) throws IOException {
        JsonLinesImport.Result result;
        try (InputStream body = call.requestBody()) {
            result = JsonLinesImport.read(db, body, db.options().clock().millis(), offset -> { });
        } catch (JsonLinesFormatException badLine) {
            throw ApiException.badRequest(badLine.getMessage());
        } catch (JsonLinesImportStoppedException stopped) {
            // Answered as its cause is everywhere else: a client gone or a body cut off from the request, a failed
            // write as the engine's failure (500, restart to reopen).
            if (stopped.getCause() instanceof RuntimeException engine) {
                throw engine;
            }
            throw (IOException) stopped.getCause();
        }
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("imported", result.imported());
        reply.put("expired", result.expired());
        call.sendJson(200, reply);
    }
}
