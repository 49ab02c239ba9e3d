package io.ferrumdb.memory;

import io.ferrumdb.KeyRange;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The key layout of agent memory inside one FerrumDB (normative text: FORMAT.md, "Agent memory"). Every key
 * starts with {@code 0xFF}, a byte that never starts a UTF-8 string and is not used by the document store
 * ({@code 0x00..0x02}), so memories never collide with text keys or documents. Namespaces, terms and tags never
 * contain NUL, so {@code 0x00} ends them; ids are always {@link MemoryIds#LENGTH} ASCII characters.
 * <pre>
 * FF 00                                    format marker, value "ferrumdb-memory/1"
 * FF 01 ns 00 id                           a memory, value [01][compact JSON]
 * FF 02 ns 00 term 00 id tf:u16 len:u16    a text posting, empty value (tf and length ride in the key, so
 *                                          scoring needs no value read)
 * FF 03 ns 00 tag 00 id                    a tag posting, empty value
 * FF 04 ns                                 namespace statistics, value [count:u64][total tokens:u64]
 * FF 05 ns 00 id                           the memory's embedding, value float32 big-endian, dimension = len/4
 * FF 06 ns 00 expires:u64 id len:u16       a memory with a TTL, by its expiry (epoch millis), empty value, no
 *                                          TTL: BM25's statistics leave out the memories whose time has come
 * FF 07                                    value 01: every memory with a TTL has its FF 06 entry (a store of an
 *                                          older build gains them, and this key, at its first writable open)
 * </pre>
 * Postings and vectors carry the same TTL as their memory, so they expire together.
 */
final class MemoryKeys {
    static final byte[] FORMAT_MARKER = {(byte) 0xFF, 0x00};
    static final String FORMAT = "ferrumdb-memory/1";
    /** Present once every memory with a TTL has its expiry entry ({@link ExpiryEntryUpgrade}). */
    static final byte[] EXPIRY_ENTRIES_COMPLETE = {(byte) 0xFF, 0x07};
    static final byte[] EXPIRY_ENTRIES_COMPLETE_VALUE = {0x01};
    private static final byte RESERVED = (byte) 0xFF;
    private static final byte MEMORY = 0x01;
    private static final byte TERM = 0x02;
    private static final byte TAG = 0x03;
    private static final byte STATS = 0x04;
    private static final byte VECTOR = 0x05;
    private static final byte EXPIRY = 0x06;
    private static final byte[] SEPARATOR = {0x00};
    /** Bytes after the id in a text posting: term frequency and memory length, two unsigned shorts. */
    static final int POSTING_TRAILER = 4;

    private MemoryKeys() {
    }

    static byte[] memory(String namespace, String id) {
        return concat(family(MEMORY), utf8(namespace), SEPARATOR, ascii(id));
    }

    static KeyRange memories(String namespace) {
        return KeyRange.prefix(concat(family(MEMORY), utf8(namespace), SEPARATOR));
    }

    /** Memories of {@code namespace} created at or after the id {@code fromId} (ids sort by creation time). */
    static KeyRange memoriesFrom(String namespace, String fromId) {
        byte[] prefix = concat(family(MEMORY), utf8(namespace), SEPARATOR);
        byte[] end = prefixEnd(prefix);
        return KeyRange.closedOpen(concat(prefix, ascii(fromId)), end);
    }

    static byte[] posting(String namespace, String term, String id, int termFrequency, int length) {
        byte[] trailer = {(byte) (termFrequency >>> 8), (byte) termFrequency, (byte) (length >>> 8), (byte) length};
        return concat(termPrefix(namespace, term), ascii(id), trailer);
    }

    static KeyRange postings(String namespace, String term) {
        return KeyRange.prefix(termPrefix(namespace, term));
    }

    /** The posting of memory {@code id} for {@code term}, if any: one key, its tf and length unknown beforehand. */
    static KeyRange postingOf(String namespace, String term, String id) {
        return KeyRange.prefix(concat(termPrefix(namespace, term), ascii(id)));
    }

    private static byte[] termPrefix(String namespace, String term) {
        return concat(family(TERM), utf8(namespace), SEPARATOR, utf8(term), SEPARATOR);
    }

    /** The id, term frequency and memory length of a text posting key. */
    static Posting parsePosting(byte[] key) {
        int trailer = key.length - POSTING_TRAILER;
        int idStart = trailer - MemoryIds.LENGTH;
        String id = new String(key, idStart, MemoryIds.LENGTH, StandardCharsets.US_ASCII);
        int tf = ((key[trailer] & 0xFF) << 8) | (key[trailer + 1] & 0xFF);
        int length = ((key[trailer + 2] & 0xFF) << 8) | (key[trailer + 3] & 0xFF);
        return new Posting(id, tf, length);
    }

    record Posting(String id, int termFrequency, int length) {
    }

    static byte[] tag(String namespace, String tag, String id) {
        return concat(tagPrefix(namespace, tag), ascii(id));
    }

    static KeyRange tagged(String namespace, String tag) {
        return KeyRange.prefix(tagPrefix(namespace, tag));
    }

    private static byte[] tagPrefix(String namespace, String tag) {
        return concat(family(TAG), utf8(namespace), SEPARATOR, utf8(tag), SEPARATOR);
    }

    /** The id at the end of a tag posting or memory key. */
    static String trailingId(byte[] key) {
        return new String(key, key.length - MemoryIds.LENGTH, MemoryIds.LENGTH, StandardCharsets.US_ASCII);
    }

    static byte[] stats(String namespace) {
        return concat(family(STATS), utf8(namespace));
    }

    static KeyRange allStats() {
        return KeyRange.prefix(family(STATS));
    }

    static String namespaceOfStats(byte[] key) {
        return new String(key, 2, key.length - 2, StandardCharsets.UTF_8);
    }

    static byte[] vector(String namespace, String id) {
        return concat(vectorPrefix(namespace), ascii(id));
    }

    static KeyRange vectors(String namespace) {
        return KeyRange.prefix(vectorPrefix(namespace));
    }

    private static byte[] vectorPrefix(String namespace) {
        return concat(family(VECTOR), utf8(namespace), SEPARATOR);
    }

    static byte[] expiry(String namespace, long expiresAtMillis, String id, int length) {
        byte[] at = ByteBuffer.allocate(Long.BYTES).putLong(expiresAtMillis).array();
        return concat(expiryPrefix(namespace), at, ascii(id), new byte[] {(byte) (length >>> 8), (byte) length});
    }

    /** The expiry entries of {@code namespace} due at {@code nowMillis}: expiring at or before it. */
    static KeyRange expiredBy(String namespace, long nowMillis) {
        byte[] prefix = expiryPrefix(namespace);
        byte[] after = ByteBuffer.allocate(Long.BYTES).putLong(nowMillis + 1).array();
        return KeyRange.closedOpen(prefix, concat(prefix, after));
    }

    /** Every expiry entry of {@code namespace}. */
    static KeyRange expiries(String namespace) {
        return KeyRange.prefix(expiryPrefix(namespace));
    }

    /** The length in terms of the memory of an expiry entry (its id comes before it). */
    static int expiryLength(byte[] key) {
        return ((key[key.length - 2] & 0xFF) << 8) | (key[key.length - 1] & 0xFF);
    }

    private static byte[] expiryPrefix(String namespace) {
        return concat(family(EXPIRY), utf8(namespace), SEPARATOR);
    }

    private static byte[] family(byte kind) {
        return new byte[] {RESERVED, kind};
    }

    private static byte[] prefixEnd(byte[] prefix) {
        // The prefix ends with the 0x00 separator, so bumping its last byte gives the first key past it.
        byte[] end = prefix.clone();
        end[end.length - 1]++;
        return end;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] out = Arrays.copyOf(parts[0], length);
        int at = parts[0].length;
        for (int i = 1; i < parts.length; i++) {
            System.arraycopy(parts[i], 0, out, at, parts[i].length);
            at += parts[i].length;
        }
        return out;
    }
}
