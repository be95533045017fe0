package dev.loomcluster.benchmarks.http;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.spi.HttpServerProvider;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

/**
 * The baseline of the HTTP load script: the JDK's own {@code HttpServer} (its default provider, which
 * loomcluster does not replace unless asked) with a virtual-thread-per-request executor, serving the same
 * hello handler as the main job. One process, one port.
 *
 * <p>Usage: {@code JdkHelloServer [port=8000]}. Main thread: starts the server and waits; SIGTERM stops it.
 */
public final class JdkHelloServer {
    private JdkHelloServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8000;
        HttpServerProvider provider = HttpServerProvider.provider();
        if (!provider.getClass().getName().startsWith("sun.net.httpserver.")) {
            throw new IllegalStateException("not the JDK's provider: " + provider.getClass().getName());
        }
        byte[] body = "{\"message\":\"Hello from worker 1\"}".getBytes(StandardCharsets.UTF_8);
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 1024);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        System.out.println("JDK HttpServer (virtual threads) listening on " + port);
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop(0);
            done.countDown();
        }));
        done.await();
    }
}
