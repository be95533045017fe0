package dev.loomcluster.benchmarks.isolation;

import dev.loomcluster.Isolation;
import dev.loomcluster.Worker;
import dev.loomcluster.WorkerPool;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Fork → online of child JVMs as a user's pool sees it: one {@code PROCESS} pool forks {@code n} idle
 * workers one after another, each timed from {@code fork()} to the pool's {@code online} event (on the
 * primary loop) and disconnected before the next; with {@code --startup-cache DIR} the pool uses
 * {@code WorkerPool.Builder.startupCache(DIR)}, and the first forks (which train the cache, or, with a
 * cache already there, are the same as the others) are left out as warm-up. Prints
 * {@code fork_online cache=.. median_ms=.. p90_ms=.. n=..}, the format of {@code node/cluster-bench.js}.
 * Usage: {@code ForkOnline [n=15] [--startup-cache DIR] [child JVM options...]}. Main thread.
 */
public final class ForkOnline {
    private static final int WARM_UP = 2;

    private ForkOnline() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        List<String> options = new ArrayList<>(args.length > 1 ? Arrays.asList(args).subList(1, args.length) : List.of());
        Optional<Path> cache = Optional.empty();
        int at = options.indexOf("--startup-cache");
        if (at >= 0) {
            cache = Optional.of(Files.createDirectories(Path.of(options.get(at + 1))));
            options.subList(at, at + 2).clear();
        }
        WorkerPool.Builder builder = WorkerPool.builder(Workers.Idle.class).name("fork-online")
                .isolation(Isolation.PROCESS).size(0).jvmOptions(options);
        cache.ifPresent(builder::startupCache);
        long[] ms = new long[n];
        try (WorkerPool pool = builder.build()) {
            LinkedBlockingQueue<Long> online = new LinkedBlockingQueue<>();
            pool.onOnline(w -> online.add(System.nanoTime()));
            pool.start();
            for (int i = -WARM_UP; i < n; i++) {
                long start = System.nanoTime();
                Worker w = pool.fork();
                Long onlineAt = online.poll(60, TimeUnit.SECONDS);
                if (onlineAt == null) {
                    throw new IllegalStateException("worker " + w.id() + " was not online within 60 s");
                }
                if (i >= 0) {
                    ms[i] = onlineAt - start;
                }
                w.disconnect().get(30, TimeUnit.SECONDS);
                Thread.sleep(50); // the child's exit is not part of the next fork
            }
        }
        Arrays.sort(ms);
        System.out.printf("fork_online cache=%s median_ms=%.1f p90_ms=%.1f n=%d%n", cache.isPresent() ? "yes" : "no",
                ms[n / 2] / 1e6, ms[Math.min(n - 1, (int) Math.ceil(n * 0.9) - 1)] / 1e6, n);
    }
}
