package io.ferrumdb.server;

/**
 * Redis's glob-style matching (util.c {@code stringmatchlen}) for KEYS, SCAN MATCH, HSCAN MATCH and CONFIG GET:
 * {@code *}, {@code ?}, {@code [abc]}, {@code [^a]}, {@code [a-z]} and {@code \} escapes, on bytes. Public for the
 * command line's REPL, whose KEYS takes the same patterns.
 */
public final class Glob {
    /** Bounds the backtracking of {@code *} so that a hostile pattern cannot spin the server (as Redis does). */
    private static final int MAX_NESTING = 1000;

    private Glob() {
    }

    public static boolean matches(byte[] pattern, byte[] string, boolean noCase) {
        return match(pattern, 0, string, 0, noCase, 0) == 1;
    }

    /** 1 match, 0 no match, -1 give up (no later position can match either). */
    private static int match(byte[] p, int pi, byte[] s, int si, boolean noCase, int nesting) {
        if (nesting > MAX_NESTING) {
            return -1;
        }
        while (pi < p.length && si < s.length) {
            byte c = p[pi];
            if (c == '*') {
                while (pi + 1 < p.length && p[pi + 1] == '*') {
                    pi++;
                }
                if (pi + 1 == p.length) {
                    return 1;
                }
                for (int k = si; k < s.length; k++) {
                    int r = match(p, pi + 1, s, k, noCase, nesting + 1);
                    if (r != 0) {
                        return r;
                    }
                }
                return -1;
            } else if (c == '?') {
                si++;
            } else if (c == '[') {
                pi++;
                boolean not = pi < p.length && p[pi] == '^';
                if (not) {
                    pi++;
                }
                boolean hit = false;
                while (true) {
                    if (pi >= p.length) {
                        pi--;
                        break;
                    }
                    if (p[pi] == '\\' && pi + 1 < p.length) {
                        pi++;
                        if (eq(p[pi], s[si], noCase)) {
                            hit = true;
                        }
                    } else if (p[pi] == ']') {
                        break;
                    } else if (pi + 2 < p.length && p[pi + 1] == '-') {
                        int start = p[pi] & 0xff;
                        int end = p[pi + 2] & 0xff;
                        int ch = s[si] & 0xff;
                        if (start > end) {
                            int t = start;
                            start = end;
                            end = t;
                        }
                        if (noCase) {
                            start = Character.toLowerCase(start);
                            end = Character.toLowerCase(end);
                            ch = Character.toLowerCase(ch);
                        }
                        pi += 2;
                        if (ch >= start && ch <= end) {
                            hit = true;
                        }
                    } else if (eq(p[pi], s[si], noCase)) {
                        hit = true;
                    }
                    pi++;
                }
                if (not) {
                    hit = !hit;
                }
                if (!hit) {
                    return 0;
                }
                si++;
            } else {
                if (c == '\\' && pi + 1 < p.length) {
                    pi++;
                    c = p[pi];
                }
                if (!eq(c, s[si], noCase)) {
                    return 0;
                }
                si++;
            }
            pi++;
        }
        while (pi < p.length && p[pi] == '*') {
            pi++;
        }
        return pi == p.length && si == s.length ? 1 : 0;
    }

    private static boolean eq(byte a, byte b, boolean noCase) {
        return a == b || noCase && Character.toLowerCase(a & 0xff) == Character.toLowerCase(b & 0xff);
    }

    /** The literal bytes a pattern's matches must start with (used to narrow KEYS and SCAN to a key range). */
    public static byte[] literalPrefix(byte[] pattern) {
        int n = 0;
        while (n < pattern.length) {
            byte c = pattern[n];
            if (c == '*' || c == '?' || c == '[' || c == '\\') {
                break;
            }
            n++;
        }
        return java.util.Arrays.copyOf(pattern, n);
    }
}
