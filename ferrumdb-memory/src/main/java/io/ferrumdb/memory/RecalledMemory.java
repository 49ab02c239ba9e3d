package io.ferrumdb.memory;

/**
 * A memory returned by {@link AgentMemory#recall}, with its score. With a text query the integer part of the
 * score is the number of distinct query terms the memory contains and the fraction is its BM25 relevance squashed
 * into [0, 1); a vector adds its cosine similarity (0 when negative). Without query or vector the score is 0.
 */
public record RecalledMemory(Memory memory, double score) {
}
