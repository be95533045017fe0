package dev.loomcluster.http;

import dev.loomcluster.ExitStatus;
import dev.loomcluster.ThreadKind;
import dev.loomcluster.testing.RawClient;
import dev.loomcluster.testing.http.RawHttp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The graceful disconnect of a worker no other worker can take connections from: idle keep-alive
 * connections close after the drain grace, in-flight responses end with Connection: close.
 */
@ParameterizedClass
@EnumSource(ThreadKind.class)
class HttpDrainTest {
    @Parameter
    ThreadKind kind;

    @Test
    void disconnectFinishesInFlightResponsesThenTheWorkerExits() throws Exception {
        CountDownLatch inHandler = new CountDownLatch(1);
        try (TestServer server = TestServer.start(kind, s -> {
            s.createContext("/fast", ex -> HttpProtocolTest.respond(ex, 200, "fast"));
            // Answers later from the loop: the response is in flight while the worker starts disconnecting.
            s.createContext("/later", ex -> {
                inHandler.countDown();
                dev.loomcluster.WorkerContext.current().orElseThrow().schedule(Duration.ofMillis(1500), () -> { // well past the 300 ms drain grace
                    try {
                        HttpProtocolTest.respond(ex, 200, "later");
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
            });
        })) {
            CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
            server.pool.onExit((w, st) -> exit.complete(st));
            try (RawClient idle = server.connect(); RawClient busy = server.connect()) {
                idle.write(RawHttp.get("/fast"));
                assertEquals("fast", RawHttp.read(idle).text());
                busy.write(RawHttp.get("/later"));
                assertTrue(inHandler.await(5, TimeUnit.SECONDS));
                var disconnected = server.pool.workers().get(1).disconnect();
                assertTrue(idle.isPeerClosed(Duration.ofSeconds(2)),
                        "idle keep-alive connection closed after the drain grace: no other worker can take it");
                assertFalse(exit.isDone(), "the worker waits for the response in flight");
                RawHttp.Response r = RawHttp.read(busy);
                assertEquals("later", r.text());
                assertTrue(r.connectionClose());
                assertTrue(busy.isPeerClosed(Duration.ofSeconds(2)));
                disconnected.get(5, TimeUnit.SECONDS);
                assertEquals(0, exit.get(5, TimeUnit.SECONDS).code());
            }
        }
    }

    @Test
    void closingThePoolDrainsKeepAliveClients() throws Exception {
        TestServer server = TestServer.start(kind, 2, HttpOptions.defaults(),
                s -> s.createContext("/", ex -> HttpProtocolTest.respond(ex, 200, "ok")));
        RawClient a = server.connect();
        RawClient b = server.connect();
        try {
            for (RawClient c : new RawClient[] {a, b}) {
                c.write(RawHttp.get("/"));
                assertEquals("ok", RawHttp.read(c).text());
            }
            long t0 = System.nanoTime();
            server.close();
            assertTrue(Duration.ofNanos(System.nanoTime() - t0).toMillis() < 3000, "drain was quick");
            assertTrue(a.isPeerClosed(Duration.ofSeconds(1)));
            assertTrue(b.isPeerClosed(Duration.ofSeconds(1)));
        } finally {
            a.close();
            b.close();
        }
    }
}
