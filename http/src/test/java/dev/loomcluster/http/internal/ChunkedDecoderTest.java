package dev.loomcluster.http.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ChunkedDecoderTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ChunkedDecoder.Sink sink = (src, len) -> {
        byte[] b = new byte[len];
        src.get(b);
        out.write(b, 0, len);
    };

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void decodesWholeBody() {
        ChunkedDecoder d = new ChunkedDecoder(1000, 1000, 1000);
        d.reset();
        ByteBuffer src = bytes("5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nTrailer: x\r\n\r\nNEXT");
        assertEquals(ChunkedDecoder.DONE, d.decode(src, sink));
        assertEquals("hello, world", out.toString(StandardCharsets.ISO_8859_1));
        assertEquals(12, d.total());
        assertEquals("NEXT", StandardCharsets.ISO_8859_1.decode(src).toString());
    }

    @Test
    void decodesByteByByte() {
        ChunkedDecoder d = new ChunkedDecoder(1000, 1000, 1000);
        d.reset();
        byte[] all = "A\r\n0123456789\r\n1\r\nx\r\n0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        int r = ChunkedDecoder.NEED_MORE;
        for (int i = 0; i < all.length; i++) {
            r = d.decode(ByteBuffer.wrap(all, i, 1), sink);
            if (i < all.length - 1) {
                assertEquals(ChunkedDecoder.NEED_MORE, r, "at " + i);
            }
        }
        assertEquals(ChunkedDecoder.DONE, r);
        assertEquals("0123456789x", out.toString(StandardCharsets.ISO_8859_1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"x\r\n", "-1\r\n", "0x5\r\nhello\r\n0\r\n\r\n", "\r\n", "5\nhello\r\n",
            "5\r\nhelloXX", "12345678901234567\r\n", "5\r\nhello\r\n0\r\n\rx", "1;a\u0001\r\n",
            "0\r\n bad\r\n\r\n", "5 x\r\n", "5 \r\n", "5\t\r\n", "5;\r\n", "5; \r\n", "5;;a\r\n",
            "5;=v\r\n", "5;a=\r\n", "5;a=\"x\r\n", "5;a=\"x\\\r\n", "5;a=b \r\n", "5;a \r\n", "5;a=\"x\"y\r\n",
            "5;a=b c\r\n", "5;a=\"x\u0001\"\r\n", "5;a@b\r\n"})
    void rejectsInvalidChunks(String body) {
        ChunkedDecoder d = new ChunkedDecoder(1000, 1000, 1000);
        d.reset();
        assertEquals(ChunkedDecoder.ERROR, d.decode(bytes(body), sink), body);
        assertEquals(400, d.errorStatus);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1;a\r\nx\r\n0\r\n\r\n", "1 ;a\r\nx\r\n0\r\n\r\n", "1; a = b ;c\r\nx\r\n0\r\n\r\n",
            "1;a=\"q \\\" ;\"\r\nx\r\n0\r\n\r\n", "1;a=\"\" ; b\r\nx\r\n0;z=1\r\n\r\n", "1;a=\"\u00e9\"\r\nx\r\n0\r\n\r\n"})
    void acceptsValidExtensions(String body) {
        ChunkedDecoder d = new ChunkedDecoder(1000, 1000, 1000);
        d.reset();
        assertEquals(ChunkedDecoder.DONE, d.decode(bytes(body), sink), body);
        assertEquals("x", out.toString(StandardCharsets.ISO_8859_1));
    }

    @Test
    void extensionLimitIsPerChunk() {
        ChunkedDecoder d = new ChunkedDecoder(1000, 1000, 100);
        d.reset();
        String ext = ";a=" + "e".repeat(90);
        assertEquals(ChunkedDecoder.DONE, d.decode(bytes("1" + ext + "\r\nx\r\n1" + ext + "\r\ny\r\n0" + ext
                + "\r\n\r\n"), sink));
        d.reset();
        assertEquals(ChunkedDecoder.ERROR, d.decode(bytes("1;a=" + "e".repeat(100) + "\r\nx\r\n0\r\n\r\n"), sink));
        assertEquals(413, d.errorStatus);
    }

    @Test
    void enforcesTheBodyLimit() {
        ChunkedDecoder d = new ChunkedDecoder(10, 1000, 1000);
        d.reset();
        assertEquals(ChunkedDecoder.ERROR, d.decode(bytes("8\r\n12345678\r\n8\r\n"), sink));
        assertEquals(413, d.errorStatus);
    }
}
