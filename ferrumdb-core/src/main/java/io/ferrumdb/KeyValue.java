package io.ferrumdb;

/** A key and its value as returned by a scan. The arrays are the caller's to keep. */
public record KeyValue(byte[] key, byte[] value) {
}
