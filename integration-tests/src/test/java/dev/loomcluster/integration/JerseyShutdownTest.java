package dev.loomcluster.integration;

import dev.loomcluster.ThreadKind;
import dev.loomcluster.Worker;
import dev.loomcluster.testing.Await;

import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The documented shutdown pattern, {@code ctx.onDisconnect(() -> server.stop(n))} on Jersey's own
 * server object: disconnecting a worker runs Jersey's {@code ContainerLifecycleListener.onShutdown} and
 * lets the request in flight finish with its 200; the worker exits only after that response.
 */
class JerseyShutdownTest {

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void disconnectRunsJerseysShutdownAndFinishesTheRequestInFlight(ThreadKind threads) throws Exception {
        JerseyApp.Probe probe = new JerseyApp.Probe();
        Queue<HttpServer> servers = new ConcurrentLinkedQueue<>();
        try (Cluster cluster = JerseyClusterTest.jersey(threads, probe, servers)) {
            Await.until("Jersey started in each worker", () -> probe.startups.get() == 2);
            CompletableFuture<HttpResponse<String>> slow = cluster.client.sendAsync(
                    HttpRequest.newBuilder(cluster.uri("/api/slow")).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            Await.latch("the slow resource is in flight", probe.slowEntered);
            int id = probe.slowWorker.get();
            Worker worker = cluster.pool.workers().get(id);

            CompletableFuture<Void> exited = worker.disconnect();
            Await.until("Jersey's onShutdown ran in the disconnecting worker", () -> probe.shutdowns.get() == 1);
            assertFalse(exited.isDone(), "the worker waits for the request its server still serves");
            assertFalse(slow.isDone(), "the request in flight is not aborted");

            probe.slowRelease.countDown();
            HttpResponse<String> r = Await.result("the slow response", slow);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("done by worker " + id, r.body());
            // The other worker listens on the same address, so the connection is either handed over to it
            // after this response (kept alive: the client sees nothing) or closed with Connection: close,
            // depending on whether the server's stop or the worker's drain reaches it first.
            String connection = r.headers().firstValue("Connection").orElse("");
            assertTrue(connection.isEmpty() || connection.equals("close"), "Connection: " + connection);
            Await.result("the worker exits after the response", exited);
            assertTrue(worker.exitedAfterDisconnect());
            assertEquals(1, probe.shutdowns.get(), "only the disconnected worker shut its application down");

            // the other worker still serves
            assertEquals(200, cluster.get("/api/greet/Ada").statusCode());
        } finally {
            JerseyClusterTest.shutDownExecutors(servers);
        }
        assertEquals(2, probe.shutdowns.get());
    }
}
