package io.ferrumdb.memory;

import io.ferrumdb.FerrumDB;
import io.ferrumdb.KeyIterator;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.IntStream;

/**
 * The text part of a recall without scoring every posting of a frequent term (MaxScore-style). The terms are read
 * from the rarest to the most frequent; once {@code limit} memories already found are sure to outscore any memory
 * that matches only the terms not yet read, those terms stop finding new memories and only complete the scores
 * of the ones found, by a point lookup of each one's posting (or by a scan when they are many).
 *
 * <p>Exact: every memory that can reach the best {@code limit} is found, and each one's BM25 is added to
 * {@link Ranking} term by term in query order, the order of the full scan, so scores are the same doubles.
 * A memory matching {@code r} of the unread terms scores below {@code r + f(bound)} (f(x) = x / (1 + x), bound =
 * the sum of their {@link Bm25#maxTermScore}); a found memory matching {@code c} terms with BM25 {@code s} so far
 * scores at least {@code c + f(s)}, as BM25 contributions are never negative.
 */
final class TextRecall {
    /**
     * Margin against rounding in the bounds: the sums are added in another order than the final score's, which
     * moves them by a few ulps (1e-15 here), and a margin only makes the pruning start later.
     */
    private static final double MARGIN = 1e-9;
    /** A point lookup of one posting costs about as much as scanning this many postings of a term. */
    private static final int LOOKUP_COST = 8;

    private final FerrumDB db;
    private final String namespace;
    private final List<String> terms;
    private final Bm25 bm25;
    private final Predicate<String> admitted;
    /** Per found memory, its BM25 contribution for each query term (by query position); NaN where unmatched. */
    private final Map<String, double[]> found = new HashMap<>();

    private TextRecall(FerrumDB db, String namespace, List<String> terms, Bm25 bm25, Predicate<String> admitted) {
        this.db = db;
        this.namespace = namespace;
        this.terms = terms;
        this.bm25 = bm25;
        this.admitted = admitted;
    }

    /** Adds to {@code ranking} every admitted memory that can be among the best {@code limit} for {@code terms}. */
    static void rank(FerrumDB db, String namespace, List<String> terms, Bm25 bm25, Predicate<String> admitted,
                     int limit, Ranking ranking) {
        new TextRecall(db, namespace, terms, bm25, admitted).rank(limit, ranking);
    }

    private void rank(int limit, Ranking ranking) {
        long[] frequency = new long[terms.size()];
        double[] idf = new double[terms.size()];
        for (int t = 0; t < terms.size(); t++) {
            frequency[t] = db.count(MemoryKeys.postings(namespace, terms.get(t)));
            idf[t] = bm25.idf(frequency[t]);
        }
        int[] rarestFirst = IntStream.range(0, terms.size()).boxed()
                .sorted(Comparator.comparingLong(t -> frequency[t])).mapToInt(Integer::intValue).toArray();
        boolean finding = true;
        for (int k = 0; k < rarestFirst.length; k++) {
            int t = rarestFirst[k];
            if (finding) {
                scan(t, idf[t], true);
                finding = !unreadTermsAreBeaten(Arrays.copyOfRange(rarestFirst, k + 1, rarestFirst.length), idf,
                        limit);
            } else if ((long) found.size() * LOOKUP_COST < frequency[t]) {
                lookUp(t, idf[t]);
            } else {
                scan(t, idf[t], false);
            }
        }
        for (Map.Entry<String, double[]> memory : found.entrySet()) {
            for (double contribution : memory.getValue()) {
                if (!Double.isNaN(contribution)) {
                    ranking.addTerm(memory.getKey(), contribution);
                }
            }
        }
    }

    /** Scores the postings of term {@code t}; new memories are added only when {@code finding}. */
    private void scan(int t, double idf, boolean finding) {
        try (KeyIterator keys = db.keyIterator(MemoryKeys.postings(namespace, terms.get(t)))) {
            while (keys.hasNext()) {
                MemoryKeys.Posting p = MemoryKeys.parsePosting(keys.next());
                double[] contributions = found.get(p.id());
                if (contributions == null && finding && admitted.test(p.id())) {
                    contributions = new double[terms.size()];
                    Arrays.fill(contributions, Double.NaN);
                    found.put(p.id(), contributions);
                }
                if (contributions != null) {
                    contributions[t] = bm25.termScore(idf, p.termFrequency(), p.length());
                }
            }
        }
    }

    /** Scores term {@code t} for the memories found, reading only their postings of it. */
    private void lookUp(int t, double idf) {
        for (Map.Entry<String, double[]> memory : found.entrySet()) {
            try (KeyIterator keys = db.keyIterator(MemoryKeys.postingOf(namespace, terms.get(t), memory.getKey()))) {
                if (keys.hasNext()) {
                    MemoryKeys.Posting p = MemoryKeys.parsePosting(keys.next());
                    memory.getValue()[t] = bm25.termScore(idf, p.termFrequency(), p.length());
                }
            }
        }
    }

    /** Whether {@code limit} memories found are sure to outscore every memory matching only {@code unread}. */
    private boolean unreadTermsAreBeaten(int[] unread, double[] idf, int limit) {
        if (unread.length == 0 || found.size() < limit) {
            return false;
        }
        double unreadBound = 0;
        for (int t : unread) {
            unreadBound += Bm25.maxTermScore(idf[t]);
        }
        double unseenAtMost = unread.length + Ranking.squash(unreadBound) + MARGIN;
        int beating = 0;
        for (double[] contributions : found.values()) {
            int matched = 0;
            double sum = 0;
            for (double c : contributions) {
                if (!Double.isNaN(c)) {
                    matched++;
                    sum += c;
                }
            }
            if (matched + Ranking.squash(sum) - MARGIN > unseenAtMost && ++beating == limit) {
                return true;
            }
        }
        return false;
    }
}
