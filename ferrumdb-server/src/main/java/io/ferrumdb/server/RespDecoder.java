package io.ferrumdb.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Reads RESP multibulk requests ({@code *N\r\n$len\r\n...}) and inline commands from a connection, with
 * Redis's limits and error texts (networking.c {@code processMultibulkBuffer}, {@code processInlineBuffer}).
 *
 * <p>Memory is bounded: a header line may not exceed {@link #MAX_LINE} bytes before its CR, a bulk may not exceed
 * {@code proto-max-bulk-len}, a whole command may not exceed {@code client-query-buffer-limit}, and before
 * authentication a command may have at most 10 arguments of at most 16 KiB (as in Redis). Arguments already read
 * are kept, not re-read, so a large pipelined command is buffered once. After a protocol error the decoder emits
 * one {@link RespRequest.ProtocolError} and ignores everything that follows: the stream cannot be resynchronised.
 */
final class RespDecoder extends ByteToMessageDecoder {
    /** PROTO_INLINE_MAX_SIZE: the longest inline command and the longest {@code *N} / {@code $N} header line. */
    static final int MAX_LINE = 64 * 1024;
    private static final int UNAUTHENTICATED_MAX_ARGS = 10;
    private static final int UNAUTHENTICATED_MAX_BULK = 16 * 1024;

    private final long maxBulkLength;
    private final long maxQueryBytes;
    private final BooleanSupplier authenticationRequired;

    /** Arguments of the multibulk command being read; null between commands. */
    private byte[][] args;
    private int argsRead;
    /** Length of the bulk whose header was read and whose body is awaited; -1 when none. */
    private long bulkLength = -1;
    private long commandBytes;
    private boolean failed;

    RespDecoder(long maxBulkLength, long maxQueryBytes, BooleanSupplier authenticationRequired) {
        this.maxBulkLength = maxBulkLength;
        this.maxQueryBytes = maxQueryBytes;
        this.authenticationRequired = authenticationRequired;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (!failed && in.isReadable()) {
            RespRequest request = args == null && in.getByte(in.readerIndex()) != '*' ? inline(in) : multibulk(in);
            if (request == null) {
                return;
            }
            if (request instanceof RespRequest.ProtocolError) {
                failed = true;
                in.skipBytes(in.readableBytes());
            }
            out.add(request);
            // One command per decode call: the handler must apply AUTH before the next command is decoded,
            // because the unauthenticated limits depend on it.
            return;
        }
        if (failed) {
            in.skipBytes(in.readableBytes());
        }
    }

    private RespRequest inline(ByteBuf in) {
        int newline = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
        if (newline < 0) {
            return in.readableBytes() > MAX_LINE ? error("too big inline request") : null;
        }
        int end = newline > in.readerIndex() && in.getByte(newline - 1) == '\r' ? newline - 1 : newline;
        byte[] line = new byte[end - in.readerIndex()];
        in.readBytes(line);
        in.readerIndex(newline + 1);
        List<byte[]> split = InlineSplitter.split(line);
        if (split == null) {
            return error("unbalanced quotes in request");
        }
        if (split.isEmpty()) {
            return EMPTY;
        }
        return new RespRequest.Command(split.toArray(new byte[0][]));
    }

    /** An empty inline line or {@code *0}: ignored without a reply, as Redis does (telnet users press Enter). */
    private static final RespRequest EMPTY = new RespRequest.Command(new byte[][] {new byte[0]});

    private RespRequest multibulk(ByteBuf in) {
        if (args == null) {
            Long count = headerLine(in, "too big mbulk count string");
            if (count == null) {
                return pendingError != null ? takeError() : null;
            }
            if (count > Integer.MAX_VALUE) {
                return error("invalid multibulk length");
            }
            if (count > UNAUTHENTICATED_MAX_ARGS && authenticationRequired.getAsBoolean()) {
                return error("unauthenticated multibulk length");
            }
            if (count <= 0) {
                return EMPTY;
            }
            // Allocated as arguments arrive (not count up front), so a huge count alone costs nothing.
            args = new byte[(int) Math.min(count, 1024)][];
            expected = (int) (long) count;
            argsRead = 0;
            commandBytes = 0;
        }
        while (argsRead < expected) {
            if (bulkLength < 0) {
                if (!in.isReadable()) {
                    return null;
                }
                if (in.getByte(in.readerIndex()) != '$' && in.indexOf(in.readerIndex(), in.writerIndex(),
                        (byte) '\r') >= 0) {
                    return error("expected '$', got '" + (char) in.getByte(in.readerIndex()) + "'");
                }
                Long length = headerLine(in, "too big bulk count string");
                if (length == null) {
                    return pendingError != null ? takeError() : null;
                }
                if (length < 0 || length > maxBulkLength) {
                    return error("invalid bulk length");
                }
                if (length > UNAUTHENTICATED_MAX_BULK && authenticationRequired.getAsBoolean()) {
                    return error("unauthenticated bulk length");
                }
                commandBytes += length;
                if (commandBytes > maxQueryBytes) {
                    return error("the command exceeds client-query-buffer-limit (" + maxQueryBytes + " bytes)");
                }
                bulkLength = length;
            }
            if (in.readableBytes() < bulkLength + 2) {
                return null;
            }
            byte[] arg = new byte[(int) bulkLength];
            in.readBytes(arg);
            in.skipBytes(2);
            bulkLength = -1;
            if (argsRead == args.length) {
                args = java.util.Arrays.copyOf(args, (int) Math.min(expected, (long) args.length * 2));
            }
            args[argsRead++] = arg;
        }
        byte[][] complete = args;
        args = null;
        return new RespRequest.Command(complete);
    }

    private int expected;
    private String pendingError;

    /**
     * Parses a {@code *N\r\n} or {@code $N\r\n} line (the type byte is skipped); null when the line is incomplete,
     * or, with {@link #pendingError} set, when it is malformed or too long.
     */
    private Long headerLine(ByteBuf in, String tooLong) {
        int cr = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\r');
        if (cr < 0) {
            if (in.readableBytes() > MAX_LINE) {
                pendingError = tooLong;
            }
            return null;
        }
        if (cr + 1 >= in.writerIndex()) {
            return null;
        }
        int start = in.readerIndex() + 1;
        Long value = Numbers.parseLong(in, start, cr);
        in.readerIndex(cr + 2);
        if (value == null) {
            pendingError = in.getByte(start - 1) == '*' ? "invalid multibulk length" : "invalid bulk length";
            return null;
        }
        return value;
    }

    private RespRequest takeError() {
        String message = pendingError;
        pendingError = null;
        return error(message);
    }

    private RespRequest error(String message) {
        args = null;
        return new RespRequest.ProtocolError("Protocol error: " + message);
    }

    /** True for the placeholder of an empty request (an empty inline line, or {@code *0}), which gets no reply. */
    static boolean isEmpty(RespRequest request) {
        return request == EMPTY;
    }
}
