package io.ferrumdb.server;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One RESP reply, independent of the protocol version: {@link RespEncoder} writes it as RESP2 or RESP3 for the
 * connection that asked (a {@link MapReply} is a flat array in RESP2, a null is {@code $-1}/{@code *-1} there
 * and {@code _} in RESP3).
 */
sealed interface Reply {
    Reply OK = new Simple("OK");
    Reply PONG = new Simple("PONG");
    Reply QUEUED = new Simple("QUEUED");
    Reply NULL_BULK = new NullBulk();
    Reply NULL_ARRAY = new NullArray();
    Reply ZERO = new Int(0);
    Reply ONE = new Int(1);
    Reply EMPTY_ARRAY = new Array(List.of());

    /** {@code +text}: never contains CR or LF. */
    record Simple(String text) implements Reply {
    }

    /**
     * {@code -CODE message}: the bytes after {@code -}, starting with the error code (ERR, WRONGTYPE, NOAUTH, ...).
     * Bytes, not text, because an error may quote a client's arguments, which Redis echoes byte for byte.
     */
    record Error(byte[] text) implements Reply {
    }

    record Int(long value) implements Reply {
    }

    record Bulk(byte[] bytes) implements Reply {
    }

    record NullBulk() implements Reply {
    }

    record NullArray() implements Reply {
    }

    record Array(List<Reply> items) implements Reply {
    }

    /**
     * A reply written in the given protocol whatever the connection's: a reply inside EXEC made before a queued
     * HELLO switched the protocol keeps the protocol it was made in, as Redis writes it at once.
     */
    record InProtocol(int protocol, Reply reply) implements Reply {
    }

    /** Text for people (INFO, CLIENT LIST): a RESP3 verbatim string of format {@code txt}, a bulk in RESP2. */
    record Verbatim(byte[] text) implements Reply {
    }

    /** Elements without order or repeats (COMMAND INFO's flags): a RESP3 set, an array in RESP2. */
    record SetReply(List<Reply> items) implements Reply {
    }

    /** Key/value pairs: a RESP3 map, a flat array of 2n items in RESP2. */
    record MapReply(List<Reply> keysAndValues) implements Reply {
    }

    static Reply verbatim(String text) {
        return new Verbatim(text.getBytes(StandardCharsets.UTF_8));
    }

    static Reply bulk(String text) {
        return new Bulk(text.getBytes(StandardCharsets.UTF_8));
    }

    static Reply bulkOrNull(byte[] bytes) {
        return bytes == null ? NULL_BULK : new Bulk(bytes);
    }

    static Reply integer(long value) {
        return value == 0 ? ZERO : value == 1 ? ONE : new Int(value);
    }

    static Reply bool(boolean value) {
        return value ? ONE : ZERO;
    }

    /** An error reply; a CR or LF in it becomes a space, as Redis makes sure (the protocol line would break). */
    static Reply err(String text) {
        return err(text.getBytes(StandardCharsets.UTF_8));
    }

    /** {@link #err(String)} of bytes that may quote a client's arguments as they were sent. */
    static Reply err(byte[] text) {
        byte[] line = text.clone();
        for (int i = 0; i < line.length; i++) {
            if (line[i] == '\r' || line[i] == '\n') {
                line[i] = ' ';
            }
        }
        return new Error(line);
    }
}
