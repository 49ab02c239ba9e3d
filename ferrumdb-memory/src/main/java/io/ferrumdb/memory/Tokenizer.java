package io.ferrumdb.memory;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns text into index terms: Unicode compatibility decomposition with accents removed, lower case, split at
 * every character that is neither a letter nor a digit, then common English function words dropped (they match
 * nearly every memory and only add noise to BM25). The same rules apply to memories and queries, so "Café" in a
 * query finds "cafe" in a memory.
 */
final class Tokenizer {
    /** Longer terms are cut here, so a posting key stays small whatever the input. */
    static final int MAX_TERM_CHARS = 64;

    private static final Set<String> STOPWORDS = Set.of(
            "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have", "he", "her",
            "his", "i", "if", "in", "into", "is", "it", "its", "me", "my", "no", "not", "of", "on", "or", "our",
            "she", "so", "that", "the", "their", "them", "then", "there", "these", "they", "this", "to", "was",
            "we", "were", "what", "when", "which", "who", "will", "with", "you", "your");

    private Tokenizer() {
    }

    /** Every term of {@code text}, in order, repeats included. */
    static List<String> terms(String text) {
        String folded = Normalizer.normalize(text, Normalizer.Form.NFKD).toLowerCase(Locale.ROOT);
        List<String> terms = new ArrayList<>();
        StringBuilder term = new StringBuilder();
        for (int i = 0; i < folded.length(); ) {
            int cp = folded.codePointAt(i);
            i += Character.charCount(cp);
            int type = Character.getType(cp);
            if (type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK
                    || type == Character.ENCLOSING_MARK) {
                continue; // the accent of a decomposed letter
            }
            if (Character.isLetterOrDigit(cp)) {
                if (term.length() < MAX_TERM_CHARS) {
                    term.appendCodePoint(cp);
                }
            } else {
                add(terms, term);
            }
        }
        add(terms, term);
        return terms;
    }

    /** Each distinct term of {@code text} with the number of times it occurs, in order of first occurrence. */
    static Map<String, Integer> frequencies(List<String> terms) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String term : terms) {
            counts.merge(term, 1, Integer::sum);
        }
        return counts;
    }

    private static void add(List<String> terms, StringBuilder term) {
        if (term.length() > 0) {
            String t = term.toString();
            if (!STOPWORDS.contains(t)) {
                terms.add(t);
            }
            term.setLength(0);
        }
    }
}
