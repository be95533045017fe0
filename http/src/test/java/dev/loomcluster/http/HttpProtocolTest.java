package dev.loomcluster.http;

import dev.loomcluster.ThreadKind;
import dev.loomcluster.testing.RawClient;
import dev.loomcluster.testing.http.RawHttp;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The protocol on real sockets: keep-alive, pipelining, chunked both ways, 100-continue, HEAD, big bodies. */
@ParameterizedClass
@EnumSource(ThreadKind.class)
class HttpProtocolTest {
    @Parameter
    ThreadKind kind;

    private TestServer server;
    private HttpClient client;
    private final Set<Integer> remotePorts = ConcurrentHashMap.newKeySet();

    @BeforeEach
    void start() {
        server = TestServer.start(kind, this::routes);
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    private void routes(HttpServer s) {
        s.createContext("/hello", ex -> {
            remotePorts.add(ex.getRemoteAddress().getPort());
            respond(ex, 200, "hello " + ex.getRequestURI());
        });
        s.createContext("/echo", ex -> {
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            ex.getResponseHeaders().set("X-Method", ex.getRequestMethod());
            ex.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        s.createContext("/bad-header-name", ex -> {
            ex.getResponseHeaders().set("X-Fine", "yes");
            ex.getResponseHeaders().set("Bad Name", "x"); // a space is not a token character
            respond(ex, 200, "never sent");
        });
        s.createContext("/chunked", ex -> {
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = ex.getResponseBody()) {
                for (int i = 0; i < 5; i++) {
                    out.write(("part" + i + ";").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            }
        });
        s.createContext("/big", ex -> {
            int n = Integer.parseInt(ex.getRequestURI().getQuery());
            byte[] data = pattern(n);
            ex.sendResponseHeaders(200, ex.getRequestURI().getPath().endsWith("/chunked") ? 0 : n);
            try (OutputStream out = ex.getResponseBody()) {
                for (int off = 0; off < n; off += 10_000) {
                    out.write(data, off, Math.min(10_000, n - off));
                }
            }
        });
        s.createContext("/length", ex -> {
            long len = Long.parseLong(ex.getRequestURI().getQuery());
            ex.sendResponseHeaders(ex.getRequestMethod().equals("DELETE") ? 204 : 200, len);
            try (OutputStream out = ex.getResponseBody()) {
                if (len > 0) {
                    out.write(pattern((int) len)); // for HEAD too: dropped, the handler does not fail
                } else if (len == 0 && !ex.getRequestMethod().equals("HEAD")) {
                    out.write("streamed".getBytes(StandardCharsets.UTF_8));
                }
            }
        });
    }

    static void respond(HttpExchange ex, int status, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    static byte[] pattern(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    @Test
    void getWithTheJdkClient() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(server.uri("/hello?x=1")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals("hello /hello?x=1", r.body());
        assertEquals("text/plain", r.headers().firstValue("content-type").orElseThrow());
        String date = r.headers().firstValue("date").orElseThrow();
        assertTrue(date.matches("[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT"), date);
    }

    @Test
    void aResponseHeadThatCannotBeEncodedBecomesAClean500() {
        try (RawClient c = server.connect()) {
            c.write(RawHttp.get("/bad-header-name"));
            RawHttp.Response r = RawHttp.read(c);
            assertEquals(500, r.status());
            assertNull(r.header("X-Fine"), "nothing of the refused head goes out");
            assertTrue(r.connectionClose());
            assertTrue(c.isPeerClosed(Duration.ofSeconds(5)));
        }
    }

    @Test
    void keepAliveReusesOneConnectionForManyRequests() {
        try (RawClient c = server.connect()) {
            for (int i = 0; i < 200; i++) {
                c.write(RawHttp.get("/hello/" + i));
                RawHttp.Response r = RawHttp.read(c);
                assertEquals(200, r.status());
                assertEquals("hello /hello/" + i, r.text());
                assertFalse(r.connectionClose());
            }
            assertFalse(c.isPeerClosed(Duration.ofMillis(50)));
        }
        assertEquals(1, remotePorts.size());
    }

    @Test
    void theJdkClientReusesConnections() throws Exception {
        for (int i = 0; i < 100; i++) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(server.uri("/hello")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
        }
        assertTrue(remotePorts.size() <= 2, "connections used: " + remotePorts.size());
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() {
        try (RawClient c = server.connect()) {
            StringBuilder batch = new StringBuilder();
            for (int i = 0; i < 50; i++) {
                if (i % 5 == 0) {
                    batch.append("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\necho").append(i % 10);
                } else {
                    batch.append(RawHttp.get("/hello/" + i));
                }
            }
            c.write(batch.toString());
            for (int i = 0; i < 50; i++) {
                RawHttp.Response r = RawHttp.read(c);
                assertEquals(200, r.status());
                assertEquals(i % 5 == 0 ? "echo" + (i % 10) : "hello /hello/" + i, r.text());
            }
        }
    }

    @Test
    void pipelinedRequestsSplitAtEveryByteStillParse() {
        try (RawClient c = server.connect()) {
            byte[] two = (RawHttp.get("/hello/a") + "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "3\r\nabc\r\n0\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            for (byte b : two) {
                c.write(new byte[] {b});
            }
            assertEquals("hello /hello/a", RawHttp.read(c).text());
            assertEquals("abc", RawHttp.read(c).text());
        }
    }

    @Test
    void chunkedRequestBody() {
        try (RawClient c = server.connect()) {
            c.write("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n1;ext=\"v\"\r\n \r\n6\r\nworld!\r\n0\r\nX-Trailer: t\r\n\r\n");
            RawHttp.Response r = RawHttp.read(c);
            assertEquals(200, r.status());
            assertEquals("hello world!", r.text());
            assertEquals("POST", r.header("x-method"));
            c.write(RawHttp.get("/hello"));
            assertEquals(200, RawHttp.read(c).status());
        }
    }

    @Test
    void chunkedRequestBodyFromTheJdkClient() throws Exception {
        byte[] data = pattern(300_000);
        HttpRequest req = HttpRequest.newBuilder(server.uri("/echo"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(data))).build();
        HttpResponse<byte[]> r = client.send(req, HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        assertArrayEquals(data, r.body());
    }

    @Test
    void chunkedResponseBody() throws Exception {
        try (RawClient c = server.connect()) {
            c.write(RawHttp.get("/chunked"));
            RawHttp.Response r = RawHttp.read(c);
            assertTrue(r.chunked());
            assertEquals("part0;part1;part2;part3;part4;", r.text());
            assertNull(r.header("content-length"));
        }
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(server.uri("/chunked")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("part0;part1;part2;part3;part4;", r.body());
    }

    @Test
    void expect100Continue() throws Exception {
        try (RawClient c = server.connect()) {
            c.write("PUT /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
            RawHttp.Response interim = RawHttp.read(c);
            assertEquals(100, interim.status());
            c.write("data");
            RawHttp.Response r = RawHttp.read(c);
            assertEquals(200, r.status());
            assertEquals("data", r.text());
        }
        HttpRequest req = HttpRequest.newBuilder(server.uri("/echo")).expectContinue(true)
                .POST(HttpRequest.BodyPublishers.ofString("continued")).build();
        assertEquals("continued", client.send(req, HttpResponse.BodyHandlers.ofString()).body());
    }

    @Test
    void headHasNoBodyAndKeepsTheConnection() {
        try (RawClient c = server.connect()) {
            c.write("HEAD /length?100 HTTP/1.1\r\nHost: t\r\n\r\n");
            RawHttp.Response r = RawHttp.read(c, true);
            assertEquals(200, r.status());
            assertNull(r.header("content-length"));
            c.write("HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\n");
            RawHttp.Response h = RawHttp.read(c, true);
            assertEquals(200, h.status());
            assertEquals("text/plain", h.header("content-type"));
            c.write("HEAD /nothing HTTP/1.1\r\nHost: t\r\n\r\n");
            assertEquals(404, RawHttp.read(c, true).status());
            c.write(RawHttp.get("/hello"));
            RawHttp.Response g = RawHttp.read(c);
            assertEquals("hello /hello", g.text());
        }
    }

    @Test
    void responseLengthsFollowTheJdkContract() {
        try (RawClient c = server.connect()) {
            c.write(RawHttp.get("/length?-1"));
            RawHttp.Response none = RawHttp.read(c);
            assertEquals("0", none.header("content-length"));
            assertEquals(0, none.body().length);
            c.write(RawHttp.get("/length?0"));
            RawHttp.Response chunked = RawHttp.read(c);
            assertTrue(chunked.chunked());
            assertEquals("streamed", chunked.text());
            c.write(RawHttp.get("/length?1234"));
            RawHttp.Response fixed = RawHttp.read(c);
            assertEquals("1234", fixed.header("content-length"));
            assertArrayEquals(pattern(1234), fixed.body());
            c.write("DELETE /length?-1 HTTP/1.1\r\nHost: t\r\n\r\n");
            RawHttp.Response noContent = RawHttp.read(c);
            assertEquals(204, noContent.status());
            assertNull(noContent.header("content-length"));
            c.write(RawHttp.get("/hello"));
            assertEquals(200, RawHttp.read(c).status());
        }
    }

    @Test
    void bigBodiesBothWays() throws Exception {
        byte[] data = pattern(8 * 1024 * 1024 + 17);
        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(server.uri("/echo"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(data)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        assertArrayEquals(digest(data), digest(r.body()));
        for (String path : new String[] {"/big?", "/big/chunked?"}) {
            int n = 5 * 1024 * 1024 + 3;
            HttpResponse<byte[]> big = client.send(HttpRequest.newBuilder(server.uri(path + n)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(n, big.body().length);
            assertTrue(Arrays.equals(pattern(n), big.body()), path);
        }
    }

    @Test
    void http10ClosesUnlessKeepAliveIsAsked() {
        try (RawClient c = server.connect()) {
            c.write("GET /hello HTTP/1.0\r\n\r\n");
            RawHttp.Response r = RawHttp.read(c);
            assertEquals(200, r.status());
            assertTrue(r.connectionClose());
            assertTrue(c.isPeerClosed(Duration.ofSeconds(2)));
        }
        try (RawClient c = server.connect()) {
            for (int i = 0; i < 3; i++) {
                c.write("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
                RawHttp.Response r = RawHttp.read(c);
                assertEquals("keep-alive", r.header("connection"));
            }
            c.write("GET /length?0 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            RawHttp.Response streamed = RawHttp.read(c);
            assertEquals("streamed", streamed.text());
            assertTrue(c.isPeerClosed(Duration.ofSeconds(2)));
        }
    }

    @Test
    void connectionCloseIsHonoured() {
        try (RawClient c = server.connect()) {
            c.write("GET /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n" + RawHttp.get("/hello"));
            RawHttp.Response r = RawHttp.read(c);
            assertTrue(r.connectionClose());
            assertTrue(c.isPeerClosed(Duration.ofSeconds(2)));
        }
    }

    @Test
    void noContextIs404AndKeepsTheConnection() {
        try (RawClient c = server.connect()) {
            c.write(RawHttp.get("/nothing-here"));
            RawHttp.Response r = RawHttp.read(c);
            assertEquals(404, r.status());
            c.write(RawHttp.get("/hello"));
            assertEquals(200, RawHttp.read(c).status());
        }
    }

    @Test
    void serverSetsTcpNoDelay() {
        // Small responses must not wait for Nagle: 50 sequential round trips take far less than 50 x 40 ms.
        try (RawClient c = server.connect()) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 50; i++) {
                c.write(RawHttp.get("/hello"));
                assertNotNull(RawHttp.read(c));
            }
            assertTrue(Duration.ofNanos(System.nanoTime() - t0).toMillis() < 1000);
        }
    }

    private static byte[] digest(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }
}
