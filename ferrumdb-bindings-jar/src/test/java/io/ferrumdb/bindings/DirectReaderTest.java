package io.ferrumdb.bindings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrumdb.FerrumDB;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectReaderTest {
    @TempDir
    Path dir;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsTheKeyFromTheKeyBufferAndWritesTheValueAtTheStartOfTheValueBuffer() {
        try (FerrumDB db = FerrumDB.open(dir)) {
            db.put(bytes("alpha"), bytes("one"));
            db.put(bytes("beta"), new byte[0]);
            ByteBuffer key = ByteBuffer.allocateDirect(16);
            ByteBuffer value = ByteBuffer.allocateDirect(8);
            DirectReader reader = new DirectReader(db, key, value);
            key.put(0, bytes("alphaXYZ"));  // bytes after the given length are not part of the key
            assertThat(reader.get(5)).isEqualTo(3);
            byte[] got = new byte[3];
            value.get(0, got);
            assertThat(got).isEqualTo(bytes("one"));
            assertThat(reader.get(8)).isEqualTo(-1);
            assertThat(reader.contains(5)).isTrue();
            assertThat(reader.contains(4)).isFalse();
            key.put(0, bytes("beta"));
            assertThat(reader.get(4)).isZero();
            assertThat(reader.contains(4)).isTrue();
        }
    }

    @Test
    void readTakesTheKeyLengthFromTheLengthsBufferAndLeavesTheResultThere() {
        try (FerrumDB db = FerrumDB.open(dir)) {
            db.put(bytes("alpha"), bytes("one"));
            db.put(bytes("big"), bytes("0123456789"));
            ByteBuffer key = ByteBuffer.allocateDirect(16);
            ByteBuffer value = ByteBuffer.allocateDirect(8);
            ByteBuffer lengthBytes = ByteBuffer.allocateDirect(8);
            DirectReader reader = new DirectReader(db, key, value, lengthBytes);
            // As Python reads it, a memoryview cast to 'i': ints in the platform's byte order.
            IntBuffer view = lengthBytes.order(ByteOrder.nativeOrder()).asIntBuffer();
            key.put(0, bytes("alphaXYZ"));
            view.put(0, 5);
            reader.read();
            assertThat(view.get(1)).isEqualTo(3);
            byte[] got = new byte[3];
            value.get(0, got);
            assertThat(got).isEqualTo(bytes("one"));
            assertThat(reader.containsKey()).isTrue();
            view.put(0, 8);
            reader.read();
            assertThat(view.get(1)).isEqualTo(-1);
            assertThat(reader.containsKey()).isFalse();
            key.put(0, bytes("big"));
            view.put(0, 3);
            reader.read();
            assertThat(view.get(1)).isEqualTo(10);  // too large for the value buffer: its length, nothing written
            view.put(0, 17);
            assertThatThrownBy(reader::read).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("key length 17");
        }
    }

    @Test
    void aReaderWithoutALengthsBufferRefusesReadAndABadLengthsBufferIsRefusedByName() {
        try (FerrumDB db = FerrumDB.open(dir)) {
            DirectReader reader = new DirectReader(db, ByteBuffer.allocateDirect(4), ByteBuffer.allocateDirect(4));
            assertThatThrownBy(reader::read).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("lengths buffer");
            assertThatThrownBy(() -> new DirectReader(db, ByteBuffer.allocateDirect(4), ByteBuffer.allocateDirect(4),
                    ByteBuffer.allocateDirect(4))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("lengths buffer").hasMessageContaining("4 bytes");
            assertThatThrownBy(() -> new DirectReader(db, ByteBuffer.allocateDirect(4), ByteBuffer.allocateDirect(4),
                    ByteBuffer.allocateDirect(8).asReadOnlyBuffer())).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("read-only");
        }
    }

    @Test
    void aValueLargerThanTheBufferReportsItsLengthAndWritesNothing() {
        try (FerrumDB db = FerrumDB.open(dir)) {
            db.put(bytes("k"), bytes("0123456789"));
            ByteBuffer key = ByteBuffer.allocateDirect(4).put(0, bytes("k"));
            ByteBuffer value = ByteBuffer.allocateDirect(4);
            DirectReader reader = new DirectReader(db, key, value);
            assertThat(reader.valueCapacity()).isEqualTo(4);
            assertThat(reader.get(1)).isEqualTo(10);
            assertThat(value.get(0)).isZero();
            // The same call again: the buffer's position from an earlier call does not carry over.
            assertThat(reader.get(1)).isEqualTo(10);
        }
    }

    @Test
    void aKeyLengthOutsideTheBufferIsRefusedByName() {
        try (FerrumDB db = FerrumDB.open(dir)) {
            DirectReader reader = new DirectReader(db, ByteBuffer.allocateDirect(4), ByteBuffer.allocateDirect(4));
            assertThatThrownBy(() -> reader.get(5)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("key length 5").hasMessageContaining("4 bytes");
            assertThatThrownBy(() -> reader.contains(-1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("key length -1");
            assertThatThrownBy(() -> new DirectReader(db, ByteBuffer.allocate(4),
                    ByteBuffer.allocate(4).asReadOnlyBuffer())).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("value buffer");
        }
    }
}
