package io.ferrumdb.studio;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The pages' files, read from the jar once at start. A fixed list rather than a directory lookup: no request path
 * can name anything else.
 */
final class StaticAssets {
    private static final String BASE = "/io/ferrumdb/studio/web/";
    private static final Map<String, String> FILES = Map.of(
            "/", "index.html",
            "/static/app.js", "app.js",
            "/static/charts.js", "charts.js",
            "/static/style.css", "style.css",
            "/static/icon.svg", "icon.svg");

    record Asset(String contentType, byte[] bytes) {
    }

    private final Map<String, Asset> assets = new LinkedHashMap<>();

    StaticAssets() {
        for (Map.Entry<String, String> e : FILES.entrySet()) {
            assets.put(e.getKey(), new Asset(contentType(e.getValue()), read(e.getValue())));
        }
    }

    /** The asset served at {@code path}, or null. */
    Asset get(String path) {
        return assets.get(path);
    }

    private static byte[] read(String name) {
        try (InputStream in = StaticAssets.class.getResourceAsStream(BASE + name)) {
            if (in == null) {
                throw new IllegalStateException("Studio resource " + BASE + name + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read Studio resource " + BASE + name, e);
        }
    }

    private static String contentType(String name) {
        if (name.endsWith(".html")) {
            return "text/html; charset=utf-8";
        }
        if (name.endsWith(".js")) {
            return "text/javascript; charset=utf-8";
        }
        if (name.endsWith(".css")) {
            return "text/css; charset=utf-8";
        }
        if (name.endsWith(".svg")) {
            return "image/svg+xml";
        }
        throw new IllegalArgumentException("no content type for " + name);
    }
}
