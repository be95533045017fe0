package dev.loomcluster.http;

import com.sun.net.httpserver.HttpExchange;
import dev.loomcluster.ThreadKind;
import dev.loomcluster.WorkerPool;
import dev.loomcluster.testing.Await;
import dev.loomcluster.testing.FreePorts;
import dev.loomcluster.testing.KeepAliveClient;
import dev.loomcluster.testing.RawClient;
import dev.loomcluster.testing.http.RawHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keep-alive HTTP clients across reloads, scaling and disconnects: every request gets its own answer,
 * none is lost or duplicated, and while another worker listens no connection is closed (the leaving
 * worker hands its idle connections over, with pipelined bytes). With no worker left, requests that
 * arrive during the drain grace are answered with {@code Connection: close}.
 */
@ParameterizedClass
@EnumSource(ThreadKind.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HttpHandOverTest {
    @Parameter
    ThreadKind kind;

    /** Counted down when a {@code /slow} request starts: then it is surely in flight on its worker. */
    private static volatile java.util.concurrent.CountDownLatch slowStarted = new java.util.concurrent.CountDownLatch(0);

    /** Echoes the query (the client's id) and the worker id; {@code /slow} takes 20 ms first. */
    private static void echo(HttpExchange ex, int worker) throws IOException {
        if (ex.getRequestURI().getPath().startsWith("/slow")) {
            slowStarted.countDown();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        HttpProtocolTest.respond(ex, 200, ex.getRequestURI().getQuery() + " from worker " + worker);
    }

    private WorkerPool pool(InetSocketAddress address, int size, ExecutorService executor) {
        return WorkerPool.builder(ctx -> {
            var server = LoomHttp.create(address, HttpOptions.defaults());
            int id = ctx.id();
            server.createContext("/", ex -> echo(ex, id));
            if (executor != null) {
                server.setExecutor(executor);
            }
            server.start();
        }).threads(kind).size(size).name("http-handover").shutdownTimeout(Duration.ofSeconds(10))
                .drainGrace(Duration.ofMillis(500)).build();
    }

    private static void startAndAwait(WorkerPool pool, int n) {
        var listening = new java.util.concurrent.CountDownLatch(n);
        pool.onListening((w, a) -> listening.countDown());
        pool.start();
        Await.latch(n + " workers listening", listening, Duration.ofSeconds(20));
    }

    private static void assertNothingLostOrClosed(KeepAliveClient.Result r) {
        assertTrue(r.clean(), r.toString());
        assertEquals(0, r.reconnects(), "no connection was closed: " + r);
    }

    @Test
    void reloadUnderLoad() throws Exception {
        InetSocketAddress address = FreePorts.loopbackAddress();
        try (WorkerPool pool = pool(address, 2, null)) {
            startAndAwait(pool, 2);
            KeepAliveClient client = KeepAliveClient.start(address, 16, KeepAliveClient.Protocol.HTTP);
            assertTrue(client.awaitMoreAnswers(500, Duration.ofSeconds(20)));
            for (int i = 0; i < 3; i++) {
                Await.result("reload " + i, pool.reload(), Duration.ofSeconds(30));
                assertTrue(client.awaitMoreAnswers(300, Duration.ofSeconds(20)), "served after reload " + i);
            }
            assertNothingLostOrClosed(client.stop());
        }
    }

    @Test
    void reloadUnderLoadWithAnExecutorAndRequestsInFlight() throws Exception {
        InetSocketAddress address = FreePorts.loopbackAddress();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
             WorkerPool pool = pool(address, 2, executor)) {
            startAndAwait(pool, 2);
            KeepAliveClient client = KeepAliveClient.start(address, 16, KeepAliveClient.Protocol.HTTP);
            assertTrue(client.awaitMoreAnswers(300, Duration.ofSeconds(20)));
            for (int i = 0; i < 2; i++) {
                Await.result("reload " + i, pool.reload(), Duration.ofSeconds(30));
                assertTrue(client.awaitMoreAnswers(200, Duration.ofSeconds(20)), "served after reload " + i);
            }
            assertNothingLostOrClosed(client.stop());
        }
    }

    @Test
    void scaleDownAndUpUnderLoad() throws Exception {
        InetSocketAddress address = FreePorts.loopbackAddress();
        try (WorkerPool pool = pool(address, 4, null)) {
            startAndAwait(pool, 4);
            KeepAliveClient client = KeepAliveClient.start(address, 16, KeepAliveClient.Protocol.HTTP);
            assertTrue(client.awaitMoreAnswers(300, Duration.ofSeconds(20)));
            for (int n : new int[]{2, 1, 3}) {
                Await.result("scale " + n, pool.scale(n), Duration.ofSeconds(30));
                assertTrue(client.awaitMoreAnswers(200, Duration.ofSeconds(20)), "served at " + n);
            }
            assertNothingLostOrClosed(client.stop());
        }
    }

    @Test
    void pipelinedRequestsGoWithTheConnection() throws Exception {
        InetSocketAddress address = FreePorts.loopbackAddress();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
             WorkerPool pool = pool(address, 1, executor)) {
            startAndAwait(pool, 1);
            try (RawClient c = RawClient.connect(address)) {
                c.write(RawHttp.get("/?a"));
                assertEquals("a from worker 1", RawHttp.read(c).text());
                var second = new java.util.concurrent.CountDownLatch(1);
                pool.onListening((w, at) -> second.countDown());
                pool.fork();
                Await.latch("worker 2 listens", second);
                // three pipelined requests, the first slow: worker 1 disconnects while it runs
                slowStarted = new java.util.concurrent.CountDownLatch(1);
                c.write(RawHttp.get("/slow?b") + RawHttp.get("/?c") + RawHttp.get("/?d"));
                Await.latch("the slow request is in flight on worker 1", slowStarted);
                var leaving = pool.workers().get(1).disconnect();
                RawHttp.Response b = RawHttp.read(c);
                assertEquals("b from worker 1", b.text());
                assertTrue(!b.connectionClose(), "kept alive: it moves to worker 2");
                assertEquals("c from worker 2", RawHttp.read(c).text());
                assertEquals("d from worker 2", RawHttp.read(c).text());
                Await.result("worker 1 exits", leaving, Duration.ofSeconds(10));
                c.write(RawHttp.get("/?e"));
                assertEquals("e from worker 2", RawHttp.read(c).text());
            }
        }
    }

    @Test
    void closingThePoolAnswersDuringTheGraceWithConnectionClose() throws Exception {
        InetSocketAddress address = FreePorts.loopbackAddress();
        WorkerPool pool = pool(address, 2, null);
        try {
            startAndAwait(pool, 2);
            try (RawClient c = RawClient.connect(address)) {
                c.write(RawHttp.get("/?1"));
                assertTrue(RawHttp.read(c).text().startsWith("1 from worker"));
                Thread.ofPlatform().start(pool::close);
                Thread.sleep(100); // within the 500 ms grace
                c.write(RawHttp.get("/?2"));
                RawHttp.Response r = RawHttp.read(c);
                assertTrue(r.text().startsWith("2 from worker"), r.text());
                assertTrue(r.connectionClose(), "the pool is closing: " + r.headers());
                assertTrue(c.isPeerClosed(Duration.ofSeconds(2)));
            }
            Await.until("every worker left", () -> pool.workers().isEmpty(), Duration.ofSeconds(10));
        } finally {
            pool.close();
        }
    }
}
