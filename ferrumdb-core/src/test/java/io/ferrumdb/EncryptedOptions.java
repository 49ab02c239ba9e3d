package io.ferrumdb;

/**
 * Encrypted variants of test options, so that any core test (model, crash) can run in encrypted mode. The key
 * is fixed so that a child JVM of a crash test opens what its parent wrote.
 */
public final class EncryptedOptions {
    private static final byte[] TEST_KEY = new byte[32];

    static {
        for (int i = 0; i < TEST_KEY.length; i++) {
            TEST_KEY[i] = (byte) (0xA5 ^ (i * 37));
        }
    }

    private EncryptedOptions() {
    }

    /** A copy of the fixed raw test key. */
    public static byte[] testKey() {
        return TEST_KEY.clone();
    }

    /** A builder with the fixed raw test key set. */
    public static Options.Builder builder() {
        return Options.builder().encryptionKey(TEST_KEY);
    }

    /** {@code base} with the fixed raw test key added. */
    public static Options encrypted(Options base) {
        return base.toBuilder().encryptionKey(TEST_KEY).build();
    }
}
