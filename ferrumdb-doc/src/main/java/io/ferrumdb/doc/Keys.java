package io.ferrumdb.doc;

import io.ferrumdb.KeyRange;
import java.util.Arrays;

/**
 * The key layout of a document store inside one FerrumDB (see ARCHITECTURE.md, "Documents"). Collection names
 * and paths never contain NUL, so {@code 0x00} ends them unambiguously; ids and encoded values come last and need
 * no terminator of their own ({@link ValueCodec} encodings are self-delimiting).
 * <pre>
 * [00 00]                                   format marker, value "ferrumdb-doc/1"
 * [00 01] collection                        catalog: a collection, value {"state":"live"|"dropping"}
 * [00 02] collection 00 path                catalog: an index, value {"unique":b,"state":"building"|"ready"|"dropping"}
 * [01] collection 00 id                     a document, value [01][expiresAt: 8 bytes, 0 = never][compact JSON]
 * [02] collection 00 path 00 value id       an index entry, empty value
 * </pre>
 */
final class Keys {
    static final byte[] FORMAT_MARKER = {0x00, 0x00};
    static final String FORMAT = "ferrumdb-doc/1";
    static final byte[] COLLECTIONS = {0x00, 0x01};
    static final byte[] INDEX_DEFINITIONS = {0x00, 0x02};
    private static final byte DOCUMENT = 0x01;
    private static final byte INDEX = 0x02;
    private static final byte[] SEPARATOR = {0x00};

    /** Document value header: a format byte and the absolute expiry in epoch millis. */
    static final int HEADER_BYTES = 1 + Long.BYTES;
    private static final byte DOCUMENT_FORMAT = 0x01;

    private Keys() {
    }

    static byte[] collection(byte[] name) {
        return concat(COLLECTIONS, name);
    }

    static byte[] indexDefinitions(byte[] collection) {
        return concat(INDEX_DEFINITIONS, collection, SEPARATOR);
    }

    static byte[] indexDefinition(byte[] collection, byte[] path) {
        return concat(INDEX_DEFINITIONS, collection, SEPARATOR, path);
    }

    static byte[] documents(byte[] collection) {
        return concat(new byte[] {DOCUMENT}, collection, SEPARATOR);
    }

    static byte[] indexEntries(byte[] collection) {
        return concat(new byte[] {INDEX}, collection, SEPARATOR);
    }

    static byte[] indexEntries(byte[] collection, byte[] path) {
        return concat(new byte[] {INDEX}, collection, SEPARATOR, path, SEPARATOR);
    }

    static KeyRange prefix(byte[]... parts) {
        return KeyRange.prefix(concat(parts));
    }

    /** The first key after every key that starts with {@code prefix}. */
    static byte[] after(byte[] prefix) {
        return KeyRange.prefix(prefix).to();
    }

    static byte[] suffix(byte[] key, int from) {
        return Arrays.copyOfRange(key, from, key.length);
    }

    static byte[] documentValue(long expiresAt, byte[] json) {
        byte[] value = new byte[HEADER_BYTES + json.length];
        value[0] = DOCUMENT_FORMAT;
        for (int i = 0; i < Long.BYTES; i++) {
            value[1 + i] = (byte) (expiresAt >>> (56 - 8 * i));
        }
        System.arraycopy(json, 0, value, HEADER_BYTES, json.length);
        return value;
    }

    static long expiresAt(byte[] documentValue) {
        if (documentValue[0] != DOCUMENT_FORMAT) {
            throw new IllegalStateException("unknown document value format " + documentValue[0]);
        }
        long at = 0;
        for (int i = 0; i < Long.BYTES; i++) {
            at = at << 8 | documentValue[1 + i] & 0xFF;
        }
        return at;
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
