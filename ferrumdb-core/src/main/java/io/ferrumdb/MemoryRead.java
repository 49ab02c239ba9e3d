package io.ferrumdb;

/**
 * What {@link FerrumDB#getIfInMemory(byte[])} answers: the value ({@link Found}), that the key is absent or expired
 * ({@link #ABSENT}), or that its record is not in memory ({@link #NOT_IN_MEMORY}): reading it would need disk I/O,
 * which that call never does, so the caller reads it with {@link FerrumDB#get(byte[])} where blocking is fine. A
 * record in memory is verified and decrypted as get does it, and fails as get fails (a {@link CorruptionException},
 * say). "In memory" is the log writer's buffers (records just written), and pages of a sealed segment's memory map
 * that the kernel reports resident; a positional read of the active segment's file counts as disk I/O.
 *
 * <pre>{@code
 * MemoryRead r = db.getIfInMemory(key);
 * if (r instanceof MemoryRead.Found found) {
 *     use(found.value());
 * } else if (r == MemoryRead.NOT_IN_MEMORY) {
 *     executor.execute(() -> use(db.get(key)));   // may wait for the disk: off the thread that must not
 * }                                               // else ABSENT: no such key
 * }</pre>
 */
public sealed interface MemoryRead permits MemoryRead.Found, MemoryRead.Absent, MemoryRead.NotInMemory {
    /**
     * The key is absent or expired. (An expired key whose record is not in memory may answer {@link #NOT_IN_MEMORY}
     * instead: a hash-only key directory, {@code orderedKeys(false)}, tells its entries apart by reading records.)
     */
    MemoryRead ABSENT = new Absent();
    /** The key's record is not in memory: no answer was given, and no disk I/O was done. */
    MemoryRead NOT_IN_MEMORY = new NotInMemory();

    /** The key's value, a copy the caller owns. */
    record Found(byte[] value) implements MemoryRead {
    }

    /** See {@link #ABSENT}, the one instance. */
    final class Absent implements MemoryRead {
        private Absent() {
        }

        @Override
        public String toString() {
            return "ABSENT";
        }
    }

    /** See {@link #NOT_IN_MEMORY}, the one instance. */
    final class NotInMemory implements MemoryRead {
        private NotInMemory() {
        }

        @Override
        public String toString() {
            return "NOT_IN_MEMORY";
        }
    }
}
