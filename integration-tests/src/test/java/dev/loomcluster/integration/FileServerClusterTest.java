package dev.loomcluster.integration;

import dev.loomcluster.ThreadKind;
import dev.loomcluster.testing.FreePorts;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.SimpleFileServer;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JDK's {@code SimpleFileServer} (unchanged: it calls {@code HttpServer.create}, which the provider
 * switch routes to loomcluster) in each of two workers sharing one port: a 5 MB file comes back byte for
 * byte from both workers, with the handler on the worker's loop or on a virtual-thread executor.
 */
class FileServerClusterTest {
    private static final int SIZE = 5 * 1024 * 1024;

    @ParameterizedTest(name = "{0} workers, executor: {1}")
    @CsvSource({"PLATFORM,false", "PLATFORM,true", "VIRTUAL,false", "VIRTUAL,true"})
    void servesA5MbFileByteForByteFromBothWorkers(ThreadKind threads, boolean executor, @TempDir Path root) throws Exception {
        byte[] content = new byte[SIZE];
        new Random(threads.ordinal() * 2L + (executor ? 1 : 0)).nextBytes(content);
        Files.write(root.resolve("big.bin"), content);
        ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
        Set<String> servedBy = new HashSet<>();
        try (Cluster cluster = Cluster.start(threads, (ctx, port) -> {
            HttpServer server = SimpleFileServer.createFileServer(
                    new InetSocketAddress(FreePorts.LOOPBACK, port), root, SimpleFileServer.OutputLevel.NONE);
            if (executor) {
                server.setExecutor(handlers); // file reads block: off the loop
            }
            server.createContext("/who", exchange -> {
                byte[] id = String.valueOf(ctx.id()).getBytes();
                exchange.sendResponseHeaders(200, id.length);
                try (var out = exchange.getResponseBody()) {
                    out.write(id);
                }
            });
            server.start();
        })) {
            for (int i = 0; i < 4; i++) {
                // a new connection each time: the pool hands them to the workers in turn
                try (var fresh = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build()) {
                    HttpResponse<byte[]> r = fresh.send(HttpRequest.newBuilder(cluster.uri("/big.bin"))
                            .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
                    assertEquals(200, r.statusCode());
                    assertEquals(String.valueOf(SIZE), r.headers().firstValue("Content-Length").orElseThrow());
                    assertEquals("application/octet-stream", r.headers().firstValue("Content-Type").orElseThrow());
                    assertArrayEquals(content, r.body(), "the file's bytes");
                    // the same connection, next request: which worker served it
                    servedBy.add(fresh.send(HttpRequest.newBuilder(cluster.uri("/who")).build(),
                            HttpResponse.BodyHandlers.ofString()).body());
                }
            }
            assertEquals(Set.of("1", "2"), servedBy, "both workers served the file");

            HttpResponse<String> listing = cluster.get("/");
            assertEquals(200, listing.statusCode());
            assertTrue(listing.body().contains("big.bin"), listing.body());
            assertEquals(404, cluster.get("/missing.bin").statusCode());
        } finally {
            handlers.shutdown();
            assertTrue(handlers.awaitTermination(10, TimeUnit.SECONDS));
        }
    }
}
