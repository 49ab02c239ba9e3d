package io.ferrumdb;

import io.ferrumdb.internal.crypto.Secret;
import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.io.NamingFileIO;
import io.ferrumdb.internal.keydir.KeyDir;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Immutable open options. Build with {@link #builder()}; {@link #defaults()} is {@code builder().build()}.
 *
 * <p>Defaults and why:
 * <ul>
 *   <li>fsync policy {@link FsyncPolicy#always()}: no acknowledged write is lost on power loss; group commit
 *   keeps concurrent and pipelined ({@code putAsync}) writers near the raw fsync limit.</li>
 *   <li>segment size 64 MiB: large enough that rolling (one fsync and one hint file) is rare, small enough that
 *   compaction of one segment is short.</li>
 *   <li>ordered keys on: range and prefix scans are what users of every Bitcask-style store ask for; the ordered
 *   index only changes when a key is created or removed, so overwrites and GETs do not pay for it
 *   (see docs/benchmarks.md for the measured cost).</li>
 * </ul>
 */
public final class Options {
    public static final long MIN_SEGMENT_SIZE = 4096;
    public static final long MAX_SEGMENT_SIZE = 1L << 30;
    public static final long DEFAULT_SEGMENT_SIZE = 64L << 20;

    private final FsyncPolicy fsyncPolicy;
    private final long segmentSize;
    private final boolean readOnly;
    private final boolean createIfMissing;
    private final Clock clock;
    private final boolean orderedKeys;
    private final boolean salvage;
    private final boolean repairDiscardsDamaged;
    private final boolean repairAllowsMissingSegments;
    private final boolean autoCompaction;
    private final double compactionThreshold;
    private final long compactionRateLimit;
    private final int compactionThreads;
    private final Duration compactionInterval;
    private final double maxSpaceAmplification;
    private final FileIO fileIO;
    private final int keyHashBits;
    private final byte[] encryptionKey;
    private final char[] passphrase;

    private Options(Builder b) {
        this.fsyncPolicy = b.fsyncPolicy;
        this.segmentSize = b.segmentSize;
        this.readOnly = b.readOnly;
        this.createIfMissing = b.createIfMissing;
        this.clock = b.clock;
        this.orderedKeys = b.orderedKeys;
        this.salvage = b.salvage;
        this.repairDiscardsDamaged = b.repairDiscardsDamaged;
        this.repairAllowsMissingSegments = b.repairAllowsMissingSegments;
        this.autoCompaction = b.autoCompaction;
        this.compactionThreshold = b.compactionThreshold;
        this.compactionRateLimit = b.compactionRateLimit;
        this.compactionThreads = b.compactionThreads;
        this.compactionInterval = b.compactionInterval;
        this.maxSpaceAmplification = b.maxSpaceAmplification;
        // Failures name their file (a FileChannel's "No space left on device" names none): NamingFileIO.
        this.fileIO = NamingFileIO.wrap(b.fileIO);
        this.keyHashBits = b.keyHashBits;
        this.encryptionKey = b.encryptionKey == null ? null : b.encryptionKey.clone();
        this.passphrase = b.passphrase == null ? null : b.passphrase.clone();
    }

    public static Options defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.fsyncPolicy = fsyncPolicy;
        b.segmentSize = segmentSize;
        b.readOnly = readOnly;
        b.createIfMissing = createIfMissing;
        b.clock = clock;
        b.orderedKeys = orderedKeys;
        b.salvage = salvage;
        b.repairDiscardsDamaged = repairDiscardsDamaged;
        b.repairAllowsMissingSegments = repairAllowsMissingSegments;
        b.autoCompaction = autoCompaction;
        b.compactionThreshold = compactionThreshold;
        b.compactionRateLimit = compactionRateLimit;
        b.compactionThreads = compactionThreads;
        b.compactionInterval = compactionInterval;
        b.maxSpaceAmplification = maxSpaceAmplification;
        b.fileIO = fileIO;
        b.keyHashBits = keyHashBits;
        b.encryptionKey = encryptionKey == null ? null : encryptionKey.clone();
        b.passphrase = passphrase == null ? null : passphrase.clone();
        return b;
    }

    public FsyncPolicy fsyncPolicy() {
        return fsyncPolicy;
    }

    public long segmentSize() {
        return segmentSize;
    }

    public boolean readOnly() {
        return readOnly;
    }

    /**
     * Whether a writing open creates a missing database (default true). A read-only open never creates one; either
     * way a missing database gives {@link DatabaseNotFoundException}.
     */
    public boolean createIfMissing() {
        return createIfMissing;
    }

    public Clock clock() {
        return clock;
    }

    public boolean orderedKeys() {
        return orderedKeys;
    }

    /** Whether open skips damaged records instead of failing; see {@link FerrumDB#recoveryReport()}. */
    public boolean salvage() {
        return salvage;
    }

    /** Whether {@link FerrumDB#repair} deletes damaged files instead of moving them to a damaged-* folder. */
    public boolean repairDiscardsDamaged() {
        return repairDiscardsDamaged;
    }

    /** Whether {@link FerrumDB#repair} may drop segments the MANIFEST lists but which are gone. */
    public boolean repairAllowsMissingSegments() {
        return repairAllowsMissingSegments;
    }

    /** Whether a background thread compacts segments whose dead share reaches the threshold. */
    public boolean autoCompaction() {
        return autoCompaction;
    }

    /** Dead bytes / segment bytes at which automatic compaction rewrites a sealed segment. */
    public double compactionThreshold() {
        return compactionThreshold;
    }

    /** Bytes per second compaction may write; 0 = unlimited. */
    public long compactionRateLimit() {
        return compactionRateLimit;
    }

    /** Threads an explicit {@link FerrumDB#compact()} copies with (background compaction uses one). */
    public int compactionThreads() {
        return compactionThreads;
    }

    /** How often the background compactor looks for work (it also looks whenever a segment is sealed). */
    public Duration compactionInterval() {
        return compactionInterval;
    }

    /** Disk bytes / live bytes of the whole database above which background compaction reclaims space. */
    public double maxSpaceAmplification() {
        return maxSpaceAmplification;
    }

    FileIO fileIO() {
        return fileIO;
    }

    /** Hash bits beyond the tag a hash-only key directory's headers keep (see {@code LogKeys}). */
    int keyHashBits() {
        return keyHashBits;
    }

    /** Whether an encryption key or passphrase is set (the database must then be, or become, encrypted). */
    public boolean encrypted() {
        return encryptionKey != null || passphrase != null;
    }

    /** A fresh copy of the key or passphrase for one open, wiped by the caller; null when none is set. */
    Secret secret() {
        if (encryptionKey != null) {
            return Secret.rawKey(encryptionKey.clone());
        }
        return passphrase == null ? null : Secret.passphrase(passphrase.clone());
    }

    @Override
    public String toString() {
        return "Options{fsync=" + fsyncPolicy + ", segmentSize=" + segmentSize + ", readOnly=" + readOnly
                + ", createIfMissing=" + createIfMissing + ", orderedKeys=" + orderedKeys + ", salvage=" + salvage
                + ", autoCompaction=" + autoCompaction
                + ", compactionThreshold=" + compactionThreshold + ", compactionRateLimit=" + compactionRateLimit
                + ", compactionThreads=" + compactionThreads
                + ", compactionInterval=" + compactionInterval + ", maxSpaceAmplification=" + maxSpaceAmplification
                + ", encryption=" + (encryptionKey != null ? "key" : passphrase != null ? "passphrase" : "none") + "}";
    }

    public static final class Builder {
        private FsyncPolicy fsyncPolicy = FsyncPolicy.always();
        private long segmentSize = DEFAULT_SEGMENT_SIZE;
        private boolean readOnly;
        private boolean createIfMissing = true;
        private Clock clock = Clock.systemUTC();
        private boolean orderedKeys = true;
        private boolean salvage;
        private boolean repairDiscardsDamaged;
        private boolean repairAllowsMissingSegments;
        private boolean autoCompaction = true;
        private double compactionThreshold = 0.5;
        private long compactionRateLimit;
        private int compactionThreads = Math.min(2, Runtime.getRuntime().availableProcessors());
        private Duration compactionInterval = Duration.ofSeconds(1);
        private double maxSpaceAmplification = 1.5;
        private FileIO fileIO = FileIO.nio();
        private int keyHashBits = KeyDir.DEFAULT_KEY_HASH_BITS;
        private byte[] encryptionKey;
        private char[] passphrase;

        private Builder() {
        }

        public Builder fsyncPolicy(FsyncPolicy policy) {
            this.fsyncPolicy = Objects.requireNonNull(policy, "fsyncPolicy");
            return this;
        }

        /** Size at which the active segment is sealed and a new one started, 4 KiB to 1 GiB. */
        public Builder segmentSize(long bytes) {
            if (bytes < MIN_SEGMENT_SIZE || bytes > MAX_SEGMENT_SIZE) {
                throw new IllegalArgumentException("segmentSize must be between " + MIN_SEGMENT_SIZE + " and "
                        + MAX_SEGMENT_SIZE + " bytes, got " + bytes);
            }
            this.segmentSize = bytes;
            return this;
        }

        /** Open without writing anything: no recovery truncation, no new segment, writes throw. */
        public Builder readOnly(boolean readOnly) {
            this.readOnly = readOnly;
            return this;
        }

        /**
         * Whether a writing open creates the database (and its directory) when there is none; default true. With
         * false, or with {@link #readOnly(boolean)}, a missing database gives {@link DatabaseNotFoundException}
         * and nothing is created. A non-empty directory without a database is never turned into one
         * ({@link NotADatabaseException}).
         */
        public Builder createIfMissing(boolean createIfMissing) {
            this.createIfMissing = createIfMissing;
            return this;
        }

        /** The wall clock used for TTL expiry; injectable for tests. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Keep an ordered key index beside the hash key directory, for range and prefix scans. Without it, an
         * unencrypted database keeps no key bytes in memory (about 30 bytes a key instead of 48 at 1M 16-byte keys):
         * keys are compared with their records, so updates of existing keys and deletes read the key's record.
         *
         * <p>On by default, because measured it costs little and every scan needs it: a GET takes the same hash
         * path either way (p50 802 ns ordered against 752 ns hash-only at 1M keys), the index is 4 heap bytes a key
         * beside the key bytes, and an open of 10M keys took 107-189 ms with it against 22-136 ms without; while the ordered views,
         * the document store and the Kafka Streams store refuse to work without it (docs/benchmarks.md, "Cost of
         * ordered keys" and the key directory rows). Turn it off to save the key bytes on a get/put-only workload.
         */
        public Builder orderedKeys(boolean orderedKeys) {
            this.orderedKeys = orderedKeys;
            return this;
        }

        /**
         * Salvage mode: open skips damaged byte ranges instead of failing with {@link CorruptionException}, and
         * reports each one through {@link FerrumDB#recoveryReport()}. Off by default: nothing is ever skipped
         * silently.
         */
        public Builder salvage(boolean salvage) {
            this.salvage = salvage;
            return this;
        }

        /**
         * For {@link FerrumDB#repair}: delete the damaged original files instead of moving them to a
         * {@code damaged-<timestamp>} folder beside the database (default false: nothing is thrown away).
         */
        public Builder repairDiscardsDamaged(boolean discard) {
            this.repairDiscardsDamaged = discard;
            return this;
        }

        /**
         * For {@link FerrumDB#repair}: accept that segments the MANIFEST lists are gone and rebuild the MANIFEST
         * without them (default false: repair refuses with {@link MissingSegmentException}). Keys deleted or
         * overwritten in a lost segment may then show older values.
         */
        public Builder repairAllowsMissingSegments(boolean allow) {
            this.repairAllowsMissingSegments = allow;
            return this;
        }

        /** Compact automatically in the background (default true). {@link FerrumDB#compact()} works either way. */
        public Builder autoCompaction(boolean enabled) {
            this.autoCompaction = enabled;
            return this;
        }

        /**
         * Share of dead bytes (0 exclusive to 1 inclusive) at which a sealed segment is compacted automatically;
         * default 0.5, which bounds space amplification near 2x in the worst case and far lower in practice.
         */
        public Builder compactionThreshold(double deadRatio) {
            if (!(deadRatio > 0 && deadRatio <= 1)) {
                throw new IllegalArgumentException("compactionThreshold must be in (0, 1], got " + deadRatio);
            }
            this.compactionThreshold = deadRatio;
            return this;
        }

        /** Limits compaction writes to this many bytes per second so that it does not starve foreground I/O. */
        public Builder compactionRateLimit(long bytesPerSecond) {
            if (bytesPerSecond < 0) {
                throw new IllegalArgumentException("compactionRateLimit must be >= 0 (0 = unlimited), got "
                        + bytesPerSecond);
            }
            this.compactionRateLimit = bytesPerSecond;
            return this;
        }

        /**
         * Threads that copy records in {@link FerrumDB#compact()}, each its own share of the inputs' records into
         * output files of its own (RocksDB's {@code max_subcompactions}); default {@code min(2,
         * availableProcessors())}. The caller waits for the compaction, so its wall time is what counts; background
         * compaction always copies on one thread, so that it takes at most one CPU from the readers. The outputs
         * are still published together (one crash-safe step), and {@link #compactionRateLimit} bounds all the
         * threads together. A compaction reading less than a quarter segment of live data a thread uses fewer.
         */
        public Builder compactionThreads(int threads) {
            if (threads < 1 || threads > 64) {
                throw new IllegalArgumentException("compactionThreads must be in [1, 64], got " + threads);
            }
            this.compactionThreads = threads;
            return this;
        }

        /**
         * How often the background compactor checks the segments (default 1 s; a check only sums counters, and a
         * sealed segment triggers one at once).
         */
        public Builder compactionInterval(Duration interval) {
            Objects.requireNonNull(interval, "interval");
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("compactionInterval must be positive, got " + interval);
            }
            this.compactionInterval = interval;
            return this;
        }

        /**
         * Bound on the whole database's space amplification (disk bytes of segments / bytes of live records) that
         * background compaction keeps, default 1.5: above it, the segments with most dead bytes are compacted (and
         * the active segment is sealed when its dead records are what keeps the database above the bound), until
         * the dead share is half of what the bound allows. At least 1; 1 means "compact whenever anything is dead".
         */
        public Builder maxSpaceAmplification(double bound) {
            if (!(bound >= 1) || Double.isInfinite(bound)) {
                throw new IllegalArgumentException("maxSpaceAmplification must be a finite number >= 1, got " + bound);
            }
            this.maxSpaceAmplification = bound;
            return this;
        }

        /**
         * Encrypts the database with AES-256-GCM under a data key wrapped by this raw 256-bit key (SECURITY.md).
         * The array is copied: the caller may wipe its own after building. A new database becomes encrypted; an
         * existing one must have been created with the same key. Exclusive with {@link #passphrase(char[])}.
         */
        public Builder encryptionKey(byte[] key32) {
            Objects.requireNonNull(key32, "encryptionKey");
            if (key32.length != 32) {
                throw new IllegalArgumentException("encryptionKey must be 32 bytes (AES-256), got " + key32.length);
            }
            this.encryptionKey = key32.clone();
            return this;
        }

        /**
         * Encrypts the database under a data key wrapped by a key derived from this passphrase with Argon2id
         * (SECURITY.md). The array is copied: the caller may wipe its own after building. Exclusive with
         * {@link #encryptionKey(byte[])}.
         */
        public Builder passphrase(char[] passphrase) {
            Objects.requireNonNull(passphrase, "passphrase");
            if (passphrase.length == 0) {
                throw new IllegalArgumentException("passphrase must not be empty");
            }
            this.passphrase = passphrase.clone();
            return this;
        }

        /** The file layer; tests substitute one that injects faults. Not part of the supported API. */
        Builder fileIO(FileIO fileIO) {
            this.fileIO = Objects.requireNonNull(fileIO, "fileIO");
            return this;
        }

        /**
         * Hash bits beyond the 28-bit tag that a hash-only key directory keeps per key; tests set 0 so that keys
         * of one tag share a header and every lookup compares records. Not part of the supported API.
         */
        Builder keyHashBits(int bits) {
            this.keyHashBits = bits;
            return this;
        }

        public Options build() {
            if (encryptionKey != null && passphrase != null) {
                throw new IllegalArgumentException("set either encryptionKey or passphrase, not both");
            }
            return new Options(this);
        }
    }
}
