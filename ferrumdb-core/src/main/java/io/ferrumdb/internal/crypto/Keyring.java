package io.ferrumdb.internal.crypto;

import io.ferrumdb.CorruptionException;
import io.ferrumdb.EncryptionKeyException;
import io.ferrumdb.internal.directory.DatabaseDirectory;
import io.ferrumdb.internal.directory.FileNames;
import io.ferrumdb.internal.directory.LockRegistry;
import io.ferrumdb.internal.format.CipherSuite;
import io.ferrumdb.internal.format.MetaFile;
import io.ferrumdb.internal.io.FileIO;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Envelope encryption of a database (SECURITY.md): a random 256-bit data key encrypts the data and is stored in
 * the {@code KEY} file wrapped by a key-encryption key (KEK), which comes from the user's raw key or from the
 * passphrase through Argon2id. Changing the passphrase rewraps the data key; no data is rewritten.
 */
public final class Keyring {
    public static final String KEY_FILE = FileNames.KEY;

    /**
     * Argon2id parameters for new key files: OWASP's recommendation (19 MiB, 2 passes, 1 lane). Stored in KEY, so
     * a later version can raise them and changePassphrase then rewraps under the new ones.
     */
    static final int DEFAULT_MEMORY_KIB = 19 * 1024;
    static final int DEFAULT_ITERATIONS = 2;
    static final int DEFAULT_PARALLELISM = 1;

    private static final byte[] WRAP_LABEL = "ferrumdb key wrap".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CHECK_LABEL = "ferrumdb key check".getBytes(StandardCharsets.US_ASCII);
    /**
     * The database key's, salts' and nonces' source; in a holder so that opening a plaintext database does not load
     * and seed the security providers (several milliseconds of every open in a fresh JVM).
     */
    private static final class Random {
        static final SecureRandom RANDOM = new SecureRandom();
    }

    private Keyring() {
    }

    /**
     * The cipher suite of the database described by {@code meta}, checking that {@code secret} (null: none given)
     * fits it. Reads only META and KEY. A missing KEY is created only when {@code mayCreateKey} (a writable open
     * of a database without segments: a crash between writing META and KEY left nothing encrypted).
     */
    public static CipherSuite open(FileIO io, Path dir, MetaFile meta, Secret secret, boolean mayCreateKey)
            throws IOException {
        Path keyPath = dir.resolve(KEY_FILE);
        if (!meta.encrypted()) {
            if (secret != null) {
                throw new EncryptionKeyException("database " + dir + " is not encrypted, but "
                        + secret.withArticle() + " was given", true);
            }
            if (io.exists(keyPath)) {
                throw new CorruptionException(keyPath, 0, "KEY file exists but META says the database is not"
                        + " encrypted");
            }
            return CipherSuite.PLAINTEXT;
        }
        if (secret == null) {
            throw new EncryptionKeyException("database " + dir + " is encrypted: open it with"
                    + " Options.builder().encryptionKey(..) or .passphrase(..)");
        }
        if (!io.exists(keyPath)) {
            if (!mayCreateKey) {
                throw new CorruptionException(keyPath, 0, "KEY file of an encrypted database is missing");
            }
            List<AesGcmSuite.DataKey> keys = List.of(new AesGcmSuite.DataKey(0, newDataKey()));
            try (Kek kek = Kek.fresh(secret, meta.databaseId())) {
                write(io, dir, kek.wrap(keys));
            }
            return new AesGcmSuite(keys, meta.databaseId(), Random.RANDOM);
        }
        KeyFile file = read(io, dir, meta);
        try (Kek kek = Kek.unlock(file, secret, keyPath)) {
            return new AesGcmSuite(kek.unwrap(file, keyPath), meta.databaseId(), Random.RANDOM);
        }
    }

    /**
     * Rewraps the data keys under {@code newSecret}: the new KEY is written to a temporary file, fsynced and
     * renamed over the old one, so a crash leaves either the old or the new KEY, each complete. REQUIRES: the
     * caller holds the database's exclusive lock.
     */
    public static void rewrap(FileIO io, Path dir, MetaFile meta, Secret oldSecret, Secret newSecret)
            throws IOException {
        assert LockRegistry.process().isHeldExclusively(dir) : "rewrapping the KEY of " + dir + " without its lock";
        if (!meta.encrypted()) {
            throw new EncryptionKeyException("database " + dir + " is not encrypted", true);
        }
        KeyFile file = read(io, dir, meta);
        List<AesGcmSuite.DataKey> keys;
        try (Kek old = Kek.unlock(file, oldSecret, dir.resolve(KEY_FILE))) {
            keys = old.unwrap(file, dir.resolve(KEY_FILE));
        }
        try (Kek kek = Kek.fresh(newSecret, meta.databaseId())) {
            write(io, dir, kek.wrap(keys));
        } finally {
            keys.forEach(k -> Arrays.fill(k.key(), (byte) 0));
        }
    }

