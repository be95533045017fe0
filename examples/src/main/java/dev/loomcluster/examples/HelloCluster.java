package dev.loomcluster.examples;

import dev.loomcluster.IdleStrategy;
import dev.loomcluster.Isolation;
import dev.loomcluster.Signals;
import dev.loomcluster.ThreadKind;
import dev.loomcluster.WorkerContext;
import dev.loomcluster.WorkerMain;
import dev.loomcluster.WorkerPool;
import dev.loomcluster.http.LoomHttpServerProvider;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Node's cluster example on the JVM: a primary forks one worker per CPU, every worker serves
 * {@code GET /} on the same port with {@code {"message":"Hello from worker <id>"}}.
 *
 * <pre>
 * java ... dev.loomcluster.examples.HelloCluster [--port N] [--host ADDR] [--workers N] [--threads platform|virtual]
 *     [--isolation thread|process] [--idle park|auto|backoff]
 * </pre>
 * With {@code --isolation process} every worker is a child JVM running {@link Worker}. {@code --idle} picks
 * the loops' {@link IdleStrategy}: {@code auto} (the pool's default), {@code park}, or {@code backoff} (spin and
 * yield for {@value IdleStrategy#AUTO_SPIN_MICROS} + {@value IdleStrategy#AUTO_YIELD_MICROS} µs before
 * every wait, whatever the CPUs).
 * The port also comes from {@code PORT} (default 8000). Ctrl-C or SIGTERM drains the workers (responses in
 * flight finish, idle keep-alive connections close) and exits with status 0.
 *
 * <p>The worker code is plain {@code com.sun.net.httpserver}: {@code main} only selects loomcluster's
 * provider through the JDK's system property. Runs on the main thread (the primary) and, for the handler,
 * on each worker's loop.
 */
public final class HelloCluster {
    private HelloCluster() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(option(args, "--port", System.getenv().getOrDefault("PORT", "8000")));
        String host = option(args, "--host", ""); // default: every local address, as Node's listen(port)
        int workers = Integer.parseInt(option(args, "--workers",
                String.valueOf(Runtime.getRuntime().availableProcessors())));
        ThreadKind threads = ThreadKind.valueOf(option(args, "--threads", "platform").toUpperCase(Locale.ROOT));
        if (System.getProperty("com.sun.net.httpserver.HttpServerProvider") == null) {
            System.setProperty("com.sun.net.httpserver.HttpServerProvider", LoomHttpServerProvider.class.getName());
        }

        Isolation isolation = Isolation.valueOf(option(args, "--isolation", "thread").toUpperCase(Locale.ROOT));
        IdleStrategy idle = switch (option(args, "--idle", "auto")) {
            case "park" -> IdleStrategy.park();
            case "auto" -> IdleStrategy.auto();
            case "backoff" -> IdleStrategy.backoff(Duration.ofNanos(IdleStrategy.AUTO_SPIN_MICROS * 1_000L),
                    Duration.ofNanos(IdleStrategy.AUTO_YIELD_MICROS * 1_000L));
            default -> throw new IllegalArgumentException("--idle takes park, auto or backoff, not "
                    + option(args, "--idle", ""));
        };

        System.out.println("Primary " + ProcessHandle.current().pid() + " is running");
        WorkerPool pool = WorkerPool.builder(Worker.class).size(workers).threads(threads).isolation(isolation)
                .idleStrategy(idle)
                .env(Map.of("HELLO_HOST", host, "HELLO_PORT", String.valueOf(port))).name("hello").build();
        pool.onExit((worker, status) -> {
            if (!status.success()) {
                System.out.println("Worker " + worker.id() + " died (" + status + ")");
            }
        });
        pool.onError((worker, error) -> System.err.println("Worker " + worker.id() + " failed: " + error));

        // Ctrl-C / SIGTERM: drain the pool, then exit with status 0.
        Signals.drainOnTermination(pool, () -> System.out.println("Primary " + ProcessHandle.current().pid() + " draining"));
        pool.start();
    }

    /**
     * The worker: serves {@code GET /} on {@code HELLO_HOST:HELLO_PORT} from its env. A public class with a
     * public no-argument constructor, so that a child JVM ({@code --isolation process}) can make it.
     */
    public static final class Worker implements WorkerMain {
        @Override
        public void start(WorkerContext ctx) throws IOException {
            if (System.getProperty("com.sun.net.httpserver.HttpServerProvider") == null) { // a child JVM
                System.setProperty("com.sun.net.httpserver.HttpServerProvider", LoomHttpServerProvider.class.getName());
            }
            byte[] body = ("{\"message\":\"Hello from worker " + ctx.id() + "\"}").getBytes(StandardCharsets.UTF_8);
            String host = ctx.env().getOrDefault("HELLO_HOST", "");
            int port = Integer.parseInt(ctx.env().getOrDefault("HELLO_PORT", "8000"));
            InetSocketAddress address = host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
            HttpServer server = HttpServer.create(address, 0);
            server.createContext("/", exchange -> {
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
            System.out.println("Worker " + ctx.id() + " started");
        }
    }

    private static String option(String[] args, String name, String fallback) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(name) && i + 1 < args.length) {
                return args[i + 1];
            }
            if (args[i].startsWith(name + "=")) {
                return args[i].substring(name.length() + 1);
            }
        }
        return fallback;
    }
}
