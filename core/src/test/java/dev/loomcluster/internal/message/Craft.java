package dev.loomcluster.internal.message;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Builds payloads and frames byte by byte for the codec's tests, hostile ones included. */
final class Craft {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Craft u8(int v) {
        out.write(v);
        return this;
    }

    Craft u16(int v) {
        return u8(v >>> 8).u8(v);
    }

    Craft i32(int v) {
        return u16(v >>> 16).u16(v);
    }

    /** A Latin-1 string value: tag, length, bytes. */
    Craft string(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
        u8(WireCodec.STRING_LATIN1).i32(bytes.length);
        out.writeBytes(bytes);
        return this;
    }

    /** A reference defining the next class of the frame's table. */
    Craft newClass(int index, String name) {
        return u16(index).string(name);
    }

    Craft raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    ByteBuffer buffer() {
        return ByteBuffer.wrap(bytes());
    }

    static byte[] frame(int kind, byte[] payload) {
        return new Craft().i32(payload.length + 1).u8(kind).raw(payload).bytes();
    }
}
