package dev.loomcluster.http;

import dev.loomcluster.ThreadKind;
import dev.loomcluster.testing.RawClient;
import dev.loomcluster.testing.http.RawHttp;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The valid side of the framing rules, on real sockets: Host authorities that must keep working, chunk
 * extensions within the per-chunk limit, and {@code OPTIONS *} answered by the server. Each is followed
 * by a second request on the same connection, which must be answered too.
 */
@ParameterizedClass
@EnumSource(ThreadKind.class)
class HttpFramingAcceptTest {
    @Parameter
    ThreadKind kind;

    private TestServer server;
    private final AtomicInteger handled = new AtomicInteger();

    @BeforeEach
    void start() {
        server = TestServer.start(kind, s -> s.createContext("/", ex -> {
            handled.incrementAndGet();
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            byte[] answer = (ex.getRequestMethod() + " " + body.length).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, answer.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(answer);
            }
        }));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static void assertAnsweredThenNext(RawClient c, String expected) {
        RawHttp.Response r = RawHttp.read(c);
        assertEquals(200, r.status());
        assertEquals(expected, r.text());
        c.write(RawHttp.get("/"));
        assertEquals("GET 0", RawHttp.read(c).text());
    }

    @ParameterizedTest
    @ValueSource(strings = {"myhost:8888", "[::1]:8888", "[::1]", "127.0.0.1", "127.0.0.1:80", "[2001:db8::7]",
            "[2001:db8:0:0:1:0:0:1]", "[::ffff:192.0.2.128]", "[fe80::1:2:3:4]:443", "example.com:", "xn--bcher-kva.example",
            "a%20b", "[v1.fe80::a+en1]"})
    void validHostsAreServed(String host) {
        try (RawClient c = server.connect()) {
            c.write("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
            assertAnsweredThenNext(c, "GET 0");
        }
    }

    @Test
    void emptyHostIsServed() {
        try (RawClient c = server.connect()) {
            c.write("GET / HTTP/1.1\r\nHost:\r\n\r\n");
            assertAnsweredThenNext(c, "GET 0");
        }
    }

    @Test
    void chunkExtensionLimitIsPerChunk() {
        String ext = ";name=" + "x".repeat(10_000);
        String body = "5" + ext + "\r\nhello\r\n5" + ext + "\r\nhello\r\n5" + ext + "\r\nhello\r\n0\r\n\r\n";
        try (RawClient c = server.connect()) {
            c.write("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" + body);
            assertAnsweredThenNext(c, "POST 15");
        }
    }

    @Test
    void chunkExtensionsOfEveryValidShape() {
        String body = "2;a\r\nab\r\n2 ; a = b ; c=\"q \\\" ; d\"\r\ncd\r\n1;a=\"\"\r\ne\r\n0;last\r\n\r\n";
        try (RawClient c = server.connect()) {
            c.write("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" + body);
            assertAnsweredThenNext(c, "POST 5");
        }
    }

    @Test
    void optionsAsteriskIsAnsweredByTheServer() {
        try (RawClient c = server.connect()) {
            c.write("OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n");
            RawHttp.Response r = RawHttp.read(c);
            assertEquals(200, r.status());
            assertTrue(r.header("allow").contains("GET"), r.header("allow"));
            assertEquals("0", r.header("content-length"));
            assertFalse(r.connectionClose());
            c.write(RawHttp.get("/"));
            assertEquals("GET 0", RawHttp.read(c).text());
            assertFalse(c.isPeerClosed(Duration.ofMillis(50)));
        }
        assertEquals(1, handled.get(), "OPTIONS * reaches no handler");
    }
}
