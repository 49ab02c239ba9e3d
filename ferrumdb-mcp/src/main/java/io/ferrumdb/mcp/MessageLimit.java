package io.ferrumdb.mcp;

import io.ferrumdb.memory.MemoryLimits;

/** The largest JSON-RPC message the server reads, over stdio (one line) and over HTTP (one request body). */
final class MessageLimit {
    /**
     * In bytes (UTF-8). At this limit the SDK's (2.1) stdio transport logged a stack trace and stopped reading, so
     * the server hung; its HTTP transport answered a bare 413.
     */
    static final int MAX_BYTES = 16 * 1024 * 1024;

    private MessageLimit() {
    }

    /**
     * The message of the JSON-RPC error (-32600) that refuses a message over the limit.
     *
     * @param length the message's length in bytes, or -1 when unknown (an HTTP body sent in chunks)
     */
    static String refusal(long length) {
        return "Invalid Request: the message is " + (length < 0 ? "" : length + " bytes, ") + "over the limit of "
                + MAX_BYTES + " bytes (16 MiB) for one JSON-RPC message; a memory's text holds at most "
                + MemoryLimits.MAX_TEXT_BYTES + " bytes, so send less";
    }
}
