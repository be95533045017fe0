package dev.loomcluster.benchmarks.http;

import com.sun.net.httpserver.HttpServer;
import dev.loomcluster.Signals;
import dev.loomcluster.WorkerPool;
import dev.loomcluster.http.LoomHttpServerProvider;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The hello server of the main job that replaces all of its workers with {@code pool.reload()} on a timer,
 * for {@code benchmarks/reload.sh}: {@code ReloadingHello <port> <workers> <reloads> <first-after-ms>
 * <every-ms>}. Prints one line per reload with its duration, then {@code reloads done}. Runs on the main
 * thread (the primary); handlers run on the worker loops.
 */
public final class ReloadingHello {
    private ReloadingHello() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int workers = Integer.parseInt(args[1]);
        int reloads = Integer.parseInt(args[2]);
        long firstMs = Long.parseLong(args[3]);
        long everyMs = Long.parseLong(args[4]);
        System.setProperty("com.sun.net.httpserver.HttpServerProvider", LoomHttpServerProvider.class.getName());
        WorkerPool pool = WorkerPool.builder(ctx -> {
            byte[] body = ("{\"message\":\"Hello from worker " + ctx.id() + "\"}").getBytes(StandardCharsets.UTF_8);
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
            server.createContext("/", exchange -> {
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
        }).size(workers).name("reloading").build();
        pool.onError((w, e) -> System.err.println("worker " + w.id() + " failed: " + e));
        Signals.drainOnTermination(pool);
        pool.start();
        System.out.println("listening on " + port);
        Thread.sleep(firstMs);
        for (int i = 1; i <= reloads; i++) {
            long start = System.nanoTime();
            pool.reload().get();
            System.out.println("reload " + i + " done in " + Duration.ofNanos(System.nanoTime() - start).toMillis()
                    + " ms; workers now " + pool.workers().keySet());
            if (i < reloads) {
                Thread.sleep(everyMs);
            }
        }
        System.out.println("reloads done");
    }
}
