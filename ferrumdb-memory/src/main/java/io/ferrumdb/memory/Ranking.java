package io.ferrumdb.memory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.Predicate;

/**
 * Collects per-memory evidence during a recall and keeps the best. Score = distinct query terms matched
 * + BM25 / (1 + BM25) + cosine similarity; so with text alone a memory matching more query terms always ranks
 * above one matching fewer, BM25 orders memories matching as many, and the newer id breaks exact ties.
 */
final class Ranking {
    private static final Comparator<Scored> ORDER =
            Comparator.comparingDouble(Scored::score).thenComparing(Scored::id);

    private final Predicate<String> admitted;
    private final Map<String, Evidence> evidence = new HashMap<>();

    Ranking(Predicate<String> admitted) {
        this.admitted = admitted;
    }

    private static final class Evidence {
        int matchedTerms;
        double bm25;
        double similarity;
    }

    record Scored(String id, double score) {
    }

    void addTerm(String id, double bm25) {
        Evidence e = admit(id);
        if (e != null) {
            e.matchedTerms++;
            e.bm25 += bm25;
        }
    }

    void addSimilarity(String id, double similarity) {
        Evidence e = admit(id);
        if (e != null) {
            e.similarity = similarity;
        }
    }

    private Evidence admit(String id) {
        Evidence e = evidence.get(id);
        if (e == null && admitted.test(id)) {
            e = new Evidence();
            evidence.put(id, e);
        }
        return e;
    }

    /** BM25 squashed into [0, 1), the fraction of the score. */
    static double squash(double bm25) {
        return bm25 / (1 + bm25);
    }

    /** The {@code limit} best, best first. */
    List<Scored> best(int limit) {
        PriorityQueue<Scored> heap = new PriorityQueue<>(limit + 1, ORDER); // worst on top
        for (Map.Entry<String, Evidence> entry : evidence.entrySet()) {
            Evidence e = entry.getValue();
            Scored s = new Scored(entry.getKey(), e.matchedTerms + squash(e.bm25) + e.similarity);
            if (heap.size() < limit) {
                heap.add(s);
            } else if (ORDER.compare(s, heap.peek()) > 0) {
                heap.poll();
                heap.add(s);
            }
        }
        List<Scored> out = new ArrayList<>(heap);
        out.sort(ORDER.reversed());
        return out;
    }
}
