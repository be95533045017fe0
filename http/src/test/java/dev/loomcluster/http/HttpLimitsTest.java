package dev.loomcluster.http;

import dev.loomcluster.ThreadKind;
import dev.loomcluster.testing.RawClient;
import dev.loomcluster.testing.http.RawHttp;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The configurable limits: 414, 431, 413, 408 against slowloris, idle keep-alive timeout, connections per worker. */
@ParameterizedClass
@EnumSource(ThreadKind.class)
class HttpLimitsTest {
    @Parameter
    ThreadKind kind;

    static final HttpOptions LIMITS = HttpOptions.defaults()
            .withMaxRequestLineBytes(200)
            .withMaxHeaderBytes(1000)
            .withMaxHeaderCount(10)
            .withMaxBodyBytes(1000)
            .withHeaderReadTimeout(Duration.ofMillis(600))
            .withIdleTimeout(Duration.ofMillis(600))
            .withMaxConnectionsPerWorker(4);

    private TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.start(kind, LIMITS, s -> s.createContext("/", ex -> {
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            String text = "got " + body.length;
            ex.sendResponseHeaders(200, text.length());
            try (OutputStream out = ex.getResponseBody()) {
                out.write(text.getBytes(StandardCharsets.US_ASCII));
            }
        }));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private void expectRejected(String request, int status) {
        try (RawClient c = server.connect()) {
            c.write(request);
            RawHttp.Response r = RawHttp.read(c);
            assertEquals(status, r.status());
            assertTrue(r.connectionClose());
            assertTrue(c.isPeerClosed(Duration.ofSeconds(2)));
        }
    }

    @Test
    void requestLineTooLongIs414() {
        expectRejected("GET /" + "a".repeat(300) + " HTTP/1.1\r\nHost: t\r\n\r\n", 414);
        // Also when the line never ends: the limit is enforced as bytes come.
        expectRejected("GET /" + "a".repeat(300), 414);
    }

    @Test
    void headerSectionTooLargeIs431() {
        expectRejected("GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + "b".repeat(1100) + "\r\n\r\n", 431);
    }

    @Test
    void tooManyFieldsIs431() {
        StringBuilder r = new StringBuilder("GET / HTTP/1.1\r\nHost: t\r\n");
        for (int i = 0; i < 11; i++) {
            r.append("X-").append(i).append(": v\r\n");
        }
        expectRejected(r.append("\r\n").toString(), 431);
    }

    @Test
    void bodyTooLargeIs413() {
        expectRejected("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1001\r\n\r\n", 413);
        expectRejected("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n200\r\n" + "x".repeat(512)
                + "\r\n200\r\n" + "x".repeat(512) + "\r\n0\r\n\r\n", 413);
    }

    @Test
    void withinTheLimitsIsServed() {
        try (RawClient c = server.connect()) {
            c.write("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n" + "y".repeat(1000));
            assertEquals("got 1000", RawHttp.read(c).text());
        }
    }

    @Test
    void slowHeadersAreCutWith408() throws Exception {
        try (RawClient c = server.connect(Duration.ofSeconds(5))) {
            long t0 = System.nanoTime();
            c.write("GET / HTTP/1.1\r\n");
            for (int i = 0; i < 4; i++) {
                Thread.sleep(100);
                c.write("X"); // dribbling, never ending the head: progress does not reset the deadline
            }
            RawHttp.Response r = RawHttp.read(c);
            long ms = Duration.ofNanos(System.nanoTime() - t0).toMillis();
            assertEquals(408, r.status());
            assertTrue(ms >= 500 && ms < 3000, "timed out after " + ms + " ms");
            assertTrue(c.isPeerClosed(Duration.ofSeconds(2)));
        }
    }

    @Test
    void aStalledBodyIsCutWith408() {
        try (RawClient c = server.connect()) {
            long t0 = System.nanoTime();
            c.write("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nab");
            RawHttp.Response r = RawHttp.read(c);
            long ms = Duration.ofNanos(System.nanoTime() - t0).toMillis();
            assertEquals(408, r.status());
            assertTrue(ms >= 500 && ms < 3000, "timed out after " + ms + " ms");
            assertTrue(c.isPeerClosed(Duration.ofSeconds(2)));
        }
    }

    @Test
    void idleKeepAliveConnectionsAreClosed() {
        try (RawClient c = server.connect()) {
            c.write(RawHttp.get("/"));
            assertEquals(200, RawHttp.read(c).status());
            assertFalse(c.isPeerClosed(Duration.ofMillis(300)));
            assertTrue(c.isPeerClosed(Duration.ofSeconds(2)));
            assertEquals(0, c.readToEof().length, "closed without a response");
        }
        try (RawClient silent = server.connect()) {
            assertTrue(silent.isPeerClosed(Duration.ofSeconds(2)), "a connection that never sends is closed too");
        }
    }

    @Test
    void connectionsPerWorkerAreCapped() {
        List<RawClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                RawClient c = server.connect();
                c.write(RawHttp.get("/"));
                assertEquals(200, RawHttp.read(c).status());
                open.add(c);
            }
            try (RawClient extra = server.connect()) {
                RawHttp.Response r = RawHttp.read(extra);
                assertEquals(503, r.status());
                assertTrue(extra.isPeerClosed(Duration.ofSeconds(2)));
            }
        } finally {
            open.forEach(RawClient::close);
        }
        // Once they are gone, new connections are served again.
        dev.loomcluster.testing.Await.until("a connection slot frees up", () -> {
            try (RawClient c = server.connect()) {
                c.write(RawHttp.get("/"));
                return RawHttp.read(c).status() == 200;
            }
        });
    }

    @Test
    void optionsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> HttpOptions.defaults().withMaxHeaderBytes(0));
        assertThrows(IllegalArgumentException.class, () -> HttpOptions.defaults().withMaxBodyBytes(-1));
        assertThrows(IllegalArgumentException.class, () -> HttpOptions.defaults().withIdleTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> HttpOptions.defaults().withMaxRequestLineBytes(20_000));
        assertEquals(8192, HttpOptions.defaults().maxRequestLineBytes());
    }
}
