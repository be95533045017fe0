package dev.loomcluster.http;

import dev.loomcluster.testing.Await;
import dev.loomcluster.testing.FreePorts;
import dev.loomcluster.testing.RawClient;
import dev.loomcluster.testing.http.RawHttp;

import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code HttpServer.stop(delay)} as the JDK specifies it, on a one-loop server with a handler executor:
 * the listening socket closes at once, the call blocks while an exchange is in flight and returns when
 * it completes (before the delay), or when the delay is up, closing every connection left; idle
 * connections close at once.
 */
class HttpStopTest {
    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();

    private HttpServer start() throws IOException {
        HttpServer server = LoomHttp.create(FreePorts.loopbackAddress());
        server.setExecutor(handlers);
        server.createContext("/slow", exchange -> {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = "finished".getBytes();
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        return server;
    }

    private static boolean refused(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(FreePorts.LOOPBACK, port), 2000);
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void blocksWhileAnExchangeIsInFlightAndReturnsWhenItCompletes() throws Exception {
        HttpServer server = start();
        int port = server.getAddress().getPort();
        try (RawClient busy = RawClient.connect(port); RawClient idle = RawClient.connect(port)) {
            idle.write(RawHttp.get("/"));
            assertEquals(204, RawHttp.read(idle).status());
            busy.write(RawHttp.get("/slow"));
            Await.latch("the handler is in flight", entered);

            CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> server.stop(30));
            Await.until("the listening socket is closed at once", () -> refused(port));
            assertTrue(idle.isPeerClosed(Duration.ofSeconds(5)), "an idle connection is closed at once");
            assertFalse(stopped.isDone(), "stop waits for the exchange in flight");

            release.countDown();
            RawHttp.Response r = RawHttp.read(busy);
            assertEquals(200, r.status());
            assertEquals("finished", r.text());
            assertTrue(r.connectionClose());
            Await.result("stop returns once the exchange completed", stopped, Duration.ofSeconds(10));
            assertTrue(busy.isPeerClosed(Duration.ofSeconds(5)));
            assertThrows(IllegalStateException.class, server::start, "a stopped server cannot start again");
        } finally {
            release.countDown();
            handlers.close();
        }
    }

    @Test
    void closesWhatIsLeftWhenTheDelayIsUp() throws Exception {
        HttpServer server = start();
        int port = server.getAddress().getPort();
        try (RawClient busy = RawClient.connect(port)) {
            busy.write(RawHttp.get("/slow"));
            Await.latch("the handler is in flight", entered);
            long t0 = System.nanoTime();
            server.stop(1);
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(tookMs >= 900, "stop waited for the delay: " + tookMs + " ms");
            assertTrue(busy.isPeerClosed(Duration.ofSeconds(5)), "the connection in flight is closed after the delay");
            assertTrue(refused(port));
        } finally {
            release.countDown();
            handlers.close();
        }
    }

    @Test
    void stopZeroOnAnIdleServerAndStopBeforeStart() throws Exception {
        HttpServer server = start();
        int port = server.getAddress().getPort();
        server.stop(0);
        assertTrue(refused(port));
        server.stop(0); // again: nothing left to do

        HttpServer neverStarted = LoomHttp.create(FreePorts.loopbackAddress());
        int other = neverStarted.getAddress().getPort();
        neverStarted.stop(0);
        assertTrue(refused(other), "a bound server that never started releases its port");
        LoomHttp.unbound(HttpOptions.defaults()).stop(0);
        handlers.close();
        assertThrows(IllegalArgumentException.class, () -> server.stop(-1));
    }
}
