package io.ferrumdb.internal.log;

import io.ferrumdb.internal.keydir.Key;

/**
 * One record of a batch for {@link LogWriter#append(java.util.List, Applier, boolean)}: {@code key} is the caller's
 * copy, which no one changes. {@code value} is empty for a tombstone.
 */
public record Append(byte type, Key key, byte[] value, long expiresAt) {
}
