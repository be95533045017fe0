package dev.loomcluster.internal.worker;

import com.sun.net.httpserver.HttpServer;
import dev.loomcluster.WorkerPool;
import dev.loomcluster.testing.Await;
import dev.loomcluster.testing.FreePorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ServiceConfigurationError;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Misconfigurations that fail with a bare JDK error are reported with what to do. */
@Timeout(30)
class StartFailuresTest {

    /** The JDK's own HttpServer in two workers: the first binds the port alone, the second is told why it cannot. */
    @Test
    void theJdksHttpServerInASecondWorkerNamesTheProviderToSelect() throws Exception {
        int port = FreePorts.loopbackPort();
        var errors = new LinkedBlockingQueue<Throwable>();
        try (WorkerPool pool = WorkerPool.builder(ctx -> {
                    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
                    server.start();
                    ctx.onDisconnect(() -> server.stop(0));
                }).size(0).build()) {
            pool.onError((w, e) -> errors.add(e));
            pool.fork();
            Await.until("the first worker listens", () -> {
                try (var s = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
                    return true;
                } catch (java.io.IOException e) {
                    return false;
                }
            });
            pool.fork();
            Throwable e = errors.poll(20, TimeUnit.SECONDS);
            assertNotNull(e, "the second worker failed");
            assertInstanceOf(IllegalStateException.class, e);
            assertTrue(e.getMessage().contains("-Dcom.sun.net.httpserver.HttpServerProvider="
                    + "dev.loomcluster.http.LoomHttpServerProvider"), e.getMessage());
            assertInstanceOf(java.net.BindException.class, e.getCause());
        }
    }

    @Test
    void aProviderThatCannotBeLoadedNamesTheMissingModule() {
        String before = System.getProperty(StartFailures.PROVIDER_PROPERTY);
        System.setProperty(StartFailures.PROVIDER_PROPERTY, StartFailures.PROVIDER);
        try {
            var bare = new ServiceConfigurationError(null);
            bare.setStackTrace(new StackTraceElement[] {
                    new StackTraceElement("com.sun.net.httpserver.spi.HttpServerProvider", "loadProviderFromProperty",
                            "HttpServerProvider.java", 104)});
            Throwable explained = StartFailures.explain(bare, 3);
            assertSame(bare, explained.getCause());
            assertTrue(explained.getMessage().contains("--add-modules dev.loomcluster.http"), explained.getMessage());
            assertTrue(explained.getMessage().startsWith("worker 3: "), explained.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty(StartFailures.PROVIDER_PROPERTY);
            } else {
                System.setProperty(StartFailures.PROVIDER_PROPERTY, before);
            }
        }
    }

    @Test
    void otherFailuresPassUnchanged() {
        var e = new java.net.BindException("Address already in use");
        assertSame(e, StartFailures.explain(e, 1)); // not thrown by the JDK's HTTP server
    }
}
