package io.ferrumdb.internal.crypto;

import io.ferrumdb.CorruptionException;
import io.ferrumdb.EncryptionKeyException;
import io.ferrumdb.internal.format.CipherSuite;
import io.ferrumdb.internal.format.MetaFile;
import io.ferrumdb.internal.io.FileIO;
import io.ferrumdb.internal.log.SegmentFiles;
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
import java.util.Arrays;
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
    public static final String KEY_FILE = KeyFile.NAME;

    /**
     * Argon2id parameters for new key files: OWASP's recommendation (19 MiB, 2 passes, 1 lane). Stored in KEY, so
     * a later version can raise them and changePassphrase then rewraps under the new ones.
     */
    static final int DEFAULT_MEMORY_KIB = 19 * 1024;
    static final int DEFAULT_ITERATIONS = 2;
    static final int DEFAULT_PARALLELISM = 1;

    private static final byte[] WRAP_LABEL = "ferrumdb key wrap".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CHECK_LABEL = "ferrumdb key check".getBytes(StandardCharsets.US_ASCII);
    private static final SecureRandom RANDOM = new SecureRandom();

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
                throw new EncryptionKeyException("database " + dir + " is not encrypted, but an "
                        + secret.kind() + " was given");
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
            byte[] dataKey = new byte[Gcm.KEY_BYTES];
            RANDOM.nextBytes(dataKey);
            write(io, dir, wrap(dataKey, meta.databaseId(), secret));
            return new AesGcmSuite(dataKey, meta.databaseId(), RANDOM);
        }
        KeyFile file = read(io, dir, meta);
        return new AesGcmSuite(unwrap(file, secret, keyPath), meta.databaseId(), RANDOM);
    }

    /**
     * Rewraps the data key under {@code newSecret}: the new KEY is written to a temporary file, fsynced and
     * renamed over the old one, so a crash leaves either the old or the new KEY, each complete. The caller holds
     * the database lock.
     */
    public static void rewrap(FileIO io, Path dir, MetaFile meta, Secret oldSecret, Secret newSecret)
            throws IOException {
        if (!meta.encrypted()) {
            throw new EncryptionKeyException("database " + dir + " is not encrypted");
        }
        KeyFile file = read(io, dir, meta);
        byte[] dataKey = unwrap(file, oldSecret, dir.resolve(KEY_FILE));
        try {
            write(io, dir, wrap(dataKey, meta.databaseId(), newSecret));
        } finally {
            Arrays.fill(dataKey, (byte) 0);
        }
    }

    private static KeyFile read(FileIO io, Path dir, MetaFile meta) throws IOException {
        Path keyPath = dir.resolve(KEY_FILE);
        if (!io.exists(keyPath)) {
            throw new CorruptionException(keyPath, 0, "KEY file of an encrypted database is missing");
        }
        byte[] bytes = files(io, dir, meta.databaseId()).readAll(keyPath, KeyFile.SIZE);
        KeyFile file = KeyFile.decode(bytes, keyPath);
        if (!Arrays.equals(file.databaseId(), meta.databaseId())) {
            throw new CorruptionException(keyPath, 40, "KEY file belongs to another database");
        }
        return file;
    }

    private static void write(FileIO io, Path dir, KeyFile file) throws IOException {
        files(io, dir, file.databaseId()).writeDurably(dir.resolve(KEY_FILE + SegmentFiles.TMP_SUFFIX),
                dir.resolve(KEY_FILE), file.encode());
    }

    private static SegmentFiles files(FileIO io, Path dir, byte[] databaseId) {
        return new SegmentFiles(io, dir, databaseId, CipherSuite.PLAINTEXT);
    }

    /** A new key file for {@code dataKey} under {@code secret}, with a fresh KDF salt and wrap nonce. */
    private static KeyFile wrap(byte[] dataKey, byte[] databaseId, Secret secret) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        byte[] nonce = new byte[Gcm.NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        KeyFile header = secret.isPassphrase()
                ? new KeyFile(KeyFile.KDF_ARGON2ID, DEFAULT_MEMORY_KIB, DEFAULT_ITERATIONS, DEFAULT_PARALLELISM,
                        salt, databaseId, null, nonce, null)
                : new KeyFile(KeyFile.KDF_RAW, 0, 0, 0, salt, databaseId, null, nonce, null);
        byte[] material = kekMaterial(header, secret);
        try {
            KeyFile withCheck = with(header, keyCheck(material, header), new byte[KeyFile.WRAPPED_BYTES]);
            byte[] wrapKey = wrapKey(material, header);
            try {
                Cipher c = new Gcm(wrapKey).encryptor(nonce);
                c.updateAAD(withCheck.associatedData());
                return with(withCheck, withCheck.keyCheck(), c.doFinal(dataKey));
            } catch (GeneralSecurityException e) {
                throw Gcm.failure(e);
            } finally {
                Arrays.fill(wrapKey, (byte) 0);
            }
        } finally {
            Arrays.fill(material, (byte) 0);
        }
    }

    /**
     * The data key of {@code file}. A key check that does not match means a wrong key or passphrase; a wrapped
     * key that fails authentication although the check matched means the file was altered.
     */
    private static byte[] unwrap(KeyFile file, Secret secret, Path keyPath) {
        boolean passphraseFile = file.kdf() == KeyFile.KDF_ARGON2ID;
        if (passphraseFile != secret.isPassphrase()) {
            throw new EncryptionKeyException("database " + keyPath.getParent() + " is protected by "
                    + (passphraseFile ? "a passphrase" : "a raw encryption key") + ", but an " + secret.kind()
                    + " was given");
        }
        byte[] material = kekMaterial(file, secret);
        try {
            byte[] check = keyCheck(material, file);
            if (!MessageDigest.isEqual(check, file.keyCheck())) {
                throw new EncryptionKeyException("wrong " + secret.kind() + " for database " + keyPath.getParent());
            }
            byte[] wrapKey = wrapKey(material, file);
            try {
                Cipher c = new Gcm(wrapKey).decryptor(file.nonce());
                c.updateAAD(file.associatedData());
                return c.doFinal(file.wrapped());
            } catch (AEADBadTagException e) {
                throw new CorruptionException(keyPath, 84, "wrapped data key fails authentication although the key"
                        + " check matches: the KEY file was altered");
            } catch (GeneralSecurityException e) {
                throw Gcm.failure(e);
            } finally {
                Arrays.fill(wrapKey, (byte) 0);
            }
        } finally {
            Arrays.fill(material, (byte) 0);
        }
    }

    private static KeyFile with(KeyFile f, byte[] keyCheck, byte[] wrapped) {
        return new KeyFile(f.kdf(), f.memoryKiB(), f.iterations(), f.parallelism(), f.salt(), f.databaseId(),
                keyCheck, f.nonce(), wrapped);
    }

    private static byte[] keyCheck(byte[] material, KeyFile f) {
        return Hkdf.derive(material, f.salt(), info(CHECK_LABEL, f.databaseId()), KeyFile.KEY_CHECK_BYTES);
    }

    private static byte[] wrapKey(byte[] material, KeyFile f) {
        return Hkdf.derive(material, f.salt(), info(WRAP_LABEL, f.databaseId()), Gcm.KEY_BYTES);
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
