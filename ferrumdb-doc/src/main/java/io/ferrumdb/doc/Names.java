package io.ferrumdb.doc;

import io.ferrumdb.Limits;
import java.nio.charset.StandardCharsets;

/** Validation of the names that become parts of keys: collection names, document ids and paths. */
final class Names {
    /** Longest collection name, in UTF-8 bytes. */
    static final int MAX_COLLECTION_BYTES = 255;
    /** Longest document id, in UTF-8 bytes. */
    static final int MAX_ID_BYTES = 1024;

    private Names() {
    }

    static byte[] collection(String name) {
        if (name == null) {
            throw new IllegalArgumentException("collection name must not be null");
        }
        return checkText("collection name", name, MAX_COLLECTION_BYTES);
    }

    static byte[] id(String id) {
        if (id == null) {
            throw new IllegalArgumentException("document id must not be null");
        }
        if (id.isEmpty()) {
            throw new IllegalArgumentException("document id must not be empty");
        }
        checkWellFormed("document id", id);
        byte[] utf8 = id.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > MAX_ID_BYTES) {
            throw new IllegalArgumentException("document id of " + utf8.length + " UTF-8 bytes exceeds the limit of "
                    + MAX_ID_BYTES);
        }
        return utf8;
    }

    /**
     * Checks a name that is followed by a 0x00 separator in keys: non-empty, no NUL character, well-formed
     * UTF-16 (a lone surrogate has no UTF-8 form, so two names could otherwise share a key), bounded length.
     */
    static byte[] checkText(String what, String text, int maxBytes) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
        if (text.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " '" + text.replace('\0', '?')
                    + "' contains the NUL character, which is reserved as a key separator");
        }
        checkWellFormed(what, text);
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > maxBytes) {
            throw new IllegalArgumentException(what + " of " + utf8.length + " UTF-8 bytes exceeds the limit of "
                    + maxBytes);
        }
        return utf8;
    }

    private static void checkWellFormed(String what, String text) {
        if (!Limits.isUnicodeText(text)) {
            throw new IllegalArgumentException(what + " " + Limits.NOT_UNICODE_TEXT);
        }
    }
}
