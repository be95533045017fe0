package dev.loomcluster.peers.vertx;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The hello server of loomcluster's HTTP benchmarks on Vert.x: {@code instances} verticles (default 2),
 * each with its own event loop and HTTP server on the same port (Vert.x spreads the connections),
 * answering every request with {@code {"message":"Hello from worker <n>"}} as application/json, as
 * HelloCluster and node-cluster.js do. Usage: {@code VertxHello [port=8000] [instances=2]}; SIGTERM stops it.
 */
public final class VertxHello extends AbstractVerticle {
    private static final AtomicInteger IDS = new AtomicInteger();

    @Override
    public void start() {
        int port = config().getInteger("port");
        Buffer body = Buffer.buffer("{\"message\":\"Hello from worker " + IDS.incrementAndGet() + "\"}");
        String length = String.valueOf(body.length());
        vertx.createHttpServer()
                .requestHandler(req -> req.response()
                        .putHeader("Content-Type", "application/json")
                        .putHeader("Content-Length", length)
                        .end(body))
                .listen(port)
                .onFailure(e -> {
                    e.printStackTrace();
                    System.exit(1);
                });
    }

    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8000;
        int instances = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        Vertx vertx = Vertx.vertx();
        vertx.deployVerticle(VertxHello.class.getName(), new DeploymentOptions().setInstances(instances)
                .setConfig(new io.vertx.core.json.JsonObject().put("port", port)))
                .onSuccess(id -> System.out.println("Vert.x listening on " + port + " with " + instances + " verticles"))
                .onFailure(e -> {
                    e.printStackTrace();
                    System.exit(1);
                });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> vertx.close().toCompletionStage().toCompletableFuture().join()));
    }
}
