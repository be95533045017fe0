package dev.loomcluster.benchmarks.isolation;

import dev.loomcluster.Isolation;
import dev.loomcluster.SchedulingPolicy;
import dev.loomcluster.WorkerPool;
import dev.loomcluster.http.LoomHttpServerProvider;
import dev.loomcluster.examples.HelloCluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The hello HTTP server of {@code bin/hello} ({@link HelloCluster.Worker}) with the isolation and the
 * scheduling policy chosen on the command line, for the load script: {@code HelloPool <thread|process>
 * <round_robin|shared> <workers> <port> [child options...]}. Serves until SIGTERM, then drains and exits
 * 0. Main thread (the primary).
 */
public final class HelloPool {
    private HelloPool() {
    }

    public static void main(String[] args) throws Exception {
        Isolation isolation = Isolation.valueOf(args[0].toUpperCase(Locale.ROOT));
        SchedulingPolicy policy = SchedulingPolicy.valueOf(args[1].toUpperCase(Locale.ROOT));
        int workers = Integer.parseInt(args[2]);
        String port = args[3];
        List<String> childOptions = new ArrayList<>(List.of(args).subList(4, args.length));
        System.setProperty("com.sun.net.httpserver.HttpServerProvider", LoomHttpServerProvider.class.getName());
        WorkerPool pool = WorkerPool.builder(HelloCluster.Worker.class).isolation(isolation).scheduling(policy)
                .size(workers).jvmOptions(childOptions).name("hello")
                .env(Map.of("HELLO_HOST", "127.0.0.1", "HELLO_PORT", port)).build();
        pool.onError((w, e) -> System.err.println("worker " + w.id() + " failed: " + e));
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
            pool.close();
            Runtime.getRuntime().halt(0);
        }));
        pool.start();
    }
}
