package dev.loomcluster.http;

import dev.loomcluster.ThreadKind;
import dev.loomcluster.testing.RawClient;
import dev.loomcluster.testing.http.RawHttp;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What RFC 9112 says a server must reject, each on a raw connection: the status, that the connection is
 * then closed (framing can no longer be trusted), that no handler ran, and that the worker keeps serving.
 */
@ParameterizedClass
@EnumSource(ThreadKind.class)
class HttpRejectTest {
    @Parameter
    ThreadKind kind;

    private TestServer server;
    private final AtomicInteger handled = new AtomicInteger();

    @BeforeEach
    void start() {
        server = TestServer.start(kind, s -> s.createContext("/", ex -> {
            handled.incrementAndGet();
            try (InputStream in = ex.getRequestBody()) {
                in.readAllBytes();
            }
            ex.sendResponseHeaders(200, 2);
            try (OutputStream out = ex.getResponseBody()) {
                out.write("ok".getBytes());
            }
        }));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static Stream<Arguments> rejected() {
        return Stream.of(
                Arguments.of("both Content-Length and Transfer-Encoding", 400,
                        "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("Transfer-Encoding then Content-Length", 400,
                        "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n"),
                Arguments.of("differing duplicate Content-Length", 400,
                        "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"),
                Arguments.of("differing Content-Length list", 400,
                        "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3, 4\r\n\r\nabcd"),
                Arguments.of("non-numeric Content-Length", 400,
                        "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3a\r\n\r\nabc"),
                Arguments.of("negative Content-Length", 400,
                        "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: -3\r\n\r\nabc"),
                Arguments.of("non-hex chunk size", 400,
                        "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"),
                Arguments.of("0x chunk size", 400,
                        "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n0x3\r\nabc\r\n0\r\n\r\n"),
                Arguments.of("negative chunk size", 400,
                        "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n-3\r\nabc\r\n0\r\n\r\n"),
                Arguments.of("overflowing chunk size", 400,
                        "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nabc\r\n"),
                Arguments.of("chunk data longer than its size", 400,
                        "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n"),
                Arguments.of("obs-fold", 400,
                        "GET / HTTP/1.1\r\nHost: t\r\nX-A: one\r\n two\r\n\r\n"),
                Arguments.of("obs-fold with a tab", 400,
                        "GET / HTTP/1.1\r\nHost: t\r\nX-A: one\r\n\ttwo\r\n\r\n"),
                Arguments.of("whitespace before the colon", 400,
                        "GET / HTTP/1.1\r\nHost : t\r\n\r\n"),
                Arguments.of("tab before the colon", 400,
                        "GET / HTTP/1.1\r\nHost: t\r\nX-A\t: v\r\n\r\n"),
                Arguments.of("bare CR in a value", 400,
                        "GET / HTTP/1.1\r\nHost: t\r\nX-A: a\rb\r\n\r\n"),
                Arguments.of("bare CR ending the request line", 400,
                        "GET / HTTP/1.1\rHost: t\r\n\r\n"),
                Arguments.of("bare LF", 400,
                        "GET / HTTP/1.1\nHost: t\n\n"),
                Arguments.of("control character in a name", 400,
                        "GET / HTTP/1.1\r\nHost: t\r\nX\u0001A: v\r\n\r\n"),
                Arguments.of("control character in a value", 400,
                        "GET / HTTP/1.1\r\nHost: t\r\nX-A: a\u0000b\r\n\r\n"),
                Arguments.of("DEL in a value", 400,
                        "GET / HTTP/1.1\r\nHost: t\r\nX-A: a\u007fb\r\n\r\n"),
                Arguments.of("missing Host on 1.1", 400,
                        "GET / HTTP/1.1\r\nX-A: v\r\n\r\n"),
                Arguments.of("two Host fields", 400,
                        "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
                Arguments.of("Transfer-Encoding in HTTP/1.0", 400,
                        "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("Transfer-Encoding not ending in chunked", 400,
                        "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n"),
                Arguments.of("chunked, deflate", 400,
                        "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked, deflate\r\n\r\n0\r\n\r\n"),
                Arguments.of("chunked and deflate in two fields", 400,
                        "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: deflate\r\n\r\n"
                                + "0\r\n\r\n"),
                Arguments.of("equal duplicate Content-Length", 400,
                        "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello"),
                Arguments.of("Content-Length list 5, 5", 400,
                        "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5, 5\r\n\r\nhello"),
                Arguments.of("Content-Length list 1,1", 400,
                        "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1,1\r\n\r\nh"),
                Arguments.of("Host with a port and no host", 400,
                        "GET / HTTP/1.1\r\nHost: :80\r\n\r\n"),
                Arguments.of("Host with a non-digit port", 400,
                        "GET / HTTP/1.1\r\nHost: h:8a\r\n\r\n"),
                Arguments.of("Host with a port over 65535", 400,
                        "GET / HTTP/1.1\r\nHost: h:65536\r\n\r\n"),
                Arguments.of("Host with an unbalanced IPv6 literal", 400,
                        "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n"),
                Arguments.of("Host with a malformed IPv6 literal", 400,
                        "GET / HTTP/1.1\r\nHost: [1:2:3]\r\n\r\n"),
                Arguments.of("Host with bytes after an IPv6 literal", 400,
                        "GET / HTTP/1.1\r\nHost: [::1]x\r\n\r\n"),
                Arguments.of("request line without a version", 400,
                        "GET /999\r\n"),
                Arguments.of("whitespace after the chunk size", 400,
                        "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n"),
                Arguments.of("chunk extension without a name", 400,
                        "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5;\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("unterminated quoted-string in a chunk extension", 400,
                        "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5;a=\"x\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("chunk extension over the per-chunk limit", 413,
                        "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5;a=" + "x".repeat(17_000)
                                + "\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("target in no request-target form", 400,
                        "GET - HTTP/1.1\r\nHost: t\r\n\r\n"),
                Arguments.of("relative target that is not origin-form", 400,
                        "GET a/b HTTP/1.1\r\nHost: t\r\n\r\n"),
                Arguments.of("CONNECT with a target that is not an authority", 400,
                        "CONNECT /x:1 HTTP/1.1\r\nHost: t\r\n\r\n"),
                Arguments.of("asterisk-form target with GET", 400,
                        "GET * HTTP/1.1\r\nHost: t\r\n\r\n"),
                Arguments.of("unknown coding before chunked", 501,
                        "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: x-custom, chunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("chunked twice", 400,
                        "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("HTTP/2.0 request line", 505,
                        "GET / HTTP/2.0\r\nHost: t\r\n\r\n"),
                Arguments.of("HTTP/3.1 request line", 505,
                        "GET / HTTP/3.1\r\nHost: t\r\n\r\n"),
                Arguments.of("malformed version", 400,
                        "GET / HTTX/1.1\r\nHost: t\r\n\r\n"),
                Arguments.of("HTTP/0.9 style request line", 400,
                        "GET /\r\n\r\n"),
                Arguments.of("two spaces in the request line", 400,
                        "GET  / HTTP/1.1\r\nHost: t\r\n\r\n"),
                Arguments.of("invalid method character", 400,
                        "G@T / HTTP/1.1\r\nHost: t\r\n\r\n"),
                Arguments.of("space in the target", 400,
                        "GET /a b HTTP/1.1\r\nHost: t\r\n\r\n"),
                Arguments.of("bad percent-encoding", 400,
                        "GET /a%G1 HTTP/1.1\r\nHost: t\r\n\r\n"),
                Arguments.of("field line without a colon", 400,
                        "GET / HTTP/1.1\r\nHost: t\r\nnocolon\r\n\r\n"),
                Arguments.of("empty field name", 400,
                        "GET / HTTP/1.1\r\nHost: t\r\n: v\r\n\r\n"),
                Arguments.of("unsupported expectation", 417,
                        "POST / HTTP/1.1\r\nHost: t\r\nExpect: 200-ok\r\nContent-Length: 1\r\n\r\na"),
                Arguments.of("binary garbage", 400,
                        "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\r\n\r\n"));
    }

    /**
     * The rejected request is followed, in the same write, by a valid one: after the reject the server
     * must close without answering it (it must not read the rest of a bad message as a new request).
     */
    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("rejected")
    void rejectsAndCloses(String what, int status, String request) {
        try (RawClient c = server.connect()) {
            c.write((request + RawHttp.get("/")).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            RawHttp.Response r = RawHttp.read(c);
            assertEquals(status, r.status(), what);
            assertTrue(r.connectionClose(), "Connection: close expected");
            assertTrue(c.isPeerClosed(Duration.ofSeconds(2)), "the connection must close, the next request unanswered");
        }
        assertEquals(0, handled.get(), "no handler may run");
        // The worker keeps serving.
        try (RawClient c = server.connect()) {
            c.write(RawHttp.get("/"));
            assertEquals("ok", RawHttp.read(c).text());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejected")
    void rejectsAfterAValidRequestOnTheSameConnection(String what, int status, String request) {
        try (RawClient c = server.connect()) {
            c.write(RawHttp.get("/") + request + RawHttp.get("/"));
            assertEquals("ok", RawHttp.read(c).text());
            RawHttp.Response r = RawHttp.read(c);
            assertEquals(status, r.status(), what);
            assertTrue(c.isPeerClosed(Duration.ofSeconds(2)));
        }
    }
}
