package io.ferrumdb.memory;

/** A namespace and the number of live memories in it. */
public record NamespaceCount(String name, long count) {
}
