package dev.loomcluster.integration;

import dev.loomcluster.ThreadKind;
import dev.loomcluster.WorkerContext;
import dev.loomcluster.WorkerPool;
import dev.loomcluster.testing.Await;
import dev.loomcluster.testing.FreePorts;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A pool of two workers on a free loopback port, each running the test's unchanged third-party server
 * code in its {@code start}; {@link #close()} closes the pool (graceful drain, then kill) and fails the
 * test if a worker reported an error. Used from the test thread.
 */
final class Cluster implements AutoCloseable {
    static final int WORKERS = 2;

    interface Start {
        void start(WorkerContext ctx, int port) throws Exception;
    }

    final WorkerPool pool;
    final int port;
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    /** Every request of a test goes through this client: HTTP/1.1, closed with the cluster. */
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private Cluster(WorkerPool pool, int port) {
        this.pool = pool;
        this.port = port;
    }

    /** Starts the pool and returns once both workers listen. */
    static Cluster start(ThreadKind threads, Start start) {
        int port = FreePorts.loopbackPort();
        CountDownLatch listening = new CountDownLatch(WORKERS);
        WorkerPool pool = WorkerPool.builder(ctx -> start.start(ctx, port))
                .size(WORKERS).threads(threads).name("integration").shutdownTimeout(Duration.ofSeconds(10)).build();
        Cluster cluster = new Cluster(pool, port);
        pool.onListening((w, a) -> listening.countDown());
        pool.onError((w, e) -> cluster.errors.add(e));
        pool.start();
        Await.latch("both workers listening", listening, Duration.ofSeconds(30));
        return cluster;
    }

    URI uri(String target) {
        return URI.create("http://127.0.0.1:" + port + target);
    }

    HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return client.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String target) throws Exception {
        return send(HttpRequest.newBuilder(uri(target)));
    }

    /** {@code GET target} on a new connection, which the pool hands to the next worker (round robin). */
    HttpResponse<String> getOnNewConnection(String target) throws Exception {
        try (HttpClient fresh = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            return fresh.send(HttpRequest.newBuilder(uri(target)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }

    @Override
    public void close() {
        client.close();
        pool.close();
        assertEquals(List.of(), errors, "worker errors");
    }
}
