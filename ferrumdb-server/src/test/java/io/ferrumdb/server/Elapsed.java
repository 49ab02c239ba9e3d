package io.ferrumdb.server;

/**
 * Time passed since a moment, as an upper bound for what the server's clock counted in between: a TTL read back is
 * checked against it, not against a fixed allowance that a stalled machine overruns. Never a duration claim.
 */
record Elapsed(long startNanos) {
    static Elapsed start() {
        return new Elapsed(System.nanoTime());
    }

    /** Whole milliseconds, rounded up, plus one for the server's millisecond clock ticking in between. */
    long millis() {
        return (System.nanoTime() - startNanos + 999_999) / 1_000_000 + 1;
    }

    /** Whole seconds, rounded up. */
    long seconds() {
        return (millis() + 999) / 1000;
    }
}
