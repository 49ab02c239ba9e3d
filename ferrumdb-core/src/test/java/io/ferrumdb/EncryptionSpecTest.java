package io.ferrumdb;

import static io.ferrumdb.EncryptionTest.b;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SECURITY.md and FORMAT.md ("KEY file") tested by example: a reader written from those texts alone, with the
 * JDK and no engine class, decrypts a database the engine wrote (raw key, after a data-key rotation, so KEY
 * holds the key that serves the new segments) and must find exactly what the engine returns.
 */
class EncryptionSpecTest {
    @TempDir
    Path dir;

    @Test
    void independentReaderDecryptsWhatTheEngineWrote() throws Exception {
        Options options = EncryptedOptions.builder().segmentSize(4096).autoCompaction(false).build();
        Map<String, String> expected = new HashMap<>();
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            for (int i = 0; i < 150; i++) {
                db.put(b("k" + (i % 70)), b("value " + i));
                expected.put("k" + (i % 70), "value " + i);
            }
            db.delete(b("k3"));
            expected.remove("k3");
            db.rotateDataKey();
            db.put(b("after"), b("rotation"));
            expected.put("after", "rotation");
        }
        List<byte[]> dataKeys = unwrapKeyFile(Files.readAllBytes(dir.resolve("KEY")), EncryptedOptions.testKey());
        assertThat(dataKeys).hasSize(1);
        Map<String, long[]> newest = new HashMap<>();
        Map<String, String> values = new HashMap<>();
        int hints = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.sorted().toList()) {
                String name = p.getFileName().toString();
                if (name.endsWith(".seg")) {
                    readSegment(Files.readAllBytes(p), dataKeys.get(0), newest, values);
                } else if (name.endsWith(".hint")) {
                    byte[] seg = Files.readAllBytes(dir.resolve(name.replace(".hint", ".seg")));
                    readHint(Files.readAllBytes(p), seg, dataKeys.get(0));
                    hints++;
                }
            }
        }
        assertThat(hints).isPositive();
        newest.forEach((k, v) -> {
            if (v[1] == 2) {
                values.remove(k);
            }
        });
        assertThat(values).isEqualTo(expected);
        try (FerrumDB db = FerrumDB.open(dir, options)) {
            for (Map.Entry<String, String> e : expected.entrySet()) {
                assertThat(db.get(b(e.getKey()))).isEqualTo(b(e.getValue()));
            }
        }
    }

    private static byte[] hmac(byte[] key, byte[]... parts) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        for (byte[] p : parts) {
            mac.update(p);
        }
        return mac.doFinal();
    }

    /** HKDF-SHA256 (RFC 5869) for outputs of at most 32 bytes: one expand block. */
    private static byte[] hkdf(byte[] ikm, byte[] salt, byte[] info, int length) throws GeneralSecurityException {
        byte[] prk = hmac(salt, ikm);
        return Arrays.copyOf(hmac(prk, info, new byte[] {1}), length);
    }

    private static byte[] concat(byte[]... parts) {
        ByteBuffer bb = ByteBuffer.allocate(Arrays.stream(parts).mapToInt(p -> p.length).sum());
        for (byte[] p : parts) {
            bb.put(p);
        }
        return bb.array();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] u64(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    private static byte[] gcmOpen(byte[] key, byte[] nonce, byte[] aad, byte[] sealed, int off, int len)
            throws GeneralSecurityException {
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
        c.updateAAD(aad);
        return c.doFinal(sealed, off, len);
    }

    /** FORMAT.md "KEY file" with KDF 1 (raw key), SECURITY.md "Algorithms and key hierarchy". */
    private static List<byte[]> unwrapKeyFile(byte[] f, byte[] rawKey) throws GeneralSecurityException {
        ByteBuffer bb = ByteBuffer.wrap(f);
        assertThat(new String(f, 0, 8, StandardCharsets.US_ASCII)).isEqualTo("FDBKEY01");
        assertThat(f[10]).isEqualTo((byte) 1);
        int n = f[11];
        assertThat(f.length).isEqualTo(72 + 68 * n + 4);
        byte[] salt = Arrays.copyOfRange(f, 24, 40);
        byte[] dbId = Arrays.copyOfRange(f, 40, 56);
        byte[] check = hkdf(rawKey, salt, concat(ascii("ferrumdb key check"), dbId), 16);
        assertThat(MessageDigest.isEqual(check, Arrays.copyOfRange(f, 56, 72))).isTrue();
        byte[] wrapKey = hkdf(rawKey, salt, concat(ascii("ferrumdb key wrap"), dbId), 32);
        List<byte[]> keys = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            int p = 72 + 68 * i;
            byte[] aad = concat(Arrays.copyOf(f, 72), Arrays.copyOfRange(f, p, p + 8));
            keys.add(gcmOpen(wrapKey, Arrays.copyOfRange(f, p + 8, p + 20), aad, f, p + 20, 48));
        }
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(f, 0, f.length - 4);
        assertThat((int) crc.getValue()).isEqualTo(bb.getInt(f.length - 4));
        return keys;
    }

    /** SECURITY.md "Record encryption": every record of a segment, newest sequence per key. */
    private static void readSegment(byte[] s, byte[] dataKey, Map<String, long[]> newest, Map<String, String> values)
            throws GeneralSecurityException {
        ByteBuffer bb = ByteBuffer.wrap(s);
        assertThat(bb.getShort(10) & 1).isEqualTo(1);
        long segmentNo = bb.getLong(16);
        byte[] dbId = Arrays.copyOfRange(s, 24, 40);
        byte[] salt = Arrays.copyOfRange(s, 40, 56);
        byte[] subkey = hkdf(dataKey, salt, concat(ascii("ferrumdb segment"), dbId, u64(segmentNo)), 32);
        int o = 64;
        while (o < s.length) {
            int k = bb.getShort(o + 6) & 0xFFFF;
            int v = bb.getInt(o + 8);
            long seq = bb.getLong(o + 12);
            byte type = s[o + 4];
            byte[] nonce = concat(new byte[4], u64(o));
            byte[] aad = concat(Arrays.copyOfRange(s, o + 4, o + 28), dbId, u64(segmentNo), u64(o));
            byte[] plain = gcmOpen(subkey, nonce, aad, s, o + 28, k + v + 16);
            String key = new String(plain, 0, k, StandardCharsets.UTF_8);
            long[] seen = newest.get(key);
            if (seen == null || seen[0] < seq) {
                newest.put(key, new long[] {seq, type});
                values.put(key, new String(plain, k, v, StandardCharsets.UTF_8));
            }
            o += 28 + k + v + 16;
        }
        assertThat(o).isEqualTo(s.length);
    }

    /** FORMAT.md "Hint files", SECURITY.md "Hint encryption". */
    private static void readHint(byte[] h, byte[] seg, byte[] dataKey) throws GeneralSecurityException {
        ByteBuffer bb = ByteBuffer.wrap(h);
        long segmentNo = bb.getLong(16);
        byte[] dbId = Arrays.copyOfRange(h, 24, 40);
        byte[] salt = Arrays.copyOfRange(seg, 40, 56);
        byte[] subkey = hkdf(dataKey, salt, concat(ascii("ferrumdb hint"), dbId, u64(segmentNo)), 32);
        byte[] entries = gcmOpen(subkey, Arrays.copyOfRange(h, 48, 60), Arrays.copyOf(h, 48), h, 60,
                h.length - 4 - 60);
        int count = bb.getInt(12);
        int p = 0;
        for (int i = 0; i < count; i++) {
            p += 32 + (ByteBuffer.wrap(entries).getShort(p + 2) & 0xFFFF);
        }
        assertThat(p).isEqualTo(entries.length);
    }
}