    /**
     * First step of a data-key rotation of an open database: a new random data key encrypts every segment created
     * from now on; KEY lists it beside the old ones, wrapped under {@code secret} (the one the database was
     * opened with).
     */
    public static void addDataKey(FileIO io, Path dir, CipherSuite suite, byte[] databaseId, Secret secret)
            throws IOException {
        AesGcmSuite s = encrypted(suite, dir);
        try (Kek kek = Kek.fresh(secret, databaseId)) {
            s.addKey(newDataKey(), keys -> write(io, dir, kek.wrap(keys)));
        }
    }

    /**
     * Last step of a rotation: drops the data keys that only segments below {@code lowestSegment} used (the caller
     * has rewritten those segments) and returns how many data keys remain.
     */
    public static int retireDataKeys(FileIO io, Path dir, CipherSuite suite, byte[] databaseId, Secret secret,
                                     long lowestSegment) throws IOException {
        AesGcmSuite s = encrypted(suite, dir);
        try (Kek kek = Kek.fresh(secret, databaseId)) {
            s.retireBelow(lowestSegment, keys -> write(io, dir, kek.wrap(keys)));
        }
        return s.keyCount();
    }

    private static AesGcmSuite encrypted(CipherSuite suite, Path dir) {
        if (suite instanceof AesGcmSuite s) {
            return s;
        }
        throw new EncryptionKeyException("database " + dir + " is not encrypted", true);
    }

    private static byte[] newDataKey() {
        byte[] key = new byte[Gcm.KEY_BYTES];
        Random.RANDOM.nextBytes(key);
        return key;
    }

    private static KeyFile read(FileIO io, Path dir, MetaFile meta) throws IOException {
        Path keyPath = dir.resolve(KEY_FILE);
        if (!io.exists(keyPath)) {
            throw new CorruptionException(keyPath, 0, "KEY file of an encrypted database is missing");
        }
        byte[] bytes = DatabaseDirectory.readAll(io, keyPath, KeyFile.MAX_SIZE);
        KeyFile file = KeyFile.decode(bytes, keyPath);
        if (!Arrays.equals(file.databaseId(), meta.databaseId())) {
            throw new CorruptionException(keyPath, 40, "KEY file belongs to another database");
        }
        return file;
    }

    private static void write(FileIO io, Path dir, KeyFile file) throws IOException {
        DatabaseDirectory.writeDurably(io, dir, KEY_FILE, file.encode());
    }

    /** A key-encryption key: KDF choice, parameters and salt, and the 32 bytes of KEK material; wiped on close. */
    private static final class Kek implements AutoCloseable {
        private final KeyFile template;
        private final byte[] material;

        private Kek(KeyFile template, byte[] material) {
            this.template = template;
            this.material = material;
        }

        /** A KEK with a fresh salt and the current default parameters, for writing a new KEY. */
        static Kek fresh(Secret secret, byte[] databaseId) {
            byte[] salt = new byte[16];
            Random.RANDOM.nextBytes(salt);
            KeyFile template = secret.isPassphrase()
                    ? new KeyFile(KeyFile.KDF_ARGON2ID, DEFAULT_MEMORY_KIB, DEFAULT_ITERATIONS, DEFAULT_PARALLELISM,
                            salt, databaseId, null, List.of())
                    : new KeyFile(KeyFile.KDF_RAW, 0, 0, 0, salt, databaseId, null, List.of());
            return new Kek(template, kekMaterial(template, secret));
        }

        /**
         * The KEK of an existing KEY. A key check that does not match means a wrong key or passphrase.
         */
        static Kek unlock(KeyFile file, Secret secret, Path keyPath) {
            boolean passphraseFile = file.kdf() == KeyFile.KDF_ARGON2ID;
            if (passphraseFile != secret.isPassphrase()) {
                throw new EncryptionKeyException("database " + keyPath.getParent() + " is protected by "
                        + (passphraseFile ? "a passphrase" : "a raw encryption key") + ", but "
                        + secret.withArticle() + " was given");
            }
            Kek kek = new Kek(file, kekMaterial(file, secret));
            byte[] check = kek.keyCheck();
            if (!MessageDigest.isEqual(check, file.keyCheck())) {
                kek.close();
                throw new EncryptionKeyException("wrong " + secret.kind() + " for database " + keyPath.getParent());
            }
            return kek;
        }

        private byte[] keyCheck() {
            return Hkdf.derive(material, template.salt(), info(CHECK_LABEL, template.databaseId()),
                    KeyFile.KEY_CHECK_BYTES);
        }

