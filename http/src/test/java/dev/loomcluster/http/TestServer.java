package dev.loomcluster.http;

import dev.loomcluster.ThreadKind;
import dev.loomcluster.WorkerPool;
import dev.loomcluster.testing.FreePorts;
import dev.loomcluster.testing.RawClient;

import com.sun.net.httpserver.HttpServer;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A pool whose workers each run an {@link HttpServer} made by {@link LoomHttp} on a random loopback port,
 * set up by the test's {@code setup} (on each worker's loop, before {@code start}). Closing it closes the
 * pool (graceful drain, then kill).
 */
final class TestServer implements AutoCloseable {
    /** The pools' drain grace: short, so that closing a pool with idle keep-alive clients stays quick. */
    static final Duration DRAIN_GRACE = Duration.ofMillis(300);

    final WorkerPool pool;
    final int port;
    /** The server of each worker, by worker id. */
    final ConcurrentHashMap<Integer, HttpServer> servers = new ConcurrentHashMap<>();

    private TestServer(WorkerPool pool, int port) {
        this.pool = pool;
        this.port = port;
    }

    interface Setup {
        void setUp(HttpServer server) throws Exception;
    }

    /** Makes each worker's server, on its loop. */
    interface Factory {
        HttpServer create(InetSocketAddress address, HttpOptions options) throws Exception;
    }

    static TestServer start(ThreadKind kind, Setup setup) {
        return start(kind, 1, HttpOptions.defaults(), setup);
    }

    static TestServer start(ThreadKind kind, HttpOptions options, Setup setup) {
        return start(kind, 1, options, setup);
    }

    static TestServer start(ThreadKind kind, int workers, HttpOptions options, Setup setup) {
        return start(kind, workers, options, LoomHttp::create, setup);
    }

    static TestServer start(ThreadKind kind, int workers, HttpOptions options, Factory factory, Setup setup) {
        CompletableFuture<InetSocketAddress> address = new CompletableFuture<>();
        CountDownLatch listening = new CountDownLatch(workers);
        CountDownLatch started = new CountDownLatch(workers);
        ConcurrentHashMap<Integer, HttpServer> servers = new ConcurrentHashMap<>();
        WorkerPool pool = WorkerPool.builder(ctx -> {
            HttpServer server = factory.create(new InetSocketAddress(FreePorts.LOOPBACK, 0), options);
            setup.setUp(server);
            server.start();
            servers.put(ctx.id(), server);
            started.countDown();
        }).size(workers).threads(kind).name("http-test").shutdownTimeout(Duration.ofSeconds(5))
                .drainGrace(DRAIN_GRACE).build();
        pool.onListening((w, a) -> {
            address.complete(a);
            listening.countDown();
        });
        pool.onError((w, t) -> address.completeExceptionally(t));
        pool.start();
        try {
            InetSocketAddress a = address.get(10, TimeUnit.SECONDS);
            if (!listening.await(10, TimeUnit.SECONDS) || !started.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("workers did not all listen");
            }
            TestServer t = new TestServer(pool, a.getPort());
            t.servers.putAll(servers);
            return t;
        } catch (Exception e) {
            pool.close();
            throw new IllegalStateException("test server did not start", e);
        }
    }

    RawClient connect() {
        return RawClient.connect(port);
    }

    RawClient connect(Duration timeout) {
        return RawClient.connect(FreePorts.loopback(port), timeout);
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    @Override
    public void close() {
        pool.close();
    }
}
