package io.ferrumdb.internal.keydir;

import java.nio.charset.StandardCharsets;

/** Keys for the key directory's tests: by text, or numbered so that key order is number order. */
final class TestKeys {
    private TestKeys() {
    }

    static Key key(String s) {
        return new Key(s.getBytes(StandardCharsets.UTF_8));
    }

    /** "key-" and eight decimal digits, so that key order is number order (built by hand: String.format is slow). */
    static Key key(int i) {
        byte[] b = {'k', 'e', 'y', '-', '0', '0', '0', '0', '0', '0', '0', '0'};
        for (int p = b.length - 1, v = i; p >= 4; p--, v /= 10) {
            b[p] = (byte) ('0' + v % 10);
        }
        return new Key(b);
    }
}
