package io.ferrumdb.doc;

/** A persistent secondary index of a collection: its dot path and whether values must be unique. */
public record IndexInfo(String path, boolean unique) {
}
