package io.ferrumdb.internal.log;

import io.ferrumdb.internal.keydir.Key;

/**
 * One record of a test's batch for {@link LogWriter#append(Records, Applier, boolean)}, through {@link
 * TestWrites#records}: {@code key} is the test's copy, which no one changes. {@code value} is empty for a tombstone.
 */
public record Append(byte type, Key key, byte[] value, long expiresAt) {
}