        /** A KEY file holding {@code keys}, each wrapped under a fresh nonce. */
        KeyFile wrap(List<AesGcmSuite.DataKey> keys) {
            byte[] wrapKey = wrapKey();
            try {
                Gcm gcm = new Gcm(wrapKey);
                List<KeyFile.Entry> placeholder = new ArrayList<>();
                for (AesGcmSuite.DataKey k : keys) {
                    placeholder.add(new KeyFile.Entry(k.firstSegment(), null, null));
                }
                KeyFile header = new KeyFile(template.kdf(), template.memoryKiB(), template.iterations(),
                        template.parallelism(), template.salt(), template.databaseId(), keyCheck(), placeholder);
                List<KeyFile.Entry> entries = new ArrayList<>();
                for (AesGcmSuite.DataKey k : keys) {
                    byte[] nonce = new byte[Gcm.NONCE_BYTES];
                    Random.RANDOM.nextBytes(nonce);
                    Cipher c = gcm.encryptor(nonce);
                    c.updateAAD(header.associatedData(k.firstSegment()));
                    entries.add(new KeyFile.Entry(k.firstSegment(), nonce, c.doFinal(k.key())));
                }
                return new KeyFile(header.kdf(), header.memoryKiB(), header.iterations(), header.parallelism(),
                        header.salt(), header.databaseId(), header.keyCheck(), List.copyOf(entries));
            } catch (GeneralSecurityException e) {
                throw Gcm.failure(e);
            } finally {
                Arrays.fill(wrapKey, (byte) 0);
            }
        }

        /**
         * The data keys of {@code file}, whose key check matched: a wrapped key that fails authentication means
         * the file was altered.
         */
        List<AesGcmSuite.DataKey> unwrap(KeyFile file, Path keyPath) {
            byte[] wrapKey = wrapKey();
            List<AesGcmSuite.DataKey> keys = new ArrayList<>();
            try {
                Gcm gcm = new Gcm(wrapKey);
                for (int i = 0; i < file.entries().size(); i++) {
                    KeyFile.Entry e = file.entries().get(i);
                    Cipher c = gcm.decryptor(e.nonce());
                    c.updateAAD(file.associatedData(e.firstSegment()));
                    try {
                        keys.add(new AesGcmSuite.DataKey(e.firstSegment(), c.doFinal(e.wrapped())));
                    } catch (AEADBadTagException ex) {
                        keys.forEach(k -> Arrays.fill(k.key(), (byte) 0));
                        throw new CorruptionException(keyPath, KeyFile.HEADER_SIZE + (long) i * KeyFile.ENTRY_SIZE,
                                "wrapped data key " + i + " fails authentication although the key check matches:"
                                        + " the KEY file was altered");
                    }
                }
                return keys;
            } catch (GeneralSecurityException e) {
                throw Gcm.failure(e);
            } finally {
                Arrays.fill(wrapKey, (byte) 0);
            }
        }

        private byte[] wrapKey() {
            return Hkdf.derive(material, template.salt(), info(WRAP_LABEL, template.databaseId()), Gcm.KEY_BYTES);
        }

        @Override
        public void close() {
            Arrays.fill(material, (byte) 0);
        }
    }

    private static byte[] info(byte[] label, byte[] databaseId) {
        byte[] info = Arrays.copyOf(label, label.length + 16);
        System.arraycopy(databaseId, 0, info, label.length, 16);
        return info;
    }

    /** The 32 bytes the wrap key and key check are derived from: the raw key, or Argon2id of the passphrase. */
    private static byte[] kekMaterial(KeyFile f, Secret secret) {
        if (!secret.isPassphrase()) {
            return secret.rawKey().clone();
        }
        byte[] password = utf8(secret.passphrase());
        try {
            Argon2BytesGenerator argon = new Argon2BytesGenerator();
            argon.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                    .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                    .withSalt(f.salt())
                    .withMemoryAsKB(f.memoryKiB())
                    .withIterations(f.iterations())
                    .withParallelism(f.parallelism())
                    .build());
            byte[] out = new byte[Gcm.KEY_BYTES];
            argon.generateBytes(password, out);
            return out;
        } finally {
            Arrays.fill(password, (byte) 0);
        }
    }

    /** UTF-8 bytes of a passphrase without an intermediate String, so that every copy can be wiped. */
    private static byte[] utf8(char[] chars) {
        CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer buf;
        try {
            buf = encoder.encode(CharBuffer.wrap(chars));
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("passphrase is not valid UTF-16 (unpaired surrogate)");
        }
        byte[] out = new byte[buf.remaining()];
        buf.get(out);
        if (buf.hasArray()) {
            Arrays.fill(buf.array(), (byte) 0);
        }
        return out;
    }
}
