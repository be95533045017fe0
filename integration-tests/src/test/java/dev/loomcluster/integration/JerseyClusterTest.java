package dev.loomcluster.integration;

import dev.loomcluster.ThreadKind;
import dev.loomcluster.testing.Await;

import com.sun.net.httpserver.HttpServer;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;

import org.glassfish.jersey.jdkhttp.JdkHttpServerFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Jersey 3.1's own JDK container ({@code JdkHttpServerFactory}, unchanged) in each of two workers that
 * share one port, on platform and on virtual worker threads.
 */
class JerseyClusterTest {
    private final Jsonb json = JsonbBuilder.create();

    /** The pool of the tests: each worker's {@code start} creates Jersey's server; disconnect stops it. */
    static Cluster jersey(ThreadKind threads, JerseyApp.Probe probe, Queue<HttpServer> servers) {
        return Cluster.start(threads, (ctx, port) -> {
            HttpServer server = JdkHttpServerFactory.createHttpServer(
                    URI.create("http://127.0.0.1:" + port + "/"), JerseyApp.config(ctx.id(), probe));
            servers.add(server);
            ctx.onDisconnect(() -> server.stop(10));
        });
    }

    /** Jersey gives each server a cached thread pool that it never shuts down: the test does. */
    static void shutDownExecutors(Queue<HttpServer> servers) throws InterruptedException {
        for (HttpServer s : servers) {
            ExecutorService executor = (ExecutorService) s.getExecutor();
            executor.shutdown();
            assertTrue(executor.awaitTermination(10, TimeUnit.SECONDS), "Jersey's executor ends");
        }
    }

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void jsonParamsEchoAnd404OnBothWorkers(ThreadKind threads) throws Exception {
        JerseyApp.Probe probe = new JerseyApp.Probe();
        Queue<HttpServer> servers = new ConcurrentLinkedQueue<>();
        try (Cluster cluster = jersey(threads, probe, servers)) {
            Await.until("Jersey started in each worker", () -> probe.startups.get() == 2);

            Set<Integer> workers = new HashSet<>();
            for (int i = 0; i < 20 && workers.size() < 2; i++) {
                HttpResponse<String> r = cluster.getOnNewConnection("/api/greet/Ada?greeting=Hi%20there");
                assertEquals(200, r.statusCode(), r.body());
                assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
                JerseyApp.Greeting g = json.fromJson(r.body(), JerseyApp.Greeting.class);
                assertEquals("Hi there, Ada", g.text());
                workers.add(g.worker());
            }
            assertEquals(Set.of(1, 2), workers, "both workers serve the port");

            HttpResponse<String> defaulted = cluster.get("/api/greet/Grace");
            assertEquals("Hello, Grace", json.fromJson(defaulted.body(), JerseyApp.Greeting.class).text());

            JerseyApp.Note note = new JerseyApp.Note("a \"quoted\" é", List.of(1, 2, 3));
            HttpResponse<String> echoed = cluster.send(HttpRequest.newBuilder(cluster.uri("/api/echo"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json.toJson(note))));
            assertEquals(200, echoed.statusCode(), echoed.body());
            assertEquals(note, json.fromJson(echoed.body(), JerseyApp.Note.class));

            assertEquals(404, cluster.get("/api/nothing-here").statusCode());
            assertEquals(404, cluster.get("/elsewhere").statusCode());
            assertEquals(415, cluster.send(HttpRequest.newBuilder(cluster.uri("/api/echo"))
                    .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("x"))).statusCode());
        } finally {
            shutDownExecutors(servers);
        }
        assertEquals(2, probe.shutdowns.get(), "the pool's disconnect ran Jersey's shutdown in each worker");
    }

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void headAnswersWithTheGetHeadersAndNoBody(ThreadKind threads) throws Exception {
        JerseyApp.Probe probe = new JerseyApp.Probe();
        Queue<HttpServer> servers = new ConcurrentLinkedQueue<>();
        try (Cluster cluster = jersey(threads, probe, servers)) {
            HttpResponse<String> get = cluster.get("/api/greet/Ada");
            HttpResponse<String> head = cluster.send(HttpRequest.newBuilder(cluster.uri("/api/greet/Ada"))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()));
            assertEquals(200, head.statusCode());
            assertEquals(get.headers().firstValue("Content-Type"), head.headers().firstValue("Content-Type"));
            assertEquals("", head.body());
            // the connection is still usable after the HEAD
            assertEquals(200, cluster.get("/api/greet/Ada").statusCode());
        } finally {
            shutDownExecutors(servers);
        }
    }
}
