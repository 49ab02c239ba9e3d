package io.ferrumdb.cli;

import io.ferrumdb.KeyRange;
import io.ferrumdb.server.Glob;

/**
 * The keys that {@code KEYS} in the REPL and the one-shot {@code keys} list: those starting with a prefix, or those
 * matching a Redis glob pattern ({@code *}, {@code user:*}, with {@code ?} and {@code [...]}, {@code \} escaping),
 * walked over the range of the pattern's literal prefix.
 *
 * @param range the keys to walk
 * @param pattern the glob each walked key must match, or null for every key of the range
 */
record KeySelection(KeyRange range, byte[] pattern) {

    /**
     * The selection of {@code argument} (null for every key): a pattern when it is text holding {@code *},
     * {@code ?} or {@code [} (a Redis user's {@code KEYS *} listed nothing when every argument was a prefix), else a
     * prefix. Hex and base64 arguments are always prefixes (they cannot hold those characters).
     */
    static KeySelection of(Codec codec, String argument) {
        boolean glob = codec == Codec.TEXT && argument != null
                && (argument.indexOf('*') >= 0 || argument.indexOf('?') >= 0 || argument.indexOf('[') >= 0);
        if (!glob) {
            return new KeySelection(DataCommands.range(codec, argument), null);
        }
        byte[] pattern = codec.decode(argument, "pattern");
        return new KeySelection(KeyRange.prefix(Glob.literalPrefix(pattern)), pattern);
    }

    boolean shows(byte[] key) {
        return pattern == null || Glob.matches(pattern, key, false);
    }
}
