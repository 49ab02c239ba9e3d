package io.ferrumdb.bench.crypto;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The floor under encrypted records: one JCE AES-256-GCM seal or open of a 16-byte key plus the value, with a
 * new nonce and 56 bytes of associated data, on a reused Cipher, as FerrumDB does per record.
 */
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RawGcmBenchmark {
    @Param({"100", "4096"})
    public int valueSize;

    private Cipher cipher;
    private SecretKeySpec key;
    private byte[] plain;
    private byte[] sealed;
    private byte[] out;
    private byte[] aad;
    private long counter;
    private byte[] sealedNonce;

    @Setup
    public void setUp() throws GeneralSecurityException {
        byte[] k = new byte[32];
        new SplittableRandom(5).nextBytes(k);
        key = new SecretKeySpec(k, "AES");
        cipher = Cipher.getInstance("AES/GCM/NoPadding");
        plain = new byte[16 + valueSize];
        aad = new byte[56];
        out = new byte[plain.length + 16];
        sealedNonce = nonce(Long.MAX_VALUE);
        cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, sealedNonce));
        cipher.updateAAD(aad);
        sealed = cipher.doFinal(plain);
    }

    private static byte[] nonce(long n) {
        return ByteBuffer.allocate(12).putInt(0).putLong(n).array();
    }

    @Benchmark
    public int seal() throws GeneralSecurityException {
        cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce(counter++)));
        cipher.updateAAD(aad);
        return cipher.doFinal(plain, 0, plain.length, out, 0);
    }

    @Benchmark
    public int open() throws GeneralSecurityException {
        cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, sealedNonce));
        cipher.updateAAD(aad);
        return cipher.doFinal(sealed, 0, sealed.length, out, 0);
    }
}
