package io.ferrumdb.server;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Writes {@link Reply} values in the wire format of RESP2 or RESP3 (chosen per connection by HELLO). */
final class RespEncoder {
    private static final byte[] CRLF = {'\r', '\n'};

    private RespEncoder() {
    }

    static void write(ByteBuf out, Reply reply, int protocol) {
        if (reply instanceof Reply.Simple s) {
            line(out, '+', s.text());
        } else if (reply instanceof Reply.Error e) {
            out.writeByte('-');
            out.writeBytes(e.text());
            out.writeBytes(CRLF);
        } else if (reply instanceof Reply.Int i) {
            line(out, ':', Long.toString(i.value()));
        } else if (reply instanceof Reply.Bulk b) {
            line(out, '$', Integer.toString(b.bytes().length));
            out.writeBytes(b.bytes());
            out.writeBytes(CRLF);
        } else if (reply instanceof Reply.NullBulk) {
            out.writeBytes(protocol >= 3 ? NULL3 : NULL_BULK2);
        } else if (reply instanceof Reply.NullArray) {
            out.writeBytes(protocol >= 3 ? NULL3 : NULL_ARRAY2);
        } else if (reply instanceof Reply.Array a) {
            line(out, '*', Integer.toString(a.items().size()));
            for (Reply item : a.items()) {
                write(out, item, protocol);
            }
        } else if (reply instanceof Reply.Verbatim v) {
            if (protocol >= 3) {
                line(out, '=', Integer.toString(v.text().length + VERBATIM_TXT.length));
                out.writeBytes(VERBATIM_TXT);
            } else {
                line(out, '$', Integer.toString(v.text().length));
            }
            out.writeBytes(v.text());
            out.writeBytes(CRLF);
        } else if (reply instanceof Reply.SetReply set) {
            line(out, protocol >= 3 ? '~' : '*', Integer.toString(set.items().size()));
            for (Reply item : set.items()) {
                write(out, item, protocol);
            }
        } else if (reply instanceof Reply.InProtocol p) {
            write(out, p.reply(), p.protocol());
        } else if (reply instanceof Reply.MapReply m) {
            List<Reply> kv = m.keysAndValues();
            line(out, protocol >= 3 ? '%' : '*', Integer.toString(protocol >= 3 ? kv.size() / 2 : kv.size()));
            for (Reply item : kv) {
                write(out, item, protocol);
            }
        } else {
            throw new AssertionError("unhandled reply type " + reply.getClass());
        }
    }

    /** A verbatim string's format and its colon, counted in the length as Redis counts it. */
    private static final byte[] VERBATIM_TXT = "txt:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL3 = "_\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL_BULK2 = "$-1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL_ARRAY2 = "*-1\r\n".getBytes(StandardCharsets.US_ASCII);

    private static void line(ByteBuf out, char type, String text) {
        out.writeByte(type);
        out.writeCharSequence(text, StandardCharsets.UTF_8);
        out.writeBytes(CRLF);
    }
}
