package io.ferrumdb.cli;

import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * The name a mistyped one most likely meant ({@code cout} → {@code count}, {@code --outpt} → {@code --output}), for
 * the "did you mean" of the command line and the REPL, as git and redis-cli suggest.
 */
final class Closest {
    private Closest() {
    }

    /**
     * The candidate at the smallest edit distance from {@code typed} (a swap of two neighbouring letters counts as
     * one edit; case and leading dashes are ignored), if that is at most 2 and less than half the typed word, so that
     * a word unlike every candidate gets no suggestion; else the one candidate the typed word begins, if only one
     * does; else null.
     */
    static String to(String typed, Collection<String> candidates) {
        String word = bare(typed);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = editDistance(word, bare(c));
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        if (bestDistance <= 2 && bestDistance * 2 < word.length()) {
            return best;
        }
        // An abbreviation of exactly one candidate (--pre for --prefix), as git suggests for one.
        List<String> extending = candidates.stream().filter(c -> word.length() >= 2 && bare(c).startsWith(word))
                .toList();
        return extending.size() == 1 ? extending.get(0) : null;
    }

    /** "; did you mean 'X'?" for the closest candidate, or "" when none is close. */
    static String suggestion(String typed, Collection<String> candidates) {
        String close = to(typed, candidates);
        return close == null ? "" : "; did you mean '" + close + "'?";
    }

    private static String bare(String name) {
        return name.replaceFirst("^-+", "").toLowerCase(Locale.ROOT);
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps, each 1. */
    private static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
