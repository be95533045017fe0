package dev.loomcluster.http;

import dev.loomcluster.ThreadKind;
import dev.loomcluster.testing.Await;
import dev.loomcluster.testing.RawClient;
import dev.loomcluster.testing.http.RawHttp;

import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandlers;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JDK HttpServer API contract: contexts, filters, authenticators, attributes, handlers, executors, stop. */
@ParameterizedClass
@EnumSource(ThreadKind.class)
class HttpApiTest {
    @Parameter
    ThreadKind kind;

    private TestServer server;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private ExecutorService executor;

    @AfterEach
    void stop() {
        client.close();
        if (server != null) {
            server.close();
        }
        if (executor != null) {
            executor.close();
        }
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static void text(HttpExchange ex, String s) throws IOException {
        HttpProtocolTest.respond(ex, 200, s);
    }

    @Test
    void contextsMatchTheLongestPrefix() throws Exception {
        server = TestServer.start(kind, s -> {
            s.createContext("/", ex -> text(ex, "ctx1 " + ex.getHttpContext().getPath()));
            s.createContext("/apps/", ex -> text(ex, "ctx2"));
            s.createContext("/apps/foo/", ex -> text(ex, "ctx3"));
            assertThrows(IllegalArgumentException.class, () -> s.createContext("/apps/", ex -> { }));
            assertThrows(IllegalArgumentException.class, () -> s.createContext("nope", ex -> { }));
            s.createContext("/gone", ex -> text(ex, "gone"));
            s.removeContext("/gone");
            assertThrows(IllegalArgumentException.class, () -> s.removeContext("/never"));
        });
        assertEquals("ctx3", get("/apps/foo/bar").body());
        assertEquals("ctx2", get("/apps/Foo/bar").body());
        assertEquals("ctx1 /", get("/App").body());
        assertEquals("ctx2", get("/apps/app1").body());
        assertEquals("ctx1 /", get("/foo").body());
        assertEquals("ctx1 /", get("/gone").body());
    }

    @Test
    void filtersRunInOrderAroundTheHandler() throws Exception {
        List<String> order = new CopyOnWriteArrayList<>();
        server = TestServer.start(kind, s -> {
            var ctx = s.createContext("/f", ex -> {
                order.add("handler " + ex.getAttribute("from-filter") + " " + ex.getRequestURI().getPath());
                text(ex, "body");
            });
            ctx.getFilters().add(Filter.beforeHandler("before", ex -> {
                order.add("before");
                ex.setAttribute("from-filter", "yes");
            }));
            ctx.getFilters().add(Filter.adaptRequest("rewrite", r -> new Request() {
                @Override
                public java.net.URI getRequestURI() {
                    return java.net.URI.create("/f/rewritten");
                }

                @Override
                public String getRequestMethod() {
                    return r.getRequestMethod();
                }

                @Override
                public Headers getRequestHeaders() {
                    return r.getRequestHeaders();
                }
            }));
            ctx.getFilters().add(new Filter() {
                @Override
                public void doFilter(HttpExchange ex, Chain chain) throws IOException {
                    ex.setStreams(null, new FilterOutputStream(ex.getResponseBody()) {
                        @Override
                        public void write(int b) throws IOException {
                            out.write(Character.toUpperCase(b));
                        }

                        @Override
                        public void write(byte[] b, int off, int len) throws IOException {
                            for (int i = 0; i < len; i++) {
                                write(b[off + i]);
                            }
                        }
                    });
                    order.add("wrap");
                    chain.doFilter(ex);
                }

                @Override
                public String description() {
                    return "upper-case";
                }
            });
            ctx.getFilters().add(Filter.afterHandler("after", ex -> order.add("after " + ex.getResponseCode())));
        });
        assertEquals("BODY", get("/f/x").body());
        // The after-filter runs once the handler returned, which may be after the client read the response.
        Await.until("the after-filter ran", () -> order.size() == 4);
        assertEquals(List.of("before", "wrap", "handler yes /f/rewritten", "after 200"), order);
    }

    @Test
    void basicAuthenticatorAndPrincipal() throws Exception {
        server = TestServer.start(kind, s -> s.createContext("/secret", ex -> text(ex,
                        "hi " + ex.getPrincipal().getUsername() + "@" + ex.getPrincipal().getRealm()))
                .setAuthenticator(new BasicAuthenticator("vault") {
                    @Override
                    public boolean checkCredentials(String user, String password) {
                        return user.equals("ada") && password.equals("lovelace");
                    }
                }));
        HttpResponse<String> none = get("/secret");
        assertEquals(401, none.statusCode());
        assertTrue(none.headers().firstValue("www-authenticate").orElseThrow().contains("vault"));
        String bad = "Basic " + Base64.getEncoder().encodeToString("ada:nope".getBytes(StandardCharsets.UTF_8));
        assertEquals(401, get("/secret", "Authorization", bad).statusCode());
        String good = "Basic " + Base64.getEncoder().encodeToString("ada:lovelace".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> ok = get("/secret", "Authorization", good);
        assertEquals(200, ok.statusCode());
        assertEquals("hi ada@vault", ok.body());
    }

    @Test
    void authenticatorFailureAndRetryCodes() throws Exception {
        server = TestServer.start(kind, s -> {
            s.createContext("/fail", ex -> text(ex, "never")).setAuthenticator(new com.sun.net.httpserver.Authenticator() {
                @Override
                public Result authenticate(HttpExchange ex) {
                    return new Failure(403);
                }
            });
            s.createContext("/open", ex -> text(ex, "principal " + ex.getPrincipal()));
        });
        try (RawClient c = server.connect()) {
            c.write("POST /fail HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc");
            RawHttp.Response r = RawHttp.read(c);
            assertEquals(403, r.status());
            c.write(RawHttp.get("/open"));
            assertEquals("principal null", RawHttp.read(c).text());
        }
    }

    @Test
    void attributesAreTheExchangesOwnAndFallBackToTheContext() throws Exception {
        server = TestServer.start(kind, s -> {
            var ctx = s.createContext("/a", ex -> {
                Object before = ex.getAttribute("per-request");
                ex.setAttribute("per-request", "set");
                text(ex, ex.getAttribute("shared") + " " + before + " " + ex.getAttribute("per-request"));
            });
            ctx.getAttributes().put("shared", "from-context");
        });
        assertEquals("from-context null set", get("/a").body());
        assertEquals("from-context null set", get("/a").body());
    }

    @Test
    void jdk18HandlersAndRequest() throws Exception {
        server = TestServer.start(kind, s -> {
            s.createContext("/of", HttpHandlers.of(201, Headers.of("X-Kind", "of"), "made by HttpHandlers.of"));
            s.createContext("/or", HttpHandlers.handleOrElse(r -> r.getRequestMethod().equals("PUT"),
                    HttpHandlers.of(200, Headers.of(), "put"), HttpHandlers.of(405, Headers.of("Allow", "PUT"), "")));
        });
        HttpResponse<String> of = get("/of");
        assertEquals(201, of.statusCode());
        assertEquals("of", of.headers().firstValue("x-kind").orElseThrow());
        assertEquals("made by HttpHandlers.of", of.body());
        assertEquals(405, get("/or").statusCode());
        HttpResponse<String> put = client.send(HttpRequest.newBuilder(server.uri("/or"))
                .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("put", put.body());
    }

    @Test
    void exchangeAccessors() throws Exception {
        AtomicReference<String> seen = new AtomicReference<>();
        server = TestServer.start(kind, s -> s.createContext("/x", ex -> {
            seen.set(ex.getRequestMethod() + " " + ex.getRequestURI() + " " + ex.getProtocol() + " "
                    + ex.getRequestHeaders().getFirst("x-test") + " "
                    + ex.getLocalAddress().getPort() + " " + ex.getRemoteAddress().getAddress().isLoopbackAddress()
                    + " " + ex.getResponseCode());
            assertThrows(UnsupportedOperationException.class, () -> ex.getRequestHeaders().add("a", "b"));
            ex.sendResponseHeaders(200, -1);
            assertEquals(200, ex.getResponseCode());
            assertThrows(IOException.class, () -> ex.sendResponseHeaders(200, -1));
        }));
        assertEquals(200, get("/x/y?q=%20", "X-Test", "v").statusCode());
        assertEquals("GET /x/y?q=%20 HTTP/1.1 v " + server.port + " true -1", seen.get());
    }

    @Test
    void aThrowingHandlerGets500AndTheWorkerKeepsServing() throws Exception {
        Set<Integer> workers = ConcurrentHashMap.newKeySet();
        server = TestServer.start(kind, s -> {
            s.createContext("/boom", ex -> {
                throw new IllegalStateException("handler bug");
            });
            s.createContext("/half", ex -> {
                ex.sendResponseHeaders(200, 100);
                ex.getResponseBody().write("partial".getBytes(StandardCharsets.UTF_8));
                throw new IOException("failed half way");
            });
            s.createContext("/ok", ex -> text(ex, "still here"));
        });
        for (int i = 0; i < 3; i++) {
            try (RawClient c = server.connect()) {
                c.write(RawHttp.get("/boom"));
                RawHttp.Response r = RawHttp.read(c);
                assertEquals(500, r.status());
                assertTrue(c.isPeerClosed(Duration.ofSeconds(2)));
            }
            try (RawClient c = server.connect()) {
                c.write(RawHttp.get("/half"));
                String head = c.readUntil("\r\n\r\n");
                assertTrue(head.startsWith("HTTP/1.1 200"));
                assertTrue(c.isPeerClosed(Duration.ofSeconds(2)) || c.readToEof().length < 100);
            }
            assertEquals("still here", get("/ok").body());
            server.pool.workers().keySet().forEach(workers::add);
        }
        assertEquals(Set.of(1), workers, "the same worker served throughout");
    }

    @Test
    void closingTheExchangeBeforeRespondingClosesTheConnection() {
        server = TestServer.start(kind, s -> s.createContext("/", HttpExchange::close));
        try (RawClient c = server.connect()) {
            c.write(RawHttp.get("/"));
            assertTrue(c.isPeerClosed(Duration.ofSeconds(2)));
        }
    }

    @Test
    void wrongBodyLengthsFailTheHandler() throws Exception {
        List<String> errors = new CopyOnWriteArrayList<>();
        server = TestServer.start(kind, s -> {
            s.createContext("/more", ex -> {
                ex.sendResponseHeaders(200, 2);
                OutputStream out = ex.getResponseBody();
                try {
                    out.write("abc".getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    errors.add("more: " + e.getMessage());
                    out.write("ab".getBytes(StandardCharsets.UTF_8));
                }
                out.close();
            });
            s.createContext("/less", ex -> {
                ex.sendResponseHeaders(200, 5);
                OutputStream out = ex.getResponseBody();
                out.write("ab".getBytes(StandardCharsets.UTF_8));
                try {
                    out.close();
                } catch (IOException e) {
                    errors.add("less: " + e.getMessage());
                }
            });
        });
        assertEquals("ab", get("/more").body());
        try (RawClient c = server.connect()) {
            c.write(RawHttp.get("/less"));
            c.readUntil("\r\n\r\n");
            assertTrue(c.isPeerClosed(Duration.ofSeconds(2)) || c.readToEof().length == 2);
        }
        dev.loomcluster.testing.Await.until("both errors", () -> errors.size() == 2);
        assertTrue(errors.get(0).startsWith("more: too many bytes"), errors.toString());
        assertTrue(errors.get(1).startsWith("less: insufficient bytes"), errors.toString());
    }

    @Test
    void anExecutorRunsBlockingHandlersOffTheLoop() throws Exception {
        executor = Executors.newVirtualThreadPerTaskExecutor();
        Set<String> threads = ConcurrentHashMap.newKeySet();
        server = TestServer.start(kind, s -> {
            s.setExecutor(executor);
            s.createContext("/sleep", ex -> {
                threads.add(String.valueOf(Thread.currentThread().isVirtual()));
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                text(ex, "slept");
            });
            s.createContext("/echo", ex -> {
                byte[] body;
                try (InputStream in = ex.getRequestBody()) {
                    body = in.readAllBytes();
                }
                ex.sendResponseHeaders(200, 0);
                try (OutputStream out = ex.getResponseBody()) {
                    for (int off = 0; off < body.length; off += 3000) {
                        out.write(body, off, Math.min(3000, body.length - off));
                    }
                }
            });
        });
        long t0 = System.nanoTime();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<HttpResponse<String>>> rs = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                rs.add(clients.submit(() -> get("/sleep")));
            }
            for (Future<HttpResponse<String>> r : rs) {
                assertEquals("slept", r.get().body());
            }
        }
        long ms = Duration.ofNanos(System.nanoTime() - t0).toMillis();
        assertTrue(ms < 8 * 300, "8 handlers sleeping 300 ms ran concurrently: " + ms + " ms");
        assertEquals(Set.of("true"), threads);
        byte[] data = HttpProtocolTest.pattern(3_000_000);
        HttpResponse<byte[]> echo = client.send(HttpRequest.newBuilder(server.uri("/echo"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(data)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertTrue(java.util.Arrays.equals(data, echo.body()));
        // Chunked upload (the JDK client sends chunks for a stream of unknown length), streamed to the handler.
        HttpResponse<byte[]> chunked = client.send(HttpRequest.newBuilder(server.uri("/echo"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(data))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertTrue(java.util.Arrays.equals(data, chunked.body()));
        try (RawClient c = server.connect()) {
            c.write("PUT /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            assertEquals(100, RawHttp.read(c).status());
            c.write("12345");
            assertEquals("12345", RawHttp.read(c).text());
            c.write("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\n");
            assertTrue(c.isPeerClosed(Duration.ofSeconds(2)) || RawHttp.read(c).status() >= 200);
        }
    }

    @Test
    void aSlowReaderOffTheLoopGetsTheWholeBodyWithBackPressure() throws Exception {
        executor = Executors.newVirtualThreadPerTaskExecutor();
        server = TestServer.start(kind, s -> {
            s.setExecutor(executor);
            s.createContext("/slow", ex -> {
                long total = 0;
                byte[] buf = new byte[64 * 1024];
                try (InputStream in = ex.getRequestBody()) {
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        total += n;
                        if (total % (1024 * 1024) < n) {
                            try {
                                Thread.sleep(20);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                    }
                }
                text(ex, "read " + total);
            });
        });
        byte[] data = new byte[12 * 1024 * 1024];
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(server.uri("/slow"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(data)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("read " + data.length, r.body());
        // The handler that does not read the body still answers, and the connection carries on.
        try (RawClient c = server.connect()) {
            c.write("POST /slow HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nabcd" + RawHttp.get("/slow"));
            assertEquals("read 4", RawHttp.read(c).text());
            assertEquals("read 0", RawHttp.read(c).text());
        }
    }

    @Test
    void aClientThatVanishesMidBodyFailsOnlyItsHandler() throws Exception {
        executor = Executors.newVirtualThreadPerTaskExecutor();
        java.util.concurrent.CompletableFuture<Throwable> failure = new java.util.concurrent.CompletableFuture<>();
        server = TestServer.start(kind, s -> {
            s.setExecutor(executor);
            s.createContext("/upload", ex -> {
                try (InputStream in = ex.getRequestBody()) {
                    in.readAllBytes();
                    failure.complete(null);
                } catch (IOException e) {
                    failure.complete(e);
                    throw e;
                }
            });
            s.createContext("/ok", ex -> text(ex, "ok"));
        });
        try (RawClient c = server.connect()) {
            c.write("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n" + "x".repeat(1000));
            Thread.sleep(100);
            c.socket().setSoLinger(true, 0); // reset, not a clean close
        }
        assertTrue(failure.get(5, java.util.concurrent.TimeUnit.SECONDS) instanceof IOException);
        assertEquals("ok", get("/ok").body());
    }

    @Test
    void asynchronousResponsesFromAnotherThread() throws Exception {
        executor = Executors.newSingleThreadExecutor();
        server = TestServer.start(kind, s -> s.createContext("/later", ex -> executor.execute(() -> {
            try {
                Thread.sleep(50);
                ex.sendResponseHeaders(200, 0);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write("async ".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    out.write("done".getBytes(StandardCharsets.UTF_8));
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        })));
        try (RawClient c = server.connect()) {
            c.write(RawHttp.get("/later") + RawHttp.get("/later"));
            assertEquals("async done", RawHttp.read(c).text());
            assertEquals("async done", RawHttp.read(c).text());
        }
    }

    @Test
    void setExecutorAfterStartIsRefused() {
        AtomicReference<Throwable> error = new AtomicReference<>();
        server = TestServer.start(kind, s -> s.createContext("/", ex -> text(ex, "x")));
        HttpServer s = server.servers.get(1);
        try {
            s.setExecutor(Runnable::run);
        } catch (IllegalStateException e) {
            error.set(e);
        }
        assertTrue(error.get() instanceof IllegalStateException);
        assertThrows(IllegalStateException.class, s::start);
        assertEquals(server.port, s.getAddress().getPort());
    }

    @Test
    void workersShareThePort() throws Exception {
        Set<Integer> ids = ConcurrentHashMap.newKeySet();
        server = TestServer.start(kind, 2, HttpOptions.defaults(), s -> {
            int id = dev.loomcluster.WorkerContext.current().orElseThrow().id();
            s.createContext("/", ex -> {
                ids.add(id);
                text(ex, "worker " + id);
            });
        });
        for (int i = 0; i < 10; i++) {
            try (RawClient c = server.connect()) {
                c.write(RawHttp.get("/"));
                assertTrue(RawHttp.read(c).text().startsWith("worker "));
            }
        }
        assertEquals(Set.of(1, 2), ids);
    }

    @Test
    void stopDrainsInFlightExchangesAndClosesIdleConnections() throws Exception {
        executor = Executors.newVirtualThreadPerTaskExecutor();
        server = TestServer.start(kind, s -> {
            s.setExecutor(executor);
            s.createContext("/slow", ex -> {
                try {
                    Thread.sleep(400);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                text(ex, "finished");
            });
        });
        HttpServer s = server.servers.get(1);
        try (RawClient idle = server.connect(); RawClient busy = server.connect()) {
            idle.write(RawHttp.get("/nothing"));
            assertEquals(404, RawHttp.read(idle).status());
            busy.write(RawHttp.get("/slow"));
            Thread.sleep(100);
            long t0 = System.nanoTime();
            s.stop(5);
            long ms = Duration.ofNanos(System.nanoTime() - t0).toMillis();
            assertTrue(ms < 3000, "stop waited " + ms + " ms");
            assertTrue(idle.isPeerClosed(Duration.ofSeconds(2)));
            RawHttp.Response r = RawHttp.read(busy);
            assertEquals("finished", r.text());
            assertTrue(r.connectionClose());
            assertTrue(busy.isPeerClosed(Duration.ofSeconds(2)));
        }
        assertThrows(java.io.UncheckedIOException.class, () -> {
            try (RawClient c = server.connect(Duration.ofMillis(500))) {
                c.write(RawHttp.get("/slow"));
                RawHttp.read(c);
            }
        });
    }

    @Test
    void outsideAWorkerItIsAOneLoopServer() throws Exception {
        HttpServer s = LoomHttp.create(new InetSocketAddress(dev.loomcluster.testing.FreePorts.LOOPBACK, 0));
        try {
            assertFalse(dev.loomcluster.WorkerContext.current().isPresent());
            s.createContext("/", ex -> text(ex, "standalone " + dev.loomcluster.WorkerContext.current().isPresent()));
            s.start();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + s.getAddress().getPort() + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals("standalone true", r.body());
        } finally {
            s.stop(0);
        }
        assertThrows(IllegalStateException.class, s::start);
    }

    @Test
    void connectionsAcceptedBeforeStartWaitForIt() throws Exception {
        HttpServer s = LoomHttp.create(new InetSocketAddress(dev.loomcluster.testing.FreePorts.LOOPBACK, 0));
        try {
            s.createContext("/", ex -> text(ex, "started"));
            try (RawClient c = RawClient.connect(s.getAddress().getPort())) {
                c.write(RawHttp.get("/"));
                assertFalse(c.isPeerClosed(Duration.ofMillis(300)), "no answer (and no close) before start");
                s.start();
                assertEquals("started", RawHttp.read(c).text());
            }
        } finally {
            s.stop(0);
        }
    }

    @Test
    void theProviderCreatesServersAndHttpsServersThatNeedAConfigurator() throws Exception {
        LoomHttpServerProvider provider = LoomHttp.provider();
        HttpServer unbound = provider.createHttpServer(null, 0);
        assertNull(unbound.getAddress());
        assertThrows(IllegalStateException.class, unbound::start);
        unbound.stop(0);
        com.sun.net.httpserver.HttpsServer https = provider.createHttpsServer(null, 0);
        https.bind(new InetSocketAddress(dev.loomcluster.testing.FreePorts.LOOPBACK, 0), 0);
        IllegalStateException e = assertThrows(IllegalStateException.class, https::start);
        assertTrue(e.getMessage().contains("HttpsConfigurator"), e.getMessage());
        https.stop(0);
        assertNotEquals(null, LoomHttpServerProvider.withOptions(HttpOptions.defaults().withMaxBodyBytes(1)).options());
        HttpServer bound = LoomHttp.unbound(HttpOptions.defaults());
        bound.bind(new InetSocketAddress(dev.loomcluster.testing.FreePorts.LOOPBACK, 0), 0);
        assertThrows(java.net.BindException.class,
                () -> bound.bind(new InetSocketAddress(dev.loomcluster.testing.FreePorts.LOOPBACK, 0), 0));
        bound.stop(0);
    }
}
