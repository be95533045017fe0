package dev.loomcluster.http.internal;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.loomcluster.http.HttpOptions;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Coverage-guided fuzz targets for the request parser and the connection's state machine, through the
 * server's real connection handler on a socket-less {@link LoopHarness}. Whatever the bytes, and however
 * they are split into reads: no exception escapes to the loop (the connection would be aborted, which is
 * what is checked), the output is a well-formed run of HTTP/1.1 responses, and once the peer ends its
 * input the connection is closed (nothing is left stuck).
 *
 * <p>In a normal build the targets replay the committed seeds of {@code HttpConnectionFuzzTestInputs}
 * (regression mode, fast); {@code http/fuzz.sh} fuzzes them for a while. The first input byte chooses the
 * size of the reads the rest is delivered in.
 */
class HttpConnectionFuzzTest {
    private static final HttpOptions OPTIONS = HttpOptions.defaults().withMaxRequestLineBytes(512)
            .withMaxHeaderBytes(2048).withMaxHeaderCount(16).withMaxBodyBytes(4096)
            .withMaxChunkExtensionBytes(64).withHeaderReadTimeout(Duration.ofMinutes(1));
    private static final byte[] CHUNKED_POST =
            "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

    /** One harness per thread: the thread that makes it is its loop. */
    private static final ThreadLocal<LoopHarness> HARNESS = ThreadLocal.withInitial(() -> new LoopHarness(OPTIONS));

    @FuzzTest(maxDuration = "10s")
    void anyBytes(byte[] input) {
        drive(new byte[0], input);
    }

    @FuzzTest(maxDuration = "10s")
    void anyChunkedBody(byte[] input) {
        drive(CHUNKED_POST, input);
    }

    private static void drive(byte[] prefix, byte[] input) {
        if (input.length == 0) {
            return;
        }
        int step = 1 + (input[0] & 0x3F);
        byte[] bytes = new byte[prefix.length + input.length - 1];
        System.arraycopy(prefix, 0, bytes, 0, prefix.length);
        System.arraycopy(input, 1, bytes, prefix.length, input.length - 1);

        LoopHarness.FakeConnection c = HARNESS.get().open();
        for (int i = 0; i < bytes.length; i += step) {
            c.receive(bytes, i, Math.min(step, bytes.length - i));
        }
        c.inputClosed();
        assertFalse(c.aborted, "the connection was aborted: an exception reached the loop");
        assertTrue(c.closed, "the connection is still open after the peer's input ended");
        checkResponses(c.output());
    }

    /** Asserts that {@code out} is a sequence of complete responses, error responses last and closing. */
    static void checkResponses(String out) {
        int p = 0;
        while (p < out.length()) {
            if (!out.startsWith("HTTP/1.1 ", p) || p + 12 > out.length()) {
                fail("not a status line at " + p + ": " + out.substring(p, Math.min(out.length(), p + 40)));
            }
            int status = Integer.parseInt(out.substring(p + 9, p + 12));
            int end = out.indexOf("\r\n\r\n", p);
            assertTrue(end > 0, "incomplete response head");
            String head = out.substring(p, end);
            p = end + 4;
            if (status == 100) {
                continue;
            }
            assertFalse(head.contains("\r\nTransfer-Encoding"), "the harness's handler sends fixed lengths");
            int cl = head.indexOf("\r\nContent-Length: ");
            int clEnd = cl < 0 ? -1 : head.indexOf("\r\n", cl + 2);
            // No Content-Length: an answer to HEAD, which has no body.
            int length = cl < 0 ? 0 : Integer.parseInt(head.substring(cl + 18, clEnd < 0 ? head.length() : clEnd));
            p += length;
            assertTrue(p <= out.length(), "truncated body");
            if (status >= 400 && status != 404) { // 404: a valid request no context matched
                assertTrue(head.contains("\r\nConnection: close"), "an error response must close: " + head);
                assertEquals(out.length(), p, "nothing may follow an error response");
            }
        }
    }
}
