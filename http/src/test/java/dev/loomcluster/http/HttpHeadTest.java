package dev.loomcluster.http;

import dev.loomcluster.ThreadKind;
import dev.loomcluster.testing.RawClient;
import dev.loomcluster.testing.http.RawHttp;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.SimpleFileServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * HEAD answered whichever thread runs the handler: the loop, a platform-thread executor or a
 * virtual-thread executor; through a filter chain; from the JDK's {@code SimpleFileServer} handler.
 * Each HEAD is followed by a GET on the same connection, which must get its own, complete answer.
 */
@ParameterizedClass
@EnumSource(HttpHeadTest.Runner.class)
class HttpHeadTest {
    enum Runner { LOOP, PLATFORM_EXECUTOR, VIRTUAL_EXECUTOR }

    @Parameter
    Runner runner;

    @TempDir
    Path dir;

    private TestServer server;
    private ExecutorService executor;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (executor != null) {
            executor.close();
        }
    }

    private void start(TestServer.Setup routes) {
        executor = switch (runner) {
            case LOOP -> null;
            case PLATFORM_EXECUTOR -> Executors.newFixedThreadPool(2);
            case VIRTUAL_EXECUTOR -> Executors.newVirtualThreadPerTaskExecutor();
        };
        server = TestServer.start(ThreadKind.PLATFORM, s -> {
            routes.setUp(s);
            if (executor != null) {
                s.setExecutor(executor);
            }
        });
    }

    private static void hello(HttpExchange ex) throws IOException {
        byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain");
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    /** HEAD then GET on one raw connection: both answered, in order, and the HEAD without a body. */
    private void headThenGet(String path, String expectedGetBody) {
        try (RawClient c = server.connect(Duration.ofSeconds(5))) {
            c.write("HEAD " + path + " HTTP/1.1\r\nHost: t\r\n\r\n");
            RawHttp.Response head = RawHttp.read(c, true);
            assertEquals(200, head.status());
            assertFalse(head.connectionClose());
            c.write(RawHttp.get(path));
            RawHttp.Response get = RawHttp.read(c);
            assertEquals(200, get.status());
            assertEquals(expectedGetBody, get.text());
        }
    }

    @Test
    void headOfAFixedLengthResponse() throws Exception {
        start(s -> s.createContext("/", HttpHeadTest::hello));
        headThenGet("/", "hello");
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(server.uri("/"))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertEquals("", r.body());
        }
    }

    @Test
    void headOfAChunkedResponseAndOfOneWithNoBody() {
        start(s -> {
            s.createContext("/chunked", ex -> {
                ex.sendResponseHeaders(200, 0);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write("part".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    out.write("s".getBytes(StandardCharsets.UTF_8));
                }
            });
            s.createContext("/none", ex -> ex.sendResponseHeaders(200, -1));
        });
        headThenGet("/chunked", "parts");
        headThenGet("/none", "");
    }

    @Test
    void headThroughAFilterChain() {
        start(s -> {
            var ctx = s.createContext("/", HttpHeadTest::hello);
            ctx.getFilters().add(new Filter() {
                @Override
                public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
                    exchange.getResponseHeaders().add("X-Filtered", "yes");
                    chain.doFilter(exchange);
                }

                @Override
                public String description() {
                    return "adds X-Filtered";
                }
            });
            ctx.getFilters().add(Filter.beforeHandler("nothing", ex -> { }));
        });
        try (RawClient c = server.connect(Duration.ofSeconds(5))) {
            c.write("HEAD / HTTP/1.1\r\nHost: t\r\n\r\n");
            RawHttp.Response head = RawHttp.read(c, true);
            assertEquals(200, head.status());
            assertEquals("yes", head.header("x-filtered"));
        }
        headThenGet("/", "hello");
    }

    @Test
    void headFromSimpleFileServer() throws Exception {
        Files.writeString(dir.resolve("a.txt"), "file body");
        start(s -> s.createContext("/", SimpleFileServer.createFileHandler(dir.toAbsolutePath())));
        try (RawClient c = server.connect(Duration.ofSeconds(5))) {
            c.write("HEAD /a.txt HTTP/1.1\r\nHost: t\r\n\r\n");
            RawHttp.Response head = RawHttp.read(c, true);
            assertEquals(200, head.status());
            assertEquals("9", head.header("content-length"));
        }
        headThenGet("/a.txt", "file body");
    }
}
