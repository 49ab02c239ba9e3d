package io.ferrumdb.internal.log;

import io.ferrumdb.internal.keydir.Key;
import io.ferrumdb.internal.keydir.Location;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Tests' view of the log writer's appends: applied records as a key and a Location, and waiting for a future. */
public final class TestWrites {
    /** What a test records of an applied record. */
    @FunctionalInterface
    public interface Applied {
        void applied(byte type, Key key, Location location);
    }

    private TestWrites() {
    }

    /** An {@link Applier} handing {@code applied} a copy of each record's key and its location. */
    public static Applier applier(Applied applied) {
        return (type, key, keyAt, keyLength, expiresAt, segmentId, offset, recordSize) -> applied.applied(type,
                new Key(Arrays.copyOfRange(key, keyAt, keyAt + keyLength)),
                new Location(segmentId, offset, recordSize, expiresAt));
    }

    /** Makes {@code s} count {@code length} bytes written, as the writer would (tests that name offsets in it). */
    public static void writtenUpTo(Segment s, long length) {
        s.setWrittenLength(length);
    }

    /** {@code appends} as one atomic append's {@link Records}. */
    public static Records records(Append... appends) {
        return records(List.of(appends));
    }

    /** {@code appends} as one atomic append's {@link Records}. */
    public static Records records(List<Append> appends) {
        return new Records() {
            @Override
            public int count() {
                return appends.size();
            }

            @Override
            public long payload() {
                long payload = 0;
                for (Append a : appends) {
                    payload += a.key().bytes().length + a.value().length;
                }
                return payload;
            }

            @Override
            public byte type(int i) {
                return appends.get(i).type();
            }

            @Override
            public byte[] key(int i) {
                return appends.get(i).key().bytes();
            }

            @Override
            public byte[] value(int i) {
                return appends.get(i).value();
            }

            @Override
            public long expiresAt(int i) {
                return appends.get(i).expiresAt();
            }
        };
    }

    /** Waits for a future of {@link LogWriter#append} (null: nothing to wait for); failures as the write path's. */
    public static void await(CompletableFuture<Void> future) {
        WriteFailure.await(future);
    }
}
