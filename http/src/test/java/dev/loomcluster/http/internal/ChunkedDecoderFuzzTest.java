package dev.loomcluster.http.internal;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A coverage-guided fuzz target for the chunked decoder alone. For any bytes: no exception; an error is a
 * 400, 413 or 431; and the decoder is incremental, so feeding the bytes at once or in reads of any size
 * (the first input byte chooses it) gives the same verdict, the same body and stops at the same byte.
 * Seeds: {@code ChunkedDecoderFuzzTestInputs}; {@code http/fuzz.sh} fuzzes it for a while.
 */
class ChunkedDecoderFuzzTest {
    private static final Set<Integer> STATUSES = Set.of(400, 413, 431);

    private record Outcome(int result, int status, byte[] body, int consumed) {
    }

    @FuzzTest(maxDuration = "10s")
    void splitOrWholeAgree(byte[] input) {
        if (input.length == 0) {
            return;
        }
        int step = 1 + (input[0] & 0x1F);
        byte[] bytes = Arrays.copyOfRange(input, 1, input.length);
        Outcome whole = decode(bytes, bytes.length);
        Outcome split = decode(bytes, step);
        assertEquals(whole.result, split.result, "verdict");
        assertEquals(whole.status, split.status, "status");
        if (whole.result != ChunkedDecoder.ERROR) {
            assertArrayEquals(whole.body, split.body, "body");
        }
        if (whole.result == ChunkedDecoder.DONE) {
            assertEquals(whole.consumed, split.consumed, "where the body ends");
        }
        if (whole.result == ChunkedDecoder.ERROR) {
            assertTrue(STATUSES.contains(whole.status), "status " + whole.status);
        }
    }

    private static Outcome decode(byte[] bytes, int step) {
        ChunkedDecoder d = new ChunkedDecoder(4096, 256, 64);
        d.reset();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        ChunkedDecoder.Sink sink = (src, n) -> {
            byte[] b = new byte[n];
            src.get(b);
            body.write(b, 0, n);
        };
        int r = ChunkedDecoder.NEED_MORE;
        int consumed = 0;
        for (int i = 0; i < bytes.length && r == ChunkedDecoder.NEED_MORE; i += step) {
            ByteBuffer b = ByteBuffer.wrap(bytes, i, Math.min(step, bytes.length - i));
            r = d.decode(b, sink);
            consumed = b.position();
        }
        if (r == ChunkedDecoder.DONE) {
            assertEquals(d.total(), body.size(), "total");
        }
        return new Outcome(r, r == ChunkedDecoder.ERROR ? d.errorStatus : 0, body.toByteArray(), consumed);
    }
}
