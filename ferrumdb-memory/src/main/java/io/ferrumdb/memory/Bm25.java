package io.ferrumdb.memory;

/**
 * Okapi BM25 with the usual constants (k1 = 1.2, b = 0.75) and the non-negative idf of Lucene,
 * {@code ln(1 + (N - df + 0.5) / (df + 0.5))}.
 */
final class Bm25 {
    private static final double K1 = 1.2;
    private static final double B = 0.75;

    private final double documents;
    private final double averageLength;

    /**
     * @param documents  memories in the namespace (N)
     * @param totalTerms their total length in terms
     */
    Bm25(long documents, long totalTerms) {
        this.documents = Math.max(1, documents);
        this.averageLength = documents > 0 && totalTerms > 0 ? (double) totalTerms / documents : 1.0;
    }

    double idf(long documentFrequency) {
        // A memory's expiry entry comes due up to a millisecond before the engine drops its postings (the engine
        // times the TTL from its own read of the clock), so N can briefly be below df: clamp rather than go negative.
        double n = Math.max(documents, documentFrequency);
        return Math.log(1 + (n - documentFrequency + 0.5) / (documentFrequency + 0.5));
    }

    /**
     * Above every {@link #termScore} with this idf: tf / (tf + norm) is below 1, as norm is at least K1 (1 - B) > 0.
     */
    static double maxTermScore(double idf) {
        return idf * (K1 + 1);
    }

    double termScore(double idf, int termFrequency, int length) {
        double norm = K1 * (1 - B + B * length / averageLength);
        return idf * termFrequency * (K1 + 1) / (termFrequency + norm);
    }
}
